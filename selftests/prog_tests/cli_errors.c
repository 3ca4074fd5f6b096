// SPDX-License-Identifier: GPL-2.0
/*
 * What both tools say when a request cannot be met, and the clock of
 * their sampling loops.
 *
 * cli_errors/suggest      a mistyped command or view gets "did you mean";
 *                         a word far from every name gets none
 * cli_errors/missing_pid  a PID that does not exist (kill(pid, 0) is
 *                         ESRCH): dmabufstat procs PID, -p PID and
 *                         dmabuf-top -b -p PID exit 1 with one error line;
 *                         an existing PID without buffers exits 0
 * cli_errors/dump_pid     dump PID of no process exits 1, as Android's
 *                         dmabuf_dump; dump -a PID and -b PID are usage
 *                         errors (exit 2)
 * cli_errors/pin_twice    a second pin fails and names -f/--force; -f
 *                         replaces it (in a folder of bpffs, mounted at
 *                         /sys/fs/bpf first if it is not there)
 * cli_errors/headers      the summary's titles say what is shown: the
 *                         sort key (-s, --reverse) of its process table,
 *                         and, with -p/--uid/--cgroup, that the Totals are
 *                         system-wide while the tables below are filtered
 * cli_errors/interval     --interval 0.5 --count 5: the samples' clock
 *                         (JSON realtime_ns) is on the grid start + k *
 *                         0.5 s, within a tolerance that does not grow
 *                         with k, in both tools
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "test_progs.h"
#include "workload.h"

#define BPF_FS_MAGIC	0xcafe4a11

struct out {
	int status;		/* exit code, or 128 + signal */
	char out[1 << 16], err[4096];
};

/* One run's output at a time (too big for the stack). */
static struct out the_out;

static void slurp(int fd, char *buf, size_t cap)
{
	ssize_t n, off = 0;

	lseek(fd, 0, SEEK_SET);
	while ((size_t)off + 1 < cap &&
	       (n = read(fd, buf + off, cap - off - 1)) > 0)
		off += n;
	buf[off] = '\0';
}

/* Runs "PROG ARGS" (PROG beside test_progs) through sh; false if not run. */
static bool run(struct out *o, const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool run(struct out *o, const char *prog, const char *fmt, ...)
{
	char cmd[1024];
	int ofd, efd, st, n;
	va_list ap;
	pid_t pid;

	n = snprintf(cmd, sizeof(cmd), "exec %s ", exe_beside(prog));
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	ofd = memfd_create("out", 0);
	efd = memfd_create("err", 0);
	if (!ASSERT_OK_FD(ofd, "memfd") || !ASSERT_OK_FD(efd, "memfd"))
		return false;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (!ASSERT_GT(pid, 0, "fork"))
		return false;
	waitpid(pid, &st, 0);
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp(ofd, o->out, sizeof(o->out));
	slurp(efd, o->err, sizeof(o->err));
	close(ofd);
	close(efd);
	if (test__verbose())
		printf("%s: exit %d\nstdout: %s\nstderr: %s\n", cmd, o->status,
		       o->out, o->err);
	return true;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Exit status want, nothing on stdout, one line on stderr holding has. */
static void one_error(const struct out *o, int want, const char *has,
		      const char *what)
{
	ASSERT_EQ(o->status, want, what);
	ASSERT_STREQ(o->out, "", "nothing on stdout");
	ASSERT_EQ(count_lines(o->err), 1, "one line on stderr");
	ASSERT_HAS_SUBSTR(o->err, has, what);
}

static void subtest_suggest(void)
{
	static const char *const cases[][3] = {
		{ "dmabufstat", "bufers", "did you mean 'buffers'?" },
		{ "dmabufstat", "proc", "did you mean 'procs'?" },
		{ "dmabufstat", "exporter", "did you mean 'exporters'?" },
		{ "dmabufstat", "dupm", "did you mean 'dump'?" },
		{ "dmabufstat", "--view bufers", "did you mean 'buffers'?" },
		{ "dmabuf-top", "-b -v cgroup", "did you mean 'cgroups'?" },
	};
	struct out *o = &the_out;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (run(o, cases[i][0], "%s", cases[i][1]))
			one_error(o, 2, cases[i][2], cases[i][1]);
	}
	/* nothing near: no guess */
	if (run(o, "dmabufstat", "frobnicate")) {
		one_error(o, 2, "unknown command 'frobnicate'", "frobnicate");
		ASSERT_NULL(strstr(o->err, "did you mean"), "no guess");
	}
}

/* A pid that no process has now (kill(pid, 0) fails with ESRCH). */
static pid_t missing_pid(void)
{
	pid_t pid;

	for (pid = 99999; pid > 300; pid -= 7)
		if (kill(pid, 0) && errno == ESRCH)
			return pid;
	return 0;
}

static void subtest_missing_pid(void)
{
	struct out *o = &the_out;
	pid_t gone = missing_pid(), self = getpid();

	if (!ASSERT_GT(gone, 0, "a free pid"))
		return;
	if (run(o, "dmabufstat", "procs %d", gone))
		one_error(o, 1, "no process with pid", "procs MISSING");
	if (run(o, "dmabufstat", "buffers -p %d", gone))
		one_error(o, 1, "no process with pid", "buffers -p MISSING");
	if (run(o, "dmabufstat", "procs %d,%d", self, gone))
		one_error(o, 1, "no process with pid", "one of two missing");
	if (run(o, "dmabuf-top", "-b -p %d 0.1 1", gone))
		one_error(o, 1, "no process with pid", "dmabuf-top -b -p MISSING");
	/* this process exists, buffers or not: a view, exit 0 */
	if (run(o, "dmabufstat", "procs %d -o json", self)) {
		ASSERT_EQ(o->status, 0, "procs SELF: exit 0");
		ASSERT_HAS_SUBSTR(o->out, "\"processes\"", "procs SELF: a view");
	}
	if (run(o, "dmabuf-top", "-b -p %d 0.1 1", self))
		ASSERT_EQ(o->status, 0, "dmabuf-top -b -p SELF: exit 0");
}

static void subtest_dump_pid(void)
{
	struct out *o = &the_out;
	pid_t gone = missing_pid(), self = getpid();

	if (run(o, "dmabufstat", "dump %d", gone))
		one_error(o, 1, "unable to read DMA-BUF info for pid",
			  "dump MISSING");
	if (run(o, "dmabufstat", "dump -b %d", self))
		one_error(o, 2, "-b takes no PID", "dump -b PID");
	if (run(o, "dmabufstat", "dump -a %d", self))
		one_error(o, 2, "-a takes no PID", "dump -a PID");
	if (run(o, "dmabufstat", "dump %d", self))
		ASSERT_EQ(o->status, 0, "dump SELF: exit 0");
}

/* bpffs at /sys/fs/bpf, mounted here if it is not; false if it cannot be. */
static bool have_bpffs(bool *mounted)
{
	struct statfs fs;

	*mounted = false;
	if (!statfs("/sys/fs/bpf", &fs) && fs.f_type == BPF_FS_MAGIC)
		return true;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL))
		return false;
	*mounted = true;
	return true;
}

static void subtest_pin_twice(void)
{
	/* no '.': bpffs refuses names with dots (they are its own) */
	char dir[] = "/sys/fs/bpf/cli_errors_XXXXXX";
	struct out *o = &the_out;
	bool mounted;

	if (!have_bpffs(&mounted)) {
		test__skip_reason("no bpffs at /sys/fs/bpf, and mounting one failed: %s",
				  strerror(errno));
		return;
	}
	if (!ASSERT_OK_PTR(mkdtemp(dir), "a folder in bpffs"))
		goto umount;
	if (!run(o, "dmabufstat", "pin %s", dir) || o->status) {
		test__skip_reason("pinning does not work here: %s", o->err);
		goto out;
	}
	if (run(o, "dmabufstat", "pin %s", dir))
		one_error(o, 1, "-f/--force", "second pin names -f/--force");
	if (run(o, "dmabufstat", "pin -f %s", dir))
		ASSERT_EQ(o->status, 0, "pin -f replaces it");
	if (run(o, "dmabufstat", "unpin %s", dir))
		ASSERT_EQ(o->status, 0, "unpin");
out:
	rmdir(dir);
umount:
	if (mounted)
		umount("/sys/fs/bpf");
}

/*
 * The realtime_ns of each JSON line, in order; how many. A sample's
 * snapshot starts when its deadline is met, so realtime_ns shows the grid.
 */
static int sample_times(const char *out, uint64_t *t, int max)
{
	const char *p = out;
	int n = 0;

	while (n < max && (p = strstr(p, "\"realtime_ns\":"))) {
		p += strlen("\"realtime_ns\":");
		t[n++] = strtoull(p, NULL, 10);
	}
	return n;
}

static void check_grid(const char *prog, const char *args)
{
	/* late wake-ups on a loaded machine; drift adds up, this does not */
	const int64_t tolerance = 200000000, step = 500000000;
	struct out *o = &the_out;
	uint64_t t[8];
	int n, k;

	if (!run(o, prog, "%s", args) || !ASSERT_EQ(o->status, 0, args))
		return;
	n = sample_times(o->out, t, 8);
	if (!ASSERT_EQ(n, 5, "5 samples"))
		return;
	for (k = 1; k < n; k++) {
		int64_t off = (int64_t)(t[k] - t[0]) - k * step;

		if (test__verbose())
			printf("%s: sample %d at %+.3f s off the grid\n", prog,
			       k + 1, off / 1e9);
		ASSERT_LT(off < 0 ? -off : off, tolerance, "on the grid");
	}
}

static void subtest_interval(void)
{
	check_grid("dmabufstat", "-o json --interval 0.5 --count 5 exporters");
	check_grid("dmabuf-top", "-b -o json -v exporters 0.5 5");
}

static void subtest_headers(void)
{
	struct out *o = &the_out;

	if (run(o, "dmabufstat", "-s comm")) {
		ASSERT_EQ(o->status, 0, "-s comm");
		ASSERT_HAS_SUBSTR(o->out, "Top processes (by comm)\n",
				  "-s comm: the title says comm");
	}
	if (run(o, "dmabufstat", "-s pss --reverse")) {
		ASSERT_EQ(o->status, 0, "-s pss --reverse");
		ASSERT_HAS_SUBSTR(o->out, "Top processes (by pss, reversed)\n",
				  "--reverse: the title says so");
	}
	if (run(o, "dmabufstat", "summary")) {
		ASSERT_HAS_SUBSTR(o->out, "\nTotals\n", "unfiltered: Totals");
		ASSERT_NULL(strstr(o->out, "system-wide"), "no note");
	}
	if (run(o, "dmabufstat", "-p %d", getpid()))
		ASSERT_HAS_SUBSTR(o->out,
				  "\nTotals (system-wide; the tables below are filtered)\n",
				  "-p: the Totals say they are system-wide");
	if (run(o, "dmabufstat", "--uid %u", getuid()))
		ASSERT_HAS_SUBSTR(o->out, "Totals (system-wide;",
				  "--uid: the same note");
}

void test_cli_errors(void)
{
	if (access(exe_beside("dmabufstat"), X_OK) ||
	    access(exe_beside("dmabuf-top"), X_OK)) {
		test__skip_reason("no dmabufstat or dmabuf-top beside test_progs");
		return;
	}
	if (test__start_subtest("suggest"))
		subtest_suggest();
	if (test__start_subtest("missing_pid"))
		subtest_missing_pid();
	if (test__start_subtest("dump_pid"))
		subtest_dump_pid();
	if (test__start_subtest("pin_twice"))
		subtest_pin_twice();
	if (test__start_subtest("headers"))
		subtest_headers();
	if (test__start_subtest("interval"))
		subtest_interval();
}
