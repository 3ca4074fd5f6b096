// SPDX-License-Identifier: GPL-2.0
/*
 * The dma-buf BPF iterator in both of its upstream (6.16+) forms, written
 * against the upstream ABI only, so that the same object must load on the
 * patched 6.12 kernel and on upstream kernels:
 *
 *  - dmabuf_collector: SEC("iter/dmabuf"), one fixed-size binary record per
 *    buffer (struct dmabuf_iter_rec) written with bpf_seq_write();
 *  - dmabuf_walk: SEC("syscall"), the open-coded bpf_iter_dmabuf_*() loop,
 *    run with BPF_PROG_TEST_RUN; it counts, sums sizes and records inodes.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "dmabuf_iter.h"

#define DMA_BUF_MAGIC	0x444d4142	/* "DMAB", include/uapi/linux/magic.h */

/*
 * libbpf 1.1 has no bpf_experimental.h: declare the kfuncs. Weak, so that
 * the object still opens on a kernel that has the seq_file iterator but not
 * the kfuncs; the test does not load dmabuf_walk there.
 */
extern int bpf_iter_dmabuf_new(struct bpf_iter_dmabuf *it) __weak __ksym;
extern struct dma_buf *bpf_iter_dmabuf_next(struct bpf_iter_dmabuf *it) __weak __ksym;
extern void bpf_iter_dmabuf_destroy(struct bpf_iter_dmabuf *it) __weak __ksym;

/* iter/dmabuf: calls with a buffer, and with NULL (informational only) */
__u64 iter_calls;
__u64 iter_null_calls;

SEC("iter/dmabuf")
int dmabuf_collector(struct bpf_iter__dmabuf *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct dma_buf *dmabuf = ctx->dmabuf;
	struct dmabuf_iter_rec rec;
	const char *exp, *name;

	if (!dmabuf) {
		iter_null_calls++;
		return 0;
	}

	__builtin_memset(&rec, 0, sizeof(rec));
	rec.magic = DMABUF_ITER_REC_MAGIC;
	rec.seq_num = ctx->meta->seq_num;
	rec.ino = BPF_CORE_READ(dmabuf, file, f_inode, i_ino);
	rec.size = BPF_CORE_READ(dmabuf, size);
	if (BPF_CORE_READ(dmabuf, file, f_inode, i_sb, s_magic) ==
	    DMA_BUF_MAGIC)
		rec.flags |= DMABUF_ITER_SB_MAGIC;

	exp = BPF_CORE_READ(dmabuf, exp_name);
	if (exp)
		bpf_probe_read_kernel_str(rec.exp_name, sizeof(rec.exp_name),
					  exp);

	/*
	 * The name is protected by dmabuf->name_lock, a spinlock BPF cannot
	 * take: copy it as upstream's selftest does, bounded to the 32 bytes
	 * DMA_BUF_SET_NAME_B allows.
	 */
	name = BPF_CORE_READ(dmabuf, name);
	if (name) {
		rec.flags |= DMABUF_ITER_HAS_NAME;
		bpf_probe_read_kernel_str(rec.name, sizeof(rec.name), name);
	}
	rec.check = rec.magic ^ rec.ino ^ rec.size;

	iter_calls++;
	/*
	 * A record that does not fit the seq_file buffer is dropped whole and
	 * the kernel shows this buffer again on the next read(): nothing to
	 * do about the error here.
	 */
	bpf_seq_write(seq, &rec, sizeof(rec));
	return 0;
}

/* dmabuf_walk: input */
__u64 walk_limit;		/* stop after this many buffers; 0: walk all */
/* dmabuf_walk: output */
__u64 walk_nr;
__u64 walk_bytes;
__u64 walk_inos[DMABUF_ITER_MAX_INOS];

SEC("syscall")
int dmabuf_walk(void *ctx)
{
	struct bpf_iter_dmabuf it;
	struct dma_buf *dmabuf;

	walk_nr = 0;
	walk_bytes = 0;

	/*
	 * bpf_for_each(dmabuf, ...) by hand. The counters live in .bss, not
	 * in registers, so every pass of the loop looks the same to the
	 * verifier and its states converge.
	 */
	bpf_iter_dmabuf_new(&it);
	while ((dmabuf = bpf_iter_dmabuf_next(&it))) {
		__u64 i = walk_nr;

		if (i < DMABUF_ITER_MAX_INOS)
			walk_inos[i] = BPF_CORE_READ(dmabuf, file, f_inode,
						     i_ino);
		walk_bytes += dmabuf->size;
		walk_nr = i + 1;
		/* leaving early: destroy() must drop the held buffer */
		if (walk_limit && walk_nr >= walk_limit)
			break;
	}
	bpf_iter_dmabuf_destroy(&it);
	return 0;
}

char _license[] SEC("license") = "GPL";
