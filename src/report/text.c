// SPDX-License-Identifier: GPL-2.0
/* Sizes, escapes, display widths, hex and CSV fields (see text.h). */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "text.h"
#include "utf8.h"

static bool utf8_locale;

void rep_locale_init(void)
{
	setlocale(LC_CTYPE, "");
	utf8_locale = !strcmp(nl_langinfo(CODESET), "UTF-8");
}

bool rep_locale_utf8(void)
{
	return utf8_locale;
}

const char rep_hex_digits[16] = "0123456789abcdef";

size_t rep_u64(char *buf, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

size_t rep_i64(char *buf, int64_t v)
{
	if (v >= 0)
		return rep_u64(buf, v);
	buf[0] = '-';
	return 1 + rep_u64(buf + 1, -(uint64_t)v);
}

size_t rep_size(char *buf, uint64_t v, bool bytes)
{
	static const char units[] = "BKMGTPE";
	/*
	 * The last texts made, by value: a table of buffers has few distinct
	 * sizes, and the floating-point printf is most of a big table's cost.
	 * Values >= 1024 only, so 0 marks a free slot.
	 */
	static struct {
		uint64_t v;
		char text[8];
		size_t len;
	} memo[64];
	double d = v;
	int u = 0, slot;

	if (bytes || v < 1024) {
		size_t n = rep_u64(buf, v);

		buf[n] = '\0';
		return n;
	}
	slot = (int)((v * 0x9e3779b97f4a7c15ULL) >> 58);
	if (memo[slot].v != v) {
		while (d >= 1024 && u < 6) {
			d /= 1024;
			u++;
		}
		memo[slot].len = snprintf(memo[slot].text,
					  sizeof(memo[slot].text),
					  d < 10 ? "%.1f%c" : "%.0f%c", d,
					  units[u]);
		memo[slot].v = v;
	}
	memcpy(buf, memo[slot].text, memo[slot].len + 1);
	return memo[slot].len;
}

size_t rep_signed_size(char *buf, int64_t v, bool bytes)
{
	if (!v) {
		memcpy(buf, "0", 2);
		return 1;
	}
	buf[0] = v < 0 ? '-' : '+';
	return 1 + rep_size(buf + 1, v < 0 ? -(uint64_t)v : (uint64_t)v,
			    bytes);
}

/* The code point of a valid sequence of n bytes. */
static wchar_t decode(const unsigned char *s, size_t n)
{
	static const unsigned char mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	wchar_t cp = s[0] & mask[n];
	size_t i;

	for (i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

/* Columns of a printable character, or -1 for one to escape. */
static int char_width(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] >= 0x20 && s[0] < 0x7f ? 1 : -1;
	if (!utf8_locale)
		return -1;
	return wcwidth(decode(s, n));
}

size_t rep_escape(char *out, size_t len, const char *str, size_t *width)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t off = 0, w = 0, n, i;
	char esc[8];
	int cw;

	if (!len)
		return 0;
	for (; *s; s += n) {
		size_t en;

		/* printable ASCII as it is: most names are */
		if (*s >= 0x20 && *s < 0x7f && *s != '\\') {
			if (off + 1 >= len)
				break;
			out[off++] = *s;
			w++;
			n = 1;
			continue;
		}
		n = utf8_seq(s);
		/* a backslash starts escapes: it is escaped itself */
		cw = n && *s != '\\' ? char_width(s, n) : -1;
		if (cw >= 0) {
			if (off + n >= len)
				break;
			memcpy(out + off, s, n);
			off += n;
			w += cw;
			continue;
		}
		/* escape the first byte only: what follows may print */
		n = 1;
		switch (*s) {
		case '\n':
			memcpy(esc, "\\n", en = 2);
			break;
		case '\t':
			memcpy(esc, "\\t", en = 2);
			break;
		case '\r':
			memcpy(esc, "\\r", en = 2);
			break;
		case '\\':
			memcpy(esc, "\\\\", en = 2);
			break;
		default:
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = rep_hex_digits[*s >> 4];
			esc[3] = rep_hex_digits[*s & 0xf];
			en = 4;
			break;
		}
		if (off + en >= len)
			break;
		for (i = 0; i < en; i++)
			out[off++] = esc[i];
		w += en;
	}
	out[off] = '\0';
	if (width)
		*width = w;
	return off;
}

size_t rep_width(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, w = 0, n;
	int cw;

	for (i = 0; i < len; i++)
		if (s[i] >= 0x80)
			break;
	if (i == len)
		return len;
	for (i = 0; i < len; i += n) {
		n = utf8_seq(s + i);
		if (!n)
			n = 1;
		cw = char_width(s + i, n);
		w += cw > 0 ? cw : 0;
	}
	return w;
}

size_t rep_cut(char *out, const char *str, size_t len, size_t *w,
	       size_t cols)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, used = 0, n;
	int cw;

	while (i < len) {
		n = utf8_seq(s + i);
		if (!n)
			n = 1;
		cw = char_width(s + i, n);
		if (cw < 0)
			cw = 0;
		if (used + cw > cols)
			break;
		used += cw;
		i += n;
	}
	memcpy(out, str, i);
	out[i] = '\0';
	*w = used;
	return i;
}

void rep_hex(char *out, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		out[2 * i] = rep_hex_digits[(unsigned char)s[i] >> 4];
		out[2 * i + 1] = rep_hex_digits[(unsigned char)s[i] & 0xf];
	}
	out[2 * i] = '\0';
}

void rep_csv_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

size_t rep_age(char *buf, size_t len, int64_t ns)
{
	uint64_t s = ns / 1000000000;
	int n;

	if (ns < 0)
		n = snprintf(buf, len, "?");
	else if (s < 60)
		n = snprintf(buf, len, "%us", (unsigned int)s);
	else if (s < 3600)
		n = snprintf(buf, len, "%um%02us", (unsigned int)(s / 60),
			     (unsigned int)(s % 60));
	else if (s < 86400)
		n = snprintf(buf, len, "%uh%02um", (unsigned int)(s / 3600),
			     (unsigned int)(s % 3600 / 60));
	else
		n = snprintf(buf, len, "%llud%02uh",
			     (unsigned long long)(s / 86400),
			     (unsigned int)(s % 86400 / 3600));
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}
