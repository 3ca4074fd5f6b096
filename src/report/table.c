// SPDX-License-Identifier: GPL-2.0
/* The column and row model: storage, sort, identity, cell text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "text.h"

/* Owned strings: chunks that never move, so cells may point into them. */
struct rep_text_chunk {
	struct rep_text_chunk *next;
	size_t used, cap;
	char data[];
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

struct rep_row *rep_row_add(struct rep_table *t, long idx)
{
	struct rep_row *r;

	if (grow((void **)&t->rows, &t->cap, t->nr + 1, sizeof(*t->rows)) ||
	    grow((void **)&t->cells, &t->cap_cells, t->nr_cells + t->ncols,
		 sizeof(*t->cells)))
		return NULL;
	r = &t->rows[t->nr++];
	memset(r, 0, sizeof(*r));
	r->cell = t->nr_cells;
	r->idx = idx;
	memset(&t->cells[t->nr_cells], 0, t->ncols * sizeof(*t->cells));
	t->nr_cells += t->ncols;
	return r;
}

int rep_list_u64(struct rep_table *t, union rep_cell *c, const uint64_t *v,
		 size_t n)
{
	size_t off = t->nr_u64s;

	/* c may point into cells: only the pools move here */
	if (grow((void **)&t->u64s, &t->cap_u64s, off + n, sizeof(*t->u64s)))
		return -ENOMEM;
	memcpy(t->u64s + off, v, n * sizeof(*v));
	t->nr_u64s += n;
	c->l.off = off;
	c->l.n = n;
	return 0;
}

int rep_list_str(struct rep_table *t, union rep_cell *c,
		 const char *const *v, size_t n)
{
	size_t off = t->nr_strs;

	if (grow((void **)&t->strs, &t->cap_strs, off + n, sizeof(*t->strs)))
		return -ENOMEM;
	memcpy(t->strs + off, v, n * sizeof(*v));
	t->nr_strs += n;
	c->l.off = off;
	c->l.n = n;
	return 0;
}

const uint64_t *rep_list_u64_items(const struct rep_table *t,
				   const union rep_cell *c)
{
	return t->u64s ? t->u64s + c->l.off : NULL;
}

const char *const *rep_list_str_items(const struct rep_table *t,
				      const union rep_cell *c)
{
	return t->strs ? t->strs + c->l.off : NULL;
}

const char *rep_strdup(struct rep_table *t, const char *s)
{
	size_t n = strlen(s) + 1;
	struct rep_text_chunk *c = t->text;
	char *p;

	if (!c || c->cap - c->used < n) {
		size_t cap = n > 16384 ? n : 16384;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = t->text;
		t->text = c;
	}
	p = c->data + c->used;
	memcpy(p, s, n);
	c->used += n;
	return p;
}

void rep_table_free(struct rep_table *t)
{
	struct rep_text_chunk *c, *next;

	for (c = t->text; c; c = next) {
		next = c->next;
		free(c);
	}
	free(t->rows);
	free(t->cells);
	free(t->u64s);
	free(t->strs);
	memset(t, 0, sizeof(*t));
}

bool rep_col_left(const struct rep_col *c)
{
	return c->type == REP_STR || c->type == REP_STRLIST ||
	       c->type == REP_U64LIST || c->type == REP_BOOL ||
	       c->type == REP_MARK;
}

bool rep_col_ascending(const struct rep_col *c)
{
	return c->type == REP_STR || (c->flags & REP_ID);
}

static bool sortable(const struct rep_col *c)
{
	return c->type != REP_STRLIST && c->type != REP_U64LIST;
}

int rep_sort_col(const struct rep_table *t, const char *key)
{
	int i;

	if (!strcmp(key, "size") && t->default_sort)
		key = t->default_sort;
	if (!strcmp(key, "age"))
		key = "age_ns";	/* the tracking column's short name */
	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].key, key))
			return sortable(&t->cols[i]) ? i : -1;
	return -1;
}

void rep_sort_keys(const struct rep_table *t, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < t->ncols && off < len; i++)
		if (sortable(&t->cols[i]))
			off += snprintf(buf + off, len - off, "%s%s",
					off ? ", " : "", t->cols[i].key);
}

struct sort_ctx {
	const struct rep_table *t;
	int col, id;
	bool reverse;
};

/* Three-way comparisons: never a difference of 64-bit values as int. */
static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_s64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* In the column's natural order (the rule in table.h). */
static int cmp_cell(const struct rep_col *c, const union rep_cell *a,
		    const union rep_cell *b)
{
	switch (c->type) {
	case REP_STR:
		return strverscmp(a->s ?: "", b->s ?: "");
	case REP_U64:
	case REP_SIZE:
		return c->flags & REP_ID ? cmp_u64(a->u, b->u) :
					   cmp_u64(b->u, a->u);
	case REP_S64:
	case REP_DELTA:
	case REP_RATE:
	case REP_AGE:
		return cmp_s64(b->i, a->i);
	case REP_BOOL:
	case REP_MARK:
		return (int)b->b - (int)a->b;
	default:
		return 0;
	}
}

static int row_cmp(const void *pa, const void *pb, void *arg)
{
	const struct rep_row *a = pa, *b = pb;
	const struct sort_ctx *x = arg;
	const union rep_cell *ca = rep_cells(x->t, a), *cb = rep_cells(x->t, b);
	int r;

	r = cmp_cell(&x->t->cols[x->col], &ca[x->col], &cb[x->col]);
	if (x->reverse)
		r = -r;
	if (!r && x->col != x->id)
		r = cmp_cell(&x->t->cols[x->id], &ca[x->id], &cb[x->id]);
	if (!r)
		r = cmp_u64(a->cell, b->cell);	/* the order they came in */
	return r;
}

void rep_sort(struct rep_table *t, int col, bool reverse)
{
	struct sort_ctx x = { .t = t, .col = col, .id = 0,
			      .reverse = reverse };

	if (col < 0 || col >= t->ncols || t->nr < 2)
		return;
	qsort_r(t->rows, t->nr, sizeof(*t->rows), row_cmp, &x);
}

void rep_limit(struct rep_table *t, size_t n)
{
	if (n && n < t->nr)
		t->nr = n;
}

static const char id_prefix[REP_NR_VIEWS] = {
	[REP_BUFFERS] = 'b', [REP_EXPORTERS] = 'e', [REP_PROCS] = 'p',
	[REP_DEVICES] = 'd', [REP_UIDS] = 'u', [REP_CGROUPS] = 'c',
	[REP_TOTALS] = 't',
};

size_t rep_row_id(const struct rep_table *t, const struct rep_row *r,
		  char *buf, size_t len)
{
	const union rep_cell *c = rep_cells(t, r);
	char num[24];
	int n;

	/* column 0 is the identifier of every view */
	if (t->cols[0].type == REP_STR)
		n = snprintf(buf, len, "%s%c:%.40s",
			     r->flags & REP_ROW_GROUP ? "g:" : "",
			     id_prefix[t->view], c[0].s ?: "");
	else {
		num[rep_u64(num, c[0].u)] = '\0';
		n = snprintf(buf, len, "%s%c:%s",
			     r->flags & REP_ROW_GROUP ? "g:" : "",
			     id_prefix[t->view], num);
	}
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* Appends text (escaped if esc) at buf + *off, within len. */
static void append(char *buf, size_t len, size_t *off, size_t *w,
		   const char *s, bool esc)
{
	size_t n, cw;

	if (*off + 1 >= len)
		return;
	if (esc) {
		n = rep_escape(buf + *off, len - *off, s, &cw);
	} else {
		n = strlen(s);
		if (n > len - 1 - *off)
			n = len - 1 - *off;
		memcpy(buf + *off, s, n);
		buf[*off + n] = '\0';
		cw = n;
	}
	*off += n;
	*w += cw;
}

size_t rep_cell_text(const struct rep_table *t, const struct rep_row *r,
		     int c, bool bytes, char *buf, size_t len, size_t *width)
{
	const struct rep_col *col = &t->cols[c];
	const union rep_cell *v = &rep_cells(t, r)[c];
	size_t off = 0, w = 0, i;
	char num[REP_SIZE_LEN];

	buf[0] = '\0';
	switch (col->type) {
	case REP_STR:
		/* tree mode indents the column the rows are grouped by */
		if ((r->flags & REP_ROW_CHILD) && c == t->indent_col)
			append(buf, len, &off, &w, "  ", false);
		append(buf, len, &off, &w, v->s && *v->s ? v->s : "-",
		       v->s && *v->s);
		break;
	case REP_U64:
		if ((r->flags & REP_ROW_GROUP) && c == 0) {
			/* a group's first cell: [members] */
			num[rep_u64(num, v->u)] = '\0';
			append(buf, len, &off, &w, "[", false);
			append(buf, len, &off, &w, num, false);
			append(buf, len, &off, &w, "]", false);
			break;
		}
		num[rep_u64(num, v->u)] = '\0';
		append(buf, len, &off, &w, num, false);
		break;
	case REP_S64:
		if (v->i < 0) {
			append(buf, len, &off, &w, "?", false);
			break;
		}
		num[rep_i64(num, v->i)] = '\0';
		append(buf, len, &off, &w, num, false);
		break;
	case REP_SIZE:
		rep_size(num, v->u, bytes);
		append(buf, len, &off, &w, num, false);
		break;
	case REP_BOOL:
		append(buf, len, &off, &w, v->b ? "yes" : "no", false);
		break;
	case REP_DELTA:
	case REP_RATE:
		rep_signed_size(num, v->i, bytes);
		append(buf, len, &off, &w, num, false);
		break;
	case REP_MARK:
		append(buf, len, &off, &w, v->b ? "!" : "", false);
		break;
	case REP_AGE:
		rep_age(num, sizeof(num), v->i);
		append(buf, len, &off, &w, num, false);
		break;
	case REP_STRLIST:
		for (i = 0; i < v->l.n; i++) {
			if (i)
				append(buf, len, &off, &w, ",", false);
			append(buf, len, &off, &w, t->strs[v->l.off + i], true);
		}
		if (!v->l.n)
			append(buf, len, &off, &w, "-", false);
		break;
	case REP_U64LIST:
		for (i = 0; i < v->l.n && off + 22 < len; i++) {
			if (i)
				buf[off++] = ',';
			off += rep_u64(buf + off, t->u64s[v->l.off + i]);
		}
		buf[off] = '\0';
		w = off;
		if (!v->l.n)
			append(buf, len, &off, &w, "-", false);
		break;
	}
	if (width)
		*width = w;
	return off;
}
