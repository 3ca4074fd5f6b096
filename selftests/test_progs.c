// SPDX-License-Identifier: GPL-2.0
/*
 * test_progs: runs the dmabufstat selftests (the test_*() functions of
 * prog_tests/) and reports them in the form of the kernel's BPF selftest
 * runner:
 *
 *	#N name:OK|FAIL|SKIP
 *	#N/M name/subtest:OK|FAIL|SKIP
 *	Summary: X/Y PASSED, Z SKIPPED, W FAILED
 *	N passed, N failed, N skipped
 *
 * Each test's output (stdout and stderr, so libbpf's messages too) is
 * captured and shown only when it fails or with -v. A skip always shows its
 * reason on its result line.
 */
#include <fnmatch.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <math.h>
#include <bpf/libbpf.h>

#include "test_progs.h"

struct prog_test_def {
	const char *name;	/* function name without "test_" */
	void (*run)(void);
};

/*
 * .output/selftests/tests.h is generated (found through -I .output): one
 * DEFINE_TEST(test_x) line per test, by file name and then file order.
 */
#define DEFINE_TEST(f) void f(void);
#include "selftests/tests.h"
#undef DEFINE_TEST

#define DEFINE_TEST(f) { .name = #f + sizeof("test_") - 1, .run = f },
static const struct prog_test_def prog_tests[] = {
#include "selftests/tests.h"
};
#undef DEFINE_TEST

#define NR_TESTS ((int)(sizeof(prog_tests) / sizeof(prog_tests[0])))

/*
 * Tests whose name starts with this prefix exist to exercise the runner
 * itself (they fail or skip on purpose). They run only when a -t or -a
 * selector names them exactly, so a plain run or a pattern never picks
 * them up, and -l does not list them.
 */
#define HIDDEN_PREFIX "runner_selftest_"

enum match_mode {
	MATCH_SUBSTR,		/* -t: substring, or glob if it has a '*' */
	MATCH_EXACT,		/* -a, -d: whole name, or glob */
};

struct selector {
	char *test;
	char *sub;		/* NULL: every subtest */
	enum match_mode mode;
};

struct selector_set {
	struct selector *v;
	int n;
};

struct log {
	char *buf;
	size_t len;
	FILE *f;
};

struct subtest_state {
	int num;
	char *name;
	int error_cnt;
	bool skipped;
	char *skip_reason;
	struct log log;
};

struct test_state {
	bool tested;
	int error_cnt;		/* every failure, in a subtest or not */
	int top_error_cnt;	/* failures outside any subtest */
	bool top_skipped;	/* test__skip() outside any subtest */
	int skip_cnt;		/* top skip + skipped subtests (as test_progs) */
	int subtest_num;	/* subtests started, including filtered ones */
	int sub_run_cnt;
	int sub_succ_cnt;
	int sub_fail_cnt;
	int sub_skip_cnt;
	char *skip_reason;
	struct log log;
};

struct test_env env;

static struct {
	struct selector_set allow;
	struct selector_set deny;
	bool list;
	unsigned int timeout;
	FILE *out;		/* the real stdout and stderr, while tests */
	FILE *err;		/* write to their logs */
	pid_t pid;
} opts = {
	.timeout = 600,
};

static struct test_state test_states[NR_TESTS ? NR_TESTS : 1];
static int test_nums[NR_TESTS ? NR_TESTS : 1];
static const struct prog_test_def *cur_def;
static struct test_state *cur_test;
static struct subtest_state *cur_sub;

static void die(const char *what)
{
	fprintf(opts.err ?: stderr, "test_progs: %s: %s\n", what,
		strerror(errno));
	exit(EXIT_FAILURE);
}

static bool is_hidden(const char *name)
{
	return !strncmp(name, HIDDEN_PREFIX, strlen(HIDDEN_PREFIX));
}

static bool match(const char *pat, const char *name, enum match_mode mode)
{
	if (strchr(pat, '*'))
		return !fnmatch(pat, name, 0);
	if (mode == MATCH_SUBSTR)
		return strstr(name, pat);
	return !strcmp(pat, name);
}

/* An allow selector picks a hidden test only by its exact name. */
static bool allow_matches_test(const struct selector *sel, const char *name)
{
	if (is_hidden(name))
		return !strcmp(sel->test, name);
	return match(sel->test, name, sel->mode);
}

static bool test_selected(const char *name)
{
	bool ok = !opts.allow.n && !is_hidden(name);
	int i;

	for (i = 0; i < opts.allow.n && !ok; i++)
		ok = allow_matches_test(&opts.allow.v[i], name);
	for (i = 0; i < opts.deny.n && ok; i++) {
		const struct selector *sel = &opts.deny.v[i];

		if (!sel->sub && match(sel->test, name, sel->mode))
			ok = false;
	}
	return ok;
}

static bool subtest_selected(const char *name, const char *sub)
{
	bool ok = !opts.allow.n;
	int i;

	for (i = 0; i < opts.allow.n && !ok; i++) {
		const struct selector *sel = &opts.allow.v[i];

		if (allow_matches_test(sel, name) &&
		    (!sel->sub || match(sel->sub, sub, sel->mode)))
			ok = true;
	}
	for (i = 0; i < opts.deny.n && ok; i++) {
		const struct selector *sel = &opts.deny.v[i];

		if (sel->sub && match(sel->test, name, sel->mode) &&
		    match(sel->sub, sub, sel->mode))
			ok = false;
	}
	return ok;
}

/* Parses "a,b/c,..." into selectors; returns false on an empty item. */
static bool add_selectors(struct selector_set *set, const char *arg,
			  enum match_mode mode)
{
	char *copy, *rest, *item, *slash;
	bool ok = true;

	copy = strdup(arg);
	if (!copy)
		die("strdup");
	rest = copy;
	while (ok && (item = strsep(&rest, ","))) {
		struct selector *sel;

		slash = strchr(item, '/');
		if (slash)
			*slash++ = '\0';
		if (!*item || (slash && !*slash)) {
			ok = false;
			break;
		}
		set->v = realloc(set->v, (set->n + 1) * sizeof(*set->v));
		if (!set->v)
			die("realloc");
		sel = &set->v[set->n++];
		sel->test = strdup(item);
		sel->sub = slash ? strdup(slash) : NULL;
		sel->mode = mode;
		if (!sel->test || (slash && !sel->sub))
			die("strdup");
	}
	free(copy);
	return ok;
}

static void log_open(struct log *log)
{
	log->buf = NULL;
	log->len = 0;
	log->f = open_memstream(&log->buf, &log->len);
	if (!log->f)
		die("open_memstream");
	stdout = log->f;
	stderr = log->f;
}

static void log_close(struct log *log)
{
	if (log->f)
		fclose(log->f);
	log->f = NULL;
}

static void log_dump(const struct log *log)
{
	if (!log->len)
		return;
	fwrite(log->buf, 1, log->len, opts.out);
	if (log->buf[log->len - 1] != '\n')
		fputc('\n', opts.out);
}

static void log_free(struct log *log)
{
	free(log->buf);
	log->buf = NULL;
	log->len = 0;
}

static void print_skip_reason(const char *reason)
{
	fprintf(opts.out, " (%s)", reason ?: "no reason given");
}

static void end_subtest(void)
{
	struct subtest_state *sub = cur_sub;
	struct test_state *st = cur_test;
	const char *res;

	fflush(sub->log.f);
	log_close(&sub->log);
	stdout = st->log.f;
	stderr = st->log.f;
	cur_sub = NULL;
	env.subtest_name = NULL;

	st->sub_run_cnt++;
	if (sub->error_cnt) {
		st->sub_fail_cnt++;
		res = "FAIL";
	} else if (sub->skipped) {
		st->sub_skip_cnt++;
		res = "SKIP";
	} else {
		st->sub_succ_cnt++;
		res = "OK";
	}

	if (sub->error_cnt || env.verbosity)
		log_dump(&sub->log);
	fprintf(opts.out, "#%d/%d %s/%s:%s", env.test_num, sub->num,
		cur_def->name, sub->name, res);
	if (!sub->error_cnt && sub->skipped)
		print_skip_reason(sub->skip_reason);
	fputc('\n', opts.out);
	fflush(opts.out);

	log_free(&sub->log);
	free(sub->skip_reason);
	free(sub->name);
	free(sub);
}

bool test__start_subtest(const char *name)
{
	struct subtest_state *sub;

	if (!cur_test)
		return false;
	if (cur_sub)
		end_subtest();
	cur_test->subtest_num++;
	if (!name || !*name) {
		fprintf(stderr, "subtest #%d has no name\n",
			cur_test->subtest_num);
		test__fail();
		return false;
	}
	if (!subtest_selected(cur_def->name, name))
		return false;

	sub = calloc(1, sizeof(*sub));
	if (!sub)
		die("calloc");
	sub->num = cur_test->subtest_num;
	sub->name = strdup(name);
	if (!sub->name)
		die("strdup");
	fflush(cur_test->log.f);
	log_open(&sub->log);
	cur_sub = sub;
	env.subtest_name = sub->name;
	return true;
}

void test__skip(void)
{
	if (cur_sub)
		cur_sub->skipped = true;
	else if (cur_test)
		cur_test->top_skipped = true;
}

void test__skip_reason(const char *fmt, ...)
{
	char **reason = NULL;
	va_list ap;

	if (cur_sub)
		reason = &cur_sub->skip_reason;
	else if (cur_test)
		reason = &cur_test->skip_reason;
	/* The first reason wins: it is the one that made the test give up. */
	if (reason && !*reason) {
		va_start(ap, fmt);
		if (vasprintf(reason, fmt, ap) < 0)
			*reason = NULL;
		va_end(ap);
	}
	test__skip();
}

bool test__skip_missing(const char *what, int err)
{
	if (err != -ENOENT && err != -ENODEV && err != -EACCES &&
	    err != -EPERM)
		return false;
	test__skip_reason("%s: %s", what, strerror(-err));
	return true;
}

void test__fail(void)
{
	if (!cur_test)
		return;
	cur_test->error_cnt++;
	if (cur_sub)
		cur_sub->error_cnt++;
	else
		cur_test->top_error_cnt++;
}

bool test__verbose(void)
{
	return env.verbosity > 0;
}

/* Last words of a test that crashed or hung: its log and a FAIL line. */
static void fatal_handler(int sig)
{
	/* a test's child inherits this handler but has no say here */
	if (!cur_test || getpid() != opts.pid)
		goto out;
	if (cur_sub) {
		fflush(cur_sub->log.f);
		log_dump(&cur_sub->log);
		fprintf(opts.out, "#%d/%d %s/%s:FAIL\n", env.test_num,
			cur_sub->num, cur_def->name, cur_sub->name);
	}
	fflush(cur_test->log.f);
	log_dump(&cur_test->log);
	if (sig == SIGALRM)
		fprintf(opts.out, "#%d %s:FAIL (timed out after %u s)\n",
			env.test_num, cur_def->name, opts.timeout);
	else
		fprintf(opts.out, "#%d %s:FAIL (caught signal %d: %s)\n",
			env.test_num, cur_def->name, sig, strsignal(sig));
	fflush(opts.out);
out:
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run_one_test(int idx)
{
	const struct prog_test_def *def = &prog_tests[idx];
	struct test_state *st = &test_states[idx];

	env.test_num = test_nums[idx];
	env.test_name = def->name;
	env.subtest_name = NULL;
	cur_def = def;
	cur_test = st;
	st->tested = true;

	log_open(&st->log);
	alarm(opts.timeout);
	def->run();
	if (cur_sub)
		end_subtest();
	alarm(0);
	fflush(st->log.f);
	log_close(&st->log);
	stdout = opts.out;
	stderr = opts.err;

	st->skip_cnt = st->top_skipped + st->sub_skip_cnt;
	if (st->error_cnt || env.verbosity)
		log_dump(&st->log);
	fprintf(opts.out, "#%d %s:", env.test_num, def->name);
	if (st->error_cnt) {
		fputs("FAIL", opts.out);
	} else if (!st->skip_cnt) {
		fputs("OK", opts.out);
	} else if (st->top_skipped || st->sub_skip_cnt == st->sub_run_cnt) {
		fputs("SKIP", opts.out);
		/* Skipped subtests gave their reasons on their own lines. */
		if (st->top_skipped)
			print_skip_reason(st->skip_reason);
	} else {
		fprintf(opts.out, "OK (SKIP: %d/%d)", st->sub_skip_cnt,
			st->sub_run_cnt);
	}
	fputc('\n', opts.out);
	fflush(opts.out);

	log_free(&st->log);
	cur_test = NULL;
	cur_def = NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: test_progs [-v] [-l] [-t NAMES] [-a NAMES] [-d NAMES] [-w SECONDS]\n"
"Runs the dmabufstat selftests.\n"
"\n"
"  -t, --name=NAMES     run tests whose names contain one of NAMES\n"
"  -a, --allow=NAMES    run tests whose names are exactly one of NAMES\n"
"  -d, --deny=NAMES     do not run tests named exactly one of NAMES\n"
"  -v, --verbose        show every test's output, not only failures'\n"
"  -l, --list           list the selected tests and exit\n"
"  -w, --timeout=SECS   fail a test that runs longer (default 600, 0: never)\n"
"  -h, --help           show this help\n"
"\n"
"NAMES is a comma-separated list, and each option may be repeated. An item\n"
"TEST/SUB selects subtests of TEST whose names contain (-t) or are (-a, -d)\n"
"SUB. A '*' makes an item a glob. Tests named " HIDDEN_PREFIX "* check the\n"
"runner itself and run only when -t or -a names them exactly.\n"
"\n"
"Exit status: 0 if no test failed, 1 if one did, 2 if no test was selected\n"
"or on a usage error.\n");
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "name", required_argument, NULL, 't' },
		{ "allow", required_argument, NULL, 'a' },
		{ "deny", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "list", no_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int passed = 0, failed = 0, skipped = 0;
	int succ_cnt = 0, sub_succ_cnt = 0, skip_cnt = 0, fail_cnt = 0;
	struct sigaction sa = {};
	bool ok = true;
	char *end;
	long val;
	int c, i;

	while ((c = getopt_long(argc, argv, "t:a:d:vlw:h", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 't':
			ok = add_selectors(&opts.allow, optarg, MATCH_SUBSTR);
			break;
		case 'a':
			ok = add_selectors(&opts.allow, optarg, MATCH_EXACT);
			break;
		case 'd':
			ok = add_selectors(&opts.deny, optarg, MATCH_EXACT);
			break;
		case 'v':
			env.verbosity++;
			break;
		case 'l':
			opts.list = true;
			break;
		case 'w':
			errno = 0;
			val = strtol(optarg, &end, 10);
			ok = !errno && *optarg && !*end && val >= 0 &&
			     val <= 86400;
			opts.timeout = val;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 2;
		}
		if (!ok) {
			fprintf(stderr, "test_progs: invalid argument to -%c: '%s'\n",
				c, optarg);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "test_progs: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}

	if (opts.list) {
		for (i = 0; i < NR_TESTS; i++)
			if (test_selected(prog_tests[i].name))
				printf("%s\n", prog_tests[i].name);
		return EXIT_SUCCESS;
	}

	/*
	 * Numbers are stable whatever the filters, and the hidden tests come
	 * last so that the visible ones are numbered without gaps.
	 */
	c = 0;
	for (i = 0; i < NR_TESTS; i++)
		if (!is_hidden(prog_tests[i].name))
			test_nums[i] = ++c;
	for (i = 0; i < NR_TESTS; i++)
		if (is_hidden(prog_tests[i].name))
			test_nums[i] = ++c;

	/* Result lines must not sit in a buffer while a test forks. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	opts.out = stdout;
	opts.err = stderr;
	opts.pid = getpid();

	sa.sa_handler = fatal_handler;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);

	for (i = 0; i < NR_TESTS; i++)
		if (test_selected(prog_tests[i].name))
			run_one_test(i);

	for (i = 0; i < NR_TESTS; i++) {
		const struct test_state *st = &test_states[i];

		if (!st->tested)
			continue;

		/* test_progs' Summary semantics */
		if (st->error_cnt)
			fail_cnt++;
		else
			succ_cnt++;
		sub_succ_cnt += st->sub_succ_cnt;
		skip_cnt += st->skip_cnt;

		/*
		 * The plain line counts results: in a test that has subtests
		 * each subtest that ran is one result (those the filters left
		 * out are none), and a failure or skip outside its subtests is
		 * one more, so a broken setup never hides behind passing
		 * subtests. A test without subtests is one result.
		 */
		if (st->subtest_num) {
			passed += st->sub_succ_cnt;
			failed += st->sub_fail_cnt;
			skipped += st->sub_skip_cnt;
			if (st->top_error_cnt)
				failed++;
			else if (st->top_skipped)
				skipped++;
		} else if (st->error_cnt) {
			failed++;
		} else if (st->top_skipped) {
			skipped++;
		} else {
			passed++;
		}
	}

	if (!succ_cnt && !fail_cnt)
		fprintf(stderr, "test_progs: no test selected\n");
	printf("Summary: %d/%d PASSED, %d SKIPPED, %d FAILED\n", succ_cnt,
	       sub_succ_cnt, skip_cnt, fail_cnt);
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);

	if (fail_cnt)
		return EXIT_FAILURE;
	return succ_cnt ? EXIT_SUCCESS : 2;
}

/* ASSERT_*() machinery */

static const char *file_base(const char *file)
{
	const char *slash = strrchr(file, '/');

	return slash ? slash + 1 : file;
}

/*
 * Prints the OK line (with -v) or the head of the FAIL line, which the
 * caller completes and ends.
 */
static bool report_head(const char *file, int line, const char *name,
			bool ok)
{
	if (ok) {
		if (env.verbosity)
			fprintf(stdout, "%s:%d:OK:%s\n", file_base(file), line,
				name);
		return true;
	}
	fprintf(stdout, "%s:%d:FAIL:%s ", file_base(file), line, name);
	test__fail();
	return false;
}

static bool report(const char *file, int line, const char *name, bool ok,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static bool report(const char *file, int line, const char *name, bool ok,
		   const char *fmt, ...)
{
	va_list ap;

	if (report_head(file, line, name, ok))
		return true;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	return false;
}

static void fmt_val(char *buf, size_t size, struct test__val v)
{
	switch (v.kind) {
	case TEST__VAL_S:
		snprintf(buf, size, "%lld", v.s);
		break;
	case TEST__VAL_U:
		snprintf(buf, size, "%llu", v.u);
		break;
	case TEST__VAL_F:
		snprintf(buf, size, "%g", v.f);
		break;
	case TEST__VAL_P:
		snprintf(buf, size, "%p", v.p);
		break;
	}
}

static double val_double(struct test__val v)
{
	switch (v.kind) {
	case TEST__VAL_S:
		return v.s;
	case TEST__VAL_U:
		return v.u;
	case TEST__VAL_F:
		return v.f;
	case TEST__VAL_P:
		break;
	}
	return (uintptr_t)v.p;
}

/* Returns <0, 0, >0, or 2 when unordered (a NaN). */
static int cmp_val(struct test__val a, struct test__val b)
{
	if (a.kind == TEST__VAL_P)
		a = test__val_u((uintptr_t)a.p);
	if (b.kind == TEST__VAL_P)
		b = test__val_u((uintptr_t)b.p);

	if (a.kind == TEST__VAL_F || b.kind == TEST__VAL_F) {
		double x = val_double(a), y = val_double(b);

		if (isnan(x) || isnan(y))
			return 2;
		return (x > y) - (x < y);
	}
	if (a.kind == TEST__VAL_S && b.kind == TEST__VAL_S)
		return (a.s > b.s) - (a.s < b.s);
	if (a.kind == TEST__VAL_S) {
		if (a.s < 0)
			return -1;
		a = test__val_u(a.s);
	}
	if (b.kind == TEST__VAL_S) {
		if (b.s < 0)
			return 1;
		b = test__val_u(b.s);
	}
	return (a.u > b.u) - (a.u < b.u);
}

bool test__assert_cmp(const char *file, int line, const char *name,
		      enum test__op op, struct test__val act,
		      struct test__val exp)
{
	/* printed on failure: the relation that holds instead */
	static const char *const neg[] = {
		[TEST__EQ] = "!=", [TEST__NE] = "==", [TEST__LT] = ">=",
		[TEST__LE] = ">", [TEST__GT] = "<=", [TEST__GE] = "<",
	};
	char a[64], e[64];
	int c = cmp_val(act, exp);
	bool ok = false;

	switch (op) {
	case TEST__EQ:
		ok = c == 0;
		break;
	case TEST__NE:
		ok = c != 0;
		break;
	case TEST__LT:
		ok = c == -1;
		break;
	case TEST__LE:
		ok = c == -1 || c == 0;
		break;
	case TEST__GT:
		ok = c == 1;
		break;
	case TEST__GE:
		ok = c == 1 || c == 0;
		break;
	}
	fmt_val(a, sizeof(a), act);
	fmt_val(e, sizeof(e), exp);
	return report(file, line, name, ok,
		      "unexpected %s: actual %s %s expected %s", name, a,
		      c == 2 ? "unordered with" : neg[op], e);
}

bool test__assert_bool(const char *file, int line, const char *name,
		       bool val, bool want)
{
	return report(file, line, name, val == want, "unexpected %s: got %s",
		      name, val ? "TRUE" : "FALSE");
}

/* "-2 (No such file or directory)" for -errno, errno's text for -1 */
static const char *err_text(char *buf, size_t size, long long res, int err)
{
	if (res == -1)
		snprintf(buf, size, "-1 (errno %d: %s)", err, strerror(err));
	else if (res < 0 && res > -4096)
		snprintf(buf, size, "%lld (%s)", res, strerror(-res));
	else
		snprintf(buf, size, "%lld", res);
	return buf;
}

bool test__assert_ok(const char *file, int line, const char *name,
		     long long res, int err)
{
	char buf[128];

	return report(file, line, name, res == 0, "unexpected error: %s",
		      err_text(buf, sizeof(buf), res, err));
}

bool test__assert_err(const char *file, int line, const char *name,
		      long long res)
{
	return report(file, line, name, res < 0, "unexpected success: %lld",
		      res);
}

bool test__assert_ok_fd(const char *file, int line, const char *name,
			long long fd, int err)
{
	char buf[128];

	return report(file, line, name, fd >= 0, "unexpected fd: %s",
		      err_text(buf, sizeof(buf), fd, err));
}

bool test__assert_ptr(const char *file, int line, const char *name,
		      const void *ptr, int err, int want)
{
	long perr = ptr ? libbpf_get_error(ptr) : 0;
	char buf[128];

	switch (want) {
	case 0:		/* ASSERT_OK_PTR */
		if (!ptr)
			return report(file, line, name, false,
				      "unexpected pointer: NULL (errno %d: %s)",
				      err, strerror(err));
		return report(file, line, name, !perr,
			      "unexpected error pointer: %s",
			      err_text(buf, sizeof(buf), perr, 0));
	case 1:		/* ASSERT_ERR_PTR */
		return report(file, line, name, !ptr || perr,
			      "unexpected pointer: %p", ptr);
	default:	/* ASSERT_NULL */
		return report(file, line, name, !ptr,
			      "unexpected pointer: %p, expected NULL", ptr);
	}
}

/* Prints at most 512 bytes of @s, C-escaped, quoted (or NULL). */
static void print_str(FILE *f, const char *s)
{
	size_t i;

	if (!s) {
		fputs("NULL", f);
		return;
	}
	fputc('"', f);
	for (i = 0; s[i] && i < 512; i++) {
		unsigned char ch = s[i];

		if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
	if (s[i])
		fputs("...", f);
}

bool test__assert_str(const char *file, int line, const char *name,
		      const char *act, const char *exp, size_t len, int want)
{
	bool ok = act && exp;

	if (ok && want)
		ok = strstr(act, exp);
	else if (ok)
		ok = len ? !strncmp(act, exp, len) : !strcmp(act, exp);
	if (report_head(file, line, name, ok))
		return true;
	fprintf(stdout, "unexpected %s: actual ", name);
	print_str(stdout, act);
	fputs(want ? " does not contain " : " != expected ", stdout);
	print_str(stdout, exp);
	if (len)
		fprintf(stdout, " (first %zu bytes)", len);
	fputc('\n', stdout);
	return false;
}

bool test__assert_memeq(const char *file, int line, const char *name,
			const void *act, const void *exp, size_t len)
{
	const unsigned char *a = act, *e = exp;
	size_t off, i;

	for (off = 0; off < len && a[off] == e[off]; off++)
		;
	if (report_head(file, line, name, off == len))
		return true;
	fprintf(stdout, "unexpected %s: first difference at byte %zu of %zu:\n",
		name, off, len);
	fputs("  actual:  ", stdout);
	for (i = off; i < len && i < off + 16; i++)
		fprintf(stdout, " %02x", a[i]);
	fputs("\n  expected:", stdout);
	for (i = off; i < len && i < off + 16; i++)
		fprintf(stdout, " %02x", e[i]);
	fputc('\n', stdout);
	return false;
}
