// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat sources "replay" (buffers and processes): the streams a
 * run recorded with DMABUFSTAT_RECORD=FILE, read back from the file named
 * by DMABUFSTAT_REPLAY, through the same reader as the BPF sources. For
 * profiling and testing the userspace half on any machine, and for
 * feeding the reader what no kernel would write. Each snapshot takes the
 * next frame of each stream, starting over after the last; named only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"
#include "readfile.h"
#include "records.h"

struct replay_state {
	char *data;
	size_t len;
	size_t next[4];		/* per stream: where to look for its next frame */
};

static void replay_release(void *state)
{
	struct replay_state *st = state;

	if (!st)
		return;
	free(st->data);
	free(st);
}

static int replay_probe(struct dmabufstat *ds, bool named, void **state)
{
	const char *path = getenv("DMABUFSTAT_REPLAY");
	struct replay_state *st;
	int err;

	(void)named;
	if (!path || !*path)
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, -ENOENT,
			      "the replay backend reads the file DMABUFSTAT_REPLAY names (recorded with DMABUFSTAT_RECORD=FILE): not set");
	st = calloc(1, sizeof(*st));
	if (!st)
		return ds_nomem(ds);
	err = read_whole(path, &st->data, &st->len);
	if (err) {
		replay_release(st);
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, err,
			      "DMABUFSTAT_REPLAY=%s: %s", path, strerror(-err));
	}
	*state = st;
	return 0;
}

/*
 * The next frame of stream after st->next[stream], wrapping once: 0 and
 * *raw, *len (0 bytes when the file has none of that stream), or the
 * context's error for a frame that is not one.
 */
static int next_frame(struct dmabufstat *ds, struct replay_state *st,
		      enum dmabufstat_stream stream, const char **raw,
		      size_t *len)
{
	size_t off = st->next[stream], start = off, pass;
	struct rec_frame f;

	*raw = NULL;
	*len = 0;
	for (pass = 0; pass < 2; pass++, off = 0) {
		while (off < st->len) {
			if (st->len - off < sizeof(f))
				return ds_err(ds, DMABUFSTAT_E_OTHER, -EPROTO,
					      "replay file: truncated frame header at byte %zu",
					      off);
			memcpy(&f, st->data + off, sizeof(f));
			if (f.magic != DMABUFSTAT_FRAME_MAGIC ||
			    f.len > st->len - off - sizeof(f))
				return ds_err(ds, DMABUFSTAT_E_OTHER, -EPROTO,
					      "replay file: bad frame at byte %zu (magic %#x, %llu bytes, %zu left)",
					      off, f.magic,
					      (unsigned long long)f.len,
					      st->len - off - sizeof(f));
			off += sizeof(f);
			if (f.stream == stream) {
				*raw = st->data + off;
				*len = f.len;
				st->next[stream] = off + ((f.len + 7) & ~7ULL);
				return 0;
			}
			off += (f.len + 7) & ~7ULL;
		}
		if (!start)
			break;
	}
	return 0;
}

static int replay_stream(struct dmabufstat *ds, struct replay_state *st,
			 enum dmabufstat_stream stream, struct collect *c)
{
	const char *raw;
	size_t len;
	int err;

	err = next_frame(ds, st, stream, &raw, &len);
	return err ?: rec_decode(ds, stream, raw, len, c);
}

static int replay_bufs(struct dmabufstat *ds, void *state, struct collect *c)
{
	c->bufs_have_names = true;
	c->bufs_complete = true;
	c->bufs_have_attach = true;
	return replay_stream(ds, state, DMABUFSTAT_STREAM_BUFS, c);
}

static int replay_refs(struct dmabufstat *ds, void *state, struct collect *c)
{
	return replay_stream(ds, state, DMABUFSTAT_STREAM_FDS, c) ?:
	       replay_stream(ds, state, DMABUFSTAT_STREAM_VMAS, c);
}

const struct ds_source ds_src_replay_bufs = {
	.name = "replay",
	.kind = DS_SRC_BUFFERS,
	.id = DMABUFSTAT_BUF_REPLAY,
	.flags = DS_SRC_NAMED,
	.probe = replay_probe,
	.collect = replay_bufs,
	.release = replay_release,
};

const struct ds_source ds_src_replay_procs = {
	.name = "replay",
	.kind = DS_SRC_PROCESSES,
	.id = DMABUFSTAT_PROC_REPLAY,
	.flags = DS_SRC_NAMED,
	.probe = replay_probe,
	.collect = replay_refs,
	.release = replay_release,
};
