/* SPDX-License-Identifier: GPL-2.0 */
/* BPF-side helpers shared by the dmabufstat programs: describe a dma-buf. */
#ifndef __DMABUFSTAT_BPF_H
#define __DMABUFSTAT_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "dmabufstat.h"

#define DMA_BUF_MAGIC	0x444d4142	/* "DMAB", include/uapi/linux/magic.h */

/*
 * Typeless ksyms come from kallsyms, so they resolve for static symbols
 * too (drm_gem_prime_dmabuf_ops needs CONFIG_KALLSYMS_ALL); weak: 0 on a
 * kernel without DRM, and the object still loads.
 */
extern const void drm_gem_prime_dmabuf_ops __ksym __weak;
extern const void drm_gem_dmabuf_release __ksym __weak;

/* 6.12: atomic_long_t f_count; 6.13+: file_ref_t f_ref (count - 1). */
struct file___old {
	atomic_long_t f_count;
} __attribute__((preserve_access_index));

struct file_ref___new {
	atomic_long_t refcnt;
} __attribute__((preserve_access_index));

struct file___new {
	struct file_ref___new f_ref;
} __attribute__((preserve_access_index));

#define FILE_REF_RELEASED	0xc000000000000000ULL

static __always_inline __s64 file_count_of(struct file *file)
{
	struct file___new *fn = (void *)file;
	struct file___old *fo = (void *)file;
	__u64 c;

	/* direct loads: file is a BTF pointer (faults read as 0) */
	if (bpf_core_field_exists(fn->f_ref)) {
		c = fn->f_ref.refcnt.counter;
		/* file_ref_read(): dead or released reads as 0 */
		return c >= FILE_REF_RELEASED ? 0 : (__s64)c + 1;
	}
	if (bpf_core_field_exists(fo->f_count))
		return fo->f_count.counter;
	return -1;
}

static __always_inline bool is_dmabuf_file(struct file *file)
{
	return file && file->f_inode->i_sb->s_magic == DMA_BUF_MAGIC;
}

/* A dma-buf behind a void pointer (file->private_data), as a BTF pointer. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

static __always_inline struct dma_buf *as_dmabuf(void *p)
{
	return bpf_rdonly_cast(p, bpf_core_type_id_kernel(struct dma_buf));
}

/*
 * A GEM PRIME export has priv == its struct drm_gem_object. Trust priv only
 * when ops is drm_prime's own, or when its release is
 * drm_gem_dmabuf_release(), which itself takes priv as a GEM object (drivers
 * with their own ops, e.g. amdgpu, i915, keep that release). Returns the
 * driver's name, or NULL.
 */
static __always_inline const char *drm_driver_of(struct dma_buf *dmabuf)
{
	const struct dma_buf_ops *ops;
	struct drm_gem_object *obj;
	unsigned long rel;
	bool gem = false;

	if (!bpf_core_type_exists(struct drm_gem_object) ||
	    !bpf_core_type_exists(struct drm_device) ||
	    !bpf_core_type_exists(struct drm_driver))
		return NULL;

	/* no DRM exporter on this kernel: nothing to compare with */
	if (!&drm_gem_prime_dmabuf_ops && !&drm_gem_dmabuf_release)
		return NULL;
	/* direct loads: dmabuf and its ops are BTF pointers */
	ops = dmabuf->ops;
	if (!ops)
		return NULL;
	if (&drm_gem_prime_dmabuf_ops &&
	    (unsigned long)ops == (unsigned long)&drm_gem_prime_dmabuf_ops)
		gem = true;
	if (!gem && &drm_gem_dmabuf_release) {
		rel = (unsigned long)ops->release;
		gem = rel == (unsigned long)&drm_gem_dmabuf_release;
	}
	if (!gem)
		return NULL;
	obj = BPF_CORE_READ(dmabuf, priv);
	return BPF_CORE_READ(obj, dev, driver, name);
}

/*
 * Records are built in a per-CPU scratch buffer, strings packed after the
 * fixed part at offsets the verifier can bound (masked by REC_OFF_MASK,
 * with room for the longest string after it).
 */
#define REC_SCRATCH	1024
#define REC_OFF_MASK	511
/*
 * A record's size, masked in the register that is written: 6.12's
 * verifier does not carry a bound checked on one copy of a register to
 * the other, and the compiler drops a mask it can prove useless.
 */
static __always_inline __u64 rec_size(__u64 size)
{
	asm volatile("%[size] &= 1023" : [size] "+r"(size));
	return size;
}

/* The string at src, at most max - 1 bytes, at buf + off: its length. */
static __always_inline __u32 put_str(char *buf, __u32 off, const char *src,
				     __u32 max)
{
	long n;

	if (!src)
		return 0;
	n = bpf_probe_read_kernel_str(buf + (off & REC_OFF_MASK), max, src);
	return n > 1 ? n - 1 : 0;
}

/*
 * The exporter name read last on this CPU in this walk: most buffers of a
 * walk share a few exporters (static strings that live as long as their
 * buffers), so copying the bytes from here saves reading the string. A
 * walk's session id scopes it; another walk on this CPU just refills it.
 */
struct exp_cache {
	__u64 session;
	__u64 ptr;
	__u32 len;
	__u32 reserved;
	__u64 words[DMABUFSTAT_EXP_LEN / 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exp_cache);
} exp_cache SEC(".maps");

/*
 * The exporter name at buf + off (off: the record's fixed size, a
 * constant multiple of 8, so whole words move): its length.
 */
static __always_inline __u32 put_exporter(char *buf, __u32 off,
					  const char *exp, __u64 session)
{
	__u64 *dst = (void *)(buf + off);
	struct exp_cache *ec;
	__u32 zero = 0, n, i;

	if (!exp)
		return 0;
	ec = bpf_map_lookup_elem(&exp_cache, &zero);
	if (ec && ec->session == session && ec->ptr == (unsigned long)exp) {
		for (i = 0; i < DMABUFSTAT_EXP_LEN / 8; i++)
			dst[i] = ec->words[i];
		return ec->len;
	}
	n = put_str(buf, off, exp, DMABUFSTAT_EXP_LEN);
	if (ec) {
		for (i = 0; i < DMABUFSTAT_EXP_LEN / 8; i++)
			ec->words[i] = dst[i];
		ec->len = n;
		ec->ptr = (unsigned long)exp;
		ec->session = session;
	}
	return n;
}

/*
 * A buffer's strings (exporter, name, driver) at buf + off (the fixed
 * size of the record), their lengths and flags into d (zeroed by the
 * caller): the offset after them. dmabuf
 * is a BTF pointer: its fields are direct loads. name is
 * under name_lock, which BPF cannot take; a rename may free it under us.
 * The copy is bounded and fault-safe: at worst it is stale, never out of
 * bounds.
 */
static __always_inline __u32 put_desc(char *buf, __u32 off,
				      struct dma_buf *dmabuf,
				      struct dmabufstat_desc *d, __u64 session)
{
	const char *name = dmabuf->name;
	__u32 n;

	n = put_exporter(buf, off, dmabuf->exp_name, session);
	d->exp_len = n;
	off += n;
	if (name) {
		d->flags |= DMABUFSTAT_F_HAS_NAME;
		n = put_str(buf, off, name, DMABUFSTAT_NAME_LEN);
		d->name_len = n;
		off += n;
	}
	n = put_str(buf, off, drm_driver_of(dmabuf), DMABUFSTAT_DRV_LEN);
	if (n)
		d->flags |= DMABUFSTAT_F_DRIVER;
	d->driver_len = n;
	return off + n;
}

/* Zero padding up to the next multiple of 8: the record's size. */
static __always_inline __u32 pad_rec(char *buf, __u32 off)
{
	__u32 end = (off + 7) & ~7U, i;

	for (i = 0; i < 7; i++)
		if (off + i < end)
			buf[(off + i) & REC_OFF_MASK] = 0;
	return end;
}

/* The stream's first record, before the first object's. */
static __always_inline void put_head(struct bpf_iter_meta *meta, __u16 stream)
{
	struct dmabufstat_head_rec h = {
		.hdr.type = DMABUFSTAT_REC_HEAD,
		.hdr.size = sizeof(h),
		.magic = DMABUFSTAT_MAGIC,
		.version = DMABUFSTAT_REC_VERSION,
		.stream = stream,
	};

	if (meta->seq_num == 0)
		bpf_seq_write(meta->seq, &h, sizeof(h));
}

#endif /* __DMABUFSTAT_BPF_H */
