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

static const char usage_text[] =
"Usage: dmabuf-top [OPTIONS] [INTERVAL [COUNT]]\n"
"\n"
"Live view of who holds DMA-BUF memory: processes (Android's rss and pss),\n"
"exporters, buffers, attached devices, uids and cgroups, refreshed every\n"
"INTERVAL seconds (default 1, fractions allowed) COUNT times (default: until\n"
"q, Ctrl-C or SIGTERM). Each refresh takes one libdmabufstat snapshot\n"
"(dma-buf BPF iterator, else debugfs bufinfo / sysfs stats / /proc).\n"
"\n"
"On a terminal it runs full-screen (ncurses); with -b, -o json or csv, or when\n"
"stdout is not a terminal it prints one report per refresh instead, with no\n"
"escape codes: a header (time, refresh number, backend, view; buffers,\n"
"exported bytes, userspace rss and pss, kernel-only bytes) and a table.\n"
"\n"
"Options:\n"
"  -b, --batch          batch mode even on a terminal\n"
"  -C, --noclear        the same as -b: tables scroll, as with -C in bcc's\n"
"                       top tools\n"
"  -o, --output FMT     batch output: table (or text; the default), json\n"
"                       (JSON Lines: one document per refresh on one line,\n"
"                       the objects of dmabufstat -o json plus the growth\n"
"                       fields) or csv (the header row once, LF line ends,\n"
"                       each row led by its refresh's time and backend);\n"
"                       json and csv imply -b\n"
"  -j, --json           the same as -o json\n"
"  -v, --view VIEW      procs (default), exporters, buffers, devices, uids or\n"
"                       cgroups\n"
"  -s, --sort COL       sort by column COL (its JSON key, e.g. rss, pss, bufs,\n"
"                       fds, grow, size, bytes, count, comm, name):\n"
"                       identifiers (pid, ino, uid, cgroup_id) ascending,\n"
"                       other numbers largest first, names in natural order\n"
"                       (leak-2 before leak-10); ties by the identifier.\n"
"                       Default: rss (procs, uids, cgroups), bytes\n"
"                       (exporters, devices), size (buffers)\n"
"      --reverse        reverse the sort order\n"
"  -r, --rows N         at most N rows per refresh (batch; 0: all)\n"
"  -p, --pid PID        only process PID (repeatable, or PID,PID,...); the\n"
"                       buffers, exporters and devices views then count only\n"
"                       buffers these processes hold, uids and cgroups show\n"
"                       only the groups they belong to\n"
"      --uid UID        likewise, processes of user UID (number or name)\n"
"      --cgroup CG      likewise, processes in cgroup CG (id, or a path\n"
"                       absolute or under /sys/fs/cgroup)\n"
"      --exporter NAME  only buffers of exporter NAME (or its exp_name);\n"
"                       procs: rss, pss, bufs, fds and maps of those buffers\n"
"  -K, --leak K         mark ('!' in column L, \"leak\": true in JSON) entities\n"
"                       whose usage grew at each of the last K refreshes\n"
"                       (default 3; 0: off). Usage: rss for processes, uids,\n"
"                       cgroups; bytes for exporters and devices\n"
"      --since-start    DELTA is against the first refresh, not the previous\n"
"      --orphans        the leaks view (with lifecycle tracking on, dmabufstat\n"
"                       track start): buffers whose allocator exited and that\n"
"                       no process holds, and kernel-only buffers with the\n"
"                       process whose import keeps them (KEPT_BY); implies\n"
"                       -v buffers; key o\n"
"  -H, --tree           start grouped: processes by command name, buffers by\n"
"                       exporter (group rows are shown as [N] and sum members)\n"
"      --bytes          sizes in bytes, not 4.0K, 1.2M, ...: sizes below 1024\n"
"                       bytes are plain numbers, others K, M, G, T (powers of\n"
"                       1024), one decimal below 10; as dmabufstat's tables\n"
"      --interval S     the same as INTERVAL; --count N the same as COUNT\n"
"      --backend SPEC   auto (default), bpf, fallback, procfs, bufinfo, sysfs or\n"
"                       BUF+PROC, as for dmabufstat --backend\n"
"  -h, --help           this text\n"
"  -V, --version        print the version\n"
"\n"
"Columns (processes): PID UID COMM RSS PSS BUFS FDS MAPS, then DELTA (bytes\n"
"since the previous refresh, or the first with --since-start; the first\n"
"refresh is the baseline, all 0), GROW/s (bytes per second since the\n"
"previous refresh), AVG/s (bytes per second since the first refresh; an\n"
"entity that appeared later counts from 0) and L (the leak mark, -K).\n"
"Exporters, devices, uids and cgroups have the same growth columns;\n"
"buffers show INODE SIZE EXPORTER NAME PROCS FDS MAPS KERNEL_ONLY HOLDERS\n"
"(pids) and DEVICES (attached), and while lifecycle tracking runs\n"
"(dmabufstat track start) ALLOCATOR (comm:pid, '(exited)', or 'before\n"
"tracking'), AGE (since the export; -s age sorts oldest first), IMPORTERS,\n"
"KEPT_BY and ORPHAN; processes then have ALLOC (what they allocated that\n"
"still exists). Names are shown as they are when valid\n"
"UTF-8 under a UTF-8 locale, padded by display width; control bytes and\n"
"bytes not UTF-8 are escaped (\\n, \\xNN). JSON has the name as UTF-8 (bad\n"
"bytes as U+FFFD) and, only then, its exact bytes in name_hex\n"
"(docs/json-schema.md).\n"
"\n"
"The full screen: a header with the totals above, the backend and how long\n"
"the snapshot took; a sparkline of the total exported bytes; per-exporter\n"
"bars; the view's table; a key line. On a narrow terminal the least needed\n"
"columns step aside (AVG/s first, then UID, ...; 80x24 keeps the rest).\n"
"\n"
"Interactive keys:\n"
"  1-6, Tab, Left/Right   views: procs exporters buffers devices uids cgroups\n"
"  Up/Down PgUp/PgDn Home/End   move the selection (it stays on the same\n"
"                         pid, inode or name across refreshes and sorts;\n"
"                         each view keeps its own)\n"
"  < >  or s              pick the sort column (previous / next)\n"
"  F6                     sort menu: the view's columns; Up/Down, Enter\n"
"                         picks, Esc closes\n"
"  r                      reverse the sort order\n"
"  /, F3                  filter: rows with the text in a name column (any\n"
"                         case) or equal to a number (a pid, an inode);\n"
"                         Enter applies, Esc clears\n"
"  p                      follow the selected process (all views show only\n"
"                         its buffers); p again stops\n"
"  H, F5                  group/tree toggle (procs by command, buffers by\n"
"                         exporter)\n"
"  o                      leaks view toggle (--orphans; needs tracking)\n"
"  d                      details pane: a process's buffers and who shares\n"
"                         them; a buffer's holders and devices; an\n"
"                         exporter's or device's buffers; a group's\n"
"                         processes; its title has a sparkline of the\n"
"                         selection's usage since it was selected\n"
"  Space                  refresh now\n"
"  + -                    longer / shorter interval\n"
"  ?                      help\n"
"  Esc                    close the details pane, the filter prompt, the\n"
"                         sort menu or the help; never quits\n"
"  q, F10                 quit (the terminal is restored, as on SIGINT,\n"
"                         SIGTERM and errors)\n"
"  mouse                  where the terminal reports clicks: a click on a\n"
"                         row selects it, on a column header sorts by it\n"
"                         (again: reversed)\n"
"\n"
"Exit status: 0 done, 1 a snapshot failed or BPF is not permitted (one line\n"
"on stderr, 'dmabuf-top: error: ...', as dmabufstat words it), 2 usage\n"
"error.\n"
"\n"
"Examples:\n"
"  dmabuf-top                         full-screen, 1 s refresh\n"
"  dmabuf-top -b -o json 0.5 10       ten JSON lines, two per second\n"
"  dmabuf-top -b -v buffers -r 20 5   top 20 buffers every 5 s\n"
"  dmabuf-top -b -K 5 -s grow 10      leak hunting: who grows, every 10 s\n"
"  dmabuf-top -v buffers -s age       oldest buffers first (tracking on)\n";

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
