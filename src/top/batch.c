// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top's batch mode: per refresh, a header and one view as a plain
 * text table, or one JSON document on one line (JSON Lines, json-c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "top.h"

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
		for (k = 0; k < t->ncols; k++) {
			w = t->cols[k].width;
			cell_text(t->cols, &t->rows[i], k, o->bytes, cell,
				  sizeof(cell));
			/* the last column is never padded */
			if (k == t->ncols - 1 && t->cols[k].left)
				printf(" %s", cell);
			else
				printf(k ? " %*s" : "%*s",
				       t->cols[k].left ? -w : w, cell);
		}
		/* trailing blanks of a padded last cell are harmless */
		putchar('\n');
	}
	putchar('\n');
}

/* Valid UTF-8 with every bad byte replaced by U+FFFD. */
static char *utf8_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(strlen(s) * 3 + 1), *q = out;

	if (!out)
		return NULL;
	while (*p) {
		int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 :
			(*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		int j;

		for (j = 1; n && j < n; j++)
			if ((p[j] & 0xc0) != 0x80)
				n = 0;
		if (n == 2 && *p < 0xc2)
			n = 0;
		if (!n) {
			memcpy(q, "\xef\xbf\xbd", 3);
			q += 3;
			p++;
			continue;
		}
		memcpy(q, p, n);
		q += n;
		p += n;
	}
	*q = '\0';
	return out;
}

static json_object *buffer_extra(const struct dmabufstat_snapshot *s,
				 const struct row *r, json_object *o)
{
	const struct dmabufstat_buffer *b = dmabufstat_buffer(s, r->idx);
	json_object *pids = json_object_new_array(), *devs;
	char hex[2 * DMABUFSTAT_BUFNAME_LEN + 1] = "", *name;
	uint32_t j;

	for (j = 0; j < b->nr_procs; j++) {
		const struct dmabufstat_holder *h;

		h = dmabufstat_buffer_holder(s, r->idx, j);
		if (h)
			json_object_array_add(pids, json_object_new_uint64(
				dmabufstat_process(s, h->proc)->pid));
	}
	json_object_object_add(o, "pids", pids);
	devs = json_object_new_array();
	for (j = 0; j < b->nr_attach_names; j++)
		json_object_array_add(devs, json_object_new_string(b->attach[j]));
	json_object_object_add(o, "devices", devs);
	json_object_object_add(o, "nr_attach", json_object_new_uint64(b->nr_attach));
	name = utf8_clean(b->name);
	json_object_object_add(o, "name", json_object_new_string(name ?: ""));
	free(name);
	for (j = 0; b->name[j]; j++)
		sprintf(hex + 2 * j, "%02x", (unsigned char)b->name[j]);
	json_object_object_add(o, "name_hex", json_object_new_string(hex));
	json_object_object_add(o, "exp_name", json_object_new_string(b->exporter));
	json_object_object_add(o, "kernel_only",
			       json_object_new_boolean(!b->nr_procs));
	return o;
}

static int print_json(struct model *m, const struct top_opts *o,
		      const struct table *t, double interval, uint64_t refresh)
{
	const struct dmabufstat_system *tot = dmabufstat_totals(m->snap);
	json_object *root = json_object_new_object(), *jt, *arr;
	char when[48];
	size_t i, rows = t->nr;
	int k;

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

	arr = json_object_new_array();
	if (o->rows && rows > o->rows)
		rows = o->rows;
	for (i = 0; i < rows; i++) {
		const struct row *r = &t->rows[i];
		json_object *jr = json_object_new_object();

		if (r->group)
			json_object_object_add(jr, "group",
					       json_object_new_boolean(true));
		for (k = 0; k < t->ncols; k++) {
			const struct col *c = &t->cols[k];
			json_object *v;

			switch (c->kind) {
			case COL_STR:
				v = json_object_new_string(r->s[k] ?: "");
				break;
			case COL_LEAK:
				v = json_object_new_boolean(r->leak);
				break;
			case COL_NUM:
			case COL_BYTES:
				v = json_object_new_uint64(r->v[k]);
				break;
			default:
				v = json_object_new_int64(r->v[k]);
				break;
			}
			json_object_object_add(jr, c->key, v);
		}
		if (t->cols[t->ncols - 1].kind == COL_LEAK)
			json_object_object_add(jr, "growth_streak",
					       json_object_new_int(r->streak));
		if (o->view == TOP_BUFFERS && r->idx >= 0)
			buffer_extra(m->snap, r, jr);
		json_object_array_add(arr, jr);
	}
	json_object_object_add(root, top_view_keys[o->view], arr);
	fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN),
	      stdout);
	putchar('\n');
	json_object_put(root);
	return 0;
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
