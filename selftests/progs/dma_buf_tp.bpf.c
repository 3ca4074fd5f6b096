// SPDX-License-Identifier: GPL-2.0
/*
 * tp_btf programs on every dma_buf tracepoint (kernel-patches/0007, Linux
 * 7.0+): each event of the test's own process goes to a ring buffer with
 * what the tracepoint's arguments say, read from the buffer itself.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "dma_buf_tp.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tgid;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

static __always_inline void report(__u32 event, struct dma_buf *dmabuf,
		   struct dma_buf_attachment *attach, bool is_dynamic,
		   struct device *dev, int fd)
{
	struct dma_buf_tp_rec *r;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (tgid != target_tgid)
		return;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	r->event = event;
	r->tgid = tgid;
	r->ino = BPF_CORE_READ(dmabuf, file, f_inode, i_ino);
	r->size = BPF_CORE_READ(dmabuf, size);
	r->attach = (__u64)attach;
	r->fd = fd;
	r->is_dynamic = is_dynamic;
	bpf_probe_read_kernel_str(r->exp_name, sizeof(r->exp_name),
				  BPF_CORE_READ(dmabuf, exp_name));
	if (dev)
		bpf_probe_read_kernel_str(r->dev_name, sizeof(r->dev_name),
					  BPF_CORE_READ(dev, kobj.name));
	bpf_ringbuf_submit(r, 0);
}

SEC("tp_btf/dma_buf_export")
int BPF_PROG(on_export, struct dma_buf *dmabuf)
{
	report(TP_EXPORT, dmabuf, NULL, false, NULL, -1);
	return 0;
}

SEC("tp_btf/dma_buf_mmap_internal")
int BPF_PROG(on_mmap_internal, struct dma_buf *dmabuf)
{
	report(TP_MMAP_INTERNAL, dmabuf, NULL, false, NULL, -1);
	return 0;
}

SEC("tp_btf/dma_buf_mmap")
int BPF_PROG(on_mmap, struct dma_buf *dmabuf)
{
	report(TP_MMAP, dmabuf, NULL, false, NULL, -1);
	return 0;
}

SEC("tp_btf/dma_buf_put")
int BPF_PROG(on_put, struct dma_buf *dmabuf)
{
	report(TP_PUT, dmabuf, NULL, false, NULL, -1);
	return 0;
}

SEC("tp_btf/dma_buf_dynamic_attach")
int BPF_PROG(on_attach, struct dma_buf *dmabuf,
	     struct dma_buf_attachment *attach, bool is_dynamic,
	     struct device *dev)
{
	report(TP_ATTACH, dmabuf, attach, is_dynamic, dev, -1);
	return 0;
}

SEC("tp_btf/dma_buf_detach")
int BPF_PROG(on_detach, struct dma_buf *dmabuf,
	     struct dma_buf_attachment *attach, bool is_dynamic,
	     struct device *dev)
{
	report(TP_DETACH, dmabuf, attach, is_dynamic, dev, -1);
	return 0;
}

SEC("tp_btf/dma_buf_fd")
int BPF_PROG(on_fd, struct dma_buf *dmabuf, int fd)
{
	report(TP_FD, dmabuf, NULL, false, NULL, fd);
	return 0;
}

SEC("tp_btf/dma_buf_get")
int BPF_PROG(on_get, struct dma_buf *dmabuf, int fd)
{
	report(TP_GET, dmabuf, NULL, false, NULL, fd);
	return 0;
}
