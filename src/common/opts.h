/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The option words both tools share, parsed once so that they accept the
 * same values and refuse the same mistakes with the same words:
 * -o/--output, -s/--sort, -r/--rows, -p/--pid, --uid, --cgroup, --bytes,
 * --reverse, --backend, -v/--view (dmabuf-top), --interval, --count.
 * A bad value is a usage error (one line, exit 2).
 */
#ifndef __DMABUFSTAT_OPTS_H
#define __DMABUFSTAT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libdmabufstat.h"
#include "table.h"
#include "write.h"

#define CLI_MAX_PIDS 256

/* -p, --uid, --cgroup: the processes the views of both tools keep. */
struct cli_filter {
	uint32_t pids[CLI_MAX_PIDS];
	struct rep_filter f;	/* f.pids is pids once one is given */
};

/* -p PID[,PID...] (or a PID argument), --uid UID, --cgroup CG */
void cli_filter_pids(struct cli_filter *cf, const char *arg);
void cli_filter_uid(struct cli_filter *cf, const char *arg);
void cli_filter_cgroup(struct cli_filter *cf, const char *arg);
/* --exporter NAME: buffers of that exporter (its name or exp_name) only */
void cli_filter_exporter(struct cli_filter *cf, const char *arg);
/*
 * Each -p pid names a process that exists (kill(pid, 0) is not ESRCH);
 * else "no process with pid N" (one line) and false: a view of nothing
 * would look like a process without buffers.
 */
bool cli_pids_exist(const struct cli_filter *cf);
/* Was any of them given? */
bool cli_filtered(const struct cli_filter *cf);

/* -o: table (or text), json, csv; raw too when allow_raw (dump's table). */
#define CLI_FORMAT_RAW	(-1)
int cli_parse_format(const char *arg, bool allow_raw);

/* A decimal (or 0x) number, no sign; false if it is not one. */
bool cli_parse_u64(const char *s, uint64_t *v);

/* -r N */
size_t cli_parse_rows(const char *arg);
/* --uid: a number or a user name. */
uint32_t cli_parse_uid(const char *arg);
/* --cgroup: a cgroup v2 id, or a path (absolute or under /sys/fs/cgroup). */
uint64_t cli_parse_cgroup(const char *arg);
/* -v/--view, or a view command's name. */
enum rep_view cli_parse_view(const char *arg);
/* --interval S (what names the option in messages): 0.05 to 86400 s. */
double cli_parse_interval(const char *what, const char *arg);
/* --count N (what as above): a positive count. */
uint64_t cli_parse_count(const char *what, const char *arg);
/* --backend SPEC into o, by the library's parser. */
void cli_parse_backend(const char *spec, struct dmabufstat_opts *o);

/*
 * -s KEY: a column of view v (with ext's where it applies); else a usage
 * error that lists the view's columns. Returns the key.
 */
const char *cli_check_sort(enum rep_view v, const struct rep_ext *ext,
			   const char *key);

/*
 * After getopt_long() returned ':' or '?': "option '-x' needs an
 * argument" or "unknown option '--foo'", a usage error.
 */
void cli_getopt_error(int opt, char **argv) __attribute__((noreturn));

#endif /* __DMABUFSTAT_OPTS_H */
