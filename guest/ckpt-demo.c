// SPDX-License-Identifier: GPL-2.0
/*
 * Guest demo: checkpoint a counting process to an image, look inside the
 * image, let restart(2) validate it, and show how a damaged image and a
 * running task are refused, with the kernel's reasons.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/checkpoint.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IMAGE "/tmp/counter.img"

static long checkpoint(pid_t pid, int fd, unsigned long flags, int logfd)
{
	return syscall(463, pid, fd, flags, logfd);
}

static long restart(pid_t pid, int fd, unsigned long flags, int logfd)
{
	return syscall(464, pid, fd, flags, logfd);
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void counter(void)
{
	for (unsigned long i = 1;; i++) {
		printf("    counter (pid %d in its namespace): %lu\n", getpid(), i);
		fflush(stdout);
		msleep(300);
	}
}

static const char *type_name(unsigned int type)
{
	switch (type) {
	case CKPT_HDR_HEADER: return "HEADER";
	case CKPT_HDR_TREE: return "TREE";
	case CKPT_HDR_TAIL: return "TAIL";
	case CKPT_HDR_ERROR: return "ERROR";
	}
	return "?";
}

static void show_image(const char *buf, size_t size)
{
	size_t off = 0;

	while (off + sizeof(struct ckpt_hdr) <= size) {
		const struct ckpt_hdr *h = (const void *)(buf + off);

		printf("    %6zu  %-6s len %4u", off, type_name(h->type), h->len);
		if (h->type == CKPT_HDR_HEADER) {
			const struct ckpt_hdr_header *hh = (const void *)h;

			printf("  version %u, kernel %s, xfeatures %#llx",
			       hh->version, hh->release,
			       (unsigned long long)hh->xfeatures);
		} else if (h->type == CKPT_HDR_TREE) {
			const struct ckpt_hdr_tree *t = (const void *)h;

			printf("  %u task(s), root pid %d", t->nr_tasks,
			       t->tasks[0].pid);
		}
		printf("\n");
		if (h->len < sizeof(*h))
			break;
		off += h->len;
	}
}

/* Run restart(2) on @buf and print its result and the reason it logged. */
static void try_restart(const char *what, const char *buf, size_t size)
{
	int img = memfd_create("image", 0), log[2];
	char reason[512] = "";
	long ret;
	ssize_t n;

	if (img < 0 || write(img, buf, size) != (ssize_t)size || pipe(log))
		exit(1);
	lseek(img, 0, SEEK_SET);
	ret = restart(0, img, 0, log[1]);
	close(log[1]);
	n = read(log[0], reason, sizeof(reason) - 1);
	reason[n > 0 ? n : 0] = 0;
	printf("  restart(%s) = %ld%s%s\n", what, ret, ret ? ": " : "",
	       ret ? strerror(errno) : " (image accepted)");
	if (*reason)
		printf("    reason: %s", reason);
	close(img);
	close(log[0]);
}

int main(void)
{
	char *buf;
	struct stat st;
	pid_t child;
	long id;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("== checkpoint/restart demo ==\n\n");
	printf("1. start a counter as the init of a new pid namespace\n");
	child = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (child == 0)
		counter();
	msleep(1000);

	printf("\n2. a running task is refused:\n");
	fd = open(IMAGE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	id = checkpoint(child, fd, 0, STDOUT_FILENO);
	printf("  checkpoint(running counter) = %ld: %s\n", id, strerror(errno));

	printf("\n3. stop it (SIGSTOP) and checkpoint it to %s\n", IMAGE);
	kill(child, SIGSTOP);
	waitpid(child, NULL, WUNTRACED);
	if (ftruncate(fd, 0))
		return 1;
	lseek(fd, 0, SEEK_SET);
	id = checkpoint(child, fd, 0, STDOUT_FILENO);
	fstat(fd, &st);
	printf("  checkpoint() = %ld (checkpoint id), image %lld bytes:\n", id,
	       (long long)st.st_size);
	buf = malloc(st.st_size);
	if (!buf || pread(fd, buf, st.st_size, 0) != st.st_size)
		return 1;
	show_image(buf, st.st_size);

	printf("\n4. resume the counter: checkpoint left it untouched\n");
	kill(child, SIGCONT);
	msleep(700);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);

	printf("\n5. restart(2) validates the image\n");
	try_restart("intact image", buf, st.st_size);
	buf[offsetof(struct ckpt_hdr_header, release)] ^= 1;
	try_restart("kernel release changed", buf, st.st_size);
	buf[offsetof(struct ckpt_hdr_header, release)] ^= 1;
	try_restart("image cut in half", buf, st.st_size / 2);
	printf("\n== done ==\n");
	return 0;
}
