// SPDX-License-Identifier: GPL-2.0
/*
 * The buffer sources every other test relies on: each makes a real dma-buf
 * that the kernel's own accounts (debugfs bufinfo, /proc fdinfo) show with
 * the identity, size, exporter and name we gave it, and that is gone once
 * its last holder lets go.
 */
#include <unistd.h>

#include "test_progs.h"
#include "bufsrc.h"

enum source {
	SRC_UDMABUF,
	SRC_SYSTEM_HEAP,
	SRC_VGEM,
};

static const char *const src_name[] = {
	[SRC_UDMABUF] = "udmabuf",
	[SRC_SYSTEM_HEAP] = "system_heap",
	[SRC_VGEM] = "vgem",
};

static const char *const src_dev[] = {
	[SRC_UDMABUF] = UDMABUF_DEV,
	[SRC_SYSTEM_HEAP] = DMA_HEAP_DIR "/system",
	[SRC_VGEM] = "vgem card in /dev/dri",
};

static int make_buf(enum source src, size_t size)
{
	switch (src) {
	case SRC_UDMABUF:
		return udmabuf_create(size);
	case SRC_SYSTEM_HEAP:
		return heap_alloc("system", size);
	case SRC_VGEM:
		return vgem_export(size);
	}
	return -EINVAL;
}

static void check_exporter(enum source src, const char *exp_name)
{
	switch (src) {
	case SRC_UDMABUF:
		ASSERT_STREQ(exp_name, "udmabuf", "udmabuf exporter");
		break;
	case SRC_SYSTEM_HEAP:
		/* a heap's buffers are named after the heap */
		ASSERT_STREQ(exp_name, "system", "system heap exporter");
		break;
	case SRC_VGEM:
		/*
		 * 6.12 names every PRIME export "drm"; with the exporter
		 * naming patch it is the driver's name.
		 */
		if (!ASSERT_TRUE(!strcmp(exp_name, "drm") ||
				 !strcmp(exp_name, "vgem"), "vgem exporter"))
			printf("exp_name \"%s\" is neither \"drm\" nor \"vgem\"\n",
			       exp_name);
		break;
	}
}

/* Reads bufinfo, or records a skip when debugfs does not show it. */
static bool read_bufinfo(struct bufinfo *bi)
{
	int err = bufinfo_read(bi);

	if (err == -ENOENT || err == -EACCES) {
		test__skip_reason("%s: %s (debugfs mounted?)", BUFINFO_PATH,
				  strerror(-err));
		return false;
	}
	return ASSERT_OK(err, "read bufinfo");
}

static void check_source(enum source src)
{
	size_t size = 3 * sysconf(_SC_PAGESIZE);
	const struct bufinfo_buf *b;
	struct bufinfo bi = {};
	struct dmabuf_fdinfo fi;
	unsigned long ino;
	char name[32];
	int fd;

	fd = make_buf(src, size);
	if (test__skip_missing(src_dev[src], fd) ||
	    !ASSERT_OK_FD(fd, "create buffer"))
		return;
	ASSERT_TRUE(is_dmabuf_fd(fd), "fd is a dma-buf");
	ino = ino_of_fd(fd);
	if (!ASSERT_NEQ(ino, 0, "ino_of_fd"))
		goto out;

	snprintf(name, sizeof(name), "bufsrc-%s-%d", src_name[src], getpid());
	if (!ASSERT_OK(dmabuf_set_name(fd, name), "set name"))
		goto out;

	if (!ASSERT_OK(fdinfo_read(getpid(), fd, &fi), "read fdinfo"))
		goto out;
	ASSERT_EQ(fi.ino, ino, "fdinfo ino");
	ASSERT_EQ(fi.size, size, "fdinfo size");
	/* our fd is the only reference: nothing else took one */
	ASSERT_EQ(fi.count, 1, "fdinfo count");
	ASSERT_TRUE(fi.has_name, "fdinfo has a name");
	ASSERT_STREQ(fi.name, name, "fdinfo name");
	check_exporter(src, fi.exp_name);

	if (!read_bufinfo(&bi))
		goto out;
	b = bufinfo_find(&bi, ino);
	if (!ASSERT_OK_PTR(b, "buffer in bufinfo"))
		goto out;
	ASSERT_EQ(b->size, size, "bufinfo size");
	ASSERT_STREQ(b->exp_name, fi.exp_name, "bufinfo exp_name");
	ASSERT_TRUE(b->has_name, "bufinfo has a name");
	ASSERT_STREQ(b->name, name, "bufinfo name");
	/* bufinfo takes no reference of its own, fdinfo discounts procfs' */
	ASSERT_EQ(b->count, fi.count, "bufinfo count");
	ASSERT_EQ(b->nr_attached, 0, "attached devices");
	ASSERT_EQ(bi.total_objects, bi.nr, "bufinfo total objects");
	ASSERT_GE(bi.total_bytes, b->size, "bufinfo total bytes");
	bufinfo_free(&bi);

	close(fd);
	fd = -1;
	if (ASSERT_OK(bufinfo_read(&bi), "reread bufinfo"))
		ASSERT_NULL(bufinfo_find(&bi, ino), "buffer gone after close");
out:
	bufinfo_free(&bi);
	if (fd >= 0)
		close(fd);
}

/*
 * Importing a foreign buffer into vgem attaches the vgem device and makes
 * vgem hold it: it outlives its last fd (a kernel-only buffer) until the
 * GEM handle goes. dmabuf-workload's kernel-only buffers rely on this.
 */
static void check_vgem_import(void)
{
	size_t size = 2 * sysconf(_SC_PAGESIZE);
	const struct bufinfo_buf *b;
	struct bufinfo bi = {};
	struct dmabuf_fdinfo fi;
	int fd, card = -1, err;
	unsigned long ino;
	uint32_t handle = 0;
	bool imported = false;

	fd = heap_alloc("system", size);
	if (fd == -ENOENT)
		fd = udmabuf_create(size);
	if (test__skip_missing("no system heap nor udmabuf to import", fd) ||
	    !ASSERT_OK_FD(fd, "create buffer"))
		return;
	card = vgem_open();
	if (test__skip_missing(src_dev[SRC_VGEM], card) ||
	    !ASSERT_OK_FD(card, "open vgem"))
		goto out;
	ino = ino_of_fd(fd);
	ASSERT_OK(dmabuf_set_name(fd, "bufsrc-imported"), "set name");

	err = vgem_import(card, fd, &handle);
	if (!ASSERT_OK(err, "import into vgem"))
		goto out;
	imported = true;
	if (!ASSERT_OK(fdinfo_read(getpid(), fd, &fi), "read fdinfo"))
		goto out;
	ASSERT_GT(fi.count, 1, "fdinfo count with vgem's references");

	if (!read_bufinfo(&bi))
		goto out;
	b = bufinfo_find(&bi, ino);
	if (!ASSERT_OK_PTR(b, "buffer in bufinfo"))
		goto out;
	ASSERT_EQ(b->count, fi.count, "bufinfo count");
	if (ASSERT_EQ(b->nr_attached, 1, "attached devices"))
		ASSERT_STREQ(b->attached[0], "vgem", "attached device");
	bufinfo_free(&bi);

	close(fd);
	fd = -1;
	if (!ASSERT_OK(bufinfo_read(&bi), "reread bufinfo"))
		goto out;
	b = bufinfo_find(&bi, ino);
	if (ASSERT_OK_PTR(b, "kernel-only buffer still in bufinfo")) {
		ASSERT_EQ(b->size, size, "kernel-only buffer size");
		ASSERT_EQ(b->nr_attached, 1, "kernel-only buffer attached");
		ASSERT_STREQ(b->name, "bufsrc-imported", "kernel-only name");
	}
	bufinfo_free(&bi);

	imported = false;
	if (!ASSERT_OK(vgem_close_handle(card, handle), "close GEM handle"))
		goto out;
	if (ASSERT_OK(bufinfo_read(&bi), "reread bufinfo"))
		ASSERT_NULL(bufinfo_find(&bi, ino), "buffer gone with handle");
out:
	if (imported)
		vgem_close_handle(card, handle);
	bufinfo_free(&bi);
	if (card >= 0)
		close(card);
	if (fd >= 0)
		close(fd);
}

void test_buffer_sources(void)
{
	if (test__start_subtest("udmabuf"))
		check_source(SRC_UDMABUF);
	if (test__start_subtest("system_heap"))
		check_source(SRC_SYSTEM_HEAP);
	if (test__start_subtest("vgem"))
		check_source(SRC_VGEM);
	if (test__start_subtest("vgem_import"))
		check_vgem_import();
}
