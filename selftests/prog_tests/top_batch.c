// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top's batch mode against ground truth: dmabuf-workload makes its
 * population, `dmabuf-top -b -o json -v VIEW 0.2 3` must print three JSON
 * lines (refresh 1..3) that parse, whose totals match debugfs bufinfo and
 * whose buffers and processes match the workload's manifest (size,
 * exporter, name, holders; rss and pss computed from the manifest), with
 * no growth in a steady population; then a leaking process is marked
 * and --since-start counts from the first refresh; odd buffer names come
 * out exact in JSON and on one line in text. -H: no group row above a
 * lone member, a buffers group's PROCS counts each process once, -r N
 * keeps N rows (then grouped); the cgroups table keeps its columns
 * under their titles. Needs buffer sources:
 * runs in the guest, skips elsewhere.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <json-c/json.h>

#include "test_progs.h"
#include "json_query.h"
#include "workload.h"
#include "bufsrc.h"

static struct workload wl = WORKLOAD_INIT;
static struct manifest mf;

/* Runs dmabuf-top -b -o json args; its stdout's lines parsed into docs[]. */
static int run_top(const char *args, json_object **docs, int max)
{
	char cmd[512], line[1 << 20];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "%s -b -o json %s", exe_beside("dmabuf-top"),
		 args);
	p = popen(cmd, "r");
	if (!ASSERT_OK_PTR(p, "popen dmabuf-top"))
		return 0;
	while (fgets(line, sizeof(line), p)) {
		json_object *o = json_tokener_parse(line);

		if (!ASSERT_OK_PTR(o, "JSON line parses"))
			continue;
		if (n < max)
			docs[n++] = o;
		else
			json_object_put(o);
	}
	ASSERT_EQ(pclose(p), 0, "dmabuf-top exits 0");
	return n;
}

static void check(void)
{
	json_object *bdocs[4] = { 0 }, *pdocs[4] = { 0 }, *edocs[4] = { 0 };
	struct bufinfo bi = { 0 };
	int nb, np, ne, i, j, k;

	if (manifest_read(wl.manifest, &mf) ||
	    !ASSERT_GT(mf.nr_bufs, 0, "manifest buffers") ||
	    !ASSERT_OK(bufinfo_read(&bi), "bufinfo"))
		return;
	nb = run_top("-v buffers 0.2 3", bdocs, 4);
	np = run_top("-v procs 0.2 3", pdocs, 4);
	ne = run_top("-v exporters 0.2 3", edocs, 4);
	ASSERT_EQ(nb, 3, "buffers: 3 refreshes");
	ASSERT_EQ(np, 3, "procs: 3 refreshes");
	ASSERT_EQ(ne, 3, "exporters: 3 refreshes");
	for (i = 0; i < nb; i++) {
		json_object *t = jget(bdocs[i], "totals"), *arr;

		ASSERT_EQ(ju(bdocs[i], "refresh"), (uint64_t)i + 1, "refresh n");
		ASSERT_GT(strlen(json_object_get_string(jget(bdocs[i], "backend")) ?: ""), 4, "backend");
		ASSERT_EQ(ju(t, "count"), (uint64_t)bi.nr, "count = bufinfo's");
		ASSERT_EQ(ju(t, "bytes"), bi.total_bytes, "bytes = bufinfo's");
		arr = jget(bdocs[i], "buffers");
		ASSERT_EQ(json_object_array_length(arr), (size_t)bi.nr, "buffer rows");
		for (j = 0; j < mf.nr_bufs; j++) {
			const struct mf_buf *m = &mf.bufs[j];
			json_object *b = jfind(arr, "ino", m->ino), *pids;

			if (!ASSERT_OK_PTR(b, "manifest buffer listed"))
				continue;
			ASSERT_EQ(ju(b, "size"), m->size, "size");
			ASSERT_STREQ(json_object_get_string(jget(b, "exp_name")),
				     m->exp_name, "exp_name");
			ASSERT_STREQ(json_object_get_string(jget(b, "name")),
				     m->name, "name");
			ASSERT_EQ(ju(b, "procs"), (uint64_t)m->nr_holders,
				  "holders");
			pids = jget(b, "pids");
			for (k = 0; k < m->nr_holders; k++) {
				size_t n;
				bool found = false;

				for (n = 0; n < json_object_array_length(pids); n++)
					found |= json_object_get_uint64(json_object_array_get_idx(pids, n)) ==
						 (uint64_t)m->holders[k];
				ASSERT_TRUE(found, "holder pid listed");
			}
		}
	}
	/* processes: rss and pss from the manifest; a steady population */
	for (i = 0; i < np; i++) {
		json_object *arr = jget(pdocs[i], "processes");
		size_t r;

		for (r = 0; r < json_object_array_length(arr); r++) {
			json_object *p = json_object_array_get_idx(arr, r);
			const struct mf_proc *m = manifest_proc(&mf, ju(p, "pid"));
			uint64_t rss = m ? m->rss : 0, pss = m ? m->pss : 0;

			ASSERT_EQ(ju(p, "rss"), rss, "process rss = manifest's");
			ASSERT_EQ(ju(p, "pss"), pss, "process pss = manifest's");
			/* refresh 1 is the baseline: no growth there either */
			ASSERT_EQ(json_object_get_int64(jget(p, "delta")), 0,
				  "steady: no growth");
			ASSERT_FALSE(json_object_get_boolean(jget(p, "leak")),
				     "no leak mark");
		}
		ASSERT_GE(json_object_array_length(arr), 4, "workload processes");
	}
	for (i = 0; i < ne; i++) {
		json_object *arr = jget(edocs[i], "exporters");
		uint64_t sum = 0;
		size_t r;

		for (r = 0; r < json_object_array_length(arr); r++)
			sum += ju(json_object_array_get_idx(arr, r), "bytes");
		ASSERT_EQ(sum, bi.total_bytes, "exporters sum to the total");
	}
	for (i = 0; i < 3; i++) {
		json_object_put(bdocs[i]);
		json_object_put(pdocs[i]);
		json_object_put(edocs[i]);
	}
	bufinfo_free(&bi);
}

/*
 * A process that takes one more page every 0.1 s, seen every 0.3 s: from
 * the 4th refresh on it has grown at each of the last 3 (-K 3) and is
 * marked; with --since-start its DELTA counts from refresh 1, and the
 * steady processes show neither growth nor a mark.
 */
static void check_leak(void)
{
	const char *const args[] = { "--leak", "0.1", NULL };
	struct workload lw = WORKLOAD_INIT;
	struct manifest lm = { 0 };
	json_object *docs[6] = { 0 };
	uint64_t first = 0, prev = 0, rss;
	int n = 0, i;
	size_t r;

	if (!workload_start_args(&lw, "top_batch_leak", args) ||
	    manifest_read(lw.manifest, &lm) ||
	    !ASSERT_GT(lm.leaker, 0, "the manifest names the leaker"))
		goto out;
	n = run_top("-v procs -K 3 --since-start 0.3 6", docs, 6);
	ASSERT_EQ(n, 6, "6 refreshes");
	for (i = 0; i < n; i++) {
		json_object *arr = jget(docs[i], "processes");
		json_object *p = jfind(arr, "pid", lm.leaker);

		if (!p) {	/* no buffer yet at the first refresh */
			ASSERT_EQ(i, 0, "the leaker is listed once it holds one");
			continue;
		}
		rss = ju(p, "rss");
		if (i == 0)
			first = rss;
		ASSERT_EQ(json_object_get_int64(jget(p, "delta")),
			  (int64_t)(rss - first), "--since-start: DELTA from refresh 1");
		if (i > 0)
			ASSERT_GT(rss, prev, "the leaker grows");
		prev = rss;
		ASSERT_EQ(json_object_get_boolean(jget(p, "leak")), i >= 3,
			  "marked from the 4th refresh on");
		for (r = 0; r < json_object_array_length(arr); r++) {
			json_object *o = json_object_array_get_idx(arr, r);

			if (ju(o, "pid") == (uint64_t)lm.leaker)
				continue;
			ASSERT_EQ(json_object_get_int64(jget(o, "delta")), 0,
				  "steady: no DELTA");
			ASSERT_FALSE(json_object_get_boolean(jget(o, "leak")),
				     "steady: no mark");
		}
	}
	for (i = 0; i < n; i++)
		json_object_put(docs[i]);
out:
	workload_stop(&lw);
	manifest_free(&lm);
}

/*
 * Names a user can give a buffer (DMA_BUF_SET_NAME): quotes, backslash,
 * newline, tab, bytes that are not UTF-8 (stray bytes, an encoded
 * surrogate, an overlong sequence), valid UTF-8, and the longest one (31
 * bytes). JSON (docs/json-schema.md, as dmabufstat): the name as valid
 * UTF-8 (bad bytes U+FFFD) and, only when it was not valid, the exact
 * bytes in name_hex. Text under a UTF-8 locale: one line a buffer, valid
 * UTF-8 as it is, control and invalid bytes escaped C-style.
 */
#define FFFD "\xef\xbf\xbd"
static const struct {
	const char *name, *json, *text;
	bool valid;
} odd[] = {
	{ "q\"x\ny,\xff\xfe", "q\"x\ny," FFFD FFFD, "q\"x\\ny,\\xff\\xfe", false },
	{ "back\\slash\ttab/", "back\\slash\ttab/", "back\\\\slash\\ttab/", true },
	{ "gr\xc3\xbc\xc3\x9f" "e-\xe2\x82\xac", "gr\xc3\xbc\xc3\x9f" "e-\xe2\x82\xac",
	  "gr\xc3\xbc\xc3\x9f" "e-\xe2\x82\xac", true },
	{ "sur\xed\xa0\x80" "ov\xe0\x80\xaf", "sur" FFFD FFFD FFFD "ov" FFFD FFFD FFFD,
	  "sur\\xed\\xa0\\x80ov\\xe0\\x80\\xaf", false },
	{ "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcde",
	  "0123456789abcdef0123456789abcde", true },
};
#define NR_ODD	(int)(sizeof(odd) / sizeof(odd[0]))

static void check_odd_names(void)
{
	char args[128], hex[80], cmd[512], line[4096];
	unsigned long ino[NR_ODD] = { 0 };
	int fd[NR_ODD], i, j, lines = 0;
	json_object *doc = NULL;
	FILE *p;

	for (i = 0; i < NR_ODD; i++)
		fd[i] = -1;
	for (i = 0; i < NR_ODD; i++) {
		fd[i] = udmabuf_create(4096);
		if (fd[i] == -ENOENT)
			fd[i] = heap_alloc("system", 4096);
		if (!ASSERT_GE(fd[i], 0, "a buffer") ||
		    !ASSERT_OK(dmabuf_set_name(fd[i], odd[i].name), "set name"))
			goto out;
		ino[i] = ino_of_fd(fd[i]);
	}
	snprintf(args, sizeof(args), "-v buffers -p %d 0.1 1", getpid());
	if (ASSERT_EQ(run_top(args, &doc, 1), 1, "one JSON line")) {
		json_object *arr = jget(doc, "buffers");

		ASSERT_EQ(json_object_array_length(arr), NR_ODD, "our buffers");
		for (i = 0; i < NR_ODD; i++) {
			json_object *b = jfind(arr, "ino", ino[i]);

			if (!ASSERT_OK_PTR(b, "listed"))
				continue;
			ASSERT_STREQ(json_object_get_string(jget(b, "name")),
				     odd[i].json, "name as UTF-8");
			for (j = 0; odd[i].name[j]; j++)
				sprintf(hex + 2 * j, "%02x",
					(unsigned char)odd[i].name[j]);
			if (odd[i].valid)
				ASSERT_NULL(jget(b, "name_hex"),
					    "valid UTF-8: no name_hex");
			else
				ASSERT_STREQ(json_object_get_string(jget(b, "name_hex")),
					     hex, "name_hex: the exact bytes");
		}
	}
	json_object_put(doc);

	snprintf(cmd, sizeof(cmd), "LC_ALL=C.UTF-8 %s -b --bytes %s",
		 exe_beside("dmabuf-top"), args);
	p = popen(cmd, "r");
	if (!ASSERT_OK_PTR(p, "popen"))
		goto out;
	while (fgets(line, sizeof(line), p)) {
		for (i = 0; i < NR_ODD; i++) {
			char want[64];

			snprintf(want, sizeof(want), " %s ", odd[i].text);
			if (strstr(line, want) || (strstr(line, odd[i].text) &&
			    !strcmp(strstr(line, odd[i].text) + strlen(odd[i].text), "\n")))
				lines++;
		}
	}
	ASSERT_EQ(pclose(p), 0, "text exit");
	ASSERT_EQ(lines, NR_ODD, "text: each name on its buffer's line");
out:
	for (j = 0; j < NR_ODD; j++)
		if (fd[j] >= 0)
			close(fd[j]);
}

static bool is_group(json_object *row)
{
	json_object *g = jget(row, "group");

	return g && json_object_get_boolean(g);
}

/*
 * -H: groups of two or more only, PROCS counted once per process. The
 * workload's processes each have their own command (wl-camera, ...), so
 * none gets a group row; test_progs and a child holding one buffer are
 * the one group of two.
 */
static void check_tree(void)
{
	json_object *docs[1] = { 0 }, *arr, *row;
	size_t i, j, n, wl_groups = 0, limited;
	int fd = udmabuf_create(65536), self_group = -1;
	pid_t child;

	if (fd < 0)
		fd = heap_alloc("system", 65536);
	if (!ASSERT_OK_FD(fd, "a buffer held here"))
		return;
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	if (!ASSERT_GT(child, 0, "fork")) {
		close(fd);
		return;
	}
	if (run_top("-H -v procs 0.1 1", docs, 1) == 1) {
		arr = jget(docs[0], "processes");
		n = arr ? json_object_array_length(arr) : 0;
		for (i = 0; i < n; i++) {
			row = json_object_array_get_idx(arr, i);
			if (!is_group(row))
				continue;
			ASSERT_GE(ju(row, "pid"), 2, "a group has 2+ members");
			if (!strncmp(js(row, "comm"), "wl-", 3))
				wl_groups++;
			if (!strcmp(js(row, "comm"), "test_progs"))
				self_group = ju(row, "pid");
		}
		ASSERT_EQ(wl_groups, 0, "lone processes have no group row");
		ASSERT_EQ(self_group, 2, "test_progs and its child: a group of 2");
		json_object_put(docs[0]);
	}
	if (run_top("-H -v buffers 0.1 1", docs, 1) == 1) {
		arr = jget(docs[0], "buffers");
		n = arr ? json_object_array_length(arr) : 0;
		for (i = 0; i < n; i++) {
			uint64_t pids[256];
			size_t np = 0, k, m, distinct = 0;

			row = json_object_array_get_idx(arr, i);
			if (!is_group(row))
				continue;
			/* its members follow it, up to the next group */
			for (j = i + 1; j < n; j++) {
				json_object *b = json_object_array_get_idx(arr, j);
				json_object *pl = jget(b, "pids");

				if (is_group(b) || strcmp(js(b, "exporter"),
							  js(row, "exporter")))
					break;
				for (k = 0; pl && k < json_object_array_length(pl) &&
					    np < 256; k++)
					pids[np++] = json_object_get_uint64(
						json_object_array_get_idx(pl, k));
			}
			for (k = 0; k < np; k++) {
				for (m = 0; m < k && pids[m] != pids[k]; m++)
					;
				distinct += m == k;
			}
			ASSERT_EQ(ju(row, "procs"), distinct,
				  "group PROCS: distinct holders");
		}
		json_object_put(docs[0]);
	}
	/* -r 2: two processes, grouped; not the first group's first row */
	if (run_top("-H -r 2 -v procs 0.1 1", docs, 1) == 1) {
		arr = jget(docs[0], "processes");
		n = arr ? json_object_array_length(arr) : 0;
		for (i = 0, limited = 0; i < n; i++)
			limited += !is_group(json_object_array_get_idx(arr, i));
		ASSERT_EQ(limited, 2, "-r 2: two processes");
		json_object_put(docs[0]);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(fd);
}

/*
 * The cgroups table in batch mode: the comma-joined PROCESSES column
 * does not push PROCS and RSS away from their titles (numbers end under
 * their title's last letter).
 */
static void check_cgroups_table(void)
{
	char cmd[512], *out, *line, *save = NULL, *hdr = NULL;
	int st, procs_end = -1, rss_end = -1, rows = 0;
	char *p;

	snprintf(cmd, sizeof(cmd), "%s -b -v cgroups 0.1 1",
		 exe_beside("dmabuf-top"));
	out = run_capture(cmd, &st);
	if (!ASSERT_OK_PTR(out, "dmabuf-top -b -v cgroups") ||
	    !ASSERT_EQ(st, 0, "exit 0"))
		goto out;
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!hdr) {
			if (strncmp(line, "CGROUP", 6) &&
			    strncmp(line, "  CGROUP", 8) &&
			    !strstr(line, "CGROUP  PROCESSES"))
				continue;
			hdr = line;
			p = strstr(line, "PROCS");
			procs_end = p ? (int)(p - line) + 4 : -1;
			p = strstr(line, " RSS");
			rss_end = p ? (int)(p - line) + 3 : -1;
			if (!ASSERT_GE(procs_end, 0, "PROCS title") ||
			    !ASSERT_GE(rss_end, 0, "RSS title"))
				goto out;
			continue;
		}
		if ((int)strlen(line) <= rss_end)
			continue;
		rows++;
		ASSERT_NEQ(line[procs_end], ' ', "PROCS under its title");
		ASSERT_EQ(line[procs_end + 1], ' ', "PROCS ends there");
		ASSERT_NEQ(line[rss_end], ' ', "RSS under its title");
		ASSERT_EQ(line[rss_end + 1], ' ', "RSS ends there");
	}
	ASSERT_GE(rows, 1, "cgroup rows");
out:
	free(out);
}

void test_top_batch(void)
{
	if (!have_buffer_source()) {
		test__skip_reason("no dma-buf sources here: run in the guest");
		return;
	}
	if (access(BUFINFO_PATH, R_OK)) {
		test__skip_reason("no debugfs bufinfo for ground truth");
		return;
	}
	if (workload_start(&wl, "top_batch")) {
		if (test__start_subtest("json_ground_truth"))
			check();
		if (test__start_subtest("tree"))
			check_tree();
		if (test__start_subtest("cgroups_table"))
			check_cgroups_table();
	}
	workload_stop(&wl);
	manifest_free(&mf);
	if (test__start_subtest("leak_since_start"))
		check_leak();
	if (test__start_subtest("odd_names"))
		check_odd_names();
}
