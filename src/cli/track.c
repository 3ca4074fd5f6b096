// SPDX-License-Identifier: GPL-2.0
/*
 * track start [--entries N] [--stacks] [--mode M] [--group G] [DIR] |
 * stop [DIR] | status [DIR] | stack INO
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd.h"
#include "jsonw.h"
#include "symbolize.h"
#include "write.h"

static void print_since(uint64_t real_ns)
{
	time_t t = real_ns / 1000000000ull;
	struct tm tm;
	char buf[64];

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, sizeof(buf), "%llu s", (unsigned long long)t);
	printf("since:      %s\n", buf);
}

/* track status -o json: the same, for monitors and scripts. */
static void status_json(const struct dmabufstat_track_status *st)
{
	char since[48];
	struct jsonw w;

	jsonw_init(&w, stdout, true);
	jsonw_start_object(&w);
	jsonw_string_field(&w, "version", DMABUFSTAT_VERSION_STRING);
	jsonw_string_field(&w, "view", "track");
	jsonw_bool_field(&w, "tracking", st != NULL);
	if (st) {
		rep_time_iso(st->start_realtime_ns, since, sizeof(since));
		jsonw_string_field(&w, "method",
				   dmabufstat_track_method_name(st->method));
		jsonw_bool_field(&w, "sees_release", st->sees_release);
		jsonw_string_field(&w, "since", since);
		jsonw_uint_field(&w, "entries", st->entries);
		jsonw_uint_field(&w, "max_entries", st->max_entries);
		jsonw_bool_field(&w, "stacks", st->stacks);
		jsonw_uint_field(&w, "exports", st->exports);
		jsonw_uint_field(&w, "late", st->late);
		jsonw_uint_field(&w, "released", st->released);
		jsonw_uint_field(&w, "dropped", st->dropped);
	}
	jsonw_end_object(&w);
	jsonw_flush(&w);
	putchar('\n');
}

static int track_status(struct dmabufstat *ds, const char *dir)
{
	struct dmabufstat_track_status st;
	int err;

	err = dmabufstat_track_status(ds, dir, &st);
	if (err == -ENOENT && dmabufstat_errclass(ds) == DMABUFSTAT_E_NO_SOURCE) {
		if (env.format == REP_JSON)
			status_json(NULL);
		else
			printf("tracking:   off\n");
		return 3;
	}
	if (err) {
		cli_lib_error(ds, "track status", err);
		return 1;
	}
	if (env.format == REP_JSON) {
		status_json(&st);
		return 0;
	}
	printf("tracking:   on\n");
	printf("method:     %s%s\n", dmabufstat_track_method_name(st.method),
	       st.sees_release ? " (releases seen)" :
	       " (releases not seen: snapshots prune the entries)");
	print_since(st.start_realtime_ns);
	printf("entries:    %u of %u\n", st.entries, st.max_entries);
	printf("stacks:     %s\n", st.stacks ? "kept (track stack INO)" : "no");
	printf("exports:    %llu\n", (unsigned long long)st.exports);
	printf("late:       %llu (buffers from before tracking, seen in use)\n",
	       (unsigned long long)st.late);
	printf("released:   %llu\n", (unsigned long long)st.released);
	printf("dropped:    %llu%s\n", (unsigned long long)st.dropped,
	       st.dropped ? " (the map was full: restart with more --entries)" :
	       "");
	return 0;
}

/* track stack INO: the export's user stack, symbolised now. */
static int track_stack(struct dmabufstat *ds, const char *arg)
{
	const struct dmabufstat_buffer_track *t;
	const struct dmabufstat_buffer *b;
	struct dmabufstat_snapshot *snap;
	uint64_t ino, ips[64];
	char where[4352];
	bool alive;
	size_t i;
	int n, ret = 1;

	if (!cli_parse_u64(arg, &ino) || !ino)
		cli_usage_error("track stack: bad inode '%s'", arg);
	n = dmabufstat_snapshot(ds, &snap);
	if (n) {
		cli_lib_error(ds, "cannot take a snapshot", n);
		return 1;
	}
	b = dmabufstat_find_buffer(snap, ino, &i);
	t = b ? dmabufstat_buffer_track(snap, i) : NULL;
	if (!b) {
		cli_error("track stack: no buffer with inode %llu",
			  (unsigned long long)ino);
		goto out;
	}
	if (!t || !(t->flags & DMABUFSTAT_TRK_EXPORT)) {
		cli_error("track stack: %llu: %s", (unsigned long long)ino,
			  !t ? "not tracking (dmabufstat track start --stacks)" :
			  "its export was not seen (before tracking, or dropped)");
		goto out;
	}
	n = dmabufstat_track_stack(ds, NULL, t->stack_id, ips, 64);
	if (n < 0) {
		cli_lib_error(ds, "track stack", n);
		goto out;
	}
	alive = t->flags & DMABUFSTAT_TRK_ALLOC_ALIVE;
	printf("buffer %llu allocated by %s:%u%s\n", (unsigned long long)ino,
	       t->alloc_comm, t->alloc_pid,
	       alive ? "" : " (exited: addresses only)");
	for (i = 0; i < (size_t)n; i++) {
		if (alive)
			symbolize(t->alloc_pid, ips[i], i > 0, where,
				  sizeof(where));
		else
			snprintf(where, sizeof(where), "0x%llx",
				 (unsigned long long)ips[i]);
		printf("  #%zu %s\n", i, where);
	}
	ret = 0;
out:
	dmabufstat_snapshot_free(snap);
	return ret;
}

int cmd_track(struct dmabufstat *ds, const char *name, char **args, int nr)
{
	struct dmabufstat_track_opts to = {
		.sz = sizeof(to),
		.entries = env.entries,
		.mode = env.mode,
		.gid = env.gid,
		.stacks = env.stacks,
		.no_release = env.no_release,
	};
	struct dmabufstat_track_status st;
	const char *sub = nr ? args[0] : NULL, *dir;
	int err;

	(void)name;
	if (!sub)
		cli_usage_error("track: start, stop, status or stack?");
	if (nr > 2)
		cli_usage_error("track %s: unexpected argument '%s'", sub,
				args[2]);
	dir = nr > 1 ? args[1] : NULL;
	if (strcmp(sub, "start") && (env.entries || env.mode || env.gid > 0 ||
				     env.stacks || env.no_release))
		cli_usage_error("track %s takes no --entries, --stacks, --no-release, --mode or --group",
				sub);
	if (env.format != REP_TABLE &&
	    (strcmp(sub, "status") || env.format != REP_JSON))
		cli_usage_error("track: only status has another output (-o json)");
	if (!strcmp(sub, "stack")) {
		if (nr != 2)
			cli_usage_error("track stack INO: one inode");
		return track_stack(ds, args[1]);
	}
	if (!strcmp(sub, "status"))
		return track_status(ds, dir);
	if (!strcmp(sub, "stop")) {
		err = dmabufstat_track_stop(ds, dir);
		if (err) {
			cli_lib_error(ds, "track stop", err);
			return 1;
		}
		return 0;
	}
	if (strcmp(sub, "start"))
		cli_usage_error("track: unknown subcommand '%s' (start, stop, status, stack)",
				sub);
	err = dmabufstat_track_start(ds, dir, &to);
	if (err) {
		/* one line: the library's message says what each method said */
		cli_error("track start: %s", dmabufstat_errmsg(ds));
		return 1;
	}
	if (!dmabufstat_track_status(ds, dir, &st))
		printf("tracking with %s, up to %u buffers, pinned in %s\n",
		       dmabufstat_track_method_name(st.method),
		       st.max_entries, dir ?: DMABUFSTAT_TRACK_DIR);
	return 0;
}
