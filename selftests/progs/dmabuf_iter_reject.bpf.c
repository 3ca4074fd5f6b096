// SPDX-License-Identifier: GPL-2.0
/*
 * The open-coded dma-buf iterator's kfuncs are KF_SLEEPABLE (the walk takes
 * a mutex): the verifier must refuse them in programs that cannot sleep.
 * Each program here is loaded on its own by prog_tests/dmabuf_iter.c:
 *
 *  - reject_iter (iter/dmabuf) and reject_raw_tp (raw_tp) must fail to load;
 *  - accept_iter_s (iter.s/dmabuf), the same loop in a sleepable program, is
 *    the control: it loads, and attaches because the dmabuf target has
 *    BPF_ITER_RESCHED.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int bpf_iter_dmabuf_new(struct bpf_iter_dmabuf *it) __weak __ksym;
extern struct dma_buf *bpf_iter_dmabuf_next(struct bpf_iter_dmabuf *it) __weak __ksym;
extern void bpf_iter_dmabuf_destroy(struct bpf_iter_dmabuf *it) __weak __ksym;

__u64 nr_bufs;
__u64 nr_bytes;

/*
 * dmabuf_walk's loop. It must read a field of struct dma_buf: with only a
 * forward declaration in this object's BTF, libbpf 1.1 finds the kfunc
 * prototypes incompatible with the kernel's and refuses to load at all.
 */
static __always_inline void count_bufs(void)
{
	struct bpf_iter_dmabuf it;
	struct dma_buf *dmabuf;

	nr_bufs = 0;
	nr_bytes = 0;
	bpf_iter_dmabuf_new(&it);
	while ((dmabuf = bpf_iter_dmabuf_next(&it))) {
		nr_bufs++;
		nr_bytes += dmabuf->size;
	}
	bpf_iter_dmabuf_destroy(&it);
}

SEC("iter/dmabuf")
int reject_iter(struct bpf_iter__dmabuf *ctx)
{
	count_bufs();
	return 0;
}

SEC("raw_tp")
int reject_raw_tp(void *ctx)
{
	count_bufs();
	return 0;
}

SEC("iter.s/dmabuf")
int accept_iter_s(struct bpf_iter__dmabuf *ctx)
{
	struct seq_file *seq = ctx->meta->seq;

	/* one walk, from the first buffer's call: its count is the output */
	if (!ctx->dmabuf || ctx->meta->seq_num)
		return 0;
	count_bufs();
	bpf_seq_write(seq, &nr_bufs, sizeof(nr_bufs));
	return 0;
}

char _license[] SEC("license") = "GPL";
