// SPDX-License-Identifier: GPL-2.0
/* The option words both tools share (see opts.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "opts.h"

int cli_parse_format(const char *arg, bool allow_raw)
{
	enum rep_format f = rep_format_find(arg);

	if (f != REP_NR_FORMATS)
		return f;
	if (allow_raw && !strcmp(arg, "raw"))
		return CLI_FORMAT_RAW;
	cli_usage_error("-o %s: the formats are %s", arg, rep_format_words());
}

bool cli_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

size_t cli_parse_rows(const char *arg)
{
	uint64_t v;

	if (!cli_parse_u64(arg, &v) || v > SIZE_MAX)
		cli_usage_error("-r %s: not a row count", arg);
	return v;
}

uint32_t cli_parse_uid(const char *arg)
{
	struct passwd *pw;
	uint64_t v;

	if (cli_parse_u64(arg, &v) && v <= UINT32_MAX)
		return v;
	pw = getpwnam(arg);
	if (!pw)
		cli_usage_error("--uid %s: no such user", arg);
	return pw->pw_uid;
}

uint64_t cli_parse_cgroup(const char *arg)
{
	char path[4096];
	struct stat st;
	uint64_t v;

	if (cli_parse_u64(arg, &v))
		return v;
	if (arg[0] == '/')
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", arg);
	/* a cgroup v2 id is its directory's inode number */
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		cli_usage_error("--cgroup %s: not a cgroup id nor a cgroup directory",
				arg);
	return st.st_ino;
}

enum rep_view cli_parse_view(const char *arg)
{
	enum rep_view v = rep_view_find(arg);
	const char *names[REP_TOTALS], *hint;
	int i;

	if (v < REP_TOTALS)
		return v;
	for (i = 0; i < REP_TOTALS; i++)
		names[i] = rep_view_name(i);
	hint = cli_suggest(arg, names, REP_TOTALS);
	if (hint)
		cli_usage_error("unknown view '%s'; did you mean '%s'?", arg,
				hint);
	cli_usage_error("unknown view '%s': the views are procs, exporters, buffers, devices, uids and cgroups",
			arg);
}

bool cli_pids_exist(const struct cli_filter *cf)
{
	size_t i;

	for (i = 0; i < cf->f.nr_pids; i++) {
		if (kill((pid_t)cf->pids[i], 0) && errno == ESRCH) {
			cli_error("no process with pid %u", cf->pids[i]);
			return false;
		}
	}
	return true;
}

void cli_filter_pids(struct cli_filter *cf, const char *arg)
{
	cli_add_pids(arg, cf->pids, &cf->f.nr_pids, CLI_MAX_PIDS);
	cf->f.pids = cf->pids;
}

void cli_filter_uid(struct cli_filter *cf, const char *arg)
{
	cf->f.uid = cli_parse_uid(arg);
	cf->f.has_uid = true;
}

void cli_filter_cgroup(struct cli_filter *cf, const char *arg)
{
	cf->f.cgroup = cli_parse_cgroup(arg);
	cf->f.has_cgroup = true;
}

void cli_filter_exporter(struct cli_filter *cf, const char *arg)
{
	if (!*arg)
		cli_usage_error("--exporter: an empty name");
	cf->f.exporter = arg;
}

bool cli_filtered(const struct cli_filter *cf)
{
	return cf->f.nr_pids || cf->f.has_uid || cf->f.has_cgroup ||
	       cf->f.exporter || cf->f.leaks;
}

double cli_parse_interval(const char *what, const char *arg)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(arg, &end);
	if (errno || *end || !*arg || !isfinite(d) || d < 0.05 || d > 86400)
		cli_usage_error("%s %s: seconds from 0.05 to 86400", what, arg);
	return d;
}

uint64_t cli_parse_count(const char *what, const char *arg)
{
	uint64_t v;

	if (!cli_parse_u64(arg, &v) || !v)
		cli_usage_error("%s %s: not a positive count", what, arg);
	return v;
}

void cli_parse_backend(const char *spec, struct dmabufstat_opts *o)
{
	if (dmabufstat_parse_backend(spec, &o->buf_backend, &o->proc_backend))
		cli_usage_error("--backend %s: use auto, bpf, fallback, procfs, bufinfo, sysfs or BUF+PROC",
				spec);
}

const char *cli_check_sort(enum rep_view v, const struct rep_ext *ext,
			   const char *key)
{
	struct rep_table t;
	char keys[512];

	rep_table_init(&t, v, ext);
	if (rep_sort_col(&t, key) >= 0)
		return key;
	rep_sort_keys(&t, keys, sizeof(keys));
	cli_usage_error("-s %s: no such column in %s; columns: %s", key,
			rep_view_name(v), keys);
}

void cli_getopt_error(int opt, char **argv)
{
	if (opt == ':')
		cli_usage_error("option '%s' needs an argument",
				argv[optind - 1]);
	if (optopt > 0 && optopt < 0x100)
		cli_usage_error("unknown option '-%c'", optopt);
	cli_usage_error("unknown option '%s'", argv[optind - 1]);
}
