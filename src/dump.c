// SPDX-License-Identifier: GPL-2.0
/*
 * dmabufstat dump: the layouts and figures of Android's dmabuf_dump
 * (AOSP libmeminfo/tools), from one snapshot. See DESIGN.md section 5 and
 * `dmabufstat --help`.
 *
 * raw (default) uses dmabuf_dump's printf formats as they are; text fields
 * have '\n' and '\r' replaced by spaces so that every record stays on its
 * line. csv gives the same tables, one header row each, text quoted ("
 * doubled, bytes kept as they are), tables separated by an empty line.
 *
 * Exporter is the kernel's exp_name (what dmabuf_dump, sysfs and fdinfo
 * show), not the resolved DRM driver; empty names and exporters print as
 * "<unknown>".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"

#define UNKNOWN "<unknown>"

/* A text field for raw output: control line breaks made spaces. */
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

static void csv_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static const char *or_unknown(const char *s)
{
	return s && *s ? s : UNKNOWN;
}

/* Is process i selected by the PID argument? */
static bool selected(const struct dump_opts *o,
		     const struct dmabufstat_process *p)
{
	return !o->pid || p->pid == o->pid;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* -b: per-buffer, per-exporter and total stats. */
static int print_per_buffer(FILE *f, const struct dmabufstat_snapshot *snap,
			    const struct dump_opts *o)
{
	size_t nr = dmabufstat_nr_buffers(snap), i, j, nr_exp = 0;
	const char **names;
	uint64_t total = 0;
	char buf[DMABUFSTAT_EXPORTER_LEN];

	names = calloc(nr ? nr : 1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		names[i] = or_unknown(dmabufstat_buffer(snap, i)->exporter);
	qsort(names, nr, sizeof(*names), cmp_str);
	for (i = 0; i < nr; i++)
		if (!nr_exp || strcmp(names[nr_exp - 1], names[i]))
			names[nr_exp++] = names[i];

	if (o->csv)
		fprintf(f, "\"Dmabuf Inode\",\"Size(bytes)\",\"Exporter Name\"\n");
	else
		fprintf(f, "\n\n----------------------- DMA-BUF per-buffer stats -----------------------\n"
			"    Dmabuf Inode |     Size(bytes) |    Exporter Name                    |\n");
	for (i = 0; i < nr; i++) {
		const struct dmabufstat_buffer *b = dmabufstat_buffer(snap, i);

		total += b->size;
		if (o->csv) {
			fprintf(f, "%" PRIu64 ",%" PRIu64 ",", b->ino, b->size);
			csv_str(f, or_unknown(b->exporter));
			fputc('\n', f);
		} else {
			fprintf(f, "%16" PRIu64 " |%16" PRIu64 " | %16s \n",
				b->ino, b->size,
				flat(buf, sizeof(buf), b->exporter));
		}
	}

	if (o->csv)
		fprintf(f, "\n\"Exporter Name\",\"Total Count\",\"Total Size(bytes)\"\n");
	else
		fprintf(f, "\n\n----------------------- DMA-BUF exporter stats -----------------------\n"
			"      Exporter Name              | Total Count |     Total Size(bytes)   |\n");
	for (j = 0; j < nr_exp; j++) {
		unsigned int count = 0;
		uint64_t bytes = 0;

		for (i = 0; i < nr; i++) {
			const struct dmabufstat_buffer *b =
				dmabufstat_buffer(snap, i);

			if (!strcmp(or_unknown(b->exporter), names[j])) {
				count++;
				bytes += b->size;
			}
		}
		if (o->csv) {
			csv_str(f, names[j]);
			fprintf(f, ",%u,%" PRIu64 "\n", count, bytes);
		} else {
			fprintf(f, "%32s | %12u| %" PRIu64 "\n",
				flat(buf, sizeof(buf), names[j]), count, bytes);
		}
	}

	if (o->csv)
		fprintf(f, "\n\"Total DMA-BUF count\",\"Total DMA-BUF size(bytes)\"\n%u,%" PRIu64 "\n",
			(unsigned int)nr, total);
	else
		fprintf(f, "\n\n----------------------- DMA-BUF total stats --------------------------\n"
			"Total DMA-BUF count: %u, Total DMA-BUF size(bytes): %" PRIu64 "\n",
			(unsigned int)nr, total);
	free(names);
	return 0;
}

/* The buffers the selected processes hold: a mark per buffer index. */
static bool *held_by_selected(const struct dmabufstat_snapshot *snap,
			      const struct dump_opts *o, size_t *nr_held)
{
	size_t nr = dmabufstat_nr_buffers(snap), i, j;
	bool *held = calloc(nr ? nr : 1, sizeof(*held));

	*nr_held = 0;
	if (!held)
		return NULL;
	for (i = 0; i < dmabufstat_nr_processes(snap); i++) {
		const struct dmabufstat_process *p =
			dmabufstat_process(snap, i);

		if (!selected(o, p))
			continue;
		for (j = 0; j < p->nr_bufs; j++) {
			const struct dmabufstat_holder *h =
				dmabufstat_process_holder(snap, i, j);

			if (!held[h->buf])
				(*nr_held)++;
			held[h->buf] = true;
		}
	}
	return held;
}

/* Default: per-process tables and the totals line. */
static int print_per_process(FILE *f, const struct dmabufstat_snapshot *snap,
			     const struct dump_opts *o)
{
	const struct dmabufstat_system *sys = dmabufstat_totals(snap);
	uint64_t userspace = 0, kernel, total_rss = 0, total_pss = 0;
	char nbuf[DMABUFSTAT_BUFNAME_LEN], ebuf[DMABUFSTAT_EXPORTER_LEN];
	char cbuf[DMABUFSTAT_COMM_LEN];
	size_t nr_held, i, j;
	bool *held;

	held = held_by_selected(snap, o, &nr_held);
	if (!held)
		return -ENOMEM;
	if (!nr_held) {
		free(held);
		if (o->csv)
			return 0;
		fprintf(f, "dmabuf info not found \u00af\\_(\u30c4)_/\u00af\n");
		return 0;
	}
	for (i = 0; i < dmabufstat_nr_buffers(snap); i++)
		if (held[i])
			userspace += dmabufstat_buffer(snap, i)->size;
	free(held);

	if (o->csv)
		fprintf(f, "\"Process\",\"PID\",\"Name\",\"Rss(kB)\",\"Pss(kB)\",\"nr_procs\",\"Inode\",\"Exporter\"\n");
	for (i = 0; i < dmabufstat_nr_processes(snap); i++) {
		const struct dmabufstat_process *p =
			dmabufstat_process(snap, i);
		uint64_t rss = 0, pss = 0;

		if (!selected(o, p) || !p->nr_bufs)
			continue;
		if (!o->csv) {
			fprintf(f, "%16s:%-5d\n", flat(cbuf, sizeof(cbuf), p->comm),
				(int)p->pid);
			fprintf(f, "%22s %16s %16s %16s %16s %22s\n", "Name",
				"Rss", "Pss", "nr_procs", "Inode", "Exporter");
		}
		for (j = 0; j < p->nr_bufs; j++) {
			const struct dmabufstat_holder *h =
				dmabufstat_process_holder(snap, i, j);
			const struct dmabufstat_buffer *b =
				dmabufstat_buffer(snap, h->buf);

			if (o->csv) {
				csv_str(f, p->comm);
				fprintf(f, ",%u,", p->pid);
				csv_str(f, or_unknown(b->name));
				fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%u,%" PRIu64 ",",
					b->size / 1024, h->pss / 1024,
					b->nr_procs, b->ino);
				csv_str(f, or_unknown(b->exporter));
				fputc('\n', f);
			} else {
				fprintf(f, "%22s %13" PRIu64 " kB %13" PRIu64 " kB %16zu %16" PRIuMAX "  %22s\n",
					flat(nbuf, sizeof(nbuf), b->name),
					b->size / 1024, h->pss / 1024,
					(size_t)b->nr_procs, (uintmax_t)b->ino,
					flat(ebuf, sizeof(ebuf), b->exporter));
			}
			rss += b->size;
			pss += h->pss;
		}
		if (o->csv) {
			csv_str(f, p->comm);
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
	/* dmabuf_dump: kernel_rss = total exported - userspace-held bytes */
	kernel = sys->bytes >= userspace ? sys->bytes - userspace : 0;
	if (o->csv)
		fprintf(f, "\n\"dmabuf total(kB)\",\"kernel_rss(kB)\",\"userspace_rss(kB)\",\"userspace_pss(kB)\"\n"
			"%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
			(userspace + kernel) / 1024, kernel / 1024,
			total_rss / 1024, total_pss / 1024);
	else
		fprintf(f, "dmabuf total: %" PRIu64 " kB kernel_rss: %" PRIu64 " kB userspace_rss: %" PRIu64 " kB userspace_pss: %" PRIu64 " kB\n",
			(userspace + kernel) / 1024, kernel / 1024,
			total_rss / 1024, total_pss / 1024);
	return 0;
}

/* -a: buffers (held by the selected processes) x processes. */
static int print_grid(FILE *f, const struct dmabufstat_snapshot *snap,
		      const struct dump_opts *o)
{
	size_t nr_procs = dmabufstat_nr_processes(snap), nr_held, i, j, k;
	char cbuf[DMABUFSTAT_COMM_LEN];
	uint64_t *per_pid, total = 0;
	bool *held;

	held = held_by_selected(snap, o, &nr_held);
	if (!held)
		return -ENOMEM;
	if (!nr_held) {
		free(held);
		if (!o->csv)
			fprintf(f, "dmabuf info not found \u00af\\_(\u30c4)_/\u00af\n");
		return 0;
	}
	per_pid = calloc(nr_procs ? nr_procs : 1, sizeof(*per_pid));
	if (!per_pid) {
		free(held);
		return -ENOMEM;
	}

	if (o->csv)
		fprintf(f, "\"Dmabuf Inode\",\"Size(kB)\",\"Fd Ref Counts\",\"Map Ref Counts\"");
	else
		fprintf(f, "    Dmabuf Inode |            Size |   Fd Ref Counts |  Map Ref Counts |");
	for (i = 0; i < nr_procs; i++) {
		const struct dmabufstat_process *p =
			dmabufstat_process(snap, i);

		if (!selected(o, p))
			continue;
		if (o->csv) {
			char col[64];

			snprintf(col, sizeof(col), "%s:%u fd", p->comm, p->pid);
			fputc(',', f);
			csv_str(f, col);
			snprintf(col, sizeof(col), "%s:%u map", p->comm, p->pid);
			fputc(',', f);
			csv_str(f, col);
		} else {
			fprintf(f, "%16s:%-5d |", flat(cbuf, sizeof(cbuf), p->comm),
				(int)p->pid);
		}
	}
	fputc('\n', f);

	for (i = 0; i < dmabufstat_nr_buffers(snap); i++) {
		const struct dmabufstat_buffer *b = dmabufstat_buffer(snap, i);
		uint32_t fds = 0, maps = 0;

		if (!held[i])
			continue;
		/* the buffer's refs over the shown processes */
		for (j = 0; j < b->nr_procs; j++) {
			const struct dmabufstat_holder *h =
				dmabufstat_buffer_holder(snap, i, j);

			if (!selected(o, dmabufstat_process(snap, h->proc)))
				continue;
			fds += h->nr_fds;
			maps += h->nr_maps;
		}
		total += b->size;
		if (o->csv)
			fprintf(f, "%" PRIu64 ",%" PRIu64 ",%u,%u", b->ino,
				b->size / 1024, fds, maps);
		else
			fprintf(f, "%16" PRIuMAX " |%13" PRIu64 " kB |%16zu |%16zu |",
				(uintmax_t)b->ino, b->size / 1024, (size_t)fds,
				(size_t)maps);
		for (k = 0; k < nr_procs; k++) {
			const struct dmabufstat_holder *h = NULL;

			if (!selected(o, dmabufstat_process(snap, k)))
				continue;
			for (j = 0; j < b->nr_procs; j++) {
				h = dmabufstat_buffer_holder(snap, i, j);
				if (h->proc == k)
					break;
				h = NULL;
			}
			if (h && (h->nr_fds || h->nr_maps)) {
				per_pid[k] += b->size / 1024;
				if (o->csv)
					fprintf(f, ",%u,%u", h->nr_fds,
						h->nr_maps);
				else
					fprintf(f, "%9d(%6d) |", (int)h->nr_fds,
						(int)h->nr_maps);
			} else {
				if (o->csv)
					fprintf(f, ",0,0");
				else
					fprintf(f, "%9s(%6s) |", "--", "--");
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
	for (k = 0; k < nr_procs; k++) {
		if (!selected(o, dmabufstat_process(snap, k)))
			continue;
		if (o->csv)
			fprintf(f, ",%" PRIu64 ",", per_pid[k]);
		else
			fprintf(f, "%9" PRIu64 " kB |", per_pid[k]);
	}
	fputc('\n', f);
	free(per_pid);
	free(held);
	return 0;
}

int dump_print(FILE *f, const struct dmabufstat_snapshot *snap,
	       const struct dump_opts *o)
{
	int err;

	if (o->per_buffer)
		err = print_per_buffer(f, snap, o);
	else if (o->all)
		err = print_grid(f, snap, o);
	else
		err = print_per_process(f, snap, o);
	if (err)
		return err;
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}
