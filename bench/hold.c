// SPDX-License-Identifier: GPL-2.0
/*
 * The readers' population: N one-page system-heap buffers held by fd in P
 * processes (N / P each, the remainder spread over the first ones). The
 * parent creates READY once every child holds its share, and on SIGTERM or
 * SIGINT kills the children, which frees the buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/dma-heap.h>

#include "bench.h"

#define HEAP	"/dev/dma_heap/system"

static void raise_nofile(long fds)
{
	struct rlimit rl = { .rlim_cur = fds + 64, .rlim_max = fds + 64 };
	struct rlimit old;

	if (!getrlimit(RLIMIT_NOFILE, &old) && old.rlim_cur >= rl.rlim_cur)
		return;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("RLIMIT_NOFILE %ld: %s", fds + 64, strerror(errno));
}

/* A child: allocate, tell the parent, wait to be killed. */
static void holder(long count, int ready)
{
	struct dma_heap_allocation_data data = {
		.len = 4096,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	char c = 'R';
	long i;
	int heap;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	raise_nofile(count);
	heap = open(HEAP, O_RDWR | O_CLOEXEC);
	for (i = 0; i < count; i++) {
		data.fd = 0;	/* an output: must be 0 going in */
		if (heap < 0 || ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data)) {
			fprintf(stderr, "dmabuf-bench: hold: buffer %ld: %s\n",
				i, strerror(errno));
			c = 'E';
			break;
		}
	}
	if (write(ready, &c, 1) != 1 || c != 'R')
		_exit(1);
	for (;;)
		pause();
}

int cmd_hold(int argc, char **argv)
{
	long n, p, i, got = 0;
	int pipefd[2], sig, fd;
	sigset_t set;
	pid_t *pids;
	char c;

	if (argc != 4 || (n = atol(argv[1])) < 1 || (p = atol(argv[2])) < 1 ||
	    p > n)
		die("hold needs N >= P >= 1 and a READY path");
	pids = calloc(p, sizeof(*pids));
	if (!pids || pipe(pipefd))
		die("hold: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < p; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("hold: fork: %s", strerror(errno));
		if (!pids[i]) {
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			close(pipefd[0]);
			holder(n / p + (i < n % p), pipefd[1]);
		}
	}
	close(pipefd[1]);
	while (got < p && read(pipefd[0], &c, 1) == 1 && c == 'R')
		got++;
	if (got == p) {
		fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			close(fd);
		sigwait(&set, &sig);
	}
	for (i = 0; i < p; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < p; i++)
		waitpid(pids[i], NULL, 0);
	return got == p ? 0 : 1;
}
