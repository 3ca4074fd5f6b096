// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the runner itself. test_runner runs this very binary
 * (/proc/self/exe) on the hidden runner_selftest_* tests below, which fail,
 * skip, crash or hang on purpose, and checks what it prints and returns.
 * The hidden tests run only when named exactly (see test_progs.c), so a
 * normal run never trips over them.
 */
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "test_progs.h"

/* Hidden tests: their output is what test_runner checks. */

void test_runner_selftest_fail(void)
{
	int x = 0;

	printf("log line from a failing test\n");
	/* every one of these must fail and return false */
	if (ASSERT_EQ(1ULL << 63, 1ULL, "u64_eq"))
		printf("BUG: ASSERT_EQ held\n");
	if (ASSERT_EQ(-5, 5, "s_eq"))
		printf("BUG: ASSERT_EQ held\n");
	if (ASSERT_LT(0u, -1, "sign_lt"))
		printf("BUG: ASSERT_LT held\n");
	if (ASSERT_STREQ("abc", "abd", "str_eq"))
		printf("BUG: ASSERT_STREQ held\n");
	if (ASSERT_OK(-ENOENT, "ok_errno"))
		printf("BUG: ASSERT_OK held\n");
	if (ASSERT_OK_FD(-ENODEV, "ok_fd"))
		printf("BUG: ASSERT_OK_FD held\n");
	if (ASSERT_OK_PTR(NULL, "ok_ptr"))
		printf("BUG: ASSERT_OK_PTR held\n");
	if (ASSERT_NULL(&x, "null"))
		printf("BUG: ASSERT_NULL held\n");
	if (ASSERT_TRUE(x, "true"))
		printf("BUG: ASSERT_TRUE held\n");
	if (ASSERT_HAS_SUBSTR("haystack", "needle", "substr"))
		printf("BUG: ASSERT_HAS_SUBSTR held\n");
	if (ASSERT_MEMEQ("abcd", "abxd", 4, "mem"))
		printf("BUG: ASSERT_MEMEQ held\n");
}

void test_runner_selftest_skip(void)
{
	printf("log line from a skipped test\n");
	test__skip_reason("deliberate skip, reason %d", 42);
}

void test_runner_selftest_subtests(void)
{
	if (test__start_subtest("pass")) {
		printf("log line from subtest pass\n");
		ASSERT_EQ(1, 1, "one");
	}
	if (test__start_subtest("fail")) {
		printf("log line from subtest fail\n");
		ASSERT_EQ(1, 2, "one_two");
	}
	if (test__start_subtest("skip"))
		test__skip_reason("deliberate subtest skip");
	if (test__start_subtest("skip_no_reason"))
		test__skip();
}

/* A failure outside the subtests must count even if they all pass. */
void test_runner_selftest_setup_fail(void)
{
	ASSERT_TRUE(false, "setup");
	if (test__start_subtest("pass"))
		ASSERT_TRUE(true, "fine");
}

void test_runner_selftest_crash(void)
{
	struct rlimit no_core = {};

	printf("log line before the crash\n");
	/* no core file: this crash is expected */
	setrlimit(RLIMIT_CORE, &no_core);
	prctl(PR_SET_DUMPABLE, 0);
	raise(SIGSEGV);
}

void test_runner_selftest_hang(void)
{
	printf("log line before the hang\n");
	/* bounded, in case someone runs it without -w */
	sleep(30);
}

/* Running test_progs and looking at what it says */

struct run {
	char *out;
	int status;
	char cmd[256];
};

/*
 * Runs this binary with the NULL-terminated arguments. On any error r->out
 * is empty and r->status -1, so the caller's checks fail by themselves.
 */
static void run_self(struct run *r, ...)
{
	char *argv[16] = { "test_progs" };
	size_t len = 0, cap = 4096;
	int p[2], argc = 1;
	ssize_t n;
	va_list ap;
	pid_t pid;

	r->status = -1;
	snprintf(r->cmd, sizeof(r->cmd), "test_progs");
	va_start(ap, r);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *))) {
		size_t l = strlen(r->cmd);

		snprintf(r->cmd + l, sizeof(r->cmd) - l, " %s", argv[argc]);
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;

	r->out = calloc(1, cap);
	if (!ASSERT_OK_PTR(r->out, "calloc"))
		exit(EXIT_FAILURE);
	if (!ASSERT_OK(pipe2(p, O_CLOEXEC), "pipe"))
		return;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(p[1]);
	if (!ASSERT_GT(pid, 0, "fork")) {
		close(p[0]);
		return;
	}
	for (;;) {
		if (cap - len < 1024) {
			char *tmp = realloc(r->out, cap *= 2);

			if (!tmp)
				break;
			r->out = tmp;
		}
		n = read(p[0], r->out + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	r->out[len] = '\0';
	close(p[0]);
	if (!ASSERT_EQ(waitpid(pid, &r->status, 0), pid, "waitpid"))
		r->status = -1;
}

/* Shows the child's output if any check of it failed. */
static void run_done(struct run *r, bool ok)
{
	if (!ok && r->out)
		printf("--- output of: %s ---\n%s--- end of output ---\n",
		       r->cmd, r->out);
	free(r->out);
	r->out = NULL;
}

static int count_lines(const char *out, const char *pat)
{
	const char *p = out, *nl;
	char line[1024];
	int n = 0;

	for (; *p; p = nl + 1) {
		size_t len;

		nl = strchrnul(p, '\n');
		len = nl - p < (long)sizeof(line) ? (size_t)(nl - p) :
		      sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (!fnmatch(pat, line, 0))
			n++;
		if (!*nl)
			break;
	}
	return n;
}

static const char *last_line(const char *out, char *buf, size_t size)
{
	size_t len = strlen(out);
	const char *start;

	while (len && out[len - 1] == '\n')
		len--;
	start = out + len;
	while (start > out && start[-1] != '\n')
		start--;
	len = out + len - start;
	if (len >= size)
		len = size - 1;
	memcpy(buf, start, len);
	buf[len] = '\0';
	return buf;
}

/* Checks that some line matches the glob pat. */
static bool has(const struct run *r, const char *pat)
{
	return ASSERT_GT(count_lines(r->out, pat), 0, pat);
}

static bool lacks(const struct run *r, const char *pat)
{
	return ASSERT_EQ(count_lines(r->out, pat), 0, pat);
}

static bool ends_with(const struct run *r, const char *summary,
		      const char *plain)
{
	char buf[256];
	bool ok;

	ok = has(r, summary);
	ok &= ASSERT_STREQ(last_line(r->out, buf, sizeof(buf)), plain,
			   "last line");
	return ok;
}

static bool exited(const struct run *r, int code)
{
	if (!ASSERT_TRUE(WIFEXITED(r->status), "exited normally")) {
		if (WIFSIGNALED(r->status))
			printf("killed by signal %d\n", WTERMSIG(r->status));
		return false;
	}
	return ASSERT_EQ(WEXITSTATUS(r->status), code, "exit status");
}

static bool killed(const struct run *r, int sig)
{
	return ASSERT_TRUE(WIFSIGNALED(r->status), "killed by a signal") &&
	       ASSERT_EQ(WTERMSIG(r->status), sig, "signal");
}

static void check_asserts(void)
{
	const char *s = "dmabuf";
	uint64_t big = UINT64_MAX;
	int x;

	/* mathematical comparisons across signedness and widths */
	ASSERT_LT(-1, 0u, "-1 < 0u");
	ASSERT_GT(0u, -1, "0u > -1");
	ASSERT_EQ(big, UINT64_MAX, "u64 max");
	ASSERT_GT(big, (int64_t)INT64_MAX, "u64 above s64");
	ASSERT_NEQ(-1, UINT64_MAX, "-1 != u64 max");
	ASSERT_LE(3, 3ul, "le");
	ASSERT_GE(3ul, 3, "ge");
	ASSERT_EQ('a', (char)'a', "char");
	ASSERT_EQ(0.5, 0.5f, "float");
	ASSERT_EQ(s, s, "pointer");
	ASSERT_OK(0, "ok");
	ASSERT_ERR(-EINVAL, "err");
	ASSERT_OK_FD(0, "fd 0");
	ASSERT_OK_PTR(&x, "ptr");
	ASSERT_ERR_PTR(NULL, "NULL is an error pointer");
	ASSERT_ERR_PTR((void *)(long)-ENOENT, "libbpf error pointer");
	ASSERT_NULL(NULL, "null");
	ASSERT_TRUE(1, "true");
	ASSERT_FALSE(0, "false");
	ASSERT_STREQ(s, "dmabuf", "streq");
	ASSERT_STRNEQ(s, "dmaheap", 3, "strneq");
	ASSERT_HAS_SUBSTR(s, "abu", "substr");
	ASSERT_MEMEQ(s, "dmabuf", 6, "memeq");
}

static void check_fail_output(void)
{
	struct run r = {};
	char want[256];
	bool ok;

	run_self(&r, "-w", "30", "-a", "runner_selftest_fail", NULL);
	ok = exited(&r, 1);
	ok &= has(&r, "#* runner_selftest_fail:FAIL");
	ok &= has(&r, "log line from a failing test");
	ok &= lacks(&r, "BUG:*");
	ok &= ASSERT_EQ(count_lines(r.out, "runner.c:*:FAIL:*"), 11,
			"FAIL lines");
	ok &= has(&r, "runner.c:*:FAIL:u64_eq unexpected u64_eq: actual 9223372036854775808 != expected 1");
	ok &= has(&r, "*:FAIL:s_eq unexpected s_eq: actual -5 != expected 5");
	ok &= has(&r, "*:FAIL:sign_lt unexpected sign_lt: actual 0 >= expected -1");
	ok &= has(&r, "*:FAIL:str_eq unexpected str_eq: actual \"abc\" != expected \"abd\"");
	snprintf(want, sizeof(want), "*:FAIL:ok_errno unexpected error: %d (%s)",
		 -ENOENT, strerror(ENOENT));
	ok &= has(&r, want);
	snprintf(want, sizeof(want), "*:FAIL:ok_fd unexpected fd: %d (%s)",
		 -ENODEV, strerror(ENODEV));
	ok &= has(&r, want);
	ok &= has(&r, "*:FAIL:ok_ptr unexpected pointer: NULL*");
	ok &= has(&r, "*:FAIL:null unexpected pointer: 0x*, expected NULL");
	ok &= has(&r, "*:FAIL:true unexpected true: got FALSE");
	ok &= has(&r, "*:FAIL:substr *\"haystack\" does not contain \"needle\"");
	ok &= has(&r, "*:FAIL:mem unexpected mem: first difference at byte 2 of 4:");
	ok &= ends_with(&r, "Summary: 0/0 PASSED, 0 SKIPPED, 1 FAILED",
			"0 passed, 1 failed, 0 skipped");
	run_done(&r, ok);
}

static void check_skip_output(void)
{
	struct run r = {};
	bool ok;

	run_self(&r, "-w", "30", "-a", "runner_selftest_skip", NULL);
	ok = exited(&r, 0);
	/* the reason shows without -v, the test's log does not */
	ok &= has(&r, "#* runner_selftest_skip:SKIP (deliberate skip, reason 42)");
	ok &= lacks(&r, "log line from a skipped test");
	ok &= ends_with(&r, "Summary: 1/0 PASSED, 1 SKIPPED, 0 FAILED",
			"0 passed, 0 failed, 1 skipped");
	run_done(&r, ok);
}

static void check_subtest_output(void)
{
	struct run r = {};
	bool ok;

	run_self(&r, "-w", "30", "-a", "runner_selftest_subtests", NULL);
	ok = exited(&r, 1);
	ok &= has(&r, "#*/1 runner_selftest_subtests/pass:OK");
	ok &= has(&r, "#*/2 runner_selftest_subtests/fail:FAIL");
	ok &= has(&r, "#*/3 runner_selftest_subtests/skip:SKIP (deliberate subtest skip)");
	ok &= has(&r, "#*/4 runner_selftest_subtests/skip_no_reason:SKIP (no reason given)");
	ok &= has(&r, "#* runner_selftest_subtests:FAIL");
	/* only the failing subtest's log is shown */
	ok &= has(&r, "log line from subtest fail");
	ok &= has(&r, "runner.c:*:FAIL:one_two unexpected one_two: actual 1 != expected 2");
	ok &= lacks(&r, "log line from subtest pass");
	ok &= ends_with(&r, "Summary: 0/1 PASSED, 2 SKIPPED, 1 FAILED",
			"1 passed, 1 failed, 2 skipped");
	run_done(&r, ok);

	run_self(&r, "-w", "30", "-a", "runner_selftest_setup_fail", NULL);
	ok = exited(&r, 1);
	ok &= has(&r, "#*/1 runner_selftest_setup_fail/pass:OK");
	ok &= has(&r, "#* runner_selftest_setup_fail:FAIL");
	ok &= ends_with(&r, "Summary: 0/1 PASSED, 0 SKIPPED, 1 FAILED",
			"1 passed, 1 failed, 0 skipped");
	run_done(&r, ok);
}

static void check_verbose(void)
{
	struct run r = {};
	bool ok;

	run_self(&r, "-w", "30", "-v", "-t",
		 "runner_selftest_subtests/pass", NULL);
	ok = exited(&r, 0);
	ok &= has(&r, "log line from subtest pass");
	ok &= has(&r, "runner.c:*:OK:one");
	ok &= has(&r, "#*/1 runner_selftest_subtests/pass:OK");
	ok &= has(&r, "#* runner_selftest_subtests:OK");
	ok &= ends_with(&r, "Summary: 1/1 PASSED, 0 SKIPPED, 0 FAILED",
			"1 passed, 0 failed, 0 skipped");
	run_done(&r, ok);
}

static void check_filters(void)
{
	struct run r = {};
	bool ok;

	/* -t TEST/SUB: substring of the subtest */
	run_self(&r, "-w", "30", "-t", "runner_selftest_subtests/ski",
		 NULL);
	ok = exited(&r, 0);
	ok &= has(&r, "#*/3 runner_selftest_subtests/skip:SKIP*");
	ok &= has(&r, "#*/4 runner_selftest_subtests/skip_no_reason:SKIP*");
	ok &= lacks(&r, "*/pass:*");
	ok &= lacks(&r, "*/fail:*");
	ok &= ends_with(&r, "Summary: 1/0 PASSED, 2 SKIPPED, 0 FAILED",
			"0 passed, 0 failed, 2 skipped");
	run_done(&r, ok);

	/* -a TEST/SUB is exact: "ski" names no subtest */
	run_self(&r, "-w", "30", "-a", "runner_selftest_subtests/ski",
		 NULL);
	ok = exited(&r, 0);
	ok &= lacks(&r, "#*/* runner_selftest_subtests/*");
	ok &= has(&r, "#* runner_selftest_subtests:OK");
	ok &= ends_with(&r, "Summary: 1/0 PASSED, 0 SKIPPED, 0 FAILED",
			"0 passed, 0 failed, 0 skipped");
	run_done(&r, ok);

	/* -d TEST/SUB removes one subtest */
	run_self(&r, "-w", "30", "-a", "runner_selftest_subtests", "-d",
		 "runner_selftest_subtests/fail", NULL);
	ok = exited(&r, 0);
	ok &= lacks(&r, "*/fail:*");
	ok &= has(&r, "#* runner_selftest_subtests:OK (SKIP: 2/3)");
	ok &= ends_with(&r, "Summary: 1/1 PASSED, 2 SKIPPED, 0 FAILED",
			"1 passed, 0 failed, 2 skipped");
	run_done(&r, ok);

	/* comma lists and repeated options add up */
	run_self(&r, "-w", "30", "-t",
		 "runner_selftest_fail,runner_selftest_skip", NULL);
	ok = exited(&r, 1);
	ok &= has(&r, "#* runner_selftest_fail:FAIL");
	ok &= has(&r, "#* runner_selftest_skip:SKIP*");
	ok &= ends_with(&r, "Summary: 1/0 PASSED, 1 SKIPPED, 1 FAILED",
			"0 passed, 1 failed, 1 skipped");
	run_done(&r, ok);

	run_self(&r, "-w", "30", "-t", "runner_selftest_skip", "-a",
		 "runner_selftest_fail", NULL);
	ok = exited(&r, 1);
	ok &= ends_with(&r, "Summary: 1/0 PASSED, 1 SKIPPED, 1 FAILED",
			"0 passed, 1 failed, 1 skipped");
	run_done(&r, ok);

	/* hidden tests: neither a substring nor a glob reaches them */
	run_self(&r, "-w", "30", "-t", "runner_selftest", "-a",
		 "runner_selftest_*", NULL);
	ok = exited(&r, 2);
	ok &= lacks(&r, "#*");
	ok &= has(&r, "test_progs: no test selected");
	ok &= ends_with(&r, "Summary: 0/0 PASSED, 0 SKIPPED, 0 FAILED",
			"0 passed, 0 failed, 0 skipped");
	run_done(&r, ok);

	/* deny beats allow */
	run_self(&r, "-w", "30", "-a", "runner_selftest_fail", "-d",
		 "runner_selftest_fail", NULL);
	ok = exited(&r, 2);
	ok &= lacks(&r, "#*");
	run_done(&r, ok);

	/* -l lists visible tests only, hidden ones when named */
	run_self(&r, "-l", NULL);
	ok = exited(&r, 0);
	ok &= has(&r, "runner");
	ok &= has(&r, "buffer_sources");
	ok &= lacks(&r, "runner_selftest_*");
	run_done(&r, ok);

	run_self(&r, "-l", "-a", "runner_selftest_fail", NULL);
	ok = exited(&r, 0);
	ok &= ASSERT_STREQ(r.out, "runner_selftest_fail\n", "-l -a output");
	run_done(&r, ok);

	/* usage errors */
	run_self(&r, "-t", "a,,b", NULL);
	ok = exited(&r, 2);
	ok &= has(&r, "test_progs: invalid argument to -t: 'a,,b'");
	run_done(&r, ok);

	run_self(&r, "--no-such-option", NULL);
	ok = exited(&r, 2);
	ok &= has(&r, "Usage: test_progs *");
	run_done(&r, ok);
}

static void check_crash(void)
{
	struct run r = {};
	char want[256];
	bool ok;

	run_self(&r, "-w", "30", "-a", "runner_selftest_crash", NULL);
	ok = killed(&r, SIGSEGV);
	ok &= has(&r, "log line before the crash");
	snprintf(want, sizeof(want),
		 "#* runner_selftest_crash:FAIL (caught signal %d: %s)",
		 SIGSEGV, strsignal(SIGSEGV));
	ok &= has(&r, want);
	run_done(&r, ok);
}

static void check_timeout(void)
{
	struct run r = {};
	bool ok;

	run_self(&r, "-w", "1", "-a", "runner_selftest_hang", NULL);
	ok = killed(&r, SIGALRM);
	ok &= has(&r, "log line before the hang");
	ok &= has(&r, "#* runner_selftest_hang:FAIL (timed out after 1 s)");
	run_done(&r, ok);
}

void test_runner(void)
{
	if (test__start_subtest("asserts"))
		check_asserts();
	if (test__start_subtest("fail_output"))
		check_fail_output();
	if (test__start_subtest("skip_output"))
		check_skip_output();
	if (test__start_subtest("subtest_output"))
		check_subtest_output();
	if (test__start_subtest("verbose"))
		check_verbose();
	if (test__start_subtest("filters"))
		check_filters();
	if (test__start_subtest("crash"))
		check_crash();
	if (test__start_subtest("timeout"))
		check_timeout();
}
