// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: a line of /proc/<pid>/maps (parse_maps_line). */
#include <inttypes.h>

#include "fuzz.h"
#include "parse.h"

static void check_raw(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *line, *next;
	struct maps_dmabuf m1, m2;
	bool ok1, ok2;

	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		memset(&m1, 0, sizeof(m1));
		memset(&m2, 0, sizeof(m2));
		ok1 = parse_maps_line(line, &m1);
		ok2 = parse_maps_line(line, &m2);
		CHECK(ok1 == ok2 && !memcmp(&m1, &m2, sizeof(m1)),
		      "the same line parses the same");
		CHECK(!ok1 || strstr(line, "/dmabuf:"), "only dma-bufs");
		CHECK(terminated(m1.name, sizeof(m1.name)), "name");
		CHECK(m1.has_name || !m1.name[0], "a name only when set");
	}
	free(text);
}

/* A path as seq_file_path(..., "\n") prints it: '\n' as "\012". */
static void print_path(FILE *f, const char *path)
{
	for (; *path; path++)
		if (*path == '\n')
			fputs("\\012", f);
		else
			fputc(*path, f);
}

static void check_printed(const uint8_t *data, size_t size)
{
	struct values v = { data, size };
	uint64_t start = take(&v, 8), end = take(&v, 8), off = take(&v, 8);
	uint64_t ino = take(&v, 8);
	unsigned int kind = take(&v, 1) % 3;
	char name[DMABUFSTAT_BUFNAME_LEN], path[81];
	struct maps_dmabuf m;
	struct printed pr;
	int len;
	FILE *f;
	bool ok;

	take_str(&v, name, sizeof(name) - 1, "");
	take_str(&v, path, 80, "");
	/* only root can make /dmabuf:NAME, and its line reads as a dma-buf's */
	if (!strncmp(path, "dmabuf:", 7))
		path[0] = 'D';

	/* show_map_vma(): the fields, padded to column 73, then the path */
	f = print_start(&pr);
	len = fprintf(f, "%08" PRIx64 "-%08" PRIx64 " r%cs%c %08" PRIx64
		      " %02x:%02x %" PRIu64 " ", start, end,
		      take(&v, 1) & 1 ? 'w' : '-', '-', off, 0, 8, ino);
	fprintf(f, "%*s", len < 73 ? 73 - len : 0, "");
	if (kind == 0) {	/* a dma-buf: "/dmabuf:" and its name */
		fputs("/dmabuf:", f);
		print_path(f, name);
	} else if (kind == 1) {	/* a file whose path may say " /dmabuf:" */
		fputc('/', f);
		print_path(f, path);
	}			/* else anonymous */
	print_end(&pr);

	memset(&m, 0, sizeof(m));
	ok = parse_maps_line(pr.text, &m);
	if (ok != (kind == 0))
		fprintf(stderr, "line %s\n", quoted(pr.text));
	CHECK(ok == (kind == 0), "dma-bufs, and only them");
	if (ok) {
		CHECK(m.start == start && m.end == end && m.offset == off &&
		      m.ino == ino, "range, offset, inode");
		CHECK(m.has_name == !!name[0], "name set");
		/* a backslash is printed as is: "\012" in a name is ambiguous */
		if (!strchr(name, '\\'))
			CHECK(!strcmp(m.name, name), "name");
	}
	free(pr.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_raw(data, size);
	check_printed(data, size);
	return 0;
}
