// SPDX-License-Identifier: GPL-2.0
/* libdmabufstat: reading whole files (kernel text and iterators). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readfile.h"

int read_fd_whole(int fd, size_t cap, char **out, size_t *lenp)
{
	char *buf = malloc(cap + 1), *tmp;
	size_t len = 0;
	ssize_t n;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (cap - len < 4096) {
			tmp = realloc(buf, cap * 2 + 1);
			if (!tmp) {
				free(buf);
				return -ENOMEM;
			}
			buf = tmp;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(buf);
			return n;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	*out = buf;
	if (lenp)
		*lenp = len;
	return 0;
}

int read_whole(const char *path, char **out, size_t *lenp)
{
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = read_fd_whole(fd, 4096, out, lenp);
	close(fd);
	return err;
}

int read_line(const char *path, char *dst, size_t size)
{
	char *text;
	size_t len;
	int err;

	err = read_whole(path, &text, &len);
	if (err)
		return err;
	if (len && text[len - 1] == '\n')
		len--;
	copy_str(dst, size, text, len);
	free(text);
	return 0;
}

void copy_str(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}
