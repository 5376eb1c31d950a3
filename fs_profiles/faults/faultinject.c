/* faultinject: fail chosen syscalls of a program (and its forks) on chosen files, through a
 * seccomp user-notification supervisor. Works on static binaries (no LD_PRELOAD needed).
 *
 * faultinject [--rule SYSCALL:WHEN:ERRNO[:FLAG]]... [--mount DIR] [--log FILE] -- PROG ARGS...
 *   WHEN: unlinked  the fd's file has no name left (st_nlink == 0) and is on --mount (if given)
 *         on_mount  the fd's file is on the filesystem of --mount DIR (same st_dev)
 *         any       always   (without --mount, "unlinked" also matches memfds and O_TMPFILE files)
 *   ERRNO: a name (ENOENT) or number; for fstatfs also FTYPE=MAGIC: succeed, but report f_type
 *          MAGIC (as a 9p or NFS server would: 9p2000.L passes the host's, NFS says 0x6969).
 *   FLAG: mmap MAP_SHARED|MAP_PRIVATE; fallocate a mode (number or KEEP_SIZE|PUNCH_HOLE|...).
 *   --log: one line per rule that fired: "pid syscall fd path errno" (path as /proc/PID/fd shows
 *          it, " (deleted)" included; errno is the rule's ERRNO field).
 * Exit status: the program's (128+signal if killed); 2 for a usage error (one line on stderr).
 * If the supervisor is killed the program gets SIGKILL; forks that outlive the program get
 * ENOSYS for the rules' syscalls. Needs Linux 5.5+ (USER_NOTIF_FLAG_CONTINUE, pidfd_open).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/falloc.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH_NR AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH_NR AUDIT_ARCH_AARCH64
#else
#error "faultinject supports x86_64 and aarch64"
#endif

enum when { W_UNLINKED, W_ON_MOUNT, W_ANY };
enum flagkind { F_NONE, F_MMAP, F_FALLOC };
struct sysdef { const char *name; int nr; int fd_arg; enum flagkind flag; };
static const struct sysdef SYSCALLS[] = {
	{"fstatfs", SYS_fstatfs, 0, F_NONE}, {"ftruncate", SYS_ftruncate, 0, F_NONE},
	{"fallocate", SYS_fallocate, 0, F_FALLOC}, {"fstat", SYS_fstat, 0, F_NONE},
	{"newfstatat", SYS_newfstatat, 0, F_NONE}, /* glibc's fstat(): (fd, "", buf, AT_EMPTY_PATH) */
	{"mmap", SYS_mmap, 4, F_MMAP}, {"fsync", SYS_fsync, 0, F_NONE},
	{"fdatasync", SYS_fdatasync, 0, F_NONE}, {"pread64", SYS_pread64, 0, F_NONE},
	{"pwrite64", SYS_pwrite64, 0, F_NONE}, {"lseek", SYS_lseek, 0, F_NONE},
	{"flock", SYS_flock, 0, F_NONE}, {"fchmod", SYS_fchmod, 0, F_NONE},
};
#define NSYS (sizeof(SYSCALLS) / sizeof(SYSCALLS[0]))
struct named { const char *name; long value; };
#define E(x) {#x, x}
static const struct named ERRNOS[] = {
	E(ENOENT), E(EOPNOTSUPP), E(EINVAL), E(EIO), E(EPERM), E(EACCES), E(ENOSPC), E(ENOSYS),
	E(EROFS), E(ESTALE), E(EBADF), E(ENOMEM), E(EFBIG), E(ENODEV), E(EXDEV), E(EAGAIN),
	E(EFAULT), E(EBUSY), E(ETXTBSY), {"ENOTSUPP", 524},
};
static const struct named FLAGS[] = {
	{"MAP_SHARED", MAP_SHARED}, {"MAP_PRIVATE", MAP_PRIVATE}, {"KEEP_SIZE", FALLOC_FL_KEEP_SIZE},
	{"PUNCH_HOLE", FALLOC_FL_PUNCH_HOLE}, {"ZERO_RANGE", FALLOC_FL_ZERO_RANGE},
	{"COLLAPSE_RANGE", FALLOC_FL_COLLAPSE_RANGE}, {"INSERT_RANGE", FALLOC_FL_INSERT_RANGE},
};
static const struct named WHENS[] = { {"unlinked", W_UNLINKED}, {"on_mount", W_ON_MOUNT}, {"any", W_ANY} };
#define LOOKUP(table, name, out) lookup(table, sizeof(table) / sizeof(table[0]), name, out)

struct rule { const struct sysdef *sys; enum when when; int err; const char *errname;
	      int has_flag; long flag; long ftype; /* ftype: fstatfs FTYPE= spoof, else 0 */ };
#define MAXRULES 64
static struct rule rules[MAXRULES];
static int nrules;
static dev_t mount_dev;
static int have_mount;
static FILE *logf;
static pid_t child = -1;

static void usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "faultinject: %s: %s\n", what, arg);
	exit(2);
}

static int lookup(const struct named *table, size_t n, const char *name, long *out)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].name, name))
			return *out = table[i].value, 1;
	return 0;
}

static long parse_flag(const char *text, const char *rule_text)
{
	char buf[128], *save = NULL, *tok;
	long value = 0;

	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		usage_error("flag too long in --rule", rule_text);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		char *end;
		long n = strtol(tok, &end, 0);

		if ((!*tok || *end) && !LOOKUP(FLAGS, tok, &n))
			usage_error("unknown flag in --rule", rule_text);
		value |= n;
	}
	return value;
}

static void parse_rule(char *text)
{
	char *orig = strdup(text), *field[5] = {0}, *save = NULL, *end;
	struct rule *r = &rules[nrules];
	long value;
	int n = 0;
	size_t i;

	if (nrules == MAXRULES)
		usage_error("too many rules, at", orig);
	for (char *p = strtok_r(text, ":", &save); p && n < 5; p = strtok_r(NULL, ":", &save))
		field[n++] = p;
	if (n < 3 || n > 4)
		usage_error("--rule wants SYSCALL:WHEN:ERRNO[:FLAG], got", orig);
	for (i = 0; i < NSYS && strcmp(SYSCALLS[i].name, field[0]); i++)
		;
	if (i == NSYS)
		usage_error("unsupported syscall in --rule", orig);
	r->sys = &SYSCALLS[i];
	if (!LOOKUP(WHENS, field[1], &value))
		usage_error("WHEN must be unlinked, on_mount or any in --rule", orig);
	r->when = (enum when)value;
	r->err = (int)strtol(field[2], &end, 10);
	r->errname = field[2];
	if (!strncmp(field[2], "FTYPE=", 6)) {
		r->ftype = strtol(field[2] + 6, &end, 0);
		if (r->sys->nr != SYS_fstatfs || *end || !r->ftype)
			usage_error("FTYPE=MAGIC (nonzero) is only for fstatfs in --rule", orig);
	} else if (*end || r->err <= 0) {
		if (!LOOKUP(ERRNOS, field[2], &value))
			usage_error("unknown errno in --rule", orig);
		r->err = (int)value;
	}
	if (n == 4) {
		if (r->sys->flag == F_NONE)
			usage_error("this syscall takes no FLAG in --rule", orig);
		r->has_flag = 1;
		r->flag = parse_flag(field[3], orig);
	}
	nrules++;
}

/* The filter: on the native arch, notify for the rules' syscalls (not for anonymous mmaps),
 * allow everything else. One block per rule, each reloading the syscall number. */
static int install_filter(void)
{
	struct sock_filter f[3 + 6 * MAXRULES + 1];
	int n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH_NR, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	for (int i = 0; i < nrules; i++) {
		int mmap = rules[i].sys->flag == F_MMAP;
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, rules[i].sys->nr, 0, mmap ? 4 : 1);
		if (mmap) { /* low word of args[3] (flags); both arches are little-endian */
			f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3]));
			f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS, 1, 0);
		}
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
		if (mmap)
			f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = f };
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

static int flag_matches(const struct rule *r, const struct seccomp_data *d)
{
	if (r->sys->flag == F_MMAP) {
		long type = (long)d->args[3] & 0x0f; /* MAP_TYPE; MAP_SHARED_VALIDATE counts as shared */
		if ((long)d->args[3] & MAP_ANONYMOUS)
			return 0;
		if (!r->has_flag)
			return 1;
		return r->flag == MAP_SHARED ? (type == MAP_SHARED || type == MAP_SHARED_VALIDATE)
					     : type == r->flag;
	}
	if (r->sys->flag == F_FALLOC && r->has_flag)
		return (long)(int)d->args[1] == r->flag;
	return 1;
}

/* Decide one notification: the rule that fires (its file's name in path), or NULL. */
static const struct rule *decide(const struct seccomp_notif *req, char *path, size_t size)
{
	char link[64];
	struct stat st;
	int have_st = -1;

	for (int i = 0; i < nrules; i++) {
		const struct rule *r = &rules[i];
		int fd = (int)req->data.args[r->sys->fd_arg];

		if (r->sys->nr != req->data.nr || !flag_matches(r, &req->data))
			continue;
		if (r->sys->nr == SYS_newfstatat && !(req->data.args[3] & AT_EMPTY_PATH))
			continue;
		if (fd < 0)
			continue;
		if (have_st < 0) {
			snprintf(link, sizeof(link), "/proc/%d/fd/%d", req->pid, fd);
			have_st = stat(link, &st) == 0;
		}
		if (r->when != W_ANY && !have_st)
			continue;
		if (r->when != W_ANY && have_mount && st.st_dev != mount_dev)
			continue;
		if (r->when == W_UNLINKED && st.st_nlink != 0)
			continue;
		ssize_t len = readlink(link, path, size - 1);
		path[len > 0 ? len : 0] = 0;
		return r;
	}
	return NULL;
}

/* fstatfs() for the tracee on its file, with f_type replaced; 0 or -errno. */
static int spoof_statfs(const struct seccomp_notif *req, const struct rule *r)
{
	char link[64];
	struct statfs sf;

	snprintf(link, sizeof(link), "/proc/%d/fd/%d", req->pid, (int)req->data.args[0]);
	if (statfs(link, &sf))
		return -errno;
	sf.f_type = r->ftype;
	struct iovec local = { &sf, sizeof(sf) };
	struct iovec remote = { (void *)(uintptr_t)req->data.args[1], sizeof(sf) };
	return process_vm_writev(req->pid, &local, 1, &remote, 1, 0) == sizeof(sf) ? 0 : -EFAULT;
}

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int run_child(char **argv, int sock, pid_t parent)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	char byte = 'L';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int listener;

	prctl(PR_SET_PDEATHSIG, SIGKILL); /* the supervisor killed: the program goes too */
	if (getppid() != parent)
		return 127;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || (listener = install_filter()) < 0) {
		fprintf(stderr, "faultinject: cannot install the seccomp filter: %s\n", strerror(errno));
		return 127;
	}
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &listener, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		return 127;
	close(listener);
	close(sock);
	execvp(argv[0], argv);
	fprintf(stderr, "faultinject: cannot run %s: %s\n", argv[0], strerror(errno));
	return 127;
}

static int receive_listener(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1 || !(cm = CMSG_FIRSTHDR(&msg)) || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static void serve_one(int listener)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	memset(&req, 0, sizeof(req));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req))
		return; /* ENOENT: the caller died or was interrupted meanwhile */
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	char path[4096];
	const struct rule *r = decide(&req, path, sizeof(path));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id))
		return; /* the tracee is gone; its pid may already be reused */
	if (r && r->ftype)
		resp.error = spoof_statfs(&req, r);
	else if (r)
		resp.error = -r->err;
	else
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	/* Log only a reply that arrived: a tracee interrupted meanwhile (a signal, io_uring task
	 * work) restarts the syscall and is decided again. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0 && r && logf) {
		fprintf(logf, "%d %s %d %s %s\n", req.pid, r->sys->name,
			(int)req.data.args[r->sys->fd_arg], path, r->errname);
		fflush(logf);
	}
}

int main(int argc, char **argv)
{
	const char *mount_dir = NULL, *log_path = NULL;
	int i, sv[2], status;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (i + 1 >= argc)
			usage_error("missing value for", argv[i]);
		if (!strcmp(argv[i], "--rule"))
			parse_rule(argv[++i]);
		else if (!strcmp(argv[i], "--mount"))
			mount_dir = argv[++i];
		else if (!strcmp(argv[i], "--log"))
			log_path = argv[++i];
		else
			usage_error("unknown option", argv[i]);
	}
	if (i + 1 >= argc)
		usage_error("usage", "faultinject [--rule SYSCALL:WHEN:ERRNO[:FLAG]]... "
			    "[--mount DIR] [--log FILE] -- PROG ARGS...");
	if (mount_dir) {
		struct stat st;
		if (stat(mount_dir, &st))
			usage_error("cannot stat --mount", mount_dir);
		mount_dev = st.st_dev;
		have_mount = 1;
	}
	if (log_path && !(logf = fopen(log_path, "ae")))
		usage_error("cannot open --log", log_path);
	if (nrules == 0) { /* nothing to inject: just run the program */
		execvp(argv[i + 1], argv + i + 1);
		usage_error("cannot run", argv[i + 1]);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		usage_error("socketpair", strerror(errno));
	pid_t self = getpid();
	child = fork();
	if (child < 0)
		usage_error("fork", strerror(errno));
	if (child == 0) {
		close(sv[0]);
		_exit(run_child(argv + i + 1, sv[1], self));
	}
	close(sv[1]);
	static const int passed_on[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
	for (size_t k = 0; k < sizeof(passed_on) / sizeof(passed_on[0]); k++)
		signal(passed_on[k], forward);
	int listener = receive_listener(sv[0]);
	close(sv[0]);
	int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	if (pidfd < 0) {
		kill(child, SIGKILL);
		usage_error("pidfd_open (Linux 5.3+)", strerror(errno));
	}
	while (listener >= 0) {
		struct pollfd p[2] = { { listener, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & POLLIN)
			serve_one(listener);
		else if (p[1].revents || (p[0].revents & (POLLHUP | POLLERR)))
			break;
	}
	if (listener >= 0)
		close(listener); /* forks that outlive the program get ENOSYS from now on */
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return 127;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
