// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the decoder of the BPF iterators' binary record streams
 * (src/lib/sources/records.c, docs/record-format.md), the only input of the
 * library that comes from the kernel as bytes rather than text.
 *
 * - raw: the input as a stream of each kind (buffers, fds, mappings): it is
 *   decoded or refused, never read past (ASan), and decoding it whole or fed
 *   in pieces of any size, the rest of a cut record kept for the next piece
 *   as sources/bpf_common.c does, gives the same result;
 * - printed: the input read as values that become a well-formed buffers
 *   stream (a HEAD, then BUF records of any strings and counts), which must
 *   decode to exactly those values.
 */
#include <errno.h>

#include "fuzz.h"
#include "internal.h"
#include "collect.h"
#include "sources/records.h"

static struct dmabufstat ds;	/* the error it sets is all that is used */

struct outcome {
	int err;
	size_t nr_bufs, nr_refs;
};

static struct outcome decode_whole(enum dmabufstat_stream s,
				   const uint8_t *data, size_t size)
{
	struct collect c = {};
	struct outcome o;

	o.err = rec_decode(&ds, s, (const char *)data, size, &c);
	o.nr_bufs = c.nr_bufs;
	o.nr_refs = c.nr_refs;
	for (size_t i = 0; !o.err && i < c.nr_bufs; i++) {
		const struct dmabufstat_buffer *b = &c.bufs[i];

		CHECK(terminated(b->exporter, sizeof(b->exporter)) &&
		      terminated(b->name, sizeof(b->name)) &&
		      terminated(b->driver, sizeof(b->driver)),
		      "strings end within their fields");
		CHECK(b->ino && b->nr_attach_names <= DMABUFSTAT_MAX_ATTACH_NAMES,
		      "inode and device names in bounds");
	}
	CHECK(!o.err || o.err == -EPROTO || o.err == -ENOMEM,
	      "refused as a bad stream");
	collect_free(&c);
	return o;
}

/* Fed in pieces of `step` bytes, as a reader of a seq_file gets them. */
static struct outcome decode_pieces(enum dmabufstat_stream s,
				    const uint8_t *data, size_t size,
				    size_t step)
{
	struct collect c = {};
	struct rec_reader rd;
	struct outcome o = {};
	char *buf = malloc(size + 1);
	size_t have = 0, off = 0;
	long used;

	CHECK(buf, "memory");
	rec_reader_init(&rd, &ds, s, &c);
	for (;;) {
		size_t n = size - off < step ? size - off : step;

		if (!n) {
			o.err = rec_reader_end(&rd, buf, have);
			break;
		}
		memcpy(buf + have, data + off, n);
		off += n;
		have += n;
		used = rec_reader_feed(&rd, buf, have);
		if (used < 0) {
			o.err = used;
			break;
		}
		CHECK((size_t)used <= have, "never uses more than it was given");
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	o.nr_bufs = c.nr_bufs;
	o.nr_refs = c.nr_refs;
	rec_reader_free(&rd);
	collect_free(&c);
	free(buf);
	return o;
}

static void check_raw(const uint8_t *data, size_t size)
{
	static const enum dmabufstat_stream kinds[] = {
		DMABUFSTAT_STREAM_BUFS, DMABUFSTAT_STREAM_FDS,
		DMABUFSTAT_STREAM_VMAS,
	};
	size_t step = size ? 1 + data[size - 1] % 97 : 1;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct outcome w = decode_whole(kinds[k], data, size);
		struct outcome p = decode_pieces(kinds[k], data, size, step);

		CHECK(!w.err == !p.err, "refused whole and in pieces alike");
		if (!w.err)
			CHECK(w.nr_bufs == p.nr_bufs && w.nr_refs == p.nr_refs,
			      "the same records whole and in pieces");
	}
}

static size_t put(uint8_t *out, size_t at, const void *p, size_t len)
{
	memcpy(out + at, p, len);
	return at + len;
}

#define MAX_PRINTED	8

static void check_printed(const uint8_t *data, size_t size)
{
	struct values v = { data, size };
	struct dmabufstat_head_rec head = {
		.hdr = { DMABUFSTAT_REC_HEAD, sizeof(head) },
		.magic = DMABUFSTAT_MAGIC, .version = DMABUFSTAT_REC_VERSION,
		.stream = DMABUFSTAT_STREAM_BUFS,
	};
	struct dmabufstat_buf_rec want[MAX_PRINTED];
	char exp[MAX_PRINTED][DMABUFSTAT_EXP_LEN];
	char dev[MAX_PRINTED][DMABUFSTAT_DEV_LEN];
	unsigned int nr = take(&v, 1) % (MAX_PRINTED + 1);
	uint8_t *stream = calloc(1, sizeof(head) + nr * DMABUFSTAT_REC_MAX);
	struct collect c = {};
	size_t at;
	int err;

	CHECK(stream, "memory");
	at = put(stream, 0, &head, sizeof(head));
	for (unsigned int i = 0; i < nr; i++) {
		struct dmabufstat_buf_rec *r = &want[i];
		size_t start = at;
		uint8_t n;

		memset(r, 0, sizeof(*r));
		r->hdr.type = DMABUFSTAT_REC_BUF;
		r->ino = take(&v, 8) | 1;
		r->size = take(&v, 8);
		r->file_count = (int64_t)take(&v, 8);
		r->vmap_count = take(&v, 4);
		r->nr_attach = take(&v, 2);
		r->nr_attach_names = r->nr_attach ? take(&v, 1) % 2 : 0;
		take_str(&v, exp[i], DMABUFSTAT_EXP_LEN - 1, "");
		take_str(&v, dev[i], DMABUFSTAT_DEV_LEN - 1, "");
		r->desc.exp_len = strlen(exp[i]);
		at += sizeof(*r);
		at = put(stream, at, exp[i], r->desc.exp_len);
		if (r->nr_attach_names) {
			n = strlen(dev[i]);
			at = put(stream, at, &n, 1);
			at = put(stream, at, dev[i], n);
		}
		at = (at + 7) & ~(size_t)7;
		r->hdr.size = at - start;
		memcpy(stream + start, r, sizeof(*r));
	}

	err = rec_decode(&ds, DMABUFSTAT_STREAM_BUFS, (const char *)stream, at,
			 &c);
	CHECK(!err, "a well-formed stream decodes");
	CHECK(c.nr_bufs == nr, "every buffer");
	for (unsigned int i = 0; !err && i < nr; i++) {
		const struct dmabufstat_buffer *b = &c.bufs[i];

		CHECK(b->ino == want[i].ino && b->size == want[i].size,
		      "ino, size");
		CHECK(b->file_count == want[i].file_count &&
		      (uint32_t)b->vmap_count == want[i].vmap_count &&
		      b->nr_attach == want[i].nr_attach, "counts");
		CHECK(!strcmp(b->exporter, exp[i]), "exporter, any bytes");
		CHECK(b->nr_attach_names == want[i].nr_attach_names &&
		      (!b->nr_attach_names || !strcmp(b->attach[0], dev[i])),
		      "attached device name");
	}
	collect_free(&c);
	free(stream);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_raw(data, size);
	check_printed(data, size);
	return 0;
}
