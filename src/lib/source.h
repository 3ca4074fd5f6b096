/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabufstat: the sources of a snapshot, and the backend choice that
 * picks one source of each kind (backend.c).
 *
 * A source is one file under sources/ defining one const struct ds_source
 * (a table entry of function pointers, one static instance per source),
 * listed once in sources/list.h, whose order is AUTO's preference. A
 * buffer source says which buffers exist; a process source says which
 * processes hold them (fds and mappings). backend.c calls nothing of a
 * source but the three functions below.
 */
#ifndef __DMABUFSTAT_SOURCE_H
#define __DMABUFSTAT_SOURCE_H

#include "internal.h"
#include "collect.h"

enum ds_source_kind {
	DS_SRC_BUFFERS,		/* id is an enum dmabufstat_buf_backend */
	DS_SRC_PROCESSES,	/* id is an enum dmabufstat_proc_backend */
};

/* ds_source.flags */
#define DS_SRC_BPF	0x1	/* loads BPF: the FALLBACK choice skips it,
				 * and AUTO stops (DMABUFSTAT_E_PERM) when it
				 * fails for lack of privilege */
#define DS_SRC_NAMED	0x2	/* only when asked for by name, never AUTO */
#define DS_SRC_OPTIONAL	0x4	/* AUTO notes no reason when its probe
				 * fails with -ENOENT (nothing there) */

struct ds_source {
	const char *name;	/* its backend name: "bpf-iter", "procfs"... */
	enum ds_source_kind kind;
	int id;
	unsigned int flags;	/* DS_SRC_* */
	/*
	 * Can this source work here? Sets up what collect() needs in *state
	 * (may stay NULL) and returns 0, or sets the context's error and
	 * returns a negative errno, having freed what it made. named: the
	 * caller asked for this source, so the message says what to do;
	 * otherwise it is a short note for dmabufstat_fallback_reason().
	 * The error class matters: DMABUFSTAT_E_PERM means "not permitted".
	 * NULL: always usable, no state.
	 */
	int (*probe)(struct dmabufstat *ds, bool named, void **state);
	/* Adds what it sees to c: 0, or -errno with the context's error. */
	int (*collect)(struct dmabufstat *ds, void *state, struct collect *c);
	/* Frees state (never called with NULL); NULL if probe makes none. */
	void (*release)(void *state);
};

#define DS_SOURCE(n) extern const struct ds_source ds_src_##n;
#include "sources/list.h"
#undef DS_SOURCE

/* backend.c: what the snapshot and the context need of the choice. */
int backend_collect(struct dmabufstat *ds, struct collect *c);
/* The buffer source's part alone (probing first if needed). */
int backend_collect_buffers(struct dmabufstat *ds, struct collect *c);
void backend_release(struct dmabufstat *ds);

#endif /* __DMABUFSTAT_SOURCE_H */
