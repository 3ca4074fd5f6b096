/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabufstat: the BPF iterators' record streams (bpf/dmabufstat.h,
 * docs/record-format.md) decoded into what a snapshot collects, checked
 * as they are read: a stream that is not ours, of another version,
 * truncated, or with a size or count out of bounds is refused with the
 * context's error, never read past.
 */
#ifndef __DMABUFSTAT_RECORDS_H
#define __DMABUFSTAT_RECORDS_H

#include <linux/types.h>

#include "internal.h"
#include "collect.h"
#include "dmabufstat.h"

/*
 * Adds what the stream (enum dmabufstat_stream) of len bytes at raw says
 * to c: buffers, or process references. An empty stream is an iterator
 * that had nothing to show. 0, or -EPROTO (-ENOMEM) and the context's
 * error.
 */
int rec_decode(struct dmabufstat *ds, enum dmabufstat_stream stream,
	       const char *raw, size_t len, struct collect *c);

/* A process of an fd or mapping stream, as its TASK record said. */
struct task_ident {
	__u32 tgid, pid, uid, euid;
	__u64 cgroup_id;
	char comm[DMABUFSTAT_COMM_LEN];
};

/* The same, a piece at a time: one stream being read into c. */
struct rec_reader {
	struct dmabufstat *ds;
	enum dmabufstat_stream stream;
	struct collect *c;
	__u64 page;		/* the page size, for mapping offsets */
	bool head_seen;
	size_t off;		/* in the stream, of the record being read */
	/* the processes told so far, hashed by tgid (index + 1; 0: empty) */
	struct task_ident *tasks;
	size_t nr_tasks, cap_tasks;
	size_t *task_hash;
	size_t task_mask;
	const struct task_ident *last;	/* the one looked up last */
	/* the inodes of collect.bufs, hashed (0: empty), when complete */
	__u64 *known;
	size_t known_mask;
};

void rec_reader_init(struct rec_reader *rd, struct dmabufstat *ds,
		     enum dmabufstat_stream stream, struct collect *c);
/*
 * Decodes the whole records at the start of the len bytes at raw (the
 * stream's next bytes): how many bytes it used (the rest is a record to
 * finish with more bytes), or -errno and the context's error.
 */
long rec_reader_feed(struct rec_reader *rd, const char *raw, size_t len);
/* The stream ended with len bytes unused at rest: 0, or -EPROTO. */
int rec_reader_end(struct rec_reader *rd, const char *rest, size_t len);
void rec_reader_free(struct rec_reader *rd);

/* "buffers", "fds", "mappings" (or "unknown") */
const char *rec_stream_name(unsigned int stream);

/*
 * DMABUFSTAT_RECORD=FILE: the raw stream appended to FILE as a frame
 * (docs/record-format.md), for replaying it later (sources/replay.c).
 * Nothing without the variable; a failure to write is a debug note.
 */
void rec_record(struct dmabufstat *ds, enum dmabufstat_stream stream,
		const char *raw, size_t len);

/* A frame of a record file: this header, len bytes, zeros up to 8. */
#define DMABUFSTAT_FRAME_MAGIC	0x46525344	/* "DSRF" in little-endian memory */

struct rec_frame {
	__u32 magic;		/* DMABUFSTAT_FRAME_MAGIC */
	__u32 stream;		/* enum dmabufstat_stream */
	__u64 len;		/* of the stream that follows */
};

#endif /* __DMABUFSTAT_RECORDS_H */
