// SPDX-License-Identifier: GPL-2.0
/*
 * dmabufstat's one BPF object: every dma-buf (iter/dmabuf), every process's
 * dma-buf fds (iter/task_file) and mappings (iter/task_vma), and the totals
 * of all buffers from the open-coded iterator (SEC("syscall")). The loader
 * turns off what the kernel cannot load: iter/dmabuf without the dma-buf
 * iterator, the totals without the bpf_iter_dmabuf_* kfuncs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "dmabufstat.h"
#include "dmabufstat.bpf.h"

/* libbpf 1.1 has no bpf_experimental.h */
extern int bpf_iter_dmabuf_new(struct bpf_iter_dmabuf *it) __ksym __weak;
extern struct dma_buf *bpf_iter_dmabuf_next(struct bpf_iter_dmabuf *it) __ksym __weak;
extern void bpf_iter_dmabuf_destroy(struct bpf_iter_dmabuf *it) __ksym __weak;

/* The record is too big for the 512-byte stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dmabufstat_buf_rec);
} buf_scratch SEC(".maps");

/* dev_name(): init_name until device_add(), the kobject's name after. */
static __always_inline void copy_dev_name(char *dst, struct device *dev)
{
	const char *name = BPF_CORE_READ(dev, init_name);

	if (!name)
		name = BPF_CORE_READ(dev, kobj.name);
	if (name)
		bpf_probe_read_kernel_str(dst, DMABUFSTAT_DEV_LEN, name);
}

/*
 * attachments is under dmabuf->resv, which BPF cannot take: the walk is
 * bounded and reads with fault-safe copies, so a concurrent detach can
 * only make it miss or repeat an entry.
 */
static __always_inline void walk_attachments(struct dma_buf *dmabuf,
					     struct dmabufstat_buf_rec *r)
{
	unsigned long off = bpf_core_field_offset(struct dma_buf_attachment,
						  node);
	struct list_head *head, *pos;
	struct dma_buf_attachment *a;
	__u32 i, n = 0;

	head = (void *)dmabuf + bpf_core_field_offset(struct dma_buf,
						      attachments);
	pos = BPF_CORE_READ(dmabuf, attachments.next);
	/* two loops: names for the first few, then only count */
	for (i = 0; i < DMABUFSTAT_MAX_ATTACH_NAMES; i++) {
		if (!pos || pos == head)
			goto out;
		a = (void *)pos - off;
		copy_dev_name(r->attach[i], BPF_CORE_READ(a, dev));
		n++;
		pos = BPF_CORE_READ(pos, next);
	}
	for (i = DMABUFSTAT_MAX_ATTACH_NAMES; i < DMABUFSTAT_MAX_ATTACH_WALK;
	     i++) {
		if (!pos || pos == head)
			goto out;
		n++;
		pos = BPF_CORE_READ(pos, next);
	}
	if (pos && pos != head)
		r->buf.flags |= DMABUFSTAT_F_ATTACH_TRUNC;
out:
	if (n > DMABUFSTAT_MAX_ATTACH_NAMES) {
		r->buf.flags |= DMABUFSTAT_F_NAMES_TRUNC;
		r->nr_attach_names = DMABUFSTAT_MAX_ATTACH_NAMES;
	} else {
		r->nr_attach_names = n;
	}
	r->nr_attach = n;
}

SEC("iter/dmabuf")
int dmabuf_buffers(struct bpf_iter__dmabuf *ctx)
{
	struct dma_buf *dmabuf = ctx->dmabuf;
	struct dmabufstat_buf_rec *r;
	__u32 zero = 0;

	if (!dmabuf)
		return 0;
	r = bpf_map_lookup_elem(&buf_scratch, &zero);
	if (!r)
		return 0;
	__builtin_memset(r, 0, sizeof(*r));
	r->hdr.type = DMABUFSTAT_REC_BUF;
	r->hdr.version = DMABUFSTAT_REC_VERSION;
	r->hdr.size = sizeof(*r);
	r->seq_num = ctx->meta->seq_num;
	fill_bufdesc(dmabuf, &r->buf);
	/* the iterator holds a reference on each buffer it hands out */
	r->file_count = file_count_of(BPF_CORE_READ(dmabuf, file)) - 1;
	r->vmap_count = BPF_CORE_READ(dmabuf, vmapping_counter);
	walk_attachments(dmabuf, r);
	/* on overflow the kernel calls us again for this buffer: ignore */
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}

/* Set by the loader (e.g. random) so that file ids hide kernel addresses. */
const volatile __u64 id_salt;

enum { SEEN_FILES = 1, SEEN_MM = 2 };

struct seen_key {
	__u64 ptr;		/* files_struct or mm_struct */
	__u32 tgid;
	__u32 kind;		/* SEEN_* */
};

struct seen_val {
	__u64 session;		/* bpf_iter_meta.session_id */
	__u32 tid;		/* the thread that reports for the process */
	__u32 reserved;
};

/*
 * Threads sharing one fd table or mm must be reported once. The kernel
 * skips threads sharing the leader's files, but not when the leader has
 * exited, and task_vma's skip looks at files, not mm: so remember who
 * reported. LRU: stale sessions just get overwritten.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct seen_key);
	__type(value, struct seen_val);
} seen SEC(".maps");

/*
 * True if this thread reports for (ptr, tgid) in this session. Repeated
 * calls for the same thread (a record re-produced after a full buffer)
 * say true again.
 */
static __always_inline bool first_reporter(struct bpf_iter_meta *meta,
					   struct task_struct *task,
					   __u64 ptr, __u32 kind)
{
	struct seen_key key = { .ptr = ptr, .kind = kind };
	struct seen_val val = {}, *v;
	__u32 tid = BPF_CORE_READ(task, pid);

	key.tgid = BPF_CORE_READ(task, tgid);
	v = bpf_map_lookup_elem(&seen, &key);
	if (v && v->session == meta->session_id)
		return v->tid == tid;
	val.session = meta->session_id;
	val.tid = tid;
	bpf_map_update_elem(&seen, &key, &val, BPF_ANY);
	return true;
}

/* splitmix64's finaliser: a bijection, so ids stay unique. */
static __always_inline __u64 file_id_of(struct file *file)
{
	__u64 x;

	/* the verifier allows no arithmetic on a trusted pointer: copy it */
	bpf_probe_read_kernel(&x, sizeof(x), &file);
	x ^= id_salt;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static __always_inline void fill_task(struct task_struct *task,
				      struct dmabufstat_task *t)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);

	t->pid = BPF_CORE_READ(task, pid);
	t->tgid = BPF_CORE_READ(task, tgid);
	/* objective creds: what /proc/<pid> shows as owner */
	t->uid = BPF_CORE_READ(task, real_cred, uid.val);
	t->euid = BPF_CORE_READ(task, real_cred, euid.val);
	if (bpf_core_field_exists(task->cgroups))
		t->cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	bpf_probe_read_kernel_str(t->comm, sizeof(t->comm),
				  leader ? leader->comm : task->comm);
}

SEC("iter/task_file")
int dmabuf_fds(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct dmabufstat_fd_rec r;

	if (!task || !is_dmabuf_file(file))
		return 0;
	if (!first_reporter(ctx->meta, task,
			    (unsigned long)BPF_CORE_READ(task, files),
			    SEEN_FILES))
		return 0;

	__builtin_memset(&r, 0, sizeof(r));
	r.hdr.type = DMABUFSTAT_REC_FD;
	r.hdr.version = DMABUFSTAT_REC_VERSION;
	r.hdr.size = sizeof(r);
	fill_task(task, &r.task);
	r.fd = ctx->fd;
	r.f_flags = BPF_CORE_READ(file, f_flags);
	r.file_id = file_id_of(file);
	r.file_count = file_count_of(file);
	fill_bufdesc(BPF_CORE_READ(file, private_data), &r.buf);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

SEC("iter/task_vma")
int dmabuf_vmas(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;
	struct dmabufstat_vma_rec r;
	struct file *file;

	if (!task || !vma)
		return 0;
	file = BPF_CORE_READ(vma, vm_file);
	if (!is_dmabuf_file(file))
		return 0;
	if (!first_reporter(ctx->meta, task,
			    (unsigned long)BPF_CORE_READ(vma, vm_mm),
			    SEEN_MM))
		return 0;

	__builtin_memset(&r, 0, sizeof(r));
	r.hdr.type = DMABUFSTAT_REC_VMA;
	r.hdr.version = DMABUFSTAT_REC_VERSION;
	r.hdr.size = sizeof(r);
	fill_task(task, &r.task);
	r.start = BPF_CORE_READ(vma, vm_start);
	r.end = BPF_CORE_READ(vma, vm_end);
	r.pgoff = BPF_CORE_READ(vma, vm_pgoff);
	r.vm_flags = BPF_CORE_READ(vma, vm_flags);
	r.file_id = file_id_of(file);
	fill_bufdesc(BPF_CORE_READ(file, private_data), &r.buf);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}


/*
 * Totals of every buffer, run with BPF_PROG_TEST_RUN (the kfuncs are
 * sleepable, hence "syscall"). The results go into the caller's context,
 * which the kernel copies back: any number of callers at once, pinned or
 * not, each gets its own.
 */
SEC("syscall")
int dmabuf_totals(struct dmabufstat_totals *t)
{
	struct bpf_iter_dmabuf it;
	struct dma_buf *dmabuf;
	__u64 count = 0, bytes = 0;

	/* bpf_for_each() by hand: libbpf 1.1 has no macro for it */
	bpf_iter_dmabuf_new(&it);
	while ((dmabuf = bpf_iter_dmabuf_next(&it))) {
		count++;
		bytes += BPF_CORE_READ(dmabuf, size);
	}
	bpf_iter_dmabuf_destroy(&it);
	t->magic = DMABUFSTAT_MAGIC;
	t->version = DMABUFSTAT_REC_VERSION;
	t->count = count;
	t->bytes = bytes;
	return 0;
}

char _license[] SEC("license") = "GPL";
