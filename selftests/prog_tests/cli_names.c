// SPDX-License-Identifier: GPL-2.0
/*
 * A process's full command line beside its comm (which the kernel cuts to
 * 15 bytes). With dmabuf-workload running (the guest), whose processes
 * are named wl-gpu, wl-cam, ... but were started as dmabuf-workload
 * with its options: every process of `dmabufstat procs -o json` and of
 * `dmabuf-top -b -o json` has the cmdline /proc/PID/cmdline gives (its
 * arguments joined by spaces), the table's CMDLINE column shows it on the
 * process's line, CSV has the column, and -r 1 still shows the one row's.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <json-c/json.h>

#include "test_progs.h"
#include "json_query.h"
#include "workload.h"
#include "bufsrc.h"

/* /proc/PID/cmdline with the NULs between arguments made spaces. */
static bool cmdline_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	while (n > 0 && !buf[n - 1])
		n--;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	return true;
}

static char *output(const char *prog, const char *args)
{
	char cmd[512];
	char *out;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s", exe_beside(prog), args);
	out = run_capture(cmd, &st);
	if (!ASSERT_OK_PTR(out, cmd) || !ASSERT_EQ(st, 0, cmd)) {
		free(out);
		return NULL;
	}
	return out;
}

/* Every process of the document's array has /proc's cmdline. */
static void check_json(const char *prog, const char *args,
		       const struct manifest *mf)
{
	char *out = output(prog, args), want[4096];
	json_object *o, *arr, *p;
	int i, seen = 0;

	if (!out)
		return;
	o = json_tokener_parse(out);
	free(out);
	if (!ASSERT_OK_PTR(o, "JSON"))
		return;
	arr = jget(o, "processes");
	for (i = 0; i < mf->nr_procs; i++) {
		p = jfind(arr, "pid", mf->procs[i].pid);
		if (!ASSERT_OK_PTR(p, "a workload process") ||
		    !ASSERT_TRUE(cmdline_of(mf->procs[i].pid, want, sizeof(want)),
				 "its /proc cmdline"))
			continue;
		ASSERT_STREQ(js(p, "cmdline"), want, "cmdline as /proc has it");
		ASSERT_STREQ(js(p, "comm"), mf->procs[i].comm, "comm beside it");
		seen++;
	}
	ASSERT_EQ(seen, mf->nr_procs, "every workload process");
	json_object_put(o);
}

/* The table: a CMDLINE title, and each process's line ends with it. */
static void check_table(const struct manifest *mf)
{
	char *out = output("dmabufstat", "procs"), want[4096], pid[16];
	char *line, *save = NULL;
	int seen = 0, i;

	if (!out)
		return;
	ASSERT_HAS_SUBSTR(out, "CMDLINE", "the column's title");
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < mf->nr_procs; i++) {
			snprintf(pid, sizeof(pid), "%d ", mf->procs[i].pid);
			if (strncmp(line + strspn(line, " "), pid, strlen(pid)))
				continue;
			if (!cmdline_of(mf->procs[i].pid, want, sizeof(want)))
				continue;
			ASSERT_TRUE(strlen(line) >= strlen(want) &&
				    !strcmp(line + strlen(line) - strlen(want), want),
				    "the line ends with the cmdline");
			seen++;
		}
	}
	ASSERT_EQ(seen, mf->nr_procs, "a line per workload process");
	free(out);
}

static void check_csv_and_rows(void)
{
	char *out = output("dmabufstat", "procs -o csv");

	if (out)
		ASSERT_HAS_SUBSTR(out, ",cmdline", "CSV: a cmdline column");
	free(out);
	/* -r 1: the one row shown has its cmdline read; so has -s cmdline's */
	out = output("dmabufstat", "procs -r 1 -o json");
	if (out) {
		ASSERT_HAS_SUBSTR(out, "\"cmdline\": \"", "-r 1: cmdline");
		ASSERT_NULL(strstr(out, "\"cmdline\": \"\""), "-r 1: not empty");
	}
	free(out);
	out = output("dmabufstat", "procs -s cmdline -r 1 -o json");
	if (out)
		ASSERT_NULL(strstr(out, "\"cmdline\": \"\""),
			    "-s cmdline: read before sorting");
	free(out);
}

void test_cli_names(void)
{
	struct workload wl = WORKLOAD_INIT;
	struct manifest mf = { 0 };

	if (!have_buffer_source()) {
		test__skip_reason("no dma-buf sources here: run in the guest");
		return;
	}
	if (!workload_start(&wl, "cli_names") ||
	    !ASSERT_OK(manifest_read(wl.manifest, &mf), "manifest"))
		goto out;
	if (test__start_subtest("cmdline_json")) {
		check_json("dmabufstat", "procs -o json", &mf);
		check_json("dmabuf-top", "-b -o json 0.2 1", &mf);
	}
	if (test__start_subtest("cmdline_table"))
		check_table(&mf);
	if (test__start_subtest("cmdline_csv"))
		check_csv_and_rows();
out:
	workload_stop(&wl);
	manifest_free(&mf);
}
