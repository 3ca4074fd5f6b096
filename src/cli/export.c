// SPDX-License-Identifier: GPL-2.0
/*
 * dmabufstat export --prometheus [--textfile DIR] [--top N]: the text
 * exposition format (version 0.0.4, what node_exporter's textfile
 * collector reads). Every family has HELP and TYPE lines; sizes are in
 * bytes (_bytes); label values are escaped (\\, \", \n) and made valid
 * UTF-8 (an invalid byte becomes U+FFFD). The byte totals come from the
 * library's meminfo API, as Android's would.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd.h"
#include "table.h"
#include "utf8.h"

#define PROM_TEXTFILE_NAME "dmabufstat.prom"

struct prom_opts {
	size_t top;		/* per-process series: the N largest by rss */
};

/* A label value, quoted and escaped. */
static void label_value(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', f);
	while (*s) {
		if (*s == '\\') {
			fputs("\\\\", f);
			s++;
		} else if (*s == '"') {
			fputs("\\\"", f);
			s++;
		} else if (*s == '\n') {
			fputs("\\n", f);
			s++;
		} else if ((n = utf8_seq(s))) {
			fwrite(s, 1, n, f);
			s += n;
		} else {
			fputs("\xef\xbf\xbd", f);	/* U+FFFD */
			s++;
		}
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void gauge(FILE *f, const char *name, uint64_t v)
{
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

static void gauge1(FILE *f, const char *name, const char *label,
		   const char *value, uint64_t v)
{
	fprintf(f, "%s{%s=", name, label);
	label_value(f, value);
	fprintf(f, "} %" PRIu64 "\n", v);
}

/* rss, largest first, then pid: never a difference as int */
static int cmp_rss(const void *a, const void *b, void *snap)
{
	const struct dmabufstat_process *pa, *pb;

	pa = dmabufstat_process(snap, *(const size_t *)a);
	pb = dmabufstat_process(snap, *(const size_t *)b);
	if (pa->rss != pb->rss)
		return pa->rss < pb->rss ? 1 : -1;
	return (pa->pid > pb->pid) - (pa->pid < pb->pid);
}

static void proc_gauge(FILE *f, const char *name,
		       const struct dmabufstat_process *p, uint64_t v)
{
	fprintf(f, "%s{pid=\"%u\",comm=", name, p->pid);
	label_value(f, p->comm);
	fprintf(f, "} %" PRIu64 "\n", v);
}

static int cmp_allocated(const void *a, const void *b, void *snap)
{
	const struct dmabufstat_allocator *pa, *pb;

	pa = dmabufstat_allocator(snap, *(const size_t *)a);
	pb = dmabufstat_allocator(snap, *(const size_t *)b);
	if (pa->bytes != pb->bytes)
		return pa->bytes < pb->bytes ? 1 : -1;
	return (pa->pid > pb->pid) - (pa->pid < pb->pid);
}

/*
 * With lifecycle tracking on: its state, orphans, the oldest buffer and,
 * for the top allocators (by bytes; --top bounds them as it bounds the
 * process series), what each allocated that still exists.
 */
static int prom_tracking(FILE *f, const struct dmabufstat_snapshot *snap,
			 size_t top)
{
	const struct dmabufstat_track_status *ts = dmabufstat_snapshot_track(snap);
	uint64_t orphans = 0, orphan_bytes = 0, kept = 0, oldest = 0;
	size_t i, n = dmabufstat_nr_buffers(snap);

	size_t *idx, nr;

	if (!ts)
		return 0;
	for (i = 0; i < n; i++) {
		const struct dmabufstat_buffer_track *t;

		t = dmabufstat_buffer_track(snap, i);
		if (t->flags & DMABUFSTAT_TRK_ORPHAN) {
			orphans++;
			orphan_bytes += dmabufstat_buffer(snap, i)->size;
		}
		kept += !!t->keeper_pid;
		if ((t->flags & DMABUFSTAT_TRK_EXPORT) && t->age_ns > oldest)
			oldest = t->age_ns;
	}
	family(f, "dmabufstat_tracking_info",
	       "Lifecycle tracking's method (value 1; absent when off).");
	gauge1(f, "dmabufstat_tracking_info", "method",
	       dmabufstat_track_method_name(ts->method), 1);
	family(f, "dmabufstat_tracking_entries", "Buffers tracked now.");
	gauge(f, "dmabufstat_tracking_entries", ts->entries);
	family(f, "dmabufstat_tracking_dropped",
	       "Inserts the full tracking map refused since the start.");
	gauge(f, "dmabufstat_tracking_dropped", ts->dropped);
	family(f, "dmabuf_orphan_buffers",
	       "Buffers whose allocator exited and that no process holds.");
	gauge(f, "dmabuf_orphan_buffers", orphans);
	family(f, "dmabuf_orphan_bytes", "Bytes of those buffers.");
	gauge(f, "dmabuf_orphan_bytes", orphan_bytes);
	family(f, "dmabuf_kept_by_import_buffers",
	       "Buffers no process holds that an importing process keeps.");
	gauge(f, "dmabuf_kept_by_import_buffers", kept);
	family(f, "dmabuf_oldest_buffer_age_seconds",
	       "Age of the oldest buffer exported since tracking started.");
	gauge(f, "dmabuf_oldest_buffer_age_seconds", oldest / 1000000000);
	nr = dmabufstat_nr_allocators(snap);
	idx = calloc(nr ? nr : 1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		idx[i] = i;
	qsort_r(idx, nr, sizeof(*idx), cmp_allocated, (void *)snap);
	family(f, "dmabuf_allocated_bytes",
	       "Bytes of the existing buffers each process allocated, for the allocators of the most (see --top).");
	for (i = 0; i < nr && i < top; i++) {
		const struct dmabufstat_allocator *a;

		a = dmabufstat_allocator(snap, idx[i]);
		fprintf(f, "dmabuf_allocated_bytes{pid=\"%u\",comm=", a->pid);
		label_value(f, a->comm);
		fprintf(f, ",alive=\"%s\"} %" PRIu64 "\n",
			a->alive ? "true" : "false", a->bytes);
	}
	free(idx);
	return 0;
}

/*
 * Per uid: {uid, user}. Per cgroup: {cgroup}, its path (the id, in
 * decimal, when no process of it still says which), so a cgroup made
 * anew under the same name (a restarted service) stays one series.
 */
static void group_gauge(FILE *f, const char *name,
			const struct dmabufstat_snapshot *snap,
			const struct dmabufstat_group *g, bool uid,
			uint64_t v)
{
	char buf[4096], id[24];
	struct passwd *pw;
	size_t i, n;

	snprintf(id, sizeof(id), "%" PRIu64, g->id);
	if (uid) {
		pw = getpwuid(g->id);
		fprintf(f, "%s{uid=\"%s\",user=", name, id);
		label_value(f, pw ? pw->pw_name : id);
	} else {
		n = dmabufstat_nr_processes(snap);
		snprintf(buf, sizeof(buf), "%s", id);
		for (i = 0; i < n; i++) {
			const struct dmabufstat_process *p;

			p = dmabufstat_process(snap, i);
			if (p->cgroup_id == g->id &&
			    rep_cgroup_path(p->pid, g->id, buf, sizeof(buf)))
				break;
		}
		if (!buf[0])
			snprintf(buf, sizeof(buf), "%s", id);
		fprintf(f, "%s{cgroup=", name);
		label_value(f, buf);
	}
	fprintf(f, "} %" PRIu64 "\n", v);
}

static void group_families(FILE *f, const struct dmabufstat_snapshot *snap,
			   bool uid)
{
	size_t i, n = uid ? dmabufstat_nr_uids(snap) :
			    dmabufstat_nr_cgroups(snap);
	const char *rss = uid ? "dmabuf_uid_rss_bytes" : "dmabuf_cgroup_rss_bytes";
	const char *pss = uid ? "dmabuf_uid_pss_bytes" : "dmabuf_cgroup_pss_bytes";
	const struct dmabufstat_group *g;

	family(f, rss, uid ?
	       "Dma-buf rss of each user's processes (each buffer once)." :
	       "Dma-buf rss of each cgroup's processes (each buffer once).");
	for (i = 0; i < n; i++) {
		g = uid ? dmabufstat_uid(snap, i) : dmabufstat_cgroup(snap, i);
		group_gauge(f, rss, snap, g, uid, g->rss);
	}
	family(f, pss, uid ? "Dma-buf pss of each user's processes." :
	       "Dma-buf pss of each cgroup's processes.");
	for (i = 0; i < n; i++) {
		g = uid ? dmabufstat_uid(snap, i) : dmabufstat_cgroup(snap, i);
		group_gauge(f, pss, snap, g, uid, g->pss);
	}
}

static int prom_write(FILE *f, const struct dmabufstat_snapshot *snap,
	       const struct prom_opts *o)
{
	const struct dmabufstat_system *sys = dmabufstat_totals(snap);
	struct dmabufstat_meminfo_totals mt;
	size_t nr, i, *idx, top;

	dmabufstat_meminfo_totals(snap, &mt);

	family(f, "dmabufstat_info",
	       "The backends the figures come from (value 1).");
	fprintf(f, "dmabufstat_info{backend=");
	label_value(f, dmabufstat_snapshot_backend_name(snap));
	fprintf(f, "} 1\n");

	family(f, "dmabuf_total_bytes", "Bytes of all dma-bufs.");
	gauge(f, "dmabuf_total_bytes", mt.total_exported);
	family(f, "dmabuf_total_buffers", "Number of dma-bufs.");
	gauge(f, "dmabuf_total_buffers", sys->count);
	family(f, "dmabuf_kernel_only_bytes",
	       "Bytes of dma-bufs no process holds (drivers alone).");
	gauge(f, "dmabuf_kernel_only_bytes", mt.kernel_rss);
	family(f, "dmabuf_kernel_only_buffers",
	       "Number of dma-bufs no process holds.");
	gauge(f, "dmabuf_kernel_only_buffers", sys->kernel_count);
	family(f, "dmabuf_userspace_bytes",
	       "Bytes of the distinct dma-bufs some process holds.");
	gauge(f, "dmabuf_userspace_bytes", sys->userspace_bytes);
	family(f, "dmabuf_userspace_rss_bytes",
	       "Sum of every process's dma-buf rss (shared buffers count once per holder).");
	gauge(f, "dmabuf_userspace_rss_bytes", mt.userspace_rss);
	family(f, "dmabuf_userspace_pss_bytes",
	       "Sum of every process's dma-buf pss.");
	gauge(f, "dmabuf_userspace_pss_bytes", mt.userspace_pss);
	family(f, "dmabuf_processes",
	       "Number of processes holding a dma-buf.");
	gauge(f, "dmabuf_processes", sys->nr_procs);

	nr = dmabufstat_nr_exporters(snap);
	family(f, "dmabuf_exporter_bytes", "Bytes of dma-bufs per exporter.");
	for (i = 0; i < nr; i++)
		gauge1(f, "dmabuf_exporter_bytes", "exporter",
		       dmabufstat_exporter(snap, i)->name,
		       dmabufstat_exporter(snap, i)->bytes);
	family(f, "dmabuf_exporter_buffers",
	       "Number of dma-bufs per exporter.");
	for (i = 0; i < nr; i++)
		gauge1(f, "dmabuf_exporter_buffers", "exporter",
		       dmabufstat_exporter(snap, i)->name,
		       dmabufstat_exporter(snap, i)->count);

	nr = dmabufstat_nr_devices(snap);
	family(f, "dmabuf_device_bytes",
	       "Bytes of dma-bufs attached to each device.");
	for (i = 0; i < nr; i++)
		gauge1(f, "dmabuf_device_bytes", "device",
		       dmabufstat_device(snap, i)->name,
		       dmabufstat_device(snap, i)->bytes);
	family(f, "dmabuf_device_buffers",
	       "Number of dma-bufs attached to each device.");
	for (i = 0; i < nr; i++)
		gauge1(f, "dmabuf_device_buffers", "device",
		       dmabufstat_device(snap, i)->name,
		       dmabufstat_device(snap, i)->count);

	/* bounded by the users and cgroups, not by the processes */
	group_families(f, snap, true);
	group_families(f, snap, false);

	nr = dmabufstat_nr_processes(snap);
	idx = calloc(nr ? nr : 1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		idx[i] = i;
	qsort_r(idx, nr, sizeof(*idx), cmp_rss, (void *)snap);
	top = o->top < nr ? o->top : nr;
	family(f, "dmabuf_process_rss_bytes",
	       "Dma-buf rss of the processes holding the most (see --top).");
	for (i = 0; i < top; i++)
		proc_gauge(f, "dmabuf_process_rss_bytes",
			   dmabufstat_process(snap, idx[i]),
			   dmabufstat_process(snap, idx[i])->rss);
	family(f, "dmabuf_process_pss_bytes",
	       "Dma-buf pss of the processes holding the most (see --top).");
	for (i = 0; i < top; i++)
		proc_gauge(f, "dmabuf_process_pss_bytes",
			   dmabufstat_process(snap, idx[i]),
			   dmabufstat_process(snap, idx[i])->pss);
	free(idx);
	if (prom_tracking(f, snap, o->top))
		return -ENOMEM;
	if (fflush(f))
		return -errno;
	return ferror(f) ? -EIO : 0;
}

/*
 * DIR/dmabufstat.prom, atomically: a temporary file in DIR (not named
 * *.prom, so node_exporter's textfile collector ignores it), fsync, rename.
 */
static int prom_write_textfile(const char *dir,
			const struct dmabufstat_snapshot *snap,
			const struct prom_opts *o)
{
	char tmp[4096], path[4096];
	FILE *f;
	int fd, err;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			     PROM_TEXTFILE_NAME) >= sizeof(path))
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, PROM_TEXTFILE_NAME);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	err = prom_write(f, snap, o);
	if (!err && fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int cmd_export(struct dmabufstat *ds, const char *name, char **args, int nr)
{
	struct dmabufstat_snapshot *snap = NULL;
	struct prom_opts po = { .top = env.top };
	int err;

	if (nr)
		cli_usage_error("%s: unexpected argument '%s'", name, args[0]);
	if (!env.prometheus)
		cli_usage_error("%s: give the format, --prometheus", name);
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
	if (err && env.textfile) {
		cli_error("%s: %s: %s (the previous %s is kept)", name,
			  env.textfile, strerror(-err), PROM_TEXTFILE_NAME);
		return 1;
	}
	if (err)
		return cli_output_error(err);
	return 0;
}
