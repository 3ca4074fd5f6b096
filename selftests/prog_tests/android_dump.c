// SPDX-License-Identifier: GPL-2.0
/*
 * android_dump: `dmabufstat dump` against dmabuf_dump's layouts (the printf
 * formats of DESIGN.md section 5) and against the guest workload's ground
 * truth (dmabuf-workload's manifest, debugfs bufinfo).
 *
 * Every line is parsed back, then printed again with dmabuf_dump's format
 * and compared byte for byte with what dmabufstat printed; every number is
 * compared with what the manifest says. Needs buffer sources (the guest);
 * on the host only the empty-system output is checked.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_progs.h"
#include "workload.h"
#include "bufsrc.h"

#define MAX_PROCS 16

/* Runs `dmabufstat ARGS`, returns its stdout (malloc'd) or NULL. */
static char *run(const char *args, int *status)
{
	char cmd[8192], *out;

	snprintf(cmd, sizeof(cmd), "%s %s", exe_beside("dmabufstat"), args);
	out = run_capture(cmd, status);
	if (!ASSERT_OK_PTR(out, "popen"))
		return NULL;
	if (test__verbose())
		printf("$ dmabufstat %s\n%s", args, out);
	return out;
}

/* Ground truth: the manifest; p is an index in mf.procs. */
static struct manifest mf;

static int proc_idx(int pid)
{
	int i;

	for (i = 0; i < mf.nr_procs; i++)
		if (mf.procs[i].pid == pid)
			return i;
	return -1;
}

/* The fds (or, with maps, the mappings) process p has on b. */
static int nr_in(const struct mf_buf *b, int p, bool maps)
{
	int k;

	for (k = 0; k < b->nr_holders; k++)
		if (b->holders[k] == mf.procs[p].pid)
			return maps ? b->maps[k] : b->fds[k];
	return 0;
}

static bool held(const struct mf_buf *b, int p)
{
	return nr_in(b, p, false) || nr_in(b, p, true);
}

/* Next line of *s (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **s)
{
	char *l = *s, *nl;

	if (!l || !*l)
		return NULL;
	nl = strchr(l, '\n');
	if (nl) {
		*nl = '\0';
		*s = nl + 1;
	} else {
		*s = l + strlen(l);
	}
	return l;
}

static const char *show(const char *s)
{
	return *s ? s : "<unknown>";
}

/* Default per-process tables and the last line. */
static void check_default(char *out, unsigned long long total_bytes)
{
	unsigned long long userspace = 0, tot_rss = 0, tot_pss = 0;
	char *s = out, *l, want[512];
	int seen[MAX_PROCS] = { 0 }, i, p;

	for (;;) {
		unsigned long long rss = 0, pss = 0;
		char comm[32];
		int pid, nr_rows = 0;

		l = next_line(&s);
		if (!ASSERT_OK_PTR(l, "line"))
			return;
		if (!strncmp(l, "dmabuf total:", 13))
			break;
		/* "%16s:%-5d" */
		if (!ASSERT_EQ(sscanf(l, "%31[^:]:%d", comm, &pid), 2,
			       "process header"))
			return;
		p = proc_idx(pid);
		if (p < 0) {
			/* a holder the workload did not make: skip its table */
			while ((l = next_line(&s)) && strcmp(l, "----------------------"))
				;
			continue;
		}
		seen[p]++;
		snprintf(want, sizeof(want), "%16s:%-5d", mf.procs[p].comm, pid);
		ASSERT_STREQ(l, want, "process header layout");
		l = next_line(&s);
		snprintf(want, sizeof(want), "%22s %16s %16s %16s %16s %22s",
			 "Name", "Rss", "Pss", "nr_procs", "Inode", "Exporter");
		ASSERT_STREQ(l ?: "", want, "column header layout");
		while ((l = next_line(&s))) {
			unsigned long long r, ps, ino;
			char name[64], exp[64];
			const struct mf_buf *b;
			size_t np;

			if (strstr(l, "PROCESS TOTAL"))
				break;
			if (!ASSERT_EQ(sscanf(l, "%63s %llu kB %llu kB %zu %llu %63s",
					      name, &r, &ps, &np, &ino, exp), 6,
				       "row parses"))
				return;
			b = manifest_buf(&mf, ino);
			if (!ASSERT_OK_PTR(b, "row buffer in manifest"))
				continue;
			ASSERT_TRUE(held(b, p), "row: process holds it");
			snprintf(want, sizeof(want),
				 "%22s %13" PRIu64 " kB %13" PRIu64 " kB %16zu %16" PRIuMAX "  %22s",
				 show(b->name), (uint64_t)b->size / 1024,
				 (uint64_t)(b->size / b->nr_holders) / 1024,
				 (size_t)b->nr_holders, (uintmax_t)b->ino,
				 show(b->exp_name));
			ASSERT_STREQ(l, want, "row layout and figures");
			rss += b->size;
			pss += b->size / b->nr_holders;
			nr_rows++;
		}
		if (!ASSERT_OK_PTR(l, "PROCESS TOTAL row"))
			return;
		for (i = 0; i < mf.nr_bufs; i++)
			nr_rows -= held(&mf.bufs[i], p);
		ASSERT_EQ(nr_rows, 0, "one row per buffer held");
		snprintf(want, sizeof(want),
			 "%22s %13" PRIu64 " kB %13" PRIu64 " kB %16s",
			 "PROCESS TOTAL", (uint64_t)rss / 1024,
			 (uint64_t)pss / 1024, "");
		ASSERT_STREQ(l, want, "PROCESS TOTAL layout and figures");
		l = next_line(&s);
		ASSERT_STREQ(l ?: "", "----------------------", "dashed line");
		tot_rss += rss;
		tot_pss += pss;
	}
	for (p = 0; p < mf.nr_procs; p++) {
		bool any = false;

		for (i = 0; i < mf.nr_bufs; i++)
			any |= held(&mf.bufs[i], p);
		ASSERT_EQ(seen[p], any ? 1 : 0, "one table per holder");
	}
	for (i = 0; i < mf.nr_bufs; i++)
		if (mf.bufs[i].nr_holders)
			userspace += mf.bufs[i].size;
	snprintf(want, sizeof(want),
		 "dmabuf total: %" PRIu64 " kB kernel_rss: %" PRIu64 " kB userspace_rss: %" PRIu64 " kB userspace_pss: %" PRIu64 " kB",
		 (uint64_t)total_bytes / 1024,
		 (uint64_t)(total_bytes - userspace) / 1024,
		 (uint64_t)tot_rss / 1024, (uint64_t)tot_pss / 1024);
	ASSERT_STREQ(l, want, "last line");
	ASSERT_NULL(next_line(&s), "nothing after the last line");
}

/* -b: per-buffer, per-exporter and totals, against bufinfo. */
static void check_per_buffer(char *out, const struct bufinfo *bi)
{
	char *s = out, *l, want[512];
	int rows = 0, i, nexp = 0;
	unsigned long long total = 0;

	while ((l = next_line(&s)) && !strstr(l, "per-buffer stats"))
		;
	l = next_line(&s);
	ASSERT_STREQ(l ?: "", "    Dmabuf Inode |     Size(bytes) |    Exporter Name                    |",
		     "-b buffer header");
	while ((l = next_line(&s)) && *l) {
		unsigned long ino;
		const struct bufinfo_buf *g;

		if (!ASSERT_EQ(sscanf(l, "%lu |", &ino), 1, "-b row"))
			return;
		g = bufinfo_find(bi, ino);
		if (!ASSERT_OK_PTR(g, "-b row in bufinfo"))
			continue;
		snprintf(want, sizeof(want), "%16lu |%16" PRIu64 " | %16s ",
			 ino, (uint64_t)g->size, show(g->exp_name));
		ASSERT_STREQ(l, want, "-b row layout and figures");
		rows++;
	}
	ASSERT_EQ(rows, bi->nr, "-b: one row per buffer");
	while ((l = next_line(&s)) && !strstr(l, "exporter stats"))
		;
	l = next_line(&s);
	ASSERT_STREQ(l ?: "", "      Exporter Name              | Total Count |     Total Size(bytes)   |",
		     "-b exporter header");
	while ((l = next_line(&s)) && *l) {
		char exp[64];
		unsigned int n = 0;
		uint64_t bytes = 0;

		if (!ASSERT_EQ(sscanf(l, "%63s |", exp), 1, "-b exporter row"))
			return;
		for (i = 0; i < bi->nr; i++)
			if (!strcmp(show(bi->bufs[i].exp_name), exp)) {
				n++;
				bytes += bi->bufs[i].size;
			}
		snprintf(want, sizeof(want), "%32s | %12u| %" PRIu64, exp, n,
			 bytes);
		ASSERT_STREQ(l, want, "-b exporter row layout and figures");
		nexp++;
	}
	ASSERT_GT(nexp, 0, "-b exporters");
	for (i = 0; i < bi->nr; i++)
		total += bi->bufs[i].size;
	while ((l = next_line(&s)) && strncmp(l, "Total DMA-BUF", 13))
		;
	snprintf(want, sizeof(want),
		 "Total DMA-BUF count: %u, Total DMA-BUF size(bytes): %" PRIu64,
		 (unsigned int)bi->nr, (uint64_t)total);
	ASSERT_STREQ(l ?: "", want, "-b totals");
}

/*
 * -a: the grid, against the manifest's fd and map counts, in AOSP's
 * layout: every process column 24 wide in the header ("%16s:%-5d |"), the
 * rows ("%9d(%6d) refs |", or "%22s |" with "--") and the TOTALS line
 * ("%19" PRIu64 " kB |").
 */
static void check_grid(char *out)
{
	char *s = out, *l, *c, want[256];
	int cols[MAX_PROCS * 4], nr_cols = 0, rows = 0, i, k;
	unsigned long long per[MAX_PROCS * 4] = { 0 }, total = 0;

	l = next_line(&s);
	if (!ASSERT_OK_PTR(l, "-a header"))
		return;
	ASSERT_STRNEQ(l, "    Dmabuf Inode |            Size |   Fd Ref Counts |  Map Ref Counts |",
		      72, "-a header start");
	for (c = l + 72; *c && nr_cols < MAX_PROCS * 4; c += 24) {
		int pid;

		if (!ASSERT_EQ(sscanf(c, "%*[^:]:%d", &pid), 1, "-a column"))
			return;
		cols[nr_cols++] = proc_idx(pid);
		if (cols[nr_cols - 1] >= 0) {
			snprintf(want, sizeof(want), "%16s:%-5d |",
				 mf.procs[cols[nr_cols - 1]].comm, pid);
			ASSERT_STRNEQ(c, want, 24, "-a column layout");
		}
	}
	while ((l = next_line(&s)) && strncmp(l, "-----", 5)) {
		unsigned long long ino, kb;
		size_t fds, maps, wfd = 0, wmap = 0;
		const struct mf_buf *b;

		if (!ASSERT_EQ(sscanf(l, "%llu |%llu kB |%zu |%zu |", &ino, &kb,
				      &fds, &maps), 4, "-a row"))
			return;
		ASSERT_EQ(strlen(l), 72 + 24 * (size_t)nr_cols,
			  "-a row: every column 24 wide");
		b = manifest_buf(&mf, ino);
		if (!b)
			continue;	/* not the workload's */
		rows++;
		total += b->size;
		for (k = 0; k < nr_cols; k++)
			if (cols[k] >= 0) {
				wfd += nr_in(b, cols[k], false);
				wmap += nr_in(b, cols[k], true);
			}
		snprintf(want, sizeof(want), "%16" PRIuMAX " |%13" PRIu64 " kB |%16zu |%16zu |",
			 (uintmax_t)ino, (uint64_t)b->size / 1024, wfd, wmap);
		ASSERT_STRNEQ(l, want, 72, "-a row start");
		for (k = 0; k < nr_cols; k++) {
			int p = cols[k];

			if (p < 0)
				continue;
			if (held(b, p)) {
				snprintf(want, sizeof(want), "%9d(%6d) refs |",
					 nr_in(b, p, false), nr_in(b, p, true));
				per[k] += b->size / 1024;
			} else {
				snprintf(want, sizeof(want), "%22s |", "--");
			}
			ASSERT_STRNEQ(l + 72 + 24 * k, want, 24, "-a cell");
		}
	}
	for (i = 0, k = 0; i < mf.nr_bufs; i++)
		k += mf.bufs[i].nr_holders > 0;
	ASSERT_EQ(rows, k, "-a: a row per held workload buffer");
	l = next_line(&s);
	if (!ASSERT_OK_PTR(l, "-a TOTALS"))
		return;
	ASSERT_EQ(strlen(l), 72 + 24 * (size_t)nr_cols,
		  "-a TOTALS: every column 24 wide");
	for (k = 0; k < nr_cols; k++) {
		if (cols[k] < 0)
			continue;
		snprintf(want, sizeof(want), "%19" PRIu64 " kB |",
			 (uint64_t)per[k]);
		ASSERT_STRNEQ(l + 72 + 24 * k, want, 24,
			      "-a per-process total");
	}
}

/* -o csv: parse the per-process table back (RFC 4180, quoted text). */
static void check_csv(char *out)
{
	char *s = out, *l;
	int rows = 0, i, p, want_rows = 0;

	l = next_line(&s);
	ASSERT_STREQ(l ?: "", "\"Process\",\"PID\",\"Name\",\"Rss(kB)\",\"Pss(kB)\",\"nr_procs\",\"Inode\",\"Exporter\"",
		     "csv header");
	while ((l = next_line(&s)) && *l) {
		char comm[32], name[64], exp[64];
		unsigned long long rss, pss, ino;
		unsigned int np;
		int pid;
		const struct mf_buf *b;

		if (strstr(l, "PROCESS TOTAL"))
			continue;
		if (!ASSERT_EQ(sscanf(l, "\"%31[^\"]\",%d,\"%63[^\"]\",%llu,%llu,%u,%llu,\"%63[^\"]\"",
				      comm, &pid, name, &rss, &pss, &np, &ino,
				      exp), 8, "csv row"))
			return;
		p = proc_idx(pid);
		b = manifest_buf(&mf, ino);
		if (p < 0 || !b)
			continue;
		rows++;
		ASSERT_STREQ(comm, mf.procs[p].comm, "csv comm");
		ASSERT_STREQ(name, show(b->name), "csv name");
		ASSERT_EQ(rss, b->size / 1024, "csv rss");
		ASSERT_EQ(pss, (b->size / b->nr_holders) / 1024, "csv pss");
		ASSERT_EQ(np, (unsigned int)b->nr_holders, "csv nr_procs");
		ASSERT_STREQ(exp, show(b->exp_name), "csv exporter");
	}
	for (i = 0; i < mf.nr_bufs; i++)
		for (p = 0; p < mf.nr_procs; p++)
			want_rows += held(&mf.bufs[i], p);
	ASSERT_EQ(rows, want_rows, "csv: a row per (process, buffer)");
}

void test_android_dump(void)
{
	struct workload wl = WORKLOAD_INIT;
	struct bufinfo bi = { 0 };
	char *out;
	int st, i;

	if (!have_buffer_source()) {
		if (test__start_subtest("empty")) {
			out = run("dump", &st);
			ASSERT_EQ(st, 0, "dump exit");
			if (out)
				ASSERT_STREQ(out, "dmabuf info not found \u00af\\_(\u30c4)_/\u00af\n",
					     "no buffers: dmabuf_dump's words");
			free(out);
			out = run("dump -b", &st);
			ASSERT_EQ(st, 0, "dump -b exit");
			if (out)
				ASSERT_HAS_SUBSTR(out, "Total DMA-BUF count: 0, Total DMA-BUF size(bytes): 0\n",
						  "dump -b totals");
			free(out);
		}
		if (test__start_subtest("workload"))
			test__skip_reason("no buffer sources here (no /dev/udmabuf, no system heap): the guest has them");
		return;
	}
	if (!workload_start(&wl, "android_dump"))
		goto out;
	if (manifest_read(wl.manifest, &mf) ||
	    !ASSERT_GT(mf.nr_bufs, 0, "manifest buffers") ||
	    !ASSERT_GT(mf.nr_procs, 0, "manifest processes") ||
	    !ASSERT_OK(bufinfo_read(&bi), "bufinfo"))
		goto out;

	if (test__start_subtest("default")) {
		unsigned long long total = 0;

		for (i = 0; i < bi.nr; i++)
			total += bi.bufs[i].size;
		out = run("dump", &st);
		ASSERT_EQ(st, 0, "dump exit");
		if (out)
			check_default(out, total);
		free(out);
		/* PID: that process's table only */
		if (mf.nr_procs) {
			char args[64], *s, *l;
			int tables = 0;

			snprintf(args, sizeof(args), "dump %d", mf.procs[0].pid);
			out = run(args, &st);
			ASSERT_EQ(st, 0, "dump PID exit");
			for (s = out; out && (l = next_line(&s));)
				tables += !strcmp(l, "----------------------");
			ASSERT_EQ(tables, 1, "dump PID: one table");
			free(out);
		}
	}
	if (test__start_subtest("per_buffer")) {
		out = run("dump -b", &st);
		ASSERT_EQ(st, 0, "dump -b exit");
		if (out)
			check_per_buffer(out, &bi);
		free(out);
	}
	if (test__start_subtest("all")) {
		out = run("dump -a", &st);
		ASSERT_EQ(st, 0, "dump -a exit");
		if (out)
			check_grid(out);
		free(out);
	}
	if (test__start_subtest("csv")) {
		out = run("dump -o csv", &st);
		ASSERT_EQ(st, 0, "dump -o csv exit");
		if (out)
			check_csv(out);
		free(out);
	}
out:
	bufinfo_free(&bi);
	workload_stop(&wl);
	manifest_free(&mf);
}
