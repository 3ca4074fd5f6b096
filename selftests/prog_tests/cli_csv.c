// SPDX-License-Identifier: GPL-2.0
/*
 * Every CSV both tools write, read back as a CSV reader would: the first
 * line is the header (no comment before it), LF line ends only, every
 * record has as many fields as the header (RFC 4180 quoting, newlines
 * inside quotes), and each row leads with its time (ISO 8601) and backend.
 * Sampled CSV (--interval, dmabuf-top -b COUNT) has one header and rows
 * whose times differ. Where python3 is installed (the host), Python's
 * csv.DictReader reads each one too and finds no short or long row; the
 * guest has none, so tools/test-csv feeds it the guest's output, rows
 * and all, on the host.
 * With buffer sources (the guest) dmabuf-workload runs, so the views have
 * rows, names with commas and quotes among them.
 */
#include <stdlib.h>
#include <unistd.h>

#include "test_progs.h"
#include "workload.h"
#include "bufsrc.h"

/* The fields of the record at *p, which moves past it; -1 if malformed. */
static int record_fields(const char **p, char *first, size_t len)
{
	const char *s = *p;
	bool quoted = false;
	size_t k = 0;
	int n = 1;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (quoted) {
			if (*s == '"' && s[1] == '"')
				s++;
			else if (*s == '"')
				quoted = false;
			/* the first field's text, unquoted (the time) */
			else if (n == 1 && k + 1 < len)
				first[k++] = *s;
			continue;
		}
		if (*s == '"') {
			quoted = true;
		} else if (*s == ',') {
			n++;
		} else if (*s == '\n') {
			s++;
			break;
		} else if (*s == '\r') {
			return -1;
		}
		/* the first field's text, unquoted (the time) */
		if (n == 1 && *s != '"' && k + 1 < len)
			first[k++] = *s;
	}
	first[k] = '\0';
	*p = s;
	return quoted ? -1 : n;
}

/*
 * Checks one CSV document; the number of data rows, -1 if it failed.
 * *times: how many distinct times its rows carry.
 */
static int check_csv(const char *what, const char *out, int *times)
{
	char first[64], last_time[64] = "";
	const char *p = out;
	int header, n, rows = 0;

	*times = 0;
	if (!ASSERT_STRNEQ(out, "time,backend,", 13, "header first")) {
		printf("%s: starts with %.60s\n", what, out);
		return -1;
	}
	if (!ASSERT_NULL(strchr(out, '\r'), "LF line ends"))
		return -1;
	header = record_fields(&p, first, sizeof(first));
	while (*p) {
		n = record_fields(&p, first, sizeof(first));
		if (!ASSERT_EQ(n, header, "as many fields as the header")) {
			printf("%s: row %d\n", what, rows + 1);
			return -1;
		}
		/* 2026-11-27T10:19:20.013+0000 */
		if (!ASSERT_EQ(strlen(first), 28, "an ISO 8601 time") ||
		    !ASSERT_EQ(first[10], 'T', "an ISO 8601 time"))
			return -1;
		if (strcmp(first, last_time)) {
			(*times)++;
			snprintf(last_time, sizeof(last_time), "%s", first);
		}
		rows++;
	}
	return rows;
}

static const char py_dictreader[] =
	"import csv, sys\n"
	"r = csv.DictReader(sys.stdin)\n"
	"rows = list(r)\n"
	"assert r.fieldnames[:2] == ['time', 'backend'], r.fieldnames\n"
	"for row in rows:\n"
	"    assert None not in row, 'long row'\n"
	"    assert None not in row.values(), 'short row'\n"
	"    assert row['time'] and row['backend']\n"
	"print(len(rows))\n";

/* Python's csv.DictReader over the command's output: its row count. */
static int dictreader_rows(const char *cmd)
{
	char script[128], full[1024];
	int st, rows = -1;
	char *out;
	FILE *f;

	snprintf(script, sizeof(script), "/tmp/cli_csv.%d.py", getpid());
	f = fopen(script, "w");
	if (!f)
		return -1;
	fputs(py_dictreader, f);
	fclose(f);
	snprintf(full, sizeof(full), "%s | python3 %s", cmd, script);
	out = run_capture(full, &st);
	if (ASSERT_OK_PTR(out, "python3") &&
	    ASSERT_EQ(st, 0, "csv.DictReader reads it"))
		rows = atoi(out);
	else
		printf("%s: %s\n", full, out ?: "");
	free(out);
	unlink(script);
	return rows;
}

static void check_cmd(const char *prog, const char *args, bool python,
		      int want_times)
{
	char cmd[512];
	int st, rows, times;
	char *out;

	snprintf(cmd, sizeof(cmd), "%s %s", exe_beside(prog), args);
	out = run_capture(cmd, &st);
	if (!ASSERT_OK_PTR(out, cmd) || !ASSERT_EQ(st, 0, cmd)) {
		free(out);
		return;
	}
	rows = check_csv(cmd, out, &times);
	if (rows > 0 && want_times)
		ASSERT_EQ(times, want_times, "a time per sample");
	if (python && rows >= 0)
		ASSERT_EQ(dictreader_rows(cmd), rows, "DictReader's rows");
	free(out);
}

/* dump -o csv keeps dmabuf_dump's tables, with the same LF line ends. */
static void check_dump(void)
{
	char cmd[512];
	char *out;
	int st;

	snprintf(cmd, sizeof(cmd), "%s dump -o csv", exe_beside("dmabufstat"));
	out = run_capture(cmd, &st);
	if (ASSERT_OK_PTR(out, cmd) && ASSERT_EQ(st, 0, cmd))
		ASSERT_NULL(strchr(out, '\r'), "dump -o csv: LF line ends");
	free(out);
}

void test_cli_csv(void)
{
	static const char *const views[] = {
		"buffers", "exporters", "procs", "devices", "uids", "cgroups",
	};
	struct workload wl = WORKLOAD_INIT;
	bool python = !system("command -v python3 >/dev/null 2>&1");
	char args[128];
	size_t v;

	if (have_buffer_source() && !workload_start(&wl, "cli_csv"))
		return;
	if (test__start_subtest("dmabufstat")) {
		for (v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
			snprintf(args, sizeof(args), "%s -o csv", views[v]);
			check_cmd("dmabufstat", args, python, 1);
		}
		check_dump();
	}
	if (test__start_subtest("dmabuf_top")) {
		for (v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
			snprintf(args, sizeof(args), "-b -o csv -v %s 0.1 1",
				 views[v]);
			check_cmd("dmabuf-top", args, python, 1);
		}
	}
	if (test__start_subtest("sampled")) {
		check_cmd("dmabufstat", "-o csv --interval 0.2 --count 3 procs",
			  python, 3);
		check_cmd("dmabuf-top", "-b -o csv -v exporters 0.2 3", python,
			  3);
	}
	if (!python)
		printf("no python3 here: the CSV checked by the C reader only\n");
	workload_stop(&wl);
}
