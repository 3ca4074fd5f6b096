/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UTF-8 as every output of both tools treats buffer names: valid is RFC
 * 3629 (no overlongs, no surrogates, nothing past U+10FFFF); a byte that
 * does not start a valid sequence becomes U+FFFD.
 */
#ifndef __DMABUFSTAT_UTF8_H
#define __DMABUFSTAT_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one. */
size_t utf8_seq(const unsigned char *s);

/* True if s is valid UTF-8 throughout. */
bool utf8_valid(const char *s);

/*
 * s with each byte that does not start a valid sequence replaced by
 * U+FFFD, at out, which has room for 3 * strlen(s) + 1 bytes.
 */
void utf8_clean(char *out, const char *s);

#endif /* __DMABUFSTAT_UTF8_H */
