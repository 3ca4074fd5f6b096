// SPDX-License-Identifier: GPL-2.0
/*
 * dmabufstat: who holds how much DMA-BUF memory.
 *
 * Options first (anywhere on the line), then a command from the table
 * below, in the shape of bpftool's cmd_select(): its name, its handler
 * and the options it takes. Adding a command is one handler and one row.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "opts.h"
#include "perm.h"
#include "text.h"

/* The short help; the man page (docs/man/dmabufstat.8) has every option. */
static const char usage_text[] =
"Usage: dmabufstat [OPTIONS] [COMMAND [ARGS...]]\n"
"\n"
"Who holds how much DMA-BUF memory: every dma-buf, its exporter and attached\n"
"devices, and the processes holding it (Android's rss and pss). From the\n"
"kernel's dma-buf BPF iterator, else debugfs, sysfs and /proc; every output\n"
"names the backend it used.\n"
"\n"
"Commands:\n"
"  summary             (default) totals, exporters, top processes\n"
"  buffers [INO...]    one row per buffer (or only these inodes)\n"
"  exporters           count and bytes per exporter\n"
"  procs [PID...]      one row per process holding buffers, with its\n"
"                      command line\n"
"  devices             buffers attached to each device\n"
"  uids, cgroups       rss and pss per user, per cgroup (id and path)\n"
"  totals              the count and bytes of all buffers only (cheapest)\n"
"  diff --save FILE    save this snapshot's buffers and processes (JSON)\n"
"  diff FILE           that snapshot against now: buffers new and freed,\n"
"                      processes new, grown, shrunk and gone\n"
"  pin [DIR], unpin    pin the iterators into bpffs (--android: Android's)\n"
"  track start|stop|status [DIR], track stack INO\n"
"                      lifecycle tracking: who allocated each buffer and\n"
"                      when, who imported it (buffers shows ALLOCATOR, AGE,\n"
"                      IMPORTERS; buffers --orphans lists the leaks)\n"
"  dump [-a|-b] [PID]  Android dmabuf_dump's output\n"
"  export --prometheus [--textfile DIR] [--top N]\n"
"                      Prometheus text format: totals, per exporter,\n"
"                      device, uid and cgroup, and the N largest processes\n"
"                      (10). Each pid is a series of its own: churning\n"
"                      pids add series, --top N bounds them per scrape\n"
"\n"
"Common options:\n"
"  -o, --output FMT    table (default), json or csv (-j: json)\n"
"  -s, --sort KEY      sort by a column's JSON key: ids ascending, other\n"
"                      numbers largest first, names naturally\n"
"      --reverse       the other way round\n"
"  -r, --rows N        at most N rows\n"
"  -p, --pid PID       only these processes (and the buffers they hold);\n"
"                      --uid UID, --cgroup CG, --exporter NAME likewise\n"
"      --bytes         sizes in bytes, not 4.0K, 1.5M\n"
"      --interval S    a sample every S seconds (JSON Lines with -o json);\n"
"                      --count N stops after N\n"
"      --backend B     auto (default), bpf, fallback, procfs, ...\n"
"  -v, --verbose       libbpf's messages\n"
"  -h, --help          this text; -V, --version: the version\n"
"\n"
"Exit status: 0 done, 1 failed (one error line says why and what to do),\n"
"2 bad usage, 3 not tracking (track status).\n"
"\n"
"Examples:\n"
"  dmabufstat buffers -s procs -r 20   the 20 most shared buffers\n"
"  dmabufstat procs --exporter vgem    who holds the most vgem memory\n"
"  dmabufstat procs 1234 -o json       one process, as JSON\n"
"\n"
"Every command and option, the figures and the JSON and CSV formats:\n"
"man dmabufstat (docs/man/dmabufstat.8 in the source).\n";

/* The options, each a bit so that commands can say which they take. */
enum {
	O_OUTPUT, O_SORT, O_REVERSE, O_ROWS, O_PID, O_UID, O_CGROUP, O_BYTES,
	O_VIEW, O_INTERVAL, O_COUNT, O_MODE, O_GROUP, O_FORCE, O_ANDROID,
	O_ALL, O_BUFS, O_PROMETHEUS, O_TEXTFILE, O_TOP, O_BACKEND, O_VERBOSE,
	O_EXPORTER, O_ENTRIES, O_ORPHANS, O_STACKS, O_NO_RELEASE, O_SAVE,
	O_NR,
};

#define OPT(o) (1u << (o))
/* Every command takes these. */
#define O_GLOBAL (OPT(O_BACKEND) | OPT(O_VERBOSE))
#define O_VIEWS (OPT(O_OUTPUT) | OPT(O_SORT) | OPT(O_REVERSE) | OPT(O_ROWS) | \
		 OPT(O_PID) | OPT(O_UID) | OPT(O_CGROUP) | OPT(O_BYTES) | \
		 OPT(O_VIEW) | OPT(O_INTERVAL) | OPT(O_COUNT) | OPT(O_EXPORTER) | \
		 OPT(O_ORPHANS))

/* The option's name in messages, by bit. */
static const char *const opt_names[O_NR] = {
	[O_OUTPUT] = "-o", [O_SORT] = "-s", [O_REVERSE] = "--reverse",
	[O_ROWS] = "-r", [O_PID] = "-p", [O_UID] = "--uid",
	[O_CGROUP] = "--cgroup", [O_BYTES] = "--bytes", [O_VIEW] = "--view",
	[O_INTERVAL] = "--interval", [O_COUNT] = "--count",
	[O_MODE] = "--mode", [O_GROUP] = "--group", [O_FORCE] = "-f",
	[O_ANDROID] = "--android", [O_ALL] = "-a", [O_BUFS] = "-b",
	[O_PROMETHEUS] = "--prometheus", [O_TEXTFILE] = "--textfile",
	[O_TOP] = "--top", [O_BACKEND] = "--backend", [O_VERBOSE] = "-v",
	[O_EXPORTER] = "--exporter", [O_ENTRIES] = "--entries",
	[O_ORPHANS] = "--orphans", [O_STACKS] = "--stacks",
	[O_NO_RELEASE] = "--no-release", [O_SAVE] = "--save",
};

static const struct cmd {
	const char *name;
	int (*fn)(struct dmabufstat *ds, const char *name, char **args,
		  int nr);
	unsigned int opts;
} cmds[] = {
	/* and each view of the report layer, by its name (cmd_select()) */
	{ "summary", cmd_view, O_VIEWS },
	{ "totals", cmd_totals, OPT(O_OUTPUT) | OPT(O_BYTES) },
	{ "pin", cmd_pin, OPT(O_MODE) | OPT(O_GROUP) | OPT(O_FORCE) |
			  OPT(O_ANDROID) },
	{ "unpin", cmd_pin, OPT(O_ANDROID) },
	{ "track", cmd_track, OPT(O_MODE) | OPT(O_GROUP) | OPT(O_ENTRIES) |
			      OPT(O_STACKS) | OPT(O_NO_RELEASE) | OPT(O_OUTPUT) },
	{ "dump", cmd_dump, OPT(O_OUTPUT) | OPT(O_ALL) | OPT(O_BUFS) },
	{ "export", cmd_export, OPT(O_PROMETHEUS) | OPT(O_TEXTFILE) |
				OPT(O_TOP) },
	{ "diff", cmd_diff, OPT(O_OUTPUT) | OPT(O_BYTES) | OPT(O_SAVE) },
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, 'j' },
	{ "sort", required_argument, NULL, 's' },
	{ "reverse", no_argument, NULL, 0x100 + O_REVERSE },
	{ "rows", required_argument, NULL, 'r' },
	{ "pid", required_argument, NULL, 'p' },
	{ "uid", required_argument, NULL, 0x100 + O_UID },
	{ "cgroup", required_argument, NULL, 0x100 + O_CGROUP },
	{ "exporter", required_argument, NULL, 0x100 + O_EXPORTER },
	{ "bytes", no_argument, NULL, 0x100 + O_BYTES },
	{ "view", required_argument, NULL, 0x100 + O_VIEW },
	{ "backend", required_argument, NULL, 0x100 + O_BACKEND },
	{ "mode", required_argument, NULL, 0x100 + O_MODE },
	{ "group", required_argument, NULL, 0x100 + O_GROUP },
	{ "force", no_argument, NULL, 'f' },
	{ "android", no_argument, NULL, 0x100 + O_ANDROID },
	{ "interval", required_argument, NULL, 0x100 + O_INTERVAL },
	{ "count", required_argument, NULL, 0x100 + O_COUNT },
	{ "prometheus", no_argument, NULL, 0x100 + O_PROMETHEUS },
	{ "textfile", required_argument, NULL, 0x100 + O_TEXTFILE },
	{ "top", required_argument, NULL, 0x100 + O_TOP },
	{ "entries", required_argument, NULL, 0x100 + O_ENTRIES },
	{ "orphans", no_argument, NULL, 0x100 + O_ORPHANS },
	{ "stacks", no_argument, NULL, 0x100 + O_STACKS },
	{ "no-release", no_argument, NULL, 0x100 + O_NO_RELEASE },
	{ "leaks", no_argument, NULL, 0x100 + O_ORPHANS },
	{ "save", no_argument, NULL, 0x100 + O_SAVE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char *backend_spec;

/* Parses the options; returns the set given (OPT() bits). */
static unsigned int parse_args(int argc, char **argv)
{
	unsigned int seen = 0;
	struct group *gr;
	uint64_t v;
	char *end;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:js:r:p:fvhVab", long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'o':
			env.format = cli_parse_format(optarg, true);
			seen |= OPT(O_OUTPUT);
			break;
		case 'j':
			env.format = REP_JSON;
			seen |= OPT(O_OUTPUT);
			break;
		case 's':
			env.sort = optarg;
			seen |= OPT(O_SORT);
			break;
		case 0x100 + O_REVERSE:
			env.reverse = true;
			seen |= OPT(O_REVERSE);
			break;
		case 'r':
			env.rows = cli_parse_rows(optarg);
			seen |= OPT(O_ROWS);
			break;
		case 'p':
			cli_filter_pids(&env.filter, optarg);
			seen |= OPT(O_PID);
			break;
		case 0x100 + O_UID:
			cli_filter_uid(&env.filter, optarg);
			seen |= OPT(O_UID);
			break;
		case 0x100 + O_CGROUP:
			cli_filter_cgroup(&env.filter, optarg);
			seen |= OPT(O_CGROUP);
			break;
		case 0x100 + O_EXPORTER:
			cli_filter_exporter(&env.filter, optarg);
			seen |= OPT(O_EXPORTER);
			break;
		case 0x100 + O_BYTES:
			env.bytes = true;
			seen |= OPT(O_BYTES);
			break;
		case 0x100 + O_VIEW:
			env.view = rep_view_name(cli_parse_view(optarg));
			seen |= OPT(O_VIEW);
			break;
		case 0x100 + O_BACKEND:
			backend_spec = optarg;
			seen |= OPT(O_BACKEND);
			break;
		case 0x100 + O_MODE:
			errno = 0;
			v = strtoul(optarg, &end, 8);
			if (errno || *end || !*optarg || v > 07777)
				cli_usage_error("--mode %s: not an octal file mode",
						optarg);
			env.mode = v;
			seen |= OPT(O_MODE);
			break;
		case 0x100 + O_GROUP:
			if (cli_parse_u64(optarg, &v) && v <= UINT32_MAX) {
				env.gid = v;
			} else {
				gr = getgrnam(optarg);
				if (!gr)
					cli_usage_error("--group %s: no such group",
							optarg);
				env.gid = gr->gr_gid;
			}
			seen |= OPT(O_GROUP);
			break;
		case 'f':
			env.force = true;
			seen |= OPT(O_FORCE);
			break;
		case 'a':
			env.dump_all = true;
			seen |= OPT(O_ALL);
			break;
		case 'b':
			env.dump_bufs = true;
			seen |= OPT(O_BUFS);
			break;
		case 0x100 + O_ANDROID:
			env.android = true;
			seen |= OPT(O_ANDROID);
			break;
		case 0x100 + O_INTERVAL:
			env.interval = cli_parse_interval("--interval", optarg);
			seen |= OPT(O_INTERVAL);
			break;
		case 0x100 + O_COUNT:
			env.count = cli_parse_count("--count", optarg);
			seen |= OPT(O_COUNT);
			break;
		case 0x100 + O_PROMETHEUS:
			env.prometheus = true;
			seen |= OPT(O_PROMETHEUS);
			break;
		case 0x100 + O_TEXTFILE:
			env.textfile = optarg;
			seen |= OPT(O_TEXTFILE);
			break;
		case 0x100 + O_TOP:
			if (!cli_parse_u64(optarg, &v) || v > 1000000)
				cli_usage_error("--top %s: not a process count",
						optarg);
			env.top = v;
			seen |= OPT(O_TOP);
			break;
		case 0x100 + O_NO_RELEASE:
			env.no_release = true;
			seen |= OPT(O_NO_RELEASE);
			break;
		case 0x100 + O_STACKS:
			env.stacks = true;
			seen |= OPT(O_STACKS);
			break;
		case 0x100 + O_ORPHANS:
			env.filter.f.leaks = true;
			seen |= OPT(O_ORPHANS);
			break;
		case 0x100 + O_ENTRIES:
			if (!cli_parse_u64(optarg, &v) || !v || v > 1u << 24)
				cli_usage_error("--entries %s: not a buffer count (1 to 16777216)",
						optarg);
			env.entries = v;
			seen |= OPT(O_ENTRIES);
			break;
		case 0x100 + O_SAVE:
			env.save = true;
			seen |= OPT(O_SAVE);
			break;
		case 'v':
			env.verbose = true;
			seen |= OPT(O_VERBOSE);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case 'V':
			printf("dmabufstat %s (libdmabufstat %s)\n",
			       DMABUFSTAT_VERSION_STRING, dmabufstat_version());
			exit(0);
		default:
			cli_getopt_error(opt, argv);
		}
	}
	return seen;
}

static const struct cmd *cmd_select(const char *name)
{
	static struct cmd view = { NULL, cmd_view, O_VIEWS };
	enum rep_view v = rep_view_find(name);
	const char *names[REP_TOTALS + sizeof(cmds) / sizeof(cmds[0])];
	const char *hint;
	size_t i, n = 0;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	if (v < REP_TOTALS) {
		view.name = rep_view_name(v);
		return &view;
	}
	for (i = 0; i < REP_TOTALS; i++)
		names[n++] = rep_view_name(i);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		names[n++] = cmds[i].name;
	hint = cli_suggest(name, names, n);
	if (hint)
		cli_usage_error("unknown command '%s'; did you mean '%s'?",
				name, hint);
	cli_usage_error("unknown command '%s'", name);
}

/* Every option given must be one the command takes. */
static void check_opts(const struct cmd *c, unsigned int seen)
{
	unsigned int bad = seen & ~(c->opts | O_GLOBAL);
	int o;

	for (o = 0; o < O_NR; o++)
		if (bad & OPT(o))
			cli_usage_error("%s is not an option of %s",
					opt_names[o], c->name);
}

static void print_fn(enum dmabufstat_log_level level, const char *msg,
		     void *cookie)
{
	(void)level;
	(void)cookie;
	if (!env.verbose)
		return;
	fputs(msg, stderr);
	if (msg[0] && msg[strlen(msg) - 1] != '\n')
		fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	struct dmabufstat_opts opts = {
		.sz = sizeof(opts),
		.print = print_fn,
	};
	const char *name;
	const struct cmd *c;
	struct dmabufstat *ds;
	unsigned int seen;
	int ret;

	rep_locale_init();
	seen = parse_args(argc, argv);
	name = optind < argc ? argv[optind++] : env.view ?: "summary";
	c = cmd_select(name);
	check_opts(c, seen);
	if (env.view && strcmp(env.view, c->name))
		cli_usage_error("--view %s: the command is %s", env.view, c->name);
	if (backend_spec)
		cli_parse_backend(backend_spec, &opts);
	/* track: the library words its own refusal (status and stop need
	 * only access to the pins) */
	if (c->fn != cmd_track && !cli_bpf_permitted(&opts))
		return 1;
	ds = dmabufstat_new(&opts);
	if (!ds) {
		cli_error("out of memory");
		return 1;
	}
	ret = c->fn(ds, c->name, argv + optind, argc - optind);
	dmabufstat_free(ds);
	return ret;
}
