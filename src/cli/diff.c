// SPDX-License-Identifier: GPL-2.0
/*
 * dmabufstat diff --save FILE: a snapshot's buffers and processes as one
 * JSON document (the objects of docs/json-schema.md), written atomically.
 * dmabufstat diff FILE: that snapshot against now, through the library's
 * diff (dmabufstat_diff()): buffers new, resized and freed, processes new,
 * grown, shrunk, changed and gone, the totals then and now.
 *
 * The library builds snapshots from records, not from JSON: the saved
 * document (report/snapload.c reads it) is written back as the record
 * streams a kernel would give (docs/record-format.md) into a memfd, which
 * the library's replay backend reads. A buffer's holders, and each
 * process's fd and mapping counts, come out as saved; which of its
 * buffers the fds and mappings were on is not saved, so a process's fds
 * go one to a buffer first (the rest on its first), and a buffer it held
 * by no fd gets a mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "dmabufstat.h"		/* the record layouts (bpf/) */
#include "cli.h"
#include "cmd.h"
#include "opts.h"
#include "snapload.h"

#define FRAME_MAGIC	0x46525344	/* "DSRF": docs/record-format.md */
#define MAX_FILE	(1ULL << 30)	/* a saved snapshot larger is no ours */

/* ------------------------------------------------------------------ */
/* --save                                                             */

static void save_meta(struct jsonw *w, const void *ctx)
{
	const struct dmabufstat_snapshot *snap = ctx;

	jsonw_name(w, "version");
	jsonw_string(w, DMABUFSTAT_VERSION_STRING);
	jsonw_name(w, "view");
	jsonw_string(w, "snapshot");
	rep_json_snapshot(w, snap, "");
	jsonw_bool_field(w, "filtered", false);
}

static int save(struct dmabufstat *ds, const char *path)
{
	struct rep_table tot = { 0 }, bufs = { 0 }, procs = { 0 };
	struct rep_style style = { .format = REP_JSON };
	struct dmabufstat_snapshot *snap = NULL;
	struct rep_doc doc = { 0 };
	char tmp[4096];
	int fd = -1, err, ret = 1;
	FILE *f = NULL;

	err = dmabufstat_snapshot(ds, &snap);
	if (err) {
		cli_lib_error(ds, "cannot take a snapshot", err);
		return 1;
	}
	err = rep_build(&tot, REP_TOTALS, snap, NULL, NULL) ?:
	      rep_build(&bufs, REP_BUFFERS, snap, NULL, NULL) ?:
	      rep_build(&procs, REP_PROCS, snap, NULL, NULL);
	if (err) {
		cli_error("diff --save: %s", strerror(-err));
		goto out;
	}
	doc.meta = save_meta;
	doc.meta_ctx = snap;
	rep_doc_add(&doc, &tot, NULL, true, false);
	rep_doc_add(&doc, &bufs, NULL, false, false);
	rep_doc_add(&doc, &procs, NULL, false, false);
	/* beside it, then renamed: a reader never sees half of it */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp)) {
		cli_error("diff --save %s: the name is too long", path);
		goto out;
	}
	fd = mkstemp(tmp);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		cli_error("diff --save %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	fchmod(fd, 0644);
	err = rep_write(f, &doc, &style);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		cli_error("diff --save %s: %s", path, strerror(-err));
		goto out;
	}
	ret = 0;
out:
	rep_table_free(&tot);
	rep_table_free(&bufs);
	rep_table_free(&procs);
	dmabufstat_snapshot_free(snap);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The saved document as record streams                               */

struct out {
	char *data;
	size_t len, cap;
	bool nomem;
};

static void *room(struct out *o, size_t n)
{
	void *p;

	if (o->nomem)
		return NULL;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 65536;
		char *d;

		while (cap < o->len + n)
			cap *= 2;
		d = realloc(o->data, cap);
		if (!d) {
			o->nomem = true;
			return NULL;
		}
		o->data = d;
		o->cap = cap;
	}
	p = o->data + o->len;
	memset(p, 0, n);
	o->len += n;
	return p;
}

static void head(struct out *o, enum dmabufstat_stream stream)
{
	struct dmabufstat_head_rec *h = room(o, sizeof(*h));

	if (!h)
		return;
	h->hdr.type = DMABUFSTAT_REC_HEAD;
	h->hdr.size = sizeof(*h);
	h->magic = DMABUFSTAT_MAGIC;
	h->version = DMABUFSTAT_REC_VERSION;
	h->stream = stream;
}

/* The buffer's strings after a record's fixed part; its size, padded. */
static size_t desc(const struct snapload_buf *b, struct dmabufstat_desc *d,
		   size_t fixed)
{
	d->exp_len = strlen(b->exp_name);
	d->name_len = strlen(b->name);
	d->driver_len = strlen(b->driver);
	d->flags = (b->has_name || b->name[0] ? DMABUFSTAT_F_HAS_NAME : 0) |
		   (b->driver[0] ? DMABUFSTAT_F_DRIVER : 0);
	return (fixed + d->exp_len + d->name_len + d->driver_len + 7) & ~7UL;
}

static void strings(char *at, const struct snapload_buf *b)
{
	size_t e = strlen(b->exp_name), n = strlen(b->name);

	memcpy(at, b->exp_name, e);
	memcpy(at + e, b->name, n);
	memcpy(at + e + n, b->driver, strlen(b->driver));
}

static void buf_rec(struct out *o, const struct snapload_buf *b)
{
	struct dmabufstat_desc d = { 0 };
	size_t size = desc(b, &d, sizeof(struct dmabufstat_buf_rec));
	struct dmabufstat_buf_rec *r = room(o, size);

	if (!r)
		return;
	r->hdr.type = DMABUFSTAT_REC_BUF;
	r->hdr.size = size;
	r->ino = b->ino;
	r->size = b->size;
	r->file_count = b->refcount;
	r->desc = d;
	strings((char *)(r + 1), b);
}

static void task_rec(struct out *o, const struct snapload_proc *p)
{
	struct dmabufstat_task_rec *t = room(o, sizeof(*t));

	if (!t)
		return;
	t->hdr.type = DMABUFSTAT_REC_TASK;
	t->hdr.size = sizeof(*t);
	t->tgid = t->pid = p->pid;
	t->uid = t->euid = p->uid;
	t->cgroup_id = p->cgroup_id;
	memcpy(t->comm, p->comm, sizeof(t->comm) - 1);
}

static void fd_rec(struct out *o, uint32_t pid, const struct snapload_buf *b,
		   uint64_t file_id, uint32_t fd)
{
	struct dmabufstat_desc d = { 0 };
	size_t size = desc(b, &d, sizeof(struct dmabufstat_fd_rec));
	struct dmabufstat_fd_rec *r = room(o, size);

	if (!r)
		return;
	r->hdr.type = DMABUFSTAT_REC_FD;
	r->hdr.size = size;
	r->tgid = pid;
	r->ino = b->ino;
	r->size = b->size;
	r->file_id = file_id;
	r->fd = fd;
	r->f_flags = O_RDWR;
	r->desc = d;
	strings((char *)(r + 1), b);
}

static void vma_rec(struct out *o, uint32_t pid, const struct snapload_buf *b,
		    uint64_t file_id, uint64_t start)
{
	struct dmabufstat_desc d = { 0 };
	size_t size = desc(b, &d, sizeof(struct dmabufstat_vma_rec));
	struct dmabufstat_vma_rec *r = room(o, size);

	if (!r)
		return;
	r->hdr.type = DMABUFSTAT_REC_VMA;
	r->hdr.size = size;
	r->tgid = pid;
	r->ino = b->ino;
	r->size = b->size;
	r->file_id = file_id;
	r->start = start;
	r->end = start + 4096;	/* a mapping; its length is not saved */
	r->desc = d;
	strings((char *)(r + 1), b);
}

static int cmp_ino(const void *a, const void *b)
{
	uint64_t x = (*(const struct snapload_buf *const *)a)->ino;
	uint64_t y = (*(const struct snapload_buf *const *)b)->ino;

	return x < y ? -1 : x > y;
}

static const struct snapload_buf *find(const struct snapload_buf **by_ino,
				       size_t n, uint64_t ino)
{
	struct snapload_buf key = { .ino = ino };
	const struct snapload_buf *k = &key, **hit;

	hit = bsearch(&k, by_ino, n, sizeof(*by_ino), cmp_ino);
	return hit ? *hit : NULL;
}

/*
 * A process's fds and mappings over the buffers it held: fds one to a
 * buffer first, the rest on the first; a buffer with no fd a mapping; the
 * mappings left on the first. fd_stream picks which records to write.
 */
static void proc_refs(struct out *o, const struct snapload_proc *p,
		      const struct snapload_buf **held, size_t k,
		      bool fd_stream, uint64_t *file_id)
{
	uint32_t fds = p->fds, maps = p->maps, i, n;
	uint64_t start = 0x100000000ULL;

	if (!k)
		return;
	task_rec(o, p);
	for (i = 0; i < k; i++) {
		bool by_fd = i < fds;

		n = by_fd ? 1 + (i == 0 && fds > k ? fds - k : 0) : 0;
		if (fd_stream) {
			for (; n; n--) {
				++*file_id;
				fd_rec(o, p->pid, held[i], *file_id,
				       3 + (uint32_t)*file_id);
			}
			continue;
		}
		n = by_fd ? 0 : 1;
		if (i == 0) {
			/* the mappings left after one per fd-less buffer */
			uint32_t needed = k > fds ? k - fds : 0;

			n += maps > needed ? maps - needed : 0;
		}
		for (; n; n--) {
			vma_rec(o, p->pid, held[i], ++*file_id, start);
			start += 0x100000;
		}
	}
}

/* The frame of one stream in fd: its header, the stream, zeros to 8. */
static int frame(int fd, enum dmabufstat_stream stream, const struct out *o)
{
	struct { __u32 magic, stream; __u64 len; } h = {
		FRAME_MAGIC, stream, o->len,
	};
	static const char zeros[8];
	size_t pad = (8 - o->len % 8) % 8;

	if (write(fd, &h, sizeof(h)) != sizeof(h) ||
	    write(fd, o->data, o->len) != (ssize_t)o->len ||
	    write(fd, zeros, pad) != (ssize_t)pad)
		return -EIO;
	return 0;
}

/* The saved snapshot as the three record streams, in a memfd: its fd. */
static int encode(const struct snapload *s)
{
	const struct snapload_buf **by_ino, **held = NULL;
	struct out bufs = { 0 }, fds = { 0 }, vmas = { 0 };
	struct snapload_proc derived = { 0 };
	size_t i, j, k, cap = 0;
	uint64_t fid_fd = 0, fid_vma = 1ULL << 62;
	int fd = -1, err = -ENOMEM;

	by_ino = malloc((s->nr_bufs + 1) * sizeof(*by_ino));
	if (!by_ino)
		return -ENOMEM;
	head(&bufs, DMABUFSTAT_STREAM_BUFS);
	head(&fds, DMABUFSTAT_STREAM_FDS);
	head(&vmas, DMABUFSTAT_STREAM_VMAS);
	for (i = 0; i < s->nr_bufs; i++) {
		by_ino[i] = &s->bufs[i];
		buf_rec(&bufs, &s->bufs[i]);
	}
	qsort(by_ino, s->nr_bufs, sizeof(*by_ino), cmp_ino);
	if (s->has_procs) {
		for (i = 0; i < s->nr_procs; i++) {
			const struct snapload_proc *p = &s->procs[i];

			if (p->nr_inos > cap) {
				const struct snapload_buf **h;

				h = realloc(held, p->nr_inos * sizeof(*h));
				if (!h)
					goto out;
				held = h;
				cap = p->nr_inos;
			}
			/* inodes of no saved buffer are left out */
			for (j = k = 0; j < p->nr_inos; j++) {
				held[k] = find(by_ino, s->nr_bufs, p->inos[j]);
				k += held[k] != NULL;
			}
			proc_refs(&fds, p, held, k, true, &fid_fd);
			proc_refs(&vmas, p, held, k, false, &fid_vma);
		}
	} else {
		/* buffers alone: each holder by one fd; names unknown */
		held = malloc(sizeof(*held));
		if (!held)
			goto out;
		derived.fds = 1;
		for (i = 0; i < s->nr_bufs; i++)
			for (j = 0; j < s->bufs[i].nr_pids; j++) {
				derived.pid = s->bufs[i].pids[j];
				held[0] = &s->bufs[i];
				proc_refs(&fds, &derived, held, 1, true, &fid_fd);
			}
	}
	if (bufs.nomem || fds.nomem || vmas.nomem)
		goto out;
	fd = memfd_create("dmabufstat-saved", MFD_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = frame(fd, DMABUFSTAT_STREAM_BUFS, &bufs) ?:
	      frame(fd, DMABUFSTAT_STREAM_FDS, &fds) ?:
	      frame(fd, DMABUFSTAT_STREAM_VMAS, &vmas);
	if (err) {
		close(fd);
		fd = -1;
	}
out:
	free(by_ino);
	free(held);
	free(bufs.data);
	free(fds.data);
	free(vmas.data);
	return fd >= 0 ? fd : err;
}

/* ------------------------------------------------------------------ */
/* diff FILE                                                          */

static int read_file(const char *path, char **data, size_t *len)
{
	struct stat st;
	ssize_t n;
	size_t off = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > MAX_FILE) {
		close(fd);
		return -EFBIG;
	}
	*data = malloc(st.st_size + 1);
	if (!*data) {
		close(fd);
		return -ENOMEM;
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, *data + off, st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n ? -errno : 0;
			break;
		}
		off += n;
	}
	close(fd);
	*len = off;
	return err;
}

/* The saved snapshot, rebuilt by the library from its records. */
static int saved_snapshot(const struct snapload *s,
			  struct dmabufstat **ds_out,
			  struct dmabufstat_snapshot **snap)
{
	struct dmabufstat_opts opts = { .sz = sizeof(opts) };
	const char *before = getenv("DMABUFSTAT_REPLAY");
	char path[64], *keep = before ? strdup(before) : NULL;
	struct dmabufstat *ds;
	int fd, err;

	fd = encode(s);
	if (fd < 0) {
		free(keep);
		return fd;
	}
	cli_parse_backend("replay", &opts);
	ds = dmabufstat_new(&opts);
	if (!ds) {
		close(fd);
		free(keep);
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	setenv("DMABUFSTAT_REPLAY", path, 1);
	err = dmabufstat_snapshot(ds, snap);
	if (keep)
		setenv("DMABUFSTAT_REPLAY", keep, 1);
	else
		unsetenv("DMABUFSTAT_REPLAY");
	free(keep);
	close(fd);
	if (err)
		cli_lib_error(ds, "the saved snapshot", err);
	*ds_out = ds;
	return err;
}

struct diff_meta {
	const struct dmabufstat_snapshot *snap;
	const struct snapload *saved;
	const char *file;
};

static void diff_meta(struct jsonw *w, const void *ctx)
{
	const struct diff_meta *m = ctx;

	jsonw_name(w, "version");
	jsonw_string(w, DMABUFSTAT_VERSION_STRING);
	jsonw_name(w, "view");
	jsonw_string(w, "diff");
	rep_json_snapshot(w, m->snap, "");
	jsonw_name(w, "saved");
	jsonw_start_object(w);
	jsonw_string_field(w, "file", m->file);
	jsonw_uint_field(w, "realtime_ns", m->saved->realtime_ns);
	jsonw_string_field(w, "backend", m->saved->backend);
	jsonw_bool_field(w, "processes", m->saved->has_procs);
	jsonw_end_object(w);
}

static size_t count(const struct rep_table *t, const char *change)
{
	size_t r, n = 0;

	for (r = 0; r < t->nr; r++)
		n += !strcmp(rep_cells(t, &t->rows[r])[0].s, change);
	return n;
}

static int compare(struct dmabufstat *ds, const char *file)
{
	struct rep_style style = { .format = env.format, .bytes = env.bytes };
	struct rep_table tot = { 0 }, bufs = { 0 }, procs = { 0 };
	struct dmabufstat_snapshot *old_snap = NULL, *snap = NULL;
	char banner[512], when[48], tbufs[128], tprocs[160];
	struct dmabufstat *old_ds = NULL;
	struct dmabufstat_diff *d = NULL;
	struct snapload s = { 0 };
	struct rep_doc doc = { 0 };
	struct diff_meta m;
	char *text = NULL;
	size_t len = 0;
	int err, ret = 1;

	err = read_file(file, &text, &len);
	if (err) {
		cli_error("diff %s: %s", file, err == -EFBIG ?
			  "not a regular file of at most 1 GiB" : strerror(-err));
		return 1;
	}
	err = snapload_parse(text, len, &s);
	free(text);
	if (err) {
		cli_error("diff %s: not a saved snapshot: %s", file,
			  err == -ENOMEM ? "out of memory" : s.err);
		goto out;
	}
	if (!s.has_bufs) {
		cli_error("diff %s: it has no buffers array; save a snapshot with 'dmabufstat diff --save FILE' (or -o json buffers)",
			  file);
		goto out;
	}
	err = saved_snapshot(&s, &old_ds, &old_snap);
	if (err) {
		if (err == -ENOMEM || err == -EIO)
			cli_error("diff %s: %s", file, strerror(-err));
		goto out;
	}
	err = dmabufstat_snapshot(ds, &snap);
	if (err) {
		cli_lib_error(ds, "cannot take a snapshot", err);
		goto out;
	}
	err = dmabufstat_diff(old_snap, snap, &d) ?:
	      rep_diff_build(d, old_snap, snap, &tot, &bufs, &procs);
	if (err) {
		cli_error("diff: %s", strerror(-err));
		goto out;
	}
	rep_time_iso(s.realtime_ns, when, sizeof(when));
	snprintf(banner, sizeof(banner),
		 "Backend: %s (now); saved: %s, %s, backend %s",
		 dmabufstat_snapshot_backend_name(snap), file,
		 s.realtime_ns ? when : "time unknown",
		 s.backend[0] ? s.backend : "unknown");
	snprintf(tbufs, sizeof(tbufs),
		 "Buffers: %zu new, %zu resized, %zu freed", count(&bufs, "new"),
		 count(&bufs, "resized"), count(&bufs, "freed"));
	snprintf(tprocs, sizeof(tprocs),
		 "Processes: %zu new, %zu grown, %zu shrunk, %zu changed, %zu gone%s",
		 count(&procs, "new"), count(&procs, "grown"),
		 count(&procs, "shrunk"), count(&procs, "changed"),
		 count(&procs, "gone"), s.has_procs ? "" :
		 " (the file has no processes: theirs are derived from the buffers' holders, without names)");
	m.snap = snap;
	m.saved = &s;
	m.file = file;
	doc.banner = banner;
	doc.meta = diff_meta;
	doc.meta_ctx = &m;
	if (env.format == REP_CSV) {
		rep_time_iso(dmabufstat_snapshot_realtime_ns(snap), when,
			     sizeof(when));
		doc.csv_time = when;
		doc.csv_backend = dmabufstat_snapshot_backend_name(snap);
		doc.banner = NULL;
	}
	rep_doc_add(&doc, &tot, "Totals", true, false);
	rep_doc_add(&doc, &bufs, tbufs, false, false);
	rep_doc_add(&doc, &procs, tprocs, false, false);
	doc.sect[0].key = "totals";
	doc.sect[1].key = "buffers";
	doc.sect[2].key = "processes";
	err = rep_write(stdout, &doc, &style);
	ret = err ? cli_output_error(err) : 0;
out:
	rep_table_free(&tot);
	rep_table_free(&bufs);
	rep_table_free(&procs);
	dmabufstat_diff_free(d);
	dmabufstat_snapshot_free(snap);
	dmabufstat_snapshot_free(old_snap);
	dmabufstat_free(old_ds);
	snapload_free(&s);
	return ret;
}

int cmd_diff(struct dmabufstat *ds, const char *name, char **args, int nr)
{
	if (nr != 1)
		cli_usage_error("%s: give one FILE (a snapshot saved with 'dmabufstat diff --save FILE')",
				name);
	if (env.format == CLI_FORMAT_RAW)
		cli_usage_error("-o raw: the formats of %s are table, json and csv",
				name);
	if (env.save)
		return save(ds, args[0]);
	return compare(ds, args[0]);
}
