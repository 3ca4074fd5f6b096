// SPDX-License-Identifier: GPL-2.0
/* The table, JSON and CSV writers (see write.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "text.h"
#include "write.h"

static const char *const format_words[REP_NR_FORMATS] = {
	[REP_TABLE] = "table", [REP_JSON] = "json", [REP_CSV] = "csv",
};

enum rep_format rep_format_find(const char *word)
{
	int i;

	if (!strcmp(word, "text"))
		return REP_TABLE;	/* dmabuf-top's first word for it */
	for (i = 0; i < REP_NR_FORMATS; i++)
		if (!strcmp(word, format_words[i]))
			return i;
	return REP_NR_FORMATS;
}

const char *rep_format_words(void)
{
	static char words[64];
	size_t off = 0;
	int i;

	if (words[0])
		return words;
	for (i = 0; i < REP_NR_FORMATS; i++)
		off += snprintf(words + off, sizeof(words) - off, "%s%s",
				!i ? "" : i + 1 < REP_NR_FORMATS ? ", " :
				" and ", format_words[i]);
	return words;
}

bool rep_doc_add(struct rep_doc *d, const struct rep_table *t,
		 const char *title, bool single, bool json_only)
{
	struct rep_section *s;

	if (d->nr_sect >= REP_MAX_SECTIONS)
		return false;
	s = &d->sect[d->nr_sect++];
	s->t = t;
	s->title = title;
	s->single = single;
	s->json_only = json_only;
	s->key = NULL;
	return true;
}

/* ------------------------------------------------------------------ */
/* table                                                              */

static bool right_aligned(const struct rep_col *c)
{
	return !rep_col_left(c);
}

static void spaces(FILE *f, size_t n)
{
	static const char blank[] = "                                ";

	while (n) {
		size_t k = n < sizeof(blank) - 1 ? n : sizeof(blank) - 1;

		fwrite_unlocked(blank, 1, k, f);
		n -= k;
	}
}

/* The cells' text, made once: an arena, and per cell its offset and width. */
struct cells_text {
	char *buf;
	size_t len, cap;
	size_t *off, *w;	/* nr rows x nr shown columns */
};

static int text_add(struct cells_text *x, const char *s, size_t n)
{
	if (x->len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 65536;
		char *b;

		while (cap < x->len + n + 1)
			cap *= 2;
		b = realloc(x->buf, cap);
		if (!b)
			return -ENOMEM;
		x->buf = b;
		x->cap = cap;
	}
	memcpy(x->buf + x->len, s, n + 1);
	x->len += n + 1;
	return 0;
}

static void write_single(FILE *f, const struct rep_table *t, bool bytes)
{
	size_t kw = 0, w;
	char text[512];
	int c;

	if (!t->nr)
		return;
	for (c = 0; c < t->ncols; c++)
		if (!(t->cols[c].flags & REP_WIDE) &&
		    strlen(t->cols[c].title) > kw)
			kw = strlen(t->cols[c].title);
	for (c = 0; c < t->ncols; c++) {
		if (t->cols[c].flags & REP_WIDE)
			continue;
		rep_cell_text(t, &t->rows[0], c, bytes, text, sizeof(text),
			      &w);
		fprintf(f, "  %-*s  %s\n", (int)kw + 1, t->cols[c].title, text);
	}
}

static int write_table_section(FILE *f, const struct rep_section *s,
			       bool bytes)
{
	const struct rep_table *t = s->t;
	struct cells_text x = { 0 };
	int shown[REP_MAX_COLS], ns = 0, k, last;
	size_t width[REP_MAX_COLS], r, n, w, i;
	char text[4096];
	int err = 0;

	if (s->title)
		fprintf(f, "%s\n", s->title);
	if (s->single) {
		write_single(f, t, bytes);
		return 0;
	}
	for (k = 0; k < t->ncols; k++)
		if (!(t->cols[k].flags & REP_WIDE))
			shown[ns++] = k;
	x.off = calloc(t->nr * ns + 1, sizeof(*x.off));
	x.w = calloc(t->nr * ns + 1, sizeof(*x.w));
	if (!x.off || !x.w) {
		err = -ENOMEM;
		goto out;
	}
	for (k = 0; k < ns; k++)
		width[k] = rep_width(t->cols[shown[k]].title,
				     strlen(t->cols[shown[k]].title));
	for (r = 0; r < t->nr; r++)
		for (k = 0; k < ns; k++) {
			i = r * ns + k;
			n = rep_cell_text(t, &t->rows[r], shown[k], bytes, text,
					  sizeof(text), &w);
			x.off[i] = x.len;
			x.w[i] = w;
			if (text_add(&x, text, n)) {
				err = -ENOMEM;
				goto out;
			}
			if (w > width[k])
				width[k] = w;
		}
	last = ns - 1;
	for (k = 0; k < ns; k++) {
		const struct rep_col *c = &t->cols[shown[k]];
		size_t tw = rep_width(c->title, strlen(c->title));

		if (k)
			spaces(f, 2);
		if (right_aligned(c))
			spaces(f, width[k] - tw);
		fputs(c->title, f);
		if (!right_aligned(c) && k != last)
			spaces(f, width[k] - tw);
	}
	putc_unlocked('\n', f);
	for (r = 0; r < t->nr; r++) {
		for (k = 0; k < ns; k++) {
			const struct rep_col *c = &t->cols[shown[k]];
			const char *cell;

			i = r * ns + k;
			cell = x.buf + x.off[i];
			if (k)
				spaces(f, 2);
			if (right_aligned(c))
				spaces(f, width[k] - x.w[i]);
			fputs_unlocked(cell, f);
			if (!right_aligned(c) && k != last)
				spaces(f, width[k] - x.w[i]);
		}
		putc_unlocked('\n', f);
	}
	if (!t->nr)
		fputs("(none)\n", f);
out:
	free(x.buf);
	free(x.off);
	free(x.w);
	return err;
}

static int write_table(FILE *f, const struct rep_doc *d, bool bytes)
{
	bool first = true;
	int i, err;

	if (d->banner)
		fprintf(f, "%s\n", d->banner);
	for (i = 0; i < d->nr_sect; i++) {
		if (d->sect[i].json_only)
			continue;
		if (!first || d->banner)
			putc_unlocked('\n', f);
		first = false;
		err = write_table_section(f, &d->sect[i], bytes);
		if (err)
			return err;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* JSON                                                               */

static void json_row(struct jsonw *w, const struct rep_table *t,
		     const struct rep_row *r)
{
	const union rep_cell *v = rep_cells(t, r);
	const uint64_t *u;
	size_t i;
	int c;

	jsonw_start_object(w);
	if (r->flags & REP_ROW_GROUP)
		jsonw_bool_field(w, "group", true);
	for (c = 0; c < t->ncols; c++) {
		const struct rep_col *col = &t->cols[c];

		switch (col->type) {
		case REP_STR:
			jsonw_string_field(w, col->key, v[c].s);
			break;
		case REP_U64:
		case REP_SIZE:
			jsonw_uint_field(w, col->key, v[c].u);
			break;
		case REP_S64:
		case REP_DELTA:
		case REP_RATE:
		case REP_AGE:
			jsonw_int_field(w, col->key, v[c].i);
			break;
		case REP_BOOL:
		case REP_MARK:
			jsonw_bool_field(w, col->key, v[c].b);
			break;
		case REP_STRLIST:
			jsonw_strings_field(w, col->key,
					    rep_list_str_items(t, &v[c]),
					    v[c].l.n);
			break;
		case REP_U64LIST:
			u = rep_list_u64_items(t, &v[c]);
			jsonw_name(w, col->key);
			jsonw_start_array(w);
			for (i = 0; i < v[c].l.n; i++)
				jsonw_uint(w, u[i]);
			jsonw_end_array(w);
			break;
		}
	}
	jsonw_end_object(w);
}

static void write_json(FILE *f, const struct rep_doc *d, bool jsonl)
{
	struct jsonw w;
	size_t r;
	int i;

	jsonw_init(&w, f, !jsonl);
	jsonw_start_object(&w);
	if (d->meta)
		d->meta(&w, d->meta_ctx);
	for (i = 0; i < d->nr_sect; i++) {
		const struct rep_section *s = &d->sect[i];

		jsonw_name(&w, s->key ?: rep_view_key(s->t->view));
		if (s->single) {
			if (s->t->nr) {
				json_row(&w, s->t, &s->t->rows[0]);
			} else {
				jsonw_start_object(&w);
				jsonw_end_object(&w);
			}
			continue;
		}
		jsonw_start_array(&w);
		for (r = 0; r < s->t->nr; r++)
			json_row(&w, s->t, &s->t->rows[r]);
		jsonw_end_array(&w);
	}
	jsonw_end_object(&w);
	putc_unlocked('\n', f);
}

void rep_json_snapshot(struct jsonw *w, const struct dmabufstat_snapshot *s,
		       const char *fallback_reason)
{
	unsigned int fl = dmabufstat_snapshot_flags(s);

	jsonw_name(w, "backend");
	jsonw_string(w, dmabufstat_snapshot_backend_name(s));
	jsonw_name(w, "buffer_backend");
	jsonw_string(w, dmabufstat_buf_backend_name(
				dmabufstat_snapshot_buf_backend(s)));
	jsonw_name(w, "process_backend");
	jsonw_string(w, dmabufstat_proc_backend_name(
				dmabufstat_snapshot_proc_backend(s)));
	jsonw_string_field(w, "fallback_reason", fallback_reason ?: "");
	jsonw_uint_field(w, "realtime_ns", dmabufstat_snapshot_realtime_ns(s));
	jsonw_name(w, "snapshot_flags");
	jsonw_start_array(w);
	if (fl & DMABUFSTAT_SNAP_NO_KERNEL_ONLY)
		jsonw_string(w, "no-kernel-only");
	if (fl & DMABUFSTAT_SNAP_NO_PROCS)
		jsonw_string(w, "no-procs");
	if (fl & DMABUFSTAT_SNAP_PARTIAL_PROCS)
		jsonw_string(w, "partial-procs");
	jsonw_end_array(w);
	rep_json_tracking(w, dmabufstat_snapshot_track(s));
}

void rep_json_tracking(struct jsonw *w, const struct dmabufstat_track_status *t)
{
	if (!t)
		return;		/* off: no "tracking" key, nor its fields */
	jsonw_name(w, "tracking");
	jsonw_start_object(w);
	jsonw_string_field(w, "method", dmabufstat_track_method_name(t->method));
	jsonw_bool_field(w, "sees_release", t->sees_release);
	jsonw_uint_field(w, "start_realtime_ns", t->start_realtime_ns);
	jsonw_uint_field(w, "entries", t->entries);
	jsonw_uint_field(w, "max_entries", t->max_entries);
	jsonw_uint_field(w, "exports", t->exports);
	jsonw_uint_field(w, "late", t->late);
	jsonw_uint_field(w, "dropped", t->dropped);
	jsonw_uint_field(w, "released", t->released);
	jsonw_end_object(w);
}

/* ------------------------------------------------------------------ */
/* CSV                                                                */

static void csv_cell(FILE *f, const struct rep_table *t,
		     const struct rep_col *c, const union rep_cell *v)
{
	char num[24];
	size_t i;

	switch (c->type) {
	case REP_STR:
		rep_csv_quoted(f, v->s);
		break;
	case REP_U64:
	case REP_SIZE:
		fwrite_unlocked(num, 1, rep_u64(num, v->u), f);
		break;
	case REP_S64:
	case REP_DELTA:
	case REP_RATE:
	case REP_AGE:
		fwrite_unlocked(num, 1, rep_i64(num, v->i), f);
		break;
	case REP_BOOL:
	case REP_MARK:
		fputs(v->b ? "true" : "false", f);
		break;
	case REP_STRLIST:
		/* a list is one field, items joined by ';' */
		putc_unlocked('"', f);
		for (i = 0; i < v->l.n; i++) {
			const char *s = rep_list_str_items(t, v)[i];

			if (i)
				putc_unlocked(';', f);
			for (; *s; s++) {
				if (*s == '"')
					putc_unlocked('"', f);
				putc_unlocked(*s, f);
			}
		}
		putc_unlocked('"', f);
		break;
	case REP_U64LIST:
		putc_unlocked('"', f);
		for (i = 0; i < v->l.n; i++) {
			if (i)
				putc_unlocked(';', f);
			fwrite_unlocked(num, 1,
					rep_u64(num, rep_list_u64_items(t, v)[i]),
					f);
		}
		putc_unlocked('"', f);
		break;
	}
}

/* The time and backend columns' cells (or keys) before a row's own. */
static void csv_lead(FILE *f, const struct rep_doc *d, bool header)
{
	if (!d->csv_time)
		return;
	if (header) {
		fputs("time,backend,", f);
		return;
	}
	rep_csv_quoted(f, d->csv_time);
	putc_unlocked(',', f);
	rep_csv_quoted(f, d->csv_backend ?: "");
	putc_unlocked(',', f);
}

static void write_csv(FILE *f, const struct rep_doc *d)
{
	int i, c, nr_tables = 0;
	bool first = true;
	size_t r;

	for (i = 0; i < d->nr_sect; i++)
		nr_tables += !d->sect[i].json_only;
	for (i = 0; i < d->nr_sect; i++) {
		const struct rep_table *t = d->sect[i].t;

		if (d->sect[i].json_only)
			continue;
		if (!first)
			fputs("\n", f);
		first = false;
		if (nr_tables > 1)
			fprintf(f, "# %s\n", d->sect[i].key ?:
				rep_view_key(t->view));
		if (!d->no_csv_header) {
			csv_lead(f, d, true);
			for (c = 0; c < t->ncols; c++)
				fprintf(f, "%s%s", c ? "," : "",
					t->cols[c].key);
			fputs("\n", f);
		}
		for (r = 0; r < t->nr; r++) {
			const union rep_cell *v = rep_cells(t, &t->rows[r]);

			csv_lead(f, d, false);
			for (c = 0; c < t->ncols; c++) {
				if (c)
					putc_unlocked(',', f);
				csv_cell(f, t, &t->cols[c], &v[c]);
			}
			putc_unlocked('\n', f);
		}
	}
}

void rep_time_iso(uint64_t ns, char *buf, size_t len)
{
	time_t t = ns / 1000000000ULL;
	struct tm tm;
	char tz[8];

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(tz, sizeof(tz), "%z", &tm);
	snprintf(buf + strlen(buf), len - strlen(buf), ".%03u%s",
		 (unsigned int)(ns / 1000000 % 1000), tz);
}

/* ------------------------------------------------------------------ */
/* The document, in one write()                                       */

static int write_all(int fd, const char *buf, size_t len)
{
	sigset_t block, old;
	size_t off = 0;
	ssize_t n;
	int err = 0;

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
	return err;
}

int rep_write(FILE *out, const struct rep_doc *d, const struct rep_style *st)
{
	char *buf = NULL;
	size_t len = 0;
	int err = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	switch (st->format) {
	case REP_JSON:
		write_json(f, d, st->jsonl);
		break;
	case REP_CSV:
		write_csv(f, d);
		break;
	default:
		err = write_table(f, d, st->bytes);
		break;
	}
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (!err && fflush(out))
		err = -errno;
	if (!err)
		err = write_all(fileno(out), buf, len);
	free(buf);
	return err;
}
