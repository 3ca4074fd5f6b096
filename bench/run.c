// SPDX-License-Identifier: GPL-2.0
/*
 * Commands timed from fork to exit, as a shell runs them: our CLI one-shot
 * (exec) and its cost per sample in an --interval loop (loop). The child's
 * stdout goes to /dev/null; its peak RSS comes from wait4().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "bench.h"

struct child {
	char **argv;
	long maxrss_kib;	/* the largest seen */
};

static long run_child(void *arg)
{
	struct child *c = arg;
	struct rusage ru;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execvp(c->argv[0], c->argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "dmabuf-bench: %s exited with status %d\n",
			c->argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -ECHILD;
	}
	if (ru.ru_maxrss > c->maxrss_kib)
		c->maxrss_kib = ru.ru_maxrss;
	return 0;
}

static char **after_dashes(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--") && i + 1 < argc)
			return argv + i + 1;
	die("%s needs -- CMD", argv[0]);
}

int cmd_exec(int argc, char **argv)
{
	struct child c = { .argv = after_dashes(argc, argv) };
	struct result r;
	int err;

	err = measure(run_child, &c, &r);
	if (err)
		die("%s failed: %s", c.argv[0], strerror(-err));
	r.maxrss_kib = c.maxrss_kib;
	print_result(&r);
	return 0;
}

/* argv + "--interval 0.001 --count K": samples back to back */
static char **with_count(char **argv, const char *count)
{
	int n = 0;
	char **out;

	while (argv[n])
		n++;
	out = calloc(n + 5, sizeof(*out));
	if (!out)
		die("out of memory");
	memcpy(out, argv, n * sizeof(*out));
	out[n] = "--interval";
	out[n + 1] = "0.001";
	out[n + 2] = "--count";
	out[n + 3] = (char *)count;
	return out;
}

static double time_child(struct child *c)
{
	uint64_t t0 = now_ns();

	if (run_child(c))
		die("%s failed", c->argv[0]);
	return (now_ns() - t0) / 1e3;
}

/*
 * The cost of one more sample: (time(K samples) - time(1 sample)) / (K - 1),
 * from pairs of runs, so the start-up (BPF load) cancels out.
 */
int cmd_loop(int argc, char **argv)
{
	struct child one, many;
	struct result r;
	double *us;
	int k, i;

	if (argc < 4 || (k = atoi(argv[1])) < 2)
		die("loop needs K >= 2 and -- CMD");
	one.argv = with_count(after_dashes(argc, argv), "1");
	many.argv = with_count(after_dashes(argc, argv), argv[1]);
	one.maxrss_kib = many.maxrss_kib = 0;
	us = calloc(bench_reps, sizeof(*us));
	if (!us)
		die("out of memory");
	time_child(&one);	/* untimed */
	for (i = 0; i < bench_reps; i++) {
		double t1 = time_child(&one);

		us[i] = (time_child(&many) - t1) / (k - 1);
	}
	stats(us, bench_reps, &r);
	r.check = k;
	r.maxrss_kib = many.maxrss_kib;
	print_result(&r);
	free(us);
	return 0;
}
