/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzz targets share. Each target feeds one parser of src/lib/parse.c
 * twice from one input:
 * - raw: the input as the text, with invariants that hold for any text
 *   (fields NUL-terminated within their size, counts bounded by the lines
 *   of the text, the same result when parsed twice);
 * - printed: the input read as values (numbers, names of any bytes) that
 *   the target prints the way the kernel does, and the parser must give
 *   back exactly, or as the parser's comment says where the kernel's
 *   format cannot tell (a name that holds a newline).
 * A broken invariant aborts with a message, which libFuzzer reports as a
 * crash and saves the input.
 */
#ifndef __DMABUFSTAT_FUZZ_H
#define __DMABUFSTAT_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond, what)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: broken: %s (%s)\n",	\
				__FILE__, __LINE__, what, #cond);	\
			abort();					\
		}							\
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a malloc'd NUL-terminated text (cut at its first NUL). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t len = nul ? (size_t)(nul - data) : size;
	char *text = malloc(len + 1);

	CHECK(text, "malloc");
	memcpy(text, data, len);
	text[len] = '\0';
	return text;
}

/* A char array of n bytes holds a NUL-terminated string. */
static inline bool terminated(const char *field, size_t n)
{
	return memchr(field, '\0', n) != NULL;
}

/* s in C's quotes for a message (a static buffer: one per call site). */
static inline const char *quoted_in(char *buf, size_t size, const char *s)
{
	size_t n = 0;

	buf[n++] = '"';
	for (; *s && n + 6 < size; s++)
		n += snprintf(buf + n, size - n,
			      *s >= ' ' && *s < 127 && *s != '"' && *s != '\\' ?
			      "%c" : "\\%03o", (unsigned char)*s);
	buf[n++] = '"';
	buf[n] = '\0';
	return buf;
}
#define quoted(s) ({ static char __q[256]; quoted_in(__q, sizeof(__q), s); })

/* Lines of a text: newlines + 1. */
static inline size_t nr_lines(const char *text)
{
	size_t n = 1;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* The input read as values, for the printed half. */
struct values {
	const uint8_t *p;
	size_t left;
};

/* Up to 8 bytes as a number (0 when the input has run out). */
static inline uint64_t take(struct values *v, unsigned int bytes)
{
	uint64_t x = 0;

	while (bytes-- && v->left) {
		x = x << 8 | *v->p++;
		v->left--;
	}
	return x;
}

/*
 * A string of at most max bytes (its length from the input), none of them
 * NUL or in forbid, into dst (max + 1 bytes); bytes in forbid become 'x'.
 */
static inline void take_str(struct values *v, char *dst, size_t max,
			    const char *forbid)
{
	size_t len = take(v, 1) % (max + 1), i;

	for (i = 0; i < len && v->left; i++) {
		dst[i] = (char)take(v, 1);
		if (!dst[i] || strchr(forbid, dst[i]))
			dst[i] = 'x';
	}
	dst[i] = '\0';
}

/* A text printed into memory: open with open_memstream, ended by fclose. */
struct printed {
	char *text;
	size_t len;
	FILE *f;
};

static inline FILE *print_start(struct printed *pr)
{
	pr->f = open_memstream(&pr->text, &pr->len);
	CHECK(pr->f, "open_memstream");
	return pr->f;
}

static inline void print_end(struct printed *pr)
{
	CHECK(!fclose(pr->f), "fclose");
}

#endif /* __DMABUFSTAT_FUZZ_H */
