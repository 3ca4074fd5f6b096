/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmabufstat's commands: the options given on the command line (struct
 * cli_env) and one handler per command, in the shape of bpftool's
 * cmd_select(). main.c holds the table: a command's name, its handler and
 * the options it accepts; an option given to a command that does not take
 * it is a usage error.
 *
 *   env.c     the options given (struct cli_env)
 *   views.c   summary, buffers, exporters, procs, devices, uids, cgroups
 *   pin.c     pin, unpin
 *   track.c   track start, stop, status, stack (symbolize.c)
 *   dump.c    dump (Android dmabuf_dump's layouts)
 *   export.c  export --prometheus
 *   diff.c    diff FILE, diff --save FILE
 */
#ifndef __DMABUFSTAT_CMD_H
#define __DMABUFSTAT_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libdmabufstat.h"
#include "opts.h"
#include "table.h"
#include "write.h"

struct cli_env {
	int format;		/* enum rep_format, or CLI_FORMAT_RAW */
	bool bytes;
	bool verbose;
	const char *sort;	/* -s KEY; NULL: the view's default */
	bool reverse;
	size_t rows;		/* -r N; 0: all */
	struct cli_filter filter;	/* -p, --uid, --cgroup */
	const char *view;	/* --view */
	/* pin */
	bool force;
	uint32_t mode;
	int64_t gid;
	bool android;
	/* track start */
	uint32_t entries;	/* 0: the library's default */
	bool stacks, no_release;
	/* dump */
	bool dump_all, dump_bufs;
	/* views: sampling */
	double interval;	/* seconds; 0: one sample */
	uint64_t count;		/* samples; 0: until a signal */
	/* export */
	bool prometheus;
	const char *textfile;
	size_t top;
	/* diff */
	bool save;
};

extern struct cli_env env;

/*
 * A command: its words after the command's name are args[0..nr-1].
 * Returns the exit status.
 */
int cmd_view(struct dmabufstat *ds, const char *name, char **args, int nr);
int cmd_pin(struct dmabufstat *ds, const char *name, char **args, int nr);
int cmd_dump(struct dmabufstat *ds, const char *name, char **args, int nr);
int cmd_export(struct dmabufstat *ds, const char *name, char **args, int nr);
int cmd_track(struct dmabufstat *ds, const char *name, char **args, int nr);
int cmd_totals(struct dmabufstat *ds, const char *name, char **args, int nr);
int cmd_diff(struct dmabufstat *ds, const char *name, char **args, int nr);

#endif /* __DMABUFSTAT_CMD_H */
