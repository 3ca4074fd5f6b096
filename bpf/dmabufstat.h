/* SPDX-License-Identifier: GPL-2.0 */
/* Record layouts and constants shared by the BPF programs and their readers. */
#ifndef __DMABUFSTAT_H
#define __DMABUFSTAT_H

/*
 * The includer provides __u8/__u16/__u32/__u64 (vmlinux.h or
 * <linux/types.h>).
 *
 * The iterators write streams of variable-length binary records with
 * bpf_seq_write(), in the kernel's byte order; docs/record-format.md is
 * the reference. Every record starts with a struct dmabufstat_hdr whose
 * size covers the whole record (strings and padding included) and is a
 * multiple of 8; a reader steps by it. A record that does not fit the
 * seq_file buffer is produced again whole by the next read(), so reading
 * in any chunk size and concatenating gives whole records.
 *
 * A non-empty stream starts with a HEAD record (magic, version, which
 * stream): a reader refuses any other start, version or stream. Strings
 * follow a record's fixed part as bytes without a NUL, their lengths in
 * the fixed part; they may hold any other byte (buffer names can carry
 * newlines, quotes, non-UTF-8): escape on output.
 *
 *   buffers (iter/dmabuf)     HEAD, then one BUF per buffer
 *   fds (iter/task_file)      HEAD, then per process a TASK before its
 *                             first FD, one FD per dma-buf fd
 *   mappings (iter/task_vma)  HEAD, then per process a TASK before its
 *                             first VMA, one VMA per dma-buf mapping
 *
 * A TASK may come again for the same process (a reader keeps the last);
 * every FD and VMA names its process by tgid, and a reader refuses one
 * whose process it has not been told.
 */

#define DMABUFSTAT_MAGIC	0x54534244	/* "DBST" in little-endian memory */
#define DMABUFSTAT_REC_VERSION	2		/* of the records and streams */

enum dmabufstat_stream {
	DMABUFSTAT_STREAM_BUFS = 1,
	DMABUFSTAT_STREAM_FDS = 2,
	DMABUFSTAT_STREAM_VMAS = 3,
};

enum dmabufstat_rec_type {
	DMABUFSTAT_REC_HEAD = 1,	/* struct dmabufstat_head_rec */
	DMABUFSTAT_REC_BUF = 2,		/* struct dmabufstat_buf_rec + strings */
	DMABUFSTAT_REC_TASK = 3,	/* struct dmabufstat_task_rec */
	DMABUFSTAT_REC_FD = 4,		/* struct dmabufstat_fd_rec + strings */
	DMABUFSTAT_REC_VMA = 5,		/* struct dmabufstat_vma_rec + strings */
};

#define DMABUFSTAT_EXP_LEN	64	/* exporter name, NUL included */
#define DMABUFSTAT_NAME_LEN	32	/* DMA_BUF_NAME_LEN, NUL included */
#define DMABUFSTAT_DRV_LEN	32	/* resolved DRM driver name */
#define DMABUFSTAT_DEV_LEN	32	/* attached device name */
#define DMABUFSTAT_TASK_COMM_LEN 16	/* TASK_COMM_LEN; libdmabufstat.h: DMABUFSTAT_COMM_LEN */
#define DMABUFSTAT_MAX_ATTACH_NAMES 8	/* device names kept per buffer */
#define DMABUFSTAT_MAX_ATTACH_WALK 64	/* attachments counted per buffer */
/* the longest record: a BUF with every string at its longest */
#define DMABUFSTAT_REC_MAX	(48 + DMABUFSTAT_EXP_LEN + DMABUFSTAT_NAME_LEN + \
				 DMABUFSTAT_DRV_LEN + \
				 DMABUFSTAT_MAX_ATTACH_NAMES * DMABUFSTAT_DEV_LEN)

/* dmabufstat_desc.flags */
#define DMABUFSTAT_F_HAS_NAME	0x1	/* dmabuf->name was set (may be "") */
#define DMABUFSTAT_F_DRIVER	0x2	/* a driver name resolved from the GEM object */
#define DMABUFSTAT_F_ATTACH_TRUNC 0x4	/* more attachments than walked */
#define DMABUFSTAT_F_NAMES_TRUNC 0x8	/* more attachments than names kept */

struct dmabufstat_hdr {
	__u16 type;		/* enum dmabufstat_rec_type */
	__u16 size;		/* of the whole record: a multiple of 8 */
};

struct dmabufstat_head_rec {
	struct dmabufstat_hdr hdr;
	__u32 magic;		/* DMABUFSTAT_MAGIC */
	__u16 version;		/* DMABUFSTAT_REC_VERSION */
	__u16 stream;		/* enum dmabufstat_stream */
	__u32 reserved;
};

/*
 * What a record says of the strings of its buffer, which follow its fixed
 * part in this order, each of its length: the exporter (dmabuf->exp_name),
 * the name (dmabuf->name; "" if unset), the DRM driver that really
 * exported it (a GEM PRIME export: 6.12 names them all "drm"; else "").
 * Lengths are below the DMABUFSTAT_*_LEN above.
 */
struct dmabufstat_desc {
	__u32 flags;		/* DMABUFSTAT_F_* */
	__u8 exp_len;
	__u8 name_len;
	__u8 driver_len;
	__u8 reserved;
};

/*
 * iter/dmabuf: one per buffer. After the strings of desc, nr_attach_names
 * attached device names, each a __u8 length and its bytes.
 */
struct dmabufstat_buf_rec {
	struct dmabufstat_hdr hdr;
	__u32 nr_attach;	/* attachments (a lower bound if ATTACH_TRUNC) */
	__u64 ino;		/* identity: dmabuf->file->f_inode->i_ino */
	__u64 size;		/* bytes */
	/* the dma-buf file's refcount, less the iterator's own reference */
	__s64 file_count;
	__u32 vmap_count;	/* dmabuf->vmapping_counter */
	__u32 nr_attach_names;	/* device names that follow */
	struct dmabufstat_desc desc;
};

/* A process, before the first of its FD or VMA records in a stream. */
struct dmabufstat_task_rec {
	struct dmabufstat_hdr hdr;
	__u32 tgid;		/* process */
	__u32 pid;		/* thread that was iterated (usually tgid) */
	__u32 uid;		/* real uid (objective creds) */
	__u32 euid;		/* effective uid: owner of /proc/<pid> */
	__u32 reserved;
	__u64 cgroup_id;	/* cgroup v2 id (inode of its dir); 0: unknown */
	char comm[DMABUFSTAT_TASK_COMM_LEN];	/* the group leader's, NUL-padded */
};

/*
 * iter/task_file: one per dma-buf fd, once per process (threads sharing
 * the fd table are not repeated); the strings of desc follow.
 */
struct dmabufstat_fd_rec {
	struct dmabufstat_hdr hdr;
	__u32 tgid;		/* its process: a TASK came before */
	__u64 ino;
	__u64 size;
	/*
	 * Opaque id of the open file (struct file), not a kernel address:
	 * equal for dup'd fds and fds passed between processes, and equal to
	 * file_id of mappings made through that open file.
	 */
	__u64 file_id;
	__u32 fd;
	__u32 f_flags;		/* open flags */
	struct dmabufstat_desc desc;
};

/*
 * iter/task_vma: one per mapping of a dma-buf, once per address space;
 * the strings of desc follow.
 */
struct dmabufstat_vma_rec {
	struct dmabufstat_hdr hdr;
	__u32 tgid;		/* its process: a TASK came before */
	__u64 ino;
	__u64 size;
	__u64 file_id;		/* as dmabufstat_fd_rec.file_id */
	__u64 start;		/* as in /proc/<pid>/maps */
	__u64 end;
	__u64 pgoff;		/* vm_pgoff, in pages */
	__u64 vm_flags;
	struct dmabufstat_desc desc;
};

/*
 * dmabufstat_pin()'s "format" map (one entry): that the pinned files are
 * ours, of which version, and which of them were pinned.
 */
#define DMABUFSTAT_PIN_F_BUFS	0x1	/* "buffers": the iter/dmabuf link */
#define DMABUFSTAT_PIN_F_FDS	0x2	/* "fds": the iter/task_file link */
#define DMABUFSTAT_PIN_F_VMAS	0x4	/* "vmas": the iter/task_vma link */
#define DMABUFSTAT_PIN_F_TOTALS	0x8	/* "totals": the totals program */

struct dmabufstat_pin_info {
	__u32 magic;		/* DMABUFSTAT_MAGIC */
	__u16 version;		/* DMABUFSTAT_REC_VERSION */
	__u16 reserved;
	__u32 flags;		/* DMABUFSTAT_PIN_F_* */
	__u32 reserved2;
};

/*
 * The totals program's context (BPF_PROG_TEST_RUN's ctx_in, copied back):
 * the caller zeroes it, the program fills it.
 */
struct dmabufstat_totals {
	__u32 magic;		/* DMABUFSTAT_MAGIC once the program ran */
	__u16 version;		/* DMABUFSTAT_REC_VERSION */
	__u16 reserved;
	__u64 count;		/* every buffer walked */
	__u64 bytes;		/* their sizes */
};

#endif /* __DMABUFSTAT_H */
