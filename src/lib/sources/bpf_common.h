/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabufstat: what the BPF sources share: the kernel's support, the
 * one BPF object, the reading of an iterator.
 */
#ifndef __DMABUFSTAT_BPF_COMMON_H
#define __DMABUFSTAT_BPF_COMMON_H

#include <linux/types.h>

#include "internal.h"
#include "collect.h"
#include "dmabufstat.h"

struct bpf_link;
struct bpf_object_open_opts;

#define DS_BTF_PATH	"/sys/kernel/btf/vmlinux"

/*
 * Kernel BTF present and readable (ds->kernel then says whether it has the
 * dma-buf iterator): 0, else the context's error, worded for a source the
 * caller named or as a fallback note (see ds_source.probe).
 */
int bpf_kernel_check(struct dmabufstat *ds, bool named);

/* Open options for the skeletons (loadable without CAP_SYS_ADMIN). */
const struct bpf_object_open_opts *bpf_open_opts(void);

static inline bool bpf_perm_err(int err)
{
	return err == -EPERM || err == -EACCES;
}

/* A BPF object (what: "dma-buf iterator") failed to load or attach. */
int bpf_load_failed(struct dmabufstat *ds, bool named, int err,
		    const char *what);

/*
 * A fresh iterator of the link link_fd read to its end into *out (free
 * it), and recorded when DMABUFSTAT_RECORD says so (records.h).
 */
int bpf_read_iter(struct dmabufstat *ds, int link_fd,
		  enum dmabufstat_stream stream, char **out, size_t *len);
/* The same, decoded into c (records.h). */
int bpf_collect_stream(struct dmabufstat *ds, int link_fd,
		       enum dmabufstat_stream stream, struct collect *c);

/*
 * The context's one BPF object (bpf/dmabufstat.bpf.c), shared by the BPF
 * sources and the totals: loaded once, by the first that needs it, with
 * every program the context's backends may use and the kernel can load.
 */
#define DS_BPF_BUFS	0x1	/* iter/dmabuf: needs the dma-buf iterator */
#define DS_BPF_TASKS	0x2	/* iter/task_file, iter/task_vma */
#define DS_BPF_TOTALS	0x4	/* the open-coded totals: needs the kfuncs */
#define DS_BPF_ONLY	0x100	/* ds_bpf_get(): load what is asked, no more */

struct ds_bpf {
	struct dmabufstat *ds;
	struct dmabufstat_bpf *skel;
	struct bpf_link *buf_link, *fd_link, *vma_link;
	unsigned int have;	/* DS_BPF_* loaded */
	int users;
};

/*
 * The object with at least what (DS_BPF_*) in it, loaded if needed, and
 * one more user of it (ds_bpf_put()). 0, or the context's error worded
 * by bpf_load_failed(); the kernel's support is the caller's to check.
 */
int ds_bpf_get(struct dmabufstat *ds, bool named, unsigned int what,
		struct ds_bpf **out);
void ds_bpf_put(struct ds_bpf *obj);

/* Runs the totals program of prog_fd into *t: 0 or the context's error. */
int bpf_run_totals(struct dmabufstat *ds, int prog_fd,
		   struct dmabufstat_totals *t);

/*
 * sources/bpf_pin.c: the pinned totals program of the context's pin dir,
 * if the pins are ours and have it: its fd (close it), or -errno.
 */
int bpf_pin_totals_fd(struct dmabufstat *ds);

#endif /* __DMABUFSTAT_BPF_COMMON_H */
