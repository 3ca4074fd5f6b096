/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabufstat: what the BPF sources share: the kernel's support, the
 * reading of an iterator, and the records of bpf/dmabufstat.h.
 */
#ifndef __DMABUFSTAT_BPF_COMMON_H
#define __DMABUFSTAT_BPF_COMMON_H

#include <linux/types.h>

#include "internal.h"
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

/* A fresh iterator of link read to its end into *out (free it). */
int bpf_read_iter(struct dmabufstat *ds, struct bpf_link *link,
		  const char *what, char **out, size_t *len);

/* The record at raw + off, of len bytes, has type and size: 0 or -EPROTO. */
int bpf_check_rec(struct dmabufstat *ds, const char *raw, size_t len,
		  size_t off, __u16 type, size_t size);

/* What a record says of its buffer, into the public struct. */
void bpf_buf_from_desc(struct dmabufstat_buffer *b,
		       const struct dmabufstat_bufdesc *d);

/* sources/bpf_iter.c: its iterator link, if it is the buffer source. */
struct bpf_link *bpf_iter_link(const struct dmabufstat *ds);

#endif /* __DMABUFSTAT_BPF_COMMON_H */
