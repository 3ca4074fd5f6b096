/* SPDX-License-Identifier: GPL-2.0 */
/*
 * write: one writer each for tables, JSON and CSV, over the sections of a
 * document (tables of table.h).
 *
 *   table  a banner, then per section its title and aligned columns (not
 *          the REP_WIDE ones): numbers right, text left, padded by display
 *          width, two spaces apart; "(none)" under the header of an empty
 *          one; a single-row section as "key  value" lines.
 *   json   one object: the caller's members (meta), then each section
 *          under its key, an array of objects or (single) one object, with
 *          every column; streamed by jsonw.h. Pretty, or one line (JSON
 *          Lines).
 *   csv    RFC 4180 but for LF line ends (every CSV the tools write):
 *          per section (after an empty line and "# KEY" when there are
 *          several, the summary) a header row of the keys and a row per
 *          record, each led by the time and backend columns when the
 *          document has them; no banner, so the first line is the header;
 *          text quoted, lists joined by ';', booleans true/false, sizes
 *          in bytes.
 *
 * The whole document is made in memory and written with one write() while
 * SIGINT, SIGTERM and SIGHUP are blocked: a signal never leaves half a
 * document behind.
 */
#ifndef __DMABUFSTAT_REPORT_WRITE_H
#define __DMABUFSTAT_REPORT_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "jsonw.h"
#include "table.h"

enum rep_format {
	REP_TABLE,
	REP_JSON,
	REP_CSV,
	REP_NR_FORMATS,
};

/* By its -o word: table (or text), json, csv; REP_NR_FORMATS if none. */
enum rep_format rep_format_find(const char *word);
/* "table, json and csv", for messages. */
const char *rep_format_words(void);

struct rep_section {
	const struct rep_table *t;
	const char *title;	/* table heading, may be NULL */
	bool single;		/* one record: key/value lines, a JSON object */
	bool json_only;		/* not in tables nor CSV */
	const char *key;	/* JSON key, CSV "# KEY"; NULL: the view's */
};

#define REP_MAX_SECTIONS 4

struct rep_doc {
	const char *banner;	/* tables: first lines (not in CSV) */
	/* CSV: the first two columns of every row, "time" and "backend" */
	const char *csv_time, *csv_backend;
	/* JSON: the members before the sections */
	void (*meta)(struct jsonw *w, const void *ctx);
	const void *meta_ctx;
	struct rep_section sect[REP_MAX_SECTIONS];
	int nr_sect;
	bool no_csv_header;	/* CSV rows only (a sample after the first) */
};

struct rep_style {
	enum rep_format format;
	bool bytes;		/* tables: exact byte counts */
	bool jsonl;		/* JSON on one line */
};

/* Adds a section; false if there is no room. */
bool rep_doc_add(struct rep_doc *d, const struct rep_table *t,
		 const char *title, bool single, bool json_only);

/* A snapshot's wall clock time, ISO 8601 with ms and the zone offset. */
void rep_time_iso(uint64_t realtime_ns, char *buf, size_t len);

/* Writes the document to out (see above); 0 or -errno. */
int rep_write(FILE *out, const struct rep_doc *d, const struct rep_style *st);

/*
 * The JSON members every document has about its snapshot: backend,
 * buffer_backend, process_backend, fallback_reason, realtime_ns,
 * snapshot_flags.
 */
void rep_json_snapshot(struct jsonw *w, const struct dmabufstat_snapshot *s,
		       const char *fallback_reason);
/* The "tracking" object of a snapshot taken with tracking (else nothing). */
void rep_json_tracking(struct jsonw *w, const struct dmabufstat_track_status *t);

#endif /* __DMABUFSTAT_REPORT_WRITE_H */
