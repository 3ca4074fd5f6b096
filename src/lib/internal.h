/* SPDX-License-Identifier: GPL-2.0 */
/* libdmabufstat's private declarations: context, raw collection, helpers. */
#ifndef __DMABUFSTAT_INTERNAL_H
#define __DMABUFSTAT_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libdmabufstat.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct dmabuf_bufs_bpf;
struct dmabuf_procs_bpf;
struct bpf_link;

struct dmabufstat {
	struct dmabufstat_opts opts;
	bool probed;
	int probe_err;
	enum dmabufstat_buf_backend buf_backend;
	enum dmabufstat_proc_backend proc_backend;
	char backend_name[48];
	char fallback[768];
	char errmsg[512];
	enum dmabufstat_errclass errclass;

	/* kernel features */
	bool have_btf;
	bool have_iter;

	struct dmabuf_bufs_bpf *bufs;
	struct dmabuf_procs_bpf *procs;
	struct bpf_link *buf_link, *fd_link, *vma_link;
};

/* Sets the context's error; returns err (negative errno). */
int ds_err(struct dmabufstat *ds, enum dmabufstat_errclass cls, int err,
	   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ds_add_reason(struct dmabufstat *ds, const char *what);
void ds_debug(struct dmabufstat *ds, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Routes libbpf's printing to ds->opts.print while in scope. */
void ds_libbpf_enter(struct dmabufstat *ds);
void ds_libbpf_leave(struct dmabufstat *ds);

/* What a process reference says (also about its buffer). */
struct raw_ref {
	struct dmabufstat_ref ref;
	uint32_t uid;
	uint64_t cgroup_id;
	char comm[DMABUFSTAT_COMM_LEN];
	/* the buffer as the reference sees it: file_count -1 if unknown */
	struct dmabufstat_buffer desc;
	bool desc_size_known;	/* false for a procfs mapping */
};

/* The raw result of the backends, turned into a snapshot. */
struct collect {
	struct dmabufstat_buffer *bufs;
	size_t nr_bufs, cap_bufs;
	struct raw_ref *refs;
	size_t nr_refs, cap_refs;
	bool bufs_have_names;	/* the buffer source knows names */
	bool bufs_have_attach;	/* ... attachments and file counts */
	unsigned int flags;	/* DMABUFSTAT_SNAP_* */
};

struct dmabufstat_buffer *collect_add_buf(struct collect *c);
struct raw_ref *collect_add_ref(struct collect *c);
void collect_free(struct collect *c);

/* backends: 0 or -errno with the context's message set */
int bpf_probe_load(struct dmabufstat *ds);
void bpf_unload(struct dmabufstat *ds);
int bpf_collect_bufs(struct dmabufstat *ds, struct collect *c);
int bpf_collect_procs(struct dmabufstat *ds, struct collect *c);
int bufinfo_collect(struct dmabufstat *ds, struct collect *c);
int sysfs_collect(struct dmabufstat *ds, struct collect *c);
int procfs_collect(struct dmabufstat *ds, struct collect *c);

/* paths (the fallbacks; tests may read the same files) */
#define DS_BUFINFO_PATH	"/sys/kernel/debug/dma_buf/bufinfo"
#define DS_SYSFS_DIR	"/sys/kernel/dmabuf/buffers"
#define DS_BTF_PATH	"/sys/kernel/btf/vmlinux"

/* Builds a snapshot out of c (which it empties). */
int snapshot_build(struct dmabufstat *ds, struct collect *c,
		   struct dmabufstat_snapshot **out);

/* helpers */
/*
 * Reads fd to its end into a malloc'd, NUL-terminated *out, starting with
 * cap bytes and keeping at least 4096 free for each read() (an iterator
 * hands out whole records). 0 or -errno.
 */
int read_fd_whole(int fd, size_t cap, char **out, size_t *len);
int read_whole(const char *path, char **out, size_t *len);
void copy_str(char *dst, size_t size, const char *src, size_t len);
int grow(void **arr, size_t *cap, size_t need, size_t elem);

/* unsigned comparisons for qsort, never a difference as int */
#define CMP(a, b)	(((a) > (b)) - ((a) < (b)))

#endif /* __DMABUFSTAT_INTERNAL_H */
