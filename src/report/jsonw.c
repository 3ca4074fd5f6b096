// SPDX-License-Identifier: GPL-2.0
/* A streaming JSON writer (see jsonw.h). */
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "text.h"
#include "utf8.h"

void jsonw_flush(struct jsonw *w)
{
	if (w->len)
		fwrite_unlocked(w->buf, 1, w->len, w->f);
	w->len = 0;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (w->len + n > sizeof(w->buf)) {
		jsonw_flush(w);
		if (n > sizeof(w->buf)) {
			fwrite_unlocked(s, 1, n, w->f);
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void putch(struct jsonw *w, char c)
{
	if (w->len == sizeof(w->buf))
		jsonw_flush(w);
	w->buf[w->len++] = c;
}

static void newline(struct jsonw *w)
{
	unsigned int i;

	putch(w, '\n');
	for (i = 0; i < w->depth; i++)
		put(w, "  ", 2);
}

/* Whether the current level has an item; deeper than the array: assume so. */
static bool *level(struct jsonw *w)
{
	static bool deep;

	deep = true;
	return w->depth <= JSONW_MAX_DEPTH ? &w->has_member[w->depth - 1] :
					     &deep;
}

/* Before a value or a name: the comma and the line break it needs. */
static void item(struct jsonw *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->depth && *level(w))
		putch(w, ',');
	if (w->depth)
		*level(w) = true;
	if (w->pretty && w->depth)
		newline(w);
}

void jsonw_init(struct jsonw *w, FILE *f, bool pretty)
{
	w->f = f;
	w->len = 0;
	w->depth = 0;
	w->after_name = false;
	w->pretty = pretty;
}

static void start(struct jsonw *w, char c)
{
	item(w);
	putch(w, c);
	if (w->depth < JSONW_MAX_DEPTH)
		w->has_member[w->depth] = false;
	w->depth++;
}

static void end(struct jsonw *w, char c)
{
	bool any = *level(w);

	w->depth--;
	if (w->pretty && any)
		newline(w);
	putch(w, c);
	if (!w->depth)
		jsonw_flush(w);	/* the document is whole */
}

void jsonw_start_object(struct jsonw *w)
{
	start(w, '{');
}

void jsonw_end_object(struct jsonw *w)
{
	end(w, '}');
}

void jsonw_start_array(struct jsonw *w)
{
	start(w, '[');
}

void jsonw_end_array(struct jsonw *w)
{
	end(w, ']');
}

/* s escaped per RFC 8259, quotes around; the bytes are not checked. */
static void quoted(struct jsonw *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *start = s;
	char u[6] = { '\\', 'u', '0', '0' };

	putch(w, '"');
	for (; *s; s++) {
		const char *esc;

		if (*s >= 0x20 && *s != '"' && *s != '\\')
			continue;
		put(w, (const char *)start, s - start);
		start = s + 1;
		switch (*s) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			u[4] = rep_hex_digits[*s >> 4];
			u[5] = rep_hex_digits[*s & 0xf];
			put(w, u, 6);
			continue;
		}
		put(w, esc, 2);
	}
	put(w, (const char *)start, s - start);
	putch(w, '"');
}

void jsonw_name(struct jsonw *w, const char *name)
{
	item(w);
	quoted(w, name);
	if (w->pretty)
		put(w, ": ", 2);
	else
		putch(w, ':');
	w->after_name = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	item(w);
	quoted(w, s ?: "");
}

void jsonw_uint(struct jsonw *w, uint64_t v)
{
	char buf[24];

	item(w);
	put(w, buf, rep_u64(buf, v));
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	char buf[24];

	item(w);
	put(w, buf, rep_i64(buf, v));
}

void jsonw_bool(struct jsonw *w, bool v)
{
	item(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jsonw_number_text(struct jsonw *w, const char *text)
{
	item(w);
	put(w, text, strlen(text));
}

void jsonw_uint_field(struct jsonw *w, const char *name, uint64_t v)
{
	jsonw_name(w, name);
	jsonw_uint(w, v);
}

void jsonw_int_field(struct jsonw *w, const char *name, int64_t v)
{
	jsonw_name(w, name);
	jsonw_int(w, v);
}

void jsonw_bool_field(struct jsonw *w, const char *name, bool v)
{
	jsonw_name(w, name);
	jsonw_bool(w, v);
}

/* s as a JSON string, invalid bytes as U+FFFD; false if there were any. */
static bool utf8_string(struct jsonw *w, const char *s)
{
	char stack[3 * 64 + 1], *clean;
	size_t len;

	s = s ?: "";
	if (utf8_valid(s)) {
		jsonw_string(w, s);
		return true;
	}
	len = strlen(s);
	clean = len < 64 ? stack : malloc(3 * len + 1);
	if (clean)
		utf8_clean(clean, s);
	jsonw_string(w, clean ?: "");
	if (clean != stack)
		free(clean);
	return false;
}

static void hex_string(struct jsonw *w, const char *s)
{
	char stack[2 * 64 + 1], *hex;
	size_t len = strlen(s);

	hex = len < 64 ? stack : malloc(2 * len + 1);
	if (hex)
		rep_hex(hex, s);
	jsonw_string(w, hex ?: "");
	if (hex != stack)
		free(hex);
}

static void hex_name(struct jsonw *w, const char *name)
{
	char key[96];

	snprintf(key, sizeof(key), "%s_hex", name);
	jsonw_name(w, key);
}

void jsonw_string_field(struct jsonw *w, const char *name, const char *s)
{
	jsonw_name(w, name);
	if (utf8_string(w, s))
		return;
	hex_name(w, name);
	hex_string(w, s);
}

void jsonw_strings_field(struct jsonw *w, const char *name,
			 const char *const *v, size_t n)
{
	bool valid = true;
	size_t i;

	jsonw_name(w, name);
	jsonw_start_array(w);
	for (i = 0; i < n; i++)
		valid &= utf8_string(w, v[i]);
	jsonw_end_array(w);
	if (valid)
		return;
	hex_name(w, name);
	jsonw_start_array(w);
	for (i = 0; i < n; i++)
		hex_string(w, v[i]);
	jsonw_end_array(w);
}
