// SPDX-License-Identifier: GPL-2.0
/*
 * lib_records: the library's reader of the iterators' record streams
 * (bpf/dmabufstat.h, docs/record-format.md), fed through the replay
 * backend (DMABUFSTAT_REPLAY) with streams written here from the format:
 *
 *  - good: a stream of every record type decodes into the snapshot it
 *    describes (strings at their length, attachments, a process told
 *    once for several fds and mappings);
 *  - hostile: a wrong magic, version or stream, truncation anywhere,
 *    sizes and counts out of bounds, references before their process,
 *    records of the wrong stream, bad frames: each refused with -EPROTO
 *    and a message saying what is wrong;
 *  - fuzz: thousands of random corruptions of the good stream: each
 *    snapshot succeeds or fails with -EPROTO, and never reads out of
 *    bounds (run it under valgrind or ASan to see the last part);
 *  - roundtrip: what DMABUFSTAT_RECORD recorded of a live BPF snapshot
 *    (if this kernel has the BPF backends) replays into the same one.
 *
 * No kernel is needed but for the last.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/types.h>

#include "test_progs.h"
#include "libdmabufstat.h"
#include "dmabufstat.h"
#include "sources/records.h"

struct stream {
	char buf[8192];
	size_t len;
};

static void put(struct stream *s, const void *p, size_t len)
{
	if (s->len + len <= sizeof(s->buf)) {
		memcpy(s->buf + s->len, p, len);
		s->len += len;
	}
}

static void pad8(struct stream *s)
{
	static const char zeros[8];

	put(s, zeros, (8 - s->len % 8) % 8);
}

static void head(struct stream *s, __u16 stream)
{
	struct dmabufstat_head_rec h = {
		.hdr = { DMABUFSTAT_REC_HEAD, sizeof(h) },
		.magic = DMABUFSTAT_MAGIC,
		.version = DMABUFSTAT_REC_VERSION,
		.stream = stream,
	};

	put(s, &h, sizeof(h));
}

static size_t strs_len(const char *exp, const char *name, const char *drv)
{
	return strlen(exp) + strlen(name) + strlen(drv);
}

static void strs(struct stream *s, const char *exp, const char *name,
		 const char *drv)
{
	put(s, exp, strlen(exp));
	put(s, name, strlen(name));
	put(s, drv, strlen(drv));
}

static struct dmabufstat_desc desc(const char *exp, const char *name,
				   const char *drv, bool has_name)
{
	return (struct dmabufstat_desc){
		.flags = (has_name ? DMABUFSTAT_F_HAS_NAME : 0) |
			 (*drv ? DMABUFSTAT_F_DRIVER : 0),
		.exp_len = strlen(exp),
		.name_len = strlen(name),
		.driver_len = strlen(drv),
	};
}

/* A BUF record; attach: NULL-terminated device names. */
static void buf(struct stream *s, __u64 ino, __u64 size, const char *exp,
		const char *name, const char *drv, const char *const *attach)
{
	struct dmabufstat_buf_rec r = {
		.hdr.type = DMABUFSTAT_REC_BUF,
		.ino = ino,
		.size = size,
		.file_count = 2,
		.vmap_count = 1,
		.desc = desc(exp, name, drv, *name),
	};
	size_t len = sizeof(r) + strs_len(exp, name, drv), i;
	unsigned char n;

	for (i = 0; attach && attach[i]; i++)
		len += 1 + strlen(attach[i]);
	r.nr_attach = r.nr_attach_names = i;
	r.hdr.size = (len + 7) & ~7UL;
	put(s, &r, sizeof(r));
	strs(s, exp, name, drv);
	for (i = 0; attach && attach[i]; i++) {
		n = strlen(attach[i]);
		put(s, &n, 1);
		put(s, attach[i], n);
	}
	pad8(s);
}

static void task(struct stream *s, __u32 tgid, __u32 uid, __u64 cgroup,
		 const char *comm)
{
	struct dmabufstat_task_rec t = {
		.hdr = { DMABUFSTAT_REC_TASK, sizeof(t) },
		.tgid = tgid, .pid = tgid, .uid = uid, .euid = uid,
		.cgroup_id = cgroup,
	};

	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	put(s, &t, sizeof(t));
}

static void fd(struct stream *s, __u32 tgid, __u32 fdnum, __u64 ino,
	       __u64 size, __u64 file_id, const char *exp, const char *name)
{
	struct dmabufstat_fd_rec f = {
		.hdr.type = DMABUFSTAT_REC_FD,
		.tgid = tgid, .ino = ino, .size = size, .file_id = file_id,
		.fd = fdnum, .f_flags = 02,
		.desc = desc(exp, name, "", *name),
	};

	f.hdr.size = (sizeof(f) + strs_len(exp, name, "") + 7) & ~7UL;
	put(s, &f, sizeof(f));
	strs(s, exp, name, "");
	pad8(s);
}

static void vma(struct stream *s, __u32 tgid, __u64 ino, __u64 size,
		__u64 start, __u64 end, const char *exp)
{
	struct dmabufstat_vma_rec v = {
		.hdr.type = DMABUFSTAT_REC_VMA,
		.tgid = tgid, .ino = ino, .size = size, .file_id = 77,
		.start = start, .end = end, .pgoff = 0,
		.desc = desc(exp, "", "", false),
	};

	v.hdr.size = (sizeof(v) + strlen(exp) + 7) & ~7UL;
	put(s, &v, sizeof(v));
	put(s, exp, strlen(exp));
	pad8(s);
}

/* The good streams: three buffers, two processes. */
static const char *const attached[] = { "vgem", "gpu0", NULL };
#define NAME_HOSTILE	"line1\nline2 \"q\" \xff"

static void good(struct stream *b, struct stream *f, struct stream *v)
{
	memset(b, 0, sizeof(*b));
	memset(f, 0, sizeof(*f));
	memset(v, 0, sizeof(*v));
	head(b, DMABUFSTAT_STREAM_BUFS);
	buf(b, 1001, 4096, "system", NAME_HOSTILE, "", attached);
	buf(b, 1002, 8192, "drm", "", "vgem", NULL);
	buf(b, 1003, 65536, "udmabuf", "kernel-only", "", NULL);
	head(f, DMABUFSTAT_STREAM_FDS);
	task(f, 500, 1000, 42, "camera");
	fd(f, 500, 3, 1001, 4096, 11, "system", NAME_HOSTILE);
	fd(f, 500, 4, 1001, 4096, 11, "system", NAME_HOSTILE);	/* dup */
	fd(f, 500, 5, 1002, 8192, 12, "drm", "");
	task(f, 600, 0, 43, "compositor");
	fd(f, 600, 7, 1001, 4096, 11, "system", NAME_HOSTILE);	/* passed */
	head(v, DMABUFSTAT_STREAM_VMAS);
	task(v, 600, 0, 43, "compositor");
	vma(v, 600, 1002, 8192, 0x10000, 0x12000, "drm");
}

static char path[64];

static void frame(int out, __u32 stream, const struct stream *s)
{
	struct rec_frame fr = {
		.magic = DMABUFSTAT_FRAME_MAGIC, .stream = stream,
		.len = s->len,
	};
	static const char zeros[8];

	if (write(out, &fr, sizeof(fr)) != sizeof(fr) ||
	    write(out, s->buf, s->len) != (ssize_t)s->len ||
	    write(out, zeros, (8 - s->len % 8) % 8) !=
	    (ssize_t)((8 - s->len % 8) % 8))
		ASSERT_TRUE(false, "write replay file");
}

static void write_file(const struct stream *b, const struct stream *f,
		       const struct stream *v)
{
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (!ASSERT_OK_FD(out, "replay file"))
		return;
	frame(out, DMABUFSTAT_STREAM_BUFS, b);
	frame(out, DMABUFSTAT_STREAM_FDS, f);
	frame(out, DMABUFSTAT_STREAM_VMAS, v);
	close(out);
}

/* A snapshot through the replay backends: 0 or -errno, message in msg. */
static int replay(struct dmabufstat_snapshot **snap, char *msg, size_t len)
{
	struct dmabufstat_opts o = { .sz = sizeof(o) };
	struct dmabufstat *ds;
	int err;

	*snap = NULL;
	if (dmabufstat_parse_backend("replay", &o.buf_backend,
				     &o.proc_backend))
		return -EINVAL;
	ds = dmabufstat_new(&o);
	if (!ds)
		return -ENOMEM;
	err = dmabufstat_snapshot(ds, snap);
	snprintf(msg, len, "%s", dmabufstat_errmsg(ds));
	dmabufstat_free(ds);
	return err;
}

static void subtest_good(void)
{
	struct stream b, f, v;
	struct dmabufstat_snapshot *snap;
	const struct dmabufstat_buffer *x;
	const struct dmabufstat_process *p;
	char msg[512];
	size_t i;

	good(&b, &f, &v);
	write_file(&b, &f, &v);
	if (!ASSERT_OK(replay(&snap, msg, sizeof(msg)), "replay")) {
		printf("%s\n", msg);
		return;
	}
	ASSERT_STREQ(dmabufstat_snapshot_backend_name(snap), "replay+replay",
		     "backend");
	if (!ASSERT_EQ(dmabufstat_nr_buffers(snap), 3, "three buffers"))
		goto out;
	x = dmabufstat_buffer(snap, 0);
	ASSERT_EQ(x->ino, 1001, "ino");
	ASSERT_EQ(x->size, 4096, "size");
	ASSERT_STREQ(x->exporter, "system", "exporter");
	ASSERT_STREQ(x->name, NAME_HOSTILE, "hostile name byte for byte");
	ASSERT_TRUE(x->flags & DMABUFSTAT_BUF_HAS_NAME, "has name");
	ASSERT_EQ(x->file_count, 2, "file count");
	ASSERT_EQ(x->vmap_count, 1, "vmap count");
	if (ASSERT_EQ(x->nr_attach_names, 2, "two attached names")) {
		ASSERT_STREQ(x->attach[0], "vgem", "first device");
		ASSERT_STREQ(x->attach[1], "gpu0", "second device");
	}
	ASSERT_EQ(x->nr_procs, 2, "held by two processes");
	ASSERT_EQ(x->nr_fds, 3, "by three fds");
	x = dmabufstat_buffer(snap, 1);
	ASSERT_STREQ(dmabufstat_buffer_exporter(x), "vgem", "resolved driver");
	ASSERT_STREQ(x->exporter, "drm", "kernel's exporter");
	ASSERT_EQ(x->nr_maps, 1, "mapped once");
	x = dmabufstat_buffer(snap, 2);
	ASSERT_EQ(x->nr_procs, 0, "kernel-only");
	ASSERT_EQ(dmabufstat_totals(snap)->bytes, 4096 + 8192 + 65536,
		  "total bytes");
	if (!ASSERT_EQ(dmabufstat_nr_processes(snap), 2, "two processes"))
		goto out;
	p = dmabufstat_process(snap, 0);
	ASSERT_EQ(p->pid, 500, "pid");
	ASSERT_STREQ(p->comm, "camera", "comm, told once");
	ASSERT_EQ(p->uid, 1000, "uid");
	ASSERT_EQ(p->cgroup_id, 42, "cgroup");
	ASSERT_EQ(p->nr_fds, 3, "its fds");
	ASSERT_EQ(p->rss, 4096 + 8192, "its rss");
	p = dmabufstat_process(snap, 1);
	ASSERT_STREQ(p->comm, "compositor", "second comm");
	ASSERT_EQ(p->nr_maps, 1, "its mapping");
	for (i = 0; i < p->nr_refs; i++) {
		const struct dmabufstat_ref *r =
			dmabufstat_process_ref(snap, 1, i);

		if (r->kind == DMABUFSTAT_REF_MAP)
			ASSERT_EQ(r->end - r->start, 0x2000, "mapping range");
	}
out:
	dmabufstat_snapshot_free(snap);
}

/* One hostile stream: which, how it is broken, what the error says. */
struct case_ {
	const char *what;
	int stream;		/* the one broken */
	void (*make)(struct stream *s);
	const char *says;
};

static void bad_magic(struct stream *s)
{
	s->buf[4] ^= 0x5a;
}

static void bad_version(struct stream *s)
{
	s->buf[8] = DMABUFSTAT_REC_VERSION + 1;
}

static void bad_stream(struct stream *s)
{
	s->buf[10] = DMABUFSTAT_STREAM_VMAS;
}

static void cut_mid_record(struct stream *s)
{
	s->len -= 20;
}

static void cut_mid_header(struct stream *s)
{
	s->len += 2;	/* two bytes of a header that never came */
	s->buf[s->len - 2] = 2;
	s->buf[s->len - 1] = 0;
}

static void cut_head(struct stream *s)
{
	s->len = 10;
}

/* the first record after HEAD */
static struct dmabufstat_hdr *first(struct stream *s)
{
	return (void *)(s->buf + sizeof(struct dmabufstat_head_rec));
}

static void size_zero(struct stream *s)
{
	first(s)->size = 0;
}

static void size_odd(struct stream *s)
{
	first(s)->size += 4;
}

static void size_huge(struct stream *s)
{
	first(s)->size = 0xfff8;
}

static void size_past_end(struct stream *s)
{
	first(s)->size += 8 * 40;
}

static void type_unknown(struct stream *s)
{
	first(s)->type = 99;
}

static void type_task_in_bufs(struct stream *s)
{
	first(s)->type = DMABUFSTAT_REC_TASK;
}

static struct dmabufstat_buf_rec *first_buf(struct stream *s)
{
	return (void *)first(s);
}

static void exp_len_past_field(struct stream *s)
{
	first_buf(s)->desc.exp_len = 200;
}

static void strings_past_record(struct stream *s)
{
	first_buf(s)->desc.name_len = 31;
	first_buf(s)->desc.driver_len = 31;
}

static void too_many_names(struct stream *s)
{
	first_buf(s)->nr_attach_names = 9;
	first_buf(s)->nr_attach = 9;
}

static void names_beyond_attach(struct stream *s)
{
	first_buf(s)->nr_attach = 1;
}

static void attach_name_past_record(struct stream *s)
{
	struct dmabufstat_buf_rec *r = first_buf(s);
	size_t off = sizeof(*r) + r->desc.exp_len + r->desc.name_len +
		     r->desc.driver_len;

	s->buf[sizeof(struct dmabufstat_head_rec) + off] = 30;
}

static void ino_zero(struct stream *s)
{
	first_buf(s)->ino = 0;
}

static void fd_before_task(struct stream *s)
{
	/* the first TASK goes: its FDs name a process not told */
	size_t t = sizeof(struct dmabufstat_head_rec);
	size_t n = sizeof(struct dmabufstat_task_rec);

	memmove(s->buf + t, s->buf + t + n, s->len - t - n);
	s->len -= n;
}

static void task_short(struct stream *s)
{
	first(s)->size = 40;
}

static void buf_in_fds(struct stream *s)
{
	first(s)->type = DMABUFSTAT_REC_BUF;
}

static void vma_backwards(struct stream *s)
{
	struct dmabufstat_vma_rec *r = (void *)(s->buf +
		sizeof(struct dmabufstat_head_rec) +
		sizeof(struct dmabufstat_task_rec));

	r->end = r->start - 1;
}

static const struct case_ cases[] = {
	{ "magic", DMABUFSTAT_STREAM_BUFS, bad_magic, "not a dmabufstat stream" },
	{ "version", DMABUFSTAT_STREAM_BUFS, bad_version, "format version 3" },
	{ "stream", DMABUFSTAT_STREAM_FDS, bad_stream, "a mappings stream where fds" },
	{ "cut record", DMABUFSTAT_STREAM_BUFS, cut_mid_record, "truncated" },
	{ "cut header", DMABUFSTAT_STREAM_FDS, cut_mid_header, "truncated" },
	{ "cut HEAD", DMABUFSTAT_STREAM_VMAS, cut_head, "less than a HEAD" },
	{ "size 0", DMABUFSTAT_STREAM_BUFS, size_zero, "of 0 bytes" },
	{ "size odd", DMABUFSTAT_STREAM_BUFS, size_odd, "a multiple of 8" },
	{ "size huge", DMABUFSTAT_STREAM_BUFS, size_huge, "of 65528 bytes" },
	{ "size past end", DMABUFSTAT_STREAM_BUFS, size_past_end, "truncated" },
	{ "type", DMABUFSTAT_STREAM_BUFS, type_unknown, "record type 99" },
	{ "TASK in buffers", DMABUFSTAT_STREAM_BUFS, type_task_in_bufs, "record type 3" },
	{ "exporter length", DMABUFSTAT_STREAM_BUFS, exp_len_past_field, "past their fields" },
	{ "strings", DMABUFSTAT_STREAM_BUFS, strings_past_record, "past the record" },
	{ "attach names", DMABUFSTAT_STREAM_BUFS, too_many_names, "9 attached device names" },
	{ "names > attach", DMABUFSTAT_STREAM_BUFS, names_beyond_attach, "for 1 attachments" },
	{ "attach name", DMABUFSTAT_STREAM_BUFS, attach_name_past_record, "past the record" },
	{ "inode 0", DMABUFSTAT_STREAM_BUFS, ino_zero, "inode 0" },
	{ "no TASK", DMABUFSTAT_STREAM_FDS, fd_before_task, "before its TASK" },
	{ "TASK size", DMABUFSTAT_STREAM_FDS, task_short, "record type 3 of 40 bytes" },
	{ "BUF in fds", DMABUFSTAT_STREAM_FDS, buf_in_fds, "record type 2" },
	{ "mapping", DMABUFSTAT_STREAM_VMAS, vma_backwards, "ends before it starts" },
};

static void subtest_hostile(void)
{
	struct dmabufstat_snapshot *snap;
	struct stream b, f, v, *s;
	char msg[512];
	size_t i;
	int err, out;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		good(&b, &f, &v);
		s = cases[i].stream == DMABUFSTAT_STREAM_BUFS ? &b :
		    cases[i].stream == DMABUFSTAT_STREAM_FDS ? &f : &v;
		cases[i].make(s);
		write_file(&b, &f, &v);
		err = replay(&snap, msg, sizeof(msg));
		dmabufstat_snapshot_free(snap);
		if (!ASSERT_EQ(err, -EPROTO, cases[i].what) ||
		    !ASSERT_HAS_SUBSTR(msg, cases[i].says, cases[i].what))
			printf("%s: %d: %s\n", cases[i].what, err, msg);
		else if (test__verbose())
			printf("%s: %s\n", cases[i].what, msg);
	}

	/* frames: a bad magic, a length past the end of the file */
	good(&b, &f, &v);
	write_file(&b, &f, &v);
	out = open(path, O_WRONLY);
	if (ASSERT_OK_FD(out, "open replay file")) {
		__u32 bad = 0x12345678;

		ASSERT_EQ(pwrite(out, &bad, sizeof(bad), 0), sizeof(bad),
			  "break the first frame");
		close(out);
		err = replay(&snap, msg, sizeof(msg));
		dmabufstat_snapshot_free(snap);
		ASSERT_EQ(err, -EPROTO, "bad frame magic");
		ASSERT_HAS_SUBSTR(msg, "bad frame", "says so");
	}
	write_file(&b, &f, &v);
	if (truncate(path, sizeof(struct rec_frame) + 8) == 0) {
		err = replay(&snap, msg, sizeof(msg));
		dmabufstat_snapshot_free(snap);
		ASSERT_EQ(err, -EPROTO, "frame past the end");
		ASSERT_HAS_SUBSTR(msg, "bad frame", "says so");
	}
}

/* Random bytes of the good streams changed: refused or read, never past. */
static void subtest_fuzz(void)
{
	struct dmabufstat_snapshot *snap;
	struct stream b, f, v, *s;
	unsigned int seed = 13, i, j, refused = 0, read_ok = 0;
	char msg[512];
	int err;

	for (i = 0; i < 3000; i++) {
		good(&b, &f, &v);
		s = i % 3 == 0 ? &b : i % 3 == 1 ? &f : &v;
		for (j = 0; j < 1 + i % 4; j++)
			s->buf[rand_r(&seed) % s->len] = rand_r(&seed);
		if (i % 7 == 0)
			s->len = rand_r(&seed) % s->len;
		write_file(&b, &f, &v);
		err = replay(&snap, msg, sizeof(msg));
		dmabufstat_snapshot_free(snap);
		if (!err)
			read_ok++;
		else if (err == -EPROTO)
			refused++;
		else if (!ASSERT_EQ(err, -EPROTO, "fuzz: refused as -EPROTO"))
			break;
	}
	printf("fuzz: %u read, %u refused\n", read_ok, refused);
	ASSERT_GT(refused, 0, "some refused");
}

static bool same_buffer(const struct dmabufstat_buffer *a,
			const struct dmabufstat_buffer *b)
{
	return a->ino == b->ino && a->size == b->size &&
	       a->flags == b->flags && !strcmp(a->exporter, b->exporter) &&
	       !strcmp(a->driver, b->driver) && !strcmp(a->name, b->name) &&
	       a->file_count == b->file_count &&
	       a->vmap_count == b->vmap_count &&
	       a->nr_attach == b->nr_attach &&
	       a->nr_attach_names == b->nr_attach_names &&
	       a->nr_procs == b->nr_procs && a->nr_fds == b->nr_fds &&
	       a->nr_maps == b->nr_maps;
}

/* A live BPF snapshot, recorded, replays into the same snapshot. */
static void subtest_roundtrip(void)
{
	struct dmabufstat_opts o = { .sz = sizeof(o) };
	struct dmabufstat_snapshot *live = NULL, *back = NULL;
	struct dmabufstat *ds;
	char msg[512];
	size_t i;
	int err;

	if (geteuid()) {
		test__skip_reason("BPF needs root");
		return;
	}
	unlink(path);
	dmabufstat_parse_backend("bpf", &o.buf_backend, &o.proc_backend);
	ds = dmabufstat_new(&o);
	if (!ASSERT_OK_PTR(ds, "new"))
		return;
	setenv("DMABUFSTAT_RECORD", path, 1);
	err = dmabufstat_snapshot(ds, &live);
	unsetenv("DMABUFSTAT_RECORD");
	if (err && dmabufstat_errclass(ds) == DMABUFSTAT_E_NO_ITER) {
		test__skip_reason("%s", dmabufstat_errmsg(ds));
		goto out;
	}
	if (!ASSERT_OK(err, "live snapshot")) {
		printf("%s\n", dmabufstat_errmsg(ds));
		goto out;
	}
	if (!ASSERT_OK(replay(&back, msg, sizeof(msg)), "replay")) {
		printf("%s\n", msg);
		goto out;
	}
	printf("live: %zu buffers, %zu processes\n",
	       dmabufstat_nr_buffers(live), dmabufstat_nr_processes(live));
	if (!ASSERT_EQ(dmabufstat_nr_buffers(back),
		       dmabufstat_nr_buffers(live), "as many buffers") ||
	    !ASSERT_EQ(dmabufstat_nr_processes(back),
		       dmabufstat_nr_processes(live), "as many processes"))
		goto out;
	for (i = 0; i < dmabufstat_nr_buffers(live); i++)
		if (!ASSERT_TRUE(same_buffer(dmabufstat_buffer(live, i),
					     dmabufstat_buffer(back, i)),
				 "same buffer"))
			break;
	for (i = 0; i < dmabufstat_nr_processes(live); i++) {
		const struct dmabufstat_process *a =
			dmabufstat_process(live, i);
		const struct dmabufstat_process *b =
			dmabufstat_process(back, i);

		if (!ASSERT_TRUE(a->pid == b->pid && a->uid == b->uid &&
				 a->cgroup_id == b->cgroup_id &&
				 !strcmp(a->comm, b->comm) &&
				 a->rss == b->rss && a->pss == b->pss &&
				 a->nr_refs == b->nr_refs, "same process"))
			break;
	}
out:
	dmabufstat_snapshot_free(live);
	dmabufstat_snapshot_free(back);
	dmabufstat_free(ds);
}

void test_lib_records(void)
{
	snprintf(path, sizeof(path), "/tmp/lib_records-%d", getpid());
	setenv("DMABUFSTAT_REPLAY", path, 1);
	if (test__start_subtest("good"))
		subtest_good();
	if (test__start_subtest("hostile"))
		subtest_hostile();
	if (test__start_subtest("fuzz"))
		subtest_fuzz();
	if (test__start_subtest("roundtrip"))
		subtest_roundtrip();
	unsetenv("DMABUFSTAT_REPLAY");
	unlink(path);
}
