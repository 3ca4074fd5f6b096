// SPDX-License-Identifier: GPL-2.0
/* UTF-8 checks and U+FFFD replacement for the outputs (see utf8.h). */
#include <string.h>

#include "utf8.h"

size_t utf8_seq(const unsigned char *s)
{
	unsigned int c = s[0], cp, n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

bool utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	/* ASCII first: most names are */
	while (*s && *s < 0x80)
		s++;
	for (; *s; s += n) {
		n = utf8_seq(s);
		if (!n)
			return false;
	}
	return true;
}

void utf8_clean(char *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	for (; *s; s += n) {
		n = utf8_seq(s);
		if (n) {
			memcpy(out, s, n);
			out += n;
		} else {
			memcpy(out, "\xef\xbf\xbd", 3);	/* U+FFFD */
			out += 3;
			n = 1;
		}
	}
	*out = '\0';
}
