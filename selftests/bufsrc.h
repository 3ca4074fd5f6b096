/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bufsrc: make real dma-bufs from the sources a test machine has (udmabuf,
 * dma-heaps, vgem), and read the kernel's own accounts of them (debugfs
 * bufinfo, /proc/<pid>/fdinfo) as ground truth.
 *
 * Every function returning int returns a value >= 0 on success and -errno on
 * failure. A missing device node gives -ENOENT, a DRM card that is not vgem
 * -ENODEV, so callers can tell "not on this machine" from a real error.
 */
#ifndef __BUFSRC_H
#define __BUFSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UDMABUF_DEV	"/dev/udmabuf"
#define DMA_HEAP_DIR	"/dev/dma_heap"
#define DRM_CARD_FMT	"/dev/dri/card%d"
#define DEBUGFS_DIR	"/sys/kernel/debug"
#define BUFINFO_PATH	DEBUGFS_DIR "/dma_buf/bufinfo"

/* A udmabuf over a sealed memfd; size must be a multiple of the page size. */
int udmabuf_create(size_t size);

/* A buffer from /dev/dma_heap/<heap>; the heap rounds size up to pages. */
int heap_alloc(const char *heap, size_t size);

/* Opens the first /dev/dri/card* whose driver is vgem. */
int vgem_open(void);

/* A dumb buffer of at least size bytes (page-rounded); *handle gets it. */
int vgem_create(int card_fd, size_t size, uint32_t *handle);

/* Exports a GEM handle as a read-write dma-buf fd. */
int vgem_handle_to_fd(int card_fd, uint32_t handle);

int vgem_close_handle(int card_fd, uint32_t handle);

/*
 * A vgem dma-buf held only by the returned fd: the card and the GEM handle
 * used to make it are closed again, so closing the fd frees the buffer.
 */
int vgem_export(size_t size);

/*
 * Imports a dma-buf into vgem. For a buffer vgem did not export this
 * attaches the vgem device to it and makes vgem hold a reference, so the
 * buffer outlives every fd until the handle or card_fd is closed.
 */
int vgem_import(int card_fd, int dmabuf_fd, uint32_t *handle);

/* DMA_BUF_SET_NAME_B: at most DMA_BUF_NAME_LEN - 1 bytes. */
int dmabuf_set_name(int fd, const char *name);

/* The buffer's identity (its inode number), or 0 with errno set. */
unsigned long ino_of_fd(int fd);

/* Is any dma-buf source on this machine: udmabuf, a dma-heap, a DRM card? */
bool have_buffer_source(void);

/* True if fd is a dma-buf (its file system's magic is DMA_BUF_MAGIC). */
bool is_dmabuf_fd(int fd);

/* One buffer of debugfs dma_buf/bufinfo. */
struct bufinfo_buf {
	unsigned long long size;
	unsigned int flags;	/* file f_flags */
	unsigned int mode;	/* file f_mode */
	long count;		/* file refcount */
	char exp_name[64];
	unsigned long ino;
	bool has_name;		/* the kernel printed "<none>" if false */
	char name[64];
	int nr_attached;
	char **attached;	/* device names of the attachments */
};

struct bufinfo {
	struct bufinfo_buf *bufs;
	int nr;
	int total_objects;	/* from the "Total N objects" line */
	unsigned long long total_bytes;
};

/* -ENOENT when debugfs is not mounted or has no dma_buf directory. */
int bufinfo_read(struct bufinfo *bi);
const struct bufinfo_buf *bufinfo_find(const struct bufinfo *bi,
				       unsigned long ino);
void bufinfo_free(struct bufinfo *bi);

/* The dma-buf part of /proc/<pid>/fdinfo/<fd>. */
struct dmabuf_fdinfo {
	unsigned long ino;
	unsigned long long size;
	long count;		/* refcount, less procfs' temporary one */
	unsigned int flags;	/* open flags */
	char exp_name[64];
	bool has_name;
	char name[64];
};

/* -EINVAL when the fd is not a dma-buf. */
int fdinfo_read(pid_t pid, int fd, struct dmabuf_fdinfo *fi);

#endif /* __BUFSRC_H */
