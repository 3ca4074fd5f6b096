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

/* Records are built here: a BUF is too big for the 512-byte stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[REC_SCRATCH]);
} rec_scratch SEC(".maps");

static __always_inline char *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&rec_scratch, &zero);
}

/* dev_name(): init_name until device_add(), the kobject's name after. */
static __always_inline const char *dev_name_of(struct device *dev)
{
	const char *name = BPF_CORE_READ(dev, init_name);

	return name ?: BPF_CORE_READ(dev, kobj.name);
}

/*
 * The attached devices' names (a length byte, then the name) at buf +
 * off: the offset after them. attachments is under dmabuf->resv, which
 * BPF cannot take: the walk is bounded and reads with fault-safe copies,
 * so a concurrent detach can only make it miss or repeat an entry.
 */
static __always_inline __u32 put_attachments(char *buf, __u32 off,
					     struct dma_buf *dmabuf,
					     struct dmabufstat_buf_rec *r)
{
	unsigned long node = bpf_core_field_offset(struct dma_buf_attachment,
						   node);
	struct list_head *head, *pos;
	struct dma_buf_attachment *a;
	__u32 i, n = 0, len;

	head = (void *)dmabuf + bpf_core_field_offset(struct dma_buf,
						      attachments);
	/* most buffers have none: a direct load tells */
	if ((unsigned long)dmabuf->attachments.next == (unsigned long)head)
		goto out;
	pos = BPF_CORE_READ(dmabuf, attachments.next);
	/* two loops: names for the first few, then only count */
	for (i = 0; i < DMABUFSTAT_MAX_ATTACH_NAMES; i++) {
		if (!pos || pos == head)
			goto out;
		a = (void *)pos - node;
		len = put_str(buf, off + 1, dev_name_of(BPF_CORE_READ(a, dev)),
			      DMABUFSTAT_DEV_LEN);
		buf[off & REC_OFF_MASK] = len;
		off += 1 + len;
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
		r->desc.flags |= DMABUFSTAT_F_ATTACH_TRUNC;
out:
	if (n > DMABUFSTAT_MAX_ATTACH_NAMES) {
		r->desc.flags |= DMABUFSTAT_F_NAMES_TRUNC;
		r->nr_attach_names = DMABUFSTAT_MAX_ATTACH_NAMES;
	} else {
		r->nr_attach_names = n;
	}
	r->nr_attach = n;
	return off;
}

SEC("iter/dmabuf")
int dmabuf_buffers(struct bpf_iter__dmabuf *ctx)
{
	struct dma_buf *dmabuf = ctx->dmabuf;
	struct dmabufstat_buf_rec *r;
	char *buf;
	__u32 off;

	if (!dmabuf)
		return 0;
	buf = scratch();
	if (!buf)
		return 0;
	r = (void *)buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->hdr.type = DMABUFSTAT_REC_BUF;
	/* direct loads from the BTF pointer: faults read as 0 */
	r->ino = dmabuf->file->f_inode->i_ino;
	r->size = dmabuf->size;
	/* the iterator holds a reference on each buffer it hands out */
	r->file_count = file_count_of(dmabuf->file) - 1;
	r->vmap_count = dmabuf->vmapping_counter;
	off = put_desc(buf, sizeof(*r), dmabuf, &r->desc,
		       ctx->meta->session_id);
	off = put_attachments(buf, off, dmabuf, r);
	off = pad_rec(buf, off);
	if (off > DMABUFSTAT_REC_MAX + 8)
		return 0;
	r->hdr.size = off;
	put_head(ctx->meta, DMABUFSTAT_STREAM_BUFS);
	/* on overflow the kernel calls us again for this buffer: ignore */
	bpf_seq_write(ctx->meta->seq, buf, rec_size(off));
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
	__u32 announced;	/* its TASK record is out in this session */
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
 * The entry of (ptr, tgid) in this session if this thread reports for
 * it, else NULL. Repeated calls for the same thread (a record produced
 * again after a full buffer) find it again.
 */
static __always_inline struct seen_val *
first_reporter(struct bpf_iter_meta *meta, struct task_struct *task,
	       __u64 ptr, __u32 kind)
{
	struct seen_key key = { .ptr = ptr, .kind = kind };
	struct seen_val val = {}, *v;
	__u32 tid = BPF_CORE_READ(task, pid);

	key.tgid = BPF_CORE_READ(task, tgid);
	v = bpf_map_lookup_elem(&seen, &key);
	if (v && v->session == meta->session_id)
		return v->tid == tid ? v : NULL;
	val.session = meta->session_id;
	val.tid = tid;
	bpf_map_update_elem(&seen, &key, &val, BPF_ANY);
	return bpf_map_lookup_elem(&seen, &key);
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

/* The process's TASK record, to come before its first FD or VMA. */
static __always_inline int put_task(struct bpf_iter_meta *meta,
				    struct task_struct *task)
{
	struct task_struct *leader = task->group_leader;
	struct dmabufstat_task_rec t = {
		.hdr.type = DMABUFSTAT_REC_TASK,
		.hdr.size = sizeof(t),
	};

	t.tgid = task->tgid;
	t.pid = task->pid;
	/* objective creds: what /proc/<pid> shows as owner */
	t.uid = BPF_CORE_READ(task, real_cred, uid.val);
	t.euid = BPF_CORE_READ(task, real_cred, euid.val);
	if (bpf_core_field_exists(task->cgroups))
		t.cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	bpf_probe_read_kernel_str(t.comm, sizeof(t.comm),
				  leader ? leader->comm : task->comm);
	return bpf_seq_write(meta->seq, &t, sizeof(t));
}

/*
 * The TASK record a leader's CPU wrote last. A leader's records come one
 * after the other, so this tells most of the time that its TASK is out
 * already; after a move to another CPU, or another reader on this one,
 * the TASK just comes again.
 */
struct last_task {
	__u64 session;
	__u32 tgid;
	__u32 kind;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct last_task);
} last_task SEC(".maps");

/*
 * Writes the record of size bytes at rec for task, its TASK first unless
 * this session has it: once per process. The kernel skips threads that
 * share the leader's files; a thread sharing the leader's fd table or mm
 * (ptr, leader_ptr) is the leader's to report; the rest (a leader that
 * exited, threads of their own files or mm) go through the seen map. A
 * TASK is marked out only once the record that needs it is written too:
 * a record dropped for a full buffer is produced again, TASK and all.
 */
static __always_inline void report(struct bpf_iter_meta *meta,
				   struct task_struct *task, __u32 kind,
				   __u64 ptr, __u64 leader_ptr, void *rec,
				   __u32 size)
{
	__u32 tgid = task->tgid, zero = 0;
	struct last_task *lt = NULL;
	struct seen_val *v = NULL;
	bool out;
	int err;

	if (task->pid == tgid) {
		lt = bpf_map_lookup_elem(&last_task, &zero);
		if (!lt)
			return;
		out = lt->session == meta->session_id && lt->tgid == tgid &&
		      lt->kind == kind;
	} else if (leader_ptr && leader_ptr == ptr) {
		return;
	} else {
		v = first_reporter(meta, task, ptr, kind);
		if (!v)
			return;
		out = v->announced;
	}
	err = out ? 0 : put_task(meta, task);
	err = err ?: bpf_seq_write(meta->seq, rec, rec_size(size));
	if (err)
		return;
	if (lt) {
		lt->session = meta->session_id;
		lt->tgid = tgid;
		lt->kind = kind;
	} else if (v) {
		v->announced = 1;
	}
}

SEC("iter/task_file")
int dmabuf_fds(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct dmabufstat_fd_rec *r;
	struct dma_buf *dmabuf;
	char *buf;
	__u32 off;

	if (!task)
		return 0;
	put_head(ctx->meta, DMABUFSTAT_STREAM_FDS);
	if (!is_dmabuf_file(file))
		return 0;
	buf = scratch();
	if (!buf)
		return 0;
	r = (void *)buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->hdr.type = DMABUFSTAT_REC_FD;
	r->tgid = task->tgid;
	r->fd = ctx->fd;
	r->f_flags = file->f_flags;
	r->file_id = file_id_of(file);
	r->ino = file->f_inode->i_ino;
	dmabuf = as_dmabuf(file->private_data);
	r->size = dmabuf->size;
	off = put_desc(buf, sizeof(*r), dmabuf, &r->desc,
		       ctx->meta->session_id);
	off = pad_rec(buf, off);
	if (off > DMABUFSTAT_REC_MAX + 8)
		return 0;
	r->hdr.size = off;
	report(ctx->meta, task, SEEN_FILES, (unsigned long)task->files,
	       (unsigned long)task->group_leader->files, buf, off);
	return 0;
}

SEC("iter/task_vma")
int dmabuf_vmas(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;
	struct dmabufstat_vma_rec *r;
	struct dma_buf *dmabuf;
	struct file *file;
	char *buf;
	__u32 off;

	if (!task || !vma)
		return 0;
	put_head(ctx->meta, DMABUFSTAT_STREAM_VMAS);
	file = vma->vm_file;
	if (!is_dmabuf_file(file))
		return 0;
	buf = scratch();
	if (!buf)
		return 0;
	dmabuf = as_dmabuf(file->private_data);
	r = (void *)buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->hdr.type = DMABUFSTAT_REC_VMA;
	r->tgid = task->tgid;
	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->pgoff = vma->vm_pgoff;
	r->vm_flags = vma->vm_flags;
	r->file_id = file_id_of(file);
	r->ino = file->f_inode->i_ino;
	r->size = dmabuf->size;
	off = put_desc(buf, sizeof(*r), dmabuf, &r->desc,
		       ctx->meta->session_id);
	off = pad_rec(buf, off);
	if (off > DMABUFSTAT_REC_MAX + 8)
		return 0;
	r->hdr.size = off;
	report(ctx->meta, task, SEEN_MM, (unsigned long)vma->vm_mm,
	       (unsigned long)task->group_leader->mm, buf, off);
	return 0;
}

/*
 * Written by dmabufstat_pin() and frozen before it is pinned as "format":
 * the programs do not read it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dmabufstat_pin_info);
} pin_info SEC(".maps");

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
		bytes += dmabuf->size;
	}
	bpf_iter_dmabuf_destroy(&it);
	t->magic = DMABUFSTAT_MAGIC;
	t->version = DMABUFSTAT_REC_VERSION;
	t->count = count;
	t->bytes = bytes;
	return 0;
}

char _license[] SEC("license") = "GPL";
