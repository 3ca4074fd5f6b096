// SPDX-License-Identifier: GPL-2.0
/*
 * The dmabufstat BPF programs (bpf/) against the kernel's own accounts:
 *
 *  - iter/dmabuf per-buffer records and the open-coded totals, checked
 *    against debugfs bufinfo;
 *  - iter/task_file and iter/task_vma records, checked against
 *    /proc/<pid>/fd + fdinfo and /proc/<pid>/maps.
 *
 * All are in one object (bpf/dmabufstat.bpf.c), which loads whole where
 * the kernel has everything; the subtests load it twice, with the buffer
 * programs and with the task programs, as the library's backends may.
 *
 * A fixture makes buffers from every source there is (udmabuf, system heap,
 * vgem) with hostile names, a vgem import (an attachment), a dup'd fd,
 * mappings (one with its fd closed), a forked child and a thread. On a
 * machine without sources (the host) the programs must load, run and find
 * nothing. On a kernel without the dma-buf iterator the buffer programs are
 * not loaded and their subtests skip; the task programs must load anyway.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "test_progs.h"
#include "bufsrc.h"
#include "dmabufstat.h"
#include "dmabufstat.skel.h"
#include "sources/records.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Hostile names: all must come back byte for byte. */
#define NAME_NEWLINE	"line1\nline2"
#define NAME_QUOTES	"say \"hi\" 'x' \\"
#define NAME_31		"0123456789abcdefghijklmnopqrstu"
#define NAME_NONUTF8	"\xff\xfe\x80raw\xc3("
#define NAME_MAPPED	"mapped-only"
#define NAME_CHILD	"child"

static struct {
	bool have_iter;		/* struct bpf_iter__dmabuf in vmlinux BTF */
	bool have_kfuncs;	/* bpf_iter_dmabuf_{new,next,destroy} */
	bool have_drm_btf;	/* struct drm_gem_object in vmlinux BTF */
	char no_iter[160];
	const char *variant;	/* $DMABUFSTAT_KERNEL */
	struct dmabufstat_bpf *bufs;	/* the object with the buffer programs */
	struct dmabufstat_bpf *procs;	/* ... with the task programs */
	struct dmabufstat_totals totals;	/* the last totals run */
	struct bpf_link *buf_link, *fd_link, *vma_link;
	bool bufs_failed, procs_failed;
} k;

/* The fixture: every fd -1 or 0 when its source is missing. */
static struct {
	bool any;		/* some source made a buffer */
	char why_none[256];
	int udmabuf, heap, heap_dup, vgem, nonutf8;
	unsigned long ino_udmabuf, ino_heap, ino_vgem, ino_nonutf8, ino_mapped;
	unsigned long ino_child;
	int card;		/* vgem card holding the import */
	uint32_t import_handle;
	void *map_heap, *map_mapped;	/* mapping of heap; of a closed fd */
	pid_t child;
	int child_go;		/* closing it lets the child exit */
	pthread_t thread;
	int thread_go[2];
	bool thread_up;
} fx = {
	.udmabuf = -1, .heap = -1, .heap_dup = -1, .vgem = -1, .nonutf8 = -1,
	.card = -1, .child = -1, .child_go = -1, .thread_go = { -1, -1 },
};

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* ------------------------------------------------------------------ */
/* Records                                                            */

struct recs {
	char *raw;
	size_t len;
	struct collect c;	/* decoded by the library's reader */
	size_t nr;		/* buffers, or references */
};

static void recs_free(struct recs *r)
{
	free(r->raw);
	collect_free(&r->c);
	memset(r, 0, sizeof(*r));
}

/*
 * Reads a new iterator of link to its end in chunks of 1000 bytes (which
 * ends most reads inside a record: the resume path runs) and decodes the
 * stream with the library's reader, which checks every record.
 */
static bool read_recs(struct bpf_link *link, enum dmabufstat_stream stream,
		      struct recs *r)
{
	size_t cap = 65536;
	struct dmabufstat *ds = NULL;
	ssize_t n;
	int fd;

	memset(r, 0, sizeof(*r));
	fd = bpf_iter_create(bpf_link__fd(link));
	if (!ASSERT_OK_FD(fd, "bpf_iter_create"))
		return false;
	r->raw = malloc(cap);
	if (!ASSERT_OK_PTR(r->raw, "malloc"))
		goto err;
	for (;;) {
		if (cap - r->len < 1000) {
			char *tmp = realloc(r->raw, cap * 2);

			if (!ASSERT_OK_PTR(tmp, "realloc"))
				goto err;
			r->raw = tmp;
			cap *= 2;
		}
		n = read(fd, r->raw + r->len, 1000);
		if (n < 0 && errno == EINTR)
			continue;
		if (!ASSERT_GE(n, 0, "read iterator"))
			goto err;
		if (!n)
			break;
		r->len += n;
	}
	close(fd);
	fd = -1;
	ds = dmabufstat_new(NULL);
	if (!ASSERT_OK_PTR(ds, "context"))
		goto err;
	if (!ASSERT_OK(rec_decode(ds, stream, r->raw, r->len, &r->c),
		       "records decode")) {
		printf("%s\n", dmabufstat_errmsg(ds));
		goto err;
	}
	r->nr = stream == DMABUFSTAT_STREAM_BUFS ? r->c.nr_bufs : r->c.nr_refs;
	dmabufstat_free(ds);
	return true;
err:
	if (fd >= 0)
		close(fd);
	dmabufstat_free(ds);
	recs_free(r);
	return false;
}

#define BUF(r, i)	(&(r)->c.bufs[i])
#define REF(r, i)	(&(r)->c.refs[i])
/* what a reference says of its buffer (always there: no buffer source) */
#define RD(r, ref)	ref_desc(&(r)->c, ref)

/* ------------------------------------------------------------------ */
/* Kernel features and loading                                        */

static void probe_kernel(void)
{
	static const char *const kfuncs[] = {
		"bpf_iter_dmabuf_new",
		"bpf_iter_dmabuf_next",
		"bpf_iter_dmabuf_destroy",
	};
	struct btf *btf = btf__load_vmlinux_btf();
	size_t i;

	k.variant = getenv("DMABUFSTAT_KERNEL");
	if (!btf) {
		snprintf(k.no_iter, sizeof(k.no_iter), "no vmlinux BTF");
		return;
	}
	k.have_iter = btf__find_by_name_kind(btf, "bpf_iter__dmabuf",
					     BTF_KIND_STRUCT) > 0;
	if (!k.have_iter)
		snprintf(k.no_iter, sizeof(k.no_iter),
			 "kernel has no dma-buf iterator (no struct bpf_iter__dmabuf in BTF)");
	k.have_kfuncs = k.have_iter;
	for (i = 0; i < ARRAY_SIZE(kfuncs); i++)
		if (btf__find_by_name_kind(btf, kfuncs[i], BTF_KIND_FUNC) <= 0)
			k.have_kfuncs = false;
	k.have_drm_btf = btf__find_by_name_kind(btf, "drm_gem_object",
						BTF_KIND_STRUCT) > 0;
	btf__free(btf);
}

static void procs_failed(void);
static void bufs_failed(void);

static bool load_procs(void)
{
	if (k.procs)
		return true;
	if (k.procs_failed)
		return ASSERT_TRUE(false, "task programs loaded earlier");
	k.procs_failed = true;
	k.procs = dmabufstat_bpf__open();
	if (!ASSERT_OK_PTR(k.procs, "open dmabufstat"))
		return false;
	bpf_program__set_autoload(k.procs->progs.dmabuf_buffers, false);
	bpf_program__set_autoload(k.procs->progs.dmabuf_totals, false);
	k.procs->rodata->id_salt = ((__u64)random() << 32) ^ random();
	if (!ASSERT_OK(dmabufstat_bpf__load(k.procs), "load task programs"))
		goto err;
	k.fd_link = bpf_program__attach_iter(k.procs->progs.dmabuf_fds, NULL);
	if (!ASSERT_OK_PTR(k.fd_link, "attach iter/task_file")) {
		k.fd_link = NULL;
		goto err;
	}
	k.vma_link = bpf_program__attach_iter(k.procs->progs.dmabuf_vmas,
					      NULL);
	if (!ASSERT_OK_PTR(k.vma_link, "attach iter/task_vma")) {
		k.vma_link = NULL;
		goto err;
	}
	k.procs_failed = false;
	return true;
err:
	procs_failed();
	return false;
}

static void procs_failed(void)
{
	bpf_link__destroy(k.fd_link);
	bpf_link__destroy(k.vma_link);
	dmabufstat_bpf__destroy(k.procs);
	k.fd_link = k.vma_link = NULL;
	k.procs = NULL;
}

static void bufs_failed(void)
{
	bpf_link__destroy(k.buf_link);
	dmabufstat_bpf__destroy(k.bufs);
	k.buf_link = NULL;
	k.bufs = NULL;
}

/* Skips (false) without the iterator; kfuncs: the totals program too. */
static bool load_bufs(bool kfuncs)
{
	if (!k.have_iter) {
		test__skip_reason("%s", k.no_iter);
		return false;
	}
	if (kfuncs && !k.have_kfuncs) {
		test__skip_reason("kernel has no bpf_iter_dmabuf_* kfuncs");
		return false;
	}
	if (k.bufs)
		return true;
	if (k.bufs_failed)
		return ASSERT_TRUE(false, "buffer programs loaded earlier");
	k.bufs_failed = true;
	k.bufs = dmabufstat_bpf__open();
	if (!ASSERT_OK_PTR(k.bufs, "open dmabufstat"))
		return false;
	bpf_program__set_autoload(k.bufs->progs.dmabuf_fds, false);
	bpf_program__set_autoload(k.bufs->progs.dmabuf_vmas, false);
	if (!k.have_kfuncs)
		bpf_program__set_autoload(k.bufs->progs.dmabuf_totals, false);
	if (!ASSERT_OK(dmabufstat_bpf__load(k.bufs), "load buffer programs"))
		goto err;
	k.buf_link = bpf_program__attach_iter(k.bufs->progs.dmabuf_buffers,
					      NULL);
	if (!ASSERT_OK_PTR(k.buf_link, "attach iter/dmabuf")) {
		k.buf_link = NULL;
		goto err;
	}
	k.bufs_failed = false;
	return true;
err:
	bufs_failed();
	return false;
}

static void unload(void)
{
	bpf_link__destroy(k.buf_link);
	bpf_link__destroy(k.fd_link);
	bpf_link__destroy(k.vma_link);
	dmabufstat_bpf__destroy(k.bufs);
	dmabufstat_bpf__destroy(k.procs);
}

static bool run_totals(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	memset(&k.totals, 0, sizeof(k.totals));
	opts.ctx_in = &k.totals;
	opts.ctx_size_in = sizeof(k.totals);
	if (!ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(k.bufs->progs.dmabuf_totals),
					      &opts), "run dmabuf_totals"))
		return false;
	if (!ASSERT_EQ(k.totals.magic, DMABUFSTAT_MAGIC, "totals: magic") ||
	    !ASSERT_EQ(k.totals.version, DMABUFSTAT_REC_VERSION,
		       "totals: version"))
		return false;
	return ASSERT_EQ(opts.retval, 0, "dmabuf_totals retval");
}

/* ------------------------------------------------------------------ */
/* The fixture                                                        */

static void *thread_fn(void *arg)
{
	char c;

	(void)arg;
	/* a thread shares fds and mm: it must add no records */
	while (read(fx.thread_go[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void note_missing(const char *what, int err)
{
	size_t len = strlen(fx.why_none);

	snprintf(fx.why_none + len, sizeof(fx.why_none) - len, "%s%s: %s",
		 len ? "; " : "", what, strerror(-err));
}

static int named(int fd, const char *name)
{
	if (fd >= 0 && dmabuf_set_name(fd, name))
		printf("naming \"%s\" failed: %s\n", name, strerror(errno));
	return fd;
}

static void fixture_up(void)
{
	long pg = page_size();
	int fd, ready[2], go[2], err;
	char c;

	fd = named(udmabuf_create(2 * pg), NAME_NEWLINE);
	if (fd >= 0)
		fx.udmabuf = fd;
	else
		note_missing(UDMABUF_DEV, fd);

	fd = named(heap_alloc("system", 3 * pg), NAME_QUOTES);
	if (fd >= 0) {
		fx.heap = fd;
		fx.heap_dup = dup(fd);
		fx.map_heap = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
		if (fx.map_heap == MAP_FAILED)
			fx.map_heap = NULL;
		fx.nonutf8 = named(heap_alloc("system", pg), NAME_NONUTF8);
		/* mapped at its second page, then the fd closed */
		fd = named(heap_alloc("system", 2 * pg), NAME_MAPPED);
		if (fd >= 0) {
			fx.ino_mapped = ino_of_fd(fd);
			fx.map_mapped = mmap(NULL, pg, PROT_READ, MAP_SHARED,
					     fd, pg);
			if (fx.map_mapped == MAP_FAILED)
				fx.map_mapped = NULL;
			close(fd);
		}
	} else {
		note_missing(DMA_HEAP_DIR "/system", fd);
	}

	fd = named(vgem_export(pg), NAME_31);
	if (fd >= 0)
		fx.vgem = fd;
	else
		note_missing("vgem card", fd);
	if (fx.vgem >= 0 && fx.udmabuf >= 0) {
		fx.card = vgem_open();
		err = fx.card >= 0 ? vgem_import(fx.card, fx.udmabuf,
						 &fx.import_handle) : fx.card;
		if (err < 0)
			printf("vgem import of the udmabuf: %s\n",
			       strerror(-err));
	}

	fx.ino_udmabuf = fx.udmabuf >= 0 ? ino_of_fd(fx.udmabuf) : 0;
	fx.ino_heap = fx.heap >= 0 ? ino_of_fd(fx.heap) : 0;
	fx.ino_vgem = fx.vgem >= 0 ? ino_of_fd(fx.vgem) : 0;
	fx.ino_nonutf8 = fx.nonutf8 >= 0 ? ino_of_fd(fx.nonutf8) : 0;
	fx.any = fx.udmabuf >= 0 || fx.heap >= 0 || fx.vgem >= 0;
	if (!fx.any)
		return;

	if (!pipe(fx.thread_go) &&
	    !pthread_create(&fx.thread, NULL, thread_fn, NULL))
		fx.thread_up = true;

	/* a child inheriting every fd and mapping, plus one buffer of its own */
	if (pipe(ready) || pipe(go))
		return;
	fflush(stdout);
	fx.child = fork();
	if (fx.child == 0) {
		close(ready[0]);
		close(go[1]);
		fd = heap_alloc("system", pg);
		if (fd < 0)
			fd = udmabuf_create(pg);
		named(fd, NAME_CHILD);
		c = fd >= 0 ? 1 : 0;
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	fx.child_go = go[1];
	if (fx.child < 0 || read(ready[0], &c, 1) != 1)
		printf("forked child did not start\n");
	close(ready[0]);
}

static void fixture_down(void)
{
	long pg = page_size();

	if (fx.child > 0) {
		close(fx.child_go);
		waitpid(fx.child, NULL, 0);
	}
	if (fx.thread_up) {
		close(fx.thread_go[1]);
		pthread_join(fx.thread, NULL);
		close(fx.thread_go[0]);
	}
	if (fx.map_heap)
		munmap(fx.map_heap, pg);
	if (fx.map_mapped)
		munmap(fx.map_mapped, pg);
	if (fx.card >= 0)
		close(fx.card);
	if (fx.udmabuf >= 0)
		close(fx.udmabuf);
	if (fx.heap >= 0)
		close(fx.heap);
	if (fx.heap_dup >= 0)
		close(fx.heap_dup);
	if (fx.vgem >= 0)
		close(fx.vgem);
	if (fx.nonutf8 >= 0)
		close(fx.nonutf8);
}

/* The name the fixture gave a buffer, or NULL if not one of ours. */
static const char *fixture_name(unsigned long ino)
{
	if (!ino)
		return NULL;
	if (ino == fx.ino_udmabuf)
		return NAME_NEWLINE;
	if (ino == fx.ino_heap)
		return NAME_QUOTES;
	if (ino == fx.ino_vgem)
		return NAME_31;
	if (ino == fx.ino_nonutf8)
		return NAME_NONUTF8;
	if (ino == fx.ino_mapped)
		return NAME_MAPPED;
	return NULL;
}

static bool need_fixture(void)
{
	if (!fx.any)
		test__skip_reason("no buffer source: %s", fx.why_none);
	return fx.any;
}

/* bufinfo, or false after a skip (none) or a failure (unreadable). */
static bool need_bufinfo(struct bufinfo *bi)
{
	int err = bufinfo_read(bi);

	if (err == -ENOENT || err == -EACCES) {
		test__skip_reason("no " BUFINFO_PATH);
		return false;
	}
	return ASSERT_OK(err, "read bufinfo");
}

/* ------------------------------------------------------------------ */
/* Subtests                                                           */

/*
 * The object loads whole with what the kernel has (as the library loads
 * it), and in its two halves; CO-RE guards hold without DRM.
 */
static void subtest_load(void)
{
	struct dmabufstat_bpf *all;

	printf("kernel: dma-buf iterator %s, kfuncs %s, DRM types %s\n",
	       k.have_iter ? "yes" : "no", k.have_kfuncs ? "yes" : "no",
	       k.have_drm_btf ? "yes" : "no (drm guards must hold)");
	all = dmabufstat_bpf__open();
	if (ASSERT_OK_PTR(all, "open dmabufstat")) {
		bpf_program__set_autoload(all->progs.dmabuf_buffers,
					  k.have_iter);
		bpf_program__set_autoload(all->progs.dmabuf_totals,
					  k.have_kfuncs);
		ASSERT_OK(dmabufstat_bpf__load(all), "load the whole object");
		dmabufstat_bpf__destroy(all);
	}
	if (!load_procs())
		return;
	if (k.have_iter)
		load_bufs(false);
	else
		printf("buffer programs not loaded: %s\n", k.no_iter);
}

/*
 * Without buffer sources (the host): every program runs and finds nothing.
 * With sources, the other subtests cover the same ground.
 */
static void subtest_idle(void)
{
	struct recs r = {};

	if (fx.any) {
		test__skip_reason("buffer sources present: see the other subtests");
		return;
	}
	if (!load_procs())
		return;
	if (read_recs(k.fd_link, DMABUFSTAT_STREAM_FDS, &r))
		ASSERT_EQ(r.nr, 0, "no dma-buf fd anywhere");
	recs_free(&r);
	if (read_recs(k.vma_link, DMABUFSTAT_STREAM_VMAS, &r))
		ASSERT_EQ(r.nr, 0, "no dma-buf mapping anywhere");
	recs_free(&r);
	if (!k.have_iter) {
		printf("no iterator: %s\n", k.no_iter);
		return;
	}
	if (!load_bufs(false))
		return;
	if (read_recs(k.buf_link, DMABUFSTAT_STREAM_BUFS, &r))
		ASSERT_EQ(r.nr, 0, "no dma-buf");
	recs_free(&r);
	if (k.have_kfuncs && run_totals()) {
		ASSERT_EQ(k.totals.count, 0, "totals: no buffer");
		ASSERT_EQ(k.totals.bytes, 0, "totals: no bytes");
	}
}

static bool names_equal(const char *rec, const char *want)
{
	return !strcmp(rec, want);
}

static void print_name(const char *what, const char *s)
{
	printf("%s \"", what);
	for (; *s; s++)
		printf(*s >= 0x20 && *s < 0x7f ? "%c" : "\\x%02x",
		       (unsigned char)*s);
	printf("\"\n");
}

/* iter/dmabuf records match bufinfo one to one. */
static void subtest_buffers(void)
{
	const struct dmabufstat_buffer *r;
	const struct bufinfo_buf *b;
	struct bufinfo bi = {};
	struct recs recs = {};
	size_t i, j, bad = 0, ours = 0;
	const char *want;

	if (!need_fixture() || !load_bufs(false) || !need_bufinfo(&bi))
		goto out;
	if (!read_recs(k.buf_link, DMABUFSTAT_STREAM_BUFS, &recs))
		goto out;
	ASSERT_EQ(recs.nr, bi.nr, "as many records as bufinfo buffers");
	for (i = 0; i < recs.nr; i++) {
		r = BUF(&recs, i);
		b = bufinfo_find(&bi, r->ino);
		for (j = 0; j < i; j++)
			if (BUF(&recs, j)->ino == r->ino)
				break;
		if (!ASSERT_EQ(j, i, "buffer listed once") ||
		    !ASSERT_OK_PTR(b, "record's buffer in bufinfo")) {
			printf("record %zu: ino %llu\n", i,
			       (unsigned long long)r->ino);
			bad++;
			continue;
		}
		if (!ASSERT_EQ(r->size, b->size, "size") |
		    !ASSERT_STREQ(r->exporter, b->exp_name, "exp_name") |
		    !ASSERT_EQ(!!(r->flags & DMABUFSTAT_BUF_HAS_NAME),
			       b->has_name, "has name") |
		    !ASSERT_TRUE(names_equal(r->name, b->name), "name") |
		    !ASSERT_EQ(r->file_count, b->count, "file count") |
		    !ASSERT_EQ(r->nr_attach, b->nr_attached, "attachments")) {
			printf("ino %lu: record size %llu exp %s count %lld attach %u; bufinfo size %llu exp %s count %ld attach %d\n",
			       b->ino, (unsigned long long)r->size,
			       r->exporter, (long long)r->file_count,
			       r->nr_attach, b->size, b->exp_name, b->count,
			       b->nr_attached);
			print_name("record name", r->name);
			print_name("bufinfo name", b->name);
			bad++;
			continue;
		}
		for (j = 0; j < r->nr_attach_names && (int)j < b->nr_attached;
		     j++)
			if (!ASSERT_STREQ(r->attach[j], b->attached[j],
					  "attached device"))
				bad++;
		want = fixture_name(b->ino);
		if (want) {
			ours++;
			if (!ASSERT_TRUE(names_equal(r->name, want),
					 "hostile name byte for byte")) {
				print_name("got", r->name);
				print_name("want", want);
			}
		}
		if (test__verbose())
			printf("ino %llu size %llu exp %s drv %s flags %#x count %lld vmap %u attach %u%s%s\n",
			       (unsigned long long)r->ino,
			       (unsigned long long)r->size,
			       r->exporter, r->driver, r->flags,
			       (long long)r->file_count, r->vmap_count,
			       r->nr_attach, r->nr_attach_names ? " first " : "",
			       r->nr_attach_names ? r->attach[0] : "");
	}
	ASSERT_EQ(bad, 0, "records as bufinfo");
	ASSERT_GT(ours, 0, "fixture buffers listed");
	if (fx.card >= 0 && fx.ino_udmabuf) {
		for (i = 0; i < recs.nr; i++) {
			r = BUF(&recs, i);
			if (r->ino != fx.ino_udmabuf)
				continue;
			if (ASSERT_EQ(r->nr_attach, 1, "import attached") &&
			    ASSERT_EQ(r->nr_attach_names, 1, "one name"))
				ASSERT_STREQ(r->attach[0], "vgem",
					     "attached to vgem");
		}
	}
out:
	recs_free(&recs);
	bufinfo_free(&bi);
}

/* Open-coded totals: count and bytes as summed bufinfo, run after run. */
static void subtest_totals(void)
{
	struct bufinfo bi = {};
	__u64 bytes = 0;
	int i;

	if (!need_fixture() || !load_bufs(true) || !need_bufinfo(&bi))
		goto out;
	if (!run_totals())
		goto out;
	for (i = 0; i < bi.nr; i++)
		bytes += bi.bufs[i].size;
	printf("totals: %llu buffers, %llu bytes; bufinfo: %d, %llu\n",
	       (unsigned long long)k.totals.count,
	       (unsigned long long)k.totals.bytes, bi.nr,
	       (unsigned long long)bytes);
	ASSERT_EQ(k.totals.count, bi.nr, "total count");
	ASSERT_EQ(k.totals.bytes, bytes, "total bytes");
	/* a second run starts afresh */
	if (run_totals())
		ASSERT_EQ(k.totals.count, bi.nr, "second run: same count");
out:
	bufinfo_free(&bi);
}

/* The dma-buf fds of pid per /proc: fd -> ino. */
struct proc_fd {
	int fd;
	unsigned long ino;
	struct dmabuf_fdinfo fi;
};

static int proc_fds(pid_t pid, struct proc_fd *out, int max)
{
	char path[64];
	int fd, nr = 0;

	/* fds are small here: probe a range rather than readdir */
	for (fd = 0; fd < 1024 && nr < max; fd++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
		if (access(path, F_OK))
			continue;
		if (fdinfo_read(pid, fd, &out[nr].fi))
			continue;
		out[nr].fd = fd;
		out[nr].ino = out[nr].fi.ino;
		nr++;
	}
	return nr;
}

static unsigned long long cgroup_id_of(pid_t pid)
{
	char path[512], line[400];
	struct stat st;
	FILE *f;
	unsigned long long id = 0;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s", line + 3);
		if (!stat(path, &st))
			id = st.st_ino;
	}
	fclose(f);
	return id;
}

static void comm_of(pid_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

static void check_task(const struct raw_ref *t, pid_t pid)
{
	unsigned long long cg = cgroup_id_of(pid);
	char comm[32];

	comm_of(pid, comm, sizeof(comm));
	ASSERT_EQ(t->tid, pid, "reported by the leader");
	ASSERT_EQ(t->uid, getuid(), "uid");
	ASSERT_EQ(t->euid, geteuid(), "euid");
	ASSERT_STREQ(t->comm, comm, "comm");
	if (cg)
		ASSERT_EQ(t->cgroup_id, cg, "cgroup id");
	else
		printf("no cgroup2 path for %d: cgroup id %llu unchecked\n",
		       pid, (unsigned long long)t->cgroup_id);
}

/* iter/task_file: each of our dma-buf fds once, as /proc says. */
static void subtest_task_file(void)
{
	const struct raw_ref *r, *heap = NULL, *dup = NULL;
	const struct raw_ref *child_heap = NULL;
	pid_t pids[2] = { getpid(), fx.child };
	struct proc_fd want[64];
	struct bufinfo bi = {};
	struct recs recs = {};
	const struct bufinfo_buf *b;
	bool have_bi;
	size_t i;
	int p, w, nr_want, nr_got;

	if (!need_fixture() || !load_procs())
		return;
	have_bi = !bufinfo_read(&bi);
	if (!read_recs(k.fd_link, DMABUFSTAT_STREAM_FDS, &recs))
		goto out;
	for (p = 0; p < 2; p++) {
		if (pids[p] <= 0)
			continue;
		nr_want = proc_fds(pids[p], want, ARRAY_SIZE(want));
		nr_got = 0;
		for (i = 0; i < recs.nr; i++) {
			r = REF(&recs, i);
			if (r->ref.pid != (__u32)pids[p])
				continue;
			nr_got++;
			for (w = 0; w < nr_want; w++)
				if (want[w].fd == r->ref.fd)
					break;
			if (!ASSERT_LT(w, nr_want, "record's fd in /proc")) {
				printf("pid %d fd %u ino %llu\n", pids[p],
				       r->ref.fd, (unsigned long long)r->ref.ino);
				continue;
			}
			check_task(r, pids[p]);
			ASSERT_EQ(r->ref.ino, want[w].ino, "ino as fdinfo");
			ASSERT_EQ(RD(&recs, r)->size, want[w].fi.size, "size as fdinfo");
			ASSERT_STREQ(RD(&recs, r)->exporter, want[w].fi.exp_name,
				     "exporter as fdinfo");
			b = have_bi ? bufinfo_find(&bi, r->ref.ino) : NULL;
			if (b)
				ASSERT_TRUE(names_equal(RD(&recs, r)->name, b->name),
					    "name as bufinfo");
			if (fixture_name(r->ref.ino))
				ASSERT_TRUE(names_equal(RD(&recs, r)->name,
							fixture_name(r->ref.ino)),
					    "hostile name byte for byte");
			if (p == 0 && r->ref.fd == fx.heap)
				heap = r;
			if (p == 0 && r->ref.fd == fx.heap_dup)
				dup = r;
			if (p == 1 && r->ref.fd == fx.heap)
				child_heap = r;
		}
		printf("pid %d: %d dma-buf fds in /proc, %d records\n",
		       pids[p], nr_want, nr_got);
		ASSERT_EQ(nr_got, nr_want, "one record per dma-buf fd");
	}
	if (fx.heap >= 0 && ASSERT_OK_PTR(heap, "heap fd record") &&
	    ASSERT_OK_PTR(dup, "dup'd fd record")) {
		ASSERT_EQ(heap->ref.file_id, dup->ref.file_id, "dup shares file id");
		if (child_heap)
			ASSERT_EQ(child_heap->ref.file_id, heap->ref.file_id,
				  "inherited fd shares file id");
	}
	for (i = 0; i < recs.nr; i++) {
		r = REF(&recs, i);
		if (heap && r->ref.ino != heap->ref.ino)
			ASSERT_NEQ(r->ref.file_id, heap->ref.file_id,
				   "other files, other ids");
	}
out:
	recs_free(&recs);
	if (have_bi)
		bufinfo_free(&bi);
}

struct map_line {
	unsigned long start, end, off, ino;
};

static int proc_maps(pid_t pid, struct map_line *out, int max)
{
	char path[64], line[512];
	int nr = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && nr < max) {
		if (!strstr(line, "/dmabuf:"))
			continue;
		if (sscanf(line, "%lx-%lx %*s %lx %*s %lu", &out[nr].start,
			   &out[nr].end, &out[nr].off, &out[nr].ino) == 4)
			nr++;
	}
	fclose(f);
	return nr;
}

/* iter/task_vma: each of our dma-buf mappings once, as /proc/<pid>/maps. */
static void subtest_task_vma(void)
{
	const struct raw_ref *r;
	pid_t pids[2] = { getpid(), fx.child };
	struct map_line want[64];
	struct recs recs = {}, fds = {};
	bool found_mapped = false;
	size_t i, j;
	int p, w, nr_want, nr_got;

	if (!need_fixture() || !load_procs())
		return;
	if (!read_recs(k.vma_link, DMABUFSTAT_STREAM_VMAS, &recs))
		return;
	for (p = 0; p < 2; p++) {
		if (pids[p] <= 0)
			continue;
		nr_want = proc_maps(pids[p], want, ARRAY_SIZE(want));
		nr_got = 0;
		for (i = 0; i < recs.nr; i++) {
			r = REF(&recs, i);
			if (r->ref.pid != (__u32)pids[p])
				continue;
			nr_got++;
			for (w = 0; w < nr_want; w++)
				if (want[w].start == r->ref.start)
					break;
			if (!ASSERT_LT(w, nr_want, "mapping in maps"))
				continue;
			check_task(r, pids[p]);
			ASSERT_EQ(r->ref.end, want[w].end, "end");
			ASSERT_EQ(r->ref.offset, want[w].off, "offset");
			ASSERT_EQ(r->ref.ino, want[w].ino, "ino");
			if (r->ref.ino == fx.ino_mapped) {
				found_mapped = true;
				ASSERT_EQ(r->ref.offset, page_size(), "mapped at page 1");
				ASSERT_TRUE(names_equal(RD(&recs, r)->name,
							NAME_MAPPED),
					    "name of a closed fd's buffer");
			}
		}
		printf("pid %d: %d dma-buf mappings in maps, %d records\n",
		       pids[p], nr_want, nr_got);
		ASSERT_EQ(nr_got, nr_want, "one record per mapping");
	}
	if (fx.map_mapped)
		ASSERT_TRUE(found_mapped, "mapping without fd found");
	/* the heap mapping was made through the heap fd's open file */
	if (fx.map_heap && read_recs(k.fd_link, DMABUFSTAT_STREAM_FDS, &fds)) {
		const struct raw_ref *f;

		for (i = 0; i < recs.nr; i++) {
			r = REF(&recs, i);
			if (r->ref.pid != (__u32)getpid() ||
			    r->ref.start != (unsigned long)fx.map_heap)
				continue;
			for (j = 0; j < fds.nr; j++) {
				f = REF(&fds, j);
				if (f->ref.pid == (__u32)getpid() &&
				    f->ref.fd == fx.heap)
					ASSERT_EQ(r->ref.file_id, f->ref.file_id,
						  "mapping's file id as its fd's");
			}
		}
	}
	recs_free(&fds);
	recs_free(&recs);
}

/* The real driver behind a vgem PRIME export, on any kernel. */
static void subtest_drm_driver(void)
{
	const struct raw_ref *r, *v = NULL;
	const char *want_exp = NULL;
	struct recs recs = {};
	size_t i;

	if (fx.vgem < 0) {
		test__skip_reason("no vgem export: %s", fx.why_none);
		return;
	}
	if (!load_procs())
		return;
	if (k.variant && !strcmp(k.variant, "vanilla"))
		want_exp = "drm";
	else if (k.variant)
		want_exp = "vgem";
	if (!read_recs(k.fd_link, DMABUFSTAT_STREAM_FDS, &recs))
		return;
	for (i = 0; i < recs.nr; i++) {
		r = REF(&recs, i);
		if (r->ref.pid == (__u32)getpid() && r->ref.fd == fx.vgem)
			v = r;
	}
	if (!ASSERT_OK_PTR(v, "vgem fd record"))
		goto out;
	printf("vgem export: exp_name \"%s\", driver \"%s\"%s (%s kernel)\n",
	       RD(&recs, v)->exporter, RD(&recs, v)->driver,
	       RD(&recs, v)->flags & DMABUFSTAT_BUF_DRIVER ? " resolved" : "",
	       k.variant ?: "unnamed");
	if (want_exp)
		ASSERT_STREQ(RD(&recs, v)->exporter, want_exp, "kernel's exporter name");
	ASSERT_TRUE(RD(&recs, v)->flags & DMABUFSTAT_BUF_DRIVER, "driver resolved");
	ASSERT_STREQ(RD(&recs, v)->driver, "vgem", "resolved driver");
	/* non-DRM buffers are never resolved */
	for (i = 0; i < recs.nr; i++) {
		r = REF(&recs, i);
		if (r->ref.ino == fx.ino_heap || r->ref.ino == fx.ino_udmabuf)
			ASSERT_FALSE(RD(&recs, r)->flags & DMABUFSTAT_BUF_DRIVER,
				     "heap/udmabuf not resolved");
	}
	recs_free(&recs);

	/* and the per-buffer record says the same */
	if (!k.have_iter || !load_bufs(false))
		goto out;
	if (!read_recs(k.buf_link, DMABUFSTAT_STREAM_BUFS, &recs))
		goto out;
	for (i = 0; i < recs.nr; i++) {
		const struct dmabufstat_buffer *b =
			BUF(&recs, i);

		if (b->ino != fx.ino_vgem)
			continue;
		ASSERT_TRUE(b->flags & DMABUFSTAT_BUF_DRIVER,
			    "iterator: driver resolved");
		ASSERT_STREQ(b->driver, "vgem", "iterator: driver");
	}
out:
	recs_free(&recs);
}

void test_bpf_programs(void)
{
	if (geteuid() != 0) {
		test__skip_reason("needs root for BPF iterators and the buffer sources");
		return;
	}
	memset(&k, 0, sizeof(k));
	srandom(getpid());
	probe_kernel();
	fixture_up();

	if (test__start_subtest("load"))
		subtest_load();
	if (test__start_subtest("idle"))
		subtest_idle();
	if (test__start_subtest("buffers"))
		subtest_buffers();
	if (test__start_subtest("totals"))
		subtest_totals();
	if (test__start_subtest("task_file"))
		subtest_task_file();
	if (test__start_subtest("task_vma"))
		subtest_task_vma();
	if (test__start_subtest("drm_driver"))
		subtest_drm_driver();

	fixture_down();
	unload();
}
