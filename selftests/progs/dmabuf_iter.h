/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by progs/dmabuf_iter.bpf.c and prog_tests/dmabuf_iter.c: the record
 * the iter/dmabuf program writes for each buffer. The includer provides
 * __u32/__u64 (vmlinux.h or <linux/types.h>).
 *
 * Records are binary and of fixed size so that the reader can check each
 * one whole. 200 bytes does not divide the seq_file buffer (8 pages), so
 * some record always overflows it and has to be produced again by the next
 * read(): the resume path is exercised whatever the reader's read() size.
 */
#ifndef __DMABUF_ITER_H
#define __DMABUF_ITER_H

#define DMABUF_ITER_REC_MAGIC	0x6462756672656321ULL	/* "dbufrec!" */
#define DMABUF_ITER_EXP_LEN	64
/* DMA_BUF_NAME_LEN: what DMA_BUF_SET_NAME_B accepts, NUL included */
#define DMABUF_ITER_NAME_LEN	32
/* Room for the inodes one open-coded walk records */
#define DMABUF_ITER_MAX_INOS	8192

/* flags */
#define DMABUF_ITER_HAS_NAME	0x1	/* dmabuf->name was not NULL */
#define DMABUF_ITER_SB_MAGIC	0x2	/* the file's sb is DMA_BUF_MAGIC */

struct dmabuf_iter_rec {
	__u64 magic;
	__u64 seq_num;		/* bpf_iter_meta's: 0, 1, 2... per iterator */
	__u64 ino;
	__u64 size;
	__u32 flags;
	__u32 reserved;
	char exp_name[DMABUF_ITER_EXP_LEN];
	char name[DMABUF_ITER_NAME_LEN];
	__u8 fill[56];		/* zero: pads the record to 200 bytes */
	__u64 check;		/* magic ^ ino ^ size: catches torn records */
};

#endif /* __DMABUF_ITER_H */
