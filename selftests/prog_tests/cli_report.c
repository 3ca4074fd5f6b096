// SPDX-License-Identifier: GPL-2.0
/*
 * The report layer both tools print through (src/report), on its own: the
 * one size format, the escaping and display-width rule for names, the JSON
 * writer's strings (RFC 8259, U+FFFD and <key>_hex only when not UTF-8)
 * and the sort rule (ids ascending, other numbers largest first, names
 * naturally, ties by id, reverse). Runs anywhere: no snapshot needed.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_progs.h"
#include "report/jsonw.h"
#include "report/table.h"
#include "report/text.h"

static void subtest_sizes(void)
{
	static const struct {
		uint64_t v;
		const char *text;
	} cases[] = {
		{ 0, "0" }, { 1023, "1023" }, { 1024, "1.0K" },
		{ 1536, "1.5K" }, { 10 * 1024, "10K" }, { 4 << 20, "4.0M" },
		{ 1023ULL << 20, "1023M" }, { 3ULL << 30, "3.0G" },
		{ 5ULL << 40, "5.0T" },
	};
	char buf[REP_SIZE_LEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rep_size(buf, cases[i].v, false);
		ASSERT_STREQ(buf, cases[i].text, "size");
		ASSERT_LE(strlen(buf), 5, "at most 5 characters");
		rep_size(buf, cases[i].v, true);
		ASSERT_EQ(strtoull(buf, NULL, 10), cases[i].v, "--bytes: exact");
	}
	rep_signed_size(buf, -1536, false);
	ASSERT_STREQ(buf, "-1.5K", "negative");
	rep_signed_size(buf, 2048, false);
	ASSERT_STREQ(buf, "+2.0K", "positive");
	rep_signed_size(buf, 0, false);
	ASSERT_STREQ(buf, "0", "zero");
}

static void subtest_escapes(void)
{
	/* katakana: 3 bytes, 2 columns each */
	static const char kana[] = "\xe3\x82\xab\xe3\x83\xa1-x";
	char out[256];
	size_t w, n;

	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		test__skip_reason("no C.UTF-8 locale here");
		return;
	}
	setenv("LC_ALL", "C.UTF-8", 1);
	rep_locale_init();
	n = rep_escape(out, sizeof(out), kana, &w);
	ASSERT_STREQ(out, kana, "valid UTF-8 as it is");
	ASSERT_EQ(n, strlen(kana), "its bytes");
	ASSERT_EQ(w, 6, "its display width");
	ASSERT_EQ(rep_width(out, n), 6, "width of the escaped text");
	rep_escape(out, sizeof(out), "a\nb\t\\\xff\xc3", &w);
	ASSERT_STREQ(out, "a\\nb\\t\\\\\\xff\\xc3", "control, backslash, invalid");
	ASSERT_EQ(w, strlen(out), "escapes are as wide as long");
	n = rep_cut(out, kana, strlen(kana), &w, 3);
	ASSERT_EQ(w, 2, "cut at a character: 2 of 3 columns");
	ASSERT_EQ(n, 3, "one character");
	setenv("LC_ALL", "C", 1);
	rep_locale_init();
	rep_escape(out, sizeof(out), kana, &w);
	ASSERT_STREQ(out, "\\xe3\\x82\\xab\\xe3\\x83\\xa1-x",
		     "not a UTF-8 locale: escaped");
	unsetenv("LC_ALL");
	setlocale(LC_CTYPE, "C");
}

static void subtest_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	struct jsonw w;
	FILE *f = open_memstream(&buf, &len);

	if (!ASSERT_OK_PTR(f, "memstream"))
		return;
	jsonw_init(&w, f, false);
	jsonw_start_object(&w);
	jsonw_string_field(&w, "name", "a/b\"c\\\n\x01");
	jsonw_string_field(&w, "bad", "x\xffy");
	jsonw_uint_field(&w, "n", 18446744073709551615ULL);
	jsonw_int_field(&w, "i", -5);
	jsonw_name(&w, "list");
	jsonw_start_array(&w);
	jsonw_uint(&w, 1);
	jsonw_uint(&w, 2);
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	fclose(f);
	ASSERT_STREQ(buf, "{\"name\":\"a/b\\\"c\\\\\\n\\u0001\","
		     "\"bad\":\"x\xef\xbf\xbdy\",\"bad_hex\":\"78ff79\","
		     "\"n\":18446744073709551615,\"i\":-5,\"list\":[1,2]}",
		     "RFC 8259, U+FFFD and _hex only when invalid");
	free(buf);
}

/* Sorts a buffers table of (ino, size, name) rows; inos in order. */
static void sorted(const char *key, bool reverse, char *out, size_t len)
{
	static const struct {
		uint64_t ino, size;
		const char *name;
	} rows[] = {
		{ 30, 4096, "leak-10" }, { 10, 4096, "leak-2" },
		{ 20, 8192, "big" }, { 5, 4096, "leak-1" },
	};
	struct rep_table t;
	size_t i, off = 0;

	rep_table_init(&t, REP_BUFFERS, NULL);
	for (i = 0; i < 4; i++) {
		struct rep_row *r = rep_row_add(&t, i);
		union rep_cell *c;

		if (!ASSERT_OK_PTR(r, "row"))
			break;
		c = rep_cells(&t, r);
		c[rep_sort_col(&t, "ino")].u = rows[i].ino;
		c[rep_sort_col(&t, "size")].u = rows[i].size;
		c[rep_sort_col(&t, "name")].s = rows[i].name;
	}
	rep_sort(&t, rep_sort_col(&t, key), reverse);
	out[0] = '\0';
	for (i = 0; i < t.nr; i++)
		off += snprintf(out + off, len - off, "%s%lu", i ? " " : "",
				(unsigned long)rep_cells(&t, &t.rows[i])[0].u);
	rep_table_free(&t);
}

static void subtest_sort(void)
{
	char got[64];

	sorted("ino", false, got, sizeof(got));
	ASSERT_STREQ(got, "5 10 20 30", "ids ascending");
	sorted("ino", true, got, sizeof(got));
	ASSERT_STREQ(got, "30 20 10 5", "reversed");
	sorted("size", false, got, sizeof(got));
	ASSERT_STREQ(got, "20 5 10 30", "largest first, ties by id");
	sorted("size", true, got, sizeof(got));
	ASSERT_STREQ(got, "5 10 30 20", "reversed, ties still by id");
	sorted("name", false, got, sizeof(got));
	ASSERT_STREQ(got, "20 5 10 30", "names naturally: big leak-1 leak-2 leak-10");
}

void test_cli_report(void)
{
	if (test__start_subtest("sizes"))
		subtest_sizes();
	if (test__start_subtest("escapes"))
		subtest_escapes();
	if (test__start_subtest("json"))
		subtest_json();
	if (test__start_subtest("sort"))
		subtest_sort();
}
