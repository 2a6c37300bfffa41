// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt-bench - time checkpoint and restart of a process, ours and CRIU's
 *
 *	ckpt-bench [-e ENGINE]... [-d DIR] [REPS]
 *
 * For every workload, every engine (default: all of them) and REPS
 * repetitions (default 5): fork a target, let it build its state, time
 * the checkpoint of it into an image in DIR (default /tmp, a tmpfs),
 * kill it, then time its restart from the image.  The lower bound of
 * both is a copy of the largest workload's bytes, tmpfs to tmpfs, also
 * timed REPS times; restart of that workload is also held against one
 * memcpy() of its bytes between two buffers whose pages are in place,
 * which restart should come within 1.1x of.
 *
 * Workloads: (a) a small static program that only sleeps, (b) 256 MiB
 * of dirty anonymous memory, (c) 1,000 VMAs and 200 open regular files,
 * (d) 100 pipes with 16 KiB in flight each, plus 20 regular files, (e) a
 * prefork server: 64 MiB of dirty anonymous memory, then 8 children
 * that share it copy-on-write and pause, (f) a thread pool: 64 MiB of
 * dirty anonymous memory and 32 threads asleep, (g) a server: a TCP
 * listening socket on 127.0.0.1 and 200 connections to it, both ends in
 * the target, with 4 KiB in flight each way on every connection, the
 * server ends and the listening socket in an epoll set.
 *
 * Engines:
 *   ckpt  this kernel's checkpoint(2)/restart(2).  checkpoint(2) needs a
 *         quiesced target: the checkpoint time is that of stopping it
 *         (SIGSTOP to its process group, until every process of it is
 *         seen stopped) plus the system call.  Restart is timed from
 *         just before the image is opened by a fresh child that
 *         restart(2) turns into the target (RESTART_CONTINUE: the stop
 *         was the benchmark's, not the target's).
 *   criu  CRIU's `criu dump -t PID -D DIR` (it seizes and freezes the
 *         running target itself) and `criu restore -D DIR -d`, timed
 *         from before the tool is spawned until it exits (dump), or
 *         until the restored target runs (restore).  A workload with TCP
 *         connections adds --tcp-established (the connections are
 *         restored in place) and --network-lock nftables (the guest has
 *         nftables, not iptables) to both.
 *
 * Restart time is end to end: the restarter takes a timestamp just
 * before it asks the engine to restart, and the restored target takes
 * CLOCK_MONOTONIC as soon as its interrupted 0.2 ms sleep returns (so
 * the resolution is about 0.2 ms), and reports it on a FIFO.  The
 * sleep is short because the engines end it differently: restart(2)
 * resumes it for the time it had left, as the kernel does for a stopped
 * task, where CRIU ends it with EINTR; a longer sleep would add up to
 * its length to ours only.  The target tries the FIFO after every sleep;
 * it has a reader only once the benchmark waits for the restored
 * target: nothing of the report path is part of the checkpointed state,
 * whatever an engine does with fds.
 * Along with the time it reports whether its state survived (memory
 * contents, fds, file offsets, bytes in its pipes); a restart that lost
 * state counts as failed.
 *
 * Where the kernel has /proc/profile (the bench kernel is booted with
 * profile=2), the timer ticks that hit the kernel while ours restarts
 * (a), (b) and (c) are summed over the repetitions (for (a), over 500
 * more untimed ones too: one restart is shorter than a tick) and printed
 * by function: where restart spends its time (for (b), the time the
 * memcpy() lower bound does not).
 *
 * A failing engine (a refused object, a tool error) is reported in the
 * table with its reason instead of a time, and the run goes on.
 *
 * Results: a markdown table between two marker lines, then the same
 * numbers as pipe-separated data lines, for scripts/bench.sh.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/checkpoint.h>
#include <linux/sched.h>

#ifndef __NR_checkpoint
#define __NR_checkpoint 463
#endif
#ifndef __NR_restart
#define __NR_restart 464
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define KIB		1024UL
#define MIB		(1024 * 1024UL)
#define GIB		(1024 * MIB)
#define MAX_REPS	100
#define COPY_BUF	MIB
/* how long a step may take under TCG before the run is declared stuck */
#define STEP_TIMEOUT_MS	(300 * 1000)
/* size of every regular file a target opens */
#define FILE_SIZE	(8 * KIB)
#define MAX_FILES	256
#define MAX_PIPES	128
#define MAX_CHILDREN	16
#define MAX_CONNS	256
#define WHY_LEN		200

#define BEGIN_MARK	"<!-- ckpt-bench results begin -->"
#define END_MARK	"<!-- ckpt-bench results end -->"
#define DATA_BEGIN	"<!-- ckpt-bench data begin -->"
#define DATA_END	"<!-- ckpt-bench data end -->"

extern char **environ;

static const char *prog = "ckpt-bench";
/* the workload being run holds TCP connections */
static bool tcp_workload;
static char files_dir[256];
static char fifo[256];

/**
 * struct engine - a way to checkpoint and restart a process
 * @name: selected with -e
 * @label: for the table
 * @desc: one line for the results
 * @stop: the target must be stopped (SIGSTOP) before @checkpoint
 * @detached: the restarter exits once the target is restored, instead
 *	of turning into it
 * @error_tag: a log line holding this is the reason of a failure; NULL:
 *	the first line of the log is
 * @error_skip: NULL or a NULL-terminated list: log lines that hold one of
 *	these are not the reason (generic follow-up messages)
 * @setup: called once before anything is timed; 0, or -1 when the
 *	engine cannot run at all here (then its results say so)
 * @checkpoint: save the process @pid into @image, logging to @log, and
 *	store in @ns the nanoseconds of the checkpoint proper (the engine
 *	knows what to time: the system call, or the whole dumping tool);
 *	0, or -1 with a short reason in @why
 * @restart: called in a fresh child of the benchmark: turn this child
 *	into (or make it give birth to) the process of @image, logging to
 *	@log.  @start must be called just before the restart proper begins.
 *	Only returns on failure.
 * @image_size: the size in bytes of @image, or -1
 * @cleanup: remove @image
 */
struct engine {
	const char *name;
	const char *label;
	const char *desc;
	bool stop;
	bool detached;
	const char *error_tag;
	const char * const *error_skip;
	int (*setup)(void);
	int (*checkpoint)(pid_t pid, const char *image, const char *log,
			  long long *ns, char *why);
	void (*restart)(const char *image, const char *log,
			void (*start)(void));
	long long (*image_size)(const char *image);
	void (*cleanup)(const char *image);
};

/**
 * struct workload - what the target builds before it is checkpointed
 * @name: for the table
 * @key: short name, for the data lines
 * @dirty: bytes of anonymous memory it writes, every page of it
 * @vmas: separate one-page anonymous mappings it makes and writes
 * @files: regular files it keeps open, each at its own offset
 * @pipes: pipes whose both ends it keeps open
 * @pipe_bytes: bytes in flight in each pipe
 * @children: processes it forks once the rest is built, which share its
 *	memory copy-on-write and only pause
 * @threads: threads it starts once the rest is built, which only pause
 * @conns: TCP connections on 127.0.0.1 to a listening socket of its own,
 *	both ends its own, the server ends and the listening socket in an
 *	epoll set
 * @conn_bytes: bytes in flight each way on every connection: written,
 *	not read
 * @reserve: bytes of address space it reserves as a JVM or a Go runtime
 *	does (PROT_NONE, MAP_NORESERVE) and never touches
 */
struct workload {
	const char *name;
	const char *key;
	size_t dirty;
	int vmas;
	int files;
	int pipes;
	size_t pipe_bytes;
	int children;
	int threads;
	int conns;
	size_t conn_bytes;
	size_t reserve;
};

static const struct workload workloads[] = {
	{ .name = "(a) small static program", .key = "a" },
	{ .name = "(b) 256 MiB dirty anon", .key = "b", .dirty = 256 * MIB },
	{ .name = "(c) 1000 VMAs, 200 files", .key = "c",
	  .vmas = 1000, .files = 200 },
	{ .name = "(d) 100 pipes x 16 KiB, 20 files", .key = "d",
	  .pipes = 100, .pipe_bytes = 16 * KIB, .files = 20 },
	{ .name = "(e) prefork: 64 MiB, 8 children", .key = "e",
	  .dirty = 64 * MIB, .children = 8 },
	{ .name = "(f) threads: 64 MiB, 32 threads", .key = "f",
	  .dirty = 64 * MIB, .threads = 32 },
	{ .name = "(g) server: 200 TCP connections", .key = "g",
	  .conns = 200, .conn_bytes = 4 * KIB },
	{ .name = "(h) 1 MiB resident", .key = "h", .dirty = MIB },
	{ .name = "(i) 1 MiB resident, 64 GiB reserved", .key = "i",
	  .dirty = MIB, .reserve = 64 * GIB },
};

/* the workloads whose checkpoints are compared: reservation or not */
#define SPARSE_BASE	7
#define SPARSE		8

/* one operation of one engine on one workload, over the repetitions */
struct series {
	double ms[MAX_REPS];
	int n;
	char why[WHY_LEN];	/* set when it failed */
};

struct result {
	struct series ckpt, rst;
	long long size;
};

static void die(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void die(int err, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, " (%s)", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static const char *errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "unknown error";
}

static int write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += n;
	}
	return 0;
}

/*
 * Read up to @len bytes, waiting at most @timeout_ms in all.  Return the
 * bytes read (fewer at end of file), or -1 with errno set (ETIMEDOUT).
 */
static ssize_t read_timeout(int fd, void *buf, size_t len, int timeout_ms)
{
	long long end = now_ns() + timeout_ms * 1000000LL;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t done = 0;
	ssize_t n;
	int left;

	while (done < len) {
		left = (end - now_ns()) / 1000000;
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&p, 1, left);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/* The same bytes in the target's memory and in the copied file. */
static void fill_pattern(void *buf, size_t len, size_t offset)
{
	uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = ((offset / 8 + i) * 0x9e3779b97f4a7c15ULL) ^ 0xc0ffee;
}

static bool check_pattern(const void *buf, size_t len, size_t offset)
{
	const uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (p[i] != (((offset / 8 + i) * 0x9e3779b97f4a7c15ULL) ^ 0xc0ffee))
			return false;
	return true;
}

/*
 * Append to @why the first line of @log that holds @tag (any line if
 * NULL) and none of @skip, and copy the end of @log to stderr.
 */
static void log_reason(const char *log, const char *tag,
		       const char * const *skip, char *why)
{
	char line[512], *p;
	size_t len = strlen(why);
	bool found = false;
	long lines = 0, n = 0;
	FILE *f = fopen(log, "r");

	while (f && fgets(line, sizeof(line), f))
		lines++;
	if (f)
		rewind(f);
	fprintf(stderr, "%s: %s, the end of %s:\n", prog, why, log);
	while (f && fgets(line, sizeof(line), f)) {
		if (++n > lines - 30)
			fputs(line, stderr);
		line[strcspn(line, "\n")] = '\0';
		if (found || !line[0] || (tag && !strstr(line, tag)))
			continue;
		for (p = NULL; skip && *skip && !p; skip++)
			p = strstr(line, *skip);
		if (p)
			continue;
		found = true;
		/* keep the table a table */
		for (p = line; *p; p++)
			if (*p == '|' || *p == '`')
				*p = '/';
		snprintf(why + len, WHY_LEN - len, "%s%s", len ? ": " : "",
			 line);
	}
	if (f)
		fclose(f);
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

/* ---- the in-kernel engine: checkpoint(2) and restart(2) ---- */

static int ckpt_setup(void)
{
	int fd = open("/proc/sys/kernel/ckpt_subtree_allowed", O_WRONLY);

	if (fd < 0 || write(fd, "1\n", 2) != 2) {
		fprintf(stderr, "%s: cannot allow CHECKPOINT_SUBTREE (%s)\n",
			prog, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int ckpt_checkpoint(pid_t pid, const char *image, const char *log,
			   long long *ns, char *why)
{
	long long t0, t1;
	int fd, logfd, err;
	long ret;

	fd = open(image, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || logfd < 0)
		die(errno, "cannot create %s or %s", image, log);
	t0 = now_ns();
	ret = syscall(__NR_checkpoint, pid, fd, CHECKPOINT_SUBTREE, logfd);
	t1 = now_ns();
	err = errno;
	close(fd);
	close(logfd);
	if (ret < 0) {
		snprintf(why, WHY_LEN, "refused: %s", errname(err));
		return -1;
	}
	*ns = t1 - t0;
	return 0;
}

static void ckpt_restart(const char *image, const char *log,
			 void (*start)(void))
{
	int fd, logfd;

	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	start();
	fd = open(image, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || logfd < 0) {
		fprintf(stderr, "%s: cannot open %s or %s (%s)\n", prog, image,
			log, strerror(errno));
		return;
	}
	/* the target led its session: as tools/checkpoint/restart does */
	setsid();
	syscall(__NR_restart, 0, fd, RESTART_CONTINUE, logfd);
	dprintf(logfd, "restart(2) failed: %s\n", errname(errno));
}

static void ckpt_cleanup(const char *image)
{
	unlink(image);
}

/* ---- CRIU: criu dump and criu restore, the tool from the distribution ---- */

static const char *criu_path;

static int criu_setup(void)
{
	static const char * const paths[] = {
		"/usr/sbin/criu", "/sbin/criu", "/usr/bin/criu",
	};
	char *argv[] = { "criu", "check", NULL };
	pid_t pid;
	size_t i;
	int status;

	for (i = 0; i < ARRAY_SIZE(paths) && !criu_path; i++)
		if (!access(paths[i], X_OK))
			criu_path = paths[i];
	if (!criu_path) {
		fprintf(stderr, "%s: no criu binary in this guest\n", prog);
		return -1;
	}
	/* for the log only: criu check also complains about optional features */
	fprintf(stderr, "%s: %s check:\n", prog, criu_path);
	if (posix_spawn(&pid, criu_path, NULL, NULL, argv, environ) ||
	    waitpid(pid, &status, 0) != pid)
		return -1;
	fprintf(stderr, "%s: criu check exit status %d\n", prog,
		WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/* Remove the image directory @image and everything in it. */
static void criu_cleanup(const char *image)
{
	char path[512];
	struct dirent *d;
	DIR *dir = opendir(image);

	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", image, d->d_name);
		unlink(path);
	}
	if (dir)
		closedir(dir);
	rmdir(image);
}

static int criu_checkpoint(pid_t pid, const char *image, const char *log,
			   long long *ns, char *why)
{
	char spid[16];
	char *argv[] = {
		"criu", "dump", "-t", spid, "-D", (char *)image,
		"-o", (char *)log, NULL, NULL, NULL, NULL,
	};
	posix_spawn_file_actions_t fa;
	long long t0, t1;
	pid_t child;
	int status, err;

	snprintf(spid, sizeof(spid), "%d", pid);
	if (tcp_workload) {
		argv[8] = "--tcp-established";
		argv[9] = "--network-lock";
		argv[10] = "nftables";
	}
	criu_cleanup(image);
	if (mkdir(image, 0700))
		die(errno, "cannot create %s", image);
	unlink(log);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
					 O_WRONLY, 0);
	t0 = now_ns();
	err = posix_spawn(&child, criu_path, &fa, NULL, argv, environ);
	if (!err)
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	t1 = now_ns();
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		snprintf(why, WHY_LEN, "cannot run %s: %s", criu_path,
			 errname(err));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(why, WHY_LEN, "criu dump failed (status %#x)", status);
		return -1;
	}
	*ns = t1 - t0;
	return 0;
}

static void criu_restart(const char *image, const char *log,
			 void (*start)(void))
{
	char *argv[] = {
		"criu", "restore", "-D", (char *)image, "-d",
		"-o", (char *)log, NULL, NULL, NULL, NULL,
	};
	int null = open("/dev/null", O_RDWR);

	if (tcp_workload) {
		argv[7] = "--tcp-established";
		argv[8] = "--network-lock";
		argv[9] = "nftables";
	}
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(null, STDOUT_FILENO) < 0)
		return;
	unlink(log);
	start();
	execv(criu_path, argv);
	fprintf(stderr, "%s: cannot run %s (%s)\n", prog, criu_path,
		strerror(errno));
}

/* The bytes of all the image files of @image. */
static long long criu_image_size(const char *image)
{
	char path[512];
	struct dirent *d;
	long long sum = 0, n;
	DIR *dir = opendir(image);

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", image, d->d_name);
		n = file_size(path);
		if (n > 0)
			sum += n;
	}
	closedir(dir);
	return sum;
}

/* criu's messages about a helper's exit status, and its final verdict */
static const char * const criu_error_skip[] = {
	"criu/util.c:", "FAILED", NULL,
};

static const struct engine engines[] = {
	{
		.name = "ckpt",
		.label = "ours",
		.desc = "in-kernel checkpoint(2)/restart(2)",
		.stop = true,
		.setup = ckpt_setup,
		.checkpoint = ckpt_checkpoint,
		.restart = ckpt_restart,
		.image_size = file_size,
		.cleanup = ckpt_cleanup,
	},
	{
		.name = "criu",
		.label = "CRIU",
		.desc = "criu dump / criu restore -d",
		.detached = true,
		.error_tag = "Error",
		.error_skip = criu_error_skip,
		.setup = criu_setup,
		.checkpoint = criu_checkpoint,
		.restart = criu_restart,
		.image_size = criu_image_size,
		.cleanup = criu_cleanup,
	},
};

/* ---- the target ---- */

/* what a target built, to check it after a restart */
struct target_state {
	char *mem;
	char *reserved;
	char *vma_base;
	int file_fd[MAX_FILES];
	ino_t file_ino[MAX_FILES];
	int pipe_fd[MAX_PIPES][2];
	pid_t child[MAX_CHILDREN];
	int listen_fd;
	struct sockaddr_in addr;
	int epoll_fd;
	int conn_fd[MAX_CONNS][2];	/* client end, server end */
};

static void file_path(char *buf, size_t len, int i)
{
	snprintf(buf, len, "%s/f%03d", files_dir, i);
}

static off_t file_offset(int i)
{
	return (i * 97) % FILE_SIZE;
}

/*
 * Unmap the MAP_SHARED mappings inherited from the benchmark: they
 * are not part of the workload.  The benchmark makes none itself, but a
 * libc might.
 */
static void drop_shared_mappings(void)
{
	static char buf[65536];
	unsigned long start[64], end[64];
	int fd, nr = 0, i;
	ssize_t n, len = 0;
	char *line, *next;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	for (line = buf; *line && nr < (int)ARRAY_SIZE(start); line = next) {
		char perms[5];

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (sscanf(line, "%lx-%lx %4s", &start[nr], &end[nr],
			   perms) == 3 && perms[3] == 's')
			nr++;
	}
	for (i = 0; i < nr; i++)
		munmap((void *)start[i], end[i] - start[i]);
}

/*
 * The listening socket, the connections of @w and their epoll set, with
 * @w->conn_bytes written each way on every connection (the bytes the
 * client end i writes are pattern bytes from offset 2 * i * conn_bytes,
 * those the server end writes from (2 * i + 1) * conn_bytes); _exit()
 * on failure.
 */
static void build_conns(const struct workload *w, struct target_state *s)
{
	struct epoll_event ev = { .events = EPOLLIN };
	socklen_t len = sizeof(s->addr);
	char *buf = malloc(w->conn_bytes);
	int i, k, one = 1;

	s->addr.sin_family = AF_INET;
	s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	s->epoll_fd = epoll_create1(0);
	if (!buf || s->listen_fd < 0 || s->epoll_fd < 0 ||
	    setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
		       sizeof(one)) ||
	    bind(s->listen_fd, (struct sockaddr *)&s->addr, len) ||
	    getsockname(s->listen_fd, (struct sockaddr *)&s->addr, &len) ||
	    listen(s->listen_fd, w->conns))
		_exit(18);
	ev.data.fd = s->listen_fd;
	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->listen_fd, &ev))
		_exit(18);
	for (i = 0; i < w->conns; i++) {
		s->conn_fd[i][0] = socket(AF_INET, SOCK_STREAM, 0);
		if (s->conn_fd[i][0] < 0 ||
		    connect(s->conn_fd[i][0], (struct sockaddr *)&s->addr,
			    sizeof(s->addr)))
			_exit(19);
		s->conn_fd[i][1] = accept(s->listen_fd, NULL, NULL);
		ev.data.fd = s->conn_fd[i][1];
		if (s->conn_fd[i][1] < 0 ||
		    epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->conn_fd[i][1],
			      &ev))
			_exit(19);
		for (k = 0; k < 2; k++) {
			fill_pattern(buf, w->conn_bytes,
				     (2 * i + k) * w->conn_bytes);
			if (write_full(s->conn_fd[i][k], buf, w->conn_bytes))
				_exit(20);
		}
	}
	free(buf);
}

/*
 * Check the connections of @w after a restart: every byte in flight
 * arrives at the other end, in order, every server end is ready in the
 * epoll set and the listening socket takes a new connection.
 */
static const char *check_conns(const struct workload *w,
			       struct target_state *s)
{
	struct epoll_event ev[MAX_CONNS + 1];
	char *buf = malloc(w->conn_bytes);
	int i, k, c, a, n, ready;
	long long end;

	if (!buf)
		return "no-memory";
	/* every server end becomes ready once its bytes are there again */
	end = now_ns() + 10000 * 1000000LL;
	do {
		n = epoll_wait(s->epoll_fd, ev, MAX_CONNS + 1, 100);
		for (i = 0, ready = 0; i < n; i++)
			ready += ev[i].data.fd != s->listen_fd;
	} while (ready < w->conns && now_ns() < end);
	if (ready != w->conns) {
		free(buf);
		return "epoll-events-lost";
	}
	for (i = 0; i < w->conns; i++) {
		for (k = 0; k < 2; k++) {
			/* the bytes of end k arrive at end !k */
			if (read_timeout(s->conn_fd[i][!k], buf, w->conn_bytes,
					 10000) != (ssize_t)w->conn_bytes ||
			    !check_pattern(buf, w->conn_bytes,
					   (2 * i + k) * w->conn_bytes)) {
				free(buf);
				return "connection-data-differs";
			}
		}
	}
	free(buf);
	/* drained now: the epoll set must have reported every server end */
	for (i = 0; i < w->conns; i++)
		if (ioctl(s->conn_fd[i][1], FIONREAD, &n) || n)
			return "connection-data-extra";
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&s->addr, sizeof(s->addr)))
		return "listener-lost";
	n = epoll_wait(s->epoll_fd, ev, MAX_CONNS + 1, 10000);
	for (i = 0, ready = 0; i < n; i++)
		ready += ev[i].data.fd == s->listen_fd;
	a = accept(s->listen_fd, NULL, NULL);
	if (a < 0 || !ready)
		return "listener-lost";
	close(a);
	close(c);
	return "ok";
}

/* Build the state of @w in @s; _exit() on failure. */
static void build_state(const struct workload *w, struct target_state *s)
{
	long page = sysconf(_SC_PAGESIZE);
	char path[512], *buf;
	struct stat st;
	int i;

	if (w->dirty) {
		s->mem = mmap(NULL, w->dirty, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (s->mem == MAP_FAILED)
			_exit(10);
		fill_pattern(s->mem, w->dirty, 0);
	}
	if (w->reserve) {
		s->reserved = mmap(NULL, w->reserve, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				   -1, 0);
		if (s->reserved == MAP_FAILED)
			_exit(16);
	}
	if (w->vmas) {
		/* every other page unmapped: no two mappings merge */
		s->vma_base = mmap(NULL, 2 * w->vmas * page,
				   PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (s->vma_base == MAP_FAILED)
			_exit(11);
		for (i = 0; i < w->vmas; i++) {
			fill_pattern(s->vma_base + 2L * i * page, page,
				     2L * i * page);
			if (munmap(s->vma_base + (2L * i + 1) * page, page))
				_exit(12);
		}
	}
	for (i = 0; i < w->files; i++) {
		file_path(path, sizeof(path), i);
		s->file_fd[i] = open(path, O_RDWR);
		if (s->file_fd[i] < 0 || fstat(s->file_fd[i], &st) ||
		    lseek(s->file_fd[i], file_offset(i), SEEK_SET) < 0)
			_exit(13);
		s->file_ino[i] = st.st_ino;
	}
	buf = w->pipe_bytes ? malloc(w->pipe_bytes) : NULL;
	for (i = 0; i < w->pipes; i++) {
		if (!buf || pipe(s->pipe_fd[i]))
			_exit(14);
		fill_pattern(buf, w->pipe_bytes, i * w->pipe_bytes);
		if (write_full(s->pipe_fd[i][1], buf, w->pipe_bytes))
			_exit(15);
	}
	free(buf);
	if (w->conns)
		build_conns(w, s);
}

/* The threads of the calling process, from /proc/self/task */
static int count_threads(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *d;
	int n = 0;

	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* Whether any page of [@addr, @addr + @len) is resident. */
static bool resident(char *addr, size_t len)
{
	static unsigned char vec[4096];
	long page = sysconf(_SC_PAGESIZE);
	size_t off, step = sizeof(vec) * page, i, n;

	/* the holes of a reservation have no page tables: fast enough */
	for (off = 0; off < len; off += step) {
		n = (len - off < step ? len - off : step) / page;
		if (mincore(addr + off, n * page, vec))
			return true;
		for (i = 0; i < n; i++)
			if (vec[i] & 1)
				return true;
	}
	return false;
}

/* Check the state of @w in @s after a restart: "ok" or what is wrong. */
static const char *check_state(const struct workload *w,
			       struct target_state *s)
{
	long page = sysconf(_SC_PAGESIZE);
	struct stat st, st1;
	int i, n;

	if (w->dirty && !check_pattern(s->mem, w->dirty, 0))
		return "memory-differs";
	/* all of it still mapped, nothing resident */
	if (w->reserve && (mprotect(s->reserved, w->reserve, PROT_NONE) ||
			   resident(s->reserved, w->reserve)))
		return "reservation-lost";
	for (i = 0; i < w->vmas; i++)
		if (!check_pattern(s->vma_base + 2L * i * page, page,
				   2L * i * page))
			return "vma-memory-differs";
	for (i = 0; i < w->files; i++) {
		if (fstat(s->file_fd[i], &st) || !S_ISREG(st.st_mode) ||
		    st.st_ino != s->file_ino[i])
			return "file-fd-lost";
		if (lseek(s->file_fd[i], 0, SEEK_CUR) != file_offset(i))
			return "file-offset-differs";
	}
	for (i = 0; i < w->pipes; i++) {
		if (fstat(s->pipe_fd[i][0], &st) ||
		    fstat(s->pipe_fd[i][1], &st1) ||
		    !S_ISFIFO(st.st_mode) || st.st_ino != st1.st_ino)
			return "pipe-fd-lost";
		if (ioctl(s->pipe_fd[i][0], FIONREAD, &n) ||
		    n != (int)w->pipe_bytes)
			return "pipe-data-differs";
	}
	for (i = 0; i < w->children; i++) {
		siginfo_t si = { 0 };

		/* still its child, still alive */
		if (waitid(P_PID, s->child[i], &si,
			   WEXITED | WNOHANG | WNOWAIT) || si.si_pid)
			return "child-lost";
	}
	if (w->threads && count_threads() != w->threads + 1)
		return "thread-lost";
	if (w->conns)
		return check_conns(w, s);
	return "ok";
}

static void *thread_pause(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

/* Start the threads of @w, which pause; _exit() on failure. */
static void start_threads(const struct workload *w)
{
	pthread_t t;
	int i;

	for (i = 0; i < w->threads; i++)
		if (pthread_create(&t, NULL, thread_pause, NULL))
			_exit(17);
}

/* Fork the children of @w, which pause; _exit() on failure. */
static void fork_children(const struct workload *w, struct target_state *s,
			  int ready)
{
	int i;

	for (i = 0; i < w->children; i++) {
		s->child[i] = fork();
		if (s->child[i] < 0)
			_exit(16);
		if (!s->child[i]) {
			close(ready);
			for (;;)
				pause();
		}
	}
}

/*
 * Build the state of @w, say so on @ready, then sleep 0.2 ms at a time.
 * The target is checkpointed in nanosleep(); once restored, the sleep
 * returns (or is restarted and ends), and the FIFO, which has a reader
 * only then, takes the time, the pid and the verdict on the state.
 */
static void __attribute__((noreturn))
target(const struct workload *w, int ready)
{
	static struct target_state s;
	struct timespec tick = { 0, 200 * 1000 }, now, later, vnow;
	char line[128];
	int len, fd;

	/* nothing of the benchmark's: no stdio, own session */
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	close(STDERR_FILENO);
	setsid();
	drop_shared_mappings();
	build_state(w, &s);
	fork_children(w, &s, ready);
	start_threads(w);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	close(ready);
	for (;;) {
		nanosleep(&tick, NULL);
		/*
		 * The system call, not the vDSO: how an engine maps the vDSO
		 * data of the restored process must not change its clock.
		 * Again once the FIFO is open: a target saved between the
		 * first clock and the open() reports a first time from
		 * before the checkpoint, and the benchmark takes the second.
		 */
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now);
		fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &later);
		clock_gettime(CLOCK_MONOTONIC, &vnow);
		len = snprintf(line, sizeof(line),
			       "%d %lld.%09ld %lld.%09ld %lld.%09ld\n",
			       getpid(), (long long)now.tv_sec, now.tv_nsec,
			       (long long)later.tv_sec, later.tv_nsec,
			       (long long)vnow.tv_sec, vnow.tv_nsec);
		if (write(fd, line, len) < 0)
			_exit(2);
		len = snprintf(line, sizeof(line), "%s\n", check_state(w, &s));
		if (write(fd, line, len) < 0)
			_exit(2);
		close(fd);
		for (;;)
			pause();
	}
}

/* How many children of @ppid are there, and how many are stopped? */
static int children_stopped(pid_t ppid, int *stopped)
{
	char path[300], buf[512], *p, state;
	int n = 0, fd, ppid_of;
	struct dirent *d;
	ssize_t len;
	DIR *dir;

	*stopped = 0;
	dir = opendir("/proc");
	if (!dir)
		die(errno, "cannot read /proc");
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 2, "%c %d", &state, &ppid_of) != 2 ||
		    ppid_of != ppid)
			continue;
		n++;
		if (state == 'T')
			(*stopped)++;
	}
	closedir(dir);
	return n;
}

/*
 * Stop the target @pid of @w, a child of the benchmark, with its
 * children (its process group), and wait until all are stopped; return
 * how long that took, in nanoseconds.
 */
static long long stop_target(const struct workload *w, pid_t pid)
{
	long long t0 = now_ns(), end = t0 + STEP_TIMEOUT_MS * 1000000LL;
	int stopped;
	siginfo_t si;

	kill(w->children ? -pid : pid, SIGSTOP);
	/* WNOWAIT: the stop stays reportable, as for any stopped child */
	while (waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT)) {
		if (errno != EINTR)
			die(errno, "target %d did not stop", pid);
	}
	while (w->children &&
	       (children_stopped(pid, &stopped) != w->children ||
		stopped != w->children)) {
		if (now_ns() > end)
			die(0, "the children of target %d did not stop", pid);
		sched_yield();
	}
	return now_ns() - t0;
}

static void kill_wait(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * Kill the target @pid of @w and its children (its process group, which
 * restart keeps), and reap them all: the benchmark is their subreaper.
 */
static void kill_target(const struct workload *w, pid_t pid)
{
	if (w->children)
		kill(-pid, SIGKILL);
	kill_wait(pid);
	while (w->children && (waitpid(-1, NULL, 0) > 0 || errno == EINTR))
		;
}

/* ---- one repetition of a workload ---- */

/* fork(), as pid @pid if not 0 (clone3() with set_tid) */
static pid_t fork_as(pid_t pid)
{
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&pid,
		.set_tid_size = 1,
	};

	if (!pid)
		return fork();
	return syscall(SYS_clone3, &args, sizeof(args));
}

static int restart_tfd = -1;
/* when a detached restarter exited, or 0 */
static long long restarter_exit_ns;
/* the untimed restarts of a profile: nothing printed per restart */
static bool profiling_more;

/* In the restarter: hand t0 to the benchmark. */
static void restart_start(void)
{
	long long t0 = now_ns();

	if (write_full(restart_tfd, &t0, sizeof(t0)))
		_exit(1);
	close(restart_tfd);
}

/*
 * Wait for the report line of the restored target on @rfd, while
 * watching the restarter @rpid (and, since the benchmark is a child
 * subreaper, any restored process that dies).  Return 0 with the line
 * in @line, or -1 with the reason in @why; *@rpid is 0 once reaped.
 */
static int wait_report(const struct engine *e, int rfd, pid_t *rpid,
		       char *line, size_t len, char *why)
{
	long long end = now_ns() + STEP_TIMEOUT_MS * 1000000LL;
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	bool exited = false;
	size_t got = 0;
	int status;
	ssize_t n;
	pid_t r;

	while (now_ns() < end) {
		if (poll(&p, 1, 20) > 0 && (p.revents & POLLIN)) {
			n = read(rfd, line + got, len - 1 - got);
			if (n > 0) {
				got += n;
				line[got] = '\0';
				if (strchr(line, '\n'))
					return 0;
				continue;
			}
		}
		if (p.revents & POLLHUP)
			sleep_ms(1);
		if (exited)
			continue;
		r = waitpid(-1, &status, WNOHANG);
		if (r <= 0)
			continue;
		if (r != *rpid) {
			snprintf(why, WHY_LEN,
				 "restored process %d died (status %#x)", r,
				 status);
			return -1;
		}
		*rpid = 0;
		if (!e->detached || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			snprintf(why, WHY_LEN, "%s failed (status %#x)",
				 e->detached ? "restore" : "restart", status);
			return -1;
		}
		/* the restored process may take a moment to run */
		exited = true;
		restarter_exit_ns = now_ns();
		end = now_ns() + 30 * 1000 * 1000000LL;
	}
	snprintf(why, WHY_LEN, "no report from the restored target");
	return -1;
}

/*
 * Fork a target running @fn(@w, fd), which never returns and writes a
 * byte to fd once it is ready; its pid, once it is.
 */
static pid_t spawn_ready(void (*fn)(const struct workload *w, int ready),
			 const struct workload *w)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe2(ready, O_CLOEXEC))
		die(errno, "pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die(errno, "fork");
	if (!pid) {
		close(ready[0]);
		fn(w, ready[1]);
	}
	close(ready[1]);
	if (read_timeout(ready[0], &c, 1, STEP_TIMEOUT_MS) != 1)
		die(errno, "target %d did not get ready", pid);
	close(ready[0]);
	return pid;
}

/*
 * Checkpoint a fresh target of @w into @image with @e and restart it.
 * Append the times to @res; on failure record the reason in the series
 * that failed and return -1.
 */
/* ---- kernel profiles of ours restarting some workloads ---- */

/*
 * Booted with profile=N (scripts/qemu.sh does for bench), the kernel
 * counts in /proc/profile the timer ticks that hit its text, by address
 * (2^N bytes a counter).  Reset before each restart of a profiled
 * workload and summed after it, the counts show where restart(2) spends
 * its time: for the workload held against memcpy(), the time a memcpy()
 * does not spend.
 */
#define PROFILE_TOP	15

/* a profile summed over the restarts of one workload */
struct profile {
	int w;			/* workloads[] index */
	int extra;		/* untimed restarts added for enough ticks */
	unsigned int *sum;	/* sum[0]: the bytes a counter covers */
	size_t words;
	int runs;
};

/*
 * (a), the small program, (b), held against memcpy(), and (c), 1,000
 * mappings.  A restart of (a) takes a few ms, under one 4 ms tick of
 * HZ=250: its profile adds untimed restarts to the timed ones, enough to
 * count a few hundred ticks.
 */
static struct profile profiles[] = {
	{ .w = 0, .extra = 500 }, { .w = 1 }, { .w = 2 },
};

static struct profile *profile_of(const struct workload *w)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(profiles); i++)
		if (&workloads[profiles[i].w] == w)
			return &profiles[i];
	return NULL;
}

static void profile_reset(void)
{
	int fd = open("/proc/profile", O_WRONLY | O_CLOEXEC);

	/* any write but a 4-byte multiplier clears the counters */
	if (fd >= 0 && write(fd, "0\n", 2) != 2)
		die(errno, "cannot reset /proc/profile");
	if (fd >= 0)
		close(fd);
}

/*
 * Memory of the benchmark's own that the targets, forked from it, do not
 * get: it would be in every image.
 */
static void *own_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || madvise(p, len, MADV_DONTFORK))
		die(errno, "cannot map %zu bytes", len);
	return p;
}

static void profile_add(struct profile *p)
{
	int fd = open("/proc/profile", O_RDONLY | O_CLOEXEC);
	unsigned int *buf;
	struct stat st;
	size_t i, n;

	if (fd < 0)
		return;
	if (fstat(fd, &st) || st.st_size < 8)
		die(errno, "cannot size /proc/profile");
	n = st.st_size / sizeof(*buf);
	buf = own_alloc(n * sizeof(*buf));
	if (read(fd, buf, n * sizeof(*buf)) != (ssize_t)(n * sizeof(*buf)))
		die(errno, "cannot read /proc/profile");
	close(fd);
	if (!p->sum) {
		p->sum = own_alloc(n * sizeof(*p->sum));
		p->words = n;
		p->sum[0] = buf[0];
	}
	for (i = 1; i < n && i < p->words; i++)
		p->sum[i] += buf[i];
	munmap(buf, n * sizeof(*buf));
	p->runs++;
}

struct ksym {
	unsigned long addr;
	char name[64];
	unsigned long ticks;
};

static int cmp_ksym_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_ksym_ticks(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->ticks < y->ticks ? 1 : x->ticks > y->ticks ? -1 : 0;
}

/* The profile summed by profile_add(), by function, the idle loop aside */
static void profile_print(const struct profile *p)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	unsigned long addr, stext = 0, total = 0, idle = 0;
	struct ksym *syms = NULL;
	size_t n = 0, cap = 0, i, lo, hi;
	char type, name[256];

	if (!p->sum || !f) {
		if (f)
			fclose(f);
		return;
	}
	while (fscanf(f, "%lx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		if (!strcmp(name, "_stext"))
			stext = addr;
		if (type != 't' && type != 'T')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			syms = realloc(syms, cap * sizeof(*syms));
			if (!syms)
				die(errno, "out of memory");
		}
		syms[n].addr = addr;
		syms[n].ticks = 0;
		snprintf(syms[n++].name, sizeof(syms->name), "%.*s",
			 (int)sizeof(syms->name) - 1, name);
	}
	fclose(f);
	if (!stext || !n || !syms[0].addr) {
		printf("\n(No kernel profile: /proc/kallsyms shows no addresses.)\n");
		free(syms);
		return;
	}
	qsort(syms, n, sizeof(*syms), cmp_ksym_addr);
	for (i = 1; i < p->words; i++) {
		if (!p->sum[i])
			continue;
		addr = stext + (i - 1) * (unsigned long)p->sum[0];
		lo = 0;
		hi = n;
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;

			if (syms[mid].addr <= addr)
				lo = mid;
			else
				hi = mid;
		}
		/* the idle loop, and the reset of the profile itself */
		if (strstr(syms[lo].name, "idle") ||
		    strstr(syms[lo].name, "safe_halt") ||
		    !strcmp(syms[lo].name, "write_profile")) {
			idle += p->sum[i];
			continue;
		}
		syms[lo].ticks += p->sum[i];
		total += p->sum[i];
	}
	qsort(syms, n, sizeof(*syms), cmp_ksym_ticks);
	printf("\nKernel profile of ours restarting %s (%d restarts; timer ticks that hit the kernel, on either CPU, the %lu of the idle loop and of resetting the profile aside): %lu ticks, the functions with the most:\n\n",
	       workloads[p->w].name, p->runs, idle, total);
	printf("| function | ticks | share |\n|---|---:|---:|\n");
	for (i = 0; i < PROFILE_TOP && i < n && syms[i].ticks; i++)
		printf("| %s | %lu | %.1f%% |\n", syms[i].name, syms[i].ticks,
		       100.0 * syms[i].ticks / total);
	free(syms);
}

/*
 * Restart the target @pid saved in @image, time it into @res and check
 * its report; with @profile, its kernel profile is added up too.
 */
static int restart_once(const struct engine *e, const struct workload *w,
			pid_t pid, const char *image, const char *log,
			struct result *res, struct profile *profile)
{
	int tp[2], rfd, ret = -1;
	char line[128], verdict[64];
	long long t0, t1, t2, sec, nsec, lsec, lnsec, vsec, vnsec;
	pid_t rpid, tpid;
	ssize_t n;

	rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (rfd < 0 || pipe2(tp, O_CLOEXEC))
		die(errno, "cannot open %s", fifo);
	/*
	 * restart(2) rebuilds a tree (threads too) in a restarter that has
	 * the root's pid; a detached engine creates the root itself, under
	 * that pid
	 */
	if (profile)
		profile_reset();
	rpid = fork_as((w->children || w->threads) && !e->detached ? pid : 0);
	if (rpid < 0)
		die(errno, "fork");
	if (!rpid) {
		close(rfd);
		close(tp[0]);
		restart_tfd = tp[1];
		e->restart(image, log, restart_start);
		_exit(1);
	}
	close(tp[1]);
	n = read_timeout(tp[0], &t0, sizeof(t0), STEP_TIMEOUT_MS);
	close(tp[0]);
	if (n != sizeof(t0)) {
		snprintf(res->rst.why, WHY_LEN, "the restarter failed");
		goto out;
	}
	restarter_exit_ns = 0;
	if (wait_report(e, rfd, &rpid, line, sizeof(line), res->rst.why)) {
		log_reason(log, e->error_tag, e->error_skip, res->rst.why);
		goto out;
	}
	t2 = now_ns();
	if (profile)
		profile_add(profile);
	/* the second line: the verdict of the target on its own state */
	n = strlen(line);
	while (!strchr(strchr(line, '\n') + 1, '\n') &&
	       n < (ssize_t)sizeof(line) - 1) {
		if (read_timeout(rfd, line + n, 1, STEP_TIMEOUT_MS) != 1)
			break;
		line[++n] = '\0';
	}
	if (sscanf(line, "%d %lld.%lld %lld.%lld %lld.%lld %63s", &tpid,
		   &sec, &nsec, &lsec, &lnsec, &vsec, &vnsec, verdict) != 8) {
		snprintf(res->rst.why, WHY_LEN, "bad report from the target");
		goto out;
	}
	kill(tpid, SIGKILL);
	if (rpid)
		kill_wait(rpid);
	if (tpid != rpid)
		kill_target(w, tpid);
	rpid = 0;
	if (strcmp(verdict, "ok")) {
		snprintf(res->rst.why, WHY_LEN, "restored, but %s", verdict);
		goto out;
	}
	t1 = sec * 1000000000LL + nsec;
	/* taken before the checkpoint: the time after open() is the one */
	if (t1 < t0)
		t1 = lsec * 1000000000LL + lnsec;
	/* a cross-check of the clock the target read: t0 <= t1 <= t2 */
	if (!profiling_more)
		fprintf(stderr, "%s: %s restart: target resumed at +%.1f ms (its vDSO clock, after open(): +%.1f ms), its report read at +%.1f ms%s",
			prog, e->name, (t1 - t0) / 1e6,
			(vsec * 1000000000LL + vnsec - t0) / 1e6,
			(t2 - t0) / 1e6, restarter_exit_ns ? "" : "\n");
	if (!profiling_more && restarter_exit_ns)
		fprintf(stderr, ", restarter exited at +%.1f ms\n",
			(restarter_exit_ns - t0) / 1e6);
	if (t1 < t0 || t1 > t2) {
		snprintf(res->rst.why, WHY_LEN,
			 "clock skew: the target resumed outside the restart");
		goto out;
	}
	res->rst.ms[res->rst.n++] = (t1 - t0) / 1e6;
	ret = 0;
out:
	close(rfd);
	if (rpid)
		kill_wait(rpid);
	/* whatever a failed restore left behind, children included */
	if (w->children)
		kill(-pid, SIGKILL);
	while (waitpid(-1, NULL, w->children ? 0 : WNOHANG) > 0 ||
	       (w->children && errno == EINTR))
		;
	return ret;
}

/*
 * The untimed restarts a workload's profile asks for, of one image: the
 * profile is reset before the first and read after the last, so that its
 * own reading (a copy of all of /proc/profile) weighs little against
 * restarts shorter than a tick, and nothing is printed on the console
 * meanwhile.  What is counted between two restarts is the kill of the
 * restored target and the fork of the next restarter.
 */
static void profile_more(const struct engine *e, const struct workload *w,
			 pid_t pid, const char *image, const char *log)
{
	struct profile *p = profile_of(w);
	static struct result scratch;
	int r;

	profiling_more = true;
	profile_reset();
	for (r = 0; r < p->extra; r++) {
		memset(&scratch, 0, sizeof(scratch));
		if (restart_once(e, w, pid, image, log, &scratch, NULL))
			break;
	}
	profile_add(p);
	profiling_more = false;
	p->runs += r - 1;
	fprintf(stderr, "%s: %s %s: %d more restarts for its profile\n",
		prog, e->name, w->name, r);
}

/*
 * One repetition: checkpoint a new target, then restart it; the last one
 * (@last) of ours also makes the extra restarts of its profile.
 */
static int run_once(const struct engine *e, const struct workload *w,
		    const char *image, const char *log, struct result *res,
		    bool last)
{
	struct profile *profile = e == &engines[0] ? profile_of(w) : NULL;
	long long ns, stop_ns;
	pid_t pid;
	int ret;

	e->cleanup(image);
	tcp_workload = w->conns > 0;
	pid = spawn_ready(target, w);

	stop_ns = e->stop ? stop_target(w, pid) : 0;
	if (e->checkpoint(pid, image, log, &ns, res->ckpt.why)) {
		log_reason(log, e->error_tag, e->error_skip, res->ckpt.why);
		kill_target(w, pid);
		e->cleanup(image);
		return -1;
	}
	/* the engine that needs a stopped target pays for stopping it */
	res->ckpt.ms[res->ckpt.n++] = (stop_ns + ns) / 1e6;
	res->size = e->image_size(image);
	kill_target(w, pid);

	ret = restart_once(e, w, pid, image, log, res, profile);
	if (!ret && last && profile && profile->extra)
		profile_more(e, w, pid, image, log);
	e->cleanup(image);
	return ret;
}

/* ---- the regular files of the workloads, and the copy lower bound ---- */

static void make_files(int n)
{
	char path[512], *buf = malloc(FILE_SIZE);
	int i, fd;

	if (!buf || (mkdir(files_dir, 0700) && errno != EEXIST))
		die(errno, "cannot create %s", files_dir);
	for (i = 0; i < n; i++) {
		file_path(path, sizeof(path), i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		fill_pattern(buf, FILE_SIZE, i * FILE_SIZE);
		if (fd < 0 || write_full(fd, buf, FILE_SIZE))
			die(errno, "cannot write %s", path);
		close(fd);
	}
	free(buf);
}

static void remove_files(int n)
{
	char path[512];
	int i;

	for (i = 0; i < n; i++) {
		file_path(path, sizeof(path), i);
		unlink(path);
	}
	rmdir(files_dir);
}

static void make_source(const char *src, size_t bytes)
{
	char *buf = malloc(COPY_BUF);
	size_t off;
	int fd;

	fd = open(src, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!buf || fd < 0)
		die(errno, "cannot create %s", src);
	for (off = 0; off < bytes; off += COPY_BUF) {
		fill_pattern(buf, COPY_BUF, off);
		if (write_full(fd, buf, COPY_BUF))
			die(errno, "cannot write %s", src);
	}
	close(fd);
	free(buf);
}

/* One memcpy() of @bytes between two buffers whose pages are in place. */
static double memcpy_once(size_t bytes)
{
	char *src, *dst;
	long long t0, t1;

	src = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		die(errno, "cannot map 2 x %zu bytes", bytes);
	fill_pattern(src, bytes, 0);
	memset(dst, 0, bytes);
	t0 = now_ns();
	memcpy(dst, src, bytes);
	t1 = now_ns();
	if (memcmp(dst, src, 4096))
		die(0, "memcpy went wrong");
	munmap(src, bytes);
	munmap(dst, bytes);
	return (t1 - t0) / 1e6;
}

/*
 * One read() of @src, @bytes long, into a buffer whose pages are in
 * place: the kernel's own copy of a file's bytes, restart's lower bound
 * under the memcpy() one (the kernel copies with other instructions than
 * the C library, which an emulated CPU runs at other speeds).
 */
static double read_once(const char *src, size_t bytes)
{
	long long t0, t1;
	size_t done = 0;
	ssize_t n;
	char *buf;
	int in;

	buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (buf == MAP_FAILED || in < 0)
		die(errno, "cannot map %zu bytes or open %s", bytes, src);
	memset(buf, 0, bytes);
	t0 = now_ns();
	while (done < bytes) {
		n = read(in, buf + done, bytes - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die(errno, "cannot read %s", src);
		done += n;
	}
	t1 = now_ns();
	if (!check_pattern(buf, 4096, 0))
		die(0, "read went wrong");
	close(in);
	munmap(buf, bytes);
	return (t1 - t0) / 1e6;
}

static double copy_once(const char *src, const char *dst)
{
	char *buf = malloc(COPY_BUF);
	long long t0, t1;
	int in, out;
	ssize_t n;

	unlink(dst);
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!buf || in < 0 || out < 0)
		die(errno, "cannot open %s or %s", src, dst);
	memset(buf, 0, COPY_BUF);
	t0 = now_ns();
	while ((n = read(in, buf, COPY_BUF)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write_full(out, buf, n))
			die(errno, "cannot copy %s to %s", src, dst);
	}
	t1 = now_ns();
	close(in);
	close(out);
	free(buf);
	unlink(dst);
	return (t1 - t0) / 1e6;
}

/* ---- results ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sort the series and return its median. */
static double median(struct series *s)
{
	qsort(s->ms, s->n, sizeof(s->ms[0]), cmp_double);
	if (s->n % 2)
		return s->ms[s->n / 2];
	return (s->ms[s->n / 2 - 1] + s->ms[s->n / 2]) / 2;
}

static bool complete(const struct series *s, int reps)
{
	return !s->why[0] && s->n == reps;
}

/* "median (min-max)", or why there is no time */
static void cell(char *buf, size_t len, struct series *s, int reps)
{
	if (complete(s, reps)) {
		double med = median(s);

		snprintf(buf, len, "%.1f (%.1f-%.1f)", med, s->ms[0],
			 s->ms[s->n - 1]);
	} else if (s->why[0]) {
		snprintf(buf, len, "%s", s->why);
	} else {
		snprintf(buf, len, "not run");
	}
}

/* The first "model name" of /proc/cpuinfo, and whether QEMU TCG runs it. */
static void print_cpu(void)
{
	char line[256], model[256] = "?", *p;
	bool hypervisor = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10) && model[0] == '?') {
			p = strchr(line, ':');
			if (p) {
				snprintf(model, sizeof(model), "%s", p + 2);
				model[strcspn(model, "\n")] = '\0';
			}
		}
		if (!strncmp(line, "flags", 5) && strstr(line, " hypervisor"))
			hypervisor = true;
	}
	if (f)
		fclose(f);
	printf("- guest CPU: %s (%ld online)\n", model,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("- accelerator: %s\n",
	       strstr(model, "TCG") ? "QEMU TCG (emulated)" :
	       hypervisor ? "virtualized, not TCG (KVM?)" : "bare metal?");
}

/*
 * speed-up goals of ours over CRIU, per workload and direction (@op: 0
 * checkpoint, 1 restart): restart of many VMAs has its own
 */
static double goal(const struct workload *w, int op)
{
	if (op && w->vmas)
		return 3;
	return w->dirty || w->pipes || w->conns ? 1.5 : 10;
}

/* ---- pre-copy: the time a tree is frozen, with and without passes ---- */

#define PRECOPY_MEM	(512 * MIB)
/* the writer dirties this many bytes a second, a page at a time */
#define WRITER_RATE	(4 * MIB)
#define WRITER_TICK_MS	10
#define PRECOPY_PASSES	8
#define PRECOPY_SMALL	(256 * KIB)

/* the time the tree was frozen, plain and with pre-copy passes */
static struct series frozen_plain, frozen_iter;
static int precopy_passes;
static long long precopy_frozen_bytes;

static void *writer_thread(void *arg)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t per_tick = WRITER_RATE / page * WRITER_TICK_MS / 1000, i, at = 0;
	struct timespec tick = { 0, WRITER_TICK_MS * 1000000L };
	char *mem = arg;
	unsigned char n = 0;

	for (;;) {
		for (i = 0; i < per_tick; i++) {
			mem[at] = ++n;
			at = (at + 7 * page) % PRECOPY_MEM;
		}
		nanosleep(&tick, NULL);
	}
	return NULL;
}

/* 512 MiB written once, then a thread writing 4 MiB/s into it */
static void __attribute__((noreturn))
writer_target(const struct workload *w, int ready)
{
	pthread_t t;
	char *mem;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	mem = mmap(NULL, PRECOPY_MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		_exit(10);
	fill_pattern(mem, PRECOPY_MEM, 0);
	if (pthread_create(&t, NULL, writer_thread, mem))
		_exit(11);
	if (write(ready, "r", 1) != 1)
		_exit(12);
	for (;;)
		pause();
}

static pid_t start_writer(void)
{
	pid_t pid = spawn_ready(writer_target, NULL);

	/* let the writer run a while */
	usleep(300 * 1000);
	return pid;
}

/*
 * One checkpoint of the writer into @image: with @iterate, pre-copy
 * passes while it runs (as checkpoint --iterate does), then the image
 * proper.  Returns the ms it was frozen: stopped, saved and continued.
 */
static double frozen_once(const char *image, const char *log, bool iterate,
			  bool restart)
{
	unsigned long flags = CHECKPOINT_SUBTREE, base = CHECKPOINT_SUBTREE;
	long long t0, t1, last = -1, pos = 0, bytes;
	int fd, logfd, pass;
	siginfo_t si;
	pid_t pid, r;

	pid = start_writer();
	fd = open(image, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || logfd < 0)
		die(errno, "cannot create %s or %s", image, log);
	for (pass = 0; iterate && pass < PRECOPY_PASSES; pass++) {
		if (syscall(__NR_checkpoint, pid, fd, base | CHECKPOINT_PRECOPY |
			    (pass ? CHECKPOINT_AFTER_PRECOPY : 0), logfd) < 0)
			die(errno, "pre-copy pass %d (see %s)", pass + 1, log);
		bytes = lseek(fd, 0, SEEK_CUR) - pos;
		pos += bytes;
		precopy_passes = pass + 1;
		if (bytes <= (long long)PRECOPY_SMALL ||
		    (last >= 0 && bytes >= last))
			break;
		last = bytes;
	}
	if (iterate)
		flags |= CHECKPOINT_AFTER_PRECOPY;
	t0 = now_ns();
	kill(pid, SIGSTOP);
	while (waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT))
		if (errno != EINTR)
			die(errno, "writer %d did not stop", pid);
	if (syscall(__NR_checkpoint, pid, fd, flags, logfd) < 0)
		die(errno, "checkpoint of the writer (see %s)", log);
	kill(pid, SIGCONT);
	t1 = now_ns();
	if (iterate)
		precopy_frozen_bytes = lseek(fd, 0, SEEK_CUR) - pos;
	close(fd);
	close(logfd);
	kill_wait(pid);
	if (restart) {
		/* the stream restarts: passes then image proper, read once */
		r = fork_as(pid);
		if (r < 0)
			die(errno, "fork");
		if (!r) {
			fd = open(image, O_RDONLY | O_CLOEXEC);
			logfd = open(log, O_WRONLY | O_TRUNC | O_CLOEXEC);
			setsid();
			syscall(__NR_restart, 0, fd, RESTART_CONTINUE, logfd);
			_exit(1);
		}
		usleep(500 * 1000);
		if (waitpid(r, NULL, WNOHANG))
			die(0, "the pre-copied writer did not restart (see %s)",
			    log);
		kill_wait(r);
	}
	unlink(image);
	return (t1 - t0) / 1e6;
}

static void measure_frozen(const char *dir, int reps)
{
	char image[256], log[256];
	int r;

	snprintf(image, sizeof(image), "%s/ckpt-bench.frozen.img", dir);
	snprintf(log, sizeof(log), "%s/ckpt-bench.frozen.log", dir);
	for (r = 0; r < reps; r++) {
		frozen_plain.ms[frozen_plain.n++] =
			frozen_once(image, log, false, false);
		frozen_iter.ms[frozen_iter.n++] =
			frozen_once(image, log, true, !r);
		fprintf(stderr, "%s: frozen %d/%d: plain %.1f ms, pre-copy %.1f ms (%d passes, %lld bytes frozen)\n",
			prog, r + 1, reps, frozen_plain.ms[r],
			frozen_iter.ms[r], precopy_passes,
			precopy_frozen_bytes);
	}
	unlink(log);
}

static void print_results(const struct engine **sel, int nsel,
			  struct result res[][ARRAY_SIZE(engines)],
			  struct series *copy, struct series *mcopy,
			  struct series *rcopy,
			  size_t copy_bytes, int reps, const char *dir)
{
	static const char * const ops[] = { "checkpoint/dump", "restart/restore" };
	char a[WHY_LEN + 64], b[WHY_LEN + 64], ratio[64], tocopy[64];
	double copy_med = median(copy), mcopy_med = median(mcopy), m[2];
	struct series *s[2];
	struct utsname u;
	size_t i;
	int k, op;

	uname(&u);
	printf("%s\n", BEGIN_MARK);
	for (k = 0; k < nsel; k++)
		printf("- engine %s: %s (%s)\n", sel[k]->label, sel[k]->name,
		       sel[k]->desc);
	printf("- guest kernel: %s %s\n", u.release, u.version);
	print_cpu();
	printf("- repetitions: %d; images, copies and files in %s\n", reps,
	       dir);
	printf("\n");
	printf("Times in ms: median (min-max) of %d runs.  %s/%s is how many\n"
	       "times faster %s is; \"vs copy\" divides by the copy of the same\n"
	       "bytes.\n\n", reps, sel[nsel - 1]->label, sel[0]->label,
	       sel[0]->label);
	printf("| workload | op | %s ms | %s ms | %s/%s | goal | %s vs copy | %s vs copy |\n",
	       sel[0]->label, nsel > 1 ? sel[1]->label : "-",
	       nsel > 1 ? sel[1]->label : "-", sel[0]->label,
	       sel[0]->label, nsel > 1 ? sel[1]->label : "-");
	printf("|---|---|---:|---:|---:|---|---:|---:|\n");
	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		for (op = 0; op < 2; op++) {
			bool ok[2] = { false, false };
			char g[32] = "-", c2[64] = "-";

			for (k = 0; k < 2; k++) {
				s[k] = k < nsel ? (op ? &res[i][k].rst :
					&res[i][k].ckpt) : NULL;
				ok[k] = s[k] && complete(s[k], reps);
				m[k] = ok[k] ? median(s[k]) : 0;
			}
			cell(a, sizeof(a), s[0], reps);
			if (s[1])
				cell(b, sizeof(b), s[1], reps);
			else
				snprintf(b, sizeof(b), "-");
			snprintf(ratio, sizeof(ratio), "-");
			if (ok[0] && ok[1] && m[0] > 0) {
				/* rounded down: 9.97x is not 10x */
				snprintf(ratio, sizeof(ratio), "%.1fx",
					 (long long)(m[1] / m[0] * 10) / 10.0);
				snprintf(g, sizeof(g), "%gx: %s",
					 goal(&workloads[i], op),
					 m[1] / m[0] >= goal(&workloads[i], op) ?
					 "met" : "missed");
			}
			snprintf(tocopy, sizeof(tocopy), "-");
			if (workloads[i].dirty == copy_bytes) {
				if (ok[0])
					snprintf(tocopy, sizeof(tocopy),
						 "%.2f", m[0] / copy_med);
				if (ok[1])
					snprintf(c2, sizeof(c2), "%.2f",
						 m[1] / copy_med);
			}
			printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n",
			       op ? "" : workloads[i].name, ops[op], a, b,
			       ratio, g, tocopy, c2);
		}
	}
	printf("| copy %zu MiB tmpfs to tmpfs | read+write, 1 MiB buffer | %.1f (%.1f-%.1f) | | | | 1.00 | |\n",
	       copy_bytes / MIB, copy_med, copy->ms[0],
	       copy->ms[copy->n - 1]);
	printf("| memcpy %zu MiB in memory | one memcpy(), pages in place | %.1f (%.1f-%.1f) | | | | %.2f | |\n",
	       copy_bytes / MIB, mcopy_med, mcopy->ms[0],
	       mcopy->ms[mcopy->n - 1], mcopy_med / copy_med);
	printf("| read %zu MiB from tmpfs | one read(), pages in place | %.1f (%.1f-%.1f) | | | | %.2f | |\n",
	       copy_bytes / MIB, median(rcopy), rcopy->ms[0],
	       rcopy->ms[rcopy->n - 1], median(rcopy) / copy_med);
	/* restart of the largest workload against one memcpy() of it */
	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		if (workloads[i].dirty != copy_bytes)
			continue;
		printf("\nRestart of %s against one memcpy() of its bytes",
		       workloads[i].name);
		for (k = 0; k < nsel; k++)
			if (complete(&res[i][k].rst, reps))
				printf("%s %s %.2fx", k ? "," : ":",
				       sel[k]->label,
				       median(&res[i][k].rst) / mcopy_med);
		if (complete(&res[i][0].rst, reps))
			printf(" (goal: %s within 1.1x: %s)", sel[0]->label,
			       median(&res[i][0].rst) <= 1.1 * mcopy_med ?
			       "met" : "missed");
		printf("; against one read() of them from tmpfs, the kernel's own copy");
		for (k = 0; k < nsel; k++)
			if (complete(&res[i][k].rst, reps))
				printf("%s %s %.2fx", k ? "," : ":",
				       sel[k]->label,
				       median(&res[i][k].rst) / median(rcopy));
		printf(".\n");
		break;
	}
	for (i = 0; i < ARRAY_SIZE(profiles); i++)
		profile_print(&profiles[i]);
	/* a reservation must cost (nearly) nothing */
	printf("\nCheckpoint of %s against %s", workloads[SPARSE].name,
	       workloads[SPARSE_BASE].name);
	for (k = 0; k < nsel; k++)
		if (complete(&res[SPARSE][k].ckpt, reps) &&
		    complete(&res[SPARSE_BASE][k].ckpt, reps))
			printf("%s %s %.2fx", k ? "," : ":", sel[k]->label,
			       median(&res[SPARSE][k].ckpt) /
			       median(&res[SPARSE_BASE][k].ckpt));
	if (complete(&res[SPARSE][0].ckpt, reps) &&
	    complete(&res[SPARSE_BASE][0].ckpt, reps))
		printf(" (goal: %s within 2x: %s)", sel[0]->label,
		       median(&res[SPARSE][0].ckpt) <=
		       2 * median(&res[SPARSE_BASE][0].ckpt) ? "met" : "missed");
	printf(".\n");
	/* pre-copy: the time the tree is frozen */
	printf("\nTime the tree is frozen, %zu MiB with a thread writing %zu MiB/s (ours, stop, checkpoint(2), continue): plain %.1f ms (%.1f-%.1f), pre-copy %.1f ms (%.1f-%.1f) after %d passes, %lld bytes written while frozen: %.1f%% of plain (goal: within 10%%: %s).\n",
	       PRECOPY_MEM / MIB, WRITER_RATE / MIB, median(&frozen_plain),
	       frozen_plain.ms[0], frozen_plain.ms[frozen_plain.n - 1],
	       median(&frozen_iter), frozen_iter.ms[0],
	       frozen_iter.ms[frozen_iter.n - 1], precopy_passes,
	       precopy_frozen_bytes,
	       100 * median(&frozen_iter) / median(&frozen_plain),
	       median(&frozen_iter) <= 0.1 * median(&frozen_plain) ?
	       "met" : "missed");
	printf("\nImage sizes in bytes (the last complete checkpoint):\n\n");
	printf("| workload |");
	for (k = 0; k < nsel; k++)
		printf(" %s |", sel[k]->label);
	printf(" workload data |\n|---|");
	for (k = 0; k < nsel; k++)
		printf("---:|");
	printf("---:|\n");
	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		const struct workload *w = &workloads[i];

		printf("| %s |", w->name);
		for (k = 0; k < nsel; k++) {
			if (res[i][k].ckpt.n)
				printf(" %lld |", res[i][k].size);
			else
				printf(" - |");
		}
		printf(" %zu |\n", w->dirty + w->vmas * (size_t)sysconf(_SC_PAGESIZE) +
		       w->pipes * w->pipe_bytes +
		       2 * w->conns * w->conn_bytes);
	}
	printf("%s\n", END_MARK);

	/* engine|workload|op|median|min|max|runs|image bytes|why */
	printf("%s\n", DATA_BEGIN);
	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		for (k = 0; k < nsel; k++) {
			for (op = 0; op < 2; op++) {
				struct series *x = op ? &res[i][k].rst :
					&res[i][k].ckpt;
				bool done = complete(x, reps);

				printf("%s|%s|%s|%.3f|%.3f|%.3f|%d|%lld|%s\n",
				       sel[k]->label, workloads[i].key,
				       op ? "restart" : "checkpoint",
				       done ? median(x) : 0,
				       done ? x->ms[0] : 0,
				       done ? x->ms[x->n - 1] : 0, x->n,
				       res[i][k].size, x->why);
			}
		}
	}
	printf("ours|j|frozen|%.3f|%.3f|%.3f|%d|0|\n", median(&frozen_plain),
	       frozen_plain.ms[0], frozen_plain.ms[frozen_plain.n - 1],
	       frozen_plain.n);
	printf("ours pre-copy|j|frozen|%.3f|%.3f|%.3f|%d|%lld|\n",
	       median(&frozen_iter), frozen_iter.ms[0],
	       frozen_iter.ms[frozen_iter.n - 1], frozen_iter.n,
	       precopy_frozen_bytes);
	printf("copy|%zu|copy|%.3f|%.3f|%.3f|%d|%zu|\n", copy_bytes / MIB,
	       copy_med, copy->ms[0], copy->ms[copy->n - 1], copy->n,
	       copy_bytes);
	printf("%s\n", DATA_END);
}

static void usage(void)
{
	size_t i;

	fprintf(stderr, "usage: %s [-e ENGINE]... [-d DIR] [REPS]\n"
		"  REPS    repetitions of every measurement (1..%d, default 5)\n"
		"  DIR     where images, copies and files go (default /tmp, a tmpfs)\n"
		"  ENGINE  (default: all):", prog, MAX_REPS);
	for (i = 0; i < ARRAY_SIZE(engines); i++)
		fprintf(stderr, " %s", engines[i].name);
	fputc('\n', stderr);
	exit(2);
}

int main(int argc, char *argv[])
{
	static struct result res[ARRAY_SIZE(workloads)][ARRAY_SIZE(engines)];
	static struct series copy, mcopy, rcopy;
	const struct engine *sel[ARRAY_SIZE(engines)];
	bool usable[ARRAY_SIZE(engines)];
	const char *dir = "/tmp";
	char image[256], log[256], src[256], dst[256];
	size_t i, copy_bytes = 0;
	int reps = 5, opt, r, k, nsel = 0, max_files = 0;

	while ((opt = getopt(argc, argv, "e:d:h")) != -1) {
		switch (opt) {
		case 'e':
			for (i = 0; i < ARRAY_SIZE(engines); i++)
				if (!strcmp(engines[i].name, optarg))
					break;
			if (i == ARRAY_SIZE(engines) ||
			    nsel == (int)ARRAY_SIZE(engines))
				usage();
			sel[nsel++] = &engines[i];
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind < argc)
		reps = atoi(argv[optind++]);
	if (optind != argc || reps < 1 || reps > MAX_REPS)
		usage();
	if (!nsel)
		for (i = 0; i < ARRAY_SIZE(engines); i++)
			sel[nsel++] = &engines[i];
	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		if (workloads[i].dirty > copy_bytes)
			copy_bytes = workloads[i].dirty;
		if (workloads[i].files > max_files)
			max_files = workloads[i].files;
	}

	if (workloads[SPARSE].dirty != workloads[SPARSE_BASE].dirty ||
	    !workloads[SPARSE].reserve || workloads[SPARSE_BASE].reserve)
		die(0, "SPARSE and SPARSE_BASE do not name the right workloads");
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(log, sizeof(log), "%s/ckpt-bench.log", dir);
	snprintf(src, sizeof(src), "%s/ckpt-bench.src", dir);
	snprintf(dst, sizeof(dst), "%s/ckpt-bench.dst", dir);
	snprintf(fifo, sizeof(fifo), "%s/ckpt-bench.fifo", dir);
	snprintf(files_dir, sizeof(files_dir), "%s/ckpt-bench.files", dir);
	/* restored processes whose restorer exits become our children */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		die(errno, "PR_SET_CHILD_SUBREAPER");
	unlink(fifo);
	if (mkfifo(fifo, 0600))
		die(errno, "cannot create %s", fifo);
	make_files(max_files);
	for (k = 0; k < nsel; k++)
		usable[k] = !sel[k]->setup();

	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		for (k = 0; k < nsel; k++) {
			struct result *x = &res[i][k];

			if (!usable[k]) {
				snprintf(x->ckpt.why, WHY_LEN,
					 "%s does not run in this guest",
					 sel[k]->name);
				continue;
			}
			snprintf(image, sizeof(image), "%s/ckpt-bench.%s.img",
				 dir, sel[k]->name);
			for (r = 0; r < reps; r++) {
				if (run_once(sel[k], &workloads[i], image, log,
					     x, r == reps - 1))
					break;
				fprintf(stderr, "%s: %s %s %d/%d: checkpoint %.1f ms, restart %.1f ms, image %lld bytes\n",
					prog, sel[k]->name, workloads[i].name,
					r + 1, reps, x->ckpt.ms[r], x->rst.ms[r],
					x->size);
			}
			if (r < reps)
				fprintf(stderr, "%s: %s %s %d/%d: %s\n", prog,
					sel[k]->name, workloads[i].name, r + 1,
					reps, x->ckpt.why[0] ? x->ckpt.why :
					x->rst.why);
		}
	}
	remove_files(max_files);
	unlink(fifo);
	unlink(log);

	make_source(src, copy_bytes);
	for (r = 0; r < reps; r++) {
		copy.ms[r] = copy_once(src, dst);
		copy.n = r + 1;
		fprintf(stderr, "%s: copy %d/%d: %.1f ms\n", prog, r + 1, reps,
			copy.ms[r]);
	}
	for (r = 0; r < reps; r++) {
		rcopy.ms[r] = read_once(src, copy_bytes);
		rcopy.n = r + 1;
		fprintf(stderr, "%s: read %d/%d: %.1f ms\n", prog, r + 1, reps,
			rcopy.ms[r]);
	}
	unlink(src);
	for (r = 0; r < reps; r++) {
		mcopy.ms[r] = memcpy_once(copy_bytes);
		mcopy.n = r + 1;
		fprintf(stderr, "%s: memcpy %d/%d: %.1f ms\n", prog, r + 1,
			reps, mcopy.ms[r]);
	}

	measure_frozen(dir, reps);

	print_results(sel, nsel, res, &copy, &mcopy, &rcopy, copy_bytes, reps,
		      dir);
	return 0;
}
