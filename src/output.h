/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output: one document model, three writers (table, JSON, CSV), in the
 * shape of bpftool's single writer behind every command.
 *
 * A view fills a struct out_doc with sections. A section is a table: typed
 * columns and rows of cells, or a single record (a key/value object such as
 * the totals). The writers turn it into:
 *
 *   table  aligned columns for people, sizes in KiB/MiB... unless --bytes,
 *          strings escaped C-style (\n, \", \xNN for bytes that are not
 *          printable or not UTF-8);
 *   json   one object via json-c: numbers as numbers, strings as JSON
 *          strings; a string that is not valid UTF-8 has its invalid bytes
 *          replaced by U+FFFD and its exact bytes in a sibling "<key>_hex";
 *   csv    RFC 4180: a header row of keys, CRLF line ends, every text field
 *          quoted with quotes doubled, numbers bare, raw bytes kept.
 *
 * Strings handed to cells are not copied: they must outlive the document
 * (they point into the snapshot). Lists given to cells are owned by the
 * document.
 */
#ifndef __DMABUFSTAT_OUTPUT_H
#define __DMABUFSTAT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum out_format {
	OUT_TABLE,
	OUT_JSON,
	OUT_CSV,
};

enum col_type {
	COL_STR,
	COL_U64,
	COL_S64,	/* may be -1: unknown */
	COL_SIZE,	/* u64 bytes: human-readable in tables */
	COL_BOOL,
	COL_STRLIST,
	COL_U64LIST,
};

/* column flags */
#define COL_WIDE	0x1	/* json and csv only: hidden in tables */
#define COL_NOSORT	0x2	/* not a -s key */

struct out_col {
	const char *key;	/* JSON key, CSV header, -s name */
	const char *title;	/* table header */
	enum col_type type;
	unsigned int flags;
};

struct out_cell {
	union {
		const char *s;
		uint64_t u;
		int64_t i;
		bool b;
		struct {
			const char **v;
			size_t n;
		} sl;
		struct {
			uint64_t *v;
			size_t n;
		} ul;
	};
};

struct out_section {
	const char *key;	/* JSON key of the array / object */
	const char *title;	/* table heading, may be NULL */
	bool single;		/* one record: a JSON object, not an array */
	bool json_only;		/* not printed as table or CSV */
	const struct out_col *cols;
	size_t nr_cols;
	struct out_cell **rows;
	size_t nr_rows, cap_rows;
};

struct out_meta {
	const char *key;
	enum col_type type;	/* COL_STR, COL_U64, COL_BOOL, COL_STRLIST */
	struct out_cell val;
};

#define OUT_MAX_SECTIONS 8
#define OUT_MAX_META 16

struct out_doc {
	const char *view;
	struct out_meta meta[OUT_MAX_META];	/* top-level JSON fields */
	size_t nr_meta;
	const char *banner;	/* first table line / CSV comment */
	struct out_section sect[OUT_MAX_SECTIONS];
	size_t nr_sect;
};

struct out_section *out_section_add(struct out_doc *doc, const char *key,
				    const char *title,
				    const struct out_col *cols, size_t nr_cols);
/* A new zeroed row; NULL when out of memory. */
struct out_cell *out_row_add(struct out_section *s);
void out_meta_str(struct out_doc *doc, const char *key, const char *val);
void out_meta_u64(struct out_doc *doc, const char *key, uint64_t val);
void out_meta_bool(struct out_doc *doc, const char *key, bool val);
void out_meta_strlist(struct out_doc *doc, const char *key, const char **v,
		      size_t n);
void out_doc_free(struct out_doc *doc);

/* Column index by key, or -1. */
int out_col_find(const struct out_section *s, const char *key);
/*
 * Sorts rows by column col: numbers largest first, strings and booleans
 * in ascending order; ties by column 0 ascending, then by row order.
 */
void out_sort(struct out_section *s, int col);
/* Keeps at most n rows (0: all). */
void out_limit(struct out_section *s, size_t n);

struct out_style {
	enum out_format format;
	bool bytes;		/* tables: sizes in bytes */
	bool jsonl;		/* json: one line, one write(), SIGINT/SIGTERM
				 * blocked meanwhile (JSON Lines) */
};

int out_write(FILE *f, const struct out_doc *doc,
	      const struct out_style *style);

/* "1.5 MiB"; buf must hold 32 bytes. */
const char *out_human(char *buf, size_t len, uint64_t bytes);

#endif /* __DMABUFSTAT_OUTPUT_H */
