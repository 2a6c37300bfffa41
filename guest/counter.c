// SPDX-License-Identifier: GPL-2.0
/*
 * The demo's program: counts, twice a second, with its state in memory
 * (the count, a running checksum of it) and prints where it is.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct timespec half = { 0, 500 * 1000 * 1000 };
	unsigned long count = 0, sum = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		count++;
		sum = sum * 31 + count;
		printf("    counter pid %d: count %lu (checksum %016lx)\n",
		       getpid(), count, sum);
		nanosleep(&half, NULL);
	}
}
