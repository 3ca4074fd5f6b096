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
#include "keysort.h"

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

/* The buffers by inode, stable (the first of a duplicate stays first). */
static int sort_buffers(struct collect *c)
{
	struct sort_key *keys;
	size_t i;
	int err;

	for (i = 1; i < c->nr_bufs && c->bufs[i - 1].ino <= c->bufs[i].ino;
	     i++)
		;
	if (i >= c->nr_bufs)
		return 0;
	keys = malloc(c->nr_bufs * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < c->nr_bufs; i++)
		keys[i] = (struct sort_key){ c->bufs[i].ino, 0, i };
	err = keysort(c->bufs, c->nr_bufs, sizeof(*c->bufs), keys);
	free(keys);
	return err;
}

/* Buffers sorted by inode, each once, hashed (with room for the refs'). */
static int dedupe_buffers(struct dmabufstat_snapshot *s, struct collect *c)
{
	size_t i, n;

	if (sort_buffers(c))
		return -ENOMEM;
	for (i = 0, n = 0; i < c->nr_bufs; i++)
		if (!n || c->bufs[i].ino != c->bufs[n - 1].ino) {
			if (n != i)
				c->bufs[n] = c->bufs[i];
			n++;
		}
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
	const struct ref_buf *d = ref_desc(c, r);

	if (!d)
		return;	/* the buffer source knew it all */
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
		const struct ref_buf *d = ref_desc(c, r);

		j = buf_lookup(s->buf_hash, s->buf_hash_mask, c->bufs,
			       r->ref.ino);
		if (j == (size_t)-1) {
			b = collect_add_buf(c);
			if (!b)
				return -ENOMEM;
			b->ino = r->ref.ino;
			/* (always described: only known buffers go without) */
			if (d) {
				b->size = r->desc_size_known ? d->size : 0;
				b->flags = d->flags & ~DMABUFSTAT_BUF_USERSPACE;
				b->file_count = d->file_count;
				memcpy(b->exporter, d->exporter,
				       sizeof(b->exporter));
				memcpy(b->driver, d->driver, sizeof(b->driver));
				memcpy(b->name, d->name, sizeof(b->name));
			}
			hash_insert(s->buf_hash, s->buf_hash_mask, b->ino,
				    c->nr_bufs - 1);
			added = true;
		} else {
			b = &c->bufs[j];
		}
		enrich(b, r, c);
	}
	if (added) {
		if (sort_buffers(c))
			return -ENOMEM;
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
static int sort_references(struct dmabufstat_snapshot *s, struct collect *c)
{
	struct sort_key *keys;
	size_t i;
	int err;

	keys = malloc((c->nr_refs + 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < c->nr_refs; i++) {
		const struct dmabufstat_ref *r = &c->refs[i].ref;

		/* pid, kind (fds first), fd (fds) or start (mappings) */
		keys[i].hi = (uint64_t)r->pid << 32 | r->kind;
		keys[i].lo = r->kind == DMABUFSTAT_REF_FD ?
			     (uint64_t)(uint32_t)r->fd : r->start;
		keys[i].idx = i;
	}
	err = keysort(c->refs, c->nr_refs, sizeof(*c->refs), keys);
	free(keys);
	if (err)
		return err;
	for (i = 0; i < c->nr_refs; i++)
		c->refs[i].ref.buf = buf_lookup(s->buf_hash, s->buf_hash_mask,
						s->bufs, c->refs[i].ref.ino);
	return 0;
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
	/* refs come by pid: each process's slice by inode */
	for (lo = 0; lo < c->nr_refs; lo = i) {
		for (i = lo + 1; i < c->nr_refs &&
		     refs[i].ref.pid == refs[lo].ref.pid; i++)
			;
		qsort_r(idx + lo, i - lo, sizeof(*idx), cmp_ref_idx_pid_ino,
			(void *)refs);
	}
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

static size_t hash_str2(const char *a, const char *b)
{
	size_t h = 14695981039346656037ULL;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ULL;
	return h;
}

static int cmp_exporter(const void *a, const void *b)
{
	const struct dmabufstat_exporter *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ?: strcmp(x->exp_name, y->exp_name);
}

/*
 * One entry per (shown name, exp_name), by name then exp_name: buffers
 * grouped through a hash of the pair (a handful of exporters, however
 * many buffers), then the entries sorted.
 */
static int build_exporters(struct dmabufstat_snapshot *s)
{
	size_t *hash, mask, i, h, n = 0, cap = 0;
	struct dmabufstat_exporter *e = NULL;

	if (!s->nr_bufs)
		return 0;
	/* a handful: room grows as they come */
	if (grow((void **)&s->exporters, &cap, 16, sizeof(*s->exporters)))
		return -ENOMEM;
	hash = hash_new(64, &mask);
	if (!s->exporters || !hash) {
		free(hash);
		return -ENOMEM;
	}
	for (i = 0; i < s->nr_bufs; i++) {
		const struct dmabufstat_buffer *b = &s->bufs[i];
		const char *name = dmabufstat_buffer_exporter(b);

		/* runs of one exporter are the rule: the last one first */
		if (n && !strcmp(e->name, name) &&
		    !strcmp(e->exp_name, b->exporter)) {
			e->count++;
			e->bytes += b->size;
			continue;
		}
		for (h = hash_str2(name, b->exporter) & mask; hash[h];
		     h = (h + 1) & mask) {
			e = &s->exporters[hash[h] - 1];
			if (!strcmp(e->name, name) &&
			    !strcmp(e->exp_name, b->exporter))
				break;
		}
		if (!hash[h]) {
			if (n * 2 >= mask) {	/* full: rehash twice as big */
				size_t *nh, nmask, j, k;

				nh = hash_new((mask + 1), &nmask);
				if (!nh) {
					free(hash);
					return -ENOMEM;
				}
				for (j = 0; j < n; j++) {
					e = &s->exporters[j];
					for (k = hash_str2(e->name, e->exp_name) &
						 nmask; nh[k]; k = (k + 1) & nmask)
						;
					nh[k] = j + 1;
				}
				free(hash);
				hash = nh;
				mask = nmask;
				for (h = hash_str2(name, b->exporter) & mask;
				     hash[h]; h = (h + 1) & mask)
					;
			}
			if (grow((void **)&s->exporters, &cap, n + 1,
				 sizeof(*s->exporters))) {
				free(hash);
				return -ENOMEM;
			}
			e = &s->exporters[n];
			memset(e, 0, sizeof(*e));
			hash[h] = ++n;
			copy_str(e->name, sizeof(e->name), name, strlen(name));
			copy_str(e->exp_name, sizeof(e->exp_name), b->exporter,
				 strlen(b->exporter));
			e->resolved = name != b->exporter;
		}
		e = &s->exporters[hash[h] - 1];
		e->count++;
		e->bytes += b->size;
	}
	free(hash);
	qsort(s->exporters, n, sizeof(*s->exporters), cmp_exporter);
	s->nr_exporters = n;
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

static int cmp_group(const void *a, const void *b)
{
	return CMP(((const struct dmabufstat_group *)a)->id,
		   ((const struct dmabufstat_group *)b)->id);
}

/*
 * Per uid or per cgroup: rss over distinct buffers, pss summed. Each
 * process finds its group through a hash of the ids; a buffer counts once
 * per group, its holders taken buffer by buffer.
 */
static int build_group(struct dmabufstat_snapshot *s, bool by_uid,
		       struct dmabufstat_group **out, size_t *nr_out)
{
	size_t *hash = NULL, *gidx = NULL, *last = NULL, mask, i, j, h, n = 0;
	struct dmabufstat_group *g = NULL;
	int err = -ENOMEM;

	*out = NULL;
	*nr_out = 0;
	if (!s->nr_holders)
		return 0;
	hash = hash_new(s->nr_procs, &mask);
	gidx = malloc(s->nr_procs * sizeof(*gidx));
	g = calloc(s->nr_procs, sizeof(*g));
	if (!hash || !gidx || !g)
		goto out;
	for (i = 0; i < s->nr_procs; i++) {
		const struct dmabufstat_process *p = &s->procs[i];
		uint64_t id = by_uid ? p->uid : p->cgroup_id;

		for (h = hash64(id) & mask; hash[h] && g[hash[h] - 1].id != id;
		     h = (h + 1) & mask)
			;
		if (!hash[h]) {
			g[n].id = id;
			hash[h] = ++n;
		}
		gidx[i] = hash[h] - 1;
		g[gidx[i]].pss += p->pss;
		g[gidx[i]].nr_procs++;
	}
	last = malloc(n * sizeof(*last));
	if (!last)
		goto out;
	memset(last, 0xff, n * sizeof(*last));
	for (i = 0; i < s->nr_bufs; i++) {
		size_t first = s->buf_first_holder[i];

		for (j = 0; j < s->bufs[i].nr_procs; j++) {
			size_t gi = gidx[s->holders[s->buf_holders[first + j]].proc];

			if (last[gi] == i)
				continue;
			last[gi] = i;
			g[gi].rss += s->bufs[i].size;
			g[gi].nr_bufs++;
		}
	}
	qsort(g, n, sizeof(*g), cmp_group);
	*out = g;
	*nr_out = n;
	g = NULL;
	err = 0;
out:
	free(hash);
	free(gidx);
	free(last);
	free(g);
	return err;
}

int snapshot_build(struct dmabufstat_snapshot *s, struct collect *c)
{
	int err;

	s->flags = c->flags;
	err = dedupe_buffers(s, c) ?: merge_ref_buffers(s, c);
	if (!err) {
		err = sort_references(s, c) ?: build_processes(s, c) ?: build_holders(s, c) ?:
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
