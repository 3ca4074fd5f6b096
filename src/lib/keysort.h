/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabufstat: sorting big records by small keys. The records stay
 * where they are while their keys (24 bytes) sort, then move once, in
 * place, cycle by cycle; input that comes sorted, or in two sorted runs
 * (the fds then the mappings of a task walk), sorts in linear time.
 */
#ifndef __DMABUFSTAT_KEYSORT_H
#define __DMABUFSTAT_KEYSORT_H

#include <stddef.h>
#include <stdint.h>

struct sort_key {
	uint64_t hi, lo;	/* compared in this order, then idx */
	size_t idx;		/* the record's index before sorting */
};

/*
 * Sorts the n records of elem bytes at arr by keys[i] (the key of record
 * i, idx = i): stable, 0 or -ENOMEM (arr then unchanged).
 */
int keysort(void *arr, size_t n, size_t elem, struct sort_key *keys);

#endif /* __DMABUFSTAT_KEYSORT_H */
