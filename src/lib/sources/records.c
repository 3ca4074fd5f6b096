// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat: the BPF iterators' record streams (bpf/dmabufstat.h,
 * docs/record-format.md) decoded into what a snapshot collects. Every
 * length is checked against what is left of its record, and every record
 * against what is left of the stream, before a byte is read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "records.h"

static size_t hash_tgid(__u32 tgid)
{
	return (size_t)tgid * 2654435761U;
}

/* The records' sizes and flag bits are the public ones: copied as is. */
_Static_assert(DMABUFSTAT_EXP_LEN == DMABUFSTAT_EXPORTER_LEN, "exporter");
_Static_assert(DMABUFSTAT_NAME_LEN == DMABUFSTAT_BUFNAME_LEN, "name");
_Static_assert(DMABUFSTAT_DRV_LEN == DMABUFSTAT_DRIVER_LEN, "driver");
_Static_assert(DMABUFSTAT_DEV_LEN == DMABUFSTAT_DEVNAME_LEN, "device");
_Static_assert(DMABUFSTAT_TASK_COMM_LEN == DMABUFSTAT_COMM_LEN, "comm");
_Static_assert(DMABUFSTAT_MAX_ATTACH_NAMES == DMABUFSTAT_ATTACH_NAMES,
	       "attached device names");
_Static_assert(DMABUFSTAT_F_HAS_NAME == DMABUFSTAT_BUF_HAS_NAME, "flag");
_Static_assert(DMABUFSTAT_F_DRIVER == DMABUFSTAT_BUF_DRIVER, "flag");
_Static_assert(DMABUFSTAT_F_ATTACH_TRUNC == DMABUFSTAT_BUF_ATTACH_TRUNC,
	       "flag");
_Static_assert(DMABUFSTAT_F_NAMES_TRUNC == DMABUFSTAT_BUF_NAMES_TRUNC, "flag");
_Static_assert(sizeof(struct dmabufstat_head_rec) == 16, "HEAD");
_Static_assert(sizeof(struct dmabufstat_buf_rec) == 48, "BUF");
_Static_assert(sizeof(struct dmabufstat_task_rec) == 48, "TASK");
_Static_assert(sizeof(struct dmabufstat_fd_rec) == 48, "FD");
_Static_assert(sizeof(struct dmabufstat_vma_rec) == 72, "VMA");

#define FLAG_MASK (DMABUFSTAT_BUF_HAS_NAME | DMABUFSTAT_BUF_DRIVER | \
		   DMABUFSTAT_BUF_ATTACH_TRUNC | DMABUFSTAT_BUF_NAMES_TRUNC)

const char *rec_stream_name(unsigned int stream)
{
	switch (stream) {
	case DMABUFSTAT_STREAM_BUFS:
		return "buffers";
	case DMABUFSTAT_STREAM_FDS:
		return "fds";
	case DMABUFSTAT_STREAM_VMAS:
		return "mappings";
	}
	return "unknown";
}

static int bad(struct rec_reader *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct rec_reader *rd, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ds_err(rd->ds, DMABUFSTAT_E_OTHER, -EPROTO,
		      "bad %s record stream at byte %zu: %s",
		      rec_stream_name(rd->stream), rd->off, what);
}

/* The string of len bytes at p into dst (size bytes, NUL-terminated). */
static void put_string(char *dst, size_t size, const char *p, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, p, len);
	dst[len] = '\0';
}

/*
 * The strings of desc, after a fixed part of fixed bytes in a record of
 * size bytes at rec: checked, then copied; *end gets the offset after
 * them. 0 or the error.
 */
static int read_desc(struct rec_reader *rd, const char *rec, size_t fixed,
		     size_t size, const struct dmabufstat_desc *d,
		     char *exporter, char *name, char *driver, size_t *end)
{
	size_t off = fixed;

	if (d->exp_len >= DMABUFSTAT_EXP_LEN ||
	    d->name_len >= DMABUFSTAT_NAME_LEN ||
	    d->driver_len >= DMABUFSTAT_DRV_LEN)
		return bad(rd, "string lengths %u/%u/%u past their fields",
			   d->exp_len, d->name_len, d->driver_len);
	if (fixed + d->exp_len + d->name_len + d->driver_len > size)
		return bad(rd, "strings of %u bytes past the record's %zu",
			   d->exp_len + d->name_len + d->driver_len, size);
	put_string(exporter, DMABUFSTAT_EXPORTER_LEN, rec + off, d->exp_len);
	off += d->exp_len;
	put_string(name, DMABUFSTAT_BUFNAME_LEN, rec + off, d->name_len);
	off += d->name_len;
	put_string(driver, DMABUFSTAT_DRIVER_LEN, rec + off, d->driver_len);
	*end = off + d->driver_len;
	return 0;
}

static int read_buf(struct rec_reader *rd, const char *rec, size_t size,
		    struct collect *c)
{
	struct dmabufstat_buf_rec r;
	struct dmabufstat_buffer *b;
	size_t off, i, n;
	int err;

	memcpy(&r, rec, sizeof(r));
	if (!r.ino)
		return bad(rd, "buffer with inode 0");
	if (r.nr_attach_names > DMABUFSTAT_MAX_ATTACH_NAMES ||
	    r.nr_attach_names > r.nr_attach)
		return bad(rd, "%u attached device names for %u attachments",
			   r.nr_attach_names, r.nr_attach);
	b = collect_add_buf(c);
	if (!b)
		return ds_nomem(rd->ds);
	err = read_desc(rd, rec, sizeof(r), size, &r.desc, b->exporter,
			b->name, b->driver, &off);
	if (err)
		return err;
	for (i = 0; i < r.nr_attach_names; i++) {
		n = off < size ? (unsigned char)rec[off] : 0;
		if (off >= size || n >= DMABUFSTAT_DEV_LEN ||
		    off + 1 + n > size)
			return bad(rd, "attached device name %zu past the record",
				   i);
		put_string(b->attach[i], sizeof(b->attach[i]), rec + off + 1,
			   n);
		off += 1 + n;
	}
	b->ino = r.ino;
	b->size = r.size;
	b->flags = r.desc.flags & FLAG_MASK;	/* same bits: asserted above */
	b->file_count = r.file_count;
	b->vmap_count = r.vmap_count;
	b->nr_attach = r.nr_attach;
	b->nr_attach_names = r.nr_attach_names;
	return 0;
}

static int read_task(struct rec_reader *rd, const char *rec, size_t size)
{
	struct dmabufstat_task_rec t;
	struct task_ident *ti;
	size_t i;

	if (size != sizeof(t))
		return bad(rd, "TASK record of %zu bytes, not %zu", size,
			   sizeof(t));
	memcpy(&t, rec, sizeof(t));
	if (!t.tgid)
		return bad(rd, "TASK record of process 0");
	/* told again (an evicted entry in the program's map): the last wins */
	i = hash_tgid(t.tgid) & rd->task_mask;
	while (rd->task_hash && rd->task_hash[i] &&
	       rd->tasks[rd->task_hash[i] - 1].tgid != t.tgid)
		i = (i + 1) & rd->task_mask;
	if (rd->task_hash && rd->task_hash[i]) {
		ti = &rd->tasks[rd->task_hash[i] - 1];
	} else {
		/* keep the hash at most half full */
		if ((rd->nr_tasks + 1) * 2 > rd->task_mask + 1 ||
		    !rd->task_hash) {
			size_t nmask = rd->task_hash ? rd->task_mask * 2 + 1 : 63;
			size_t *nh = calloc(nmask + 1, sizeof(*nh)), j, k;

			if (!nh)
				return ds_nomem(rd->ds);
			for (j = 0; j < rd->nr_tasks; j++) {
				k = hash_tgid(rd->tasks[j].tgid) & nmask;
				while (nh[k])
					k = (k + 1) & nmask;
				nh[k] = j + 1;
			}
			free(rd->task_hash);
			rd->task_hash = nh;
			rd->task_mask = nmask;
			i = hash_tgid(t.tgid) & nmask;
			while (nh[i])
				i = (i + 1) & nmask;
		}
		if (grow((void **)&rd->tasks, &rd->cap_tasks,
			 rd->nr_tasks + 1, sizeof(*rd->tasks)))
			return ds_nomem(rd->ds);
		rd->task_hash[i] = ++rd->nr_tasks;
		ti = &rd->tasks[rd->nr_tasks - 1];
	}
	ti->tgid = t.tgid;
	ti->pid = t.pid;
	ti->uid = t.uid;
	ti->euid = t.euid;
	ti->cgroup_id = t.cgroup_id;
	put_string(ti->comm, sizeof(ti->comm), t.comm,
		   strnlen(t.comm, sizeof(t.comm)));
	rd->last = NULL;	/* the table may have moved */
	return 0;
}

static const struct task_ident *find_task(struct rec_reader *rd, __u32 tgid)
{
	size_t i;

	if (rd->last && rd->last->tgid == tgid)
		return rd->last;
	if (!rd->task_hash)
		return NULL;
	for (i = hash_tgid(tgid) & rd->task_mask; rd->task_hash[i];
	     i = (i + 1) & rd->task_mask)
		if (rd->tasks[rd->task_hash[i] - 1].tgid == tgid)
			return rd->last = &rd->tasks[rd->task_hash[i] - 1];
	return NULL;
}

/* The buffer source has this buffer, and all a reference could add. */
static bool known_buffer(struct rec_reader *rd, __u64 ino)
{
	const struct collect *c = rd->c;
	size_t i, mask;

	if (!c->bufs_complete || !c->nr_bufs)
		return false;
	if (!rd->known) {
		for (mask = 15; mask + 1 < c->nr_bufs * 2; mask = mask * 2 + 1)
			;
		rd->known = calloc(mask + 1, sizeof(*rd->known));
		if (!rd->known)
			return false;	/* then described: correct, bigger */
		rd->known_mask = mask;
		for (i = 0; i < c->nr_bufs; i++) {
			size_t h = hash_tgid(c->bufs[i].ino) & mask;

			while (rd->known[h])
				h = (h + 1) & mask;
			rd->known[h] = c->bufs[i].ino;
		}
	}
	for (i = hash_tgid(ino) & rd->known_mask; rd->known[i];
	     i = (i + 1) & rd->known_mask)
		if (rd->known[i] == ino)
			return true;
	return false;
}

/*
 * A reference of process tgid to the buffer d describes, into *out: its
 * identity filled in, and d kept unless the buffer source knows the
 * buffer. 0 or the error.
 */
static int new_ref(struct rec_reader *rd, __u32 tgid, __u64 ino,
		   const struct ref_buf *d, struct collect *c,
		   struct raw_ref **out)
{
	const struct task_ident *t = find_task(rd, tgid);
	struct ref_buf *keep;
	struct raw_ref *rr;

	if (!t)
		return bad(rd, "a reference of process %u before its TASK record",
			   tgid);
	if (!ino)
		return bad(rd, "a reference to inode 0");
	rr = collect_add_ref(c);
	if (!rr)
		return ds_nomem(rd->ds);
	rr->ref.pid = t->tgid;
	rr->tid = t->pid;
	rr->uid = t->uid;
	rr->euid = t->euid;
	rr->cgroup_id = t->cgroup_id;
	memcpy(rr->comm, t->comm, sizeof(rr->comm));
	rr->ref.ino = ino;
	if (!known_buffer(rd, ino)) {
		keep = collect_add_desc(c, rr);
		if (!keep) {
			collect_drop_ref(c);
			return ds_nomem(rd->ds);
		}
		*keep = *d;
	}
	*out = rr;
	return 0;
}

static int read_fd(struct rec_reader *rd, const char *rec, size_t size,
		   struct collect *c)
{
	struct dmabufstat_fd_rec f;
	struct ref_buf d = { .file_count = -1 };
	struct raw_ref *rr;
	size_t end;
	int err;

	memcpy(&f, rec, sizeof(f));
	err = read_desc(rd, rec, sizeof(f), size, &f.desc, d.exporter, d.name,
			d.driver, &end);
	if (err)
		return err;
	d.ino = f.ino;
	d.size = f.size;
	d.flags = f.desc.flags & FLAG_MASK;
	err = new_ref(rd, f.tgid, f.ino, &d, c, &rr);
	if (err)
		return err;
	rr->ref.kind = DMABUFSTAT_REF_FD;
	rr->ref.fd = f.fd;
	rr->ref.f_flags = f.f_flags;
	rr->ref.file_id = f.file_id;
	return 0;
}

static int read_vma(struct rec_reader *rd, const char *rec, size_t size,
		    struct collect *c, uint64_t page)
{
	struct dmabufstat_vma_rec v;
	struct ref_buf d = { .file_count = -1 };
	struct raw_ref *rr;
	size_t end;
	int err;

	memcpy(&v, rec, sizeof(v));
	if (v.end < v.start)
		return bad(rd, "mapping %#llx-%#llx ends before it starts",
			   (unsigned long long)v.start,
			   (unsigned long long)v.end);
	err = read_desc(rd, rec, sizeof(v), size, &v.desc, d.exporter, d.name,
			d.driver, &end);
	if (err)
		return err;
	d.ino = v.ino;
	d.size = v.size;
	d.flags = v.desc.flags & FLAG_MASK;
	err = new_ref(rd, v.tgid, v.ino, &d, c, &rr);
	if (err)
		return err;
	rr->ref.kind = DMABUFSTAT_REF_MAP;
	rr->ref.file_id = v.file_id;
	rr->ref.start = v.start;
	rr->ref.end = v.end;
	rr->ref.offset = v.pgoff * page;
	return 0;
}

static int read_head(struct rec_reader *rd, const char *raw)
{
	struct dmabufstat_head_rec h;

	memcpy(&h, raw, sizeof(h));
	if (h.hdr.type != DMABUFSTAT_REC_HEAD || h.hdr.size != sizeof(h) ||
	    h.magic != DMABUFSTAT_MAGIC)
		return bad(rd, "not a dmabufstat stream (type %u size %u magic %#x, want a HEAD record)",
			   h.hdr.type, h.hdr.size, h.magic);
	if (h.version != DMABUFSTAT_REC_VERSION)
		return bad(rd, "format version %u, this library reads %u",
			   h.version, DMABUFSTAT_REC_VERSION);
	if (h.stream != rd->stream)
		return bad(rd, "a %s stream where %s were expected",
			   rec_stream_name(h.stream),
			   rec_stream_name(rd->stream));
	return 0;
}

/* The fixed part of each record type in a stream, 0: not in this stream. */
static size_t fixed_size(enum dmabufstat_stream stream, unsigned int type)
{
	switch (type) {
	case DMABUFSTAT_REC_BUF:
		return stream == DMABUFSTAT_STREAM_BUFS ?
			sizeof(struct dmabufstat_buf_rec) : 0;
	case DMABUFSTAT_REC_TASK:
		return stream != DMABUFSTAT_STREAM_BUFS ?
			sizeof(struct dmabufstat_task_rec) : 0;
	case DMABUFSTAT_REC_FD:
		return stream == DMABUFSTAT_STREAM_FDS ?
			sizeof(struct dmabufstat_fd_rec) : 0;
	case DMABUFSTAT_REC_VMA:
		return stream == DMABUFSTAT_STREAM_VMAS ?
			sizeof(struct dmabufstat_vma_rec) : 0;
	}
	return 0;
}

void rec_reader_init(struct rec_reader *rd, struct dmabufstat *ds,
		     enum dmabufstat_stream stream, struct collect *c)
{
	memset(rd, 0, sizeof(*rd));
	rd->ds = ds;
	rd->stream = stream;
	rd->c = c;
	rd->page = sysconf(_SC_PAGESIZE);
}

void rec_reader_free(struct rec_reader *rd)
{
	free(rd->tasks);
	free(rd->task_hash);
	free(rd->known);
	rd->tasks = NULL;
	rd->task_hash = NULL;
	rd->known = NULL;
}

/* The record at raw (len bytes left): its size, 0 for more, or -errno. */
static long read_record(struct rec_reader *rd, const char *raw, size_t len)
{
	struct dmabufstat_hdr h;
	size_t fixed;
	int err = 0;

	if (len < sizeof(h))
		return 0;
	memcpy(&h, raw, sizeof(h));
	fixed = fixed_size(rd->stream, h.type);
	if (!fixed)
		return bad(rd, "record type %u", h.type);
	if (h.size < fixed || h.size % 8 || h.size > DMABUFSTAT_REC_MAX + 8)
		return bad(rd, "record type %u of %u bytes (%zu to %d, a multiple of 8)",
			   h.type, h.size, fixed, DMABUFSTAT_REC_MAX + 8);
	if (h.size > len)
		return 0;
	switch (h.type) {
	case DMABUFSTAT_REC_BUF:
		err = read_buf(rd, raw, h.size, rd->c);
		break;
	case DMABUFSTAT_REC_TASK:
		err = read_task(rd, raw, h.size);
		break;
	case DMABUFSTAT_REC_FD:
		err = read_fd(rd, raw, h.size, rd->c);
		break;
	case DMABUFSTAT_REC_VMA:
		err = read_vma(rd, raw, h.size, rd->c, rd->page);
		break;
	}
	return err ?: h.size;
}

long rec_reader_feed(struct rec_reader *rd, const char *raw, size_t len)
{
	size_t done = 0;
	long n;
	int err;

	if (!rd->head_seen) {
		if (len < sizeof(struct dmabufstat_head_rec))
			return 0;
		err = read_head(rd, raw);
		if (err)
			return err;
		rd->head_seen = true;
		done = rd->off = sizeof(struct dmabufstat_head_rec);
	}
	while (done < len) {
		n = read_record(rd, raw + done, len - done);
		if (n <= 0)
			return n < 0 ? n : (long)done;
		done += n;
		rd->off += n;
	}
	return done;
}

int rec_reader_end(struct rec_reader *rd, const char *rest, size_t len)
{
	struct dmabufstat_hdr h;

	if (!len)
		return 0;
	if (!rd->head_seen)
		return bad(rd, "%zu bytes, less than a HEAD record", len);
	if (len < sizeof(h))
		return bad(rd, "truncated: %zu bytes, less than a record header",
			   len);
	memcpy(&h, rest, sizeof(h));
	return bad(rd, "truncated: a record of %u bytes, %zu left", h.size,
		   len);
}

int rec_decode(struct dmabufstat *ds, enum dmabufstat_stream stream,
	       const char *raw, size_t len, struct collect *c)
{
	struct rec_reader rd;
	long done;
	int err;

	rec_reader_init(&rd, ds, stream, c);
	/* records are 56 bytes or more with an exporter name: room for all */
	if (collect_reserve(c, stream == DMABUFSTAT_STREAM_BUFS ? len / 56 : 0,
			    stream == DMABUFSTAT_STREAM_BUFS ? 0 : len / 56)) {
		rec_reader_free(&rd);
		return ds_nomem(ds);
	}
	done = rec_reader_feed(&rd, raw, len);
	err = done < 0 ? done : rec_reader_end(&rd, raw + done, len - done);
	rec_reader_free(&rd);
	return err;
}

void rec_record(struct dmabufstat *ds, enum dmabufstat_stream stream,
		const char *raw, size_t len)
{
	const char *path = getenv("DMABUFSTAT_RECORD");
	struct rec_frame f = {
		.magic = DMABUFSTAT_FRAME_MAGIC, .stream = stream, .len = len,
	};
	static const char zeros[8];
	size_t pad = (8 - len % 8) % 8;
	int fd;

	if (!path || !*path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, &f, sizeof(f)) != sizeof(f) ||
	    write(fd, raw, len) != (ssize_t)len ||
	    write(fd, zeros, pad) != (ssize_t)pad)
		ds_debug(ds, "DMABUFSTAT_RECORD=%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}
