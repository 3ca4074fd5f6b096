// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: debugfs dma_buf/bufinfo (parse_bufinfo). */
#include <errno.h>
#include <inttypes.h>

#include "fuzz.h"
#include "parse.h"

#define MAX_BUFS	4
#define MAX_ATTACH	(DMABUFSTAT_ATTACH_NAMES + 2)

static int parse(const uint8_t *data, size_t size, struct collect *c)
{
	char *text = fuzz_text(data, size);
	int err;

	memset(c, 0, sizeof(*c));
	err = parse_bufinfo(text, c);
	free(text);
	return err;
}

static void check_raw(const uint8_t *data, size_t size)
{
	struct collect c1, c2;
	size_t i, j, lines, attached = 0;
	char *text = fuzz_text(data, size);
	int err1, err2;

	lines = nr_lines(text);
	free(text);
	err1 = parse(data, size, &c1);
	err2 = parse(data, size, &c2);
	CHECK(!err1 || err1 == -EPROTO, "0 or -EPROTO");
	CHECK(err1 == err2 && c1.nr_bufs == c2.nr_bufs &&
	      (!c1.nr_bufs || !memcmp(c1.bufs, c2.bufs,
				      c1.nr_bufs * sizeof(*c1.bufs))),
	      "the same text parses the same");
	CHECK(c1.nr_bufs <= lines, "at most a buffer a line");
	for (i = 0; i < c1.nr_bufs; i++) {
		const struct dmabufstat_buffer *b = &c1.bufs[i];

		CHECK(terminated(b->exporter, sizeof(b->exporter)) &&
		      !strpbrk(b->exporter, "\t\n"), "exporter");
		CHECK(terminated(b->name, sizeof(b->name)), "name");
		CHECK((b->flags & DMABUFSTAT_BUF_HAS_NAME) || !b->name[0],
		      "a name only when set");
		CHECK(b->nr_attach_names == (b->nr_attach < DMABUFSTAT_ATTACH_NAMES ?
		      b->nr_attach : DMABUFSTAT_ATTACH_NAMES), "names kept");
		CHECK(!!(b->flags & DMABUFSTAT_BUF_NAMES_TRUNC) ==
		      (b->nr_attach > DMABUFSTAT_ATTACH_NAMES), "truncation flag");
		for (j = 0; j < b->nr_attach_names; j++)
			CHECK(terminated(b->attach[j], sizeof(b->attach[j])) &&
			      !strchr(b->attach[j], '\n'), "device name");
		attached += b->nr_attach;
	}
	CHECK(attached <= lines, "at most a device a line");
	collect_free(&c1);
	collect_free(&c2);
}

struct want {
	uint64_t size, ino;
	int32_t count;
	bool named;
	char exporter[41], name[DMABUFSTAT_BUFNAME_LEN];
	char fences;
	unsigned int nr_attach;
	char attach[MAX_ATTACH][41];
};

/*
 * What the parser reads back of a name: its first line, then its other
 * lines except those that start with a tab (they look like the fences
 * that follow), up to a line "\tAttached Devices:" (from there the name
 * looks like the buffer's attachments, which the real header restarts).
 * What reads back as "<none>" reads as no name. True if named.
 */
static bool name_read_back(const struct want *w, char *out)
{
	const char *line = w->name, *nl;
	size_t n = 0, len;

	out[0] = '\0';
	if (!w->named)
		return false;
	for (;;) {
		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (line != w->name && len == 18 &&
		    !memcmp(line, "\tAttached Devices:", 18))
			break;
		if (line == w->name || line[0] != '\t') {
			if (line != w->name)
				out[n++] = '\n';
			memcpy(out + n, line, len);
			n += len;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	out[n] = '\0';
	if (strcmp(out, "<none>"))
		return true;
	out[0] = '\0';
	return false;
}

static void check_printed(const uint8_t *data, size_t size)
{
	struct values v = { data, size };
	struct want want[MAX_BUFS], *w;
	size_t nr = take(&v, 1) % (MAX_BUFS + 1), i, j;
	char name[DMABUFSTAT_BUFNAME_LEN], dev[DMABUFSTAT_DEVNAME_LEN];
	struct printed pr;
	struct collect c;
	uint64_t total = 0;
	bool named;
	FILE *f;
	int err;

	memset(want, 0, sizeof(want));
	for (i = 0; i < nr; i++) {
		w = &want[i];
		w->size = take(&v, 8);
		w->ino = take(&v, 8);
		w->count = (int32_t)take(&v, 4);
		take_str(&v, w->exporter, 40, "\t\n");
		w->named = take(&v, 1) & 1;
		take_str(&v, w->name, DMABUFSTAT_BUFNAME_LEN - 1, "");
		w->fences = take(&v, 1) % 3;
		w->nr_attach = take(&v, 1) % (MAX_ATTACH + 1);
		for (j = 0; j < w->nr_attach; j++) {
			take_str(&v, w->attach[j], 40, "\n");
			if (!strcmp(w->attach[j], "Attached Devices:"))
				w->attach[j][0] = 'x';	/* no device is */
		}
	}

	/* as dma_buf_debug_show() prints it */
	f = print_start(&pr);
	fprintf(f, "\nDma-buf Objects:\n");
	fprintf(f, "%-8s\t%-8s\t%-8s\t%-8s\texp_name\t%-8s\tname\n",
		"size", "flags", "mode", "count", "ino");
	for (i = 0; i < nr; i++) {
		w = &want[i];
		fprintf(f, "%08" PRIu64 "\t%08x\t%08x\t%08" PRId32 "\t%s\t%08"
			PRIu64 "\t%s\n", w->size, 2, 0x80007, w->count,
			w->exporter, w->ino, w->named ? w->name : "<none>");
		for (j = 0; j < (size_t)w->fences; j++)
			fprintf(f, "\t%s fence: udmabuf unbound seq %zu signalled\n",
				j ? "read" : "write", j);
		fprintf(f, "\tAttached Devices:\n");
		for (j = 0; j < w->nr_attach; j++)
			fprintf(f, "\t%s\n", w->attach[j]);
		fprintf(f, "Total %u devices attached\n\n", w->nr_attach);
		total += w->size;
	}
	fprintf(f, "\nTotal %zu objects, %" PRIu64 " bytes\n", nr, total);
	print_end(&pr);

	memset(&c, 0, sizeof(c));
	err = parse_bufinfo(pr.text, &c);
	CHECK(!err, "the kernel's text parses");
	CHECK(c.nr_bufs == nr, "every buffer, no other");
	for (i = 0; i < nr; i++) {
		const struct dmabufstat_buffer *b = &c.bufs[i];

		w = &want[i];
		CHECK(b->size == w->size && b->ino == w->ino &&
		      b->file_count == w->count, "size, ino, count");
		CHECK(!strcmp(b->exporter, w->exporter), "exporter");
		named = name_read_back(w, name);
		if (strcmp(b->name, name))
			fprintf(stderr, "name %s, read back %s, wanted %s\n",
				quoted(w->name), quoted(b->name), quoted(name));
		CHECK(!strcmp(b->name, name), "name");
		CHECK(!!(b->flags & DMABUFSTAT_BUF_HAS_NAME) == named,
		      "name set");
		CHECK(b->nr_attach == w->nr_attach, "attachments");
		for (j = 0; j < b->nr_attach_names; j++) {
			snprintf(dev, sizeof(dev), "%s", w->attach[j]);
			CHECK(!strcmp(b->attach[j], dev), "device name");
		}
	}
	collect_free(&c);
	free(pr.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_raw(data, size);
	check_printed(data, size);
	return 0;
}
