// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the dma-buf BPF iterator, written from the upstream (6.16+) ABI
 * only: the same objects must load and behave alike on the patched 6.12
 * kernel and on upstream kernels.
 *
 * Buffers come from udmabuf, the system dma-heap and vgem (bufsrc.h); the
 * ground truth is debugfs dma_buf/bufinfo and /proc/self/fdinfo. On a
 * machine without exporters (this project's host) only "idle" and
 * "reject_non_sleepable" have something to do: the programs load, run and
 * list nothing. On a kernel without the iterator every subtest that needs
 * it skips with the reason.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "test_progs.h"
#include "bufsrc.h"
#include "progs/dmabuf_iter.h"
#include "dmabuf_iter.skel.h"
#include "dmabuf_iter_reject.skel.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define REC_SIZE	sizeof(struct dmabuf_iter_rec)
/* No listing here comes near this: past it the iterator is not ending. */
#define MAX_OUTPUT	(64UL << 20)
/* fput() of a dma-buf may be deferred; give it this long to go away. */
#define GONE_TIMEOUT_MS	3000

#define NR_CHUNKED	2048
#define NR_MID_WALK	1000
#define NR_EOF		200
#define NR_LEAK		64

/* What the running kernel offers; found once per run of the test. */
static struct {
	bool have_iter;		/* bpf_iter__dmabuf in vmlinux BTF */
	bool have_kfuncs;	/* bpf_iter_dmabuf_{new,next,destroy} */
	bool have_tracing;	/* BPF_PROG_TYPE_TRACING loads (iter/ progs) */
	char no_iter[160];	/* why not, for skip reasons */
	char no_kfuncs[160];
	const char *variant;	/* $DMABUFSTAT_KERNEL, or NULL */
	struct utsname uts;
	struct dmabuf_iter_bpf *skel;
	struct bpf_link *link;	/* dmabuf_collector's iterator link */
	const char *load_error;	/* why dmabuf_iter did not load, once it did not */
	struct listing *baseline; /* buffers there when the test started */
} k;

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return (x > y) - (x < y);
}

/* A sorted set of inode numbers, for lookups and duplicate checks. */
struct inoset {
	__u64 *v;
	size_t n;
};

static void inoset_sort(struct inoset *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
}

static bool inoset_has(const struct inoset *s, __u64 ino)
{
	return s->n && bsearch(&ino, s->v, s->n, sizeof(*s->v), cmp_u64);
}

/* Number of entries equal to the one before them. */
static size_t inoset_dups(const struct inoset *s)
{
	size_t i, d = 0;

	for (i = 1; i < s->n; i++)
		d += s->v[i] == s->v[i - 1];
	return d;
}

static void inoset_free(struct inoset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* ------------------------------------------------------------------ */
/* The buffers a subtest makes                                        */

struct bufs {
	int *fd;		/* -1 once closed */
	__u64 *ino;
	size_t *size;
	int nr, cap;
};

static bool bufs_add(struct bufs *b, int fd, size_t size)
{
	if (b->nr == b->cap) {
		int cap = b->cap ? 2 * b->cap : 64;
		int *fds = realloc(b->fd, cap * sizeof(*fds));
		__u64 *inos = fds ? realloc(b->ino, cap * sizeof(*inos)) : NULL;
		size_t *sizes = inos ? realloc(b->size, cap * sizeof(*sizes)) :
				NULL;

		if (fds)
			b->fd = fds;
		if (inos)
			b->ino = inos;
		if (!ASSERT_OK_PTR(sizes, "grow buffer set")) {
			close(fd);
			return false;
		}
		b->size = sizes;
		b->cap = cap;
	}
	b->fd[b->nr] = fd;
	b->ino[b->nr] = ino_of_fd(fd);
	b->size[b->nr] = size;
	b->nr++;
	/* asserted only when wrong: thousands of OK lines would drown -v */
	return b->ino[b->nr - 1] || ASSERT_NEQ(b->ino[b->nr - 1], 0,
					       "buffer inode");
}

static int bufs_find(const struct bufs *b, __u64 ino)
{
	int i;

	for (i = 0; i < b->nr; i++)
		if (b->ino[i] == ino)
			return i;
	return -1;
}

static void bufs_close(struct bufs *b, int i)
{
	if (b->fd[i] >= 0)
		close(b->fd[i]);
	b->fd[i] = -1;
}

/*
 * A buffer from the cheapest source there is: the system heap, else
 * udmabuf. Returns the fd, or -errno (-ENOENT: neither exists).
 */
static int cheap_buf(size_t size)
{
	int fd = heap_alloc("system", size);

	if (fd == -ENOENT)
		fd = udmabuf_create(size);
	return fd;
}

/* Makes nr cheap buffers of size bytes, named fmt % i if fmt is given. */
static bool make_cheap_bufs(struct bufs *b, int nr, size_t size,
			    const char *fmt)
{
	char name[DMABUF_ITER_NAME_LEN];
	int i, fd, err;

	for (i = 0; i < nr; i++) {
		fd = cheap_buf(size);
		if (i == 0 && test__skip_missing(DMA_HEAP_DIR "/system and "
					   UDMABUF_DEV, fd))
			return false;
		if (fd < 0) {
			ASSERT_OK_FD(fd, "create buffer");
			printf("buffer %d of %d\n", i, nr);
			return false;
		}
		if (!bufs_add(b, fd, size))
			return false;
		if (fmt) {
			snprintf(name, sizeof(name), fmt, i);
			err = dmabuf_set_name(fd, name);
			if (err)
				return ASSERT_OK(err, "set name");
		}
	}
	printf("made %d buffers of %zu bytes\n", nr, size);
	return true;
}

/* Raises RLIMIT_NOFILE to at least need, saving the old limit. */
static bool raise_nofile(rlim_t need, struct rlimit *saved)
{
	struct rlimit rl;

	if (!ASSERT_OK(getrlimit(RLIMIT_NOFILE, saved), "getrlimit"))
		return false;
	if (saved->rlim_cur >= need)
		return true;
	rl.rlim_cur = need;
	rl.rlim_max = saved->rlim_max > need ? saved->rlim_max : need;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		test__skip_reason("cannot raise RLIMIT_NOFILE to %lu: %s",
				  (unsigned long)need, strerror(errno));
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Reading the seq_file iterator                                      */

struct listing {
	struct dmabuf_iter_rec *recs;
	size_t nr;
	char *raw;		/* the bytes as read */
	size_t len, cap;
	size_t reads;		/* read() calls that returned data */
};

static void listing_free(struct listing *l)
{
	if (!l)
		return;
	free(l->recs);
	free(l->raw);
	memset(l, 0, sizeof(*l));
}

static const struct dmabuf_iter_rec *
listing_find(const struct listing *l, __u64 ino)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (l->recs[i].ino == ino)
			return &l->recs[i];
	return NULL;
}

static void listing_inos(const struct listing *l, struct inoset *s)
{
	size_t i;

	s->n = 0;
	s->v = calloc(l->nr + 1, sizeof(*s->v));
	if (!s->v) {
		ASSERT_OK_PTR(s->v, "calloc");
		return;
	}
	for (i = 0; i < l->nr; i++)
		s->v[s->n++] = l->recs[i].ino;
	inoset_sort(s);
}

/*
 * Reads an iterator fd to its end in read() calls of chunk bytes. The end is
 * a read() returning 0, and so must the eof_reads reads after it be. Output
 * beyond MAX_OUTPUT means the iterator does not end.
 */
static bool read_iter_fd(int fd, size_t chunk, int eof_reads,
			 struct listing *l)
{
	size_t cap;
	char *tmp;
	ssize_t n;
	int i;

	/* appends to what l already holds */
	for (;;) {
		if (l->cap - l->len < chunk) {
			cap = l->cap > 65536 ? l->cap : 65536;
			while (cap - l->len < chunk)
				cap *= 2;
			tmp = realloc(l->raw, cap);
			if (!tmp)
				return ASSERT_OK_PTR(tmp, "grow read buffer");
			l->raw = tmp;
			l->cap = cap;
		}
		/* asserted only when wrong: there may be 400,000 reads */
		n = read(fd, l->raw + l->len, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			printf("read(%zu) after %zu bytes: %s\n", chunk, l->len,
			       strerror(errno));
			return ASSERT_GE(n, 0, "read iterator");
		}
		if (!n)
			break;
		if ((size_t)n > chunk)
			return ASSERT_LE(n, chunk, "read returned at most asked");
		l->len += n;
		l->reads++;
		if (l->len > MAX_OUTPUT)
			return ASSERT_LE(l->len, MAX_OUTPUT, "iterator output ends");
	}
	for (i = 0; i < eof_reads; i++) {
		char c;

		n = read(fd, &c, 1);
		if (n) {
			printf("read #%d after EOF returned %zd\n", i + 1, n);
			return ASSERT_EQ(n, 0, "read after EOF");
		}
	}
	return true;
}

/*
 * Checks and decodes the bytes read: whole records, each intact, numbered
 * 0, 1, 2... by the iterator (so none was shown twice or lost on resume),
 * each for a dma-buf file.
 */
static bool parse_listing(struct listing *l)
{
	const struct dmabuf_iter_rec *r;
	size_t i, bad = 0;

	/* the helpers called per walk assert only when wrong: -v stays short */
	if (l->len % REC_SIZE)
		return ASSERT_EQ(l->len % REC_SIZE, 0, "output is whole records");
	l->nr = l->len / REC_SIZE;
	l->recs = malloc(l->len + 1);
	if (!l->recs)
		return ASSERT_OK_PTR(l->recs, "malloc");
	memcpy(l->recs, l->raw, l->len);
	for (i = 0; i < l->nr; i++) {
		r = &l->recs[i];
		if (r->magic == DMABUF_ITER_REC_MAGIC &&
		    r->check == (r->magic ^ r->ino ^ r->size) &&
		    r->seq_num == i && (r->flags & DMABUF_ITER_SB_MAGIC) &&
		    r->exp_name[DMABUF_ITER_EXP_LEN - 1] == '\0' &&
		    r->name[DMABUF_ITER_NAME_LEN - 1] == '\0')
			continue;
		if (bad++ < 5)
			printf("bad record %zu: magic %#llx seq %llu ino %llu size %llu flags %x\n",
			       i, (unsigned long long)r->magic,
			       (unsigned long long)r->seq_num,
			       (unsigned long long)r->ino,
			       (unsigned long long)r->size, r->flags);
	}
	return !bad || ASSERT_EQ(bad, 0, "intact records in sequence");
}

/* Lists every buffer through a new iterator fd of the test's link. */
static bool list_bufs(size_t chunk, struct listing *l)
{
	bool ok;
	int fd;

	memset(l, 0, sizeof(*l));
	fd = bpf_iter_create(bpf_link__fd(k.link));
	if (fd < 0)
		return ASSERT_OK_FD(fd, "bpf_iter_create");
	ok = read_iter_fd(fd, chunk, 2, l) && parse_listing(l);
	close(fd);
	if (!ok)
		listing_free(l);
	return ok;
}

/* Runs the open-coded walk; the results are in k.skel->bss. */
static bool run_walk(__u64 limit)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err;

	k.skel->bss->walk_limit = limit;
	err = bpf_prog_test_run_opts(bpf_program__fd(k.skel->progs.dmabuf_walk),
				     &opts);
	if (!err && !opts.retval &&
	    k.skel->bss->walk_nr <= DMABUF_ITER_MAX_INOS)
		return true;
	return ASSERT_OK(err, "run open-coded walk") &&
	       ASSERT_EQ(opts.retval, 0, "open-coded walk retval") &&
	       ASSERT_LE(k.skel->bss->walk_nr, DMABUF_ITER_MAX_INOS,
			 "walk fits walk_inos");
}

static void walk_inos(struct inoset *s)
{
	size_t n = k.skel->bss->walk_nr;

	s->n = 0;
	s->v = calloc(n + 1, sizeof(*s->v));
	if (!s->v) {
		ASSERT_OK_PTR(s->v, "calloc");
		return;
	}
	memcpy(s->v, k.skel->bss->walk_inos, n * sizeof(*s->v));
	s->n = n;
	inoset_sort(s);
}

/* ------------------------------------------------------------------ */
/* Kernel features, loading, and skip decisions                       */

static void probe_kernel(void)
{
	static const char *const kfuncs[] = {
		"bpf_iter_dmabuf_new",
		"bpf_iter_dmabuf_next",
		"bpf_iter_dmabuf_destroy",
	};
	struct btf *btf;
	size_t i;

	memset(&k, 0, sizeof(k));
	uname(&k.uts);
	k.variant = getenv("DMABUFSTAT_KERNEL");
	/*
	 * iter/ programs are BPF_PROG_TYPE_TRACING, which the kernel has only
	 * with CONFIG_BPF_EVENTS, like RAW_TRACEPOINT: libbpf 1.1 can probe
	 * the latter.
	 */
	k.have_tracing = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT,
						    NULL) == 1;

	btf = btf__load_vmlinux_btf();
	if (!btf) {
		snprintf(k.no_iter, sizeof(k.no_iter),
			 "no vmlinux BTF on kernel %s (%s)", k.uts.release,
			 strerror(errno));
		snprintf(k.no_kfuncs, sizeof(k.no_kfuncs), "%s", k.no_iter);
		return;
	}
	k.have_iter = btf__find_by_name_kind(btf, "bpf_iter__dmabuf",
					     BTF_KIND_STRUCT) > 0;
	if (!k.have_iter)
		snprintf(k.no_iter, sizeof(k.no_iter),
			 "kernel %s has no dma-buf iterator (no struct bpf_iter__dmabuf in vmlinux BTF)",
			 k.uts.release);
	k.have_kfuncs = k.have_iter;
	for (i = 0; i < ARRAY_SIZE(kfuncs); i++) {
		if (btf__find_by_name_kind(btf, kfuncs[i], BTF_KIND_FUNC) > 0)
			continue;
		k.have_kfuncs = false;
		snprintf(k.no_kfuncs, sizeof(k.no_kfuncs),
			 "kernel %s has no open-coded dma-buf iterator (no kfunc %s in vmlinux BTF)",
			 k.uts.release, kfuncs[i]);
		break;
	}
	if (k.have_kfuncs && !k.have_iter)
		snprintf(k.no_kfuncs, sizeof(k.no_kfuncs), "%s", k.no_iter);
	btf__free(btf);
}

/*
 * Loads dmabuf_iter.bpf.o (once) and attaches its iter/dmabuf program.
 * Skips when the kernel lacks what the subtest needs; a load failure on a
 * kernel that has it is a failure.
 */
static bool need_iter(bool kfuncs)
{
	if (!k.have_iter) {
		test__skip_reason("%s", k.no_iter);
		return false;
	}
	if (kfuncs && !k.have_kfuncs) {
		test__skip_reason("%s", k.no_kfuncs);
		return false;
	}
	if (k.link)
		return true;
	if (k.load_error) {
		printf("%s\n", k.load_error);
		return ASSERT_TRUE(false, "dmabuf_iter loads");
	}
	k.load_error = "dmabuf_iter failed to load or attach (see the first failed subtest)";
	/*
	 * The iterator is there but no iter/ program can load: a kernel
	 * configuration bug, not a missing feature.
	 */
	if (!k.have_tracing) {
		k.load_error = "no iter/ program loads: no BPF_PROG_TYPE_TRACING (BPF_EVENTS)";
		printf("%s\n", k.load_error);
		return ASSERT_TRUE(false, "tracing programs supported");
	}

	k.skel = dmabuf_iter_bpf__open();
	if (!ASSERT_OK_PTR(k.skel, "open dmabuf_iter"))
		return false;
	if (!k.have_kfuncs)
		bpf_program__set_autoload(k.skel->progs.dmabuf_walk, false);
	if (!ASSERT_OK(dmabuf_iter_bpf__load(k.skel), "load dmabuf_iter"))
		return false;
	k.link = bpf_program__attach_iter(k.skel->progs.dmabuf_collector,
					  NULL);
	if (!ASSERT_OK_PTR(k.link, "attach iter/dmabuf")) {
		k.link = NULL;
		return false;
	}
	k.load_error = NULL;

	/* what the machine holds before this test makes any buffer */
	k.baseline = calloc(1, sizeof(*k.baseline));
	if (ASSERT_OK_PTR(k.baseline, "calloc") &&
	    !list_bufs(4096, k.baseline)) {
		free(k.baseline);
		k.baseline = NULL;
	}
	return true;
}

static void unload(void)
{
	bpf_link__destroy(k.link);
	dmabuf_iter_bpf__destroy(k.skel);
	if (k.baseline)
		listing_free(k.baseline);
	free(k.baseline);
	k.link = NULL;
	k.skel = NULL;
	k.baseline = NULL;
}

#define NO_BUFINFO	"no " BUFINFO_PATH " (debugfs not mounted?)"

/*
 * Reads bufinfo. False when there is none (*why is NO_BUFINFO) or on an
 * error, which fails the subtest.
 */
static bool read_bufinfo(struct bufinfo *bi, const char **why)
{
	int err = bufinfo_read(bi);

	*why = NULL;
	if (err == -ENOENT || err == -EACCES) {
		*why = NO_BUFINFO;
		return false;
	}
	if (!ASSERT_OK(err, "read bufinfo")) {
		*why = "unreadable bufinfo";
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Ground truth checks                                                */

/*
 * The listing has exactly the buffers bufinfo has, each once and with the
 * same size, exporter and name.
 */
static bool check_vs_bufinfo(const struct listing *l, const struct bufinfo *bi)
{
	const struct dmabuf_iter_rec *r;
	const struct bufinfo_buf *b;
	struct inoset s = {};
	size_t bad = 0;
	size_t i;
	bool ok;

	listing_inos(l, &s);
	ok = ASSERT_EQ(inoset_dups(&s), 0, "no buffer listed twice");
	inoset_free(&s);
	ok &= ASSERT_EQ(l->nr, bi->nr, "as many buffers as bufinfo");

	for (i = 0; i < (size_t)bi->nr; i++) {
		b = &bi->bufs[i];
		r = listing_find(l, b->ino);
		if (r && r->size == b->size &&
		    !strcmp(r->exp_name, b->exp_name) &&
		    !!(r->flags & DMABUF_ITER_HAS_NAME) == b->has_name &&
		    !strncmp(r->name, b->name, DMABUF_ITER_NAME_LEN))
			continue;
		if (bad++ >= 5)
			continue;
		printf("bufinfo ino %lu size %llu exp %s name %s%s%s\n",
		       b->ino, b->size, b->exp_name, b->has_name ? "\"" : "",
		       b->has_name ? b->name : "<none>",
		       b->has_name ? "\"" : "");
		if (r)
			printf("  iterator: size %llu exp %s name%s \"%s\"\n",
			       (unsigned long long)r->size, r->exp_name,
			       r->flags & DMABUF_ITER_HAS_NAME ? "" : " (none)",
			       r->name);
		else
			printf("  not listed by the iterator\n");
	}
	for (i = 0; i < l->nr; i++) {
		if (bufinfo_find(bi, l->recs[i].ino))
			continue;
		if (bad++ < 5)
			printf("iterator lists ino %llu, bufinfo does not\n",
			       (unsigned long long)l->recs[i].ino);
	}
	return ASSERT_EQ(bad, 0, "listing matches bufinfo") && ok;
}

/*
 * After a subtest closed its buffers they must all be gone: the iterator
 * kept no reference. debugfs bufinfo is the ground truth; without it the
 * iterator itself is asked.
 */
static void check_gone(const struct bufs *b)
{
	struct listing l = {};
	struct bufinfo bi;
	const char *why;
	int left = 0, waited = 0, i;
	bool have_bi;

	if (!b->nr)
		return;
	for (;;) {
		have_bi = read_bufinfo(&bi, &why);
		if (!have_bi && strcmp(why, NO_BUFINFO))
			return;
		if (!have_bi && !k.link) {
			printf("%s and no iterator: cannot tell if the buffers are gone\n",
			       why);
			return;
		}
		if (!have_bi && !list_bufs(4096, &l))
			return;
		left = 0;
		for (i = 0; i < b->nr; i++) {
			bool there = have_bi ? !!bufinfo_find(&bi, b->ino[i]) :
					       !!listing_find(&l, b->ino[i]);

			if (there && left++ < 5 && waited >= GONE_TIMEOUT_MS) {
				const struct bufinfo_buf *bb;

				bb = have_bi ? bufinfo_find(&bi, b->ino[i]) :
					       NULL;
				printf("buffer ino %llu still there (count %ld)\n",
				       (unsigned long long)b->ino[i],
				       bb ? bb->count : -1L);
			}
		}
		if (have_bi)
			bufinfo_free(&bi);
		listing_free(&l);
		if (!left || waited >= GONE_TIMEOUT_MS)
			break;
		sleep_ms(10);
		waited += 10;
	}
	if (ASSERT_EQ(left, 0, "buffers gone after close"))
		printf("all %d buffers gone from %s after %d ms\n", b->nr,
		       have_bi ? "bufinfo" : "the iterator", waited);
}

/* Closes every buffer of the set and checks that they are gone. */
static void bufs_release(struct bufs *b)
{
	int i;

	for (i = 0; i < b->nr; i++)
		bufs_close(b, i);
	check_gone(b);
	free(b->fd);
	free(b->ino);
	free(b->size);
	memset(b, 0, sizeof(*b));
}

/* ------------------------------------------------------------------ */
/* Subtests                                                           */

/*
 * With no buffer of ours: both forms load, run and agree with bufinfo. On
 * a machine without exporters (the host) that is an empty listing.
 */
static void subtest_idle(void)
{
	struct inoset ls = {}, ws = {};
	struct listing l = {};
	struct bufinfo bi;
	const char *why;
	bool have_bi;
	__u64 bytes = 0;
	size_t i;

	if (!need_iter(false) || !list_bufs(4096, &l))
		return;
	for (i = 0; i < l.nr; i++)
		bytes += l.recs[i].size;

	if (k.have_kfuncs && run_walk(0)) {
		ASSERT_EQ(k.skel->bss->walk_nr, l.nr, "open-coded count");
		ASSERT_EQ(k.skel->bss->walk_bytes, bytes, "open-coded bytes");
		listing_inos(&l, &ls);
		walk_inos(&ws);
		if (ASSERT_EQ(ws.n, ls.n, "same number of inodes"))
			ASSERT_MEMEQ(ws.v, ls.v, ws.n * sizeof(*ws.v),
				     "open-coded inodes");
	} else if (!k.have_kfuncs) {
		printf("%s: only the seq_file form ran\n", k.no_kfuncs);
	}

	have_bi = read_bufinfo(&bi, &why);
	if (have_bi) {
		check_vs_bufinfo(&l, &bi);
		bufinfo_free(&bi);
	} else if (!have_buffer_source()) {
		/* no exporter device and no bufinfo: nothing can exist */
		ASSERT_EQ(l.nr, 0, "no buffers without exporters");
	}
	printf("kernel %s (%s): iter/dmabuf listed %zu buffers (%llu bytes)%s\n",
	       k.uts.release, k.variant ?: "DMABUFSTAT_KERNEL unset", l.nr,
	       (unsigned long long)bytes,
	       k.have_kfuncs ? ", the open-coded walk the same" : "");
	printf("bufinfo: %s; buffer sources: %s\n", have_bi ? "matches" : why,
	       have_buffer_source() ? "yes" : "none");
	inoset_free(&ls);
	inoset_free(&ws);
	listing_free(&l);
}

struct named_buf {
	const char *src;
	const char *dev;	/* for the skip reason */
	int fd;
	size_t size;
	const char *exp;	/* expected exporter, NULL: as fdinfo says */
	const char *name;	/* NULL: left unnamed */
};

/*
 * Every buffer from every source is listed once with the inode, size,
 * exporter and name that fdinfo and bufinfo show, and nothing else is.
 */
static void subtest_listing(void)
{
	char name31[DMABUF_ITER_NAME_LEN];
	struct named_buf nb[] = {
		{ "udmabuf", UDMABUF_DEV, -1, 3, "udmabuf", NULL },
		{ "system heap", DMA_HEAP_DIR "/system", -1, 5, "system",
		  "heap name\twith tab" },
		{ "vgem", "vgem card in /dev/dri", -1, 2, NULL, name31 },
		{ "system heap", DMA_HEAP_DIR "/system", -1, 1, "system",
		  NULL },
		{ "udmabuf", UDMABUF_DEV, -1, 4, "udmabuf", "nl\nin name" },
	};
	const struct dmabuf_iter_rec *r;
	size_t ko_size = 6 * page_size();
	struct dmabuf_fdinfo fi;
	struct listing l = {};
	struct bufs b = {};
	__u32 handle = 0;
	struct bufinfo bi;
	int fd, card = -1;
	bool imported = false;
	const char *why;
	size_t i;

	if (!need_iter(false))
		return;
	/* the longest name DMA_BUF_SET_NAME_B takes: 31 bytes and the NUL */
	memset(name31, 'x', sizeof(name31) - 1);
	name31[sizeof(name31) - 1] = '\0';
	memcpy(name31, "vgem-31-byte-name", 17);
	nb[0].name = "udmabuf listing";

	for (i = 0; i < ARRAY_SIZE(nb); i++) {
		nb[i].size *= page_size();
		if (!strcmp(nb[i].src, "udmabuf"))
			fd = udmabuf_create(nb[i].size);
		else if (!strcmp(nb[i].src, "vgem"))
			fd = vgem_export(nb[i].size);
		else
			fd = heap_alloc("system", nb[i].size);
		if (test__skip_missing(nb[i].dev, fd) ||
		    !ASSERT_OK_FD(fd, nb[i].src) ||
		    !bufs_add(&b, fd, nb[i].size))
			goto out;
		nb[i].fd = fd;
		if (nb[i].name &&
		    !ASSERT_OK(dmabuf_set_name(fd, nb[i].name), "set name"))
			goto out;
	}

	/*
	 * A kernel-only buffer: imported into vgem, which holds it, and its
	 * last fd closed. No process has it, the iterator must still list it.
	 */
	card = vgem_open();
	if (!ASSERT_OK_FD(card, "open vgem"))
		goto out;
	fd = heap_alloc("system", ko_size);
	if (!ASSERT_OK_FD(fd, "heap") || !bufs_add(&b, fd, ko_size) ||
	    !ASSERT_OK(dmabuf_set_name(fd, "kernel-only"), "set name") ||
	    !ASSERT_OK(vgem_import(card, fd, &handle), "import into vgem"))
		goto out;
	imported = true;
	bufs_close(&b, b.nr - 1);

	if (!list_bufs(4096, &l))
		goto out;
	r = listing_find(&l, b.ino[b.nr - 1]);
	printf("kernel-only buffer ino %llu: %s\n",
	       (unsigned long long)b.ino[b.nr - 1], r ? "listed" : "missing");
	if (ASSERT_OK_PTR(r, "kernel-only buffer listed")) {
		ASSERT_EQ(r->size, ko_size, "kernel-only size");
		ASSERT_STREQ(r->exp_name, "system", "kernel-only exporter");
		ASSERT_STREQ(r->name, "kernel-only", "kernel-only name");
	}
	for (i = 0; i < ARRAY_SIZE(nb); i++) {
		printf("%s buffer ino %llu size %zu name %s\n", nb[i].src,
		       (unsigned long long)b.ino[i], nb[i].size,
		       nb[i].name ? "set" : "unset");
		if (!ASSERT_OK(fdinfo_read(getpid(), nb[i].fd, &fi), "fdinfo"))
			continue;
		ASSERT_EQ(fi.ino, b.ino[i], "fdinfo ino");
		r = listing_find(&l, b.ino[i]);
		if (!ASSERT_OK_PTR(r, "buffer listed"))
			continue;
		ASSERT_EQ(r->size, nb[i].size, "listed size");
		ASSERT_EQ(r->size, fi.size, "listed size as fdinfo");
		ASSERT_STREQ(r->exp_name, fi.exp_name,
			     "listed exporter as fdinfo");
		if (nb[i].exp)
			ASSERT_STREQ(r->exp_name, nb[i].exp, "listed exporter");
		ASSERT_EQ(!!(r->flags & DMABUF_ITER_HAS_NAME), !!nb[i].name,
			  "listed with a name iff named");
		ASSERT_EQ(fi.has_name, !!nb[i].name, "fdinfo has a name");
		if (!nb[i].name)
			continue;
		ASSERT_STREQ(r->name, nb[i].name, "listed name");
		/* fdinfo is line based: a newline cuts its name short */
		if (!strchr(nb[i].name, '\n'))
			ASSERT_STREQ(r->name, fi.name, "listed name as fdinfo");
	}
	ASSERT_EQ(strlen(name31), DMABUF_ITER_NAME_LEN - 1, "31-byte name");

	if (read_bufinfo(&bi, &why)) {
		check_vs_bufinfo(&l, &bi);
		bufinfo_free(&bi);
	} else {
		printf("%s: compared with fdinfo only\n", why);
	}
	printf("listed %zu buffers in %zu read() calls\n", l.nr, l.reads);
out:
	/* vgem lets go of the kernel-only buffer: it must go too */
	if (imported)
		ASSERT_OK(vgem_close_handle(card, handle), "close GEM handle");
	if (card >= 0)
		close(card);
	listing_free(&l);
	bufs_release(&b);
}

/*
 * Reads a new iterator fd with read() sizes cycling through sizes[], 0
 * among them, and every 7th read() into an unmapped page: neither an empty
 * read() nor an -EFAULT may lose or repeat output.
 */
static bool read_mixed(const size_t *sizes, size_t nr, struct listing *l)
{
	size_t i, max = 0, faults = 0, empty = 0;
	char *bad = MAP_FAILED;
	bool ok = false;
	ssize_t n;
	int fd;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < nr; i++)
		max = sizes[i] > max ? sizes[i] : max;
	l->cap = MAX_OUTPUT + max;
	l->raw = malloc(l->cap);
	bad = mmap(NULL, page_size(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	fd = bpf_iter_create(bpf_link__fd(k.link));
	if (!ASSERT_OK_PTR(l->raw, "malloc") ||
	    !ASSERT_NEQ(bad, MAP_FAILED, "mmap") ||
	    !ASSERT_OK_FD(fd, "bpf_iter_create"))
		goto out;
	for (i = 0; l->len <= MAX_OUTPUT; i++) {
		size_t size = sizes[i % nr];

		if (i % 7 == 3 && size) {
			n = read(fd, bad, size);
			if (n != -1 || errno != EFAULT) {
				printf("read(%zu) into PROT_NONE: %zd\n", size, n);
				ASSERT_EQ(errno, EFAULT, "read into PROT_NONE");
				goto out;
			}
			faults++;
			continue;
		}
		n = read(fd, l->raw + l->len, size);
		if (n < 0 || (size_t)n > size) {
			ASSERT_GE(n, 0, "read iterator");
			ASSERT_LE(n, size, "read returned at most asked");
			goto out;
		}
		l->len += n;
		l->reads += n > 0;
		empty += !size;
		if (!n && size)
			break;
	}
	ok = ASSERT_LE(l->len, MAX_OUTPUT, "iterator output ends") &&
	     parse_listing(l);
	printf("mixed read() sizes: %zu bytes, %zu reads, %zu of 0 bytes, %zu -EFAULT\n",
	       l->len, l->reads, empty, faults);
out:
	if (fd >= 0)
		close(fd);
	if (bad != MAP_FAILED)
		munmap(bad, page_size());
	return ok;
}

/*
 * More than a seq_file buffer of output (2048 buffers of 200-byte records
 * is 400 KiB) read in chunks of several sizes: byte-identical, complete.
 * The first upstream version lost everything after the first read().
 */
static void subtest_chunked_reads(void)
{
	static const size_t chunks[] = { 65536, 4096, 17, 1, 200, 1 << 20 };
	static const size_t mixed[] = {
		0, 1, 200, 17, 0, 4096, 199, 65536, 3, 32768, 201, 0, 8191,
	};
	struct listing ref = {}, l = {};
	struct rlimit saved = {};
	struct inoset s = {};
	struct bufinfo bi;
	bool restore = false;
	struct bufs b = {};
	const char *why;
	size_t c;
	int i, miss = 0;

	if (!need_iter(false) ||
	    !raise_nofile(NR_CHUNKED + 256, &saved))
		goto out;
	restore = true;
	if (!make_cheap_bufs(&b, NR_CHUNKED, page_size(), "chunk-%d"))
		goto out;

	for (c = 0; c < ARRAY_SIZE(chunks); c++) {
		struct listing *cur = c ? &l : &ref;

		if (!list_bufs(chunks[c], cur))
			goto out;
		printf("read(%zu): %zu bytes, %zu records, %zu read() calls\n",
		       chunks[c], cur->len, cur->nr, cur->reads);
		if (!c)
			continue;
		if (ASSERT_EQ(l.len, ref.len, "same length as read(65536)"))
			ASSERT_MEMEQ(l.raw, ref.raw, l.len,
				     "same bytes as read(65536)");
		listing_free(&l);
	}
	if (read_mixed(mixed, ARRAY_SIZE(mixed), &l) &&
	    ASSERT_EQ(l.len, ref.len, "mixed sizes: same length"))
		ASSERT_MEMEQ(l.raw, ref.raw, l.len, "mixed sizes: same bytes");
	listing_free(&l);

	/* well past one seq_file buffer (8 pages), so resuming happened */
	ASSERT_GT(ref.len, 8 * (size_t)page_size(), "output over 8 pages");
	listing_inos(&ref, &s);
	ASSERT_EQ(inoset_dups(&s), 0, "no buffer listed twice");
	for (i = 0; i < b.nr; i++)
		if (!inoset_has(&s, b.ino[i]) && miss++ < 5)
			printf("buffer ino %llu not listed\n",
			       (unsigned long long)b.ino[i]);
	ASSERT_EQ(miss, 0, "every buffer listed");
	if (read_bufinfo(&bi, &why)) {
		check_vs_bufinfo(&ref, &bi);
		bufinfo_free(&bi);
	} else {
		printf("%s: checked against the buffers made only\n", why);
	}
out:
	inoset_free(&s);
	listing_free(&ref);
	listing_free(&l);
	bufs_release(&b);
	if (restore)
		setrlimit(RLIMIT_NOFILE, &saved);
}

/* Once read() returned 0 it keeps returning 0: the output ends. */
static void subtest_read_after_eof(void)
{
	static const size_t chunks[] = { 4096, 1 << 20 };
	struct listing l = {}, again = {};
	struct bufs b = {};
	size_t c, want = 0;
	int fd = -1;

	if (!need_iter(false) ||
	    !make_cheap_bufs(&b, NR_EOF, page_size(), "eof-%d"))
		goto out;

	for (c = 0; c < ARRAY_SIZE(chunks); c++) {
		fd = bpf_iter_create(bpf_link__fd(k.link));
		if (!ASSERT_OK_FD(fd, "bpf_iter_create"))
			goto out;
		/* ten more reads after the first 0 */
		if (!read_iter_fd(fd, chunks[c], 10, &l) || !parse_listing(&l))
			goto out;
		ASSERT_GE(l.nr, (size_t)b.nr, "listing complete");
		printf("read(%zu): %zu bytes in %zu calls, then 0 x 11\n",
		       chunks[c], l.len, l.reads);
		close(fd);
		fd = -1;
		if (!c)
			want = l.len;
		else
			ASSERT_EQ(l.len, want, "same length each time");
		listing_free(&l);
	}

	/* a read() exactly as long as the output, then EOF */
	fd = bpf_iter_create(bpf_link__fd(k.link));
	if (!ASSERT_OK_FD(fd, "bpf_iter_create"))
		goto out;
	if (!read_iter_fd(fd, want, 10, &again))
		goto out;
	ASSERT_EQ(again.len, want, "exact-size reads: same length");
	close(fd);
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	listing_free(&l);
	listing_free(&again);
	bufs_release(&b);
}

/*
 * The open-coded walk (SEC("syscall"), BPF_PROG_TEST_RUN) sees what the
 * seq_file iterator lists: the same count, bytes and inodes.
 */
static void subtest_open_coded(void)
{
	struct inoset ls = {}, ws = {};
	struct listing l = {};
	struct bufs b = {};
	__u64 bytes = 0, nr, sum;
	struct bufinfo bi;
	const char *why;
	int i, fd;
	size_t j;

	if (!need_iter(true))
		return;
	/* sizes 1..16 pages, so a wrong sum cannot hide behind a right count */
	for (i = 1; i <= 16; i++) {
		fd = cheap_buf(i * page_size());
		if ((i == 1 && test__skip_missing(DMA_HEAP_DIR "/system and "
					    UDMABUF_DEV, fd)) ||
		    !ASSERT_OK_FD(fd, "create buffer") ||
		    !bufs_add(&b, fd, i * page_size()))
			goto out;
	}
	fd = vgem_export(7 * page_size());
	if (fd >= 0 && !bufs_add(&b, fd, 7 * page_size()))
		goto out;

	if (!list_bufs(4096, &l) || !run_walk(0))
		goto out;
	for (j = 0; j < l.nr; j++)
		bytes += l.recs[j].size;
	nr = k.skel->bss->walk_nr;
	sum = k.skel->bss->walk_bytes;
	ASSERT_EQ(nr, l.nr, "open-coded count as listed");
	ASSERT_EQ(sum, bytes, "open-coded bytes as listed");
	listing_inos(&l, &ls);
	walk_inos(&ws);
	if (ASSERT_EQ(ws.n, ls.n, "same number of inodes"))
		ASSERT_MEMEQ(ws.v, ls.v, ws.n * sizeof(*ws.v),
			     "open-coded inodes as listed");
	for (i = 0; i < b.nr; i++)
		if (!ASSERT_TRUE(inoset_has(&ws, b.ino[i]), "buffer walked"))
			break;
	printf("seq_file: %zu buffers, %llu bytes; open-coded: %llu, %llu\n",
	       l.nr, (unsigned long long)bytes, (unsigned long long)nr,
	       (unsigned long long)sum);

	if (read_bufinfo(&bi, &why)) {
		ASSERT_EQ(nr, bi.total_objects, "open-coded count as bufinfo");
		ASSERT_EQ(sum, bi.total_bytes, "open-coded bytes as bufinfo");
		bufinfo_free(&bi);
	}

	/* again: the same */
	if (run_walk(0)) {
		ASSERT_EQ(k.skel->bss->walk_nr, nr, "second walk count");
		ASSERT_EQ(k.skel->bss->walk_bytes, sum, "second walk bytes");
	}
	/* leaving the loop early, with a buffer held */
	if (run_walk(1))
		ASSERT_EQ(k.skel->bss->walk_nr, 1, "walk stopped after one");
	if (run_walk(5))
		ASSERT_EQ(k.skel->bss->walk_nr, 5, "walk stopped after five");
out:
	inoset_free(&ls);
	inoset_free(&ws);
	listing_free(&l);
	bufs_release(&b);
}

/* Prints the verifier log line that has @what in it. */
static void print_log_line(const char *prog, const char *log,
			   const char *what)
{
	const char *hit = strstr(log, what), *start = hit;

	while (start > log && start[-1] != '\n')
		start--;
	printf("%s refused: %.*s\n", prog, (int)strcspn(start, "\n"), start);
}

/*
 * The open-coded kfuncs are KF_SLEEPABLE: a non-sleepable program using
 * them must be refused by the verifier, and the same loop in a sleepable
 * iter.s/dmabuf program must load (so the refusal is about sleeping).
 */
static void subtest_reject_non_sleepable(void)
{
	static const char *const rejected[] = { "reject_iter", "reject_raw_tp" };
	static char vlog[1 << 20];
	struct dmabuf_iter_reject_bpf *skel = NULL;
	struct bpf_program *prog, *want;
	struct listing l = {}, out = {};
	struct bpf_link *link = NULL;
	struct bufs b = {};
	size_t i;
	int err, fd = -1;

	if (!need_iter(true))
		return;
	for (i = 0; i < ARRAY_SIZE(rejected); i++) {
		skel = dmabuf_iter_reject_bpf__open();
		if (!ASSERT_OK_PTR(skel, "open dmabuf_iter_reject"))
			return;
		want = bpf_object__find_program_by_name(skel->obj, rejected[i]);
		if (!ASSERT_OK_PTR(want, rejected[i]))
			goto out;
		bpf_object__for_each_program(prog, skel->obj)
			bpf_program__set_autoload(prog, prog == want);
		vlog[0] = '\0';
		bpf_program__set_log_buf(want, vlog, sizeof(vlog));
		bpf_program__set_log_level(want, 1);
		err = dmabuf_iter_reject_bpf__load(skel);
		if (!ASSERT_ERR(err, rejected[i]))
			goto out;
		/* 6.12 and upstream: "program must be sleepable to call ..." */
		if (!ASSERT_HAS_SUBSTR(vlog, "sleepable", "verifier says why"))
			printf("%s: verifier log:\n%s\n", rejected[i], vlog);
		else
			print_log_line(rejected[i], vlog, "sleepable");
		dmabuf_iter_reject_bpf__destroy(skel);
		skel = NULL;
	}

	/* the control: the same loop where sleeping is allowed */
	skel = dmabuf_iter_reject_bpf__open();
	if (!ASSERT_OK_PTR(skel, "open dmabuf_iter_reject"))
		return;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog,
					  prog == skel->progs.accept_iter_s);
	if (!ASSERT_OK(dmabuf_iter_reject_bpf__load(skel), "load iter.s"))
		goto out;
	/* a sleepable iterator attaches only to a BPF_ITER_RESCHED target */
	link = bpf_program__attach_iter(skel->progs.accept_iter_s, NULL);
	if (!ASSERT_OK_PTR(link, "attach iter.s/dmabuf")) {
		link = NULL;
		goto out;
	}
	/* one buffer, if this machine can make one, so that it runs */
	fd = cheap_buf(page_size());
	if (fd >= 0 && !bufs_add(&b, fd, page_size()))
		goto out;
	if (!list_bufs(4096, &l))
		goto out;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (!ASSERT_OK_FD(fd, "bpf_iter_create iter.s"))
		goto out;
	if (read_iter_fd(fd, 4096, 1, &out)) {
		if (!l.nr) {
			ASSERT_EQ(out.len, 0, "iter.s output without buffers");
		} else if (ASSERT_EQ(out.len, sizeof(__u64),
				     "iter.s output: one count")) {
			ASSERT_EQ(*(__u64 *)out.raw, l.nr,
				  "iter.s open-coded count as listed");
		}
	}
	close(fd);
	printf("iter.s/dmabuf with the open-coded loop loaded and ran over %zu buffers\n",
	       l.nr);
out:
	listing_free(&l);
	listing_free(&out);
	bpf_link__destroy(link);
	dmabuf_iter_reject_bpf__destroy(skel);
	bufs_release(&b);
}

/* State shared with the thread that frees buffers during the walks. */
struct mid_walk {
	struct bufs *b;
	atomic_int walks_started;
	atomic_bool done;
	int closed;
};

/*
 * Closes the odd-numbered buffers, ten at a time, each batch once the main
 * thread has started another walk, so that closes land inside walks of
 * both forms.
 */
static void *closer(void *arg)
{
	struct mid_walk *mw = arg;
	int i, seen = 0, waited;

	for (i = 1; i < mw->b->nr; i += 2) {
		if ((i / 2) % 10 == 0) {
			for (waited = 0; waited < 2000 &&
			     atomic_load(&mw->walks_started) == seen; waited++)
				usleep(500);
			seen = atomic_load(&mw->walks_started);
		}
		bufs_close(mw->b, i);
		mw->closed++;
		usleep(50);
	}
	atomic_store(&mw->done, true);
	return NULL;
}

/*
 * Checks one walk's inodes: none twice, each ours or there before, every
 * buffer we keep present. sizes, if given, are checked too.
 */
static bool check_mid_walk(const struct inoset *walk, const struct bufs *b,
			   const struct inoset *before, const char *form)
{
	size_t i, strangers = 0, dups = inoset_dups(walk);
	int j, missing = 0;

	for (i = 0; i < walk->n; i++)
		if (bufs_find(b, walk->v[i]) < 0 &&
		    !inoset_has(before, walk->v[i]) && strangers++ < 3)
			printf("%s walk lists unknown ino %llu\n", form,
			       (unsigned long long)walk->v[i]);
	for (j = 0; j < b->nr; j += 2)
		if (!inoset_has(walk, b->ino[j]) && missing++ < 3)
			printf("%s walk misses kept ino %llu\n", form,
			       (unsigned long long)b->ino[j]);
	/* asserted only when wrong: there are many walks */
	if (!dups && !strangers && !missing)
		return true;
	ASSERT_EQ(dups, 0, "no buffer twice in a walk");
	ASSERT_EQ(strangers, 0, "only live or freed buffers");
	ASSERT_EQ(missing, 0, "kept buffers in every walk");
	return false;
}

/*
 * A second thread frees half of 1,000 buffers while this one walks them
 * again and again, in both forms, some seq_file walks abandoned halfway:
 * nothing crashes (the rig fails the run on any kernel warning), and the
 * walks list only buffers that were alive.
 */
static void subtest_freed_mid_walk(void)
{
	struct mid_walk mw = {};
	struct inoset before = {}, s = {};
	struct listing l = {};
	struct rlimit saved = {};
	int seq_walks = 0, oc_walks = 0, seq_during = 0, oc_during = 0;
	int partial = 0, after_done = 0, n;
	bool restore = false, ok = true, thread = false;
	pthread_t tid = 0;
	struct bufs b = {};
	time_t start;

	if (!need_iter(false) || !raise_nofile(NR_MID_WALK + 256, &saved))
		goto out;
	restore = true;
	if (!list_bufs(4096, &l))
		goto out;
	listing_inos(&l, &before);
	listing_free(&l);
	if (!make_cheap_bufs(&b, NR_MID_WALK, page_size(), NULL))
		goto out;
	if (!k.have_kfuncs)
		printf("%s: seq_file walks only\n", k.no_kfuncs);

	mw.b = &b;
	if (!ASSERT_OK(pthread_create(&tid, NULL, closer, &mw), "thread"))
		goto out;
	thread = true;
	start = time(NULL);
	for (n = 0; ok && after_done < 4 && time(NULL) - start < 120; n++) {
		bool during = !atomic_load(&mw.done);
		bool open_coded = k.have_kfuncs && n % 2;

		atomic_fetch_add(&mw.walks_started, 1);
		if (open_coded) {
			ok = run_walk(0);
			if (ok) {
				walk_inos(&s);
				ok = check_mid_walk(&s, &b, &before,
						    "open-coded");
				inoset_free(&s);
			}
			oc_walks++;
			oc_during += during;
		} else if (n % 6 == 4) {
			/* abandon a walk after its first read() */
			char chunk[4096];
			int fd = bpf_iter_create(bpf_link__fd(k.link));

			ok = fd >= 0 && read(fd, chunk, sizeof(chunk)) > 0;
			if (!ok)
				ASSERT_TRUE(ok, "partial read");
			if (fd >= 0)
				close(fd);
			partial++;
		} else {
			ok = list_bufs(4096, &l);
			if (ok) {
				listing_inos(&l, &s);
				ok = check_mid_walk(&s, &b, &before,
						    "seq_file");
				inoset_free(&s);
			}
			listing_free(&l);
			seq_walks++;
			seq_during += during;
		}
		after_done += !during;
	}
	pthread_join(tid, NULL);
	thread = false;
	ASSERT_EQ(mw.closed, NR_MID_WALK / 2, "half the buffers closed");
	printf("walks: %d seq_file (%d while freeing), %d open-coded (%d), %d abandoned\n",
	       seq_walks, seq_during, oc_walks, oc_during, partial);
	ASSERT_GT(seq_during, 0, "seq_file walks while freeing");
	if (k.have_kfuncs)
		ASSERT_GT(oc_during, 0, "open-coded walks while freeing");
out:
	if (thread)
		pthread_join(tid, NULL);
	inoset_free(&before);
	listing_free(&l);
	bufs_release(&b);
	if (restore)
		setrlimit(RLIMIT_NOFILE, &saved);
}

/*
 * A vgem PRIME export is named after its driver with the exporter-naming
 * patch ("vgem") and "drm" on a vanilla 6.12 kernel. Outside the rig
 * (DMABUFSTAT_KERNEL unset) every account must agree, whichever it is.
 */
static void subtest_vgem_naming(void)
{
	const struct dmabuf_iter_rec *r = NULL;
	const char *want = NULL, *why;
	const struct bufinfo_buf *bb;
	struct dmabuf_fdinfo fi;
	struct listing l = {};
	struct bufinfo bi;
	struct bufs b = {};
	bool have_bi;
	int fd;

	if (k.variant) {
		if (!strcmp(k.variant, "patched") ||
		    !strcmp(k.variant, "debug"))
			want = "vgem";
		else if (!strcmp(k.variant, "vanilla"))
			want = "drm";
		else if (!ASSERT_TRUE(false, "known DMABUFSTAT_KERNEL"))
			printf("DMABUFSTAT_KERNEL=%s\n", k.variant);
	}
	fd = vgem_export(page_size());
	if (test__skip_missing("vgem card in /dev/dri", fd) ||
	    !ASSERT_OK_FD(fd, "vgem export") ||
	    !bufs_add(&b, fd, page_size()))
		goto out;
	ASSERT_OK(dmabuf_set_name(fd, "vgem-naming"), "set name");
	if (!ASSERT_OK(fdinfo_read(getpid(), fd, &fi), "fdinfo"))
		goto out;

	have_bi = read_bufinfo(&bi, &why);
	if (have_bi) {
		bb = bufinfo_find(&bi, b.ino[0]);
		if (ASSERT_OK_PTR(bb, "vgem buffer in bufinfo"))
			ASSERT_STREQ(bb->exp_name, fi.exp_name,
				     "bufinfo exporter as fdinfo");
		bufinfo_free(&bi);
	}
	if (k.have_iter && need_iter(false) && list_bufs(4096, &l)) {
		r = listing_find(&l, b.ino[0]);
		if (ASSERT_OK_PTR(r, "vgem buffer listed"))
			ASSERT_STREQ(r->exp_name, fi.exp_name,
				     "listed exporter as fdinfo");
	}
	if (want)
		ASSERT_STREQ(fi.exp_name, want, "vgem exporter name");
	printf("vgem export: exporter \"%s\" (%s; %s%s, %s) on %s kernel %s\n",
	       fi.exp_name,
	       !strcmp(fi.exp_name, "vgem") ? "the driver's name: exporter-naming patch" :
	       !strcmp(fi.exp_name, "drm") ? "6.12's \"drm\" for every PRIME export" :
	       "neither vgem nor drm",
	       r ? "iterator" : "no iterator",
	       have_bi ? ", bufinfo" : "", "fdinfo agree",
	       k.variant ?: "a real (DMABUFSTAT_KERNEL unset)", k.uts.release);
out:
	listing_free(&l);
	bufs_release(&b);
}

/* Opens an iterator fd and reads its first 4 KiB: a buffer gets parked. */
static int iter_open_part(struct listing *l)
{
	int fd = bpf_iter_create(bpf_link__fd(k.link));
	ssize_t n;

	if (!ASSERT_OK_FD(fd, "bpf_iter_create"))
		return -1;
	l->raw = malloc(4096);
	n = l->raw ? read(fd, l->raw, 4096) : -1;
	if (!ASSERT_EQ(n, 4096, "first read of 4 KiB")) {
		close(fd);
		return -1;
	}
	l->len = n;
	l->cap = 4096;
	return fd;
}

/*
 * The iterator holds no reference once its fd is closed or its walk ended,
 * however it was left: mid-read, with the parked buffer's last fd closed
 * under it, or an open-coded walk left early. Then the machine is back
 * where it started.
 */
static void subtest_no_leak(void)
{
	struct inoset base = {}, now = {};
	struct listing l = {}, part = {};
	struct bufs a = {}, b = {};
	size_t i, first, ours_after = 0;
	char chunk[4096];
	int fd = -1, j;

	if (!need_iter(false) ||
	    !make_cheap_bufs(&a, NR_LEAK, page_size(), "leak-a-%d"))
		goto out;

	/* abandoned after one read(), and after one byte */
	fd = iter_open_part(&part);
	if (fd < 0)
		goto out;
	close(fd);
	listing_free(&part);
	fd = bpf_iter_create(bpf_link__fd(k.link));
	if (!ASSERT_OK_FD(fd, "bpf_iter_create") ||
	    !ASSERT_EQ(read(fd, chunk, 1), 1, "one byte"))
		goto out;
	close(fd);
	fd = -1;
	if (k.have_kfuncs) {
		ASSERT_TRUE(run_walk(1), "open-coded walk left after one");
		ASSERT_TRUE(run_walk(NR_LEAK / 2), "left halfway");
	}

	/*
	 * Every fd of set a closed while a buffer (of ours: the list is
	 * newest first) is parked, then the walk goes on. The records that
	 * began in the first 4 KiB were made before the close; after them,
	 * close() having freed the others at once, only the parked buffer,
	 * which the iterator holds, may still be listed.
	 */
	fd = iter_open_part(&part);
	if (fd < 0)
		goto out;
	for (j = 0; j < a.nr; j++)
		bufs_close(&a, j);
	first = (part.len + REC_SIZE - 1) / REC_SIZE;
	if (!read_iter_fd(fd, 4096, 2, &part) || !parse_listing(&part))
		goto out;
	close(fd);
	fd = -1;
	for (i = first; i < part.nr; i++)
		ours_after += bufs_find(&a, part.recs[i].ino) >= 0;
	printf("after closing set a: %zu more records, %zu of set a\n",
	       part.nr - first, ours_after);
	ASSERT_LE(ours_after, 1, "only the parked buffer outlives close");
	bufs_release(&a);

	/* set b: every fd closed while parked, the iterator closed unread */
	if (!make_cheap_bufs(&b, NR_LEAK, page_size(), "leak-b-%d"))
		goto out;
	fd = iter_open_part(&l);
	if (fd < 0)
		goto out;
	for (j = 0; j < b.nr; j++)
		bufs_close(&b, j);
	close(fd);
	fd = -1;
	listing_free(&l);
	bufs_release(&b);

	/* and nothing else was left behind either */
	if (k.baseline && list_bufs(4096, &l)) {
		listing_inos(k.baseline, &base);
		listing_inos(&l, &now);
		printf("%zu buffers at the start of the test, %zu now\n",
		       base.n, now.n);
		/* on a real device other processes' buffers come and go */
		if (k.variant && ASSERT_EQ(now.n, base.n, "as many as before"))
			ASSERT_MEMEQ(now.v, base.v, now.n * sizeof(*now.v),
				     "the same buffers as before");
	}
out:
	if (fd >= 0)
		close(fd);
	inoset_free(&base);
	inoset_free(&now);
	listing_free(&l);
	listing_free(&part);
	bufs_release(&a);
	bufs_release(&b);
}

void test_dmabuf_iter(void)
{
	if (geteuid() != 0) {
		test__skip_reason("needs root for BPF iterators and the buffer sources");
		return;
	}
	probe_kernel();

	if (test__start_subtest("idle"))
		subtest_idle();
	if (test__start_subtest("listing"))
		subtest_listing();
	if (test__start_subtest("chunked_reads"))
		subtest_chunked_reads();
	if (test__start_subtest("read_after_eof"))
		subtest_read_after_eof();
	if (test__start_subtest("open_coded"))
		subtest_open_coded();
	if (test__start_subtest("reject_non_sleepable"))
		subtest_reject_non_sleepable();
	if (test__start_subtest("freed_mid_walk"))
		subtest_freed_mid_walk();
	if (test__start_subtest("vgem_naming"))
		subtest_vgem_naming();
	if (test__start_subtest("no_leak"))
		subtest_no_leak();
	unload();
}
