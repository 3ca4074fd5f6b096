// SPDX-License-Identifier: GPL-2.0
/*
 * totals: the count and bytes of every dma-buf, and nothing else
 * (dmabufstat_totals_only(): no process walk, no per-buffer records; the
 * open-coded totals program where the kernel has it).
 */
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "cmd.h"
#include "jsonw.h"
#include "text.h"
#include "write.h"

static const char *path_word(enum dmabufstat_totals_path p)
{
	switch (p) {
	case DMABUFSTAT_TOTALS_PINNED:
		return "pinned-program";
	case DMABUFSTAT_TOTALS_PROGRAM:
		return "program";
	case DMABUFSTAT_TOTALS_BUFFERS:
		return "buffer-walk";
	}
	return "unknown";
}

int cmd_totals(struct dmabufstat *ds, const char *name, char **args, int nr)
{
	struct dmabufstat_buffer_totals t;
	char size[REP_SIZE_LEN], when[48];
	struct timespec now;
	struct jsonw w;
	int err;

	if (nr)
		cli_usage_error("%s: unexpected argument '%s'", name, args[0]);
	err = dmabufstat_totals_only(ds, &t);
	if (err) {
		cli_lib_error(ds, name, err);
		return 1;
	}
	switch (env.format) {
	case REP_JSON:
		jsonw_init(&w, stdout, true);
		jsonw_start_object(&w);
		jsonw_string_field(&w, "version", DMABUFSTAT_VERSION_STRING);
		jsonw_string_field(&w, "view", "totals");
		jsonw_string_field(&w, "path", path_word(t.path));
		jsonw_uint_field(&w, "count", t.count);
		jsonw_uint_field(&w, "bytes", t.bytes);
		jsonw_end_object(&w);
		jsonw_flush(&w);
		putchar('\n');
		break;
	case REP_CSV:
		/* as every CSV of the tools: the header first, LF line ends,
		 * each row its time and backend (here: how it counted) */
		clock_gettime(CLOCK_REALTIME, &now);
		rep_time_iso((uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec,
			     when, sizeof(when));
		printf("\"time\",\"backend\",\"count\",\"bytes\"\n"
		       "\"%s\",\"%s\",%llu,%llu\n", when, path_word(t.path),
		       (unsigned long long)t.count,
		       (unsigned long long)t.bytes);
		break;
	default:
		rep_size(size, t.bytes, env.bytes);
		printf("Totals (%s): %llu buffers, %s\n", path_word(t.path),
		       (unsigned long long)t.count, size);
	}
	return 0;
}
