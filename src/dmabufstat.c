// SPDX-License-Identifier: GPL-2.0
/*
 * dmabufstat: who holds how much DMA-BUF memory.
 *
 * Takes one snapshot through libdmabufstat and prints one view of it
 * (summary, buffers, exporters, procs, devices, uids, cgroups) as a table,
 * JSON or CSV; or pins the per-buffer iterator into bpffs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/stat.h>

#include "libdmabufstat.h"
#include "cli.h"
#include "dump.h"
#include "output.h"
#include "prometheus.h"
#include "views.h"


static struct env {
	enum out_format format;
	bool bytes;
	bool verbose;
	const char *backend;
	struct view_opts view;
	/* pin */
	bool force;
	uint32_t mode;
	int64_t gid;
	bool android;
	/* dump */
	bool dump_all, dump_bufs, raw;
	/* loop */
	double interval;	/* seconds; 0: one sample */
	uint64_t count;		/* samples; 0: until a signal */
	/* export */
	bool prometheus;
	const char *textfile;
	size_t top;
} env = {
	.top = 10,
	.format = OUT_TABLE,
	.gid = -1,
};

static const char usage_text[] =
"Usage: dmabufstat [OPTIONS] [COMMAND [ARGS...]]\n"
"\n"
"Show who holds how much DMA-BUF memory: every dma-buf the kernel has, the\n"
"exporter that made it, the devices attached to it and the processes that\n"
"hold it by file descriptor or by mapping, with Android's rss and pss.\n"
"Buffers come from the kernel's dma-buf BPF iterator (Linux 6.16+, or 6.12\n"
"with this project's kernel patches) and processes from BPF task iterators;\n"
"without them it falls back to debugfs bufinfo, sysfs dma-buf stats and\n"
"/proc. The backend in use is part of every output.\n"
"\n"
"Commands:\n"
"  summary            (default) totals, per-exporter table, top processes\n"
"  buffers            one row per buffer\n"
"  exporters          count and bytes per exporter\n"
"  procs [PID...]     one row per process holding buffers (only PIDs given)\n"
"  devices            count and bytes of buffers attached to each device\n"
"  uids, cgroups      rss and pss per user id, per cgroup (v2 id)\n"
"  pin [DIR]          pin the per-buffer iterator into bpffs (default\n"
"                     " DMABUFSTAT_PIN_DIR "); reading DIR/" DMABUFSTAT_PIN_BUFFERS " then walks\n"
"                     every buffer with no daemon running (binary records,\n"
"                     struct dmabufstat_buf_rec of bpf/dmabufstat.h)\n"
"  pin --android [DIR]  pin Android's dma-buf iterator (libdmabufinfo's\n"
"                     format): the program at DIR/" DMABUFSTAT_ANDROID_PROG "\n"
"                     (Android's path with the default DIR; read it as\n"
"                     Android does: bpf_link_create + bpf_iter_create) and\n"
"                     an iterator link at DIR/" DMABUFSTAT_ANDROID_TEXT " (cat\n"
"                     it). Four lines per buffer: inode, size in bytes,\n"
"                     name (may be empty; newlines made spaces), exporter\n"
"                     (never empty: '" DMABUFSTAT_ANDROID_NO_EXPORTER "' if the kernel has none)\n"
"  unpin [--android] [DIR]  remove what pin (--android) pinned\n"
"  dump [-a] [-b] [PID] [-o raw|csv]\n"
"                     Android dmabuf_dump's output: per process (or only\n"
"                     PID) a table of Name, Rss, Pss, nr_procs, Inode,\n"
"                     Exporter with a PROCESS TOTAL row and a dashed line,\n"
"                     then 'dmabuf total: N kB kernel_rss: N kB\n"
"                     userspace_rss: N kB userspace_pss: N kB'. -a: buffer x\n"
"                     process grid of fd(map) reference counts. -b:\n"
"                     per-buffer, per-exporter and total sections (bytes).\n"
"                     Sizes in kB are bytes/1024, floored; empty names and\n"
"                     exporters print '<unknown>'; exporter is the kernel's\n"
"                     exp_name; raw output makes newlines in names spaces.\n"
"                     csv: the same tables, a header row each, text quoted\n"
"                     (\"\" doubling), LF line ends, tables separated by an\n"
"                     empty line. With PID the last line counts that\n"
"                     process's buffers as userspace (as dmabuf_dump does)\n"
"  export --prometheus [--textfile DIR] [--top N]\n"
"                     Prometheus text format (HELP/TYPE, _bytes units,\n"
"                     escaped UTF-8 label values): dmabuf_total_bytes,\n"
"                     _total_buffers, _kernel_only_bytes/_buffers,\n"
"                     _userspace_bytes, _userspace_rss_bytes, _pss_bytes,\n"
"                     _processes, dmabuf_exporter_bytes/_buffers{exporter},\n"
"                     dmabuf_device_bytes/_buffers{device},\n"
"                     dmabuf_process_rss_bytes/_pss_bytes{pid,comm} for the\n"
"                     N largest processes by rss (--top, default 10),\n"
"                     dmabufstat_info{backend}. --textfile DIR writes\n"
"                     DIR/dmabufstat.prom atomically (temporary file +\n"
"                     rename) for node_exporter's textfile collector\n"
"\n"
"Options:\n"
"  -o, --output FMT   table (default), json or csv\n"
"  -j, --json         same as -o json\n"
"  -s, --sort FIELD   sort rows by FIELD, a column key of the view's JSON\n"
"                     (numbers largest first, text A-Z); 'size' is the\n"
"                     view's size column. Default: size (buffers), bytes\n"
"                     (exporters, devices), rss (procs, uids, cgroups)\n"
"  -r, --rows N       print at most N rows (summary: top processes, 10)\n"
"  -p, --pid PID      only processes PID (repeatable, or PID,PID,...); in\n"
"                     buffers, exporters and devices: only buffers they hold\n"
"      --uid UID      likewise, processes of user UID (number or name)\n"
"      --cgroup CG    likewise, processes in cgroup CG: a cgroup v2 id, or a\n"
"                     path (absolute, or relative to /sys/fs/cgroup)\n"
"      --bytes        tables show sizes in bytes, not KiB/MiB/...\n"
"      --backend B    auto (default), bpf, fallback, procfs, bufinfo, sysfs\n"
"                     or BUF+PROC (BUF: bpf-iter, bufinfo, sysfs, procs;\n"
"                     PROC: bpf-task, procfs, none). A forced backend fails\n"
"                     when unavailable; auto says why it fell back.\n"
"                     'proc' is accepted for procfs.\n"
"      --mode MODE    pin: octal file mode of the pinned file (default 0600)\n"
"      --group GROUP  pin: group (name or gid) of the pinned file\n"
"  -f, --force        pin: replace an existing pin\n"
"      --interval S   views: a sample every S seconds; with -o json one JSON\n"
"                     document per line (JSON Lines), flushed per line; as\n"
"                     a table, each under a line with the time and its\n"
"                     number (not with csv); SIGINT/SIGTERM end it\n"
"                     cleanly, never mid-sample\n"
"      --count N      stop after N samples (default: until a signal)\n"
"  -a, -b             dump: grid, per-buffer stats (see dump)\n"
"      --android      pin/unpin: Android's iterator (see pin --android)\n"
"  -v, --verbose      show libbpf's messages\n"
"  -h, --help         this text\n"
"  -V, --version      print the version\n"
"\n"
"Figures (Android's definitions, as dmabuf_dump):\n"
"  rss    a process's rss is the sum of the sizes of the distinct buffers it\n"
"         holds by fd or mapping (dup'd fds count once)\n"
"  pss    each buffer's size divided by the number of processes holding it,\n"
"         in whole bytes (floored per buffer)\n"
"  kernel-only   buffers no process holds (held by drivers alone)\n"
"  userspace_rss / userspace_pss   sums over all processes (rss can exceed\n"
"         the total, a shared buffer counting once per holder)\n"
"\n"
"Output:\n"
"  table  a 'Backend:' line, then aligned columns; text is escaped C-style\n"
"         (\\n, \\t, \\\\, \\xNN for control bytes and bytes not UTF-8); '-'\n"
"         is empty, '?' unknown.\n"
"  json   one object (json-c), numbers as JSON numbers (bytes, not kB):\n"
"           version, view, backend, buffer_backend, process_backend,\n"
"           fallback_reason, realtime_ns, snapshot_flags [no-kernel-only,\n"
"           no-procs, partial-procs], filtered,\n"
"           totals {count, bytes, userspace_count, userspace_bytes,\n"
"             kernel_count, kernel_bytes, userspace_rss, userspace_pss,\n"
"             processes, fds, maps}  (always system-wide),\n"
"           and the view's array: buffers [{ino, size, exporter, exp_name,\n"
"             driver, name, has_name, procs, fds, maps, pids[], refcount,\n"
"             vmaps, attached, devices[], kernel_only}], exporters [{name,\n"
"             exp_name, resolved, count, bytes}], processes [{pid, comm,\n"
"             uid, cgroup_id, rss, pss, bufs, fds, maps, inos[]}], devices\n"
"             [{name, count, bytes}], uids [{uid, rss, pss, procs, bufs}],\n"
"             cgroups [{cgroup_id, ...}]; summary has exporters and\n"
"             processes. refcount and vmaps are -1 when unknown.\n"
"         Strings are JSON-escaped. A string that is not valid UTF-8 (a\n"
"         buffer name may hold any byte) has each invalid byte replaced by\n"
"         U+FFFD, and its exact bytes, hex-encoded, in \"<key>_hex\" beside\n"
"         it (e.g. name_hex; devices_hex for the list). See\n"
"         docs/json-schema.md.\n"
"  csv    RFC 4180: first line '# dmabufstat VERSION view=VIEW backend=B'\n"
"         (a comment: skip lines starting with '#'), then a header row of\n"
"         the JSON keys and one row per record; text quoted with \"\"\n"
"         doubling, raw bytes kept, lists joined by ';', CRLF line ends,\n"
"         sizes in bytes. Several tables (summary) are separated by an\n"
"         empty line and a '# NAME' line.\n"
"\n"
"Exit status:\n"
"  0  success\n"
"  1  the snapshot or pin failed (the one-line error says why and what to do)\n"
"  2  bad usage (unknown command or option, bad value)\n"
"\n"
"Errors are one line on stderr, 'dmabufstat: error: ...', for instance when\n"
"not root (needs root, or CAP_BPF and CAP_PERFMON; or --backend procfs for\n"
"your own processes), without kernel BTF, without the dma-buf iterator and\n"
"any fallback, or with no bpffs for pin.\n"
"\n"
"Examples:\n"
"  dmabufstat                          totals, exporters, top processes\n"
"  dmabufstat buffers -s procs -r 20   the 20 most shared buffers\n"
"  dmabufstat procs 1234 -o json       one process, as JSON\n"
"  dmabufstat exporters -o csv --bytes\n"
"  dmabufstat buffers --uid 1000       buffers held by uid 1000's processes\n"
"  dmabufstat --backend fallback       no dma-buf iterator: debugfs/sysfs\n"
"  dmabufstat dump -b                  dmabuf_dump -b\n"
"  dmabufstat pin --android && cat " DMABUFSTAT_PIN_DIR "/" DMABUFSTAT_ANDROID_TEXT "\n"
"  dmabufstat export --prometheus --textfile /var/lib/prometheus/node-exporter\n"
"  dmabufstat -o json --interval 5 procs   JSON Lines, every 5 s\n"
"  dmabufstat pin && cat " DMABUFSTAT_PIN_DIR "/" DMABUFSTAT_PIN_BUFFERS " | xxd | head\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static void print_fn(enum dmabufstat_log_level level, const char *msg,
		     void *cookie)
{
	(void)cookie;
	if (level == DMABUFSTAT_LOG_DEBUG && !env.verbose)
		return;
	if (!env.verbose)
		return;
	fputs(msg, stderr);
	if (msg[0] && msg[strlen(msg) - 1] != '\n')
		fputc('\n', stderr);
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

/* A cgroup v2 id, or a path whose id is its directory's inode number. */
static void parse_cgroup(const char *arg)
{
	char path[4096];
	struct stat st;
	uint64_t v;

	if (parse_u64(arg, &v)) {
		env.view.cgroup = v;
		env.view.has_cgroup = true;
		return;
	}
	if (arg[0] == '/')
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", arg);
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		cli_usage_error("--cgroup %s: not a cgroup id nor a cgroup directory",
			    arg);
	env.view.cgroup = st.st_ino;
	env.view.has_cgroup = true;
}

enum {
	OPT_UID = 0x100,
	OPT_CGROUP,
	OPT_BYTES,
	OPT_BACKEND,
	OPT_MODE,
	OPT_GROUP,
	OPT_ANDROID,
	OPT_INTERVAL,
	OPT_COUNT,
	OPT_PROMETHEUS,
	OPT_TEXTFILE,
	OPT_TOP,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, 'j' },
	{ "sort", required_argument, NULL, 's' },
	{ "rows", required_argument, NULL, 'r' },
	{ "pid", required_argument, NULL, 'p' },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "bytes", no_argument, NULL, OPT_BYTES },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "force", no_argument, NULL, 'f' },
	{ "android", no_argument, NULL, OPT_ANDROID },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
	{ "textfile", required_argument, NULL, OPT_TEXTFILE },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void parse_args(int argc, char **argv)
{
	struct passwd *pw;
	struct group *gr;
	uint64_t v;
	char *end;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:js:r:p:fvhVab", long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (!strcmp(optarg, "table"))
				env.format = OUT_TABLE;
			else if (!strcmp(optarg, "json"))
				env.format = OUT_JSON;
			else if (!strcmp(optarg, "csv"))
				env.format = OUT_CSV;
			else if (!strcmp(optarg, "raw"))
				env.raw = true;	/* dump's name for its table */
			else
				cli_usage_error("-o %s: the formats are table, json and csv (dump: raw and csv)",
					    optarg);
			break;
		case 'j':
			env.format = OUT_JSON;
			break;
		case 's':
			env.view.sort = optarg;
			break;
		case 'r':
			if (!parse_u64(optarg, &v) || v > SIZE_MAX)
				cli_usage_error("-r %s: not a row count", optarg);
			env.view.rows = v;
			break;
		case 'p':
			cli_add_pids(optarg, env.view.pids, &env.view.nr_pids,
				     VIEW_MAX_PIDS);
			break;
		case OPT_UID:
			if (parse_u64(optarg, &v) && v <= UINT32_MAX) {
				env.view.uid = v;
			} else {
				pw = getpwnam(optarg);
				if (!pw)
					cli_usage_error("--uid %s: no such user", optarg);
				env.view.uid = pw->pw_uid;
			}
			env.view.has_uid = true;
			break;
		case OPT_CGROUP:
			parse_cgroup(optarg);
			break;
		case OPT_BYTES:
			env.bytes = true;
			break;
		case OPT_BACKEND:
			env.backend = optarg;
			break;
		case OPT_MODE:
			errno = 0;
			v = strtoul(optarg, &end, 8);
			if (errno || *end || !*optarg || v > 07777)
				cli_usage_error("--mode %s: not an octal file mode",
					    optarg);
			env.mode = v;
			break;
		case OPT_GROUP:
			if (parse_u64(optarg, &v) && v <= UINT32_MAX) {
				env.gid = v;
			} else {
				gr = getgrnam(optarg);
				if (!gr)
					cli_usage_error("--group %s: no such group",
						    optarg);
				env.gid = gr->gr_gid;
			}
			break;
		case 'f':
			env.force = true;
			break;
		case 'a':
			env.dump_all = true;
			break;
		case 'b':
			env.dump_bufs = true;
			break;
		case OPT_ANDROID:
			env.android = true;
			break;
		case OPT_INTERVAL:
			errno = 0;
			env.interval = strtod(optarg, &end);
			if (errno || *end || !*optarg || !(env.interval > 0) ||
			    env.interval > 86400 * 365)
				cli_usage_error("--interval %s: not a positive number of seconds",
					    optarg);
			break;
		case OPT_COUNT:
			if (!parse_u64(optarg, &v) || !v)
				cli_usage_error("--count %s: not a positive sample count",
					    optarg);
			env.count = v;
			break;
		case OPT_PROMETHEUS:
			env.prometheus = true;
			break;
		case OPT_TEXTFILE:
			env.textfile = optarg;
			break;
		case OPT_TOP:
			if (!parse_u64(optarg, &v) || v > 1000000)
				cli_usage_error("--top %s: not a process count",
					    optarg);
			env.top = v;
			break;
		case 'v':
			env.verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("dmabufstat %s (libdmabufstat %s)\n", DMABUFSTAT_VERSION_STRING,
			       dmabufstat_version());
			exit(0);
		case ':':
			cli_usage_error("option '%s' needs an argument",
				    argv[optind - 1]);
		default:
			if (optopt && optopt < 0x100)
				cli_usage_error("unknown option '-%c'", optopt);
			cli_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
}

/* Is capability cap in our effective set (/proc/self/status CapEff)? */
static bool have_cap(int cap)
{
	unsigned long long eff = 0;
	char line[256];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	fclose(f);
	if (!found)
		return geteuid() == 0;
	return eff & (1ULL << cap);
}

/*
 * AUTO would quietly fall back to /proc when BPF is not permitted, and
 * show only the caller's processes and no kernel-only buffers: refuse that
 * unless a non-BPF backend was asked for by name.
 */
static bool may_use_bpf(void)
{
	const int cap_sys_admin = 21, cap_perfmon = 38, cap_bpf = 39;

	return have_cap(cap_sys_admin) ||
	       (have_cap(cap_bpf) && have_cap(cap_perfmon));
}

static bool wants_bpf(const struct dmabufstat_opts *o)
{
	return o->buf_backend == DMABUFSTAT_BUF_AUTO ||
	       o->buf_backend == DMABUFSTAT_BUF_BPF_ITER ||
	       o->proc_backend == DMABUFSTAT_PROC_AUTO ||
	       o->proc_backend == DMABUFSTAT_PROC_BPF_TASK;
}

static const struct {
	const char *name;
	enum view_kind kind;
} views[] = {
	{ "summary", VIEW_SUMMARY },
	{ "buffers", VIEW_BUFFERS },
	{ "exporters", VIEW_EXPORTERS },
	{ "procs", VIEW_PROCS },
	{ "devices", VIEW_DEVICES },
	{ "uids", VIEW_UIDS },
	{ "cgroups", VIEW_CGROUPS },
};

static int cmd_pin(struct dmabufstat *ds, const char *dir, bool pin)
{
	struct dmabufstat_pin_opts po = {
		.sz = sizeof(po),
		.force = env.force,
		.mode = env.mode,
		.gid = env.gid,
	};
	int err;

	if (env.android)
		err = pin ? dmabufstat_pin_android(ds, dir, &po) :
			    dmabufstat_unpin_android(ds, dir);
	else if (pin)
		err = dmabufstat_pin(ds, dir, &po);
	else
		err = dmabufstat_unpin(ds, dir);
	if (err && dmabufstat_errclass(ds) == DMABUFSTAT_E_NO_ITER) {
		/* no backend to fall back to: pinning is the iterator */
		cli_error("%s: %s; use Linux 6.16+, or 6.12 with kernel-patches/",
			  pin ? "pin" : "unpin", dmabufstat_errmsg(ds));
		return 1;
	}
	if (err) {
		cli_lib_error(ds, pin ? "pin" : "unpin", err);
		return 1;
	}
	if (pin && env.android)
		printf("pinned %s/%s (program, Android's path) and %s/%s (iterator link)\n",
		       dir ?: DMABUFSTAT_PIN_DIR, DMABUFSTAT_ANDROID_PROG,
		       dir ?: DMABUFSTAT_PIN_DIR, DMABUFSTAT_ANDROID_TEXT);
	else if (pin)
		printf("pinned %s/%s (backend %s)\n", dir ?: DMABUFSTAT_PIN_DIR,
		       DMABUFSTAT_PIN_BUFFERS, dmabufstat_backend_name(ds));
	return 0;
}

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

/* SIGINT/SIGTERM end a loop between samples (no SA_RESTART: sleeps wake). */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = sig_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int cmd_view_once(struct dmabufstat *ds, enum view_kind kind,
			 const char *name);

/*
 * --interval: one JSON document per line, per sample (JSON Lines); or a
 * table per sample under a line with the time and the sample's number, as
 * vmstat-like tools scroll. CSV has one header: it stays one sample.
 */
static int cmd_view(struct dmabufstat *ds, enum view_kind kind,
		    const char *name)
{
	uint64_t n = 0, next;
	int ret;

	if (!env.interval && !env.count)
		return cmd_view_once(ds, kind, name);
	if (env.format == OUT_CSV)
		cli_usage_error("--interval and --count go with -o json (JSON Lines) or tables, not csv");
	if (!env.interval)
		env.interval = 1;
	catch_signals();
	next = cli_now_ns();
	while (!exiting) {
		if (env.format == OUT_TABLE) {
			char when[32];
			time_t now = time(NULL);
			struct tm tm;

			localtime_r(&now, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
			printf("%s%s  sample %" PRIu64 "\n", n ? "\n" : "", when,
			       n + 1);
		}
		ret = cmd_view_once(ds, kind, name);
		fflush(stdout);
		if (ret)
			return ret;
		if (env.count && ++n >= env.count)
			break;
		next += (uint64_t)(env.interval * 1e9);
		if (!cli_sleep_until(next, &exiting))
			break;
	}
	return 0;
}

static int cmd_view_once(struct dmabufstat *ds, enum view_kind kind,
			 const char *name)
{
	struct out_style style = {
		.format = env.format,
		.bytes = env.bytes,
		.jsonl = env.interval > 0 || env.count > 0,
	};
	struct dmabufstat_snapshot *snap = NULL;
	struct out_doc doc = { 0 };
	const char *bad_sort = NULL, *reason;
	char banner[512];
	int err, ret = 1;

	err = dmabufstat_snapshot(ds, &snap);
	if (err) {
		cli_lib_error(ds, "cannot take a snapshot", err);
		return 1;
	}
	reason = dmabufstat_fallback_reason(ds);
	if (env.format == OUT_CSV)
		snprintf(banner, sizeof(banner),
			 "dmabufstat %s view=%s backend=%s", DMABUFSTAT_VERSION_STRING, name,
			 dmabufstat_snapshot_backend_name(snap));
	else
		snprintf(banner, sizeof(banner), "Backend: %s%s%s%s",
			 dmabufstat_snapshot_backend_name(snap),
			 reason && *reason ? " (fell back: " : "",
			 reason && *reason ? reason : "",
			 reason && *reason ? ")" : "");
	doc.view = name;
	doc.banner = banner;
	out_meta_str(&doc, "version", DMABUFSTAT_VERSION_STRING);
	out_meta_str(&doc, "view", name);
	out_meta_str(&doc, "backend", dmabufstat_snapshot_backend_name(snap));
	out_meta_str(&doc, "fallback_reason", reason ?: "");

	err = view_build(kind, snap, &env.view, &doc, &bad_sort);
	if (err == -EINVAL) {
		cli_error("-s %s: no such field in %s; fields: %s (see dmabufstat --help)",
		      env.view.sort, name, bad_sort);
		ret = 2;
		goto out;
	}
	if (err) {
		cli_error("%s: %s", name, strerror(-err));
		goto out;
	}
	err = out_write(stdout, &doc, &style);
	if (err) {
		cli_error("writing output: %s", strerror(-err));
		goto out;
	}
	ret = 0;
out:
	out_doc_free(&doc);
	dmabufstat_snapshot_free(snap);
	return ret;
}

static int cmd_dump(struct dmabufstat *ds, uint32_t pid)
{
	struct dump_opts o = {
		.all = env.dump_all,
		.per_buffer = env.dump_bufs,
		.csv = env.format == OUT_CSV,
		.pid = pid,
	};
	struct dmabufstat_snapshot *snap = NULL;
	int err;

	err = dmabufstat_snapshot(ds, &snap);
	if (err) {
		cli_lib_error(ds, "cannot take a snapshot", err);
		return 1;
	}
	err = dump_print(stdout, snap, &o);
	dmabufstat_snapshot_free(snap);
	if (err) {
		cli_error("writing output: %s", strerror(-err));
		return 1;
	}
	return 0;
}

static int cmd_export(struct dmabufstat *ds)
{
	struct dmabufstat_snapshot *snap = NULL;
	struct prom_opts po = { .top = env.top };
	int err;

	err = dmabufstat_snapshot(ds, &snap);
	if (err) {
		cli_lib_error(ds, "cannot take a snapshot", err);
		return 1;
	}
	if (env.textfile)
		err = prom_write_textfile(env.textfile, snap, &po);
	else
		err = prom_write(stdout, snap, &po);
	dmabufstat_snapshot_free(snap);
	if (err) {
		cli_error("export: %s%s%s", env.textfile ?: "",
		      env.textfile ? ": " : "", strerror(-err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct dmabufstat_opts opts = {
		.sz = sizeof(opts),
		.print = print_fn,
	};
	const char *cmd = "summary", *dir = NULL;
	enum view_kind kind = VIEW_SUMMARY;
	bool pin = false, unpin = false, dump = false, export = false;
	uint64_t dump_pid = 0;
	struct dmabufstat *ds;
	size_t i;
	int ret;

	parse_args(argc, argv);
	if (optind < argc)
		cmd = argv[optind++];

	if (!strcmp(cmd, "dump")) {
		dump = true;
		if (optind < argc &&
		    (!parse_u64(argv[optind], &dump_pid) || !dump_pid ||
		     dump_pid > INT32_MAX))
			cli_usage_error("dump: bad pid '%s'", argv[optind]);
		if (optind < argc)
			optind++;
		if (env.format == OUT_JSON)
			cli_usage_error("dump: the formats are raw and csv");
	} else if (!strcmp(cmd, "export")) {
		export = true;
		if (!env.prometheus)
			cli_usage_error("export: give the format, --prometheus");
	} else if (!strcmp(cmd, "pin") || !strcmp(cmd, "unpin")) {
		pin = !strcmp(cmd, "pin");
		unpin = !pin;
		if (optind < argc)
			dir = argv[optind++];
	} else {
		for (i = 0; i < sizeof(views) / sizeof(views[0]); i++)
			if (!strcmp(cmd, views[i].name))
				break;
		if (i == sizeof(views) / sizeof(views[0]))
			cli_usage_error("unknown command '%s'", cmd);
		kind = views[i].kind;
		while (kind == VIEW_PROCS && optind < argc)
			cli_add_pids(argv[optind++], env.view.pids,
				     &env.view.nr_pids, VIEW_MAX_PIDS);
	}
	if (optind < argc)
		cli_usage_error("%s: unexpected argument '%s'", cmd, argv[optind]);

	if (env.backend) {
		if (dmabufstat_parse_backend(env.backend, &opts.buf_backend,
					     &opts.proc_backend))
			cli_usage_error("--backend %s: use auto, bpf, fallback, procfs, bufinfo, sysfs or BUF+PROC",
				    env.backend);
	}
	if (wants_bpf(&opts) && !may_use_bpf()) {
		cli_error("not permitted to load BPF programs: run as root, or with CAP_BPF and CAP_PERFMON (or use --backend procfs to see only your own processes)");
		return 1;
	}

	ds = dmabufstat_new(&opts);
	if (!ds) {
		cli_error("out of memory");
		return 1;
	}
	if (!dump && (env.dump_all || env.dump_bufs || env.raw))
		cli_usage_error("-a, -b and -o raw are options of dump");
	if (env.android && !pin && !unpin)
		cli_usage_error("--android is an option of pin and unpin");
	if ((env.interval || env.count) && (dump || export || pin || unpin))
		cli_usage_error("--interval and --count go with the views");
	if (!export && (env.prometheus || env.textfile))
		cli_usage_error("--prometheus and --textfile are options of export");

	if (dump)
		ret = cmd_dump(ds, (uint32_t)dump_pid);
	else if (export)
		ret = cmd_export(ds);
	else if (pin || unpin)
		ret = cmd_pin(ds, dir, pin);
	else
		ret = cmd_view(ds, kind, cmd);
	dmabufstat_free(ds);
	return ret;
}
