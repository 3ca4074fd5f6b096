/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tests that need a known population of buffers run dmabuf-workload and
 * compare what they measure with its manifest.
 */
#ifndef __WORKLOAD_H
#define __WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The path of program @name beside test_progs (the build folder), or @name
 * itself for a PATH lookup (the guest). Returns a static buffer that the
 * next call overwrites.
 */
const char *exe_beside(const char *name);

/*
 * exe_beside(), where another user can run it too: the build folder may
 * sit under a folder only root can enter (a clone in a mktemp folder,
 * /root), so the program is copied once into a world-readable folder of
 * its own (removed at exit). @name itself in the guest (on PATH). A
 * static buffer per program name, up to 4 names.
 */
const char *exe_for_all(const char *name);

/*
 * Runs the shell command cmd and returns its whole stdout (malloc'd,
 * NUL-terminated; NULL if it could not run) and its exit status in
 * *status (128 if a signal ended it, -1 if it did not run).
 */
char *run_capture(const char *cmd, int *status);

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

/*
 * The same with more dmabuf-workload options (e.g. "--leak", "0.1"),
 * @argv NULL-terminated.
 */
bool workload_start_args(struct workload *wl, const char *tag,
			 const char *const *argv);

/* Stops the workload (SIGTERM) and removes its folder. */
void workload_stop(struct workload *wl);

/* The manifest, parsed; per-process figures follow from its buffers. */
#define MF_MAX_HOLDERS	16

struct mf_buf {
	unsigned long ino;
	uint64_t size;
	char source[16], exp_name[64], name[64];
	pid_t holders[MF_MAX_HOLDERS];	/* by fd or mapping, each once */
	int fds[MF_MAX_HOLDERS];	/* per holder: its fds on the buffer */
	int maps[MF_MAX_HOLDERS];	/* per holder: its mappings of it */
	int nr_holders;
	bool imported;		/* a vgem import: attached to vgem */
};

struct mf_proc {
	pid_t pid;
	char comm[32];
	uint64_t rss, pss;	/* Android's: pss shares a buffer evenly */
	unsigned int nr_bufs, nr_fds, nr_maps;
};

struct manifest {
	struct mf_proc *procs;
	int nr_procs;
	struct mf_buf *bufs;
	int nr_bufs;
	pid_t leaker;		/* --leak's process, 0: none */
	uint64_t bytes, kernel_only_bytes;
	int kernel_only;
};

/* 0, or -errno; reports failures through ASSERT_*(). */
int manifest_read(const char *path, struct manifest *mf);
void manifest_free(struct manifest *mf);
const struct mf_proc *manifest_proc(const struct manifest *mf, pid_t pid);
const struct mf_buf *manifest_buf(const struct manifest *mf,
				  unsigned long ino);

#endif /* __WORKLOAD_H */
