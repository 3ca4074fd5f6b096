// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top: options, signals and the batch refresh loop; the interactive
 * mode is ui.c. The option words are dmabufstat's (src/common/opts.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "perm.h"
#include "text.h"
#include "top.h"

static volatile sig_atomic_t top_exiting;

static struct env {
	bool batch;
	enum rep_format format;
	const char *backend;
	double interval;
	uint64_t count;		/* 0: until interrupted */
	struct top_opts top;
} env = {
	.format = REP_TABLE,
	.interval = 1.0,
	.top = { .view = REP_PROCS, .leak_k = 3 },
};

/* The short help; the man page (docs/man/dmabuf-top.8) has every option. */
static const char usage_text[] =
"Usage: dmabuf-top [OPTIONS] [INTERVAL [COUNT]]\n"
"\n"
"Live view of who holds DMA-BUF memory: processes (Android's rss and pss,\n"
"command lines), exporters, buffers, devices, uids and cgroups (paths), with\n"
"growth and leak marks, refreshed every INTERVAL seconds (default 1) COUNT\n"
"times (default: until q).\n"
"Full screen on a terminal; with -b, -o json or csv, or no terminal, one\n"
"report per refresh.\n"
"\n"
"Common options:\n"
"  -b, --batch          batch mode even on a terminal (-C, --noclear: same)\n"
"  -o, --output FMT     batch output: table, json (JSON Lines; -j) or csv\n"
"  -v, --view VIEW      procs (default), exporters, buffers, devices, uids,\n"
"                       cgroups\n"
"  -s, --sort COL       sort by a column's JSON key (rss, grow, size, ...)\n"
"      --reverse        reverse the sort order\n"
"  -r, --rows N         at most N rows per refresh (batch)\n"
"  -p, --pid PID        only these processes (and the buffers they hold);\n"
"                       --uid UID, --cgroup CG, --exporter NAME likewise\n"
"  -K, --leak K         mark what grew at each of the last K refreshes (3)\n"
"      --orphans        the leaks view (with dmabufstat track start running)\n"
"  -H, --tree           start grouped (processes by command, buffers by\n"
"                       exporter)\n"
"      --bytes          sizes in bytes, not 4.0K, 1.5M\n"
"      --backend SPEC   auto (default), bpf, fallback, procfs, ...\n"
"  -h, --help           this text; -V, --version: the version\n"
"\n"
"Keys: 1-6 views, arrows move, < > sort column, r reverse, / filter,\n"
"i go to a buffer by inode, p follow a process, H tree, d details, Esc\n"
"closes, ? all keys, q quits.\n"
"\n"
"Exit status: 0 done, 1 a snapshot failed or BPF is not permitted (one\n"
"error line), 2 bad usage.\n"
"\n"
"Examples:\n"
"  dmabuf-top -b -o json 0.5 10       ten JSON lines, two per second\n"
"  dmabuf-top -b -K 5 -s grow 10      leak hunting: who grows, every 10 s\n"
"\n"
"Every option, column and key: man dmabuf-top (docs/man/dmabuf-top.8 in\n"
"the source).\n";

static void sig_handler(int sig)
{
	(void)sig;
	top_exiting = 1;
}

enum {
	OPT_SINCE_START = 256,
	OPT_BYTES,
	OPT_BACKEND,
	OPT_REVERSE,
	OPT_UID,
	OPT_CGROUP,
	OPT_EXPORTER,
	OPT_INTERVAL,
	OPT_COUNT,
	OPT_ORPHANS,
};

static const struct option long_opts[] = {
	{ "batch", no_argument, NULL, 'b' },
	{ "noclear", no_argument, NULL, 'C' },
	{ "output", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, 'j' },
	{ "view", required_argument, NULL, 'v' },
	{ "sort", required_argument, NULL, 's' },
	{ "reverse", no_argument, NULL, OPT_REVERSE },
	{ "rows", required_argument, NULL, 'r' },
	{ "pid", required_argument, NULL, 'p' },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "exporter", required_argument, NULL, OPT_EXPORTER },
	{ "leak", required_argument, NULL, 'K' },
	{ "since-start", no_argument, NULL, OPT_SINCE_START },
	{ "tree", no_argument, NULL, 'H' },
	{ "bytes", no_argument, NULL, OPT_BYTES },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "orphans", no_argument, NULL, OPT_ORPHANS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};

static void parse_args(int argc, char **argv)
{
	char *end;
	long v;
	bool view_given = false;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":bCo:jv:s:r:p:K:HhV", long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'b':
		case 'C':
			env.batch = true;
			break;
		case 'o':
			env.format = cli_parse_format(optarg, false);
			if (env.format != REP_TABLE)
				env.batch = true;
			break;
		case 'j':
			env.format = REP_JSON;
			env.batch = true;
			break;
		case 'v':
			env.top.view = cli_parse_view(optarg);
			view_given = true;
			break;
		case 's':
			env.top.sort = optarg;
			break;
		case OPT_REVERSE:
			env.top.reverse = true;
			break;
		case 'r':
			env.top.rows = cli_parse_rows(optarg);
			break;
		case 'p':
			cli_filter_pids(&env.top.filter, optarg);
			break;
		case OPT_UID:
			cli_filter_uid(&env.top.filter, optarg);
			break;
		case OPT_EXPORTER:
			cli_filter_exporter(&env.top.filter, optarg);
			break;
		case OPT_CGROUP:
			cli_filter_cgroup(&env.top.filter, optarg);
			break;
		case 'K':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || !*optarg || v < 0 || v > 1000000)
				cli_usage_error("-K %s: not a number of refreshes",
						optarg);
			env.top.leak_k = v;
			break;
		case OPT_SINCE_START:
			env.top.since_start = true;
			break;
		case 'H':
			env.top.tree = true;
			break;
		case OPT_ORPHANS:
			env.top.filter.f.leaks = true;
			break;
		case OPT_BYTES:
			env.top.bytes = true;
			break;
		case OPT_BACKEND:
			env.backend = optarg;
			break;
		case OPT_INTERVAL:
			env.interval = cli_parse_interval("--interval", optarg);
			break;
		case OPT_COUNT:
			env.count = cli_parse_count("--count", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case 'V':
			printf("dmabuf-top %s (libdmabufstat %s)\n",
			       DMABUFSTAT_VERSION_STRING, dmabufstat_version());
			exit(0);
		default:
			cli_getopt_error(opt, argv);
		}
	}
	if (optind < argc)
		env.interval = cli_parse_interval("interval", argv[optind++]);
	if (optind < argc)
		env.count = cli_parse_count("count", argv[optind++]);
	if (optind < argc)
		cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (env.top.filter.f.leaks) {
		if (view_given && env.top.view != REP_BUFFERS)
			cli_usage_error("--orphans: the buffers view, not %s",
					rep_view_name(env.top.view));
		env.top.view = REP_BUFFERS;
	}
	if (env.top.sort)
		cli_check_sort(env.top.view, &top_growth_cols, env.top.sort);
}

static int run_batch(struct model *m)
{
	uint64_t step = env.interval * 1e9, next = cli_now_ns(), n;
	int err;

	for (n = 1; !top_exiting && (!env.count || n <= env.count); n++) {
		err = model_refresh(m);
		if (err) {
			cli_lib_error(m->ds, "cannot take a snapshot", err);
			return 1;
		}
		if (env.top.filter.f.leaks && !dmabufstat_snapshot_track(m->snap)) {
			cli_error("--orphans: needs lifecycle tracking (dmabufstat track start)");
			return 1;
		}
		err = batch_print(m, &env.top, env.format, env.interval, n);
		if (err)
			return cli_output_error(err);
		if (env.count && n == env.count)
			break;
		next += step;
		if (next < cli_now_ns())
			next = cli_now_ns();
		cli_sleep_until(next, &top_exiting);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct dmabufstat_opts opts = { .sz = sizeof(opts) };
	struct sigaction sa = { .sa_handler = sig_handler };
	struct model m;
	int ret, err;

	cli_prog = "dmabuf-top";
	rep_locale_init();
	parse_args(argc, argv);
	if (!cli_pids_exist(&env.top.filter))
		return 1;
	if (!isatty(STDOUT_FILENO))
		env.batch = true;
	if (env.backend)
		cli_parse_backend(env.backend, &opts);
	if (!cli_bpf_permitted(&opts))
		return 1;

	/* no SA_RESTART: a signal ends sleeps and getch() at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (model_init(&m, &opts)) {
		cli_error("out of memory");
		return 1;
	}
	err = dmabufstat_probe(m.ds);
	if (err) {
		cli_lib_error(m.ds, "cannot load", err);
		model_fini(&m);
		return 1;
	}
	if (env.batch)
		ret = run_batch(&m);
	else
		ret = ui_run(&m, &env.top, env.interval, env.count,
			     &top_exiting);
	model_fini(&m);
	return ret;
}
