// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: snapshots, their aggregation and accessors. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

struct dmabufstat_snapshot {
	enum dmabufstat_buf_backend buf_backend;
	enum dmabufstat_proc_backend proc_backend;
	char backend_name[48];
	unsigned int flags;
	uint64_t realtime_ns, monotonic_ns;
	struct dmabufstat_system totals;

	struct dmabufstat_buffer *bufs;
	size_t nr_bufs;
	size_t *buf_hash;		/* index + 1, 0: empty */
	size_t buf_hash_mask;
	size_t *buf_holders;		/* holder indexes, grouped by buffer */
	size_t *buf_first_holder;	/* per buffer, into buf_holders */

	struct dmabufstat_process *procs;
	size_t nr_procs;
	size_t *proc_hash;
	size_t proc_hash_mask;
	size_t *proc_first_holder;	/* into holders */
	size_t *proc_first_ref;		/* into refs */

	struct dmabufstat_holder *holders;
	size_t nr_holders;
	struct dmabufstat_ref *refs;
	size_t nr_refs;

	struct dmabufstat_exporter *exporters;
	size_t nr_exporters;
	struct dmabufstat_device *devices;
	size_t nr_devices;
	struct dmabufstat_group *uids, *cgroups;
	size_t nr_uids, nr_cgroups;
};

/* ------------------------------------------------------------------ */
/* Hashing                                                            */

static inline size_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (size_t)x;
}

static size_t *hash_new(size_t nr, size_t *mask)
{
	size_t sz = 16;

	while (sz < nr * 2)
		sz *= 2;
	*mask = sz - 1;
	return calloc(sz, sizeof(size_t));
}

/* key of entry i */
typedef uint64_t (*key_fn)(const void *base, size_t i);

static void hash_insert(size_t *h, size_t mask, uint64_t key, size_t idx)
{
	size_t i = hash64(key) & mask;

	while (h[i])
		i = (i + 1) & mask;
	h[i] = idx + 1;
}

static size_t buf_lookup(size_t *h, size_t mask,
			 const struct dmabufstat_buffer *bufs, uint64_t ino)
{
	size_t i = hash64(ino) & mask;

	while (h[i]) {
		if (bufs[h[i] - 1].ino == ino)
			return h[i] - 1;
		i = (i + 1) & mask;
	}
	return (size_t)-1;
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

/* sort context for index sorts (qsort has none: file-local, not threaded) */
static const struct raw_ref *sort_refs;
static const struct dmabufstat_buffer *sort_bufs;

static int cmp_ref_idx_pid_ino(const void *a, const void *b)
{
	const struct raw_ref *x = &sort_refs[*(const size_t *)a];
	const struct raw_ref *y = &sort_refs[*(const size_t *)b];

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

static int cmp_buf_idx_exporter(const void *a, const void *b)
{
	const struct dmabufstat_buffer *x = &sort_bufs[*(const size_t *)a];
	const struct dmabufstat_buffer *y = &sort_bufs[*(const size_t *)b];
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
/* Building                                                           */

DMABUFSTAT_API const char *
dmabufstat_buffer_exporter(const struct dmabufstat_buffer *b)
{
	return (b->flags & DMABUFSTAT_BUF_DRIVER) && b->driver[0] ?
		b->driver : b->exporter;
}

/* Fills what the buffer source did not know from a reference's view. */
static void enrich(struct dmabufstat_buffer *b, const struct raw_ref *r,
		   const struct collect *c)
{
	const struct dmabufstat_buffer *d = &r->desc;

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
	sort_bufs = s->bufs;
	qsort(idx, s->nr_bufs, sizeof(*idx), cmp_buf_idx_exporter);
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

int snapshot_build(struct dmabufstat *ds, struct collect *c,
		   struct dmabufstat_snapshot **out)
{
	struct dmabufstat_snapshot *s;
	struct timespec ts;
	size_t i, j, n, lo, *idx = NULL;
	uint64_t *tmp = NULL;
	bool added = false;
	int err = -ENOMEM;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto nomem;
	s->buf_backend = ds->buf_backend;
	s->proc_backend = ds->proc_backend;
	memcpy(s->backend_name, ds->backend_name, sizeof(s->backend_name));
	s->flags = c->flags;
	clock_gettime(CLOCK_REALTIME, &ts);
	s->realtime_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->monotonic_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;

	/* buffers: sorted, unique, hashed; references may add some */
	qsort(c->bufs, c->nr_bufs, sizeof(*c->bufs), cmp_buf_ino);
	for (i = 0, n = 0; i < c->nr_bufs; i++)
		if (!n || c->bufs[i].ino != c->bufs[n - 1].ino)
			c->bufs[n++] = c->bufs[i];
	c->nr_bufs = n;
	s->buf_hash = hash_new(c->nr_bufs + c->nr_refs, &s->buf_hash_mask);
	if (!s->buf_hash)
		goto nomem;
	for (i = 0; i < c->nr_bufs; i++)
		hash_insert(s->buf_hash, s->buf_hash_mask, c->bufs[i].ino, i);
	for (i = 0; i < c->nr_refs; i++) {
		struct raw_ref *r = &c->refs[i];
		struct dmabufstat_buffer *b;

		j = buf_lookup(s->buf_hash, s->buf_hash_mask, c->bufs,
			       r->ref.ino);
		if (j == (size_t)-1) {
			/*
			 * Not from the buffer source: PROCS, or a buffer made
			 * between the two walks. It exists: count it.
			 */
			b = collect_add_buf(c);
			if (!b)
				goto nomem;
			*b = r->desc;
			b->flags &= ~DMABUFSTAT_BUF_USERSPACE;
			if (!r->desc_size_known)
				b->size = 0;
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
		memset(s->buf_hash, 0,
		       (s->buf_hash_mask + 1) * sizeof(*s->buf_hash));
		for (i = 0; i < c->nr_bufs; i++)
			hash_insert(s->buf_hash, s->buf_hash_mask,
				    c->bufs[i].ino, i);
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

	/* references: by pid, fds by fd, then mappings by start */
	qsort(c->refs, c->nr_refs, sizeof(*c->refs), cmp_ref);
	for (i = 0; i < c->nr_refs; i++)
		c->refs[i].ref.buf = buf_lookup(s->buf_hash, s->buf_hash_mask,
						s->bufs, c->refs[i].ref.ino);

	/* processes */
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
		goto nomem;
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

	/* holders: one per (process, buffer), by pid then inode */
	idx = malloc((c->nr_refs + 1) * sizeof(*idx));
	tmp = malloc((c->nr_refs + 1) * sizeof(*tmp));
	s->holders = calloc(c->nr_refs + 1, sizeof(*s->holders));
	if (!idx || !tmp || !s->holders)
		goto nomem;
	for (i = 0; i < c->nr_refs; i++)
		idx[i] = i;
	sort_refs = c->refs;
	qsort(idx, c->nr_refs, sizeof(*idx), cmp_ref_idx_pid_ino);
	n = 0;
	j = 0;		/* process index */
	for (lo = 0; lo < c->nr_refs; lo = i) {
		const struct raw_ref *r = &c->refs[idx[lo]];
		struct dmabufstat_holder *h = &s->holders[n];

		while (s->procs[j].pid != r->ref.pid)
			j++;
		if (!s->procs[j].nr_bufs)
			s->proc_first_holder[j] = n;
		h->buf = r->ref.buf;
		h->proc = j;
		for (i = lo; i < c->nr_refs &&
		     c->refs[idx[i]].ref.pid == r->ref.pid &&
		     c->refs[idx[i]].ref.ino == r->ref.ino; i++) {
			if (c->refs[idx[i]].ref.kind == DMABUFSTAT_REF_FD)
				h->nr_fds++;
			else
				h->nr_maps++;
		}
		h->nr_files = distinct_files(c->refs, idx, lo, i, tmp);
		s->procs[j].nr_bufs++;
		n++;
	}
	s->nr_holders = n;
	free(idx);
	idx = NULL;
	free(tmp);
	tmp = NULL;

	/* per buffer: holders grouped by buffer (counting sort) */
	s->buf_first_holder = calloc(s->nr_bufs + 1, sizeof(size_t));
	s->buf_holders = calloc(s->nr_holders + 1, sizeof(size_t));
	if (!s->buf_first_holder || !s->buf_holders)
		goto nomem;
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
	{
		size_t *fill = calloc(s->nr_bufs + 1, sizeof(size_t));

		if (!fill)
			goto nomem;
		for (i = 0; i < s->nr_holders; i++) {
			size_t b = s->holders[i].buf;

			s->buf_holders[s->buf_first_holder[b] + fill[b]++] = i;
		}
		free(fill);
	}

	/* Android's rss and pss */
	for (i = 0; i < s->nr_holders; i++) {
		struct dmabufstat_holder *h = &s->holders[i];
		const struct dmabufstat_buffer *b = &s->bufs[h->buf];
		struct dmabufstat_process *p = &s->procs[h->proc];

		h->pss = b->size / b->nr_procs;
		p->rss += b->size;
		p->pss += h->pss;
	}

	/* system figures */
	for (i = 0; i < s->nr_bufs; i++) {
		const struct dmabufstat_buffer *b = &s->bufs[i];

		s->totals.count++;
		s->totals.bytes += b->size;
		if (b->nr_procs) {
			s->totals.userspace_count++;
			s->totals.userspace_bytes += b->size;
		} else {
			s->totals.kernel_count++;
			s->totals.kernel_bytes += b->size;
		}
	}
	for (i = 0; i < s->nr_procs; i++) {
		s->totals.userspace_rss += s->procs[i].rss;
		s->totals.userspace_pss += s->procs[i].pss;
		s->totals.nr_fds += s->procs[i].nr_fds;
		s->totals.nr_maps += s->procs[i].nr_maps;
	}
	s->totals.nr_procs = s->nr_procs;

	if (build_exporters(s) || build_devices(s) ||
	    build_group(s, true, &s->uids, &s->nr_uids) ||
	    build_group(s, false, &s->cgroups, &s->nr_cgroups))
		goto nomem;
	collect_free(c);
	*out = s;
	return 0;
nomem:
	free(idx);
	free(tmp);
	dmabufstat_snapshot_free(s);
	collect_free(c);
	return ds_err(ds, DMABUFSTAT_E_OTHER, err, "out of memory");
}

DMABUFSTAT_API void dmabufstat_snapshot_free(struct dmabufstat_snapshot *s)
{
	if (!s)
		return;
	free(s->bufs);
	free(s->buf_hash);
	free(s->buf_holders);
	free(s->buf_first_holder);
	free(s->procs);
	free(s->proc_hash);
	free(s->proc_first_holder);
	free(s->proc_first_ref);
	free(s->holders);
	free(s->refs);
	free(s->exporters);
	free(s->devices);
	free(s->uids);
	free(s->cgroups);
	free(s);
}

DMABUFSTAT_API int dmabufstat_snapshot(struct dmabufstat *ds,
				       struct dmabufstat_snapshot **snap)
{
	struct collect c = {};
	int err;

	*snap = NULL;
	err = dmabufstat_probe(ds);
	if (err)
		return err;
	ds->errmsg[0] = '\0';
	ds->errclass = DMABUFSTAT_E_NONE;

	switch (ds->buf_backend) {
	case DMABUFSTAT_BUF_BPF_ITER:
		err = bpf_collect_bufs(ds, &c);
		break;
	case DMABUFSTAT_BUF_BUFINFO:
		err = bufinfo_collect(ds, &c);
		break;
	case DMABUFSTAT_BUF_SYSFS:
		err = sysfs_collect(ds, &c);
		break;
	case DMABUFSTAT_BUF_PROCS:
		c.flags |= DMABUFSTAT_SNAP_NO_KERNEL_ONLY;
		break;
	default:
		err = ds_err(ds, DMABUFSTAT_E_OTHER, -EINVAL,
			     "no buffer backend");
	}
	if (err)
		goto err;
	switch (ds->proc_backend) {
	case DMABUFSTAT_PROC_BPF_TASK:
		err = bpf_collect_procs(ds, &c);
		break;
	case DMABUFSTAT_PROC_PROCFS:
		err = procfs_collect(ds, &c);
		break;
	case DMABUFSTAT_PROC_NONE:
		c.flags |= DMABUFSTAT_SNAP_NO_PROCS;
		break;
	default:
		err = ds_err(ds, DMABUFSTAT_E_OTHER, -EINVAL,
			     "no process backend");
	}
	if (err)
		goto err;
	return snapshot_build(ds, &c, snap);
err:
	collect_free(&c);
	return err;
}

/* ------------------------------------------------------------------ */
/* Accessors                                                          */

DMABUFSTAT_API enum dmabufstat_buf_backend
dmabufstat_snapshot_buf_backend(const struct dmabufstat_snapshot *s)
{
	return s->buf_backend;
}

DMABUFSTAT_API enum dmabufstat_proc_backend
dmabufstat_snapshot_proc_backend(const struct dmabufstat_snapshot *s)
{
	return s->proc_backend;
}

DMABUFSTAT_API const char *
dmabufstat_snapshot_backend_name(const struct dmabufstat_snapshot *s)
{
	return s->backend_name;
}

DMABUFSTAT_API unsigned int
dmabufstat_snapshot_flags(const struct dmabufstat_snapshot *s)
{
	return s->flags;
}

DMABUFSTAT_API uint64_t
dmabufstat_snapshot_realtime_ns(const struct dmabufstat_snapshot *s)
{
	return s->realtime_ns;
}

DMABUFSTAT_API uint64_t
dmabufstat_snapshot_monotonic_ns(const struct dmabufstat_snapshot *s)
{
	return s->monotonic_ns;
}

DMABUFSTAT_API const struct dmabufstat_system *
dmabufstat_totals(const struct dmabufstat_snapshot *s)
{
	return &s->totals;
}

DMABUFSTAT_API size_t dmabufstat_nr_buffers(const struct dmabufstat_snapshot *s)
{
	return s->nr_bufs;
}

DMABUFSTAT_API const struct dmabufstat_buffer *
dmabufstat_buffer(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_bufs ? &s->bufs[i] : NULL;
}

DMABUFSTAT_API const struct dmabufstat_buffer *
dmabufstat_find_buffer(const struct dmabufstat_snapshot *s, uint64_t ino,
		       size_t *index)
{
	size_t i = buf_lookup(s->buf_hash, s->buf_hash_mask, s->bufs, ino);

	if (i == (size_t)-1)
		return NULL;
	if (index)
		*index = i;
	return &s->bufs[i];
}

DMABUFSTAT_API const struct dmabufstat_holder *
dmabufstat_buffer_holder(const struct dmabufstat_snapshot *s, size_t i,
			 size_t j)
{
	if (i >= s->nr_bufs || j >= s->bufs[i].nr_procs)
		return NULL;
	return &s->holders[s->buf_holders[s->buf_first_holder[i] + j]];
}

DMABUFSTAT_API size_t
dmabufstat_nr_processes(const struct dmabufstat_snapshot *s)
{
	return s->nr_procs;
}

DMABUFSTAT_API const struct dmabufstat_process *
dmabufstat_process(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_procs ? &s->procs[i] : NULL;
}

DMABUFSTAT_API const struct dmabufstat_process *
dmabufstat_find_process(const struct dmabufstat_snapshot *s, uint32_t pid,
			size_t *index)
{
	size_t i = hash64(pid) & s->proc_hash_mask;

	while (s->proc_hash[i]) {
		size_t p = s->proc_hash[i] - 1;

		if (s->procs[p].pid == pid) {
			if (index)
				*index = p;
			return &s->procs[p];
		}
		i = (i + 1) & s->proc_hash_mask;
	}
	return NULL;
}

DMABUFSTAT_API const struct dmabufstat_holder *
dmabufstat_process_holder(const struct dmabufstat_snapshot *s, size_t i,
			  size_t j)
{
	if (i >= s->nr_procs || j >= s->procs[i].nr_bufs)
		return NULL;
	return &s->holders[s->proc_first_holder[i] + j];
}

DMABUFSTAT_API const struct dmabufstat_ref *
dmabufstat_process_ref(const struct dmabufstat_snapshot *s, size_t i, size_t j)
{
	if (i >= s->nr_procs || j >= s->procs[i].nr_refs)
		return NULL;
	return &s->refs[s->proc_first_ref[i] + j];
}

DMABUFSTAT_API size_t
dmabufstat_nr_exporters(const struct dmabufstat_snapshot *s)
{
	return s->nr_exporters;
}

DMABUFSTAT_API const struct dmabufstat_exporter *
dmabufstat_exporter(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_exporters ? &s->exporters[i] : NULL;
}

DMABUFSTAT_API size_t dmabufstat_nr_devices(const struct dmabufstat_snapshot *s)
{
	return s->nr_devices;
}

DMABUFSTAT_API const struct dmabufstat_device *
dmabufstat_device(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_devices ? &s->devices[i] : NULL;
}

DMABUFSTAT_API size_t dmabufstat_nr_uids(const struct dmabufstat_snapshot *s)
{
	return s->nr_uids;
}

DMABUFSTAT_API const struct dmabufstat_group *
dmabufstat_uid(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_uids ? &s->uids[i] : NULL;
}

DMABUFSTAT_API size_t dmabufstat_nr_cgroups(const struct dmabufstat_snapshot *s)
{
	return s->nr_cgroups;
}

DMABUFSTAT_API const struct dmabufstat_group *
dmabufstat_cgroup(const struct dmabufstat_snapshot *s, size_t i)
{
	return i < s->nr_cgroups ? &s->cgroups[i] : NULL;
}
