// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-bench: the timing half of `make bench`, run in the guest by
 * bench/guest.sh. Each command times one case a few times and prints
 *
 *	MEDIAN_US MIN_US MAX_US CHECK MAXRSS_KIB
 *
 * on one line (CHECK: what the last run counted, e.g. buffers seen;
 * MAXRSS_KIB: the children's peak RSS, -1 when no child ran).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

int bench_reps = 5;

static const char usage[] =
"Usage: dmabuf-bench [--reps R] COMMAND [ARGS]\n"
"  clock                 the clock's resolution: the smallest nonzero step\n"
"                        of CLOCK_MONOTONIC over many calls, in ns\n"
"  read READER           time a held-out reader: sysfs, bufinfo, procs,\n"
"                        android, floor\n"
"  lib SPEC              time libdmabufstat snapshots with --backend SPEC\n"
"  totals SPEC           time dmabufstat_totals_only() with --backend SPEC\n"
"  exec -- CMD...        time CMD from fork to exit (stdout to /dev/null)\n"
"  loop K -- CMD...      per-sample cost of CMD --interval 0.001 --count K:\n"
"                        (time(K) - time(1)) / (K - 1)\n"
"  hold N P READY        hold N one-page system-heap buffers in P processes;\n"
"                        create READY when they all are, exit on SIGTERM\n"
"  alloc heap|udmabuf SIZE SECONDS\n"
"                        alloc+free in a loop for SECONDS per rep; prints\n"
"                        the time per alloc+free in us\n"
"Each timed case runs once untimed, then R times (default 5).\n";

void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dmabuf-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void stats(double *us, int n, struct result *r)
{
	qsort(us, n, sizeof(*us), cmp_double);
	r->min_us = us[0];
	r->max_us = us[n - 1];
	r->median_us = n % 2 ? us[n / 2] : (us[n / 2 - 1] + us[n / 2]) / 2;
}

/* One untimed run (caches, lazy loads), then bench_reps timed runs. */
int measure(bench_fn fn, void *arg, struct result *r)
{
	double us[bench_reps];
	long check;
	int i;

	check = fn(arg);
	if (check < 0)
		return check;
	for (i = 0; i < bench_reps; i++) {
		uint64_t t0 = now_ns();

		check = fn(arg);
		us[i] = (now_ns() - t0) / 1e3;
		if (check < 0)
			return check;
	}
	stats(us, bench_reps, r);
	r->check = check;
	return 0;
}

void print_result(const struct result *r)
{
	printf("%.1f %.1f %.1f %ld %ld\n", r->median_us, r->min_us, r->max_us,
	       r->check, r->maxrss_kib);
}

/* The smallest nonzero step between two consecutive clock reads. */
static int cmd_clock(void)
{
	uint64_t prev = now_ns(), best = UINT64_MAX;
	int i;

	for (i = 0; i < 1000000; i++) {
		uint64_t t = now_ns();

		if (t != prev && t - prev < best)
			best = t - prev;
		prev = t;
	}
	printf("%llu\n", (unsigned long long)best);
	return 0;
}

static int cmd_read(int argc, char **argv)
{
	struct result r = { .maxrss_kib = -1 };
	bench_fn fn;
	int err;

	if (argc != 2)
		die("read needs a reader name");
	fn = reader_by_name(argv[1]);
	if (!fn)
		die("no reader '%s'", argv[1]);
	err = measure(fn, NULL, &r);
	if (err)
		die("reader %s failed: %s", argv[1], strerror(-err));
	print_result(&r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "--reps")) {
		bench_reps = atoi(argv[2]);
		if (bench_reps < 1 || bench_reps > 1000)
			die("--reps %s: not a count from 1 to 1000", argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "clock"))
		return cmd_clock();
	if (!strcmp(argv[1], "read"))
		return cmd_read(argc - 1, argv + 1);
	if (!strcmp(argv[1], "lib") || !strcmp(argv[1], "totals"))
		return cmd_lib(argc - 1, argv + 1);
	if (!strcmp(argv[1], "exec"))
		return cmd_exec(argc - 1, argv + 1);
	if (!strcmp(argv[1], "loop"))
		return cmd_loop(argc - 1, argv + 1);
	if (!strcmp(argv[1], "hold"))
		return cmd_hold(argc - 1, argv + 1);
	if (!strcmp(argv[1], "alloc"))
		return cmd_alloc(argc - 1, argv + 1);
	die("unknown command '%s' (see --help)", argv[1]);
}
