/* SPDX-License-Identifier: GPL-2.0 */
/* What selftests/progs/dma_buf_tp.bpf.c reports of each dma_buf event. */
#ifndef __DMA_BUF_TP_H
#define __DMA_BUF_TP_H

enum dma_buf_tp_event {
	TP_EXPORT = 1,
	TP_MMAP_INTERNAL,
	TP_MMAP,
	TP_PUT,
	TP_ATTACH,
	TP_DETACH,
	TP_FD,
	TP_GET,
};

struct dma_buf_tp_rec {
	__u32 event;		/* enum dma_buf_tp_event */
	__u32 tgid;
	__u64 ino;		/* dmabuf->file->f_inode->i_ino */
	__u64 size;
	__u64 attach;		/* the attachment's address (attach, detach) */
	__s32 fd;		/* fd, get */
	__u32 is_dynamic;
	char exp_name[32];
	char dev_name[32];	/* attach, detach */
};

#endif /* __DMA_BUF_TP_H */
