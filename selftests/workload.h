/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tests that need a known population of buffers run dmabuf-workload and
 * compare what they measure with its manifest.
 */
#ifndef __WORKLOAD_H
#define __WORKLOAD_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The path of program @name beside test_progs (the build folder), or @name
 * itself for a PATH lookup (the guest). Returns a static buffer that the
 * next call overwrites.
 */
const char *exe_beside(const char *name);

struct workload {
	pid_t pid;
	char dir[64];
	char manifest[96];	/* its bookkeeping: --manifest */
	char ready[96];		/* created once every buffer is in place */
};

#define WORKLOAD_INIT { .pid = -1 }

/*
 * Starts dmabuf-workload in a fresh /tmp/@tag.XXXXXX folder and waits (up
 * to a minute: TCG is slow) until it is ready; reports failures through
 * the ASSERT_*() macros.
 */
bool workload_start(struct workload *wl, const char *tag);

/* Stops the workload (SIGTERM) and removes its folder. */
void workload_stop(struct workload *wl);

#endif /* __WORKLOAD_H */
