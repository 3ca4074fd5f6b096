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
"  buffers [INO...]   one row per buffer (only inodes INO; one that is not\n"
"                     a buffer now is an error)\n"
"  exporters          count and bytes per exporter\n"
"  procs [PID...]     one row per process holding buffers (only PIDs given)\n"
"  devices            count and bytes of buffers attached to each device\n"
"  uids, cgroups      rss and pss per user id, per cgroup (v2 id)\n"
"  totals             the count and bytes of every buffer, nothing else (the\n"
"                     open-coded totals program where the kernel has it;\n"
"                     -o json or csv; --bytes)\n"
"  pin [DIR]          pin what a snapshot needs into bpffs (default\n"
"                     " DMABUFSTAT_PIN_DIR "): the buffer walk (DIR/" DMABUFSTAT_PIN_BUFFERS "),\n"
"                     the task walks (DIR/" DMABUFSTAT_PIN_FDS ", DIR/" DMABUFSTAT_PIN_VMAS "), the totals\n"
"                     program (DIR/" DMABUFSTAT_PIN_TOTALS ") and their format (DIR/" DMABUFSTAT_PIN_FORMAT ");\n"
"                     reading a walk walks every buffer, fd or mapping with\n"
"                     no daemon running (binary records: docs/record-\n"
"                     format.md). While the default DIR's pins are there,\n"
"                     every run reads them instead of loading BPF\n"
"  pin --android [DIR]  pin Android's dma-buf iterator (libdmabufinfo's\n"
"                     format): the program at DIR/" DMABUFSTAT_ANDROID_PROG "\n"
"                     (Android's path with the default DIR; read it as\n"
"                     Android does: bpf_link_create + bpf_iter_create) and\n"
"                     an iterator link at DIR/" DMABUFSTAT_ANDROID_TEXT " (cat\n"
"                     it). Four lines per buffer: inode, size in bytes,\n"
"                     name (may be empty; newlines made spaces), exporter\n"
"                     (never empty: '" DMABUFSTAT_ANDROID_NO_EXPORTER "' if the kernel has none)\n"
"  unpin [--android] [DIR]  remove what pin (--android) pinned\n"
"  track start [--entries N] [--stacks] [--no-release] [--mode MODE]\n"
"              [--group GROUP] [DIR]\n"
"                     lifecycle tracking: who exported each new buffer\n"
"                     (pid, comm, uid, cgroup) and when, its first fd, the\n"
"                     processes that imported it and their devices. Pinned\n"
"                     in DIR (default " DMABUFSTAT_TRACK_DIR "), it runs with no\n"
"                     process until 'track stop'; while it runs, buffers\n"
"                     shows ALLOCATOR, AGE and IMPORTERS. The method is the\n"
"                     first the kernel allows: tracepoints (Linux 7.0+, or\n"
"                     6.12 with kernel-patches/), fentry, kprobes. Buffers\n"
"                     from before the start show as such. --entries: the\n"
"                     buffers tracked at most (default " DMABUFSTAT_STR(DMABUFSTAT_TRACK_ENTRIES) "; more are\n"
"                     counted as dropped). --stacks: keep each export's\n"
"                     user stack too (a frame-pointer walk per export)\n"
"  track stop [DIR]   detach and unpin all of it\n"
"  track status [DIR] method, since when, entries used and the maximum,\n"
"                     dropped; exit status 3 when not tracking\n"
"  track stack INO    the user stack that exported buffer INO (with\n"
"                     --stacks), symbolised now against the allocator's\n"
"                     mappings when it still runs (FILE+0xOFF (function))\n"
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
"                     dmabufstat_info{backend}; with tracking on also\n"
"                     dmabufstat_tracking_info{method}, _entries, _dropped,\n"
"                     dmabuf_orphan_buffers/_bytes,\n"
"                     dmabuf_kept_by_import_buffers,\n"
"                     dmabuf_oldest_buffer_age_seconds and\n"
"                     dmabuf_allocated_bytes{pid,comm,alive}. --textfile DIR writes\n"
"                     DIR/dmabufstat.prom atomically (temporary file +\n"
"                     rename) for node_exporter's textfile collector\n"
"\n"
"Options: (each command takes its own; another is a usage error)\n"
"  -o, --output FMT   table (default), json or csv\n"
"  -j, --json         same as -o json\n"
"  -s, --sort FIELD   sort rows by FIELD, a column key of the view's JSON:\n"
"                     identifiers (pid, ino, uid, cgroup_id) ascending,\n"
"                     other numbers largest first, names in natural order\n"
"                     (leak-2 before leak-10); ties by the identifier.\n"
"                     'size' is the view's size column. Default: size\n"
"                     (buffers), bytes (exporters, devices), rss (procs,\n"
"                     uids, cgroups)\n"
"      --reverse      the other way round (as r in dmabuf-top)\n"
"  -r, --rows N       print at most N rows (summary: top processes, 10)\n"
"  -p, --pid PID      only processes PID (repeatable, or PID,PID,...); in\n"
"                     buffers, exporters and devices: only buffers they hold\n"
"      --uid UID      likewise, processes of user UID (number or name)\n"
"      --cgroup CG    likewise, processes in cgroup CG: a cgroup v2 id, or a\n"
"                     path (absolute, or relative to /sys/fs/cgroup)\n"
"      --exporter NAME  only buffers of exporter NAME (as the exporters view\n"
"                     names it, or the kernel's exp_name); procs: rss, pss,\n"
"                     bufs, fds and maps of those buffers (who holds the most\n"
"                     vgem memory: procs --exporter vgem)\n"
"      --bytes        tables show sizes in bytes, not 4.0K, 1.5M, ...\n"
"      --view VIEW    the same as naming the view's command\n"
"      --backend B    auto (default), bpf, bpf-pin (the pins only),\n"
"                     fallback, procfs, bufinfo, sysfs, replay, or BUF+PROC\n"
"                     (BUF: bpf-pin, bpf-iter, bufinfo, sysfs, procs,\n"
"                     replay; PROC: bpf-pin, bpf-task, procfs, none,\n"
"                     replay). A forced backend fails when unavailable;\n"
"                     auto says why it fell back. 'proc' is accepted for\n"
"                     procfs. replay reads back the records a run wrote to\n"
"                     the file DMABUFSTAT_RECORD named, from the file\n"
"                     DMABUFSTAT_REPLAY names (profiling, tests)\n"
"      --mode MODE    pin, track start: octal file mode of the pinned files\n"
"                     (default 0600)\n"
"      --group GROUP  pin, track start: group (name or gid) of the pinned\n"
"                     files\n"
"      --entries N    track start: the buffers tracked at most\n"
"      --stacks       track start: keep each export's user stack\n"
"      --no-release   track start: hook no release (the least cost per\n"
"                     free); snapshots drop the entries of buffers gone\n"
"      --orphans, --leaks  buffers (with tracking on): only buffers whose\n"
"                     allocator exited and that no process holds by fd or\n"
"                     mapping, and kernel-only buffers with the process\n"
"                     whose import keeps them (KEPT_BY)\n"
"  -f, --force        pin: replace existing pins\n"
"      --interval S   views: a sample every S seconds (0.05 to 86400); with\n"
"                     -o json one JSON document per line (JSON Lines),\n"
"                     flushed per line; as a table, each under a line with\n"
"                     the time and its number; as csv, one header and rows\n"
"                     with their sample's time (not the summary); SIGINT and\n"
"                     SIGTERM end it cleanly, never mid-sample\n"
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
"  table  a 'Backend:' line, then aligned columns. Sizes as dmabuf-top\n"
"         shows them: bytes below 1024, else K, M, G, T (powers of 1024),\n"
"         one decimal below 10 (4.0K, 1.5M, 16M); --bytes for exact\n"
"         counts. Names are shown as they are when valid UTF-8 under a\n"
"         UTF-8 locale, padded by display width; control bytes and bytes\n"
"         not UTF-8 are escaped C-style (\\n, \\t, \\\\, \\xNN); '-' is\n"
"         empty, '?' unknown.\n"
"  json   one object, numbers as JSON numbers (bytes, not kB), the same\n"
"         objects as dmabuf-top -o json (which adds its growth fields):\n"
"           version, view, backend, buffer_backend, process_backend,\n"
"           fallback_reason, realtime_ns, snapshot_flags [no-kernel-only,\n"
"           no-procs, partial-procs], filtered,\n"
"           totals {count, bytes, userspace_count, userspace_bytes,\n"
"             kernel_count, kernel_bytes, userspace_rss, userspace_pss,\n"
"             processes, fds, maps}  (always system-wide),\n"
"           and the view's array: buffers [{ino, size, exporter, name,\n"
"             procs, fds, maps, kernel_only, pids[], devices[], exp_name,\n"
"             driver, has_name, refcount, vmaps, attached}], exporters\n"
"             [{name, exp_name, count, bytes, resolved}], processes [{pid,\n"
"             uid, comm, rss, pss, bufs, fds, maps, cgroup_id, inos[]}],\n"
"             devices [{name, count, bytes}], uids [{uid, user, procs,\n"
"             bufs, rss, pss}], cgroups [{cgroup_id, comms, ...}]; summary\n"
"             has exporters and processes. refcount and vmaps are -1 when\n"
"             unknown.\n"
"         Strings are JSON-escaped. A string that is not valid UTF-8 (a\n"
"         buffer name may hold any byte) has each invalid byte replaced by\n"
"         U+FFFD, and its exact bytes, hex-encoded, in \"<key>_hex\" beside\n"
"         it (e.g. name_hex; devices_hex for the list). See\n"
"         docs/json-schema.md.\n"
"  csv    RFC 4180 with LF line ends (every CSV of both tools, dump's\n"
"         too): the first line is the header row, time and backend then\n"
"         the JSON keys, and one row per record, each with the snapshot's\n"
"         time (ISO 8601) and backend; text quoted with \"\" doubling,\n"
"         raw bytes kept, lists joined by ';', sizes in bytes. The\n"
"         summary's tables are separated by an empty line and a '# NAME'\n"
"         line.\n"
"\n"
"Exit status:\n"
"  0  success (also when a closed pipe ends the output early)\n"
"  1  the snapshot or pin failed, or BPF is not permitted (the one-line\n"
"     error says why and what to do)\n"
"  2  bad usage (unknown command or option, bad value)\n"
"  3  track status: not tracking\n"
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
"  dmabufstat pin && cat " DMABUFSTAT_PIN_DIR "/" DMABUFSTAT_PIN_BUFFERS " | xxd | head\n"
"  dmabufstat totals -o json           count and bytes only, the cheapest read\n";

/* The options, each a bit so that commands can say which they take. */
enum {
	O_OUTPUT, O_SORT, O_REVERSE, O_ROWS, O_PID, O_UID, O_CGROUP, O_BYTES,
	O_VIEW, O_INTERVAL, O_COUNT, O_MODE, O_GROUP, O_FORCE, O_ANDROID,
	O_ALL, O_BUFS, O_PROMETHEUS, O_TEXTFILE, O_TOP, O_BACKEND, O_VERBOSE,
	O_EXPORTER, O_ENTRIES, O_ORPHANS, O_STACKS, O_NO_RELEASE, O_NR,
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
	[O_NO_RELEASE] = "--no-release",
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
			      OPT(O_STACKS) | OPT(O_NO_RELEASE) },
	{ "dump", cmd_dump, OPT(O_OUTPUT) | OPT(O_ALL) | OPT(O_BUFS) },
	{ "export", cmd_export, OPT(O_PROMETHEUS) | OPT(O_TEXTFILE) |
				OPT(O_TOP) },
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
	if (!cli_bpf_permitted(&opts))
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
