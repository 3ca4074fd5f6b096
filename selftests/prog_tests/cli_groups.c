// SPDX-License-Identifier: GPL-2.0
/*
 * Per-uid and per-cgroup figures and the --uid/--cgroup filters, on real
 * cgroups: the workload's wl-gpu is moved into a cgroup of its own, then
 * `dmabufstat cgroups`, `uids`, `procs --cgroup`, `buffers --cgroup`,
 * `procs --uid` and dmabuf-top's cgroups view must split the workload's
 * numbers (its manifest) along that line. A group's rss counts each of its
 * buffers once; its pss is the sum of its processes'. cli_groups/paths:
 * each cgroup is shown with its path (the new one's, "/" for the root) in
 * both tools' JSON and tables. Needs buffers and cgroup2: runs in the
 * guest.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "test_progs.h"
#include "json_query.h"
#include "workload.h"
#include "bufsrc.h"

#define CG_ROOT	"/sys/fs/cgroup"
#define CG_NAME	"dmabufstat-test"

static struct workload wl = WORKLOAD_INIT;
static struct manifest mf;

/* `PROG ARGS` (stdout) parsed as one JSON document, or NULL. */
static json_object *run_json(const char *prog, const char *args)
{
	json_object *o = NULL;
	char cmd[512], *out;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s", exe_beside(prog), args);
	out = run_capture(cmd, &st);
	if (ASSERT_OK_PTR(out, "run") && ASSERT_EQ(st, 0, cmd))
		o = json_tokener_parse(out);
	ASSERT_OK_PTR(o, "output parses as JSON");
	free(out);
	return o;
}

/* A group's figures from the manifest: the processes in_group says. */
struct want {
	uint64_t procs, bufs, rss, pss;
};

static struct want want_of(pid_t moved, bool moved_group)
{
	struct want w = { 0 };
	int i, k;

	for (i = 0; i < mf.nr_procs; i++)
		if ((mf.procs[i].pid == moved) == moved_group) {
			w.procs++;
			w.pss += mf.procs[i].pss;
		}
	for (i = 0; i < mf.nr_bufs; i++)
		for (k = 0; k < mf.bufs[i].nr_holders; k++)
			if ((mf.bufs[i].holders[k] == moved) == moved_group) {
				w.bufs++;
				w.rss += mf.bufs[i].size;
				break;
			}
	return w;
}

static void check_group(json_object *g, const char *what, struct want w)
{
	if (!ASSERT_OK_PTR(g, what))
		return;
	ASSERT_EQ(ju(g, "procs"), w.procs, "group procs");
	ASSERT_EQ(ju(g, "bufs"), w.bufs, "group bufs: distinct buffers");
	ASSERT_EQ(ju(g, "rss"), w.rss, "group rss: each buffer once");
	ASSERT_EQ(ju(g, "pss"), w.pss, "group pss: its processes' sum");
}

static bool move_pid(const char *cgroup, pid_t pid)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fprintf(f, "%d\n", pid) > 0;
	return !fclose(f) && ok;
}

static void check_all(pid_t gpu, uint64_t cg_id)
{
	struct want moved = want_of(gpu, true), rest = want_of(gpu, false);
	json_object *o, *arr;
	char args[128];
	size_t i;
	int k;

	o = run_json("dmabufstat", "-o json cgroups");
	if (o) {
		arr = jget(o, "cgroups");
		check_group(jfind(arr, "cgroup_id", cg_id), "the new cgroup", moved);
		check_group(jfind(arr, "cgroup_id", 1), "the root cgroup", rest);
		json_object_put(o);
	}
	o = run_json("dmabuf-top", "-b -o json -v cgroups 0.2 1");
	if (o) {
		arr = jget(o, "cgroups");
		check_group(jfind(arr, "cgroup_id", cg_id), "dmabuf-top: new cgroup", moved);
		check_group(jfind(arr, "cgroup_id", 1), "dmabuf-top: root cgroup", rest);
		json_object_put(o);
	}
	o = run_json("dmabufstat", "-o json uids");
	if (o) {
		struct want all = { moved.procs + rest.procs, 0, 0,
				    moved.pss + rest.pss };

		for (i = 0; i < (size_t)mf.nr_bufs; i++)
			if (mf.bufs[i].nr_holders) {
				all.bufs++;
				all.rss += mf.bufs[i].size;
			}
		arr = jget(o, "uids");
		ASSERT_EQ(json_object_array_length(arr), 1, "one uid: root");
		check_group(jfind(arr, "uid", 0), "uid 0", all);
		json_object_put(o);
	}

	/* --cgroup by name and by id: only wl-gpu, only its buffers */
	for (k = 0; k < 2; k++) {
		if (k)
			snprintf(args, sizeof(args), "-o json procs --cgroup %llu",
				 (unsigned long long)cg_id);
		else
			snprintf(args, sizeof(args), "-o json procs --cgroup " CG_NAME);
		o = run_json("dmabufstat", args);
		if (!o)
			continue;
		arr = jget(o, "processes");
		ASSERT_TRUE(json_object_get_boolean(jget(o, "filtered")), "filtered");
		if (ASSERT_EQ(json_object_array_length(arr), 1, "--cgroup: one process"))
			ASSERT_EQ(ju(json_object_array_get_idx(arr, 0), "pid"),
				  (uint64_t)gpu, "--cgroup: wl-gpu");
		json_object_put(o);
	}
	o = run_json("dmabufstat", "-o json buffers --cgroup " CG_NAME);
	if (o) {
		arr = jget(o, "buffers");
		ASSERT_EQ(json_object_array_length(arr), moved.bufs,
			  "--cgroup: wl-gpu's buffers");
		for (i = 0; i < json_object_array_length(arr); i++) {
			const struct mf_buf *b;

			b = manifest_buf(&mf, ju(json_object_array_get_idx(arr, i), "ino"));
			ASSERT_OK_PTR(b, "a workload buffer");
			for (k = 0; b && k < b->nr_holders; k++)
				if (b->holders[k] == gpu)
					break;
			ASSERT_TRUE(b && k < b->nr_holders, "held by wl-gpu");
		}
		json_object_put(o);
	}

	/* --uid: root has them all, an unused uid none */
	o = run_json("dmabufstat", "-o json procs --uid 0");
	if (o) {
		ASSERT_EQ(json_object_array_length(jget(o, "processes")),
			  (size_t)mf.nr_procs, "--uid 0: every process");
		json_object_put(o);
	}
	o = run_json("dmabufstat", "-o json procs --uid 4242");
	if (o) {
		ASSERT_EQ(json_object_array_length(jget(o, "processes")), 0,
			  "--uid 4242: none");
		json_object_put(o);
	}
}

/* PROG ARGS's stdout has a line with both words in it. */
static bool table_has(const char *prog, const char *args, const char *a,
		      const char *b)
{
	char cmd[512], *out, *line, *save = NULL;
	bool found = false;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s", exe_beside(prog), args);
	out = run_capture(cmd, &st);
	if (!ASSERT_OK_PTR(out, cmd) || !ASSERT_EQ(st, 0, cmd)) {
		free(out);
		return false;
	}
	for (line = strtok_r(out, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save))
		found = strstr(line, a) && strstr(line, b);
	if (!found)
		printf("%s: no line with '%s' and '%s'\n", cmd, a, b);
	free(out);
	return found;
}

/*
 * Each cgroup's path beside its id: the path /proc/PID/cgroup gives, whose
 * directory's inode is the id; in JSON, in the table and in dmabuf-top
 * (batch JSON and table).
 */
static void check_paths(uint64_t cg_id)
{
	static const char *const runs[][2] = {
		{ "dmabufstat", "-o json cgroups" },
		{ "dmabuf-top", "-b -o json -v cgroups 0.2 1" },
	};
	char id[32];
	json_object *o, *arr, *g;
	size_t i;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		o = run_json(runs[i][0], runs[i][1]);
		if (!o)
			continue;
		arr = jget(o, "cgroups");
		g = jfind(arr, "cgroup_id", cg_id);
		if (ASSERT_OK_PTR(g, "the new cgroup"))
			ASSERT_STREQ(js(g, "path"), "/" CG_NAME, runs[i][0]);
		g = jfind(arr, "cgroup_id", 1);
		if (ASSERT_OK_PTR(g, "the root cgroup"))
			ASSERT_STREQ(js(g, "path"), "/", runs[i][0]);
		json_object_put(o);
	}
	snprintf(id, sizeof(id), "%llu ", (unsigned long long)cg_id);
	ASSERT_TRUE(table_has("dmabufstat", "cgroups", id, "/" CG_NAME),
		    "dmabufstat cgroups: the path beside the id");
	ASSERT_TRUE(table_has("dmabuf-top", "-b -v cgroups 0.2 1", id,
			      "/" CG_NAME),
		    "dmabuf-top -v cgroups: the path beside the id");
}

void test_cli_groups(void)
{
	const struct mf_proc *gpu = NULL;
	struct stat st;
	bool moved = false;
	int i;

	if (!have_buffer_source()) {
		test__skip_reason("no dma-buf sources here: run in the guest");
		return;
	}
	if (access(CG_ROOT "/cgroup.procs", W_OK)) {
		test__skip_reason("no writable cgroup2 hierarchy at " CG_ROOT);
		return;
	}
	if (!workload_start(&wl, "cli_groups") || manifest_read(wl.manifest, &mf))
		goto out;
	for (i = 0; i < mf.nr_procs; i++)
		if (!strcmp(mf.procs[i].comm, "wl-gpu"))
			gpu = &mf.procs[i];
	if (!ASSERT_OK_PTR(gpu, "wl-gpu in the manifest"))
		goto out;
	if (mkdir(CG_ROOT "/" CG_NAME, 0755) && errno != EEXIST) {
		ASSERT_OK(-errno, "mkdir the cgroup");
		goto out;
	}
	if (!ASSERT_OK(stat(CG_ROOT "/" CG_NAME, &st), "stat the cgroup") ||
	    !ASSERT_TRUE(move_pid(CG_ROOT "/" CG_NAME, gpu->pid), "move wl-gpu"))
		goto out;
	moved = true;
	if (test__start_subtest("split"))
		check_all(gpu->pid, st.st_ino);
	if (test__start_subtest("paths"))
		check_paths(st.st_ino);
out:
	if (moved)
		ASSERT_TRUE(move_pid(CG_ROOT, gpu->pid), "wl-gpu back to the root");
	workload_stop(&wl);
	rmdir(CG_ROOT "/" CG_NAME);
	manifest_free(&mf);
}
