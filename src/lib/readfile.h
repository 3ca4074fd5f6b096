/* SPDX-License-Identifier: GPL-2.0 */
/* libdmabufstat: reading whole files (kernel text and iterators). */
#ifndef __DMABUFSTAT_READFILE_H
#define __DMABUFSTAT_READFILE_H

#include <stddef.h>

/*
 * Reads fd to its end into a malloc'd, NUL-terminated *out, starting with
 * cap bytes and keeping at least 4096 free for each read() (an iterator
 * hands out whole records). 0 or -errno.
 */
int read_fd_whole(int fd, size_t cap, char **out, size_t *len);
/* The same for a path; *len may be NULL. */
int read_whole(const char *path, char **out, size_t *len);
/* A one-line file into dst (size bytes) without its newline. 0 or -errno. */
int read_line(const char *path, char *dst, size_t size);
/* len bytes of src into dst, truncated to size - 1, NUL-terminated. */
void copy_str(char *dst, size_t size, const char *src, size_t len);

#endif /* __DMABUFSTAT_READFILE_H */
