// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: a saved snapshot's JSON (src/report/snapload.c), the
 * untrusted file dmabufstat diff reads.
 * - raw: any bytes; parsed or refused with a message, never a crash; the
 *   same result twice; every string NUL-terminated within its field; no
 *   inode 0, no pid 0, no inode or pid twice; counts bounded by the text.
 * - printed: buffers and processes of any names (any bytes but NUL),
 *   sizes and holders, written by the tools' own JSON writer (jsonw: bad
 *   UTF-8 as U+FFFD plus "<key>_hex"), pretty or on one line, must read
 *   back exactly.
 */
#include <errno.h>

#include "fuzz.h"
#include "jsonw.h"
#include "snapload.h"

static void check_fields(const struct snapload *s, size_t size)
{
	size_t i, j;

	CHECK(s->nr_bufs <= size && s->nr_procs <= size, "counts bounded");
	for (i = 0; i < s->nr_bufs; i++) {
		const struct snapload_buf *b = &s->bufs[i];

		CHECK(b->ino, "no inode 0");
		CHECK(terminated(b->exp_name, sizeof(b->exp_name)) &&
		      terminated(b->name, sizeof(b->name)) &&
		      terminated(b->driver, sizeof(b->driver)), "strings end");
		CHECK(b->nr_pids <= size, "pids bounded");
		for (j = 0; j < b->nr_pids; j++)
			CHECK(b->pids[j], "no pid 0 among holders");
		for (j = 0; j < i; j++)
			CHECK(s->bufs[j].ino != b->ino, "no inode twice");
	}
	for (i = 0; i < s->nr_procs; i++) {
		const struct snapload_proc *p = &s->procs[i];

		CHECK(p->pid, "no pid 0");
		CHECK(terminated(p->comm, sizeof(p->comm)), "comm ends");
		CHECK(p->nr_inos <= size, "inos bounded");
		for (j = 0; j < p->nr_inos; j++)
			CHECK(p->inos[j], "no inode 0 held");
		for (j = 0; j < i; j++)
			CHECK(s->procs[j].pid != p->pid, "no pid twice");
	}
}

static void check_raw(const uint8_t *data, size_t size)
{
	struct snapload a, b;
	int ea = snapload_parse((const char *)data, size, &a);
	int eb = snapload_parse((const char *)data, size, &b);

	CHECK(ea == eb && a.nr_bufs == b.nr_bufs && a.nr_procs == b.nr_procs &&
	      !strcmp(a.err, b.err), "the same text parses the same");
	CHECK(terminated(a.err, sizeof(a.err)) &&
	      terminated(a.backend, sizeof(a.backend)), "messages end");
	if (!ea)
		check_fields(&a, size);
	else
		CHECK(ea == -ENOMEM || a.err[0], "a refusal says why");
	snapload_free(&a);
	snapload_free(&b);
}

#define NB 4

static void check_printed(const uint8_t *data, size_t size)
{
	struct values v = { data, size };
	struct snapload_buf want[NB];
	struct snapload s;
	struct printed pr;
	struct jsonw w;
	size_t n = take(&v, 1) % (NB + 1), i, j;
	bool pretty = take(&v, 1) & 1;
	char comm[16];
	uint32_t pid = 1 + take(&v, 2);
	int err;

	memset(want, 0, sizeof(want));
	take_str(&v, comm, sizeof(comm) - 1, "");
	jsonw_init(&w, print_start(&pr), pretty);
	jsonw_start_object(&w);
	jsonw_name(&w, "buffers");
	jsonw_start_array(&w);
	for (i = 0; i < n; i++) {
		want[i].ino = i + 1 + (take(&v, 4) << 8);
		want[i].size = take(&v, 8);
		take_str(&v, want[i].exp_name, sizeof(want[i].exp_name) - 1, "");
		take_str(&v, want[i].name, sizeof(want[i].name) - 1, "");
		jsonw_start_object(&w);
		jsonw_uint_field(&w, "ino", want[i].ino);
		jsonw_uint_field(&w, "size", want[i].size);
		jsonw_string_field(&w, "exp_name", want[i].exp_name);
		jsonw_string_field(&w, "name", want[i].name);
		jsonw_name(&w, "pids");
		jsonw_start_array(&w);
		jsonw_uint(&w, pid);
		jsonw_end_array(&w);
		jsonw_end_object(&w);
	}
	jsonw_end_array(&w);
	jsonw_name(&w, "processes");
	jsonw_start_array(&w);
	jsonw_start_object(&w);
	jsonw_uint_field(&w, "pid", pid);
	jsonw_string_field(&w, "comm", comm);
	jsonw_end_object(&w);
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	jsonw_flush(&w);
	print_end(&pr);

	err = snapload_parse(pr.text, pr.len, &s);
	CHECK(!err, "what jsonw wrote reads back");
	CHECK(s.nr_bufs == n && s.nr_procs == 1, "every buffer and process");
	for (i = 0; i < n; i++) {
		const struct snapload_buf *b = &s.bufs[i];

		CHECK(b->ino == want[i].ino && b->size == want[i].size,
		      "numbers exact");
		CHECK(!strcmp(b->exp_name, want[i].exp_name) &&
		      !strcmp(b->name, want[i].name), "names exact");
		CHECK(b->nr_pids == 1 && b->pids[0] == pid, "holders exact");
		for (j = 0; j < i; j++)
			CHECK(s.bufs[j].ino != b->ino, "inodes distinct");
	}
	CHECK(s.procs[0].pid == pid && !strcmp(s.procs[0].comm, comm),
	      "the process exact");
	snapload_free(&s);
	free(pr.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_raw(data, size);
	check_printed(data, size);
	return 0;
}
