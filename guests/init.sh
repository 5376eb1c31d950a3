#!/bin/sh
# /init of the harness initramfs (busybox sh). Settings come from /etc/harness/:
#   modules   one .ko path per line, in load order; a leading ? marks an optional one
#   mount.sh  the profile's mount commands (sourced; must mount at $HARNESS_MNT)
#   env       HARNESS_MNT, HARNESS_SCOPE (work|root), HARNESS_READY (the ready marker),
#             HARNESS_SWAP_MB (size of the zram swap; 0: none)
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox mount -t proc proc /proc
# Applets the builder could not link (busybox of another arch) are linked here.
/bin/busybox --install -s
. /etc/harness/env

fail() {
	echo "HARNESS-SETUP-FAILED: $*"
	exec setsid cttyhack sh
}

mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug || echo "harness: debugfs not available"
mkdir -p /dev/pts /dev/shm /tmp
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp

start=$(cut -d' ' -f1 /proc/uptime)
while read -r ko; do
	case "$ko" in
	"") ;;
	\?*) insmod "${ko#?}" || echo "harness: optional module ${ko#?} did not load" ;;
	*) insmod "$ko" || fail "insmod $ko" ;;
	esac
done < /etc/harness/modules
echo "harness: modules loaded in $start..$(cut -d' ' -f1 /proc/uptime) s"

if [ "${HARNESS_SWAP_MB:-0}" -gt 0 ]; then
	# cow's "swapped-out" cases need MADV_PAGEOUT to work: swap on a zram device.
	if [ -e /sys/block/zram0/disksize ] && echo "${HARNESS_SWAP_MB}M" > /sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; then
		echo "harness: swap on zram0 ($HARNESS_SWAP_MB MiB)"
	else
		echo "harness: no swap: zram0 could not be set up"
	fi
fi

mkdir -p "$HARNESS_MNT"
. /etc/harness/mount.sh || fail "mount commands of the profile"
grep -q " $HARNESS_MNT " /proc/mounts || fail "nothing mounted at $HARNESS_MNT"

if [ "$HARNESS_SCOPE" = root ]; then
	# glibc tmpfile() always uses /tmp: put /tmp on the profile's filesystem too.
	mkdir -p "$HARNESS_MNT/.harness-tmp" || fail "mkdir $HARNESS_MNT/.harness-tmp"
	chmod 1777 "$HARNESS_MNT/.harness-tmp"
	umount /tmp
	mount --bind "$HARNESS_MNT/.harness-tmp" /tmp || fail "bind $HARNESS_MNT/.harness-tmp over /tmp"
fi

cd "$HARNESS_MNT" || fail "cd $HARNESS_MNT"
stty -echo 2>/dev/null
echo "$HARNESS_READY"
export PS1='' PS2=''
# The shell is not PID 1: if it ever exits, say so and start another one instead of panicking.
while :; do
	setsid cttyhack sh
	echo "HARNESS-SHELL-EXITED: $?"
done
