// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat's cost per sample: one context, its BPF loaded before the
 * clock starts (dmabufstat_probe() and the untimed first run), then a
 * snapshot taken and freed per run, as a sampling daemon would (lib), or
 * the totals alone, dmabufstat_totals_only() (totals).
 */
#include <errno.h>
#include <string.h>

#include "bench.h"
#include "libdmabufstat.h"

static long one_snapshot(void *arg)
{
	struct dmabufstat_snapshot *snap;
	long n;
	int err;

	err = dmabufstat_snapshot(arg, &snap);
	if (err)
		return err < 0 ? err : -EIO;
	n = dmabufstat_nr_buffers(snap);
	dmabufstat_snapshot_free(snap);
	return n;
}

static long totals_only(void *arg)
{
	struct dmabufstat_buffer_totals t;
	int err;

	err = dmabufstat_totals_only(arg, &t);
	if (err)
		return err < 0 ? err : -EIO;
	return t.count;
}

/* lib SPEC or totals SPEC */
int cmd_lib(int argc, char **argv)
{
	bench_fn fn = strcmp(argv[0], "totals") ? one_snapshot : totals_only;
	struct dmabufstat_opts opts = { .sz = sizeof(opts) };
	struct result r = { .maxrss_kib = -1 };
	struct dmabufstat *ds;
	int err;

	if (argc != 2)
		die("%s needs a backend (as dmabufstat --backend)", argv[0]);
	if (dmabufstat_parse_backend(argv[1], &opts.buf_backend,
				     &opts.proc_backend))
		die("lib: no backend '%s'", argv[1]);
	ds = dmabufstat_new(&opts);
	if (!ds)
		die("out of memory");
	if (dmabufstat_probe(ds))
		die("lib %s: %s", argv[1], dmabufstat_errmsg(ds));
	err = measure(fn, ds, &r);
	if (err)
		die("lib %s: %s", argv[1], dmabufstat_errmsg(ds));
	print_result(&r);
	dmabufstat_free(ds);
	return 0;
}
