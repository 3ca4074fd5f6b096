// SPDX-License-Identifier: GPL-2.0
/* Every dma-buf: per-buffer records (iter/dmabuf), per-exporter totals (open-coded). */
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

/* Per-exporter totals, emptied at the start of each run. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DMABUFSTAT_MAX_EXPORTERS);
	__type(key, struct dmabufstat_exp_key);
	__type(value, struct dmabufstat_exp_val);
} exporters SEC(".maps");

struct dmabufstat_totals totals;

static long clear_exporter(struct bpf_map *map, const void *key, void *val,
			   void *ctx)
{
	bpf_map_delete_elem(map, key);
	return 0;
}

static __always_inline void account(struct dma_buf *dmabuf)
{
	struct dmabufstat_bufdesc d = {};
	struct dmabufstat_exp_key key = {};
	struct dmabufstat_exp_val zero = {}, *v;

	fill_bufdesc(dmabuf, &d);
	__builtin_memcpy(key.exp_name, d.exp_name, sizeof(key.exp_name));
	__builtin_memcpy(key.driver, d.driver, sizeof(key.driver));
	totals.count++;
	totals.bytes += d.size;

	v = bpf_map_lookup_elem(&exporters, &key);
	if (!v) {
		bpf_map_update_elem(&exporters, &key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&exporters, &key);
	}
	if (!v) {
		totals.dropped_count++;
		totals.dropped_bytes += d.size;
		return;
	}
	v->count++;
	v->bytes += d.size;
}

/*
 * Run with BPF_PROG_TEST_RUN (the kfuncs are sleepable, hence "syscall");
 * one runner at a time: results are in "exporters" and "totals".
 */
SEC("syscall")
int dmabuf_totals(void *ctx)
{
	struct bpf_iter_dmabuf it;
	struct dma_buf *dmabuf;

	bpf_for_each_map_elem(&exporters, clear_exporter, NULL, 0);
	totals.count = 0;
	totals.bytes = 0;
	totals.dropped_count = 0;
	totals.dropped_bytes = 0;

	/* bpf_for_each() by hand: libbpf 1.1 has no macro for it */
	bpf_iter_dmabuf_new(&it);
	while ((dmabuf = bpf_iter_dmabuf_next(&it)))
		account(dmabuf);
	bpf_iter_dmabuf_destroy(&it);
	totals.runs++;
	return 0;
}

char _license[] SEC("license") = "GPL";
