// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat: a snapshot built from what the sources collected, phase
 * by phase: buffers deduplicated, completed by what references say of
 * them, references sorted, processes, holders (one per process and
 * buffer), Android's rss and pss, system totals, then the exporter,
 * device, uid and cgroup tables.
 */
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "readfile.h"

static size_t *hash_new(size_t nr, size_t *mask)
{
	size_t sz = 16;

	while (sz < nr * 2)
		sz *= 2;
	*mask = sz - 1;
	return calloc(sz, sizeof(size_t));
}

static void hash_insert(size_t *h, size_t mask, uint64_t key, size_t idx)
{
	size_t i = hash64(key) & mask;

	while (h[i])
		i = (i + 1) & mask;
	h[i] = idx + 1;
}

/* ------------------------------------------------------------------ */
/* Comparators: never a 64-bit difference as int                      */

static int cmp_buf_ino(const void *a, const void *b)
{
	const struct dmabufstat_buffer *x = a, *y = b;

	return CMP(x->ino, y->ino);
}

static int cmp_ref(const void *a, const void *b)
{
	const struct raw_ref *x = a, *y = b;

	if (x->ref.pid != y->ref.pid)
		return CMP(x->ref.pid, y->ref.pid);
	if (x->ref.kind != y->ref.kind)
		return CMP(x->ref.kind, y->ref.kind);
	if (x->ref.fd != y->ref.fd)
		return CMP(x->ref.fd, y->ref.fd);
	return CMP(x->ref.start, y->ref.start);
}

/* indexes into the refs array arg, by pid, then inode, then index */
static int cmp_ref_idx_pid_ino(const void *a, const void *b, void *arg)
{
	const struct raw_ref *refs = arg;
	const struct raw_ref *x = &refs[*(const size_t *)a];
	const struct raw_ref *y = &refs[*(const size_t *)b];

	if (x->ref.pid != y->ref.pid)
		return CMP(x->ref.pid, y->ref.pid);
	if (x->ref.ino != y->ref.ino)
		return CMP(x->ref.ino, y->ref.ino);
	return CMP(*(const size_t *)a, *(const size_t *)b);
}

static int cmp_u64(const void *a, const void *b)
{
	return CMP(*(const uint64_t *)a, *(const uint64_t *)b);
}

/* indexes into the buffers array arg, by shown exporter, exp_name, inode */
static int cmp_buf_idx_exporter(const void *a, const void *b, void *arg)
{
	const struct dmabufstat_buffer *bufs = arg;
	const struct dmabufstat_buffer *x = &bufs[*(const size_t *)a];
	const struct dmabufstat_buffer *y = &bufs[*(const size_t *)b];
	int r;

	r = strcmp(dmabufstat_buffer_exporter(x),
		   dmabufstat_buffer_exporter(y));
	if (r)
		return r;
	r = strcmp(x->exporter, y->exporter);
	if (r)
		return r;
	return CMP(x->ino, y->ino);
}

struct devpair {
	const char *name;
	size_t buf;
};

static int cmp_devpair(const void *a, const void *b)
{
	const struct devpair *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : CMP(x->buf, y->buf);
}

struct grouppair {
	uint64_t id;
	size_t buf;
	size_t proc;
};

static int cmp_grouppair(const void *a, const void *b)
{
	const struct grouppair *x = a, *y = b;

	if (x->id != y->id)
		return CMP(x->id, y->id);
	if (x->buf != y->buf)
		return CMP(x->buf, y->buf);
	return CMP(x->proc, y->proc);
}

/* ------------------------------------------------------------------ */
/* Buffers                                                            */

DMABUFSTAT_API const char *
dmabufstat_buffer_exporter(const struct dmabufstat_buffer *b)
{
	return (b->flags & DMABUFSTAT_BUF_DRIVER) && b->driver[0] ?
		b->driver : b->exporter;
}

static void hash_buffers(struct dmabufstat_snapshot *s,
			 const struct collect *c)
{
	size_t i;

	memset(s->buf_hash, 0, (s->buf_hash_mask + 1) * sizeof(*s->buf_hash));
	for (i = 0; i < c->nr_bufs; i++)
		hash_insert(s->buf_hash, s->buf_hash_mask, c->bufs[i].ino, i);
}

/* Buffers sorted by inode, each once, hashed (with room for the refs'). */
static int dedupe_buffers(struct dmabufstat_snapshot *s, struct collect *c)
{
	size_t i, n;

	if (c->nr_bufs)	/* qsort() wants a pointer even for none */
		qsort(c->bufs, c->nr_bufs, sizeof(*c->bufs), cmp_buf_ino);
	for (i = 0, n = 0; i < c->nr_bufs; i++)
		if (!n || c->bufs[i].ino != c->bufs[n - 1].ino)
			c->bufs[n++] = c->bufs[i];
	c->nr_bufs = n;
	s->buf_hash = hash_new(c->nr_bufs + c->nr_refs, &s->buf_hash_mask);
	if (!s->buf_hash)
		return -ENOMEM;
	hash_buffers(s, c);
	return 0;
}

/* Fills what the buffer source did not know from a reference's view. */
static void enrich(struct dmabufstat_buffer *b, const struct raw_ref *r,
		   const struct collect *c)
{
	const struct ref_buf *d = &r->desc;

	if (!c->bufs_have_names && (d->flags & DMABUFSTAT_BUF_HAS_NAME) &&
	    !(b->flags & DMABUFSTAT_BUF_HAS_NAME)) {
		memcpy(b->name, d->name, sizeof(b->name));
		b->flags |= DMABUFSTAT_BUF_HAS_NAME;
	}
	if ((d->flags & DMABUFSTAT_BUF_DRIVER) &&
	    !(b->flags & DMABUFSTAT_BUF_DRIVER)) {
		memcpy(b->driver, d->driver, sizeof(b->driver));
		b->flags |= DMABUFSTAT_BUF_DRIVER;
	}
	if (!b->exporter[0])
		memcpy(b->exporter, d->exporter, sizeof(b->exporter));
	if (!c->bufs_have_attach && b->file_count < 0 && d->file_count >= 0)
		b->file_count = d->file_count;
	if (!b->size && r->desc_size_known)
		b->size = d->size;
	/*
	 * PROCS buffer source and a buffer only mapped (procfs): the mapping's
	 * end within the buffer is all we know of its size, a lower bound.
	 */
	if ((c->flags & DMABUFSTAT_SNAP_NO_KERNEL_ONLY) &&
	    !r->desc_size_known && r->ref.kind == DMABUFSTAT_REF_MAP &&
	    b->size < r->ref.end - r->ref.start + r->ref.offset)
		b->size = r->ref.end - r->ref.start + r->ref.offset;
}

/*
 * What the references say of their buffers; a buffer the buffer source
 * did not list (the PROCS source, or made between the two walks) exists:
 * it is added. Then the buffers move into the snapshot.
 */
static int merge_ref_buffers(struct dmabufstat_snapshot *s,
			     struct collect *c)
{
	struct dmabufstat_buffer *b;
	bool added = false;
	size_t i, j;

	for (i = 0; i < c->nr_refs; i++) {
		const struct raw_ref *r = &c->refs[i];

		j = buf_lookup(s->buf_hash, s->buf_hash_mask, c->bufs,
			       r->ref.ino);
		if (j == (size_t)-1) {
			b = collect_add_buf(c);
			if (!b)
				return -ENOMEM;
			b->ino = r->desc.ino;
			b->size = r->desc_size_known ? r->desc.size : 0;
			b->flags = r->desc.flags & ~DMABUFSTAT_BUF_USERSPACE;
			b->file_count = r->desc.file_count;
			memcpy(b->exporter, r->desc.exporter, sizeof(b->exporter));
			memcpy(b->driver, r->desc.driver, sizeof(b->driver));
			memcpy(b->name, r->desc.name, sizeof(b->name));
			hash_insert(s->buf_hash, s->buf_hash_mask, b->ino,
				    c->nr_bufs - 1);
			added = true;
		} else {
			b = &c->bufs[j];
		}
		enrich(b, r, c);
	}
	if (added) {
		qsort(c->bufs, c->nr_bufs, sizeof(*c->bufs), cmp_buf_ino);
		hash_buffers(s, c);
	}
	s->bufs = c->bufs;
	s->nr_bufs = c->nr_bufs;
	c->bufs = NULL;
	c->nr_bufs = c->cap_bufs = 0;
	for (i = 0; i < s->nr_bufs; i++) {
		s->bufs[i].nr_procs = s->bufs[i].nr_fds = 0;
		s->bufs[i].nr_maps = 0;
		s->bufs[i].flags &= ~DMABUFSTAT_BUF_USERSPACE;
	}
	return 0;
}

/* References by pid, fds by fd, then mappings by start; buffers found. */
static void sort_references(struct dmabufstat_snapshot *s, struct collect *c)
{
	size_t i;

	if (c->nr_refs)
		qsort(c->refs, c->nr_refs, sizeof(*c->refs), cmp_ref);
	for (i = 0; i < c->nr_refs; i++)
		c->refs[i].ref.buf = buf_lookup(s->buf_hash, s->buf_hash_mask,
						s->bufs, c->refs[i].ref.ino);
}

/* ------------------------------------------------------------------ */
/* Processes and holders                                              */

/* One process per pid of the (sorted) references, hashed; refs copied. */
static int build_processes(struct dmabufstat_snapshot *s,
			   const struct collect *c)
{
	size_t i, n;

	for (i = 0, n = 0; i < c->nr_refs; i++)
		if (!i || c->refs[i].ref.pid != c->refs[i - 1].ref.pid)
			n++;
	s->procs = calloc(n + 1, sizeof(*s->procs));
	s->proc_first_ref = calloc(n + 1, sizeof(size_t));
	s->proc_first_holder = calloc(n + 1, sizeof(size_t));
	s->refs = calloc(c->nr_refs + 1, sizeof(*s->refs));
	s->proc_hash = hash_new(n, &s->proc_hash_mask);
	if (!s->procs || !s->proc_first_ref || !s->proc_first_holder ||
	    !s->refs || !s->proc_hash)
		return -ENOMEM;
	s->nr_refs = c->nr_refs;
	for (i = 0, n = 0; i < c->nr_refs; i++) {
		const struct raw_ref *r = &c->refs[i];
		struct dmabufstat_process *p;

		s->refs[i] = r->ref;
		if (!i || r->ref.pid != c->refs[i - 1].ref.pid) {
			p = &s->procs[n];
			p->pid = r->ref.pid;
			p->uid = r->uid;
			p->cgroup_id = r->cgroup_id;
			memcpy(p->comm, r->comm, sizeof(p->comm));
			s->proc_first_ref[n] = i;
			hash_insert(s->proc_hash, s->proc_hash_mask, p->pid, n);
			n++;
		}
		p = &s->procs[n - 1];
		p->nr_refs++;
		if (r->ref.kind == DMABUFSTAT_REF_FD)
			p->nr_fds++;
		else
			p->nr_maps++;
	}
	s->nr_procs = n;
	return 0;
}

/* distinct non-zero file ids among the fds of refs idx[lo..hi) */
static uint32_t distinct_files(const struct raw_ref *refs, const size_t *idx,
			       size_t lo, size_t hi, uint64_t *tmp)
{
	size_t i, n = 0;
	uint32_t nr = 0;

	for (i = lo; i < hi; i++)
		if (refs[idx[i]].ref.kind == DMABUFSTAT_REF_FD &&
		    refs[idx[i]].ref.file_id)
			tmp[n++] = refs[idx[i]].ref.file_id;
	qsort(tmp, n, sizeof(*tmp), cmp_u64);
	for (i = 0; i < n; i++)
		if (!i || tmp[i] != tmp[i - 1])
			nr++;
	return nr;
}

/* One holder per (process, buffer), by pid then inode. */
static int build_holders(struct dmabufstat_snapshot *s,
			 const struct collect *c)
{
	const struct raw_ref *refs = c->refs;
	size_t i, j, n, lo, *idx;
	uint64_t *tmp;
	int err = -ENOMEM;

	idx = malloc((c->nr_refs + 1) * sizeof(*idx));
	tmp = malloc((c->nr_refs + 1) * sizeof(*tmp));
	s->holders = calloc(c->nr_refs + 1, sizeof(*s->holders));
	if (!idx || !tmp || !s->holders)
		goto out;
	for (i = 0; i < c->nr_refs; i++)
		idx[i] = i;
	qsort_r(idx, c->nr_refs, sizeof(*idx), cmp_ref_idx_pid_ino,
		(void *)refs);
	n = 0;
	j = 0;		/* process index */
	for (lo = 0; lo < c->nr_refs; lo = i) {
		const struct raw_ref *r = &refs[idx[lo]];
		struct dmabufstat_holder *h = &s->holders[n];

		while (s->procs[j].pid != r->ref.pid)
			j++;
		if (!s->procs[j].nr_bufs)
			s->proc_first_holder[j] = n;
		h->buf = r->ref.buf;
		h->proc = j;
		for (i = lo; i < c->nr_refs &&
		     refs[idx[i]].ref.pid == r->ref.pid &&
		     refs[idx[i]].ref.ino == r->ref.ino; i++) {
			if (refs[idx[i]].ref.kind == DMABUFSTAT_REF_FD)
				h->nr_fds++;
			else
				h->nr_maps++;
		}
		h->nr_files = distinct_files(refs, idx, lo, i, tmp);
		s->procs[j].nr_bufs++;
		n++;
	}
	s->nr_holders = n;
	err = 0;
out:
	free(idx);
	free(tmp);
	return err;
}

/* Each buffer's holders, grouped by buffer (a counting sort). */
static int group_holders_by_buffer(struct dmabufstat_snapshot *s)
{
	size_t i, n, *fill;

	s->buf_first_holder = calloc(s->nr_bufs + 1, sizeof(size_t));
	s->buf_holders = calloc(s->nr_holders + 1, sizeof(size_t));
	fill = calloc(s->nr_bufs + 1, sizeof(size_t));
	if (!s->buf_first_holder || !s->buf_holders || !fill) {
		free(fill);
		return -ENOMEM;
	}
	for (i = 0; i < s->nr_holders; i++) {
		struct dmabufstat_buffer *b = &s->bufs[s->holders[i].buf];

		b->nr_procs++;
		b->nr_fds += s->holders[i].nr_fds;
		b->nr_maps += s->holders[i].nr_maps;
		b->flags |= DMABUFSTAT_BUF_USERSPACE;
	}
	for (i = 0, n = 0; i < s->nr_bufs; i++) {
		s->buf_first_holder[i] = n;
		n += s->bufs[i].nr_procs;
	}
	s->buf_first_holder[s->nr_bufs] = n;
	for (i = 0; i < s->nr_holders; i++) {
		size_t b = s->holders[i].buf;

		s->buf_holders[s->buf_first_holder[b] + fill[b]++] = i;
	}
	free(fill);
	return 0;
}

/* Android's rss and pss, per holder and per process. */
static void compute_pss(struct dmabufstat_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->nr_holders; i++) {
		struct dmabufstat_holder *h = &s->holders[i];
		const struct dmabufstat_buffer *b = &s->bufs[h->buf];
		struct dmabufstat_process *p = &s->procs[h->proc];

		h->pss = b->size / b->nr_procs;
		p->rss += b->size;
		p->pss += h->pss;
	}
}

/* The system figures (dmabuf_dump's last line and more). */
static void compute_totals(struct dmabufstat_snapshot *s)
{
	struct dmabufstat_system *t = &s->totals;
	size_t i;

	for (i = 0; i < s->nr_bufs; i++) {
		const struct dmabufstat_buffer *b = &s->bufs[i];

		t->count++;
		t->bytes += b->size;
		if (b->nr_procs) {
			t->userspace_count++;
			t->userspace_bytes += b->size;
		} else {
			t->kernel_count++;
			t->kernel_bytes += b->size;
		}
	}
	for (i = 0; i < s->nr_procs; i++) {
		t->userspace_rss += s->procs[i].rss;
		t->userspace_pss += s->procs[i].pss;
		t->nr_fds += s->procs[i].nr_fds;
		t->nr_maps += s->procs[i].nr_maps;
	}
	t->nr_procs = s->nr_procs;
}

/* ------------------------------------------------------------------ */
/* Exporters, devices, uids and cgroups                               */

static int build_exporters(struct dmabufstat_snapshot *s)
{
	size_t *idx, i, n = 0;
	struct dmabufstat_exporter *e;

	if (!s->nr_bufs)
		return 0;
	idx = malloc(s->nr_bufs * sizeof(*idx));
	s->exporters = calloc(s->nr_bufs, sizeof(*s->exporters));
	if (!idx || !s->exporters) {
		free(idx);
		return -ENOMEM;
	}
	for (i = 0; i < s->nr_bufs; i++)
		idx[i] = i;
	qsort_r(idx, s->nr_bufs, sizeof(*idx), cmp_buf_idx_exporter, s->bufs);
	for (i = 0; i < s->nr_bufs; i++) {
		const struct dmabufstat_buffer *b = &s->bufs[idx[i]];
		const char *name = dmabufstat_buffer_exporter(b);

		e = n ? &s->exporters[n - 1] : NULL;
		if (!e || strcmp(e->name, name) ||
		    strcmp(e->exp_name, b->exporter)) {
			e = &s->exporters[n++];
			copy_str(e->name, sizeof(e->name), name, strlen(name));
			copy_str(e->exp_name, sizeof(e->exp_name), b->exporter,
				 strlen(b->exporter));
			e->resolved = name != b->exporter;
		}
		e->count++;
		e->bytes += b->size;
	}
	s->nr_exporters = n;
	free(idx);
	return 0;
}

static int build_devices(struct dmabufstat_snapshot *s)
{
	struct devpair *dp = NULL;
	size_t i, j, k, nr = 0, cap = 0, n = 0;
	struct dmabufstat_device *d;

	for (i = 0; i < s->nr_bufs; i++) {
		const struct dmabufstat_buffer *b = &s->bufs[i];

		for (j = 0; j < b->nr_attach_names; j++) {
			/* a device attached twice counts the buffer once */
			for (k = 0; k < j; k++)
				if (!strcmp(b->attach[k], b->attach[j]))
					break;
			if (k < j || !b->attach[j][0])
				continue;
			if (grow((void **)&dp, &cap, nr + 1, sizeof(*dp))) {
				free(dp);
				return -ENOMEM;
			}
			dp[nr].name = b->attach[j];
			dp[nr].buf = i;
			nr++;
		}
	}
	if (!nr)
		return 0;
	qsort(dp, nr, sizeof(*dp), cmp_devpair);
	s->devices = calloc(nr, sizeof(*s->devices));
	if (!s->devices) {
		free(dp);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		d = n ? &s->devices[n - 1] : NULL;
		if (!d || strcmp(d->name, dp[i].name)) {
			d = &s->devices[n++];
			copy_str(d->name, sizeof(d->name), dp[i].name,
				 strlen(dp[i].name));
		}
		d->count++;
		d->bytes += s->bufs[dp[i].buf].size;
	}
	s->nr_devices = n;
	free(dp);
	return 0;
}

/* Per uid or per cgroup: rss over distinct buffers, pss summed. */
static int build_group(struct dmabufstat_snapshot *s, bool by_uid,
		       struct dmabufstat_group **out, size_t *nr_out)
{
	struct grouppair *gp;
	struct dmabufstat_group *g = NULL;
	size_t i, n = 0, nr = 0;

	*out = NULL;
	*nr_out = 0;
	if (!s->nr_holders)
		return 0;
	gp = malloc(s->nr_holders * sizeof(*gp));
	if (!gp)
		return -ENOMEM;
	for (i = 0; i < s->nr_holders; i++) {
		const struct dmabufstat_process *p =
			&s->procs[s->holders[i].proc];

		gp[i].id = by_uid ? p->uid : p->cgroup_id;
		gp[i].buf = s->holders[i].buf;
		gp[i].proc = s->holders[i].proc;
	}
	qsort(gp, s->nr_holders, sizeof(*gp), cmp_grouppair);
	g = calloc(s->nr_holders, sizeof(*g));
	if (!g) {
		free(gp);
		return -ENOMEM;
	}
	for (i = 0; i < s->nr_holders; i++) {
		if (!i || gp[i].id != gp[i - 1].id) {
			n = nr++;
			g[n].id = gp[i].id;
		}
		if (!i || gp[i].id != gp[i - 1].id ||
		    gp[i].buf != gp[i - 1].buf) {
			g[n].rss += s->bufs[gp[i].buf].size;
			g[n].nr_bufs++;
		}
	}
	free(gp);
	/* processes: each in exactly one group */
	for (i = 0; i < s->nr_procs; i++) {
		const struct dmabufstat_process *p = &s->procs[i];
		uint64_t id = by_uid ? p->uid : p->cgroup_id;
		size_t lo = 0, hi = nr;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (g[mid].id < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < nr && g[lo].id == id) {
			g[lo].pss += p->pss;
			g[lo].nr_procs++;
		}
	}
	*out = g;
	*nr_out = nr;
	return 0;
}

int snapshot_build(struct dmabufstat_snapshot *s, struct collect *c)
{
	int err;

	s->flags = c->flags;
	err = dedupe_buffers(s, c) ?: merge_ref_buffers(s, c);
	if (!err) {
		sort_references(s, c);
		err = build_processes(s, c) ?: build_holders(s, c) ?:
		      group_holders_by_buffer(s);
	}
	if (!err) {
		compute_pss(s);
		compute_totals(s);
		err = build_exporters(s) ?: build_devices(s) ?:
		      build_group(s, true, &s->uids, &s->nr_uids) ?:
		      build_group(s, false, &s->cgroups, &s->nr_cgroups);
	}
	collect_free(c);
	return err;
}
