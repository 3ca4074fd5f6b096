// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the v2 path in /proc/<pid>/cgroup (parse_cgroup_v2). */
#include "fuzz.h"
#include "parse.h"

static void check_raw(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	size_t len1 = 0, len2 = 0;
	const char *p1 = parse_cgroup_v2(text, &len1);
	const char *p2 = parse_cgroup_v2(text, &len2);

	CHECK(p1 == p2 && len1 == len2, "the same text parses the same");
	if (p1) {
		CHECK(p1 >= text + 3 && len1 <= strlen(p1), "inside the text");
		CHECK(!memcmp(p1 - 3, "0::", 3) &&
		      (p1 - 3 == text || p1[-4] == '\n'), "a 0:: line");
		CHECK(!memchr(p1, '\n', len1) &&
		      (p1[len1] == '\n' || !p1[len1]), "up to its newline");
	}
	free(text);
}

static void check_printed(const uint8_t *data, size_t size)
{
	struct values v = { data, size };
	unsigned int v1 = take(&v, 1) % 4, i;
	char path[81], v1path[81];
	const char *p;
	struct printed pr;
	size_t len;
	FILE *f;

	take_str(&v, path, 80, "\n");
	/* proc_cgroup_show(): v1 hierarchies first, then "0::PATH" */
	f = print_start(&pr);
	for (i = 0; i < v1; i++) {
		take_str(&v, v1path, 80, "\n");
		fprintf(f, "%u:cpu,cpuacct:/%s\n", 10 - i, v1path);
	}
	fprintf(f, "0::/%s\n", path);
	print_end(&pr);
	p = parse_cgroup_v2(pr.text, &len);
	CHECK(p && len == strlen(path) + 1 && p[0] == '/' &&
	      !memcmp(p + 1, path, len - 1), "the v2 path");
	free(pr.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_raw(data, size);
	check_printed(data, size);
	return 0;
}
