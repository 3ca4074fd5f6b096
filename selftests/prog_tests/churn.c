// SPDX-License-Identifier: GPL-2.0
/*
 * churn: every walker against buffers that come and go as fast as four
 * threads can make and free them.
 *
 * Anchor buffers, made first and held by fd throughout (some with hostile
 * names), live through every walk: each walk must report each of them
 * exactly once, and no walk may report any inode twice. Meanwhile four
 * threads allocate, name, map, import and free buffers from udmabuf, the
 * system heap and vgem, and these walkers run in loops, each in a thread:
 *
 *   seq      the iter/dmabuf seq_file iterator read in odd chunk sizes
 *            (1, 7, 200, 4097 bytes ...), fixed records checked whole
 *   open     the open-coded bpf_iter_dmabuf_*() loop (BPF_PROG_TEST_RUN)
 *   snapshot libdmabufstat snapshots (buffer iterator + task_file +
 *            task_vma): each anchor held once by this process
 *   pinned   the pinned iterators: Android's four-line text read with
 *            13-byte reads, and dmabufstat's own pin read to EOF
 *
 * Lifecycle tracking runs throughout (started before the anchors, in a
 * folder of the test's own): every snapshot must name this process as the
 * allocator of every anchor, the map must drop nothing, and where tracking
 * sees releases, no entry may outlive the buffers.
 *
 * At the end every buffer is closed and the kernel must drop them all:
 * bufinfo returns to the count it had before the test (no leaked
 * reference). The kernel log is checked by the VM rig: any KASAN, lockdep,
 * WARNING or BUG line fails the run. How many walks and alloc/free cycles
 * ran is printed. DMABUFSTAT_CHURN_SECONDS sets the duration (default 3;
 * make check-debug runs longer on the KASAN + lockdep kernel).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "test_progs.h"
#include "bufsrc.h"
#include "libdmabufstat.h"
#include "progs/dmabuf_iter.h"
#include "dmabuf_iter.skel.h"

#define NR_ANCHORS	12
#define NR_CHURNERS	4
#define PIN_DIR		"/sys/fs/bpf/churn-test"
#define TRACK_DIR	PIN_DIR "/track"
#define BPFFS_MAGIC	0xcafe4a11

enum walker {
	W_SEQ,
	W_OPEN,
	W_SNAPSHOT,
	W_PINNED,
	NR_WALKERS,
};

static const char *const walker_names[NR_WALKERS] = {
	"seq", "open-coded", "snapshot", "pinned",
};

struct churn {
	struct dmabuf_iter_bpf *skel;
	struct bpf_link *link;
	unsigned long anchors[NR_ANCHORS];
	int anchor_fds[NR_ANCHORS];
	int nr_anchors;
	bool have_udmabuf, have_heap, have_vgem;
	atomic_bool stop;
	atomic_ulong cycles;
	atomic_ulong walks[NR_WALKERS];
	atomic_ulong failures;
	bool tracking;		/* lifecycle tracking runs in TRACK_DIR */
	pthread_mutex_t lock;
	char first_error[256];
};

static void walk_error(struct churn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void walk_error(struct churn *c, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&c->lock);
	if (!c->first_error[0]) {
		va_start(ap, fmt);
		vsnprintf(c->first_error, sizeof(c->first_error), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&c->lock);
	atomic_fetch_add(&c->failures, 1);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

/*
 * One walk's inodes: none twice, every anchor once. Sorts inos. Returns
 * false (and records why) otherwise.
 */
static bool check_walk(struct churn *c, enum walker w, unsigned long *inos,
		       size_t n)
{
	size_t i, lo, hi, mid;
	int a;

	qsort(inos, n, sizeof(*inos), cmp_ulong);
	for (i = 1; i < n; i++) {
		if (inos[i] == inos[i - 1]) {
			walk_error(c, "%s walk: inode %lu reported twice",
				   walker_names[w], inos[i]);
			return false;
		}
	}
	for (a = 0; a < c->nr_anchors; a++) {
		bool found = false;

		lo = 0;
		hi = n;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (inos[mid] == c->anchors[a]) {
				found = true;
				break;
			}
			if (inos[mid] < c->anchors[a])
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!found) {
			walk_error(c, "%s walk: anchor inode %lu missing (%zu buffers seen)",
				   walker_names[w], c->anchors[a], n);
			return false;
		}
	}
	return true;
}

/* ------------------------------------------------------------ churners */

static int make_buffer(struct churn *c, int kind, size_t size)
{
	switch (kind % 3) {
	case 0:
		if (c->have_heap)
			return heap_alloc("system", size);
		break;
	case 1:
		if (c->have_udmabuf)
			return udmabuf_create(size);
		break;
	case 2:
		if (c->have_vgem)
			return vgem_export(size);
		break;
	}
	return c->have_heap ? heap_alloc("system", size) : udmabuf_create(size);
}

struct churner {
	struct churn *c;
	int id;
};

/* Allocates, names, maps, imports and frees buffers until told to stop. */
static void *churner_main(void *arg)
{
	struct churner *ch = arg;
	struct churn *c = ch->c;
	long page = sysconf(_SC_PAGESIZE);
	unsigned int i = 0;
	int card = -1;

	if (ch->id == 3 && c->have_vgem)
		card = vgem_open();
	while (!atomic_load(&c->stop)) {
		size_t size = page * (1 + i % 4);
		int fd = make_buffer(c, ch->id + i, size);
		uint32_t handle;
		void *map;

		i++;
		if (fd < 0)
			continue;
		if (i % 2)
			dmabuf_set_name(fd, i % 4 == 1 ? "churn\nname" : "churn");
		if (i % 3 == 0) {
			map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
			if (map != MAP_FAILED)
				munmap(map, size);
		}
		/* an import attaches vgem to the buffer; closing drops it */
		if (card >= 0 && !vgem_import(card, fd, &handle))
			vgem_close_handle(card, handle);
		close(fd);
		atomic_fetch_add(&c->cycles, 1);
	}
	if (card >= 0)
		close(card);
	return NULL;
}

/* ------------------------------------------------------------- walkers */

static char *read_chunked(int fd, size_t chunk, size_t *len)
{
	size_t cap = 1 << 16, l = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;

	while (buf) {
		if (l + chunk + 1 > cap) {
			cap = 2 * (l + chunk + 1);
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		r = read(fd, buf + l, chunk);
		if (r < 0)
			break;
		if (!r) {
			*len = l;
			buf[l] = 0;
			return buf;
		}
		l += r;
	}
	free(buf);
	return NULL;
}

static void walk_seq(struct churn *c, unsigned int round)
{
	static const size_t chunks[] = { 1, 7, 200, 4097, 65536, 13, 199 };
	const struct dmabuf_iter_rec *rec;
	unsigned long *inos;
	size_t len, n, i;
	char *out;
	int fd;

	fd = bpf_iter_create(bpf_link__fd(c->link));
	if (fd < 0) {
		walk_error(c, "seq walk: bpf_iter_create: %s", strerror(errno));
		return;
	}
	out = read_chunked(fd, chunks[round % 7], &len);
	close(fd);
	if (!out) {
		walk_error(c, "seq walk: read: %s", strerror(errno));
		return;
	}
	if (len % sizeof(*rec)) {
		walk_error(c, "seq walk: %zu bytes, not whole records", len);
		free(out);
		return;
	}
	n = len / sizeof(*rec);
	inos = calloc(n + 1, sizeof(*inos));
	for (i = 0; inos && i < n; i++) {
		rec = (const void *)(out + i * sizeof(*rec));
		if (rec->magic != DMABUF_ITER_REC_MAGIC ||
		    rec->check != (rec->magic ^ rec->ino ^ rec->size)) {
			walk_error(c, "seq walk: torn record %zu", i);
			break;
		}
		inos[i] = rec->ino;
	}
	if (inos && i == n && check_walk(c, W_SEQ, inos, n))
		atomic_fetch_add(&c->walks[W_SEQ], 1);
	free(inos);
	free(out);
}

static void walk_open(struct churn *c)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	unsigned long *inos;
	size_t n, i;
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(c->skel->progs.dmabuf_walk),
				     &topts);
	if (err || topts.retval) {
		walk_error(c, "open-coded walk: test run %d retval %u", err,
			   topts.retval);
		return;
	}
	n = c->skel->bss->walk_nr;
	if (n > DMABUF_ITER_MAX_INOS) {
		walk_error(c, "open-coded walk: %zu buffers, more than recorded", n);
		return;
	}
	inos = calloc(n + 1, sizeof(*inos));
	if (!inos)
		return;
	for (i = 0; i < n; i++)
		inos[i] = c->skel->bss->walk_inos[i];
	if (check_walk(c, W_OPEN, inos, n))
		atomic_fetch_add(&c->walks[W_OPEN], 1);
	free(inos);
}

static bool is_anchor(const struct churn *c, unsigned long ino)
{
	for (int a = 0; a < c->nr_anchors; a++)
		if (c->anchors[a] == ino)
			return true;
	return false;
}

static void walk_snapshot(struct churn *c, struct dmabufstat *ds)
{
	const struct dmabufstat_process *p;
	const struct dmabufstat_holder *h;
	struct dmabufstat_snapshot *snap;
	unsigned long *inos;
	size_t pi, j, n = 0;
	int err;

	err = dmabufstat_snapshot(ds, &snap);
	if (err) {
		walk_error(c, "snapshot: %s", dmabufstat_errmsg(ds));
		return;
	}
	/* this process's buffers: each anchor held once */
	p = dmabufstat_find_process(snap, getpid(), &pi);
	inos = calloc(p ? p->nr_bufs + 1 : 1, sizeof(*inos));
	for (j = 0; p && inos && j < p->nr_bufs; j++) {
		const struct dmabufstat_buffer_track *t;

		h = dmabufstat_process_holder(snap, pi, j);
		inos[n++] = dmabufstat_buffer(snap, h->buf)->ino;
		if (!c->tracking || !is_anchor(c, inos[n - 1]))
			continue;
		t = dmabufstat_buffer_track(snap, h->buf);
		if (!t || !(t->flags & DMABUFSTAT_TRK_EXPORT) ||
		    t->alloc_pid != (uint32_t)getpid()) {
			walk_error(c, "snapshot: tracking names no allocator (or another: %u) for anchor %lu",
				   t ? t->alloc_pid : 0, inos[n - 1]);
			n = 0;
			break;
		}
	}
	if (!p)
		walk_error(c, "snapshot: this process holds nothing");
	else if (inos && n && check_walk(c, W_SNAPSHOT, inos, n))
		atomic_fetch_add(&c->walks[W_SNAPSHOT], 1);
	free(inos);
	dmabufstat_snapshot_free(snap);
}

/* Android's four lines per buffer: inode, size, name, exporter. */
static void walk_pinned(struct churn *c)
{
	unsigned long *inos = NULL;
	size_t len, n = 0, cap = 0, line = 0;
	char *out, *p, *nl;
	int fd;

	fd = open(PIN_DIR "/" DMABUFSTAT_ANDROID_TEXT, O_RDONLY);
	out = fd >= 0 ? read_chunked(fd, 13, &len) : NULL;
	if (fd >= 0)
		close(fd);
	if (!out) {
		walk_error(c, "pinned walk: %s", strerror(errno));
		return;
	}
	for (p = out; (nl = strchr(p, '\n')); p = nl + 1, line++) {
		if (line % 4)
			continue;
		if (n == cap) {
			unsigned long *ni;

			cap = cap ? 2 * cap : 256;
			ni = realloc(inos, cap * sizeof(*inos));
			if (!ni)
				break;
			inos = ni;
		}
		inos[n++] = strtoul(p, NULL, 10);
	}
	if (*p || line % 4)
		walk_error(c, "pinned walk: %zu lines and a tail, not 4 per buffer",
			   line);
	else if (check_walk(c, W_PINNED, inos, n))
		atomic_fetch_add(&c->walks[W_PINNED], 1);
	free(inos);
	free(out);

	/* dmabufstat's own binary pin: read to the end in odd chunks */
	fd = open(PIN_DIR "/" DMABUFSTAT_PIN_BUFFERS, O_RDONLY);
	out = fd >= 0 ? read_chunked(fd, 1000, &len) : NULL;
	if (fd >= 0)
		close(fd);
	if (!out)
		walk_error(c, "binary pin: %s", strerror(errno));
	free(out);
}

struct walker_arg {
	struct churn *c;
	enum walker w;
};

static void *walker_main(void *arg)
{
	struct walker_arg *wa = arg;
	struct churn *c = wa->c;
	struct dmabufstat *ds = NULL;
	unsigned int round = 0;

	if (wa->w == W_SNAPSHOT) {
		struct dmabufstat_opts o = {
			.sz = sizeof(o),
			.buf_backend = DMABUFSTAT_BUF_BPF_ITER,
			.proc_backend = DMABUFSTAT_PROC_BPF_TASK,
			.pin_dir = PIN_DIR,	/* its tracking: TRACK_DIR */
		};

		ds = dmabufstat_new(&o);
		if (!ds) {
			walk_error(c, "dmabufstat_new failed");
			return NULL;
		}
	}
	while (!atomic_load(&c->stop)) {
		switch (wa->w) {
		case W_SEQ:
			walk_seq(c, round);
			break;
		case W_OPEN:
			walk_open(c);
			break;
		case W_SNAPSHOT:
			walk_snapshot(c, ds);
			break;
		case W_PINNED:
			walk_pinned(c);
			break;
		default:
			break;
		}
		round++;
	}
	dmabufstat_free(ds);
	return NULL;
}

/* -------------------------------------------------------------- the test */

static int bufinfo_objects(void)
{
	struct bufinfo bi;
	int n;

	if (bufinfo_read(&bi))
		return -1;
	n = bi.nr;
	bufinfo_free(&bi);
	return n;
}

/*
 * bufinfo's count once it is back to want, or after 5 s: releases may
 * finish just after the last close.
 */
static int bufinfo_settled(int want)
{
	int n = bufinfo_objects(), tries;

	for (tries = 0; tries < 50 && n != want; tries++) {
		usleep(100 * 1000);
		n = bufinfo_objects();
	}
	return n;
}

static bool on_bpffs(const char *dir)
{
	struct statfs st;

	return !statfs(dir, &st) && st.f_type == BPFFS_MAGIC;
}

static bool make_anchors(struct churn *c)
{
	static const char *const names[] = {
		"anchor", "anchor\nnewline", "\"quoted\"",
		"0123456789012345678901234567890", "\xff\xfe not utf-8", "",
	};
	long page = sysconf(_SC_PAGESIZE);
	int i, fd;

	for (i = 0; i < NR_ANCHORS; i++) {
		fd = make_buffer(c, i, page * (1 + i % 3));
		if (!ASSERT_OK_FD(fd, "anchor buffer"))
			return false;
		if (i % 2)
			dmabuf_set_name(fd, names[i / 2 % 6]);
		c->anchor_fds[i] = fd;
		c->anchors[i] = ino_of_fd(fd);
		c->nr_anchors++;
	}
	return true;
}

/* The seq_file iterator and the open-coded kfuncs, from the kernel's BTF. */
static bool have_iterators(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool ok;

	if (!btf)
		return false;
	ok = btf__find_by_name_kind(btf, "bpf_iter__dmabuf", BTF_KIND_STRUCT) > 0 &&
	     btf__find_by_name_kind(btf, "bpf_iter_dmabuf_new", BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return ok;
}

/* Tracking is expected wherever the guest runs (kprobes at least). */
static void track_start(struct churn *c, struct dmabufstat *ds)
{
	struct dmabufstat_track_opts to = { .sz = sizeof(to), .entries = 65536 };
	int err;

	dmabufstat_track_stop(ds, TRACK_DIR);	/* a previous run's */
	err = dmabufstat_track_start(ds, TRACK_DIR, &to);
	if (getenv("DMABUFSTAT_KERNEL")) {
		if (!ASSERT_OK(err, "track start"))
			printf("churn: %s\n", dmabufstat_errmsg(ds));
	} else if (err) {
		printf("churn: no lifecycle tracking here: %s\n",
		       dmabufstat_errmsg(ds));
	}
	c->tracking = !err;
}

/* After every buffer of the test is closed: nothing dropped or left. */
static void track_finish(struct dmabufstat *ds, int before)
{
	struct dmabufstat_track_status st;

	bufinfo_settled(before);
	if (ASSERT_OK(dmabufstat_track_status(ds, TRACK_DIR, &st),
		      "track status")) {
		printf("churn: tracking by %s: %llu exports, %llu released, %u entries left, %llu dropped\n",
		       dmabufstat_track_method_name(st.method),
		       (unsigned long long)st.exports,
		       (unsigned long long)st.released, st.entries,
		       (unsigned long long)st.dropped);
		ASSERT_EQ(st.dropped, 0, "tracking dropped no export");
		ASSERT_GT(st.exports, 0, "tracking saw the exports");
		if (st.sees_release)
			ASSERT_EQ(st.entries, 0, "no entry outlives its buffer");
	}
	ASSERT_OK(dmabufstat_track_stop(ds, TRACK_DIR), "track stop");
	ASSERT_NEQ(access(TRACK_DIR, F_OK), 0, "nothing left pinned");
}

static unsigned int churn_seconds(void)
{
	const char *s = getenv("DMABUFSTAT_CHURN_SECONDS");
	unsigned int v = s ? (unsigned int)strtoul(s, NULL, 10) : 0;

	return v ? v : 3;
}

void test_churn(void)
{
	struct churner churners[NR_CHURNERS];
	struct walker_arg walkers[NR_WALKERS];
	pthread_t ct[NR_CHURNERS], wt[NR_WALKERS];
	struct dmabufstat_pin_opts po = { .sz = sizeof(po), .force = true };
	struct dmabufstat *pin_ds = NULL;
	struct churn c = {};
	int i, before, after, started_c = 0, started_w = 0;
	unsigned int seconds = churn_seconds();
	struct rlimit rl = { 65536, 65536 };

	for (i = 0; i < NR_ANCHORS; i++)
		c.anchor_fds[i] = -1;
	pthread_mutex_init(&c.lock, NULL);
	c.have_heap = !access(DMA_HEAP_DIR "/system", R_OK);
	c.have_udmabuf = !access(UDMABUF_DEV, R_OK);
	if (c.have_heap || c.have_udmabuf) {
		int card = vgem_open();

		c.have_vgem = card >= 0;
		if (card >= 0)
			close(card);
	}
	if (!c.have_heap && !c.have_udmabuf) {
		test__skip_reason("no system heap and no udmabuf here: the guest has them");
		return;
	}
	if (!have_iterators()) {
		test__skip_reason("kernel has no dma-buf iterator or open-coded kfuncs");
		return;
	}
	before = bufinfo_objects();
	if (before < 0) {
		test__skip_reason("no debugfs bufinfo to check for leaks");
		return;
	}
	setrlimit(RLIMIT_NOFILE, &rl);

	c.skel = dmabuf_iter_bpf__open_and_load();
	if (!ASSERT_OK_PTR(c.skel, "dmabuf_iter skeleton"))
		goto out;
	c.link = bpf_program__attach_iter(c.skel->progs.dmabuf_collector, NULL);
	if (!ASSERT_OK_PTR(c.link, "attach iter/dmabuf"))
		goto out;
	if (!ASSERT_TRUE(on_bpffs("/sys/fs/bpf"), "bpffs at /sys/fs/bpf"))
		goto out;
	mkdir(PIN_DIR, 0700);
	pin_ds = dmabufstat_new(NULL);
	if (!ASSERT_OK_PTR(pin_ds, "dmabufstat_new") ||
	    !ASSERT_OK(dmabufstat_pin(pin_ds, PIN_DIR, &po), "pin") ||
	    !ASSERT_OK(dmabufstat_pin_android(pin_ds, PIN_DIR, &po), "pin android"))
		goto out;
	track_start(&c, pin_ds);
	if (!make_anchors(&c))
		goto out;

	for (i = 0; i < NR_CHURNERS; i++) {
		churners[i] = (struct churner){ .c = &c, .id = i };
		if (!ASSERT_OK(pthread_create(&ct[i], NULL, churner_main,
					      &churners[i]), "churner"))
			goto stop;
		started_c++;
	}
	for (i = 0; i < NR_WALKERS; i++) {
		walkers[i] = (struct walker_arg){ .c = &c, .w = i };
		if (!ASSERT_OK(pthread_create(&wt[i], NULL, walker_main,
					      &walkers[i]), "walker"))
			goto stop;
		started_w++;
	}
	sleep(seconds);
stop:
	atomic_store(&c.stop, true);
	for (i = 0; i < started_c; i++)
		pthread_join(ct[i], NULL);
	for (i = 0; i < started_w; i++)
		pthread_join(wt[i], NULL);

	printf("churn: %us: %lu alloc/free cycles; walks: %lu seq, %lu open-coded, %lu snapshot, %lu pinned; %lu failed\n",
	       seconds, atomic_load(&c.cycles), atomic_load(&c.walks[W_SEQ]),
	       atomic_load(&c.walks[W_OPEN]), atomic_load(&c.walks[W_SNAPSHOT]),
	       atomic_load(&c.walks[W_PINNED]), atomic_load(&c.failures));
	if (!ASSERT_EQ(atomic_load(&c.failures), 0, "failed walks"))
		printf("churn: first failure: %s\n", c.first_error);
	ASSERT_GT(atomic_load(&c.cycles), 0, "alloc/free cycles");
	for (i = 0; i < NR_WALKERS; i++)
		if (started_w == NR_WALKERS &&
		    !ASSERT_GT(atomic_load(&c.walks[i]), 0, "walks of every kind"))
			printf("churn: no %s walk finished\n", walker_names[i]);
out:
	for (i = 0; i < NR_ANCHORS; i++)
		if (c.anchor_fds[i] >= 0)
			close(c.anchor_fds[i]);
	if (c.tracking)
		track_finish(pin_ds, before);
	if (pin_ds) {
		dmabufstat_unpin(pin_ds, PIN_DIR);
		dmabufstat_unpin_android(pin_ds, PIN_DIR);
		dmabufstat_free(pin_ds);
	}
	rmdir(PIN_DIR);
	bpf_link__destroy(c.link);
	dmabuf_iter_bpf__destroy(c.skel);
	after = bufinfo_settled(before);
	ASSERT_EQ(after, before, "buffers left in bufinfo after the test");
	pthread_mutex_destroy(&c.lock);
}
