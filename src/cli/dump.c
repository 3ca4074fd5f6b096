// SPDX-License-Identifier: GPL-2.0
/*
 * dmabufstat dump [-a] [-b] [PID] [-o raw|csv]: the layouts and figures of
 * Android's dmabuf_dump (AOSP system/memory/libmeminfo/libdmabufinfo/tools),
 * from one snapshot through the library's meminfo API, which hands out
 * what libdmabufinfo hands dmabuf_dump: per-buffer and per-exporter stats,
 * each process's buffers with fd and map reference counts and pss, and the
 * totals (kernel_rss). See `dmabufstat --help`.
 *
 * raw (default) uses dmabuf_dump's printf formats as they are; text fields
 * have '\n' and '\r' replaced by spaces so that every record stays on its
 * line. csv gives the same tables, one header row each, text quoted ("
 * doubled, bytes kept as they are), LF line ends, tables separated by an
 * empty line.
 *
 * Exporter is the kernel's exp_name (what dmabuf_dump, sysfs and fdinfo
 * show), not the resolved DRM driver; empty names and exporters print as
 * "<unknown>".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "opts.h"
#include "text.h"

#define UNKNOWN "<unknown>"

struct dump_opts {
	bool all;		/* -a: buffer x process grid */
	bool per_buffer;	/* -b: per-buffer, per-exporter, totals */
	bool csv;		/* -o csv */
	uint32_t pid;		/* PID argument; 0: every process */
};

/* A text field for raw output: line breaks made spaces. */
static const char *flat(char *buf, size_t len, const char *s)
{
	size_t i;

	if (!s || !*s)
		return UNKNOWN;
	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = (s[i] == '\n' || s[i] == '\r') ? ' ' : s[i];
	buf[i] = '\0';
	return buf;
}

static const char *or_unknown(const char *s)
{
	return s && *s ? s : UNKNOWN;
}

/* Exporters in the order of the names shown ("" shows as <unknown>). */
static int cmp_exp_shown(const void *a, const void *b)
{
	return strcmp(or_unknown(((const struct dmabufstat_meminfo_exp *)a)->exp_name),
		      or_unknown(((const struct dmabufstat_meminfo_exp *)b)->exp_name));
}

/* -b: per-buffer, per-exporter and total stats. */
static int print_per_buffer(FILE *f, const struct dmabufstat_snapshot *snap,
			    const struct dump_opts *o)
{
	struct dmabufstat_meminfo_perbuf *s;
	char buf[DMABUFSTAT_EXPORTER_LEN];
	size_t i;
	int err;

	err = dmabufstat_meminfo_per_buffer(snap, &s);
	if (err)
		return err;
	qsort(s->exporters, s->nr_exporters, sizeof(*s->exporters),
	      cmp_exp_shown);
	if (o->csv)
		fprintf(f, "\"Dmabuf Inode\",\"Size(bytes)\",\"Exporter Name\"\n");
	else
		fprintf(f, "\n\n----------------------- DMA-BUF per-buffer stats -----------------------\n"
			"    Dmabuf Inode |     Size(bytes) |    Exporter Name                    |\n");
	for (i = 0; i < s->nr_bufs; i++) {
		const struct dmabufstat_meminfo_buf *b = &s->bufs[i];

		if (o->csv) {
			fprintf(f, "%" PRIu64 ",%" PRIu64 ",", b->ino, b->size);
			rep_csv_quoted(f, or_unknown(b->exp_name));
			fputc('\n', f);
		} else {
			fprintf(f, "%16" PRIu64 " |%16" PRIu64 " | %16s \n",
				b->ino, b->size,
				flat(buf, sizeof(buf), b->exp_name));
		}
	}

	if (o->csv)
		fprintf(f, "\n\"Exporter Name\",\"Total Count\",\"Total Size(bytes)\"\n");
	else
		fprintf(f, "\n\n----------------------- DMA-BUF exporter stats -----------------------\n"
			"      Exporter Name              | Total Count |     Total Size(bytes)   |\n");
	for (i = 0; i < s->nr_exporters; i++) {
		const struct dmabufstat_meminfo_exp *e = &s->exporters[i];

		if (o->csv) {
			rep_csv_quoted(f, or_unknown(e->exp_name));
			fprintf(f, ",%u,%" PRIu64 "\n", e->count, e->size);
		} else {
			fprintf(f, "%32s | %12u| %" PRIu64 "\n",
				flat(buf, sizeof(buf), e->exp_name), e->count,
				e->size);
		}
	}

	if (o->csv)
		fprintf(f, "\n\"Total DMA-BUF count\",\"Total DMA-BUF size(bytes)\"\n%u,%" PRIu64 "\n",
			s->total_count, s->total_size);
	else
		fprintf(f, "\n\n----------------------- DMA-BUF total stats --------------------------\n"
			"Total DMA-BUF count: %u, Total DMA-BUF size(bytes): %" PRIu64 "\n",
			s->total_count, s->total_size);
	dmabufstat_meminfo_per_buffer_free(s);
	return 0;
}

/* The buffers of each process the dump shows (meminfo's per-pid refs). */
struct holdings {
	size_t nr;		/* processes shown */
	const struct dmabufstat_process **procs;
	struct dmabufstat_meminfo_ref **refs;	/* by inode */
	size_t *nr_refs;
};

static void holdings_free(struct holdings *h)
{
	size_t i;

	for (i = 0; i < h->nr; i++)
		free(h->refs[i]);
	free(h->procs);
	free(h->refs);
	free(h->nr_refs);
}

static int holdings_get(const struct dmabufstat_snapshot *snap,
			const struct dump_opts *o, struct holdings *h)
{
	size_t n = dmabufstat_nr_processes(snap), i;
	int err;

	memset(h, 0, sizeof(*h));
	h->procs = calloc(n + 1, sizeof(*h->procs));
	h->refs = calloc(n + 1, sizeof(*h->refs));
	h->nr_refs = calloc(n + 1, sizeof(*h->nr_refs));
	if (!h->procs || !h->refs || !h->nr_refs) {
		holdings_free(h);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct dmabufstat_process *p = dmabufstat_process(snap, i);

		if (o->pid && p->pid != o->pid)
			continue;
		err = dmabufstat_meminfo_process_refs(snap, p->pid,
						      &h->refs[h->nr],
						      &h->nr_refs[h->nr]);
		if (err) {
			holdings_free(h);
			return err;
		}
		h->procs[h->nr++] = p;
	}
	return 0;
}

/*
 * The shown processes' buffers: 0 and h filled; 1 (h empty) when they
 * hold none, which raw output says as dmabuf_dump does; or -errno.
 */
static int holdings_of_shown(FILE *f, const struct dmabufstat_snapshot *snap,
			     const struct dump_opts *o, struct holdings *h)
{
	size_t i, n = 0;
	int err;

	err = holdings_get(snap, o, h);
	if (err)
		return err;
	for (i = 0; i < h->nr; i++)
		n += h->nr_refs[i];
	if (n)
		return 0;
	holdings_free(h);
	if (!o->csv)
		fprintf(f, "dmabuf info not found \u00af\\_(\u30c4)_/\u00af\n");
	return 1;
}

/* Default: per-process tables and the totals line. */
static int print_per_process(FILE *f, const struct dmabufstat_snapshot *snap,
			     const struct dump_opts *o)
{
	char nbuf[DMABUFSTAT_BUFNAME_LEN], ebuf[DMABUFSTAT_EXPORTER_LEN];
	uint64_t total_rss = 0, total_pss = 0, kernel;
	struct dmabufstat_meminfo_totals tot;
	char cbuf[DMABUFSTAT_COMM_LEN];
	struct holdings h;
	size_t i, j;
	int err;

	err = holdings_of_shown(f, snap, o, &h);
	if (err)
		return err < 0 ? err : 0;
	if (o->csv)
		fprintf(f, "\"Process\",\"PID\",\"Name\",\"Rss(kB)\",\"Pss(kB)\",\"nr_procs\",\"Inode\",\"Exporter\"\n");
	for (i = 0; i < h.nr; i++) {
		const struct dmabufstat_process *p = h.procs[i];
		uint64_t rss = 0, pss = 0;

		if (!h.nr_refs[i])
			continue;
		if (!o->csv) {
			fprintf(f, "%16s:%-5d\n", flat(cbuf, sizeof(cbuf), p->comm),
				(int)p->pid);
			fprintf(f, "%22s %16s %16s %16s %16s %22s\n", "Name",
				"Rss", "Pss", "nr_procs", "Inode", "Exporter");
		}
		for (j = 0; j < h.nr_refs[i]; j++) {
			const struct dmabufstat_meminfo_ref *r = &h.refs[i][j];

			if (o->csv) {
				rep_csv_quoted(f, p->comm);
				fprintf(f, ",%u,", p->pid);
				rep_csv_quoted(f, or_unknown(r->name));
				fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%u,%" PRIu64 ",",
					r->size / 1024, r->pss / 1024,
					r->nr_procs, r->ino);
				rep_csv_quoted(f, or_unknown(r->exp_name));
				fputc('\n', f);
			} else {
				fprintf(f, "%22s %13" PRIu64 " kB %13" PRIu64 " kB %16zu %16" PRIuMAX "  %22s\n",
					flat(nbuf, sizeof(nbuf), r->name),
					r->size / 1024, r->pss / 1024,
					(size_t)r->nr_procs, (uintmax_t)r->ino,
					flat(ebuf, sizeof(ebuf), r->exp_name));
			}
			rss += r->size;
			pss += r->pss;
		}
		if (o->csv) {
			rep_csv_quoted(f, p->comm);
			fprintf(f, ",%u,\"PROCESS TOTAL\",%" PRIu64 ",%" PRIu64 ",,,\n",
				p->pid, rss / 1024, pss / 1024);
		} else {
			fprintf(f, "%22s %13" PRIu64 " kB %13" PRIu64 " kB %16s\n",
				"PROCESS TOTAL", rss / 1024, pss / 1024, "");
			fprintf(f, "----------------------\n");
		}
		total_rss += rss;
		total_pss += pss;
	}
	/*
	 * dmabuf_dump: kernel_rss = total exported - the bytes processes hold;
	 * with a PID, the bytes that process holds (its rss).
	 */
	dmabufstat_meminfo_totals(snap, &tot);
	kernel = tot.kernel_rss;
	if (o->pid)
		kernel = tot.total_exported >= total_rss ?
			 tot.total_exported - total_rss : 0;
	holdings_free(&h);
	if (o->csv)
		fprintf(f, "\n\"dmabuf total(kB)\",\"kernel_rss(kB)\",\"userspace_rss(kB)\",\"userspace_pss(kB)\"\n"
			"%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
			tot.total_exported / 1024, kernel / 1024,
			total_rss / 1024, total_pss / 1024);
	else
		fprintf(f, "dmabuf total: %" PRIu64 " kB kernel_rss: %" PRIu64 " kB userspace_rss: %" PRIu64 " kB userspace_pss: %" PRIu64 " kB\n",
			tot.total_exported / 1024, kernel / 1024,
			total_rss / 1024, total_pss / 1024);
	return 0;
}

/* Process k's reference to ino (its refs are by inode), or NULL. */
static const struct dmabufstat_meminfo_ref *ref_of(const struct holdings *h,
						   size_t k, uint64_t ino)
{
	size_t lo = 0, hi = h->nr_refs[k];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->refs[k][mid].ino == ino)
			return &h->refs[k][mid];
		if (h->refs[k][mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * -a: buffers held by the shown processes x those processes, each column
 * 24 wide as in AOSP: "%16s:%-5d |" heads, "%9d(%6d) refs |" or
 * "%22s |" "--" cells, "%19" PRIu64 " kB |" totals.
 */
static int print_grid(FILE *f, const struct dmabufstat_snapshot *snap,
		      const struct dump_opts *o)
{
	size_t nr_bufs = dmabufstat_nr_buffers(snap), i, k;
	char cbuf[DMABUFSTAT_COMM_LEN];
	uint64_t *per_pid, total = 0;
	struct holdings h;
	int err;

	err = holdings_of_shown(f, snap, o, &h);
	if (err)
		return err < 0 ? err : 0;
	per_pid = calloc(h.nr + 1, sizeof(*per_pid));
	if (!per_pid) {
		holdings_free(&h);
		return -ENOMEM;
	}

	if (o->csv)
		fprintf(f, "\"Dmabuf Inode\",\"Size(kB)\",\"Fd Ref Counts\",\"Map Ref Counts\"");
	else
		fprintf(f, "    Dmabuf Inode |            Size |   Fd Ref Counts |  Map Ref Counts |");
	for (k = 0; k < h.nr; k++) {
		const struct dmabufstat_process *p = h.procs[k];

		if (o->csv) {
			char col[64];

			snprintf(col, sizeof(col), "%s:%u fd", p->comm, p->pid);
			fputc(',', f);
			rep_csv_quoted(f, col);
			snprintf(col, sizeof(col), "%s:%u map", p->comm, p->pid);
			fputc(',', f);
			rep_csv_quoted(f, col);
		} else {
			fprintf(f, "%16s:%-5d |", flat(cbuf, sizeof(cbuf), p->comm),
				(int)p->pid);
		}
	}
	fputc('\n', f);

	/* the snapshot's buffers come by inode, as the grid's rows do */
	for (i = 0; i < nr_bufs; i++) {
		const struct dmabufstat_buffer *b = dmabufstat_buffer(snap, i);
		uint32_t fds = 0, maps = 0;
		bool held = false;

		for (k = 0; k < h.nr; k++) {
			const struct dmabufstat_meminfo_ref *r;

			r = ref_of(&h, k, b->ino);
			if (r) {
				held = true;
				fds += r->fd_refs;
				maps += r->map_refs;
			}
		}
		if (!held)
			continue;
		total += b->size;
		if (o->csv)
			fprintf(f, "%" PRIu64 ",%" PRIu64 ",%u,%u", b->ino,
				b->size / 1024, fds, maps);
		else
			fprintf(f, "%16" PRIuMAX " |%13" PRIu64 " kB |%16zu |%16zu |",
				(uintmax_t)b->ino, b->size / 1024, (size_t)fds,
				(size_t)maps);
		for (k = 0; k < h.nr; k++) {
			const struct dmabufstat_meminfo_ref *r;

			r = ref_of(&h, k, b->ino);
			if (r && (r->fd_refs || r->map_refs)) {
				per_pid[k] += b->size / 1024;
				if (o->csv)
					fprintf(f, ",%u,%u", r->fd_refs,
						r->map_refs);
				else
					fprintf(f, "%9d(%6d) refs |",
						(int)r->fd_refs,
						(int)r->map_refs);
			} else {
				if (o->csv)
					fprintf(f, ",0,0");
				else
					fprintf(f, "%22s |", "--");
			}
		}
		fputc('\n', f);
	}

	if (o->csv) {
		fprintf(f, "\"TOTALS\",%" PRIu64 ",,", total / 1024);
	} else {
		fprintf(f, "------------------------------------\n");
		fprintf(f, "%-16s  %13" PRIu64 " kB |%16s |%16s |", "TOTALS",
			total / 1024, "n/a", "n/a");
	}
	for (k = 0; k < h.nr; k++) {
		if (o->csv)
			fprintf(f, ",%" PRIu64 ",", per_pid[k]);
		else
			fprintf(f, "%19" PRIu64 " kB |", per_pid[k]);
	}
	fputc('\n', f);
	free(per_pid);
	holdings_free(&h);
	return 0;
}

int cmd_dump(struct dmabufstat *ds, const char *name, char **args, int nr)
{
	struct dump_opts o = {
		.all = env.dump_all,
		.per_buffer = env.dump_bufs,
		.csv = env.format == REP_CSV,
	};
	struct dmabufstat_snapshot *snap = NULL;
	uint64_t pid = 0;
	int err;

	if (nr && (!cli_parse_u64(args[0], &pid) || !pid || pid > INT32_MAX))
		cli_usage_error("%s: bad pid '%s'", name, args[0]);
	if (nr > 1)
		cli_usage_error("%s: unexpected argument '%s'", name, args[1]);
	if (env.format == REP_JSON)
		cli_usage_error("%s: the formats are raw and csv", name);
	/* dmabuf_dump's rules: -a and -b are of every process */
	if (pid && (o.all || o.per_buffer))
		cli_usage_error("%s: %s takes no PID", name,
				o.per_buffer ? "-b" : "-a");
	if (pid && kill((pid_t)pid, 0) && errno == ESRCH) {
		cli_error("%s: unable to read DMA-BUF info for pid %" PRIu64
			  ": no such process", name, pid);
		return 1;
	}
	o.pid = pid;
	err = dmabufstat_snapshot(ds, &snap);
	if (err) {
		cli_lib_error(ds, "cannot take a snapshot", err);
		return 1;
	}
	if (o.per_buffer)
		err = print_per_buffer(stdout, snap, &o);
	else if (o.all)
		err = print_grid(stdout, snap, &o);
	else
		err = print_per_process(stdout, snap, &o);
	if (!err && fflush(stdout))
		err = -errno;
	if (!err && ferror(stdout))
		err = -EIO;
	dmabufstat_snapshot_free(snap);
	if (err)
		return cli_output_error(err);
	return 0;
}
