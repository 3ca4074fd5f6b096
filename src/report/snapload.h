/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snapload: a saved snapshot read back from the tools' own JSON
 * (docs/json-schema.md): the "buffers" and "processes" arrays of one or
 * more documents (pretty JSON, or JSON Lines: the last document that has
 * an array gives it), their snapshot's time and backend. Only what is
 * needed to rebuild the snapshot is kept: a buffer's inode, size, exp_name,
 * name, driver and holders (pids), a process's pid, uid, cgroup, comm, fd
 * and mapping counts and inodes. "<key>_hex" (a string's exact bytes)
 * wins over "<key>".
 *
 * The text is untrusted: any bytes, any size. Nesting deeper than
 * SNAPLOAD_MAX_DEPTH, a number out of its field's range, a string longer
 * than its field (cut to it), a buffer of inode 0, a process of pid 0, an
 * inode or a pid twice: an error with the byte it is at, never a crash.
 */
#ifndef __DMABUFSTAT_REPORT_SNAPLOAD_H
#define __DMABUFSTAT_REPORT_SNAPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNAPLOAD_MAX_DEPTH	64
/* the kernel's limits (bpf/dmabufstat.h), NUL included */
#define SNAPLOAD_EXP_LEN	64
#define SNAPLOAD_NAME_LEN	32
#define SNAPLOAD_DRV_LEN	32
#define SNAPLOAD_COMM_LEN	16

struct snapload_buf {
	uint64_t ino, size;
	int64_t refcount;	/* -1: unknown */
	char exp_name[SNAPLOAD_EXP_LEN];
	char name[SNAPLOAD_NAME_LEN];
	char driver[SNAPLOAD_DRV_LEN];
	bool has_name;
	uint32_t *pids;		/* its holders */
	size_t nr_pids;
};

struct snapload_proc {
	uint32_t pid, uid;
	uint64_t cgroup_id;
	char comm[SNAPLOAD_COMM_LEN];
	uint32_t fds, maps;
	uint64_t *inos;		/* the buffers it holds */
	size_t nr_inos;
};

struct snapload {
	struct snapload_buf *bufs;
	size_t nr_bufs;
	bool has_bufs;		/* a "buffers" array was there */
	struct snapload_proc *procs;
	size_t nr_procs;
	bool has_procs;		/* a "processes" array was there */
	uint64_t realtime_ns;	/* 0: not said */
	char backend[64];
	char err[160];		/* what was wrong, where */
};

/*
 * Reads text (len bytes, NULs included) into s (zeroed first). 0, or
 * -EINVAL with s->err, or -ENOMEM. snapload_free() in every case.
 */
int snapload_parse(const char *text, size_t len, struct snapload *s);
void snapload_free(struct snapload *s);

#endif /* __DMABUFSTAT_REPORT_SNAPLOAD_H */
