// SPDX-License-Identifier: GPL-2.0
/*
 * A producer | consumer pair over a pipe, for the migration test
 * (guest/migrate.sh).  The parent writes 1, 2, 3, ... one number a
 * line, a line every 5 ms; its child reads them and checks that each is
 * the previous one plus one.  The child reads in bursts, every 100 ms,
 * so that the pipe always holds a few hundred bytes in flight, and
 * reports twice a second:
 *
 *     seqpipe consumer: 1234 in order
 *
 * meaning that it read 1..1234 without a gap, a repeat or a torn line.
 * A break is reported as "seqpipe consumer: BROKEN ..." and ends the
 * consumer with status 1 (the producer then dies of SIGPIPE); so does
 * end of file.  Both keep their state in memory and in the pipe only:
 * a checkpoint taken at any moment must carry it all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void produce(int fd)
{
	unsigned long n = 0;
	char line[32];
	int len, off, w;

	for (;;) {
		len = snprintf(line, sizeof(line), "%lu\n", ++n);
		for (off = 0; off < len; off += w) {
			w = write(fd, line + off, len - off);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0)
				exit(1);
		}
		sleep_ms(5);
	}
}

static void consume(int fd)
{
	unsigned long last = 0, val = 0;
	int digits = 0, bursts = 0;
	char buf[4096];
	ssize_t n, i;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			printf("seqpipe consumer: BROKEN: %s after %lu\n",
			       n ? strerror(errno) : "end of file", last);
			exit(1);
		}
		for (i = 0; i < n; i++) {
			if (buf[i] >= '0' && buf[i] <= '9' && digits < 19) {
				val = val * 10 + (buf[i] - '0');
				digits++;
				continue;
			}
			if (buf[i] != '\n' || !digits) {
				printf("seqpipe consumer: BROKEN: after %lu, a malformed line\n",
				       last);
				exit(1);
			}
			if (val != last + 1) {
				printf("seqpipe consumer: BROKEN: after %lu read %lu\n",
				       last, val);
				exit(1);
			}
			last = val;
			val = 0;
			digits = 0;
		}
		if (++bursts % 5 == 0)
			printf("seqpipe consumer: %lu in order\n", last);
		sleep_ms(100);
	}
}

int main(void)
{
	int fds[2];
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(fds)) {
		perror("seqpipe: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("seqpipe: fork");
		return 1;
	}
	if (!pid) {
		close(fds[1]);
		consume(fds[0]);
	}
	close(fds[0]);
	produce(fds[1]);
	return 0;
}
