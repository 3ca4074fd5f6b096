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
