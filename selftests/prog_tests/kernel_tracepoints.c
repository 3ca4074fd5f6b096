// SPDX-License-Identifier: GPL-2.0
/*
 * The dma_buf tracepoints (kernel-patches/0007, upstream Linux 7.0+), as a
 * BPF program and tracefs see them, against the kernel's own accounts:
 *
 *  - abi: every event exists in tracefs with upstream's entries;
 *  - export_mmap: a system-heap buffer gives dma_buf_export, then
 *    dma_buf_mmap_internal for an mmap() of it, with its inode (fstat),
 *    size and exporter, and no dma_buf_fd: the heap installs its fd itself
 *    (so does DRM PRIME), as upstream's does;
 *  - import: a vgem import of that buffer gives dma_buf_get with the
 *    imported fd and dma_buf_dynamic_attach with the device bufinfo lists;
 *    closing the GEM handle gives dma_buf_detach of the same attachment
 *    and dma_buf_put;
 *  - udmabuf: its export says "udmabuf", and dma_buf_fd follows with the
 *    fd the ioctl returned (udmabuf calls dma_buf_fd()).
 *
 * Only the test's own process is recorded. The events are an ABI of the
 * patched kernel: there their absence fails; elsewhere (the vanilla kernel,
 * a host before 7.0) the test skips and says why.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/types.h>
#include <libdrm/drm.h>
#include <libdrm/drm_mode.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "test_progs.h"
#include "bufsrc.h"
#include "progs/dma_buf_tp.h"
#include "dma_buf_tp.skel.h"

#define MAX_RECS	64

static struct {
	struct dma_buf_tp_rec rec[MAX_RECS];
	int nr;
} seen;

static int on_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	if (len >= sizeof(struct dma_buf_tp_rec) && seen.nr < MAX_RECS)
		memcpy(&seen.rec[seen.nr++], data, sizeof(seen.rec[0]));
	return 0;
}

static void drain(struct ring_buffer *rb)
{
	seen.nr = 0;
	ring_buffer__consume(rb);
}

/* The first event of this kind for ino at or after index *from. */
static const struct dma_buf_tp_rec *find(int event, unsigned long ino,
					 int *from)
{
	for (int i = *from; i < seen.nr; i++) {
		if ((int)seen.rec[i].event == event && seen.rec[i].ino == ino) {
			*from = i + 1;
			return &seen.rec[i];
		}
	}
	return NULL;
}

static const char *tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[96];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (access(path, F_OK) == 0)
			return dirs[i];
	}
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL) == 0)
		return dirs[0];
	return NULL;
}

/* Does the event's format file list "field:TYPE NAME;" for every name? */
static void check_format(const char *dir, const char *event,
			 const char *const *fields)
{
	char path[160], buf[4096], want[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/events/dma_buf/%s/format", dir, event);
	fd = open(path, O_RDONLY);
	if (!ASSERT_OK_FD(fd, path))
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (!ASSERT_GT(n, 0, "read format"))
		return;
	buf[n] = '\0';
	for (; *fields; fields++) {
		snprintf(want, sizeof(want), " %s;", *fields);
		ASSERT_HAS_SUBSTR(buf, want, event);
	}
}

static void test_abi(void)
{
	static const char *const plain[] = { "exp_name", "size", "ino", NULL };
	static const char *const with_fd[] = {
		"exp_name", "size", "ino", "fd", NULL,
	};
	static const char *const with_dev[] = {
		"dev_name", "exp_name", "size", "ino", "attach", "is_dynamic",
		NULL,
	};
	const char *dir = tracefs();

	if (!dir) {
		test__skip_reason("no tracefs mounted and mounting it failed: %s",
				  strerror(errno));
		return;
	}
	check_format(dir, "dma_buf_export", plain);
	check_format(dir, "dma_buf_mmap_internal", plain);
	check_format(dir, "dma_buf_mmap", plain);
	check_format(dir, "dma_buf_put", plain);
	check_format(dir, "dma_buf_fd", with_fd);
	check_format(dir, "dma_buf_get", with_fd);
	check_format(dir, "dma_buf_dynamic_attach", with_dev);
	check_format(dir, "dma_buf_detach", with_dev);
}

static void test_export_mmap(struct ring_buffer *rb)
{
	long pg = sysconf(_SC_PAGESIZE);
	const struct dma_buf_tp_rec *r;
	unsigned long ino;
	int fd, from = 0;
	void *map;

	drain(rb);
	fd = heap_alloc("system", 2 * pg);
	if (fd == -ENOENT) {
		test__skip_reason("no system dma-heap");
		return;
	}
	if (!ASSERT_OK_FD(fd, "heap_alloc"))
		return;
	ino = ino_of_fd(fd);
	map = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NEQ(map, MAP_FAILED, "mmap");
	ring_buffer__consume(rb);

	r = find(TP_EXPORT, ino, &from);
	if (ASSERT_OK_PTR(r, "dma_buf_export")) {
		ASSERT_EQ(r->size, (__u64)2 * pg, "export size");
		ASSERT_STREQ(r->exp_name, "system", "export exp_name");
		ASSERT_EQ(r->tgid, (__u32)getpid(), "export tgid");
	}
	r = find(TP_MMAP_INTERNAL, ino, &from);
	if (ASSERT_OK_PTR(r, "dma_buf_mmap_internal after dma_buf_export"))
		ASSERT_EQ(r->size, (__u64)2 * pg, "mmap size");
	from = 0;
	ASSERT_NULL(find(TP_FD, ino, &from), "no dma_buf_fd from the heap");
	if (map != MAP_FAILED)
		munmap(map, 2 * pg);
	close(fd);
}

static void test_import(struct ring_buffer *rb)
{
	long pg = sysconf(_SC_PAGESIZE);
	const struct dma_buf_tp_rec *get, *att, *det, *put;
	struct bufinfo bi = {};
	const struct bufinfo_buf *b;
	unsigned long ino;
	int fd, card, from = 0;
	__u32 handle;

	card = vgem_open();
	if (card < 0) {
		test__skip_reason("no vgem card");
		return;
	}
	fd = heap_alloc("system", pg);
	if (fd == -ENOENT) {
		test__skip_reason("no system dma-heap to import");
		close(card);
		return;
	}
	if (!ASSERT_OK_FD(fd, "heap_alloc"))
		goto out_card;
	ino = ino_of_fd(fd);
	drain(rb);
	if (!ASSERT_OK(vgem_import(card, fd, &handle), "vgem_import"))
		goto out_fd;
	ring_buffer__consume(rb);

	get = find(TP_GET, ino, &from);
	if (ASSERT_OK_PTR(get, "dma_buf_get"))
		ASSERT_EQ(get->fd, fd, "dma_buf_get fd");
	from = 0;
	att = find(TP_ATTACH, ino, &from);
	if (ASSERT_OK_PTR(att, "dma_buf_dynamic_attach")) {
		ASSERT_NEQ(att->attach, 0, "attachment address");
		if (ASSERT_OK(bufinfo_read(&bi), "bufinfo")) {
			b = bufinfo_find(&bi, ino);
			if (ASSERT_OK_PTR(b, "buffer in bufinfo") &&
			    ASSERT_EQ(b->nr_attached, 1, "bufinfo attachments"))
				ASSERT_STREQ(att->dev_name, b->attached[0],
					     "attached device as bufinfo says");
			bufinfo_free(&bi);
		}
	}

	drain(rb);
	ASSERT_OK(vgem_close_handle(card, handle), "close GEM handle");
	ring_buffer__consume(rb);
	from = 0;
	det = find(TP_DETACH, ino, &from);
	if (ASSERT_OK_PTR(det, "dma_buf_detach") && att)
		ASSERT_EQ(det->attach, att->attach, "detach of that attachment");
	put = find(TP_PUT, ino, &from);
	ASSERT_OK_PTR(put, "dma_buf_put after dma_buf_detach");
out_fd:
	close(fd);
out_card:
	close(card);
}

static void test_udmabuf(struct ring_buffer *rb)
{
	long pg = sysconf(_SC_PAGESIZE);
	const struct dma_buf_tp_rec *r;
	int fd, from = 0;

	drain(rb);
	fd = udmabuf_create(pg);
	if (fd == -ENOENT) {
		test__skip_reason("no /dev/udmabuf");
		return;
	}
	if (!ASSERT_OK_FD(fd, "udmabuf_create"))
		return;
	ring_buffer__consume(rb);
	r = find(TP_EXPORT, ino_of_fd(fd), &from);
	if (ASSERT_OK_PTR(r, "dma_buf_export"))
		ASSERT_STREQ(r->exp_name, "udmabuf", "exp_name");
	r = find(TP_FD, ino_of_fd(fd), &from);
	if (ASSERT_OK_PTR(r, "dma_buf_fd after dma_buf_export"))
		ASSERT_EQ(r->fd, fd, "dma_buf_fd fd");
	close(fd);
}

void test_kernel_tracepoints(void)
{
	const char *variant = getenv("DMABUFSTAT_KERNEL");
	struct ring_buffer *rb = NULL;
	struct dma_buf_tp_bpf *skel;
	struct btf *btf;
	bool have;

	btf = btf__load_vmlinux_btf();
	have = btf && btf__find_by_name_kind(btf, "btf_trace_dma_buf_export",
					     BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	if (!have) {
		if (variant && !strcmp(variant, "patched"))
			ASSERT_TRUE(have, "patched kernel has the dma_buf tracepoints");
		else
			test__skip_reason("this kernel has no dma_buf tracepoints (Linux 7.0+, or 6.12 with kernel-patches/0007)");
		return;
	}

	skel = dma_buf_tp_bpf__open();
	if (!ASSERT_OK_PTR(skel, "open"))
		return;
	skel->rodata->target_tgid = getpid();
	if (!ASSERT_OK(dma_buf_tp_bpf__load(skel), "load") ||
	    !ASSERT_OK(dma_buf_tp_bpf__attach(skel), "attach"))
		goto out;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL,
			      NULL);
	if (!ASSERT_OK_PTR(rb, "ring_buffer__new"))
		goto out;

	if (test__start_subtest("abi"))
		test_abi();
	if (test__start_subtest("export_mmap"))
		test_export_mmap(rb);
	if (test__start_subtest("import"))
		test_import(rb);
	if (test__start_subtest("udmabuf"))
		test_udmabuf(rb);
out:
	ring_buffer__free(rb);
	dma_buf_tp_bpf__destroy(skel);
}
