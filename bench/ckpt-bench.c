// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt-bench - time checkpoint and restart of a process
 *
 *	ckpt-bench [-e ENGINE] [-d DIR] [REPS]
 *
 * For every workload and REPS repetitions (default 5): fork a target,
 * let it dirty its memory, stop it, time the checkpoint of it into an
 * image in DIR (default /tmp, a tmpfs), kill it, then time its restart
 * from the image.  The lower bound of both is a copy of as many bytes,
 * tmpfs to tmpfs, also timed REPS times.
 *
 * Restart time is measured end to end: the restarter takes a timestamp
 * just before it asks the engine to restart, and the restored target
 * prints CLOCK_MONOTONIC on its stdout as soon as its interrupted sleep
 * returns (it sleeps 1 ms at a time, so the resolution is about 1 ms).
 *
 * The results are a markdown table printed between two marker lines
 * for scripts/bench.sh.
 *
 * The workloads and the timing do not know how a checkpoint is taken:
 * an engine (struct engine) does.  "ckpt" is this kernel's
 * checkpoint(2)/restart(2); another one (CRIU) fits the same ops.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/checkpoint.h>

#ifndef __NR_checkpoint
#define __NR_checkpoint 463
#endif
#ifndef __NR_restart
#define __NR_restart 464
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIB		(1024 * 1024UL)
#define MAX_REPS	100
#define COPY_BUF	MIB
/* how long a step may take under TCG before the run is declared stuck */
#define STEP_TIMEOUT_MS	(300 * 1000)

#define BEGIN_MARK	"<!-- ckpt-bench results begin -->"
#define END_MARK	"<!-- ckpt-bench results end -->"

static const char *prog = "ckpt-bench";

/**
 * struct engine - a way to checkpoint and restart a process
 * @name: selected with -e
 * @desc: one line for the results
 * @setup: called once before anything is timed; 0 or -1 after an error
 * @checkpoint: save the stopped process @pid into @image and store in
 *	@ns the nanoseconds of the checkpoint proper (the engine knows
 *	what to time: the system call, or the whole dumping tool); 0 or -1
 * @restart: called in a fresh child of the benchmark whose stdout is
 *	the pipe the restored target reports on: turn this child into
 *	(or make it give birth to) the process of @image, with that stdout
 *	as the target's stdout.  @start must be called just before the
 *	restart proper begins.  Only returns on failure.
 * @image_size: the size in bytes of @image, or -1
 * @cleanup: remove @image
 */
struct engine {
	const char *name;
	const char *desc;
	int (*setup)(void);
	int (*checkpoint)(pid_t pid, const char *image, long long *ns);
	void (*restart)(const char *image, void (*start)(void));
	long long (*image_size)(const char *image);
	void (*cleanup)(const char *image);
};

/**
 * struct workload - what the target does before it is checkpointed
 * @name: for the table
 * @dirty: bytes of anonymous memory it writes, every page of it
 */
struct workload {
	const char *name;
	size_t dirty;
};

static const struct workload workloads[] = {
	{ "(a) sleeping loop", 0 },
	{ "(b) 256 MiB dirty anon", 256 * MIB },
};

/* results of one operation over the repetitions */
struct series {
	double ms[MAX_REPS];
	int n;
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

static int ckpt_checkpoint(pid_t pid, const char *image, long long *ns)
{
	long long t0, t1;
	long ret;
	int fd;

	fd = open(image, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot create %s (%s)\n", prog, image,
			strerror(errno));
		return -1;
	}
	t0 = now_ns();
	ret = syscall(__NR_checkpoint, pid, fd, CHECKPOINT_SUBTREE,
		      STDERR_FILENO);
	t1 = now_ns();
	if (ret < 0) {
		fprintf(stderr, "%s: checkpoint(2) of %d failed (%s)\n", prog,
			pid, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	*ns = t1 - t0;
	return 0;
}

static void ckpt_restart(const char *image, void (*start)(void))
{
	int fd = open(image, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "%s: cannot open %s (%s)\n", prog, image,
			strerror(errno));
		return;
	}
	start();
	syscall(__NR_restart, 0, fd, 0, STDERR_FILENO);
	fprintf(stderr, "%s: restart(2) failed (%s)\n", prog, strerror(errno));
}

static long long ckpt_image_size(const char *image)
{
	struct stat st;

	return stat(image, &st) ? -1 : st.st_size;
}

static void ckpt_cleanup(const char *image)
{
	unlink(image);
}

static const struct engine engines[] = {
	{
		.name = "ckpt",
		.desc = "in-kernel checkpoint(2)/restart(2)",
		.setup = ckpt_setup,
		.checkpoint = ckpt_checkpoint,
		.restart = ckpt_restart,
		.image_size = ckpt_image_size,
		.cleanup = ckpt_cleanup,
	},
};

/* ---- the target ---- */

/*
 * Unmap the MAP_SHARED mappings inherited from the benchmark: they
 * cannot be checkpointed.  The benchmark makes none itself, but a libc
 * might.
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
 * Dirty the memory of @w, say so on @ready, then sleep 1 ms at a time
 * and print CLOCK_MONOTONIC after every sleep.  The target is stopped
 * in nanosleep(); once restored, the sleep returns (or is restarted
 * and ends) and the next line is the one the benchmark waits for.
 */
static void __attribute__((noreturn))
target(const struct workload *w, int ready)
{
	struct timespec ms = { 0, 1000 * 1000 }, now;
	char line[64];
	void *mem;
	int len;

	drop_shared_mappings();
	if (w->dirty) {
		mem = mmap(NULL, w->dirty, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			_exit(1);
		fill_pattern(mem, w->dirty, 0);
	}
	if (write(ready, "r", 1) != 1)
		_exit(1);
	close(ready);
	for (;;) {
		nanosleep(&ms, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		len = snprintf(line, sizeof(line), "%lld.%09ld\n",
			       (long long)now.tv_sec, now.tv_nsec);
		if (write(STDOUT_FILENO, line, len) < 0 && errno != EINTR)
			_exit(0);
	}
}

/* Wait until /proc/PID/stat shows the task stopped (state T). */
static void wait_stopped(pid_t pid)
{
	long long end = now_ns() + STEP_TIMEOUT_MS * 1000000LL;
	struct timespec ms = { 0, 1000 * 1000 };
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	while (now_ns() < end) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die(errno, "cannot open %s", path);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'T')
			return;
		nanosleep(&ms, NULL);
	}
	die(0, "target %d did not stop", pid);
}

static void kill_wait(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* ---- one repetition of a workload ---- */

static int restart_tfd = -1;

/* In the restarter: hand t0 to the benchmark. */
static void restart_start(void)
{
	long long t0 = now_ns();

	if (write_full(restart_tfd, &t0, sizeof(t0)))
		_exit(1);
	close(restart_tfd);
}

/*
 * Checkpoint a fresh target of @w into @image and restart it.  Store the
 * checkpoint and restart times in milliseconds and the image size.
 */
static void run_once(const struct engine *e, const struct workload *w,
		     const char *image, double *ckpt_ms, double *restart_ms,
		     long long *size)
{
	int ready[2], out[2], tp[2], null, status;
	long long ns, t0, t1;
	char line[64], c;
	pid_t pid;
	ssize_t n;
	long sec, nsec;

	e->cleanup(image);
	if (pipe2(ready, O_CLOEXEC))
		die(errno, "pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die(errno, "fork");
	if (!pid) {
		null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
			_exit(1);
		close(null);
		close(ready[0]);
		target(w, ready[1]);
	}
	close(ready[1]);
	if (read_timeout(ready[0], &c, 1, STEP_TIMEOUT_MS) != 1)
		die(errno, "target %d did not get ready", pid);
	close(ready[0]);

	kill(pid, SIGSTOP);
	wait_stopped(pid);
	if (e->checkpoint(pid, image, &ns))
		die(0, "%s: checkpoint of %s failed", e->name, w->name);
	*ckpt_ms = ns / 1e6;
	*size = e->image_size(image);
	kill_wait(pid);

	if (pipe2(out, O_CLOEXEC) || pipe2(tp, O_CLOEXEC))
		die(errno, "pipe");
	pid = fork();
	if (pid < 0)
		die(errno, "fork");
	if (!pid) {
		/* dup2() clears O_CLOEXEC: the restored target keeps it */
		if (dup2(out[1], STDOUT_FILENO) < 0)
			_exit(1);
		close(out[0]);
		close(tp[0]);
		restart_tfd = tp[1];
		e->restart(image, restart_start);
		_exit(1);
	}
	close(out[1]);
	close(tp[1]);
	n = read_timeout(tp[0], &t0, sizeof(t0), STEP_TIMEOUT_MS);
	close(tp[0]);
	if (n != sizeof(t0))
		die(n < 0 ? errno : 0, "restarter %d failed before restart",
		    pid);
	/* the first line of the restored target */
	n = 0;
	while (n < (ssize_t)sizeof(line) - 1) {
		if (read_timeout(out[0], &line[n], 1, STEP_TIMEOUT_MS) != 1)
			break;
		if (line[n++] == '\n')
			break;
	}
	line[n] = '\0';
	close(out[0]);
	if (sscanf(line, "%ld.%ld", &sec, &nsec) != 2) {
		status = 0;
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		die(0, "%s: the restored %s printed no timestamp (status %#x)",
		    e->name, w->name, status);
	}
	t1 = sec * 1000000000LL + nsec;
	*restart_ms = (t1 - t0) / 1e6;
	kill_wait(pid);
	e->cleanup(image);
}

/* ---- the lower bound: copy the bytes tmpfs to tmpfs ---- */

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

static double median(struct series *s)
{
	qsort(s->ms, s->n, sizeof(s->ms[0]), cmp_double);
	if (s->n % 2)
		return s->ms[s->n / 2];
	return (s->ms[s->n / 2 - 1] + s->ms[s->n / 2]) / 2;
}

/* One table row; @ratio_to <= 0 prints no ratio. */
static void print_row(const char *workload, const char *op, struct series *s,
		      long long bytes, double ratio_to)
{
	double med = median(s);
	char ratio[32] = "-";

	if (ratio_to > 0)
		snprintf(ratio, sizeof(ratio), "%.2f", med / ratio_to);
	printf("| %s | %s | %.1f | %.1f | %.1f | %lld | %s |\n", workload, op,
	       med, s->ms[0], s->ms[s->n - 1], bytes, ratio);
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
	printf("- CPU: %s (%ld online)\n", model, sysconf(_SC_NPROCESSORS_ONLN));
	printf("- accelerator: %s\n",
	       strstr(model, "TCG") ? "QEMU TCG (emulated)" :
	       hypervisor ? "virtualized, not TCG (KVM?)" : "bare metal?");
}

static void usage(void)
{
	size_t i;

	fprintf(stderr, "usage: %s [-e ENGINE] [-d DIR] [REPS]\n"
		"  REPS  repetitions of every measurement (1..%d, default 5)\n"
		"  DIR   where images and copies go (default /tmp, a tmpfs)\n"
		"  ENGINE:", prog, MAX_REPS);
	for (i = 0; i < ARRAY_SIZE(engines); i++)
		fprintf(stderr, " %s", engines[i].name);
	fputc('\n', stderr);
	exit(2);
}

int main(int argc, char *argv[])
{
	static struct series ckpt[ARRAY_SIZE(workloads)];
	static struct series rst[ARRAY_SIZE(workloads)];
	static struct series copy;
	long long size[ARRAY_SIZE(workloads)];
	const struct engine *e = &engines[0];
	const char *dir = "/tmp", *ename = NULL;
	char image[256], src[256], dst[256], label[64];
	size_t i, copy_bytes = 0;
	struct utsname u;
	double copy_med;
	int reps = 5, opt, r;

	while ((opt = getopt(argc, argv, "e:d:h")) != -1) {
		switch (opt) {
		case 'e':
			ename = optarg;
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
	for (i = 0; ename && i < ARRAY_SIZE(engines); i++)
		if (!strcmp(engines[i].name, ename))
			break;
	if (ename && i == ARRAY_SIZE(engines))
		usage();
	if (ename)
		e = &engines[i];
	for (i = 0; i < ARRAY_SIZE(workloads); i++)
		if (workloads[i].dirty > copy_bytes)
			copy_bytes = workloads[i].dirty;

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(image, sizeof(image), "%s/ckpt-bench.img", dir);
	snprintf(src, sizeof(src), "%s/ckpt-bench.src", dir);
	snprintf(dst, sizeof(dst), "%s/ckpt-bench.dst", dir);
	if (e->setup())
		return 1;

	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		for (r = 0; r < reps; r++) {
			run_once(e, &workloads[i], image,
				 &ckpt[i].ms[r], &rst[i].ms[r], &size[i]);
			ckpt[i].n = r + 1;
			rst[i].n = r + 1;
			fprintf(stderr, "%s: %s %d/%d: checkpoint %.1f ms, restart %.1f ms, image %lld bytes\n",
				prog, workloads[i].name, r + 1, reps,
				ckpt[i].ms[r], rst[i].ms[r], size[i]);
		}
	}
	make_source(src, copy_bytes);
	for (r = 0; r < reps; r++) {
		copy.ms[r] = copy_once(src, dst);
		copy.n = r + 1;
		fprintf(stderr, "%s: copy %d/%d: %.1f ms\n", prog, r + 1, reps,
			copy.ms[r]);
	}
	unlink(src);
	copy_med = median(&copy);

	uname(&u);
	printf("%s\n", BEGIN_MARK);
	printf("- engine: %s (%s)\n", e->name, e->desc);
	printf("- guest kernel: %s %s\n", u.release, u.version);
	print_cpu();
	printf("- repetitions: %d; images and copies in %s\n", reps, dir);
	printf("\n");
	printf("| workload | op | median ms | min ms | max ms | image bytes | ratio to copy |\n");
	printf("|---|---|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		double to = workloads[i].dirty == copy_bytes ? copy_med : 0;

		print_row(workloads[i].name, "checkpoint", &ckpt[i], size[i],
			  to);
		print_row(workloads[i].name, "restart", &rst[i], size[i], to);
	}
	snprintf(label, sizeof(label), "copy %zu MiB tmpfs to tmpfs",
		 copy_bytes / MIB);
	print_row(label, "read+write, 1 MiB buffer", &copy, copy_bytes,
		  copy_med);
	printf("\n");
	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		if (!workloads[i].dirty)
			continue;
		printf("Image size overhead of %s: (%lld - %zu) / %zu = %.4f%%\n",
		       workloads[i].name, size[i], workloads[i].dirty,
		       workloads[i].dirty,
		       100.0 * (size[i] - (long long)workloads[i].dirty) /
		       workloads[i].dirty);
	}
	printf("%s\n", END_MARK);
	return 0;
}
