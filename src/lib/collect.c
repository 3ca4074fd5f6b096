// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: the arrays the sources fill for one snapshot. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"

int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *tmp;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	tmp = realloc(*arr, ncap * elem);
	if (!tmp)
		return -ENOMEM;
	*arr = tmp;
	*cap = ncap;
	return 0;
}

/* Exactly need elements (no doubling): 0 or -ENOMEM. */
static int reserve(void **arr, size_t *cap, size_t need, size_t elem)
{
	void *tmp;

	if (need <= *cap)
		return 0;
	tmp = realloc(*arr, need * elem);
	if (!tmp)
		return -ENOMEM;
	*arr = tmp;
	*cap = need;
	return 0;
}

int collect_reserve(struct collect *c, size_t bufs, size_t refs)
{
	if (reserve((void **)&c->bufs, &c->cap_bufs, c->nr_bufs + bufs,
		    sizeof(*c->bufs)) ||
	    reserve((void **)&c->refs, &c->cap_refs, c->nr_refs + refs,
		    sizeof(*c->refs)))
		return -ENOMEM;
	return 0;
}

struct dmabufstat_buffer *collect_add_buf(struct collect *c)
{
	struct dmabufstat_buffer *b;

	if (grow((void **)&c->bufs, &c->cap_bufs, c->nr_bufs + 1,
		 sizeof(*c->bufs)))
		return NULL;
	b = &c->bufs[c->nr_bufs++];
	memset(b, 0, sizeof(*b));
	b->file_count = -1;
	b->vmap_count = -1;
	return b;
}

struct raw_ref *collect_add_ref(struct collect *c)
{
	struct raw_ref *r;

	if (grow((void **)&c->refs, &c->cap_refs, c->nr_refs + 1,
		 sizeof(*c->refs)))
		return NULL;
	r = &c->refs[c->nr_refs++];
	memset(r, 0, sizeof(*r));
	r->ref.fd = -1;
	r->desc_size_known = true;
	return r;
}

struct ref_buf *collect_add_desc(struct collect *c, struct raw_ref *r)
{
	struct ref_buf *d;

	if (grow((void **)&c->descs, &c->cap_descs, c->nr_descs + 1,
		 sizeof(*c->descs)))
		return NULL;
	d = &c->descs[c->nr_descs++];
	memset(d, 0, sizeof(*d));
	d->file_count = -1;
	d->ino = r->ref.ino;
	r->desc = c->nr_descs;
	return d;
}

void collect_drop_ref(struct collect *c)
{
	if (!c->nr_refs)
		return;
	if (c->refs[c->nr_refs - 1].desc == c->nr_descs)
		c->nr_descs--;
	c->nr_refs--;
}

void collect_free(struct collect *c)
{
	free(c->bufs);
	free(c->refs);
	free(c->descs);
	memset(c, 0, sizeof(*c));
}
