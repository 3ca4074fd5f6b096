// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: a buffer's sysfs stats (parse_sysfs_buffer). */
#include <inttypes.h>

#include "fuzz.h"
#include "parse.h"

/* raw: the text of "size", a NUL, the text of "exporter_name" */
static void check_raw(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) + 1 : size;
	char *sz = fuzz_text(data, size), *exp = fuzz_text(data + n, size - n);
	struct dmabufstat_buffer b1, b2;
	size_t len = strlen(exp);

	memset(&b1, 0, sizeof(b1));
	memset(&b2, 0, sizeof(b2));
	parse_sysfs_buffer(sz, exp, &b1);
	parse_sysfs_buffer(sz, exp, &b2);
	CHECK(!memcmp(&b1, &b2, sizeof(b1)), "the same text parses the same");
	CHECK(terminated(b1.exporter, sizeof(b1.exporter)), "exporter");
	if (len && exp[len - 1] == '\n')
		len--;
	if (len >= sizeof(b1.exporter))
		len = sizeof(b1.exporter) - 1;
	CHECK(strlen(b1.exporter) == len && !memcmp(b1.exporter, exp, len),
	      "the exporter without its newline, cut to fit");
	free(sz);
	free(exp);
}

static void check_printed(const uint8_t *data, size_t size)
{
	struct values v = { data, size };
	uint64_t sz = take(&v, 8);
	char exporter[DMABUFSTAT_EXPORTER_LEN], text[32];
	struct dmabufstat_buffer b;
	struct printed pr;

	take_str(&v, exporter, sizeof(exporter) - 1, "\n");
	/* size_show() and exporter_name_show() */
	snprintf(text, sizeof(text), "%" PRIu64 "\n", sz);
	print_start(&pr);
	fprintf(pr.f, "%s\n", exporter);
	print_end(&pr);
	memset(&b, 0, sizeof(b));
	parse_sysfs_buffer(text, pr.text, &b);
	CHECK(b.size == sz, "size");
	CHECK(!strcmp(b.exporter, exporter), "exporter");
	free(pr.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_raw(data, size);
	check_printed(data, size);
	return 0;
}
