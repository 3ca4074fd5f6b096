// SPDX-License-Identifier: GPL-2.0
/*
 * Android's dma-buf iterator text format (libdmabufinfo), for
 * /sys/fs/bpf/dmabuf/prog_dmabufIter_iter_dmabuf. Four lines per buffer:
 *
 *	<inode>\n<size in bytes>\n<name>\n<exporter>\n
 *
 * The name may be empty; a newline in it becomes a space (so each record
 * is exactly four lines). The exporter is never empty: a buffer whose
 * exp_name is NULL or "" reads "<unknown>" (dmabuf_dump's word for it);
 * newlines in it become spaces too. Other bytes (quotes, non-UTF-8) are
 * passed through as they are.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define ANDROID_NAME_LEN	32	/* DMA_BUF_NAME_LEN */
#define ANDROID_EXP_LEN		64

struct scratch {
	char name[ANDROID_NAME_LEN];
	char exp[ANDROID_EXP_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} android_scratch SEC(".maps");

SEC("iter/dmabuf")
int dmabuf_android(struct bpf_iter__dmabuf *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct dma_buf *dmabuf = ctx->dmabuf;
	const char *name, *exp;
	struct scratch *s;
	__u32 zero = 0;
	__u64 ino, size;
	int i;

	if (!dmabuf)
		return 0;
	s = bpf_map_lookup_elem(&android_scratch, &zero);
	if (!s)
		return 0;
	s->name[0] = '\0';
	s->exp[0] = '\0';
	ino = BPF_CORE_READ(dmabuf, file, f_inode, i_ino);
	size = BPF_CORE_READ(dmabuf, size);
	/* name_lock cannot be taken here: a fault-safe copy, as upstream's */
	name = BPF_CORE_READ(dmabuf, name);
	if (name)
		bpf_probe_read_kernel_str(s->name, sizeof(s->name), name);
	exp = BPF_CORE_READ(dmabuf, exp_name);
	if (exp)
		bpf_probe_read_kernel_str(s->exp, sizeof(s->exp), exp);
	for (i = 0; i < ANDROID_NAME_LEN; i++) {
		if (!s->name[i])
			break;
		if (s->name[i] == '\n')
			s->name[i] = ' ';
	}
	for (i = 0; i < ANDROID_EXP_LEN; i++) {
		if (!s->exp[i])
			break;
		if (s->exp[i] == '\n')
			s->exp[i] = ' ';
	}
	if (!s->exp[0])
		__builtin_memcpy(s->exp, "<unknown>", sizeof("<unknown>"));
	/* one printf: a record that does not fit is redone whole next read */
	BPF_SEQ_PRINTF(seq, "%lu\n%llu\n%s\n%s\n", ino, size, s->name, s->exp);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
