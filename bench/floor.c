// SPDX-License-Identifier: GPL-2.0
/*
 * (e) The floor: bench_floor.bpf.c, loaded once, its iterator created and
 * read to EOF on each run. It writes nothing, so one read() walks every
 * buffer; the program's counter says how many it saw.
 */
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "bench_floor.skel.h"

long read_floor(void *arg)
{
	static struct bench_floor_bpf *skel;
	static struct bpf_link *link;
	char buf[4096];
	__u64 before;
	ssize_t n;
	int fd;

	(void)arg;
	if (!skel) {
		skel = bench_floor_bpf__open_and_load();
		if (!skel)
			return -errno;
		link = bpf_program__attach_iter(skel->progs.bench_floor, NULL);
		if (!link)
			return -errno;
	}
	before = skel->bss->nr_buffers;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	return skel->bss->nr_buffers - before;
}
