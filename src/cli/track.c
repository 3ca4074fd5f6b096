// SPDX-License-Identifier: GPL-2.0
/* track start [--entries N] [--mode M] [--group G] [DIR] | stop [DIR] | status [DIR] */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd.h"

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

static int track_status(struct dmabufstat *ds, const char *dir)
{
	struct dmabufstat_track_status st;
	int err;

	err = dmabufstat_track_status(ds, dir, &st);
	if (err == -ENOENT && dmabufstat_errclass(ds) == DMABUFSTAT_E_NO_SOURCE) {
		printf("tracking:   off\n");
		return 3;
	}
	if (err) {
		cli_lib_error(ds, "track status", err);
		return 1;
	}
	printf("tracking:   on\n");
	printf("method:     %s%s\n", dmabufstat_track_method_name(st.method),
	       st.sees_release ? " (releases seen)" :
	       " (releases not seen: snapshots prune the entries)");
	print_since(st.start_realtime_ns);
	printf("entries:    %u of %u\n", st.entries, st.max_entries);
	printf("exports:    %llu\n", (unsigned long long)st.exports);
	printf("late:       %llu (buffers from before tracking, seen in use)\n",
	       (unsigned long long)st.late);
	printf("released:   %llu\n", (unsigned long long)st.released);
	printf("dropped:    %llu%s\n", (unsigned long long)st.dropped,
	       st.dropped ? " (the map was full: restart with more --entries)" :
	       "");
	return 0;
}

int cmd_track(struct dmabufstat *ds, const char *name, char **args, int nr)
{
	struct dmabufstat_track_opts to = {
		.sz = sizeof(to),
		.entries = env.entries,
		.mode = env.mode,
		.gid = env.gid,
	};
	struct dmabufstat_track_status st;
	const char *sub = nr ? args[0] : NULL, *dir;
	int err;

	(void)name;
	if (!sub)
		cli_usage_error("track: start, stop or status?");
	if (nr > 2)
		cli_usage_error("track %s: unexpected argument '%s'", sub,
				args[2]);
	dir = nr > 1 ? args[1] : NULL;
	if (strcmp(sub, "start") && (env.entries || env.mode || env.gid > 0))
		cli_usage_error("track %s takes no --entries, --mode or --group",
				sub);
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
		cli_usage_error("track: unknown subcommand '%s' (start, stop, status)",
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
