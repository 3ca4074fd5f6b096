// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: /proc/<pid>/fdinfo/<fd> of a dma-buf (parse_fdinfo). */
#include <inttypes.h>

#include "fuzz.h"
#include "parse.h"

struct parsed {
	struct raw_ref r;
	struct ref_buf b;
};

static bool parse(const uint8_t *data, size_t size, struct parsed *p)
{
	char *text = fuzz_text(data, size);
	bool ok;

	memset(p, 0, sizeof(*p));
	ok = parse_fdinfo(text, &p->r, &p->b);
	free(text);
	return ok;
}

static void check_raw(const uint8_t *data, size_t size)
{
	struct parsed p1, p2;
	bool ok1 = parse(data, size, &p1), ok2 = parse(data, size, &p2);
	const struct ref_buf *b = &p1.b;

	CHECK(ok1 == ok2 && !memcmp(&p1, &p2, sizeof(p1)),
	      "the same text parses the same");
	CHECK(terminated(b->exporter, sizeof(b->exporter)) &&
	      !strchr(b->exporter, '\n'), "exporter");
	CHECK(terminated(b->name, sizeof(b->name)), "name");
	CHECK((b->flags & DMABUFSTAT_BUF_HAS_NAME) || !b->name[0],
	      "a name only when set");
	CHECK(p1.r.ref.ino == b->ino, "the reference's buffer");
	CHECK(!ok1 || b->ino, "a dma-buf has an inode");
}

/*
 * What the parser reads back of a name: all of it (it is the last field),
 * up to a line that starts with "lock:" (file locks are printed after it).
 */
static void name_read_back(const char *name, char *out, size_t size)
{
	const char *lock = strstr(name, "\nlock:");
	size_t len = lock ? (size_t)(lock - name) : strlen(name);

	snprintf(out, size, "%.*s", (int)len, name);
}

static void check_printed(const uint8_t *data, size_t size)
{
	struct values v = { data, size };
	uint64_t ino = take(&v, 8), sz = take(&v, 8);
	uint32_t flags = take(&v, 4);
	int32_t count = (int32_t)take(&v, 4);
	char exporter[81], name[DMABUFSTAT_BUFNAME_LEN], back[64];
	bool named, ok;
	unsigned int locks, i;
	struct printed pr;
	struct raw_ref r;
	struct ref_buf d;
	FILE *f;

	take_str(&v, exporter, 80, "\n");
	named = take(&v, 1) & 1;
	take_str(&v, name, sizeof(name) - 1, "");
	locks = take(&v, 1) % 3;

	/* seq_show() in fs/proc/fd.c, dma_buf_show_fdinfo(), then locks */
	f = print_start(&pr);
	fprintf(f, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%" PRIu64 "\n",
		(long long)take(&v, 8), flags, 9, ino);
	fprintf(f, "size:\t%" PRIu64 "\ncount:\t%" PRId32 "\nexp_name:\t%s\n",
		sz, count, exporter);
	if (named)
		fprintf(f, "name:\t%s\n", name);
	for (i = 0; i < locks; i++)
		fprintf(f, "lock:\t%u: FLOCK  ADVISORY  WRITE 42 00:0f:%" PRIu64
			" 0 EOF\n", i + 1, ino);
	print_end(&pr);

	memset(&r, 0, sizeof(r));
	memset(&d, 0, sizeof(d));
	ok = parse_fdinfo(pr.text, &r, &d);
	CHECK(ok == !!ino, "a dma-buf, when it has an inode");
	CHECK(r.ref.ino == ino && d.ino == ino, "ino");
	CHECK(r.ref.f_flags == flags, "flags");
	CHECK(d.size == sz && d.file_count == count, "size, count");
	snprintf(back, sizeof(back), "%s", exporter);
	CHECK(!strcmp(d.exporter, back), "exporter");
	CHECK(!!(d.flags & DMABUFSTAT_BUF_HAS_NAME) == named, "name set");
	name_read_back(named ? name : "", back, sizeof(d.name));
	if (strcmp(d.name, back))
		fprintf(stderr, "name %s, read back %s\n", quoted(name),
			quoted(d.name));
	CHECK(!strcmp(d.name, back), "name");
	free(pr.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_raw(data, size);
	check_printed(data, size);
	return 0;
}
