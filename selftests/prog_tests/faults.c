// SPDX-License-Identifier: GPL-2.0
/*
 * faults: what goes wrong around dmabufstat, each answered by a clear
 * one-line error or a documented fallback, never a crash, a hang or a
 * wrong total. In the guest, against dmabuf-workload's buffers (bufinfo is
 * the ground truth of the totals):
 *
 *  no_bpffs        bpffs unmounted: pin fails naming bpffs; snapshots work
 *  no_btf          /sys/kernel/btf/vmlinux hidden: auto falls back to
 *                  bufinfo with the right total and says why; --backend
 *                  bpf fails naming BTF
 *  no_iter         (vanilla kernel) --backend bpf fails naming the
 *                  iterator; auto falls back with the right total
 *  debugfs_gone    debugfs unmounted while --backend bufinfo samples in a
 *                  loop: exit 1, one error line, every JSON line whole
 *  low_nofile      RLIMIT_NOFILE of 8: a clear error or a right answer
 *  low_memory      ulimit -v of 16 MiB: a clear error or a right answer
 *  closed_pipe     `dmabufstat ... | head -1`: no error message, no crash
 *                  report, for both tools
 *  full_disk       the Prometheus textfile on a full file system: exit 1,
 *                  the previous file whole, no temporary file left
 *
 * The subtests change mounts and limits: they run only in the guest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_progs.h"
#include "workload.h"

static struct workload wl = WORKLOAD_INIT;
static int bufinfo_count = -1;

/* Runs a guest shell snippet; returns its stdout (static, overwritten). */
static const char *sh(const char *cmd, int *status)
{
	static char *last;
	char *full;

	free(last);
	if (asprintf(&full, "PATH=%s:$PATH; %s", exe_beside("."), cmd) < 0)
		return "";
	last = run_capture(full, status);
	free(full);
	return last ? last : "";
}

/* The value of "KEY=" on a line of out, or -1. */
static long long field(const char *out, const char *key)
{
	const char *p = strstr(out, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * `PREFIX; dmabufstat ARGS -o json` in a subshell; prints COUNT= (the
 * totals' count), RC= (its exit status) and ERR= (its stderr, last).
 */
static const char *json_run(const char *prefix, const char *args, int *status)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd),
		 "(%s; dmabufstat %s -o json; echo $? >/tmp/faults.rc) 2>/tmp/faults.err | "
		 "tr -d ' \\n' | sed -n 's/.*\"totals\":{\"count\":\\([0-9]*\\).*/COUNT=\\1/p'; "
		 "echo; echo \"RC=$(cat /tmp/faults.rc)\"; printf 'ERR='; cat /tmp/faults.err",
		 prefix, args);
	return sh(cmd, status);
}

static const char *stat_cmd(const char *args, int *status)
{
	return json_run("true", args, status);
}

static bool one_error_line(const char *out, const char *word)
{
	const char *err = strstr(out, "ERR=");

	if (!ASSERT_OK_PTR(err, "stderr captured"))
		return false;
	err += 4;
	if (!ASSERT_EQ(lines(err), 1, "one error line") ||
	    !ASSERT_STRNEQ(err, "dmabufstat: error: ", 19, "error prefix")) {
		printf("stderr: %s\n", err);
		return false;
	}
	if (!ASSERT_TRUE(strcasestr(err, word) != NULL, "the error names the cause")) {
		printf("stderr: %s (no '%s')\n", err, word);
		return false;
	}
	return true;
}

static bool have_iter(void)
{
	return !system("grep -q bpf_iter__dmabuf /sys/kernel/btf/vmlinux 2>/dev/null");
}

static void subtest_no_bpffs(void)
{
	const char *out;
	int st;

	out = sh("umount /sys/fs/bpf && dmabufstat pin 2>&1; echo RC=$?; "
		 "mount -t bpf bpf /sys/fs/bpf", &st);
	ASSERT_EQ(field(out, "RC="), 1, "pin without bpffs: exit 1");
	/* without the iterator, pin fails for that first */
	ASSERT_TRUE(strcasestr(out, "bpffs") || strcasestr(out, "bpf file") ||
		    (!have_iter() && strcasestr(out, "iterator")),
		    "the error names bpffs");
	ASSERT_EQ(lines(out), 2, "one error line");
	out = sh("umount /sys/fs/bpf; dmabufstat >/dev/null; echo RC=$?; "
		 "mount -t bpf bpf /sys/fs/bpf", &st);
	ASSERT_EQ(field(out, "RC="), 0, "snapshots need no bpffs");
}

static void subtest_no_btf(void)
{
	const char *out;
	int st;

	if (!ASSERT_EQ(system("mount -o bind /dev/null /sys/kernel/btf/vmlinux"),
		       0, "hide the kernel's BTF"))
		return;
	out = stat_cmd("", &st);
	ASSERT_EQ(field(out, "RC="), 0, "auto without BTF falls back");
	ASSERT_EQ(field(out, "COUNT="), bufinfo_count, "the fallback's total");
	out = stat_cmd("--backend bpf", &st);
	ASSERT_EQ(field(out, "RC="), 1, "--backend bpf without BTF: exit 1");
	one_error_line(out, "BTF");
	system("umount /sys/kernel/btf/vmlinux");
}

static void subtest_no_iter(void)
{
	const char *variant = getenv("DMABUFSTAT_KERNEL");
	const char *out;
	int st;

	if (!variant || strcmp(variant, "vanilla")) {
		test__skip_reason("the kernel has the iterator (runs on the vanilla kernel)");
		return;
	}
	out = stat_cmd("--backend bpf", &st);
	ASSERT_EQ(field(out, "RC="), 1, "--backend bpf without the iterator");
	one_error_line(out, "iterator");
	out = stat_cmd("", &st);
	ASSERT_EQ(field(out, "RC="), 0, "auto falls back");
	ASSERT_EQ(field(out, "COUNT="), bufinfo_count, "the fallback's total");
}

static void subtest_debugfs_gone(void)
{
	const char *out;
	int st;

	out = sh("dmabufstat --backend bufinfo -o json --interval 0.2 --count 50 "
		 ">/tmp/faults.jsonl 2>/tmp/faults.err & pid=$!; "
		 "i=0; while [ ! -s /tmp/faults.jsonl ] && [ $i -lt 300 ]; do "
		 "sleep 0.1; i=$((i + 1)); done; "
		 "umount /sys/kernel/debug; echo UMOUNT=$?; wait $pid; echo RC=$?; "
		 "mount -t debugfs debugfs /sys/kernel/debug; "
		 "echo LINES=$(wc -l </tmp/faults.jsonl); "
		 "echo WHOLE=$(grep -c '^{.*}$' /tmp/faults.jsonl); "
		 "printf 'ERR='; cat /tmp/faults.err", &st);
	if (!ASSERT_EQ(field(out, "UMOUNT="), 0, "debugfs unmounted"))
		printf("%s\n", out);
	if (!ASSERT_EQ(field(out, "RC="), 1, "exit 1 when debugfs goes"))
		printf("%s\n", out);
	ASSERT_GT(field(out, "LINES="), 0, "samples before it went");
	ASSERT_EQ(field(out, "WHOLE="), field(out, "LINES="),
		  "every JSON line whole");
	one_error_line(out, "bufinfo");
}

/* A right answer or one clear error: never a crash or a wrong total. */
static void right_or_clear(const char *limit)
{
	const char *out;
	long long rc;
	int st;

	out = json_run(limit, "", &st);
	rc = field(out, "RC=");
	if (rc == 0) {
		ASSERT_EQ(field(out, "COUNT="), bufinfo_count, "the right total");
	} else {
		ASSERT_EQ(rc, 1, "a failure is exit 1, not a crash");
		one_error_line(out, "");
	}
}

static void subtest_low_nofile(void)
{
	right_or_clear("ulimit -n 8");
}

static void subtest_low_memory(void)
{
	right_or_clear("ulimit -v 16384");
}

static void subtest_closed_pipe(void)
{
	const char *out;
	int st;

	out = sh("dmabufstat -o json --interval 0.05 2>/tmp/faults.err | head -c 10 >/dev/null; "
		 "echo ERRBYTES=$(wc -c </tmp/faults.err); "
		 "dmabuf-top -b 0.05 2>/tmp/faults.err | head -n 1 >/dev/null; "
		 "echo TOPERRBYTES=$(wc -c </tmp/faults.err)", &st);
	ASSERT_EQ(field(out, "ERRBYTES="), 0, "dmabufstat | head: nothing on stderr");
	ASSERT_EQ(field(out, "TOPERRBYTES="), 0, "dmabuf-top | head: nothing on stderr");
}

static void subtest_full_disk(void)
{
	const char *out;
	int st;

	out = sh("mkdir -p /tmp/prom && mount -t tmpfs -o size=64k tmpfs /tmp/prom && "
		 "dmabufstat export --prometheus --textfile /tmp/prom && "
		 "cp /tmp/prom/dmabufstat.prom /tmp/prom.before && "
		 "(dd if=/dev/zero of=/tmp/prom/fill bs=1k 2>/dev/null; true) && "
		 "dmabufstat export --prometheus --textfile /tmp/prom 2>/tmp/faults.err; "
		 "echo RC=$?; cmp -s /tmp/prom.before /tmp/prom/dmabufstat.prom && echo SAME=1; "
		 "echo FILES=$(ls -a /tmp/prom | grep -vc '^\\.\\.\\?$'); "
		 "umount /tmp/prom; printf 'ERR='; cat /tmp/faults.err", &st);
	ASSERT_EQ(field(out, "RC="), 1, "a full disk: exit 1");
	ASSERT_EQ(field(out, "SAME="), 1, "the previous file whole");
	ASSERT_EQ(field(out, "FILES="), 2, "no temporary file left (the file and the filler)");
	one_error_line(out, "space");
}

void test_faults(void)
{
	const char *out;
	int st;

	if (!getenv("DMABUFSTAT_KERNEL")) {
		test__skip_reason("changes mounts and limits: runs in the guest");
		return;
	}
	if (!workload_start(&wl, "faults"))
		return;
	out = sh("sed -n 's/^Total \\([0-9]*\\) objects.*/N=\\1/p' /sys/kernel/debug/dma_buf/bufinfo", &st);
	bufinfo_count = field(out, "N=");
	if (!ASSERT_GT(bufinfo_count, 0, "buffers in bufinfo"))
		goto out;
	if (test__start_subtest("no_bpffs"))
		subtest_no_bpffs();
	if (test__start_subtest("no_btf"))
		subtest_no_btf();
	if (test__start_subtest("no_iter"))
		subtest_no_iter();
	if (test__start_subtest("debugfs_gone"))
		subtest_debugfs_gone();
	if (test__start_subtest("low_nofile"))
		subtest_low_nofile();
	if (test__start_subtest("low_memory"))
		subtest_low_memory();
	if (test__start_subtest("closed_pipe"))
		subtest_closed_pipe();
	if (test__start_subtest("full_disk"))
		subtest_full_disk();
out:
	workload_stop(&wl);
}
