/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jsonw: a streaming JSON writer, in the shape of bpftool's json_writer:
 * start/end an object or an array, a name, a value; the text goes straight
 * to a FILE * as it is made, no tree in between, so a document of 10,000
 * rows costs what its text costs.
 *
 * Numbers are written as numbers; strings are escaped as RFC 8259 asks
 * ('"', '\\', control characters; '/' is left alone). jsonw_string_field()
 * applies the schema's rule for text that may not be UTF-8 (any byte a
 * buffer name may hold): invalid bytes become U+FFFD and the exact bytes
 * go, hex-encoded, into a sibling "<key>_hex" (docs/json-schema.md).
 *
 * Pretty documents are indented by two spaces, one member a line; plain
 * ones are one line (JSON Lines). The text is gathered in a small buffer
 * and handed to the FILE * a piece at a time (a call a field costs most
 * of a big document otherwise); closing the outermost object or array,
 * or jsonw_flush(), hands over the rest.
 */
#ifndef __DMABUFSTAT_REPORT_JSONW_H
#define __DMABUFSTAT_REPORT_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSONW_MAX_DEPTH 16
#define JSONW_BUF 16384

struct jsonw {
	FILE *f;
	size_t len;		/* bytes waiting in buf */
	char buf[JSONW_BUF];
	bool pretty;
	unsigned int depth;
	bool after_name;	/* a name was written: its value comes next */
	bool has_member[JSONW_MAX_DEPTH];	/* the level has a first item */
};

void jsonw_init(struct jsonw *w, FILE *f, bool pretty);
/* Hands what is buffered to the FILE *. */
void jsonw_flush(struct jsonw *w);

void jsonw_start_object(struct jsonw *w);
void jsonw_end_object(struct jsonw *w);
void jsonw_start_array(struct jsonw *w);
void jsonw_end_array(struct jsonw *w);
/* A member's name (in an object); its value follows. */
void jsonw_name(struct jsonw *w, const char *name);

/* Values (in an array, or after jsonw_name()). */
void jsonw_string(struct jsonw *w, const char *s);	/* escaped as is */
void jsonw_uint(struct jsonw *w, uint64_t v);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
/* A number already in JSON's syntax ("0.5"). */
void jsonw_number_text(struct jsonw *w, const char *text);

/* name: value members. */
void jsonw_uint_field(struct jsonw *w, const char *name, uint64_t v);
void jsonw_int_field(struct jsonw *w, const char *name, int64_t v);
void jsonw_bool_field(struct jsonw *w, const char *name, bool v);
/*
 * name: s, made valid UTF-8 (U+FFFD for each invalid byte), and
 * "name_hex": its exact bytes when it was not valid.
 */
void jsonw_string_field(struct jsonw *w, const char *name, const char *s);
/* The same for a list of strings: "name_hex" lists every item's hex. */
void jsonw_strings_field(struct jsonw *w, const char *name,
			 const char *const *v, size_t n);

#endif /* __DMABUFSTAT_REPORT_JSONW_H */
