// SPDX-License-Identifier: GPL-2.0
/*
 * The bench's floor: an iter/dmabuf program that writes nothing and only
 * counts the buffers it is shown. Reading its iterator to EOF costs the
 * kernel's walk of the dma-buf list and one program call per buffer, which
 * no reader of every buffer can go below.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 nr_buffers;

SEC("iter/dmabuf")
int bench_floor(struct bpf_iter__dmabuf *ctx)
{
	if (ctx->dmabuf)
		nr_buffers++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
