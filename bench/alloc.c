// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation cost: dma-bufs created and freed back to back, from the system
 * heap or from udmabuf (over one sealed memfd, so the cost is the dma-buf's
 * own, not the memfd's). Each rep runs for a fixed time; the result is the
 * time per alloc+free in us.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "bench.h"

struct source {
	int dev;	/* the heap or /dev/udmabuf */
	int memfd;	/* udmabuf only */
	size_t size;
};

static int alloc_heap(struct source *s)
{
	struct dma_heap_allocation_data data = {
		.len = s->size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(s->dev, DMA_HEAP_IOCTL_ALLOC, &data))
		return -errno;
	return data.fd;
}

static int alloc_udmabuf(struct source *s)
{
	struct udmabuf_create create = {
		.memfd = s->memfd,
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.size = s->size,
	};
	int fd = ioctl(s->dev, UDMABUF_CREATE, &create);

	return fd < 0 ? -errno : fd;
}

int cmd_alloc(int argc, char **argv)
{
	int (*alloc)(struct source *s);
	struct source s = { .memfd = -1 };
	struct result r = { .maxrss_kib = -1 };
	double seconds, *us;
	long total = 0;
	int i;

	if (argc != 4)
		die("alloc needs heap|udmabuf SIZE SECONDS");
	s.size = strtoul(argv[2], NULL, 0);
	seconds = atof(argv[3]);
	if (!s.size || s.size % 4096 || !(seconds > 0))
		die("alloc: SIZE must be whole pages, SECONDS positive");
	if (!strcmp(argv[1], "heap")) {
		alloc = alloc_heap;
		s.dev = open("/dev/dma_heap/system", O_RDWR | O_CLOEXEC);
	} else if (!strcmp(argv[1], "udmabuf")) {
		alloc = alloc_udmabuf;
		s.dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
		s.memfd = memfd_create("bench", MFD_ALLOW_SEALING);
		if (s.memfd < 0 || ftruncate(s.memfd, s.size) ||
		    fcntl(s.memfd, F_ADD_SEALS, F_SEAL_SHRINK))
			die("alloc: memfd: %s", strerror(errno));
	} else {
		die("alloc: no source '%s' (heap or udmabuf)", argv[1]);
	}
	if (s.dev < 0)
		die("alloc %s: %s", argv[1], strerror(errno));
	us = calloc(bench_reps + 1, sizeof(*us));
	if (!us)
		die("out of memory");
	/* rep 0 is the untimed warm-up */
	for (i = 0; i <= bench_reps; i++) {
		uint64_t t0 = now_ns(), end = t0 + seconds * 1e9, t;
		long ops = 0;

		do {
			int fd = alloc(&s);

			if (fd < 0)
				die("alloc %s %zu: %s", argv[1], s.size,
				    strerror(-fd));
			close(fd);
			ops++;
		} while ((t = now_ns()) < end);
		us[i] = (t - t0) / 1e3 / ops;
		total += ops;
	}
	stats(us + 1, bench_reps, &r);
	r.check = total;
	print_result(&r);
	free(us);
	return 0;
}
