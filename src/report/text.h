/* SPDX-License-Identifier: GPL-2.0 */
/*
 * text: how both tools print a size, a name and a field, whatever the
 * output.
 *
 * Sizes (tables, the full screen, headers): bytes below 1024 as a plain
 * number; above, binary multiples with one letter, K M G T P E (1024,
 * 1024^2, ...), one decimal below 10 ("4.0K", "1.5M") and none above
 * ("16M", "512K"); never wider than 5 characters, so that an 80-column
 * screen keeps its columns. --bytes prints exact byte counts instead. JSON
 * and CSV always carry bytes.
 *
 * Names (any byte but NUL) in tables and on the screen: valid UTF-8 is
 * shown as it is when the locale's character set is UTF-8, and padded by
 * its display width (wcwidth()); control characters and bytes that are not
 * UTF-8 (and, under a locale that is not UTF-8, every byte above 0x7e) are
 * escaped C-style: \n \t \r \\ and \xNN.
 *
 * JSON strings: RFC 8259 escapes, '/' left alone; a string that is not
 * valid UTF-8 has each such byte replaced by U+FFFD and its exact bytes in
 * a sibling "<key>_hex" (jsonw.h). CSV: RFC 4180 quoting, raw bytes.
 */
#ifndef __DMABUFSTAT_REPORT_TEXT_H
#define __DMABUFSTAT_REPORT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest text of rep_size() and rep_signed_size(), NUL included. */
#define REP_SIZE_LEN	24

/*
 * Picks up the locale's character set (setlocale(LC_CTYPE, "")); call once
 * at start. Widths are measured with a UTF-8 locale (C.UTF-8) when the
 * user's is not, so that escaped text still lines up.
 */
void rep_locale_init(void);
/* Is the user's character set UTF-8 (names printed as they are)? */
bool rep_locale_utf8(void);

/* The decimal digits of v at buf, no NUL; returns how many (at most 20). */
size_t rep_u64(char *buf, uint64_t v);
/* The same for a signed value ('-' first when negative). */
size_t rep_i64(char *buf, int64_t v);

/* A size in the format above (exact when bytes); returns its length. */
size_t rep_size(char *buf, uint64_t v, bool bytes);
/* A signed size: "0", "+4.0K", "-1.5M" (exact with bytes). */
size_t rep_signed_size(char *buf, int64_t v, bool bytes);
/* A duration in ns as 45s, 3m12s, 2h05m or 3d04h; '?' when negative. */
size_t rep_age(char *buf, size_t len, int64_t ns);

/*
 * s escaped for a table or the screen (the rule above) at out, which holds
 * len bytes (at most len - 1 written, cut at a character); returns the
 * length written and its display width in *width (may be NULL).
 */
size_t rep_escape(char *out, size_t len, const char *s, size_t *width);

/* Display width of already escaped text (as rep_escape() returns it). */
size_t rep_width(const char *s, size_t n);

/*
 * Copies s (escaped text of display width w) into out cut to at most cols
 * columns; returns the bytes copied and sets *w to their width.
 */
size_t rep_cut(char *out, const char *s, size_t n, size_t *w, size_t cols);

/* "0123456789abcdef" */
extern const char rep_hex_digits[16];

/* Lower-case hex of s's bytes at out (2 * strlen(s) + 1 bytes). */
void rep_hex(char *out, const char *s);

/* One CSV field, always quoted, '"' doubled, bytes kept as they are. */
void rep_csv_quoted(FILE *f, const char *s);

#endif /* __DMABUFSTAT_REPORT_TEXT_H */
