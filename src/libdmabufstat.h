/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabufstat: who holds how much DMA-BUF memory.
 *
 * One call takes a snapshot of every dma-buf (size, exporter, name,
 * attachments...) and of every process reference to one (fds and
 * mappings), and aggregates it per buffer, exporter, process, uid, cgroup
 * and attached device. Per process it gives Android's figures: rss, the
 * sizes of the distinct buffers the process holds by fd or mapping, and
 * pss, each of those sizes divided by the number of processes holding the
 * buffer (DMABUFSTAT_PSS). Two snapshots can be compared.
 *
 * Usage:
 *
 *	struct dmabufstat_opts opts = { .sz = sizeof(opts) };
 *	struct dmabufstat *ds = dmabufstat_new(&opts);
 *	struct dmabufstat_snapshot *snap;
 *	int err;
 *
 *	if (!ds)
 *		return -ENOMEM;
 *	err = dmabufstat_snapshot(ds, &snap);
 *	if (err) {
 *		fprintf(stderr, "Error: %s\n", dmabufstat_errmsg(ds));
 *		...
 *	}
 *	for (i = 0; i < dmabufstat_nr_buffers(snap); i++)
 *		use(dmabufstat_buffer(snap, i));
 *	dmabufstat_snapshot_free(snap);
 *	dmabufstat_free(ds);
 *
 * Errors: every int-returning function returns 0 (or a count) on success
 * and a negative errno on failure; the library never prints. The context
 * keeps a one-line, human-readable message of the last failure
 * (dmabufstat_errmsg()) and a class (dmabufstat_errclass()) that tells the
 * cases a CLI must explain apart (no privileges, no BTF, ...). libbpf's own
 * output is routed to opts.print (dropped when NULL) while the library
 * calls libbpf; libbpf_set_print() is process-wide, so do not call into
 * libdmabufstat from two threads at once.
 *
 * Objects: a struct dmabufstat (context) holds the loaded BPF programs and
 * can take any number of snapshots. A snapshot is a handful of arrays,
 * self-contained (it outlives its context) and freed by one call; the
 * structs it hands out stay valid until then. Indexes (size_t) into its
 * arrays are stable for the snapshot's life. Arrays come sorted by key:
 * buffers by inode, processes by pid, exporters by name, devices by name,
 * uids and cgroups by id. Lookups by key are O(1) (hashed).
 *
 * Strings in the structs are NUL-terminated. A buffer name may hold any
 * byte but NUL (newlines, quotes, non-UTF-8 bytes): escape on output.
 */
#ifndef __LIBDMABUFSTAT_H
#define __LIBDMABUFSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DMABUFSTAT_API __attribute__((visibility("default")))

#define DMABUFSTAT_VERSION_MAJOR 0
#define DMABUFSTAT_VERSION_MINOR 1
#define DMABUFSTAT_STR_(x)	#x
#define DMABUFSTAT_STR(x)	DMABUFSTAT_STR_(x)
/* "0.1": the project's one version string (library and tools). */
#define DMABUFSTAT_VERSION_STRING					\
	DMABUFSTAT_STR(DMABUFSTAT_VERSION_MAJOR) "."			\
	DMABUFSTAT_STR(DMABUFSTAT_VERSION_MINOR)

/* DMABUFSTAT_VERSION_STRING of the library actually linked. */
DMABUFSTAT_API const char *dmabufstat_version(void);

/* Sizes of the fixed string fields, NUL included. */
#define DMABUFSTAT_EXPORTER_LEN	64	/* exporter name */
#define DMABUFSTAT_BUFNAME_LEN	32	/* DMA_BUF_NAME_LEN */
#define DMABUFSTAT_DRIVER_LEN	32	/* resolved DRM driver */
#define DMABUFSTAT_DEVNAME_LEN	32	/* attached device */
#define DMABUFSTAT_COMM_LEN	16	/* TASK_COMM_LEN */
#define DMABUFSTAT_ATTACH_NAMES	8	/* device names kept per buffer */

/* ------------------------------------------------------------------ */
/* Backends                                                           */

/*
 * Where buffers come from. AUTO picks the first that works, in this order
 * (but see "Not permitted" below):
 *
 *  BPF_PIN   the iterator dmabufstat_pin() pinned (DIR/buffers, checked
 *            against DIR/format): nothing to load, no BTF to parse; needs
 *            read access to the pins. Pins that are missing, unreadable,
 *            not ours or of another format version are skipped (AUTO
 *            notes why and loads BPF_ITER).
 *  BPF_ITER  iter/dmabuf (bpf/dmabufstat.bpf.c); needs root (or CAP_BPF +
 *            CAP_PERFMON) and a kernel with the dma-buf iterator (upstream
 *            6.16+, or 6.12 with kernel-patches/). Everything is known.
 *  BUFINFO   debugfs /sys/kernel/debug/dma_buf/bufinfo: size, exporter,
 *            name, file count, attached devices; preferred over sysfs for
 *            that reason. No vmap count, no resolved DRM driver (except
 *            from a BPF process walk that sees the buffer). A name holding
 *            a newline is read back as well as bufinfo's text allows.
 *  SYSFS     CONFIG_DMABUF_SYSFS_STATS /sys/kernel/dmabuf/buffers/<ino>/:
 *            size and exporter only (name, file count, attachments come
 *            from the process walk where a process holds the buffer).
 *  PROCS     no buffer source at all: buffers are only those some process
 *            holds, with what the process walk reports of them; kernel-only
 *            buffers are not seen (dmabufstat_snapshot_flags() says so).
 *  REPLAY    only when named: the buffer records a run wrote to the file
 *            DMABUFSTAT_RECORD named, read back from the file
 *            DMABUFSTAT_REPLAY names (docs/record-format.md), one frame
 *            per snapshot, starting over after the last. For profiling
 *            and testing the library without the kernel.
 */
enum dmabufstat_buf_backend {
	DMABUFSTAT_BUF_AUTO = 0,
	DMABUFSTAT_BUF_BPF_ITER,
	DMABUFSTAT_BUF_BUFINFO,
	DMABUFSTAT_BUF_SYSFS,
	DMABUFSTAT_BUF_PROCS,
	DMABUFSTAT_BUF_FALLBACK,	/* AUTO without BPF: the first of
					 * BUFINFO, SYSFS, PROCS */
	DMABUFSTAT_BUF_REPLAY,
	DMABUFSTAT_BUF_BPF_PIN,
};

/*
 * Where process references come from. AUTO: BPF_PIN, BPF_TASK, else
 * PROCFS.
 *
 *  BPF_PIN   the task walks dmabufstat_pin() pinned (DIR/fds, DIR/vmas),
 *            as the BPF_PIN buffer backend.
 *  BPF_TASK  iter/task_file + iter/task_vma (bpf/dmabufstat.bpf.c): loads
 *            on any kernel with BTF, with or without the dma-buf iterator.
 *  PROCFS    /proc/<pid>/fd, fdinfo and maps: the last resort, and the one
 *            backend that runs without privileges when named (then only
 *            the caller's own processes are visible).
 *            Open files shared by several fds are recognised by fdinfo's
 *            "ino"+"pos"+"flags" only approximately: fds on one buffer in one
 *            process count once for rss anyway, which is what matters.
 *  NONE      no process walk: totals and buffers only (every buffer then
 *            counts as kernel-only; avoid unless you only want buffers).
 *  REPLAY    only when named: recorded fd and mapping records, as the
 *            REPLAY buffer backend.
 */
enum dmabufstat_proc_backend {
	DMABUFSTAT_PROC_AUTO = 0,
	DMABUFSTAT_PROC_BPF_TASK,
	DMABUFSTAT_PROC_PROCFS,
	DMABUFSTAT_PROC_NONE,
	DMABUFSTAT_PROC_REPLAY,
	DMABUFSTAT_PROC_BPF_PIN,
};

/*
 * Not permitted: when AUTO (either kind) reaches a BPF backend and loading
 * it fails for lack of privilege (EPERM, EACCES), the library does not
 * fall back: a snapshot of the caller's own processes, without the
 * kernel-only buffers, would pass for the whole machine. dmabufstat_probe()
 * fails with -EPERM, DMABUFSTAT_E_PERM, and a message saying what is
 * needed: root, or CAP_BPF and CAP_PERFMON, or the procfs backend named
 * ("procfs": FALLBACK + PROCFS) to see only the caller's own processes.
 * A kernel without BTF or without the dma-buf iterator still falls back.
 */

/* "auto", "bpf-iter", "bufinfo", "sysfs", "procs", "fallback", "replay",
 * "bpf-pin" */
DMABUFSTAT_API const char *
dmabufstat_buf_backend_name(enum dmabufstat_buf_backend b);
/* "auto", "bpf-task", "procfs", "none", "replay", "bpf-pin" */
DMABUFSTAT_API const char *
dmabufstat_proc_backend_name(enum dmabufstat_proc_backend p);

/*
 * Parses a --backend argument:
 *   "auto"                  both AUTO;
 *   "bpf"                   BPF_ITER + BPF_TASK;
 *   "bufinfo", "sysfs"      that buffer source + AUTO processes;
 *   "procfs" (or "proc")    no BPF at all: FALLBACK (the first of BUFINFO,
 *                           SYSFS, PROCS) for buffers + PROCFS;
 *   "fallback"              FALLBACK for buffers (no dma-buf iterator:
 *                           bufinfo, sysfs or procs) + AUTO processes;
 *   "replay"                REPLAY + REPLAY;
 *   "bpf-pin"               BPF_PIN + BPF_PIN (the pins, or a failure);
 *   "BUF+PROC"              both named, e.g. "sysfs+procfs",
 *                           "bufinfo+bpf-task", "bpf-iter+procfs".
 * Returns 0, or -EINVAL (nothing written) for anything else.
 */
DMABUFSTAT_API int dmabufstat_parse_backend(const char *spec,
					    enum dmabufstat_buf_backend *buf,
					    enum dmabufstat_proc_backend *proc);

/* ------------------------------------------------------------------ */
/* Context                                                            */

enum dmabufstat_log_level {
	DMABUFSTAT_LOG_WARN,
	DMABUFSTAT_LOG_INFO,
	DMABUFSTAT_LOG_DEBUG,
};

/* Receives libbpf's messages (and the library's own debug notes). */
typedef void (*dmabufstat_print_fn)(enum dmabufstat_log_level level,
				    const char *msg, void *cookie);

struct dmabufstat_opts {
	size_t sz;	/* sizeof(struct dmabufstat_opts): set it */
	enum dmabufstat_buf_backend buf_backend;	/* 0: AUTO */
	enum dmabufstat_proc_backend proc_backend;	/* 0: AUTO */
	dmabufstat_print_fn print;	/* NULL: libbpf output dropped */
	void *print_cookie;
	/* where the BPF_PIN backends and the totals look for pins (NULL:
	 * DMABUFSTAT_PIN_DIR); dmabufstat_pin() takes its own dir */
	const char *pin_dir;
	/*
	 * Forced backends (not AUTO) fail when unavailable instead of
	 * falling back. AUTO falls back and records why in
	 * dmabufstat_fallback_reason(), except when BPF is not permitted
	 * (see "Not permitted" above).
	 */
};

struct dmabufstat;

/*
 * A context. Loads nothing yet (dmabufstat_probe() or the first snapshot
 * does). NULL only when out of memory; opts may be NULL (all AUTO).
 */
DMABUFSTAT_API struct dmabufstat *
dmabufstat_new(const struct dmabufstat_opts *opts);
DMABUFSTAT_API void dmabufstat_free(struct dmabufstat *ds);

/*
 * Chooses the backends and loads what they need, so that a caller can
 * report errors and the backend before taking a snapshot. Idempotent.
 */
DMABUFSTAT_API int dmabufstat_probe(struct dmabufstat *ds);

/* The backends chosen by dmabufstat_probe() (AUTO before it ran). */
DMABUFSTAT_API enum dmabufstat_buf_backend
dmabufstat_buf_backend(const struct dmabufstat *ds);
DMABUFSTAT_API enum dmabufstat_proc_backend
dmabufstat_proc_backend(const struct dmabufstat *ds);
/* "bpf-iter+bpf-task", "bufinfo+procfs", ...; "auto" before probing. */
DMABUFSTAT_API const char *dmabufstat_backend_name(const struct dmabufstat *ds);
/*
 * Why AUTO did not get BPF_ITER+BPF_TASK ("" if it did or nothing was
 * probed), e.g. "kernel has no dma-buf iterator (no bpf_iter__dmabuf in
 * vmlinux BTF)".
 */
DMABUFSTAT_API const char *
dmabufstat_fallback_reason(const struct dmabufstat *ds);

/* Failure classes, for callers that explain what to do. */
enum dmabufstat_errclass {
	DMABUFSTAT_E_NONE = 0,
	DMABUFSTAT_E_OTHER,	/* see the errno and the message */
	DMABUFSTAT_E_PERM,	/* -EPERM: need root or CAP_BPF+CAP_PERFMON
				 * (or read access to debugfs/proc); also
				 * AUTO refusing to fall back without them */
	DMABUFSTAT_E_NO_BTF,	/* -ENOENT: no /sys/kernel/btf/vmlinux */
	DMABUFSTAT_E_NO_ITER,	/* -EOPNOTSUPP: no dma-buf iterator and the
				 * fallback is forbidden or missing */
	DMABUFSTAT_E_NO_SOURCE,	/* -ENOENT: a forced backend's files missing */
	DMABUFSTAT_E_NO_BPFFS,	/* -ENOENT/-EINVAL: pin dir not on bpffs */
	DMABUFSTAT_E_EXIST,	/* -EEXIST: a pin exists and force not set */
	DMABUFSTAT_E_NOTSUP,	/* -EOPNOTSUPP: not implemented */
};

/* One line, no trailing newline; "" if no failure yet. */
DMABUFSTAT_API const char *dmabufstat_errmsg(const struct dmabufstat *ds);
DMABUFSTAT_API enum dmabufstat_errclass
dmabufstat_errclass(const struct dmabufstat *ds);

/* ------------------------------------------------------------------ */
/* Snapshot                                                           */

struct dmabufstat_snapshot;

/* dmabufstat_buffer.flags */
#define DMABUFSTAT_BUF_HAS_NAME	0x1	/* a name was set (may be "") */
#define DMABUFSTAT_BUF_DRIVER	0x2	/* driver[] resolved from the GEM */
#define DMABUFSTAT_BUF_ATTACH_TRUNC 0x4	/* nr_attach is a lower bound */
#define DMABUFSTAT_BUF_NAMES_TRUNC 0x8	/* more devices than attach[] */
#define DMABUFSTAT_BUF_USERSPACE 0x10	/* some process holds it */

struct dmabufstat_buffer {
	uint64_t ino;		/* identity: the dma-buf file's inode */
	uint64_t size;		/* bytes */
	uint32_t flags;		/* DMABUFSTAT_BUF_* */
	char exporter[DMABUFSTAT_EXPORTER_LEN];	/* exp_name as the kernel has it */
	/* the DRM driver behind a PRIME export when resolved, else "" */
	char driver[DMABUFSTAT_DRIVER_LEN];
	char name[DMABUFSTAT_BUFNAME_LEN];	/* "" if unset */
	int64_t file_count;	/* the file's refcount; -1: unknown */
	int32_t vmap_count;	/* kernel vmaps; -1: unknown (fallbacks) */
	uint32_t nr_attach;	/* attached devices */
	uint32_t nr_attach_names;	/* entries of attach[] */
	char attach[DMABUFSTAT_ATTACH_NAMES][DMABUFSTAT_DEVNAME_LEN];

	/* aggregated over the process references */
	uint32_t nr_procs;	/* distinct processes holding it (fd or map) */
	uint32_t nr_fds;	/* fds on it, all processes */
	uint32_t nr_maps;	/* mappings of it, all processes */
	/* its holders: dmabufstat_buffer_holder(snap, index, 0..nr_procs-1) */
};

/*
 * The exporter name to show: the resolved driver if any, else the
 * kernel's exp_name.
 */
DMABUFSTAT_API const char *
dmabufstat_buffer_exporter(const struct dmabufstat_buffer *b);

struct dmabufstat_process {
	uint32_t pid;		/* tgid */
	uint32_t uid;		/* real uid */
	uint64_t cgroup_id;	/* cgroup v2 id; 0: unknown (procfs backend
				 * fills it from /proc/<pid>/cgroup where it can) */
	char comm[DMABUFSTAT_COMM_LEN];
	/* Android's figures */
	uint64_t rss;		/* sum of sizes of distinct buffers held */
	uint64_t pss;		/* sum over them of size / nr_procs, floored
				 * per buffer (see DMABUFSTAT_PSS) */
	uint32_t nr_bufs;	/* distinct buffers held by fd or mapping */
	uint32_t nr_fds;	/* dma-buf fds (dups each counted) */
	uint32_t nr_maps;	/* dma-buf mappings */
	uint32_t nr_refs;	/* dmabufstat_process_ref(snap, i, 0..nr_refs-1) */
};

/*
 * PSS rounding: a holder's share of a buffer is size / nr_procs in integer
 * bytes, floored (Android does the same integer division). Process pss is
 * the sum of its shares, so the sum of every process's pss can fall short
 * of the held bytes by less than nr_procs bytes per shared buffer; no
 * floating point anywhere, and the same snapshot always gives the same
 * figures.
 */
#define DMABUFSTAT_PSS	"floor(size / nr_procs) per buffer, in bytes"

enum dmabufstat_ref_kind {
	DMABUFSTAT_REF_FD = 1,
	DMABUFSTAT_REF_MAP = 2,
};

/* One fd or one mapping of a process. */
struct dmabufstat_ref {
	enum dmabufstat_ref_kind kind;
	uint32_t pid;		/* tgid */
	uint64_t ino;		/* the buffer */
	size_t buf;		/* its index in the snapshot's buffers */
	int32_t fd;		/* REF_FD: the fd; REF_MAP: -1 */
	uint32_t f_flags;	/* REF_FD: open flags */
	/*
	 * Opaque id of the open file: equal for dup'd fds, fds passed between
	 * processes and mappings made through one open file; 0 if unknown
	 * (procfs backend).
	 */
	uint64_t file_id;
	uint64_t start, end;	/* REF_MAP: the range */
	uint64_t offset;	/* REF_MAP: offset into the buffer, bytes */
};

/* One (buffer, process) pair: a process holding a buffer. */
struct dmabufstat_holder {
	size_t buf;		/* index of the buffer */
	size_t proc;		/* index of the process */
	uint32_t nr_fds;	/* fds of the process on the buffer */
	uint32_t nr_maps;	/* mappings of the process of the buffer */
	uint32_t nr_files;	/* distinct open files behind the fds (0 if
				 * unknown); dups and shared files count once */
	uint64_t pss;		/* this holder's share, see DMABUFSTAT_PSS */
};

struct dmabufstat_exporter {
	char name[DMABUFSTAT_EXPORTER_LEN];	/* as dmabufstat_buffer_exporter() */
	char exp_name[DMABUFSTAT_EXPORTER_LEN];	/* the kernel's name */
	bool resolved;		/* name is a resolved DRM driver */
	uint64_t count;
	uint64_t bytes;
};

struct dmabufstat_device {
	char name[DMABUFSTAT_DEVNAME_LEN];	/* attached device */
	uint64_t count;		/* buffers attached to it */
	uint64_t bytes;		/* their sizes */
};

/* Per uid and per cgroup: the same figures as a process, over a group. */
struct dmabufstat_group {
	uint64_t id;		/* uid, or cgroup id */
	uint64_t rss;		/* distinct buffers held by the group's processes */
	uint64_t pss;		/* sum of its processes' pss */
	uint32_t nr_procs;
	uint32_t nr_bufs;	/* distinct buffers */
};

/*
 * System figures: those of Android dmabuf_dump's last line (docs/android.md)
 * and the counts behind them.
 */
struct dmabufstat_system {
	uint64_t count;		/* all buffers */
	uint64_t bytes;		/* "dmabuf total" */
	uint64_t userspace_count;	/* distinct buffers some process holds */
	uint64_t userspace_bytes;
	uint64_t kernel_count;	/* buffers no process holds */
	uint64_t kernel_bytes;	/* "kernel_rss" = bytes - userspace_bytes */
	uint64_t userspace_rss;	/* sum of every process's rss */
	uint64_t userspace_pss;	/* sum of every process's pss */
	uint32_t nr_procs;	/* processes holding any buffer */
	uint32_t nr_fds;
	uint32_t nr_maps;
};

/* dmabufstat_snapshot_flags() */
#define DMABUFSTAT_SNAP_NO_KERNEL_ONLY 0x1 /* buffer source PROCS: buffers
					    * no process holds are unseen */
#define DMABUFSTAT_SNAP_NO_PROCS 0x2	/* process backend NONE */
#define DMABUFSTAT_SNAP_PARTIAL_PROCS 0x4 /* procfs: some processes were
					   * unreadable (permissions) */

/*
 * Takes a snapshot (probing first if needed). On failure *snap is NULL
 * and the context has the message.
 */
DMABUFSTAT_API int dmabufstat_snapshot(struct dmabufstat *ds,
				       struct dmabufstat_snapshot **snap);
DMABUFSTAT_API void dmabufstat_snapshot_free(struct dmabufstat_snapshot *snap);

DMABUFSTAT_API enum dmabufstat_buf_backend
dmabufstat_snapshot_buf_backend(const struct dmabufstat_snapshot *snap);
DMABUFSTAT_API enum dmabufstat_proc_backend
dmabufstat_snapshot_proc_backend(const struct dmabufstat_snapshot *snap);
/* As dmabufstat_backend_name(), for the backends this snapshot used. */
DMABUFSTAT_API const char *
dmabufstat_snapshot_backend_name(const struct dmabufstat_snapshot *snap);
DMABUFSTAT_API unsigned int
dmabufstat_snapshot_flags(const struct dmabufstat_snapshot *snap);
/* When it was taken: CLOCK_REALTIME and CLOCK_MONOTONIC, in ns. */
DMABUFSTAT_API uint64_t
dmabufstat_snapshot_realtime_ns(const struct dmabufstat_snapshot *snap);
DMABUFSTAT_API uint64_t
dmabufstat_snapshot_monotonic_ns(const struct dmabufstat_snapshot *snap);

DMABUFSTAT_API const struct dmabufstat_system *
dmabufstat_totals(const struct dmabufstat_snapshot *snap);

/* Buffers, sorted by inode. i < nr, else NULL. */
DMABUFSTAT_API size_t
dmabufstat_nr_buffers(const struct dmabufstat_snapshot *snap);
DMABUFSTAT_API const struct dmabufstat_buffer *
dmabufstat_buffer(const struct dmabufstat_snapshot *snap, size_t i);
/* By inode; NULL if absent; *index (may be NULL) gets its index. */
DMABUFSTAT_API const struct dmabufstat_buffer *
dmabufstat_find_buffer(const struct dmabufstat_snapshot *snap, uint64_t ino,
		       size_t *index);
/* Holder j (0..nr_procs-1) of buffer i, sorted by pid. */
DMABUFSTAT_API const struct dmabufstat_holder *
dmabufstat_buffer_holder(const struct dmabufstat_snapshot *snap, size_t i,
			 size_t j);

/* Processes holding at least one buffer, sorted by pid. */
DMABUFSTAT_API size_t
dmabufstat_nr_processes(const struct dmabufstat_snapshot *snap);
DMABUFSTAT_API const struct dmabufstat_process *
dmabufstat_process(const struct dmabufstat_snapshot *snap, size_t i);
DMABUFSTAT_API const struct dmabufstat_process *
dmabufstat_find_process(const struct dmabufstat_snapshot *snap, uint32_t pid,
			size_t *index);
/* Buffer j (0..nr_bufs-1) process i holds, as a holder, sorted by inode. */
DMABUFSTAT_API const struct dmabufstat_holder *
dmabufstat_process_holder(const struct dmabufstat_snapshot *snap, size_t i,
			  size_t j);
/* Reference j (0..nr_refs-1) of process i: fds by fd, then mappings by start. */
DMABUFSTAT_API const struct dmabufstat_ref *
dmabufstat_process_ref(const struct dmabufstat_snapshot *snap, size_t i,
		       size_t j);

/* Exporters (by name), attached devices (by name), uids, cgroups (by id). */
DMABUFSTAT_API size_t
dmabufstat_nr_exporters(const struct dmabufstat_snapshot *snap);
DMABUFSTAT_API const struct dmabufstat_exporter *
dmabufstat_exporter(const struct dmabufstat_snapshot *snap, size_t i);
DMABUFSTAT_API size_t
dmabufstat_nr_devices(const struct dmabufstat_snapshot *snap);
DMABUFSTAT_API const struct dmabufstat_device *
dmabufstat_device(const struct dmabufstat_snapshot *snap, size_t i);
DMABUFSTAT_API size_t dmabufstat_nr_uids(const struct dmabufstat_snapshot *snap);
DMABUFSTAT_API const struct dmabufstat_group *
dmabufstat_uid(const struct dmabufstat_snapshot *snap, size_t i);
DMABUFSTAT_API size_t
dmabufstat_nr_cgroups(const struct dmabufstat_snapshot *snap);
DMABUFSTAT_API const struct dmabufstat_group *
dmabufstat_cgroup(const struct dmabufstat_snapshot *snap, size_t i);

/* ------------------------------------------------------------------ */
/* Totals only                                                        */

/* How dmabufstat_totals_only() counted. */
enum dmabufstat_totals_path {
	DMABUFSTAT_TOTALS_PINNED = 1,	/* the pinned totals program
					 * (dmabufstat_pin()): nothing loaded */
	DMABUFSTAT_TOTALS_PROGRAM,	/* the open-coded totals program
					 * (the bpf_iter_dmabuf_* kfuncs:
					 * upstream 6.16+, or 6.12 patched) */
	DMABUFSTAT_TOTALS_BUFFERS,	/* the buffer backend's walk, summed
					 * (kernels without the kfuncs, or a
					 * backend named without BPF) */
};

struct dmabufstat_buffer_totals {
	uint64_t count;		/* every dma-buf */
	uint64_t bytes;		/* their sizes */
	enum dmabufstat_totals_path path;
};

/*
 * The count and size of every dma-buf, and nothing else: no process walk,
 * no per-buffer records, no snapshot. With the BPF buffer backends (AUTO,
 * BPF_PIN, BPF_ITER) it runs the open-coded totals program: the one
 * dmabufstat_pin() pinned (not for BPF_ITER), else (not for BPF_PIN) one
 * loaded alone (without the iterators, when the context has not loaded
 * them already); where the kernel has no kfuncs, or a backend without
 * BPF was named, it sums what the buffer backend walks (the PROCS
 * backend: the buffers some process holds).
 * 0, or a negative errno and the context's error.
 */
DMABUFSTAT_API int dmabufstat_totals_only(struct dmabufstat *ds,
					  struct dmabufstat_buffer_totals *t);

/* ------------------------------------------------------------------ */
/* meminfo-style consumers (Android libdmabufinfo / libmeminfo)       */

/*
 * Flat, self-contained copies of what Android's libdmabufinfo hands its
 * users, each in one call on a snapshot. Exporter names here are the
 * kernel's exp_name (what sysfs stats, fdinfo and Android show), not the
 * resolved DRM driver. Results are allocated by the call and freed with
 * the matching _free() (NULL is fine); they do not point into the snapshot.
 * See docs/example-meminfo.c.
 */

/* GetDmabufPerBufferStats(): every buffer, per exporter, totals. */
struct dmabufstat_meminfo_buf {
	uint64_t ino;
	uint64_t size;		/* bytes */
	char exp_name[DMABUFSTAT_EXPORTER_LEN];
};

struct dmabufstat_meminfo_exp {
	char exp_name[DMABUFSTAT_EXPORTER_LEN];
	uint32_t count;		/* buffers */
	uint64_t size;		/* bytes */
};

struct dmabufstat_meminfo_perbuf {
	struct dmabufstat_meminfo_buf *bufs;	/* by inode */
	size_t nr_bufs;
	struct dmabufstat_meminfo_exp *exporters;	/* by exp_name */
	size_t nr_exporters;
	uint32_t total_count;
	uint64_t total_size;	/* bytes */
};

/* 0 and *out set, or -ENOMEM. */
DMABUFSTAT_API int
dmabufstat_meminfo_per_buffer(const struct dmabufstat_snapshot *snap,
			      struct dmabufstat_meminfo_perbuf **out);
DMABUFSTAT_API void
dmabufstat_meminfo_per_buffer_free(struct dmabufstat_meminfo_perbuf *s);

/*
 * ReadDmaBufFdRefs() + ReadDmaBufMapRefs() for one process: each buffer
 * the process holds, with its fd and map reference counts (Android's
 * DmaBuffer fdrefs/maprefs of that pid) and this process's pss share.
 */
struct dmabufstat_meminfo_ref {
	uint64_t ino;
	uint64_t size;		/* bytes */
	char name[DMABUFSTAT_BUFNAME_LEN];	/* "" if unset */
	char exp_name[DMABUFSTAT_EXPORTER_LEN];
	uint32_t fd_refs;	/* fds of the process on it */
	uint32_t map_refs;	/* mappings of it in the process */
	uint32_t nr_procs;	/* processes holding it (DmaBuffer::pids()) */
	uint64_t pss;		/* size / nr_procs, bytes (DmaBuffer::Pss) */
};

/*
 * *refs gets *nr entries sorted by inode (free() it). A pid holding no
 * buffer gives 0 and *nr = 0 (*refs NULL). -ENOMEM on failure.
 */
DMABUFSTAT_API int
dmabufstat_meminfo_process_refs(const struct dmabufstat_snapshot *snap,
				uint32_t pid, struct dmabufstat_meminfo_ref **refs,
				size_t *nr);

/*
 * GetDmabufTotalExportedKb() and dmabuf_dump's last line, in bytes:
 * total_exported = all buffers; kernel_rss = total_exported - the bytes of
 * the distinct buffers some process holds; userspace_rss and
 * userspace_pss = sums of every process's rss and pss.
 */
struct dmabufstat_meminfo_totals {
	uint64_t total_exported;
	uint64_t kernel_rss;
	uint64_t userspace_rss;
	uint64_t userspace_pss;
};

DMABUFSTAT_API void
dmabufstat_meminfo_totals(const struct dmabufstat_snapshot *snap,
			  struct dmabufstat_meminfo_totals *t);

/*
 * GetDmabufTotalExportedKb() alone, in bytes, without a snapshot: the
 * total of dmabufstat_totals_only(). 0, or a negative errno and the
 * context's error.
 */
DMABUFSTAT_API int dmabufstat_meminfo_total_exported(struct dmabufstat *ds,
						     uint64_t *bytes);

/* ------------------------------------------------------------------ */
/* Comparing two snapshots                                            */

enum dmabufstat_change {
	DMABUFSTAT_NEW = 1,	/* only in the newer snapshot */
	DMABUFSTAT_FREED,	/* only in the older one */
	DMABUFSTAT_GROWN,	/* in both, bigger now (sizes are fixed in
				 * practice: kept for exporters that differ) */
	DMABUFSTAT_SHRUNK,
	DMABUFSTAT_CHANGED,	/* processes: same pid, other figures */
};

struct dmabufstat_buf_delta {
	enum dmabufstat_change change;
	uint64_t ino;
	uint64_t old_size;	/* 0 if NEW */
	uint64_t new_size;	/* 0 if FREED */
	/* the buffer in each snapshot, or NULL */
	const struct dmabufstat_buffer *old_buf, *new_buf;
};

struct dmabufstat_proc_delta {
	enum dmabufstat_change change;	/* NEW, FREED (gone), CHANGED */
	uint32_t pid;
	char comm[DMABUFSTAT_COMM_LEN];
	int64_t rss, pss;	/* new - old (old or new 0 when absent) */
	int32_t nr_bufs, nr_fds, nr_maps;
	const struct dmabufstat_process *old_proc, *new_proc;
};

struct dmabufstat_diff;

/*
 * Compares old with new (both must outlive the diff). Lists buffers that
 * are new, freed or changed size (sorted by inode) and processes that
 * appeared, went away or whose rss, pss, nr_bufs, nr_fds or nr_maps
 * changed (sorted by pid). Returns 0 or -ENOMEM.
 */
DMABUFSTAT_API int dmabufstat_diff(const struct dmabufstat_snapshot *old_snap,
				   const struct dmabufstat_snapshot *new_snap,
				   struct dmabufstat_diff **diff);
DMABUFSTAT_API void dmabufstat_diff_free(struct dmabufstat_diff *diff);
DMABUFSTAT_API size_t
dmabufstat_diff_nr_buffers(const struct dmabufstat_diff *diff);
DMABUFSTAT_API const struct dmabufstat_buf_delta *
dmabufstat_diff_buffer(const struct dmabufstat_diff *diff, size_t i);
DMABUFSTAT_API size_t
dmabufstat_diff_nr_processes(const struct dmabufstat_diff *diff);
DMABUFSTAT_API const struct dmabufstat_proc_delta *
dmabufstat_diff_process(const struct dmabufstat_diff *diff, size_t i);
/* new totals - old totals, field by field (signed) */
struct dmabufstat_totals_delta {
	int64_t count, bytes, userspace_bytes, kernel_bytes;
	int64_t userspace_rss, userspace_pss;
};
DMABUFSTAT_API const struct dmabufstat_totals_delta *
dmabufstat_diff_totals(const struct dmabufstat_diff *diff);

/* ------------------------------------------------------------------ */
/* Pinning into bpffs                                                 */

#define DMABUFSTAT_PIN_DIR	"/sys/fs/bpf/dmabuf"
/* file names under the dir */
#define DMABUFSTAT_PIN_BUFFERS	"buffers"
#define DMABUFSTAT_PIN_FDS	"fds"
#define DMABUFSTAT_PIN_VMAS	"vmas"
#define DMABUFSTAT_PIN_TOTALS	"totals"
#define DMABUFSTAT_PIN_FORMAT	"format"

struct dmabufstat_pin_opts {
	size_t sz;		/* sizeof(struct dmabufstat_pin_opts) */
	bool force;		/* replace existing pins */
	uint32_t mode;		/* of the pinned files; 0: leave 0600 */
	int64_t gid;		/* group of the pinned files; -1 or 0: leave */
};

/*
 * Pins what a snapshot needs under dir (NULL: DMABUFSTAT_PIN_DIR, created
 * on bpffs if missing), from a load of its own, so that reading the files
 * walks without a running daemon, and so that every later context finds
 * them (the BPF_PIN backends: nothing to load). docs/record-format.md
 * describes the records:
 *
 *   DIR/buffers   the iter/dmabuf link: a buffers stream
 *   DIR/fds       the iter/task_file link: an fds stream
 *   DIR/vmas      the iter/task_vma link: a mappings stream
 *   DIR/totals    the open-coded totals program (kernels with the
 *                 bpf_iter_dmabuf_* kfuncs only)
 *   DIR/format    an array map: struct dmabufstat_pin_info (magic, record
 *                 version, which files are there), pinned last
 *
 * Refuses (-EEXIST, DMABUFSTAT_E_EXIST) to replace an existing file unless
 * opts->force. Needs the dma-buf iterator (-EOPNOTSUPP,
 * DMABUFSTAT_E_NO_ITER, without it, or when the context was made for a
 * buffer backend without BPF) and BPF privileges.
 */
DMABUFSTAT_API int dmabufstat_pin(struct dmabufstat *ds, const char *dir,
				  const struct dmabufstat_pin_opts *opts);
/* Removes what dmabufstat_pin() pins (missing files are not an error). */
DMABUFSTAT_API int dmabufstat_unpin(struct dmabufstat *ds, const char *dir);

/*
 * Android compatibility (libdmabufinfo, dmabuf_dump): the text iterator
 * Android's bpfloader provides, from bpf/dmabuf_android.bpf.c.
 *
 *   DIR/prog_dmabufIter_iter_dmabuf   the iter/dmabuf *program*, pinned as
 *                  Android's bpfloader pins it (DIR defaults to
 *                  /sys/fs/bpf/dmabuf, so the path is Android's). A reader
 *                  does what libdmabufinfo does: bpf_obj_get() it,
 *                  bpf_link_create(prog, 0, BPF_TRACE_ITER, NULL),
 *                  bpf_iter_create(link), then read() to EOF.
 *   DIR/dmabuf_android_iter           an iterator *link* of the same
 *                  program: open() + read() (or cat) gives the same text.
 *
 * The text: four lines per buffer, in the kernel's list order,
 *
 *   <inode>            decimal, the dma-buf file's inode number
 *   <size>             decimal, bytes
 *   <name>             the buffer name, may be empty; each newline in it
 *                      is replaced by a space; other bytes (quotes,
 *                      non-UTF-8) as they are; at most 31 bytes
 *   <exporter>         exp_name, newlines replaced by spaces; never empty:
 *                      DMABUFSTAT_ANDROID_NO_EXPORTER when the kernel's
 *                      exp_name is NULL or ""
 *
 * Any read() size works: a record that does not fit in what is left of a
 * read is produced whole by the next one.
 *
 * Needs the dma-buf iterator (-EOPNOTSUPP, DMABUFSTAT_E_NO_ITER, without).
 * Refuses to replace existing files unless opts->force (-EEXIST). mode and
 * gid apply to both pins.
 */
#define DMABUFSTAT_ANDROID_PROG	"prog_dmabufIter_iter_dmabuf"
#define DMABUFSTAT_ANDROID_TEXT	"dmabuf_android_iter"
#define DMABUFSTAT_ANDROID_PIN	DMABUFSTAT_PIN_DIR "/" DMABUFSTAT_ANDROID_PROG
#define DMABUFSTAT_ANDROID_NO_EXPORTER "<unknown>"

DMABUFSTAT_API int dmabufstat_pin_android(struct dmabufstat *ds,
					  const char *dir,
					  const struct dmabufstat_pin_opts *opts);
/* Removes both pins (missing ones are not an error); DIR too if empty. */
DMABUFSTAT_API int dmabufstat_unpin_android(struct dmabufstat *ds,
					    const char *dir);

/* ------------------------------------------------------------------ */
/* Lifecycle tracking                                                 */

/*
 * dmabufstat_track_start() loads bpf/dmabuf_track.bpf.c, attaches it and
 * pins its links and maps under dir (NULL: DMABUFSTAT_TRACK_DIR), so that
 * tracking runs with no process until dmabufstat_track_stop(). For each
 * buffer exported from then on it records the exporting task (pid, tgid,
 * comm, uid, cgroup), the export time, the first fd install, and the
 * processes that imported it (dma_buf_get(), e.g. a DRM PRIME import) with
 * the devices they attached. Snapshots taken while it runs join it by
 * inode (dmabufstat_buffer_track()). Buffers exported before the start
 * have no allocator: they are marked DMABUFSTAT_TRK_BEFORE, never guessed.
 *
 * The method is chosen at start, the first that the kernel allows:
 *  TRACEPOINTS  tp_btf on the dma-buf tracepoints (upstream 7.0, or 6.12
 *               with kernel-patches/), plus fentry or a kprobe on the
 *               release where allowed;
 *  FENTRY       fentry/fexit on dma_buf_export, dma_buf_fd, dma_buf_get,
 *               dma_buf_dynamic_attach, dma_buf_detach and
 *               dma_buf_file_release (needs the function tracer);
 *  KPROBES      kprobes/kretprobes on the same (CONFIG_KPROBE_EVENTS).
 * Where the release is not seen, snapshots drop the entries of buffers the
 * walk no longer finds.
 *
 * The entries live in a hash map of opts->entries (not LRU: a buffer
 * leaked long ago is never evicted for a new one); exports it could not
 * take are counted (dropped) and those buffers show as untracked.
 */
#define DMABUFSTAT_TRACK_DIR	DMABUFSTAT_PIN_DIR "/track"
#define DMABUFSTAT_TRACK_ENTRIES 16384	/* default map size */
/* file names under the dir (docs/record-format.md, "Tracking") */
#define DMABUFSTAT_TRACK_PIN_INFO	"info"	/* format, method, start */
#define DMABUFSTAT_TRACK_PIN_BUFS	"bufs"	/* the entries, by inode */
#define DMABUFSTAT_TRACK_PIN_STATS	"stats"	/* the counters */
#define DMABUFSTAT_TRACK_PIN_STACKS	"stacks" /* user stacks (--stacks) */
#define DMABUFSTAT_TRACK_PIN_LINK	"link_"	/* + a program's name (bpffs forbids dots) */

enum dmabufstat_track_method {
	DMABUFSTAT_TRACK_OFF = 0,
	DMABUFSTAT_TRACK_TRACEPOINTS,
	DMABUFSTAT_TRACK_FENTRY,
	DMABUFSTAT_TRACK_KPROBES,
};

/* "off", "tracepoints", "fentry", "kprobes" */
DMABUFSTAT_API const char *
dmabufstat_track_method_name(enum dmabufstat_track_method m);

struct dmabufstat_track_opts {
	size_t sz;		/* sizeof(struct dmabufstat_track_opts) */
	uint32_t entries;	/* buffers tracked at most; 0: default */
	uint32_t mode;		/* of the pinned files; 0: leave 0600 */
	int64_t gid;		/* group of the pinned files; -1 or 0: leave */
	bool stacks;		/* keep each export's user stack (costs a
				 * frame-pointer walk per export, and a stack
				 * map of entries stacks of 32 frames) */
	bool no_release;	/* hook no release: the least cost per free;
				 * snapshots prune the entries instead */
};

struct dmabufstat_track_status {
	enum dmabufstat_track_method method;
	bool sees_release;	/* entries go with their buffers (else the
				 * snapshots prune them) */
	bool stacks;		/* exports keep their user stack */
	uint32_t entries;	/* entries in the map now */
	uint32_t max_entries;
	uint64_t exports;	/* entries made at export */
	uint64_t late;		/* entries made later (buffers from before) */
	uint64_t dropped;	/* entries the full map could not take */
	uint64_t released;	/* entries removed at release */
	uint64_t start_realtime_ns;	/* when tracking started */
	uint64_t start_boottime_ns;	/* the same, CLOCK_BOOTTIME */
};

/*
 * 0, or: -EEXIST (DMABUFSTAT_E_EXIST) when tracking runs already; a
 * kernel that refuses every method, or a caller without the privileges
 * (DMABUFSTAT_E_PERM), with a message naming what each method said.
 */
DMABUFSTAT_API int dmabufstat_track_start(struct dmabufstat *ds,
					  const char *dir,
					  const struct dmabufstat_track_opts *opts);
/* Detaches and unpins everything; 0 also when nothing was pinned. */
DMABUFSTAT_API int dmabufstat_track_stop(struct dmabufstat *ds,
					 const char *dir);
/*
 * 0 and *st; -ENOENT (DMABUFSTAT_E_NO_SOURCE) when not tracking; other
 * errors as pins do (foreign or other-version pins: -EPROTO).
 */
DMABUFSTAT_API int dmabufstat_track_status(struct dmabufstat *ds,
					   const char *dir,
					   struct dmabufstat_track_status *st);

/*
 * What tracking knows of a buffer in a snapshot taken while it runs
 * (dmabufstat_track_start()): joined by inode, one per buffer.
 */
#define DMABUFSTAT_TRK_EXPORT	0x1	/* its export was seen: allocator,
					 * age and export time are known */
#define DMABUFSTAT_TRK_BEFORE	0x2	/* exported before tracking started
					 * (no allocator, no age) */
#define DMABUFSTAT_TRK_UNKNOWN	0x4	/* no export seen, but the map was
					 * full at times: from before
					 * tracking, or dropped */
#define DMABUFSTAT_TRK_ALLOC_ALIVE 0x8	/* the allocating process exists
					 * (same pid and start time) */
#define DMABUFSTAT_TRK_ORPHAN	0x10	/* the allocator has exited and no
					 * process holds it by fd or mapping */
#define DMABUFSTAT_TRK_FD	0x20	/* an fd install was seen (fd_*) */
#define DMABUFSTAT_TRK_MORE_IMPORTERS 0x40 /* more than importers[] */
#define DMABUFSTAT_TRK_KEPT_BY_EXPORTER 0x80 /* keeper_pid is the allocator:
					      * no import, its export's object
					      * (e.g. a GEM handle) keeps it */
#define DMABUFSTAT_TRK_IMPORTERS 4

/* dmabufstat_importer.flags */
#define DMABUFSTAT_IMP_GET	0x1	/* it took the buffer by fd
					 * (dma_buf_get(): a DRM PRIME
					 * import, V4L2, ...) */
#define DMABUFSTAT_IMP_ATTACH	0x2	/* and attached device */
#define DMABUFSTAT_IMP_DETACHED	0x4	/* which has detached since */
#define DMABUFSTAT_IMP_ALIVE	0x8	/* the process exists */

struct dmabufstat_importer {
	uint32_t pid;		/* tgid */
	uint32_t flags;		/* DMABUFSTAT_IMP_* */
	char comm[DMABUFSTAT_COMM_LEN];
	char device[DMABUFSTAT_DEVNAME_LEN];	/* "" if none */
	uint64_t age_ns;	/* since the get or attach */
};

struct dmabufstat_buffer_track {
	uint32_t flags;		/* DMABUFSTAT_TRK_* */
	/* with DMABUFSTAT_TRK_EXPORT: the exporting task */
	uint32_t alloc_pid;	/* tgid */
	uint32_t alloc_tid;	/* the thread */
	uint32_t alloc_uid;	/* real uid */
	uint64_t alloc_cgroup_id;
	char alloc_comm[DMABUFSTAT_COMM_LEN];	/* the process's comm */
	uint64_t age_ns;	/* snapshot time - export time */
	uint64_t export_realtime_ns;	/* the export, CLOCK_REALTIME */
	/* with DMABUFSTAT_TRK_FD: the first fd install through dma_buf_fd()
	 * (udmabuf, most drivers; the dma-heaps and DRM PRIME install their
	 * fds themselves, so their buffers have none) */
	uint32_t fd_pid;
	char fd_comm[DMABUFSTAT_COMM_LEN];
	/*
	 * A buffer no process holds: the importer whose import keeps it
	 * (the latest attached one, else the latest get); with no importer,
	 * its allocator while that runs (DMABUFSTAT_TRK_KEPT_BY_EXPORTER:
	 * what it exported from, a GEM handle say, keeps it); else 0.
	 */
	uint32_t keeper_pid;
	char keeper_comm[DMABUFSTAT_COMM_LEN];
	uint32_t nr_importers;	/* entries of importers[] */
	struct dmabufstat_importer importers[DMABUFSTAT_TRK_IMPORTERS];
	/* with tracking's stacks: the export's user stack, for
	 * dmabufstat_track_stack(); 0: none */
	uint32_t stack_id;
};

/*
 * Tracking of buffer i of the snapshot; NULL when the snapshot was taken
 * without tracking (not running, or its pins unreadable).
 */
DMABUFSTAT_API const struct dmabufstat_buffer_track *
dmabufstat_buffer_track(const struct dmabufstat_snapshot *snap, size_t i);
/*
 * The user stack stack_id names (dmabufstat_buffer_track()): at most max
 * return addresses, innermost first, into ips; their number, or a negative
 * errno (-ENOENT: no such stack, or tracking without stacks).
 */
DMABUFSTAT_API int dmabufstat_track_stack(struct dmabufstat *ds,
					  const char *dir, uint32_t stack_id,
					  uint64_t *ips, size_t max);

/* The tracking status when the snapshot was taken, or NULL (off). */
DMABUFSTAT_API const struct dmabufstat_track_status *
dmabufstat_snapshot_track(const struct dmabufstat_snapshot *snap);

/*
 * Per allocating process, over the buffers of the snapshot whose export
 * was seen: allocated (what it exported and still exists) against held
 * (its rss), so that an allocator serving clients shows as one.
 */
struct dmabufstat_allocator {
	uint32_t pid;		/* tgid */
	bool alive;
	char comm[DMABUFSTAT_COMM_LEN];
	uint32_t nr_bufs;	/* buffers it allocated that exist */
	uint64_t bytes;		/* their sizes */
	uint32_t nr_orphans;	/* of which orphaned */
	uint64_t orphan_bytes;
	uint64_t held;		/* its rss: what it holds itself */
};

/* By pid; 0 when the snapshot has no tracking. */
DMABUFSTAT_API size_t
dmabufstat_nr_allocators(const struct dmabufstat_snapshot *snap);
DMABUFSTAT_API const struct dmabufstat_allocator *
dmabufstat_allocator(const struct dmabufstat_snapshot *snap, size_t i);

#ifdef __cplusplus
}
#endif

#endif /* __LIBDMABUFSTAT_H */
