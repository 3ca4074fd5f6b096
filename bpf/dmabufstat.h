/* SPDX-License-Identifier: GPL-2.0 */
/* Record layouts and constants shared by the BPF programs and their loader. */
#ifndef __DMABUFSTAT_H
#define __DMABUFSTAT_H

/*
 * The includer provides __u16/__u32/__u64 (vmlinux.h or <linux/types.h>).
 *
 * Iterators write fixed-size binary records with bpf_seq_write(): a reader
 * checks hdr.type, hdr.version and hdr.size, then steps by hdr.size. A
 * record that does not fit the seq_file buffer is produced again whole by
 * the next read(), so records never straddle in a broken way; reading in
 * any chunk size and concatenating gives whole records.
 *
 * Strings are NUL-terminated and NUL-padded; they may hold any other byte
 * (buffer names can carry newlines, quotes, non-UTF-8): escape on output.
 */

#define DMABUFSTAT_REC_VERSION	1
#define DMABUFSTAT_MAGIC	0x54534244	/* "DBST" in little-endian memory */

enum dmabufstat_rec_type {
	DMABUFSTAT_REC_BUF = 1,		/* struct dmabufstat_buf_rec */
	DMABUFSTAT_REC_FD = 2,		/* struct dmabufstat_fd_rec */
	DMABUFSTAT_REC_VMA = 3,		/* struct dmabufstat_vma_rec */
};

#define DMABUFSTAT_EXP_LEN	64	/* exporter name, NUL included */
#define DMABUFSTAT_NAME_LEN	32	/* DMA_BUF_NAME_LEN, NUL included */
#define DMABUFSTAT_DRV_LEN	32	/* resolved DRM driver name */
#define DMABUFSTAT_DEV_LEN	32	/* attached device name */
#define DMABUFSTAT_TASK_COMM_LEN 16	/* TASK_COMM_LEN; libdmabufstat.h: DMABUFSTAT_COMM_LEN */
#define DMABUFSTAT_MAX_ATTACH_NAMES 8	/* device names kept per buffer */
#define DMABUFSTAT_MAX_ATTACH_WALK 64	/* attachments counted per buffer */

/* dmabufstat_bufdesc.flags */
#define DMABUFSTAT_F_HAS_NAME	0x1	/* dmabuf->name was set (may be "") */
#define DMABUFSTAT_F_DRIVER	0x2	/* driver[] resolved from the GEM object */
#define DMABUFSTAT_F_ATTACH_TRUNC 0x4	/* more attachments than walked */
#define DMABUFSTAT_F_NAMES_TRUNC 0x8	/* more attachments than names kept */

struct dmabufstat_hdr {
	__u16 type;		/* enum dmabufstat_rec_type */
	__u16 version;		/* DMABUFSTAT_REC_VERSION */
	__u32 size;		/* of the whole record, this header included */
};

/* What every record says about the buffer itself. */
struct dmabufstat_bufdesc {
	__u64 ino;		/* identity: dmabuf->file->f_inode->i_ino */
	__u64 size;		/* bytes */
	__u32 flags;		/* DMABUFSTAT_F_* */
	__u32 reserved;
	char exp_name[DMABUFSTAT_EXP_LEN];	/* dmabuf->exp_name, as is */
	char name[DMABUFSTAT_NAME_LEN];		/* dmabuf->name, "" if unset */
	/*
	 * The DRM driver that really exported it, when the buffer is a GEM
	 * PRIME export (6.12 names all of them "drm"); "" otherwise.
	 */
	char driver[DMABUFSTAT_DRV_LEN];
};

/* iter/dmabuf: one per buffer. */
struct dmabufstat_buf_rec {
	struct dmabufstat_hdr hdr;
	struct dmabufstat_bufdesc buf;
	__u64 seq_num;		/* bpf_iter_meta's: 0, 1, 2... */
	/* the dma-buf file's refcount, less the iterator's own reference */
	__s64 file_count;
	__u32 vmap_count;	/* dmabuf->vmapping_counter */
	__u32 nr_attach;	/* attachments (a lower bound if ATTACH_TRUNC) */
	__u32 nr_attach_names;	/* entries of attach[] filled */
	__u32 reserved;
	char attach[DMABUFSTAT_MAX_ATTACH_NAMES][DMABUFSTAT_DEV_LEN];
};

/* Who holds a reference (task_file and task_vma records). */
struct dmabufstat_task {
	__u32 pid;		/* thread that was iterated (usually tgid) */
	__u32 tgid;		/* process */
	__u32 uid;		/* real uid (objective creds) */
	__u32 euid;		/* effective uid: owner of /proc/<pid> */
	__u64 cgroup_id;	/* cgroup v2 id (inode of its dir); 0: unknown */
	char comm[DMABUFSTAT_TASK_COMM_LEN];	/* the process' (group leader's) */
};

/*
 * iter/task_file: one per dma-buf fd, once per process (threads sharing
 * the fd table are not repeated).
 */
struct dmabufstat_fd_rec {
	struct dmabufstat_hdr hdr;
	struct dmabufstat_task task;
	__u32 fd;
	__u32 f_flags;		/* open flags */
	/*
	 * Opaque id of the open file (struct file), not a kernel address:
	 * equal for dup'd fds and fds passed between processes, and equal to
	 * file_id of mappings made through that open file.
	 */
	__u64 file_id;
	__s64 file_count;	/* the file's refcount */
	struct dmabufstat_bufdesc buf;
};

/* iter/task_vma: one per mapping of a dma-buf, once per address space. */
struct dmabufstat_vma_rec {
	struct dmabufstat_hdr hdr;
	struct dmabufstat_task task;
	__u64 start;		/* as in /proc/<pid>/maps */
	__u64 end;
	__u64 pgoff;		/* vm_pgoff, in pages */
	__u64 vm_flags;
	__u64 file_id;		/* as dmabufstat_fd_rec.file_id */
	struct dmabufstat_bufdesc buf;
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
