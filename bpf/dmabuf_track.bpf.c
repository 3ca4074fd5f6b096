// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle tracking, apart from the walks (bpf/dmabufstat.bpf.c) so that
 * they do not pay for it: who exported each dma-buf and when, who first
 * installed an fd for it, which processes imported it (dma_buf_get) and
 * which devices they attached. One entry per buffer in a hash map keyed by
 * inode, removed at release where the kernel lets that be seen.
 *
 * Three sets of programs record the same events; the loader turns on one
 * set: the dma-buf tracepoints (upstream 7.0, or 6.12 with
 * kernel-patches/), else fentry/fexit, else kprobes. The release hook
 * (there is no release tracepoint) is fentry or a kprobe on
 * dma_buf_file_release(), also beside the tracepoints, where allowed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "dmabuf_track.h"

char LICENSE[] SEC("license") = "GPL";

#define E2BIG	7
#define ENOMEM	12

/* Not LRU: a buffer leaked long ago must never be the first evicted.
 * The loader sets max_entries (--entries). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct dmabuf_track_buf);
} track_bufs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dmabuf_track_stats);
} track_stats SEC(".maps");

/* Written by the loader, then frozen and pinned last. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dmabuf_track_info);
} track_info SEC(".maps");

/* The exports' user stacks (with DMABUF_TRACK_F_STACKS; the loader sizes
 * it, or leaves it at one entry, unused). */
const volatile bool want_stacks;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, DMABUF_TRACK_STACK_DEPTH * sizeof(__u64));
} track_stacks SEC(".maps");

/* A new entry is built here: it is too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dmabuf_track_buf);
} track_scratch SEC(".maps");

static __always_inline struct dmabuf_track_stats *stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&track_stats, &zero);
}

static __always_inline bool is_err(const void *p)
{
	return !p || (unsigned long)p >= (unsigned long)-4095;
}

/*
 * btf: the program is tp_btf or fentry/fexit, whose pointers the verifier
 * knows by their BTF type: plain loads (fault-safe, and much cheaper than
 * a probe-read helper call each). kprobes read through the helpers. The
 * flag is a constant at every call, so each program keeps one branch.
 */
static __always_inline __u64 ino_of(struct dma_buf *dmabuf, bool btf)
{
	if (btf)
		return dmabuf->file->f_inode->i_ino;
	return BPF_CORE_READ(dmabuf, file, f_inode, i_ino);
}

/* The process's name (its group leader's comm), as ps shows it: a
 * thread may have named itself otherwise. */
static __always_inline void process_comm(char *dst, bool btf)
{
	struct task_struct *leader;

	if (btf) {
		leader = bpf_get_current_task_btf()->group_leader;
		__builtin_memcpy(dst, leader->comm, DMABUF_TRACK_COMM_LEN);
		dst[DMABUF_TRACK_COMM_LEN - 1] = '\0';
		return;
	}
	leader = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(),
			       group_leader);
	bpf_probe_read_kernel_str(dst, DMABUF_TRACK_COMM_LEN, &leader->comm);
}

static __always_inline void current_task(struct dmabuf_track_task *t,
					 bool btf)
{
	__u64 id = bpf_get_current_pid_tgid();

	t->pid = (__u32)id;
	t->tgid = id >> 32;
	t->uid = (__u32)bpf_get_current_uid_gid();
	t->cgroup_id = bpf_get_current_cgroup_id();
	if (btf)
		t->start_boot_ns =
			bpf_get_current_task_btf()->group_leader->start_boottime;
	else
		t->start_boot_ns = BPF_CORE_READ(
			(struct task_struct *)bpf_get_current_task(),
			group_leader, start_boottime);
	process_comm(t->comm, btf);
}

/* A zeroed entry of dmabuf's size, in this CPU's scratch. */
static __always_inline struct dmabuf_track_buf *blank(struct dma_buf *dmabuf,
						     bool btf)
{
	struct dmabuf_track_buf *b;
	__u32 zero = 0;

	b = bpf_map_lookup_elem(&track_scratch, &zero);
	if (!b)
		return NULL;
	__builtin_memset(b, 0, sizeof(*b));
	b->size = btf ? dmabuf->size : BPF_CORE_READ(dmabuf, size);
	return b;
}

static __always_inline int insert(__u64 ino, struct dmabuf_track_buf *b,
				  __u64 flags)
{
	struct dmabuf_track_stats *s = stats();
	int err;

	err = bpf_map_update_elem(&track_bufs, &ino, b, flags);
	if (err == -E2BIG || err == -ENOMEM) {
		if (s)
			__sync_fetch_and_add(&s->dropped, 1);
	}
	return err;
}

static __always_inline void on_export(void *ctx, struct dma_buf *dmabuf,
				      bool btf)
{
	struct dmabuf_track_stats *s;
	struct dmabuf_track_buf *b;
	__u64 ino = ino_of(dmabuf, btf);
	long id;

	b = blank(dmabuf, btf);
	if (!b || !ino)
		return;
	b->flags = DMABUF_TRACK_B_EXPORT;
	b->export_ns = bpf_ktime_get_boot_ns();
	current_task(&b->exporter, btf);
	if (want_stacks) {
		id = bpf_get_stackid(ctx, &track_stacks, BPF_F_USER_STACK);
		b->stack_id = id >= 0 ? id + 1 : 0;
	}
	/* BPF_ANY: an entry under this inode is a buffer whose release
	 * was not seen */
	if (!insert(ino, b, BPF_ANY)) {
		s = stats();
		if (s)
			__sync_fetch_and_add(&s->exports, 1);
	}
}

/* The entry of a buffer, made (without exporter) if tracking missed its
 * export: it existed before tracking started. */
static __always_inline struct dmabuf_track_buf *entry(struct dma_buf *dmabuf,
						     bool btf)
{
	struct dmabuf_track_stats *s;
	struct dmabuf_track_buf *b;
	__u64 ino = ino_of(dmabuf, btf);

	if (!ino)
		return NULL;
	b = bpf_map_lookup_elem(&track_bufs, &ino);
	if (b)
		return b;
	b = blank(dmabuf, btf);
	if (!b)
		return NULL;
	if (!insert(ino, b, BPF_NOEXIST)) {
		s = stats();
		if (s)
			__sync_fetch_and_add(&s->late, 1);
	}
	return bpf_map_lookup_elem(&track_bufs, &ino);
}

static __always_inline void on_fd(struct dma_buf *dmabuf, bool btf)
{
	struct dmabuf_track_buf *b = entry(dmabuf, btf);

	if (!b || (b->flags & DMABUF_TRACK_B_FD))
		return;
	b->fd_ns = bpf_ktime_get_boot_ns();
	b->fd_tgid = bpf_get_current_pid_tgid() >> 32;
	process_comm(b->fd_comm, btf);
	b->flags |= DMABUF_TRACK_B_FD;
}

static __always_inline void fill_importer(struct dmabuf_track_importer *imp,
					  __u32 tgid, __u64 attach,
					  struct device *dev)
{
	bool was_get = imp->tgid == tgid && !imp->attach &&
		       (imp->flags & DMABUF_TRACK_IMP_GET);
	const char *name;

	imp->tgid = tgid;
	imp->time_ns = bpf_ktime_get_boot_ns();
	imp->detach_ns = 0;
	imp->attach = attach;
	imp->dev[0] = '\0';
	process_comm(imp->comm, false);
	if (!attach) {
		imp->flags = DMABUF_TRACK_IMP_GET;
		return;
	}
	imp->flags = DMABUF_TRACK_IMP_ATTACH |
		     (was_get ? DMABUF_TRACK_IMP_GET : 0);
	name = BPF_CORE_READ(dev, init_name);
	if (!name)
		name = BPF_CORE_READ(dev, kobj.name);
	if (name)
		bpf_probe_read_kernel_str(imp->dev, sizeof(imp->dev), name);
}

/*
 * A get (attach 0) or an attach by the current process. One slot per
 * process's get, taken over by its first attach; one per attachment
 * (dma_buf_attach() and dma_buf_dynamic_attach() may both report it);
 * detached slots are reused when the others are taken.
 */
static __always_inline void on_import(struct dma_buf *dmabuf, __u64 attach,
				      struct device *dev)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct dmabuf_track_buf *b = entry(dmabuf, false);
	int i, free_slot = -1, reuse = -1;

	if (!b)
		return;
	__sync_fetch_and_add(&b->nr_imports, 1);
	for (i = 0; i < DMABUF_TRACK_IMPORTERS; i++) {
		struct dmabuf_track_importer *imp = &b->imp[i];

		if (!imp->tgid) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (attach && imp->attach == attach)
			return;
		if (imp->tgid == tgid && !attach)
			return;
		if (imp->tgid == tgid && attach && !imp->attach) {
			fill_importer(imp, tgid, attach, dev);
			return;
		}
		if ((imp->flags & DMABUF_TRACK_IMP_DETACHED) && reuse < 0)
			reuse = i;
	}
	if (free_slot < 0)
		free_slot = reuse;
	if (free_slot < 0 || free_slot >= DMABUF_TRACK_IMPORTERS) {
		b->flags |= DMABUF_TRACK_B_MORE_IMP;
		return;
	}
	fill_importer(&b->imp[free_slot], tgid, attach, dev);
}

static __always_inline void on_detach(struct dma_buf *dmabuf, __u64 attach)
{
	__u64 ino = ino_of(dmabuf, false);
	struct dmabuf_track_buf *b;
	int i;

	b = bpf_map_lookup_elem(&track_bufs, &ino);
	if (!b)
		return;
	for (i = 0; i < DMABUF_TRACK_IMPORTERS; i++) {
		if (b->imp[i].attach != attach)
			continue;
		b->imp[i].flags |= DMABUF_TRACK_IMP_DETACHED;
		b->imp[i].detach_ns = bpf_ktime_get_boot_ns();
	}
}

static __always_inline void on_release(struct inode *inode, bool btf)
{
	struct dmabuf_track_stats *s;
	__u64 ino = btf ? inode->i_ino : BPF_CORE_READ(inode, i_ino);

	if (!bpf_map_delete_elem(&track_bufs, &ino)) {
		s = stats();
		if (s)
			__sync_fetch_and_add(&s->released, 1);
	}
}

/* -- tracepoints (include/trace/events/dma_buf.h) ------------------- */

SEC("tp_btf/dma_buf_export")
int BPF_PROG(tp_export, struct dma_buf *dmabuf)
{
	on_export(ctx, dmabuf, true);
	return 0;
}

SEC("tp_btf/dma_buf_fd")
int BPF_PROG(tp_fd, struct dma_buf *dmabuf, int fd)
{
	on_fd(dmabuf, true);
	return 0;
}

SEC("tp_btf/dma_buf_get")
int BPF_PROG(tp_get, struct dma_buf *dmabuf, int fd)
{
	on_import(dmabuf, 0, NULL);
	return 0;
}

SEC("tp_btf/dma_buf_dynamic_attach")
int BPF_PROG(tp_attach, struct dma_buf *dmabuf,
	     struct dma_buf_attachment *attach, bool is_dynamic,
	     struct device *dev)
{
	on_import(dmabuf, (__u64)attach, dev);
	return 0;
}

SEC("tp_btf/dma_buf_detach")
int BPF_PROG(tp_detach, struct dma_buf *dmabuf,
	     struct dma_buf_attachment *attach, bool is_dynamic,
	     struct device *dev)
{
	on_detach(dmabuf, (__u64)attach);
	return 0;
}

/* -- fentry/fexit --------------------------------------------------- */

SEC("fexit/dma_buf_export")
int BPF_PROG(fx_export, const struct dma_buf_export_info *info,
	     struct dma_buf *ret)
{
	if (!is_err(ret))
		on_export(ctx, ret, true);
	return 0;
}

SEC("fexit/dma_buf_fd")
int BPF_PROG(fx_fd, struct dma_buf *dmabuf, int flags, int ret)
{
	if (ret >= 0)
		on_fd(dmabuf, true);
	return 0;
}

SEC("fexit/dma_buf_get")
int BPF_PROG(fx_get, int fd, struct dma_buf *ret)
{
	if (!is_err(ret))
		on_import(ret, 0, NULL);
	return 0;
}

SEC("fexit/dma_buf_dynamic_attach")
int BPF_PROG(fx_attach, struct dma_buf *dmabuf, struct device *dev,
	     const struct dma_buf_attach_ops *ops, void *priv,
	     struct dma_buf_attachment *ret)
{
	if (!is_err(ret))
		on_import(dmabuf, (__u64)ret, dev);
	return 0;
}

SEC("fentry/dma_buf_detach")
int BPF_PROG(fe_detach, struct dma_buf *dmabuf,
	     struct dma_buf_attachment *attach)
{
	on_detach(dmabuf, (__u64)attach);
	return 0;
}

SEC("fentry/dma_buf_file_release")
int BPF_PROG(fe_release, struct inode *inode, struct file *file)
{
	on_release(inode, true);
	return 0;
}

/* -- kprobes -------------------------------------------------------- */

SEC("kretprobe/dma_buf_export")
int BPF_KRETPROBE(kr_export, struct dma_buf *ret)
{
	if (!is_err(ret))
		on_export(ctx, ret, false);
	return 0;
}

/* on entry: the fd is installed unless the fd table is full */
SEC("kprobe/dma_buf_fd")
int BPF_KPROBE(kp_fd, struct dma_buf *dmabuf)
{
	on_fd(dmabuf, false);
	return 0;
}

SEC("kretprobe/dma_buf_get")
int BPF_KRETPROBE(kr_get, struct dma_buf *ret)
{
	if (!is_err(ret))
		on_import(ret, 0, NULL);
	return 0;
}

SEC("kretprobe/dma_buf_dynamic_attach")
int BPF_KRETPROBE(kr_attach, struct dma_buf_attachment *ret)
{
	if (!is_err(ret))
		on_import(BPF_CORE_READ(ret, dmabuf), (__u64)ret,
			  BPF_CORE_READ(ret, dev));
	return 0;
}

SEC("kprobe/dma_buf_detach")
int BPF_KPROBE(kp_detach, struct dma_buf *dmabuf,
	       struct dma_buf_attachment *attach)
{
	on_detach(dmabuf, (__u64)attach);
	return 0;
}

SEC("kprobe/dma_buf_file_release")
int BPF_KPROBE(kp_release, struct inode *inode)
{
	on_release(inode, false);
	return 0;
}
