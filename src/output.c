// SPDX-License-Identifier: GPL-2.0
/* output: the table, JSON and CSV writers behind every view. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "output.h"
#include "utf8.h"

struct out_section *out_section_add(struct out_doc *doc, const char *key,
				    const char *title,
				    const struct out_col *cols, size_t nr_cols)
{
	struct out_section *s;

	if (doc->nr_sect >= OUT_MAX_SECTIONS)
		return NULL;
	s = &doc->sect[doc->nr_sect++];
	memset(s, 0, sizeof(*s));
	s->key = key;
	s->title = title;
	s->cols = cols;
	s->nr_cols = nr_cols;
	return s;
}

struct out_cell *out_row_add(struct out_section *s)
{
	struct out_cell *row;

	if (s->nr_rows == s->cap_rows) {
		size_t cap = s->cap_rows ? s->cap_rows * 2 : 64;
		struct out_cell **rows;

		rows = realloc(s->rows, cap * sizeof(*rows));
		if (!rows)
			return NULL;
		s->rows = rows;
		s->cap_rows = cap;
	}
	row = calloc(s->nr_cols, sizeof(*row));
	if (!row)
		return NULL;
	s->rows[s->nr_rows++] = row;
	return row;
}

static struct out_meta *meta_add(struct out_doc *doc, const char *key,
				 enum col_type type)
{
	struct out_meta *m;

	if (doc->nr_meta >= OUT_MAX_META)
		return NULL;
	m = &doc->meta[doc->nr_meta++];
	memset(m, 0, sizeof(*m));
	m->key = key;
	m->type = type;
	return m;
}

void out_meta_str(struct out_doc *doc, const char *key, const char *val)
{
	struct out_meta *m = meta_add(doc, key, COL_STR);

	if (m)
		m->val.s = val;
}

void out_meta_u64(struct out_doc *doc, const char *key, uint64_t val)
{
	struct out_meta *m = meta_add(doc, key, COL_U64);

	if (m)
		m->val.u = val;
}

void out_meta_bool(struct out_doc *doc, const char *key, bool val)
{
	struct out_meta *m = meta_add(doc, key, COL_BOOL);

	if (m)
		m->val.b = val;
}

void out_meta_strlist(struct out_doc *doc, const char *key, const char **v,
		      size_t n)
{
	struct out_meta *m = meta_add(doc, key, COL_STRLIST);

	if (m) {
		m->val.sl.v = v;
		m->val.sl.n = n;
	}
}

static void cell_free(const struct out_col *c, struct out_cell *cell)
{
	if (c->type == COL_STRLIST)
		free(cell->sl.v);
	else if (c->type == COL_U64LIST)
		free(cell->ul.v);
}

void out_doc_free(struct out_doc *doc)
{
	size_t i, r, c;

	for (i = 0; i < doc->nr_sect; i++) {
		struct out_section *s = &doc->sect[i];

		for (r = 0; r < s->nr_rows; r++) {
			for (c = 0; c < s->nr_cols; c++)
				cell_free(&s->cols[c], &s->rows[r][c]);
			free(s->rows[r]);
		}
		free(s->rows);
	}
	for (i = 0; i < doc->nr_meta; i++)
		if (doc->meta[i].type == COL_STRLIST)
			free(doc->meta[i].val.sl.v);
	memset(doc, 0, sizeof(*doc));
}

int out_col_find(const struct out_section *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->nr_cols; i++)
		if (!strcmp(s->cols[i].key, key))
			return (int)i;
	return -1;
}

/* Three-way comparisons: never a difference of 64-bit values as int. */
static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_s64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_cell(const struct out_col *c, const struct out_cell *a,
		    const struct out_cell *b)
{
	switch (c->type) {
	case COL_STR:
		return strcmp(a->s ?: "", b->s ?: "");
	case COL_U64:
	case COL_SIZE:
		return cmp_u64(a->u, b->u);
	case COL_S64:
		return cmp_s64(a->i, b->i);
	case COL_BOOL:
		return (int)a->b - (int)b->b;
	case COL_STRLIST:
		return cmp_u64(a->sl.n, b->sl.n);
	case COL_U64LIST:
		return cmp_u64(a->ul.n, b->ul.n);
	}
	return 0;
}

struct sort_row {
	struct out_cell *row;
	size_t pos;
};

struct sort_ctx {
	const struct out_section *s;
	int col;
};

static int row_cmp(const void *pa, const void *pb, void *arg)
{
	const struct sort_row *a = pa, *b = pb;
	const struct sort_ctx *ctx = arg;
	const struct out_col *c = &ctx->s->cols[ctx->col];
	int r;

	r = cmp_cell(c, &a->row[ctx->col], &b->row[ctx->col]);
	/* numbers: largest first; text: alphabetical */
	if (c->type != COL_STR && c->type != COL_BOOL)
		r = -r;
	if (!r && ctx->col != 0)
		r = cmp_cell(&ctx->s->cols[0], &a->row[0], &b->row[0]);
	if (!r)
		r = cmp_u64(a->pos, b->pos);
	return r;
}

void out_sort(struct out_section *s, int col)
{
	struct sort_ctx ctx = { .s = s, .col = col };
	struct sort_row *v;
	size_t i;

	if (col < 0 || (size_t)col >= s->nr_cols || s->nr_rows < 2)
		return;
	v = calloc(s->nr_rows, sizeof(*v));
	if (!v)
		return;		/* unsorted beats nothing */
	for (i = 0; i < s->nr_rows; i++) {
		v[i].row = s->rows[i];
		v[i].pos = i;
	}
	qsort_r(v, s->nr_rows, sizeof(*v), row_cmp, &ctx);
	for (i = 0; i < s->nr_rows; i++)
		s->rows[i] = v[i].row;
	free(v);
}

void out_limit(struct out_section *s, size_t n)
{
	size_t r, c;

	if (!n || n >= s->nr_rows)
		return;
	for (r = n; r < s->nr_rows; r++) {
		for (c = 0; c < s->nr_cols; c++)
			cell_free(&s->cols[c], &s->rows[r][c]);
		free(s->rows[r]);
	}
	s->nr_rows = n;
}

const char *out_human(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	unsigned int u = 0;
	double v = (double)bytes;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (v >= 1024 && u < sizeof(unit) / sizeof(unit[0]) - 1) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}

/* ------------------------------------------------------------------ */
/* table                                                              */

/* A growable string. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p)
			return;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

/* C-style escapes for anything not printable or not UTF-8. */
static void sb_escaped(struct sbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char tmp[8];
	size_t n;

	for (; *s; s += n) {
		n = utf8_seq(s);
		if (n > 1) {
			sb_putn(b, (const char *)s, n);
			continue;
		}
		n = 1;
		switch (*s) {
		case '\n':
			sb_puts(b, "\\n");
			continue;
		case '\t':
			sb_puts(b, "\\t");
			continue;
		case '\r':
			sb_puts(b, "\\r");
			continue;
		case '\\':
			sb_puts(b, "\\\\");
			continue;
		}
		if (*s < 0x20 || *s >= 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", *s);
			sb_puts(b, tmp);
		} else {
			sb_putn(b, (const char *)s, 1);
		}
	}
}

/* Display width: UTF-8 sequences count as one column. */
static size_t disp_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static bool col_right(const struct out_col *c)
{
	return c->type != COL_STR && c->type != COL_STRLIST &&
	       c->type != COL_U64LIST && c->type != COL_BOOL;
}

static char *cell_text(const struct out_col *c, const struct out_cell *v,
		       const struct out_style *st)
{
	struct sbuf b = { 0 };
	char tmp[32];
	size_t i;

	switch (c->type) {
	case COL_STR:
		if (v->s && *v->s)
			sb_escaped(&b, v->s);
		else
			sb_puts(&b, "-");
		break;
	case COL_U64:
		snprintf(tmp, sizeof(tmp), "%" PRIu64, v->u);
		sb_puts(&b, tmp);
		break;
	case COL_S64:
		if (v->i < 0)
			sb_puts(&b, "?");
		else {
			snprintf(tmp, sizeof(tmp), "%" PRId64, v->i);
			sb_puts(&b, tmp);
		}
		break;
	case COL_SIZE:
		if (st->bytes)
			snprintf(tmp, sizeof(tmp), "%" PRIu64, v->u);
		else
			out_human(tmp, sizeof(tmp), v->u);
		sb_puts(&b, tmp);
		break;
	case COL_BOOL:
		sb_puts(&b, v->b ? "yes" : "no");
		break;
	case COL_STRLIST:
		for (i = 0; i < v->sl.n; i++) {
			if (i)
				sb_puts(&b, ",");
			sb_escaped(&b, v->sl.v[i]);
		}
		if (!v->sl.n)
			sb_puts(&b, "-");
		break;
	case COL_U64LIST:
		for (i = 0; i < v->ul.n; i++) {
			snprintf(tmp, sizeof(tmp), "%s%" PRIu64, i ? "," : "",
				 v->ul.v[i]);
			sb_puts(&b, tmp);
		}
		if (!v->ul.n)
			sb_puts(&b, "-");
		break;
	}
	if (!b.p)
		return strdup("");
	return b.p;
}

static int write_table_section(FILE *f, const struct out_section *s,
			       const struct out_style *st)
{
	size_t r, c, w[64] = { 0 }, nc = s->nr_cols < 64 ? s->nr_cols : 64;
	char ***text;
	bool first;
	int err = 0;

	if (s->title)
		fprintf(f, "%s\n", s->title);
	text = calloc(s->nr_rows ?: 1, sizeof(*text));
	if (!text)
		return -ENOMEM;
	for (c = 0; c < nc; c++)
		w[c] = disp_width(s->cols[c].title);
	for (r = 0; r < s->nr_rows; r++) {
		text[r] = calloc(nc, sizeof(**text));
		if (!text[r]) {
			err = -ENOMEM;
			goto out;
		}
		for (c = 0; c < nc; c++) {
			size_t len;

			text[r][c] = cell_text(&s->cols[c], &s->rows[r][c], st);
			if (!text[r][c]) {
				err = -ENOMEM;
				goto out;
			}
			len = disp_width(text[r][c]);
			if (len > w[c])
				w[c] = len;
		}
	}

	if (s->single) {
		/* key: value lines */
		size_t kw = 0;

		for (c = 0; c < nc; c++)
			if (!(s->cols[c].flags & COL_WIDE) &&
			    strlen(s->cols[c].title) > kw)
				kw = strlen(s->cols[c].title);
		for (r = 0; r < s->nr_rows; r++)
			for (c = 0; c < nc; c++) {
				if (s->cols[c].flags & COL_WIDE)
					continue;
				fprintf(f, "  %-*s  %s\n", (int)kw + 1,
					s->cols[c].title, text[r][c]);
			}
		goto out;
	}

	first = true;
	for (c = 0; c < nc; c++) {
		const struct out_col *col = &s->cols[c];
		bool last = true;
		size_t k;

		if (col->flags & COL_WIDE)
			continue;
		for (k = c + 1; k < nc; k++)
			if (!(s->cols[k].flags & COL_WIDE))
				last = false;
		fprintf(f, "%s", first ? "" : "  ");
		first = false;
		if (col_right(col))
			fprintf(f, "%*s", (int)w[c], col->title);
		else if (last)
			fputs(col->title, f);
		else
			fprintf(f, "%-*s", (int)w[c], col->title);
	}
	fputc('\n', f);
	for (r = 0; r < s->nr_rows; r++) {
		first = true;
		for (c = 0; c < nc; c++) {
			const struct out_col *col = &s->cols[c];
			size_t pad = w[c] - disp_width(text[r][c]);
			bool last = true;
			size_t k;

			if (col->flags & COL_WIDE)
				continue;
			for (k = c + 1; k < nc; k++)
				if (!(s->cols[k].flags & COL_WIDE))
					last = false;
			fprintf(f, "%s", first ? "" : "  ");
			first = false;
			if (col_right(col))
				fprintf(f, "%*s%s", (int)pad, "", text[r][c]);
			else
				fprintf(f, "%s%*s", text[r][c],
					last ? 0 : (int)pad, "");
		}
		fputc('\n', f);
	}
	if (!s->nr_rows)
		fprintf(f, "(none)\n");
out:
	for (r = 0; r < s->nr_rows; r++) {
		if (!text[r])
			continue;
		for (c = 0; c < nc; c++)
			free(text[r][c]);
		free(text[r]);
	}
	free(text);
	return err;
}

static int write_table(FILE *f, const struct out_doc *doc,
		       const struct out_style *st)
{
	bool first = true;
	size_t i;
	int err;

	if (doc->banner)
		fprintf(f, "%s\n", doc->banner);
	for (i = 0; i < doc->nr_sect; i++) {
		if (doc->sect[i].json_only)
			continue;
		if (!first || doc->banner)
			fputc('\n', f);
		first = false;
		err = write_table_section(f, &doc->sect[i], st);
		if (err)
			return err;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* JSON                                                               */

/* U+FFFD for every byte that does not start a valid UTF-8 sequence. */
static json_object *json_str(const char *str, bool *valid)
{
	json_object *o;
	char *clean;

	if (!str)
		str = "";
	*valid = utf8_valid(str);
	if (*valid)
		return json_object_new_string(str);
	clean = malloc(3 * strlen(str) + 1);
	if (!clean)
		return json_object_new_string("");
	utf8_clean(clean, str);
	o = json_object_new_string(clean);
	free(clean);
	return o;
}

static json_object *json_hex(const char *str)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = strlen(str);
	json_object *o;
	char *h;

	h = malloc(2 * n + 1);
	if (!h)
		return NULL;
	for (i = 0; i < n; i++) {
		h[2 * i] = hex[(unsigned char)str[i] >> 4];
		h[2 * i + 1] = hex[(unsigned char)str[i] & 0xf];
	}
	h[2 * n] = '\0';
	o = json_object_new_string(h);
	free(h);
	return o;
}

static void json_add_hex_key(json_object *obj, const char *key,
			     json_object *val)
{
	char k[96];

	snprintf(k, sizeof(k), "%s_hex", key);
	json_object_object_add(obj, k, val);
}

static void json_add_cell(json_object *obj, const char *key,
			  enum col_type type, const struct out_cell *v)
{
	json_object *a, *hx;
	bool valid, all_valid;
	size_t i;

	switch (type) {
	case COL_STR:
		json_object_object_add(obj, key, json_str(v->s, &valid));
		if (!valid)
			json_add_hex_key(obj, key, json_hex(v->s));
		break;
	case COL_U64:
	case COL_SIZE:
		json_object_object_add(obj, key, json_object_new_uint64(v->u));
		break;
	case COL_S64:
		json_object_object_add(obj, key, json_object_new_int64(v->i));
		break;
	case COL_BOOL:
		json_object_object_add(obj, key, json_object_new_boolean(v->b));
		break;
	case COL_STRLIST:
		a = json_object_new_array();
		all_valid = true;
		for (i = 0; i < v->sl.n; i++) {
			json_object_array_add(a, json_str(v->sl.v[i], &valid));
			all_valid &= valid;
		}
		json_object_object_add(obj, key, a);
		if (all_valid)
			break;
		hx = json_object_new_array();
		for (i = 0; i < v->sl.n; i++)
			json_object_array_add(hx, json_hex(v->sl.v[i]));
		json_add_hex_key(obj, key, hx);
		break;
	case COL_U64LIST:
		a = json_object_new_array();
		for (i = 0; i < v->ul.n; i++)
			json_object_array_add(a,
					      json_object_new_uint64(v->ul.v[i]));
		json_object_object_add(obj, key, a);
		break;
	}
}

static json_object *json_row(const struct out_section *s,
			     const struct out_cell *row)
{
	json_object *o = json_object_new_object();
	size_t c;

	for (c = 0; c < s->nr_cols; c++)
		json_add_cell(o, s->cols[c].key, s->cols[c].type, &row[c]);
	return o;
}

/*
 * JSON Lines: the document on one line, written with write() while SIGINT
 * and SIGTERM are blocked, so a signal never leaves half a line behind.
 */
static int write_line(FILE *f, const char *line)
{
	size_t len = strlen(line), off = 0;
	sigset_t block, old;
	char *buf;
	int err = 0, fd = fileno(f);
	ssize_t n;

	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, line, len);
	buf[len++] = '\n';
	if (fflush(f)) {
		free(buf);
		return -errno;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (off < len) {
		n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		off += n;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(buf);
	return err;
}

static int write_json(FILE *f, const struct out_doc *doc, bool jsonl)
{
	json_object *root = json_object_new_object(), *v;
	size_t i, r;
	int err = 0;

	if (!root)
		return -ENOMEM;
	for (i = 0; i < doc->nr_meta; i++)
		json_add_cell(root, doc->meta[i].key, doc->meta[i].type,
			      &doc->meta[i].val);
	for (i = 0; i < doc->nr_sect; i++) {
		const struct out_section *s = &doc->sect[i];

		if (s->single) {
			v = s->nr_rows ? json_row(s, s->rows[0]) :
					 json_object_new_object();
		} else {
			v = json_object_new_array();
			for (r = 0; r < s->nr_rows; r++)
				json_object_array_add(v, json_row(s, s->rows[r]));
		}
		json_object_object_add(root, s->key, v);
	}
	if (jsonl)
		err = write_line(f, json_object_to_json_string_ext(root,
				JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (fprintf(f, "%s\n",
		    json_object_to_json_string_ext(root,
				JSON_C_TO_STRING_PRETTY |
				JSON_C_TO_STRING_SPACED |
				JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		err = -EIO;
	json_object_put(root);
	return err;
}

/* ------------------------------------------------------------------ */
/* CSV (RFC 4180)                                                     */

static void csv_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_cell(FILE *f, const struct out_col *c,
		     const struct out_cell *v)
{
	struct sbuf b = { 0 };
	char tmp[32];
	size_t i;

	switch (c->type) {
	case COL_STR:
		csv_quoted(f, v->s);
		break;
	case COL_U64:
	case COL_SIZE:
		fprintf(f, "%" PRIu64, v->u);
		break;
	case COL_S64:
		fprintf(f, "%" PRId64, v->i);
		break;
	case COL_BOOL:
		fputs(v->b ? "true" : "false", f);
		break;
	case COL_STRLIST:
		/* a list is one field, items joined by ';' */
		for (i = 0; i < v->sl.n; i++) {
			if (i)
				sb_puts(&b, ";");
			sb_puts(&b, v->sl.v[i]);
		}
		csv_quoted(f, b.p ?: "");
		break;
	case COL_U64LIST:
		for (i = 0; i < v->ul.n; i++) {
			snprintf(tmp, sizeof(tmp), "%s%" PRIu64, i ? ";" : "",
				 v->ul.v[i]);
			sb_puts(&b, tmp);
		}
		csv_quoted(f, b.p ?: "");
		break;
	}
	free(b.p);
}

static int write_csv(FILE *f, const struct out_doc *doc)
{
	size_t i, r, c, nr_tables = 0;
	bool first = true;

	for (i = 0; i < doc->nr_sect; i++)
		nr_tables += !doc->sect[i].json_only;
	if (doc->banner)
		fprintf(f, "# %s\r\n", doc->banner);
	for (i = 0; i < doc->nr_sect; i++) {
		const struct out_section *s = &doc->sect[i];

		if (s->json_only)
			continue;
		if (!first)
			fputs("\r\n", f);
		first = false;
		if (nr_tables > 1)
			fprintf(f, "# %s\r\n", s->key);
		for (c = 0; c < s->nr_cols; c++)
			fprintf(f, "%s%s", c ? "," : "", s->cols[c].key);
		fputs("\r\n", f);
		for (r = 0; r < s->nr_rows; r++) {
			for (c = 0; c < s->nr_cols; c++) {
				if (c)
					fputc(',', f);
				csv_cell(f, &s->cols[c], &s->rows[r][c]);
			}
			fputs("\r\n", f);
		}
	}
	return 0;
}

int out_write(FILE *f, const struct out_doc *doc,
	      const struct out_style *style)
{
	int err;

	switch (style->format) {
	case OUT_JSON:
		err = write_json(f, doc, style->jsonl);
		break;
	case OUT_CSV:
		err = write_csv(f, doc);
		break;
	default:
		err = write_table(f, doc, style);
		break;
	}
	if (!err && fflush(f))
		err = -errno;
	return err;
}
