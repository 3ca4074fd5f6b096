// SPDX-License-Identifier: GPL-2.0
/*
 * --exporter NAME in both tools: who holds the most memory of one
 * exporter. With dmabuf-workload running (the guest), for each exporter
 * of its manifest, `dmabufstat procs --exporter E -o json` and
 * `dmabuf-top -b -o json --exporter E` list exactly the workload's
 * processes that hold a buffer of E, each with the rss, pss, bufs, fds
 * and maps of those buffers as the manifest has them; buffers lists only
 * E's buffers. `dmabufstat buffers INO INO` lists exactly those two
 * buffers; an inode that is no buffer is an error (exit 1).
 */
#include <stdlib.h>
#include <unistd.h>
#include <json-c/json.h>

#include "test_progs.h"
#include "json_query.h"
#include "workload.h"
#include "bufsrc.h"

struct want {
	uint64_t rss, pss;
	unsigned int bufs, fds, maps;
	int nr_bufs_seen;
};

/* A process's figures over exporter exp's buffers, from the manifest. */
static bool want_of(const struct manifest *mf, pid_t pid, const char *exp,
		    struct want *w)
{
	int i, k;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < mf->nr_bufs; i++) {
		const struct mf_buf *b = &mf->bufs[i];

		if (strcmp(b->exp_name, exp))
			continue;
		for (k = 0; k < b->nr_holders; k++) {
			if (b->holders[k] != pid)
				continue;
			w->rss += b->size;
			w->pss += b->size / b->nr_holders;
			w->bufs++;
			w->fds += b->fds[k];
			w->maps += b->maps[k];
		}
	}
	return w->bufs > 0;
}

static json_object *json_of(const char *prog, const char *args)
{
	char cmd[512];
	json_object *o;
	char *out;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s", exe_beside(prog), args);
	out = run_capture(cmd, &st);
	if (!ASSERT_OK_PTR(out, cmd) || !ASSERT_EQ(st, 0, cmd)) {
		free(out);
		return NULL;
	}
	o = json_tokener_parse(out);
	ASSERT_OK_PTR(o, "JSON parses");
	free(out);
	return o;
}

static void check_procs(const struct manifest *mf, const char *exp,
			json_object *arr, const char *what)
{
	size_t n = arr ? json_object_array_length(arr) : 0;
	struct want w;
	int p, listed = 0;

	for (p = 0; p < mf->nr_procs; p++) {
		json_object *row = jfind(arr, "pid", mf->procs[p].pid);
		bool holds = want_of(mf, mf->procs[p].pid, exp, &w);

		if (!holds) {
			ASSERT_NULL(row, "a process without E's buffers is not listed");
			continue;
		}
		listed++;
		if (!ASSERT_OK_PTR(row, what))
			continue;
		ASSERT_EQ(ju(row, "rss"), w.rss, "rss of E's buffers");
		ASSERT_LE(w.pss - ju(row, "pss") + w.bufs, 2 * w.bufs,
			  "pss of E's buffers (rounding per buffer)");
		ASSERT_EQ(ju(row, "bufs"), w.bufs, "bufs of E");
		ASSERT_EQ(ju(row, "fds"), w.fds, "fds on E's buffers");
		ASSERT_EQ(ju(row, "maps"), w.maps, "maps of E's buffers");
	}
	/* other processes may hold E's buffers too; ours must be there */
	ASSERT_GE((int)n, listed, "the holders listed");
}

void test_cli_exporter(void)
{
	struct workload wl = WORKLOAD_INIT;
	struct manifest mf = { 0 };
	char exps[8][64], args[512];
	int nexp = 0, i, e;

	if (!have_buffer_source()) {
		test__skip_reason("no dma-buf sources here: runs in the guest");
		return;
	}
	if (!workload_start(&wl, "cli_exporter"))
		return;
	if (manifest_read(wl.manifest, &mf))
		goto out;
	for (i = 0; i < mf.nr_bufs && nexp < 8; i++) {
		for (e = 0; e < nexp && strcmp(exps[e], mf.bufs[i].exp_name); e++)
			;
		if (e == nexp && mf.bufs[i].exp_name[0])
			snprintf(exps[nexp++], sizeof(exps[0]), "%.63s",
				 mf.bufs[i].exp_name);
	}
	if (!ASSERT_GE(nexp, 2, "two exporters in the workload"))
		goto out;
	for (e = 0; e < nexp; e++) {
		json_object *o;

		if (test__start_subtest(exps[e]) == false)
			continue;
		snprintf(args, sizeof(args), "procs --exporter '%.63s' -o json",
			 exps[e]);
		o = json_of("dmabufstat", args);
		if (o) {
			check_procs(&mf, exps[e], jget(o, "processes"),
				    "dmabufstat procs --exporter");
			json_object_put(o);
		}
		snprintf(args, sizeof(args),
			 "-b -o json -v procs --exporter '%.63s' 0.1 1", exps[e]);
		o = json_of("dmabuf-top", args);
		if (o) {
			check_procs(&mf, exps[e], jget(o, "processes"),
				    "dmabuf-top --exporter");
			json_object_put(o);
		}
		snprintf(args, sizeof(args), "buffers --exporter '%.63s' -o json",
			 exps[e]);
		o = json_of("dmabufstat", args);
		if (o) {
			json_object *arr = jget(o, "buffers");
			size_t k, n = arr ? json_object_array_length(arr) : 0;

			for (k = 0; k < n; k++) {
				json_object *b = json_object_array_get_idx(arr, k);

				ASSERT_TRUE(!strcmp(js(b, "exp_name"), exps[e]) ||
					    !strcmp(js(b, "exporter"), exps[e]),
					    "buffers: E's only");
			}
			json_object_put(o);
		}
	}
	if (test__start_subtest("buffers_by_inode") && mf.nr_bufs >= 2) {
		json_object *o, *arr;

		snprintf(args, sizeof(args), "buffers %lu %lu -o json",
			 mf.bufs[0].ino, mf.bufs[1].ino);
		o = json_of("dmabufstat", args);
		arr = o ? jget(o, "buffers") : NULL;
		if (ASSERT_OK_PTR(arr, "buffers INO INO") &&
		    ASSERT_EQ(json_object_array_length(arr), 2, "two rows")) {
			ASSERT_OK_PTR(jfind(arr, "ino", mf.bufs[0].ino), "first");
			ASSERT_OK_PTR(jfind(arr, "ino", mf.bufs[1].ino), "second");
			ASSERT_EQ(ju(jfind(arr, "ino", mf.bufs[0].ino), "size"),
				  mf.bufs[0].size, "its size");
		}
		json_object_put(o);
		snprintf(args, sizeof(args), "%s buffers 1 2>&1",
			 exe_beside("dmabufstat"));
		{
			int st;
			char *out = run_capture(args, &st);

			ASSERT_EQ(st, 1, "an inode that is no buffer: exit 1");
			if (out)
				ASSERT_HAS_SUBSTR(out, "no buffer with inode 1",
						  "the message");
			free(out);
		}
	}
out:
	manifest_free(&mf);
	workload_stop(&wl);
}
