/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lifecycle tracking (bpf/dmabuf_track.bpf.c): the per-buffer entries,
 * the counters and the pins' format, shared by the BPF programs and the
 * library. docs/record-format.md ("Tracking") describes them for readers
 * of the pinned maps.
 */
#ifndef __DMABUF_TRACK_H
#define __DMABUF_TRACK_H

#define DMABUF_TRACK_MAGIC	0x4b525444	/* "DTRK" in memory */
#define DMABUF_TRACK_VERSION	1
#define DMABUF_TRACK_COMM_LEN	16
#define DMABUF_TRACK_DEV_LEN	32
#define DMABUF_TRACK_IMPORTERS	4	/* importer slots per buffer */
#define DMABUF_TRACK_STACK_DEPTH 32	/* user frames kept per stack */

/* How the programs are attached (dmabuf_track_info.method). */
enum dmabuf_track_method {
	DMABUF_TRACK_TRACEPOINTS = 1,	/* tp_btf on the dma_buf_* events */
	DMABUF_TRACK_FENTRY,		/* fentry/fexit */
	DMABUF_TRACK_KPROBES,		/* kprobes/kretprobes */
};

/* dmabuf_track_info.flags */
#define DMABUF_TRACK_F_RELEASE	0x1	/* releases are seen: entries go
					 * when their buffer does */
#define DMABUF_TRACK_F_STACKS	0x2	/* exports keep their user stack */

/* The pins' format: pinned last, frozen. */
struct dmabuf_track_info {
	__u32 magic;
	__u16 version;
	__u16 method;		/* enum dmabuf_track_method */
	__u32 flags;		/* DMABUF_TRACK_F_* */
	__u32 entries;		/* the buffers map's max_entries */
	__u64 start_boot_ns;	/* CLOCK_BOOTTIME when tracking started */
	__u64 start_real_ns;	/* CLOCK_REALTIME then */
};

/* The task an event ran in. */
struct dmabuf_track_task {
	__u32 pid;		/* the thread */
	__u32 tgid;
	__u32 uid;		/* real uid */
	__u32 reserved;
	__u64 cgroup_id;	/* cgroup v2 id */
	__u64 start_boot_ns;	/* the group leader's start (tells a reused
				 * pid from the same process) */
	char comm[DMABUF_TRACK_COMM_LEN];	/* the process's (its group
						 * leader's) comm */
};

/* dmabuf_track_importer.flags */
#define DMABUF_TRACK_IMP_GET	0x1	/* dma_buf_get() by this process */
#define DMABUF_TRACK_IMP_ATTACH	0x2	/* a device attached */
#define DMABUF_TRACK_IMP_DETACHED 0x4	/* and detached since */

/* One importing process (and device). */
struct dmabuf_track_importer {
	__u64 attach;		/* the attachment's address (0: only a get) */
	__u64 time_ns;		/* boot ns of the get or attach */
	__u64 detach_ns;	/* boot ns of the detach, 0 if attached */
	__u32 tgid;
	__u32 flags;		/* DMABUF_TRACK_IMP_* */
	char comm[DMABUF_TRACK_COMM_LEN];
	char dev[DMABUF_TRACK_DEV_LEN];	/* attached device, "" if none */
};

/* dmabuf_track_buf.flags */
#define DMABUF_TRACK_B_EXPORT	0x1	/* seen at export: exporter, time */
#define DMABUF_TRACK_B_FD	0x2	/* an fd was installed */
#define DMABUF_TRACK_B_MORE_IMP	0x4	/* more importers than slots */

/* The buffers map's value, keyed by inode (__u64). */
struct dmabuf_track_buf {
	__u64 size;
	__u64 export_ns;	/* boot ns of the export (B_EXPORT) */
	__u32 flags;		/* DMABUF_TRACK_B_* */
	__u32 nr_imports;	/* importer events (gets and attaches) */
	struct dmabuf_track_task exporter;	/* with B_EXPORT */
	__u64 fd_ns;		/* first fd install (B_FD) */
	__u32 fd_tgid;
	__u32 stack_id;		/* the export's user stack in the stacks
				 * map, + 1; 0: none */
	char fd_comm[DMABUF_TRACK_COMM_LEN];
	struct dmabuf_track_importer imp[DMABUF_TRACK_IMPORTERS];
};

/* The counters (an array of one). */
struct dmabuf_track_stats {
	__u64 exports;		/* entries made at export */
	__u64 late;		/* entries made after export (buffers from
				 * before tracking) */
	__u64 dropped;		/* entries the full map could not take */
	__u64 released;		/* entries removed at release */
};

#endif /* __DMABUF_TRACK_H */
