// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: sorting big records by small keys (keysort.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "keysort.h"

static int cmp_key(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;

	if (x->hi != y->hi)
		return CMP(x->hi, y->hi);
	if (x->lo != y->lo)
		return CMP(x->lo, y->lo);
	return CMP(x->idx, y->idx);
}

static bool key_le(const struct sort_key *x, const struct sort_key *y)
{
	return cmp_key(x, y) <= 0;
}

/*
 * Keys that differ only in hi, by LSD radix on hi's bytes (those that
 * differ at all): stable, so idx stays in order among equal his.
 */
static int radix_hi(struct sort_key *k, size_t n)
{
	uint64_t all_or = 0, all_and = ~0ULL, diff;
	struct sort_key *tmp, *src = k, *dst, *t;
	size_t count[256], i, sum, c;
	unsigned int shift;

	for (i = 0; i < n; i++) {
		all_or |= k[i].hi;
		all_and &= k[i].hi;
	}
	diff = all_or ^ all_and;	/* bits that are not the same in all */
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	dst = tmp;
	for (shift = 0; shift < 64; shift += 8) {
		if (!((diff >> shift) & 0xff))
			continue;
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(src[i].hi >> shift) & 0xff]++;
		for (i = 0, sum = 0; i < 256; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i].hi >> shift) & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != k)
		memcpy(k, src, n * sizeof(*k));
	free(tmp);
	return 0;
}

/*
 * Sorts keys: linear for one or two sorted runs, by radix when only hi
 * tells them apart, else qsort.
 */
static int sort_keys(struct sort_key *k, size_t n)
{
	struct sort_key *out;
	size_t m, i, a, b;

	for (m = 1; m < n && key_le(&k[m - 1], &k[m]); m++)
		;
	if (m >= n)
		return 0;
	for (i = m + 1; i < n && key_le(&k[i - 1], &k[i]); i++)
		;
	if (i < n) {
		for (i = 1; i < n && k[i].lo == k[0].lo; i++)
			;
		if (i == n)
			return radix_hi(k, n);
		qsort(k, n, sizeof(*k), cmp_key);
		return 0;
	}
	out = malloc(n * sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (i = 0, a = 0, b = m; i < n; i++)
		out[i] = b == n || (a < m && key_le(&k[a], &k[b])) ?
			 k[a++] : k[b++];
	memcpy(k, out, n * sizeof(*k));
	free(out);
	return 0;
}

int keysort(void *arr, size_t n, size_t elem, struct sort_key *keys)
{
	char *base = arr, *tmp;
	size_t i, j, from;
	int err;

	err = sort_keys(keys, n);
	if (err)
		return err;
	tmp = malloc(elem);
	if (!tmp)
		return -ENOMEM;
	/* place i takes record keys[i].idx: follow each cycle once */
	for (i = 0; i < n; i++) {
		if (keys[i].idx == i)
			continue;
		memcpy(tmp, base + i * elem, elem);
		for (j = i;; j = from) {
			from = keys[j].idx;
			keys[j].idx = j;
			if (from == i) {
				memcpy(base + j * elem, tmp, elem);
				break;
			}
			memcpy(base + j * elem, base + from * elem, elem);
		}
	}
	free(tmp);
	return 0;
}
