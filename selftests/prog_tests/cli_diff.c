// SPDX-License-Identifier: GPL-2.0
/*
 * dmabufstat diff: a saved snapshot against now, through the library's
 * snapshot diff.
 *
 * cli_diff/unchanged  (guest) dmabuf-workload running: diff --save FILE,
 *                     then diff FILE lists no buffer and no process (the
 *                     saved snapshot is rebuilt with every buffer, holder,
 *                     fd and mapping count it had)
 * cli_diff/changes    (guest) that workload stopped and another started:
 *                     each of the first one's buffers (its manifest) is
 *                     freed with its size, each of the second's new; the
 *                     first's processes are gone with their rss, pss, fds
 *                     and maps, the second's new; the table's titles count
 *                     them; -o csv has the three tables
 * cli_diff/refused    (anywhere) what is no saved snapshot: not JSON,
 *                     nested too deep, an inode twice, JSON without
 *                     buffers (the summary's), a folder, no file: exit 1
 *                     with one line saying why; no FILE: exit 2
 */
#include <stdlib.h>
#include <unistd.h>
#include <json-c/json.h>

#include "test_progs.h"
#include "json_query.h"
#include "workload.h"
#include "bufsrc.h"

static char dir[64], saved[96];

static char *dmabufstat(const char *args, int *st)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s %s", exe_beside("dmabufstat"), args);
	return run_capture(cmd, st);
}

static json_object *diff_json(void)
{
	json_object *o = NULL;
	char args[160], *out;
	int st;

	snprintf(args, sizeof(args), "diff -o json %s", saved);
	out = dmabufstat(args, &st);
	if (ASSERT_OK_PTR(out, "diff") && ASSERT_EQ(st, 0, "diff: exit 0"))
		o = json_tokener_parse(out);
	if (!ASSERT_OK_PTR(o, "diff -o json parses"))
		printf("%s\n", out ?: "");
	free(out);
	return o;
}

static bool save(void)
{
	char args[160], *out;
	int st;

	snprintf(args, sizeof(args), "diff --save %s", saved);
	out = dmabufstat(args, &st);
	free(out);
	return ASSERT_EQ(st, 0, "diff --save: exit 0") &&
	       ASSERT_OK(access(saved, R_OK), "the file is there");
}

static void check_unchanged(void)
{
	json_object *o = diff_json();

	if (!o)
		return;
	ASSERT_EQ(json_object_array_length(jget(o, "buffers")), 0,
		  "no buffer changed");
	if (!ASSERT_EQ(json_object_array_length(jget(o, "processes")), 0,
		       "no process changed"))
		printf("%s\n", json_object_to_json_string(jget(o, "processes")));
	ASSERT_EQ(ju(jget(o, "totals"), "count_saved"),
		  ju(jget(o, "totals"), "count"), "as many buffers");
	ASSERT_TRUE(json_object_get_boolean(jget(jget(o, "saved"), "processes")),
		    "the file had the processes");
	json_object_put(o);
}

static void check_changes(const struct manifest *a, const struct manifest *b)
{
	json_object *o = diff_json(), *bufs, *procs, *x;
	char args[160], want[64], *out;
	int i, st;

	if (!o)
		return;
	bufs = jget(o, "buffers");
	procs = jget(o, "processes");
	for (i = 0; i < a->nr_bufs; i++) {
		x = jfind(bufs, "ino", a->bufs[i].ino);
		if (!ASSERT_OK_PTR(x, "the first workload's buffer"))
			continue;
		ASSERT_STREQ(js(x, "change"), "freed", "freed");
		ASSERT_EQ(ju(x, "size"), a->bufs[i].size, "its saved size");
	}
	for (i = 0; i < b->nr_bufs; i++) {
		x = jfind(bufs, "ino", b->bufs[i].ino);
		if (!ASSERT_OK_PTR(x, "the second workload's buffer"))
			continue;
		ASSERT_STREQ(js(x, "change"), "new", "new");
		ASSERT_EQ(ju(x, "size"), b->bufs[i].size, "its size");
	}
	ASSERT_EQ(json_object_array_length(bufs),
		  (size_t)(a->nr_bufs + b->nr_bufs), "no other buffer");
	for (i = 0; i < a->nr_procs; i++) {
		const struct mf_proc *p = &a->procs[i];

		x = jfind(procs, "pid", p->pid);
		if (!ASSERT_OK_PTR(x, "the first workload's process"))
			continue;
		ASSERT_STREQ(js(x, "change"), "gone", "gone");
		ASSERT_STREQ(js(x, "comm"), p->comm, "its name");
		ASSERT_EQ(ju(x, "rss"), p->rss, "its saved rss");
		ASSERT_EQ(ju(x, "pss"), p->pss, "its saved pss");
		ASSERT_EQ(ju(x, "fds"), p->nr_fds, "its saved fds");
		ASSERT_EQ(ju(x, "maps"), p->nr_maps, "its saved maps");
	}
	for (i = 0; i < b->nr_procs; i++) {
		x = jfind(procs, "pid", b->procs[i].pid);
		if (!ASSERT_OK_PTR(x, "the second workload's process"))
			continue;
		ASSERT_STREQ(js(x, "change"), "new", "new");
		ASSERT_EQ(ju(x, "rss"), b->procs[i].rss, "its rss");
	}
	json_object_put(o);

	/* the table says how many of each */
	snprintf(args, sizeof(args), "diff %s", saved);
	out = dmabufstat(args, &st);
	if (ASSERT_OK_PTR(out, "diff") && ASSERT_EQ(st, 0, "diff: exit 0")) {
		snprintf(want, sizeof(want), "Buffers: %d new, 0 resized, %d freed",
			 b->nr_bufs, a->nr_bufs);
		ASSERT_HAS_SUBSTR(out, want, "the buffers' title");
		snprintf(want, sizeof(want), "Processes: %d new, ", b->nr_procs);
		ASSERT_HAS_SUBSTR(out, want, "the processes' title");
	}
	free(out);
	snprintf(args, sizeof(args), "diff -o csv %s", saved);
	out = dmabufstat(args, &st);
	if (ASSERT_OK_PTR(out, "diff -o csv") && ASSERT_EQ(st, 0, "exit 0")) {
		/* several tables, as the summary's: each under "# KEY" */
		ASSERT_STRNEQ(out, "# totals\ntime,backend,", 22,
			      "CSV: the totals' header first");
		ASSERT_HAS_SUBSTR(out, "\n# buffers\ntime,backend,change,ino",
				  "CSV: the buffers' table");
	}
	free(out);
}

/* The file's text, then `dmabufstat diff FILE`: exit 1 and why. */
static void refused(const char *text, const char *why, const char *what)
{
	char path[128], args[200], *out;
	FILE *f;
	int st;

	snprintf(path, sizeof(path), "%s/bad.json", dir);
	f = fopen(path, "w");
	if (!ASSERT_OK_PTR(f, "write the file"))
		return;
	fputs(text, f);
	fclose(f);
	snprintf(args, sizeof(args), "diff %s 2>&1", path);
	out = dmabufstat(args, &st);
	if (ASSERT_OK_PTR(out, what) && ASSERT_EQ(st, 1, what)) {
		ASSERT_HAS_SUBSTR(out, why, what);
		ASSERT_EQ(strchr(out, '\n') - out + 1, (long)strlen(out),
			  "one line");
	}
	free(out);
}

static void check_refused(void)
{
	char deep[300], args[200], *out;
	int st;

	/* an object whose first member opens arrays 290 deep */
	memcpy(deep, "{\"a\": ", 6);
	memset(deep + 6, '[', sizeof(deep) - 7);
	deep[sizeof(deep) - 1] = '\0';
	refused("not json", "not a saved snapshot", "not JSON");
	refused(deep, "nested too deep", "nested too deep");
	refused("{\"buffers\": [{\"ino\": 7}, {\"ino\": 7}]}", "twice",
		"an inode twice");
	refused("{\"buffers\": [{\"ino\": 1, \"size\": -4}]}", "size",
		"a negative size");
	refused("{\"view\": \"summary\", \"processes\": []}", "--save",
		"no buffers: says how to save one");
	snprintf(args, sizeof(args), "diff %s 2>&1", dir);
	out = dmabufstat(args, &st);
	ASSERT_EQ(st, 1, "a folder: exit 1");
	free(out);
	snprintf(args, sizeof(args), "diff %s/none.json 2>&1", dir);
	out = dmabufstat(args, &st);
	ASSERT_EQ(st, 1, "no such file: exit 1");
	free(out);
	out = dmabufstat("diff 2>&1", &st);
	ASSERT_EQ(st, 2, "no FILE: a usage error");
	free(out);
}

void test_cli_diff(void)
{
	struct workload wa = WORKLOAD_INIT, wb = WORKLOAD_INIT;
	struct manifest a = { 0 }, b = { 0 };

	snprintf(dir, sizeof(dir), "/tmp/cli_diff.XXXXXX");
	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	snprintf(saved, sizeof(saved), "%s/saved.json", dir);
	if (test__start_subtest("refused"))
		check_refused();
	if (!have_buffer_source()) {
		if (test__start_subtest("unchanged"))
			test__skip_reason("no dma-buf sources here: run in the guest");
		if (test__start_subtest("changes"))
			test__skip_reason("no dma-buf sources here: run in the guest");
		goto out;
	}
	if (!workload_start(&wa, "cli_diff_a") ||
	    !ASSERT_OK(manifest_read(wa.manifest, &a), "manifest a") ||
	    !save())
		goto out;
	if (test__start_subtest("unchanged"))
		check_unchanged();
	workload_stop(&wa);
	if (!workload_start(&wb, "cli_diff_b") ||
	    !ASSERT_OK(manifest_read(wb.manifest, &b), "manifest b"))
		goto out;
	if (test__start_subtest("changes"))
		check_changes(&a, &b);
out:
	workload_stop(&wa);
	workload_stop(&wb);
	manifest_free(&a);
	manifest_free(&b);
	unlink(saved);
	snprintf(saved, sizeof(saved), "%s/bad.json", dir);
	unlink(saved);
	rmdir(dir);
}
