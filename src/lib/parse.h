/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabufstat: the parsers of kernel text (debugfs bufinfo, fdinfo, maps,
 * status, cgroup, sysfs stats). Each is a function of the text alone, with
 * no file reading, so the sources stay thin and fuzz/ can feed them
 * anything. Texts are NUL-terminated; parsing stops at the first NUL.
 */
#ifndef __DMABUFSTAT_PARSE_H
#define __DMABUFSTAT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collect.h"

/*
 * debugfs dma_buf/bufinfo: one new entry of c per buffer line, with its
 * name (newlines included), file count and attached devices. Cuts text
 * into lines (writes NULs into it). 0, -ENOMEM, or -EPROTO for a buffer
 * line that does not parse (c then holds the entries before it, and that
 * one half filled).
 */
int parse_bufinfo(char *text, struct collect *c);

/*
 * /proc/<pid>/fdinfo/<fd>: the dma-buf part into b, r's description
 * (ino, size, file count, exporter, name), and r->ref (ino, f_flags).
 * Cuts text into lines.
 * True if it is a dma-buf's (an exp_name and a non-zero ino).
 */
bool parse_fdinfo(char *text, struct raw_ref *r, struct ref_buf *b);

/* A dma-buf mapping, from one line of /proc/<pid>/maps. */
struct maps_dmabuf {
	uint64_t start, end, offset, ino;
	char name[DMABUFSTAT_BUFNAME_LEN];	/* escapes decoded */
	bool has_name;				/* a non-empty name was there */
};

/* One line of /proc/<pid>/maps (no newline): true if it maps a dma-buf. */
bool parse_maps_line(const char *line, struct maps_dmabuf *m);

/* /proc/<pid>/status: the real uid (the first of "Uid:"); false if none. */
bool parse_status_uid(const char *text, uint32_t *uid);

/*
 * /proc/<pid>/cgroup: the cgroup v2 path (of the "0::PATH" line) as a
 * pointer into text and its length (up to the newline); NULL if none.
 */
const char *parse_cgroup_v2(const char *text, size_t *len);

/*
 * One buffer's sysfs stats (CONFIG_DMABUF_SYSFS_STATS): the texts of its
 * "size" and "exporter_name" files into b->size and b->exporter.
 */
void parse_sysfs_buffer(const char *size, const char *exporter,
			struct dmabufstat_buffer *b);

#endif /* __DMABUFSTAT_PARSE_H */
