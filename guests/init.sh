#!/bin/sh
# /init of the harness initramfs (busybox sh). Settings come from /etc/harness/:
#   fstab     proc, sysfs, devtmpfs, debugfs, /tmp (mount -a)
#   modules   one .ko path per line, in load order; a leading ? marks an optional one
#   mount.sh  the profile's mount commands (sourced; must mount at $HARNESS_MNT)
#   env       HARNESS_MNT, HARNESS_SCOPE (work|tmp|root), HARNESS_READY (the ready marker),
#             HARNESS_SWAP_MB (size of the zram swap; 0: none), HARNESS_PAYLOAD (the key of the
#             payload the host put on the root; empty: copy it from here)
# Scope root: like a distribution's initramfs, /init loads the modules, mounts the root the
# kernel command line names (root=, rootfstype=, rootflags=, rootwait, nfsroot=, ip=) and
# switch_roots into it; the new root runs this script as "/init stage2". The host provisions
# each run's root with the cached payload (busybox, selftests, strace, this script) where it
# can (xfs, ext4, 9p, nfs); a tmpfs root gets it copied from the initramfs here.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
if [ "$1" != stage2 ]; then  # stage 2 has /proc moved over and the settings in its environment
	# proc, sysfs, devtmpfs, debugfs and /tmp in one command (each fork costs tens of ms here)
	/bin/busybox mount -a -T /etc/harness/fstab
	# Applets the builder could not link (busybox of another arch) are linked here.
	[ -e /bin/mount ] || /bin/busybox --install -s
	set -a  # exported: stage 2 gets the settings through switch_root's exec
	. /etc/harness/env
	set +a
fi

# Shell builtins where a command would fork and exec busybox (tens of ms each under TCG).
uptime_now() {  # NOW = seconds since boot
	read -r NOW _ < /proc/uptime
}

mounted_at() {  # is something mounted at $1?
	while read -r _ target _; do
		[ "$target" = "$1" ] && return 0
	done < /proc/mounts
	return 1
}

fail() {
	echo "HARNESS-SETUP-FAILED: $*"
	exec setsid cttyhack sh
}

system_mounts() {  # the rest of what /etc/harness/fstab mounted
	mounted_at /sys/kernel/debug || echo "harness: debugfs not available"
	mkdir -p /dev/pts /dev/shm
	mount -t tmpfs -o mode=1777 tmpfs /dev/shm
}

cmdline_value() {  # the value of KEY= on the kernel command line (the last one wins)
	v=""
	for a in $(cat /proc/cmdline); do
		case "$a" in "$1="*) v="${a#*=}" ;; esac
	done
	echo "$v"
}

cmdline_has() {
	for a in $(cat /proc/cmdline); do [ "$a" = "$1" ] && return 0; done
	return 1
}

network_from_ip() {  # ip=CLIENT::GATEWAY:NETMASK::DEVICE:off (what nfsroot setups pass)
	ipv=$(cmdline_value ip)
	[ -n "$ipv" ] || return 0
	IFS=: read -r client _ gw mask _ dev _ <<EOF_IP
$ipv
EOF_IP
	i=0
	while [ ! -e "/sys/class/net/$dev" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
	ip link set lo up
	ip addr add "$client/$mask" dev "$dev" || fail "ip= $ipv"
	ip link set "$dev" up
}

mount_root() {  # mount what root= names at /newroot
	root=$(cmdline_value root)
	fstype=$(cmdline_value rootfstype)
	flags=$(cmdline_value rootflags)
	[ -n "$root" ] || fail "scope root but no root= on the kernel command line"
	mkdir -p /newroot
	if [ "$root" = /dev/nfs ]; then
		network_from_ip
		nfsroot=$(cmdline_value nfsroot)
		server_path=${nfsroot%%,*}
		opts=${nfsroot#"$server_path"}
		mount -t "${fstype:-nfs}" -o "${opts#,}" "$server_path" /newroot || fail "nfsroot=$nfsroot"
		return
	fi
	case "$root" in /dev/*)  # rootwait, and a moment even without it: partitions appear late
		i=0
		limit=30
		cmdline_has rootwait && limit=300
		while [ ! -e "$root" ] && [ $i -lt $limit ]; do sleep 0.1; i=$((i+1)); done ;;
	esac
	if [ -n "$fstype" ]; then
		mount -t "$fstype" ${flags:+-o "$flags"} "$root" /newroot
	else  # busybox tries every type in /proc/filesystems
		mount ${flags:+-o "$flags"} "$root" /newroot
	fi || fail "mount root=$root rootfstype=$fstype"
}

fill_root() {  # the payload onto a root the host could not fill (a fresh tmpfs)
	for d in bin sbin usr etc selftests var; do
		[ -e "/$d" ] && { cp -a "/$d" /newroot/ || fail "copy /$d onto the root"; }
	done
	for d in /lib /lib64; do  # strace's libraries, not the modules (loaded already)
		[ -d "$d" ] || continue
		mkdir -p "/newroot$d"
		for e in "$d"/*; do
			[ "$e" = /lib/modules ] || cp -a "$e" "/newroot$d/" || fail "copy $e onto the root"
		done
	done
	cp /init /newroot/init || fail "copy /init onto the root"
}

switch_to_root() {  # the payload is on the new root (or goes there), then stage 2 runs there
	uptime_now
	t0=$NOW
	if [ -n "$HARNESS_PAYLOAD" ]; then
		[ "$(cat /newroot/etc/harness-payload 2>/dev/null)" = "$HARNESS_PAYLOAD" ] ||
			fail "root=$root does not hold the harness payload $HARNESS_PAYLOAD"
	else
		fill_root
	fi
	mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/tmp "/newroot$HARNESS_MNT"
	chmod 1777 /newroot/tmp
	uptime_now
	echo "harness: root ${HARNESS_PAYLOAD:+(payload $HARNESS_PAYLOAD) }ready in $t0..$NOW s"
	for m in /dev /sys /proc; do
		mount --move "$m" "/newroot$m" || fail "move $m to the new root"
	done
	exec switch_root /newroot /init stage2
}

if [ "$1" = stage2 ]; then
	# /proc, /sys (with debugfs) and /dev (with /dev/shm) were moved here; /tmp is the root's.
	# The host links the applets when its busybox runs there; another arch's are linked here.
	[ -e /bin/mount ] || /bin/busybox --install -s
	echo "harness: / is $(grep ' / ' /proc/mounts | tail -1)"
else
	system_mounts

uptime_now
start=$NOW
while read -r ko; do
	case "$ko" in
	"") ;;
	\?*) insmod "${ko#?}" || echo "harness: optional module ${ko#?} did not load" ;;
	*) insmod "$ko" || fail "insmod $ko" ;;
	esac
done < /etc/harness/modules
uptime_now
echo "harness: modules loaded in $start..$NOW s"

if [ "${HARNESS_SWAP_MB:-0}" -gt 0 ]; then
	# cow's "swapped-out" cases need MADV_PAGEOUT to work: swap on a zram device.
	if [ -e /sys/block/zram0/disksize ] && echo "${HARNESS_SWAP_MB}M" > /sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; then
		echo "harness: swap on zram0 ($HARNESS_SWAP_MB MiB)"
	else
		echo "harness: no swap: zram0 could not be set up"
	fi
fi

fi

if [ "$1" != stage2 ] && [ "$HARNESS_SCOPE" = root ]; then
	mount_root
	switch_to_root
fi

[ -d "$HARNESS_MNT" ] || mkdir -p "$HARNESS_MNT"
if [ "$HARNESS_SCOPE" != root ]; then
	. /etc/harness/mount.sh || fail "mount commands of the profile"
	mounted_at "$HARNESS_MNT" || fail "nothing mounted at $HARNESS_MNT"
fi

if [ "$HARNESS_SCOPE" = tmp ]; then
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
