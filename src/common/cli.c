// SPDX-License-Identifier: GPL-2.0
/* Messages, pid lists, error advice and sleeps for both tools (cli.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

const char *cli_prog = "dmabufstat";

static void message(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: error: ", cli_prog);
	vfprintf(stderr, fmt, ap);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", cli_prog);
	exit(2);
}

void cli_add_pids(const char *arg, uint32_t *pids, size_t *nr, size_t max)
{
	char *copy = strdup(arg), *tok, *save = NULL, *end;
	unsigned long long v;

	if (!copy) {
		cli_error("out of memory");
		exit(1);
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		errno = 0;
		v = strtoull(tok, &end, 10);
		if (errno || *end || !*tok || *tok == '-' || !v ||
		    v > UINT32_MAX)
			cli_usage_error("bad pid '%s'", tok);
		if (*nr >= max)
			cli_usage_error("more than %zu pids", max);
		pids[(*nr)++] = v;
	}
	free(copy);
}

/*
 * What to do about a failure of the library, by its class. Pin's errors
 * (no bpffs, a pin already there) say what to do in the library's own
 * message.
 */
static const char *advice(enum dmabufstat_errclass c)
{
	switch (c) {
	case DMABUFSTAT_E_PERM:
		return "run as root, or with CAP_BPF and CAP_PERFMON (or use --backend procfs to see only your own processes)";
	case DMABUFSTAT_E_NO_BTF:
		return "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y, or use --backend procfs";
	case DMABUFSTAT_E_NO_ITER:
		return "the kernel lacks the dma-buf BPF iterator (Linux 6.16+, or 6.12 with kernel-patches/): use --backend auto or fallback, mount debugfs (mount -t debugfs none /sys/kernel/debug) or enable CONFIG_DMABUF_SYSFS_STATS";
	case DMABUFSTAT_E_NO_SOURCE:
		return "mount debugfs (mount -t debugfs none /sys/kernel/debug) or pick another --backend";
	case DMABUFSTAT_E_NOTSUP:
		return "this build does not support it";
	default:
		return NULL;
	}
}

void cli_lib_error(const struct dmabufstat *ds, const char *what, int err)
{
	const char *msg = dmabufstat_errmsg(ds), *h;

	h = advice(dmabufstat_errclass(ds));
	if (!msg || !*msg)
		msg = strerror(-err);
	if (h)
		cli_error("%s: %s; %s", what, msg, h);
	else
		cli_error("%s: %s", what, msg);
}

/* Edits (insert, delete, change, swap two neighbours) from a to b. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[16][16];

	if (la >= 16 || lb >= 16)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *cli_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t i, d, best_d = SIZE_MAX, len = strlen(word);
	const char *best = NULL;

	for (i = 0; i < n; i++) {
		/* a prefix of a name ("proc", "export") is the name */
		if (len >= 3 && !strncmp(cands[i], word, len))
			return cands[i];
		d = edit_distance(word, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	if (best_d > 2 || best_d * 2 >= len)
		return NULL;
	return best;
}

uint64_t cli_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

bool cli_sleep_until(uint64_t deadline, const volatile sig_atomic_t *stop)
{
	struct timespec ts = {
		.tv_sec = deadline / 1000000000ULL,
		.tv_nsec = deadline % 1000000000ULL,
	};
	int err;

	while (!*stop) {
		err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (err != EINTR)
			return !err && !*stop;
	}
	return false;
}

int cli_output_error(int err)
{
	if (err == -EPIPE)
		return 0;
	cli_error("writing output: %s", strerror(-err));
	return 1;
}
