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

	if (bpf_core_field_exists(fn->f_ref)) {
		c = BPF_CORE_READ(fn, f_ref.refcnt.counter);
		/* file_ref_read(): dead or released reads as 0 */
		return c >= FILE_REF_RELEASED ? 0 : (__s64)c + 1;
	}
	if (bpf_core_field_exists(fo->f_count))
		return BPF_CORE_READ(fo, f_count.counter);
	return -1;
}

static __always_inline bool is_dmabuf_file(struct file *file)
{
	return file && BPF_CORE_READ(file, f_inode, i_sb, s_magic) ==
		       DMA_BUF_MAGIC;
}

/*
 * A GEM PRIME export has priv == its struct drm_gem_object. Trust priv only
 * when ops is drm_prime's own, or when its release is
 * drm_gem_dmabuf_release(), which itself takes priv as a GEM object (drivers
 * with their own ops, e.g. amdgpu, i915, keep that release).
 */
static __always_inline void resolve_drm_driver(struct dma_buf *dmabuf,
					       struct dmabufstat_bufdesc *d)
{
	const struct dma_buf_ops *ops;
	struct drm_gem_object *obj;
	unsigned long rel;
	const char *name;
	bool gem = false;

	if (!bpf_core_type_exists(struct drm_gem_object) ||
	    !bpf_core_type_exists(struct drm_device) ||
	    !bpf_core_type_exists(struct drm_driver))
		return;

	ops = BPF_CORE_READ(dmabuf, ops);
	if (!ops)
		return;
	if (&drm_gem_prime_dmabuf_ops &&
	    (unsigned long)ops == (unsigned long)&drm_gem_prime_dmabuf_ops)
		gem = true;
	if (!gem && &drm_gem_dmabuf_release) {
		rel = (unsigned long)BPF_CORE_READ(ops, release);
		gem = rel == (unsigned long)&drm_gem_dmabuf_release;
	}
	if (!gem)
		return;

	obj = BPF_CORE_READ(dmabuf, priv);
	name = BPF_CORE_READ(obj, dev, driver, name);
	if (name && bpf_probe_read_kernel_str(d->driver, sizeof(d->driver),
					      name) > 1)
		d->flags |= DMABUFSTAT_F_DRIVER;
}

/* Fills d (zeroed by the caller) from a dma-buf. */
static __always_inline void fill_bufdesc(struct dma_buf *dmabuf,
					 struct dmabufstat_bufdesc *d)
{
	const char *s;

	d->ino = BPF_CORE_READ(dmabuf, file, f_inode, i_ino);
	d->size = BPF_CORE_READ(dmabuf, size);
	s = BPF_CORE_READ(dmabuf, exp_name);
	if (s)
		bpf_probe_read_kernel_str(d->exp_name, sizeof(d->exp_name), s);
	/*
	 * name is under name_lock, which BPF cannot take; a rename may free
	 * it under us. The copy is bounded and fault-safe: at worst it is
	 * stale, never out of bounds.
	 */
	s = BPF_CORE_READ(dmabuf, name);
	if (s) {
		d->flags |= DMABUFSTAT_F_HAS_NAME;
		bpf_probe_read_kernel_str(d->name, sizeof(d->name), s);
	}
	resolve_drm_driver(dmabuf, d);
}

#endif /* __DMABUFSTAT_BPF_H */
