// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top's batch mode: per refresh, a header and one view as a plain
 * text table, or one JSON document on one line (JSON Lines, json-c; the
 * rows written by a serializer of our own, as json-c would write them).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "top.h"
#include "utf8.h"

static void time_text(const struct dmabufstat_snapshot *s, char *buf,
		      size_t len, bool iso)
{
	uint64_t ns = dmabufstat_snapshot_realtime_ns(s);
	time_t t = ns / 1000000000ULL;
	struct tm tm;

	localtime_r(&t, &tm);
	if (iso) {
		char tz[8];

		strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
		strftime(tz, sizeof(tz), "%z", &tm);
		snprintf(buf + strlen(buf), len - strlen(buf), ".%03u%s",
			 (unsigned int)(ns / 1000000 % 1000), tz);
	} else {
		strftime(buf, len, "%H:%M:%S", &tm);
	}
}

static void print_text(struct model *m, const struct top_opts *o,
		       const struct table *t, uint64_t refresh)
{
	const struct dmabufstat_system *tot = dmabufstat_totals(m->snap);
	char when[32], a[32], b[32], c[32], d[32], cell[512];
	/* a row: every cell (511 bytes at most) padded to its width */
	char line[TOP_MAXCOL * (sizeof(cell) + 64)];
	size_t i, rows = t->nr;
	int k, w;

	time_text(m->snap, when, sizeof(when), false);
	fmt_size(tot->bytes, o->bytes, a, sizeof(a));
	fmt_size(tot->userspace_rss, o->bytes, b, sizeof(b));
	fmt_size(tot->userspace_pss, o->bytes, c, sizeof(c));
	fmt_size(tot->kernel_bytes, o->bytes, d, sizeof(d));
	printf("dmabuf-top - %s  refresh %" PRIu64 "  backend %s  view %s\n",
	       when, refresh, dmabufstat_snapshot_backend_name(m->snap),
	       top_view_names[o->view]);
	printf("Buffers: %" PRIu64 "  exported %s  userspace rss %s  pss %s  kernel-only %s (%" PRIu64 " buffers)  processes %u\n",
	       tot->count, a, b, c, d, tot->kernel_count, tot->nr_procs);
	if (o->since_start)
		printf("Deltas since the first refresh\n");
	putchar('\n');
	for (k = 0; k < t->ncols; k++) {
		w = t->cols[k].width;
		if (k == t->ncols - 1 && t->cols[k].left)
			printf(" %s", t->cols[k].title);
		else
			printf(k ? " %*s" : "%*s", t->cols[k].left ? -w : w,
			       t->cols[k].title);
	}
	putchar('\n');
	if (o->rows && rows > o->rows)
		rows = o->rows;
	for (i = 0; i < rows; i++) {
		/*
		 * The line as the header's printf would make it, " %*s" a
		 * cell, in one piece: a printf a cell costs more than the rest
		 * of a 10,000-row table.
		 */
		size_t off = 0, n;

		for (k = 0; k < t->ncols; k++) {
			w = t->cols[k].width;
			cell_text(t->cols, &t->rows[i], k, o->bytes, cell,
				  sizeof(cell));
			n = strlen(cell);
			if (k)
				line[off++] = ' ';
			/* the last column is never padded */
			if (k == t->ncols - 1 && t->cols[k].left)
				w = 0;
			if (!t->cols[k].left && n < (size_t)w) {
				memset(line + off, ' ', w - n);
				off += w - n;
			}
			memcpy(line + off, cell, n);
			off += n;
			if (t->cols[k].left && n < (size_t)w) {
				memset(line + off, ' ', w - n);
				off += w - n;
			}
		}
		/* trailing blanks of a padded last cell are harmless */
		line[off++] = '\n';
		fwrite(line, 1, off, stdout);
	}
	putchar('\n');
}

/*
 * The rows array of the JSON document, written straight into json-c's
 * print buffer by a serializer of our own (json_object_set_serializer):
 * a json-c object a row and a cell, 40 allocations a buffer, cost most of
 * a refresh of 10,000 buffers. The text is the one json-c makes with
 * JSON_C_TO_STRING_PLAIN: the same keys in the same order, its number
 * formats and its string escapes.
 */
struct json_rows {
	struct model *m;
	const struct top_opts *o;
	const struct table *t;
	size_t rows;
};

/* A writer: the text goes to pb through buf, a piece at a time. */
struct jw {
	struct printbuf *pb;
	int err;
	size_t len;
	char buf[16384];
};

static void jw_flush(struct jw *w)
{
	if (w->len && !w->err && printbuf_memappend(w->pb, w->buf, w->len) < 0)
		w->err = -ENOMEM;
	w->len = 0;
}

static void jw_put(struct jw *w, const char *s, size_t n)
{
	if (w->len + n > sizeof(w->buf)) {
		jw_flush(w);
		if (n > sizeof(w->buf)) {
			if (!w->err && printbuf_memappend(w->pb, s, n) < 0)
				w->err = -ENOMEM;
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

#define jw_lit(w, s) jw_put(w, s, sizeof(s) - 1)

/* A string as json-c escapes it (json_escape_str(), no flags). */
static void jw_str(struct jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *start = s;
	char u[6] = "\\u00";

	jw_lit(w, "\"");
	for (; *s; s++) {
		unsigned char c = *s;
		const char *esc;

		switch (c) {
		case '\b': esc = "\\b"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\f': esc = "\\f"; break;
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '/': esc = "\\/"; break;
		default:
			if (c >= ' ')
				continue;
			u[4] = hex[c >> 4];
			u[5] = hex[c & 0xf];
			jw_put(w, start, s - start);
			jw_put(w, u, 6);
			start = s + 1;
			continue;
		}
		jw_put(w, start, s - start);
		jw_put(w, esc, 2);
		start = s + 1;
	}
	jw_put(w, start, s - start);
	jw_lit(w, "\"");
}

static void jw_u64(struct jw *w, uint64_t v)
{
	char tmp[20];
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = '0' + v % 10;
		v /= 10;
	} while (v);
	jw_put(w, tmp + n, sizeof(tmp) - n);
}

static void jw_i64(struct jw *w, int64_t v)
{
	if (v < 0) {
		jw_lit(w, "-");
		jw_u64(w, -(uint64_t)v);
	} else {
		jw_u64(w, v);
	}
}

static void jw_bool(struct jw *w, bool v)
{
	if (v)
		jw_lit(w, "true");
	else
		jw_lit(w, "false");
}

/* ,"key": (no comma before the first); our keys need no escapes */
static void jw_key(struct jw *w, const char *key, bool *first)
{
	size_t n = strlen(key);
	char *p;

	if (w->len + n + 4 > sizeof(w->buf))
		jw_flush(w);
	p = w->buf + w->len;
	if (!*first)
		*p++ = ',';
	*first = false;
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	w->len = p - w->buf;
}

/* Buffers view: what a buffer row has beyond its columns. */
static void jw_buf_name(struct jw *w, const struct dmabufstat_buffer *b)
{
	char name[3 * DMABUFSTAT_BUFNAME_LEN + 1];

	utf8_clean(name, b->name);
	jw_str(w, name);
}

static void jw_buf_devices(struct jw *w, const struct dmabufstat_buffer *b)
{
	uint32_t j;

	jw_lit(w, "[");
	for (j = 0; j < b->nr_attach_names; j++) {
		if (j)
			jw_lit(w, ",");
		jw_str(w, b->attach[j]);
	}
	jw_lit(w, "]");
}

static int rows_to_json(json_object *jso, struct printbuf *pb, int level,
			int flags)
{
	static const char hexd[] = "0123456789abcdef";
	const struct json_rows *x = json_object_get_userdata(jso);
	const struct dmabufstat_snapshot *s = x->m->snap;
	const struct table *t = x->t;
	static struct jw w;
	/*
	 * A buffer row's "name" and "devices" are not the columns' text but
	 * the name made valid UTF-8 and the list of devices, in the columns'
	 * places (as json_object_object_add() replaces a value).
	 */
	int k_name = view_col_index(x->o->view, "name");
	int k_devs = view_col_index(x->o->view, "devices");
	size_t i;
	uint32_t j;
	int k;

	(void)level;
	(void)flags;
	w.pb = pb;
	w.err = 0;
	w.len = 0;
	jw_lit(&w, "[");
	for (i = 0; i < x->rows && !w.err; i++) {
		const struct row *r = &t->rows[i];
		const struct dmabufstat_buffer *b = NULL;
		bool first = true;

		if (x->o->view == TOP_BUFFERS && r->idx >= 0)
			b = dmabufstat_buffer(s, r->idx);
		if (i)
			jw_lit(&w, ",");
		jw_lit(&w, "{");
		if (r->group) {
			jw_key(&w, "group", &first);
			jw_bool(&w, true);
		}
		for (k = 0; k < t->ncols; k++) {
			const struct col *c = &t->cols[k];

			jw_key(&w, c->key, &first);
			if (b && k == k_name) {
				jw_buf_name(&w, b);
				continue;
			}
			if (b && k == k_devs) {
				jw_buf_devices(&w, b);
				continue;
			}
			switch (c->kind) {
			case COL_STR:
				jw_str(&w, r->s[k] ?: "");
				break;
			case COL_LEAK:
				jw_bool(&w, r->leak);
				break;
			case COL_NUM:
			case COL_BYTES:
				jw_u64(&w, r->v[k]);
				break;
			default:
				jw_i64(&w, r->v[k]);
				break;
			}
		}
		if (t->cols[t->ncols - 1].kind == COL_LEAK) {
			jw_key(&w, "growth_streak", &first);
			jw_i64(&w, r->streak);
		}
		if (b) {
			char hex[2 * DMABUFSTAT_BUFNAME_LEN + 1];
			bool none = true;

			jw_key(&w, "pids", &first);
			jw_lit(&w, "[");
			for (j = 0; j < b->nr_procs; j++) {
				const struct dmabufstat_holder *h;

				h = dmabufstat_buffer_holder(s, r->idx, j);
				if (!h)
					continue;
				if (!none)
					jw_lit(&w, ",");
				none = false;
				jw_u64(&w, dmabufstat_process(s, h->proc)->pid);
			}
			jw_lit(&w, "]");
			if (k_devs < 0) {
				jw_key(&w, "devices", &first);
				jw_buf_devices(&w, b);
			}
			jw_key(&w, "nr_attach", &first);
			jw_u64(&w, b->nr_attach);
			if (k_name < 0) {
				jw_key(&w, "name", &first);
				jw_buf_name(&w, b);
			}
			for (j = 0; b->name[j]; j++) {
				hex[2 * j] = hexd[(unsigned char)b->name[j] >> 4];
				hex[2 * j + 1] = hexd[(unsigned char)b->name[j] & 0xf];
			}
			hex[2 * j] = '\0';
			jw_key(&w, "name_hex", &first);
			jw_str(&w, hex);
			jw_key(&w, "exp_name", &first);
			jw_str(&w, b->exporter);
			jw_key(&w, "kernel_only", &first);
			jw_bool(&w, !b->nr_procs);
		}
		jw_lit(&w, "}");
	}
	jw_lit(&w, "]");
	jw_flush(&w);
	return w.err ? -1 : 0;
}

static int print_json(struct model *m, const struct top_opts *o,
		      const struct table *t, double interval, uint64_t refresh)
{
	const struct dmabufstat_system *tot = dmabufstat_totals(m->snap);
	json_object *root = json_object_new_object(), *jt, *arr;
	struct json_rows rows_ctx;
	const char *text;
	char when[48];
	size_t rows = t->nr;

	if (!root)
		return -ENOMEM;
	time_text(m->snap, when, sizeof(when), true);
	json_object_object_add(root, "time", json_object_new_string(when));
	json_object_object_add(root, "realtime_ns", json_object_new_uint64(
		dmabufstat_snapshot_realtime_ns(m->snap)));
	json_object_object_add(root, "refresh", json_object_new_uint64(refresh));
	snprintf(when, sizeof(when), "%g", interval);
	json_object_object_add(root, "interval",
			       json_object_new_double_s(interval, when));
	time_text(m->snap, when, sizeof(when), true);
	json_object_object_add(root, "backend", json_object_new_string(
		dmabufstat_snapshot_backend_name(m->snap)));
	json_object_object_add(root, "view", json_object_new_string(
		top_view_names[o->view]));
	json_object_object_add(root, "sort", json_object_new_string(
		o->sort ?: view_default_sort(o->view)));
	json_object_object_add(root, "since_start",
			       json_object_new_boolean(o->since_start));
	json_object_object_add(root, "leak_k", json_object_new_int(o->leak_k));
	jt = json_object_new_object();
	json_object_object_add(jt, "count", json_object_new_uint64(tot->count));
	json_object_object_add(jt, "bytes", json_object_new_uint64(tot->bytes));
	json_object_object_add(jt, "userspace_count",
			       json_object_new_uint64(tot->userspace_count));
	json_object_object_add(jt, "userspace_bytes",
			       json_object_new_uint64(tot->userspace_bytes));
	json_object_object_add(jt, "kernel_count",
			       json_object_new_uint64(tot->kernel_count));
	json_object_object_add(jt, "kernel_bytes",
			       json_object_new_uint64(tot->kernel_bytes));
	json_object_object_add(jt, "userspace_rss",
			       json_object_new_uint64(tot->userspace_rss));
	json_object_object_add(jt, "userspace_pss",
			       json_object_new_uint64(tot->userspace_pss));
	json_object_object_add(jt, "processes",
			       json_object_new_uint64(tot->nr_procs));
	json_object_object_add(jt, "fds", json_object_new_uint64(tot->nr_fds));
	json_object_object_add(jt, "maps", json_object_new_uint64(tot->nr_maps));
	json_object_object_add(root, "totals", jt);

	rows_ctx.m = m;
	rows_ctx.o = o;
	rows_ctx.t = t;
	rows_ctx.rows = o->rows && rows > o->rows ? o->rows : rows;
	arr = json_object_new_array();
	json_object_set_serializer(arr, rows_to_json, &rows_ctx, NULL);
	json_object_object_add(root, top_view_keys[o->view], arr);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	if (text) {
		fputs(text, stdout);
		putchar('\n');
	}
	json_object_put(root);
	return text ? 0 : -ENOMEM;
}

int batch_print(struct model *m, const struct top_opts *o, bool json,
		double interval, uint64_t refresh)
{
	struct table t;
	int err;

	err = table_build(m, o, &t);
	if (err)
		return err;
	if (json)
		err = print_json(m, o, &t, interval, refresh);
	else
		print_text(m, o, &t, refresh);
	table_free(&t);
	if (fflush(stdout))
		return -errno;
	return err;
}
