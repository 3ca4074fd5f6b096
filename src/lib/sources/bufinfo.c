// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat source "bufinfo": every buffer from debugfs
 * dma_buf/bufinfo (size, exporter, name, file count, attached devices).
 * Needs debugfs mounted and readable (root).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"
#include "readfile.h"

#define BUFINFO_PATH	"/sys/kernel/debug/dma_buf/bufinfo"

static int bufinfo_probe(struct dmabufstat *ds, bool named, void **state)
{
	int err;

	(void)state;
	if (!access(BUFINFO_PATH, R_OK))
		return 0;
	err = -errno;
	if (!named)
		return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, err,
			      "no readable " BUFINFO_PATH);
	return ds_err(ds, err == -EACCES ? DMABUFSTAT_E_PERM :
		      DMABUFSTAT_E_NO_SOURCE, err,
		      "cannot read %s: %s (mount debugfs; needs root)",
		      BUFINFO_PATH, strerror(-err));
}

/*
 * One buffer's line, as dma_buf_debug_show() prints it (6.12 .. 6.18):
 * "%08zu\t%08x\t%08x\t%08ld\t%s\t%08lu\t%s\n": size, f_flags, f_mode, file
 * count, exp_name, inode, name ("<none>" if unset). The name comes last and
 * may hold any byte, tabs and newlines included.
 */
static bool parse_buf_line(char *line, struct dmabufstat_buffer *b)
{
	char *field[6], *p = line, *end;
	int i;

	for (i = 0; i < 6; i++) {
		field[i] = p;
		p = strchr(p, '\t');
		if (!p)
			return false;
		*p++ = '\0';
	}
	errno = 0;
	b->size = strtoull(field[0], &end, 10);
	if (*end || end == field[0])
		return false;
	b->file_count = strtoll(field[3], &end, 10);
	if (*end || end == field[3])
		return false;
	copy_str(b->exporter, sizeof(b->exporter), field[4], strlen(field[4]));
	b->ino = strtoull(field[5], &end, 10);
	if (*end || end == field[5] || errno)
		return false;
	if (strcmp(p, "<none>")) {
		b->flags |= DMABUFSTAT_BUF_HAS_NAME;
		copy_str(b->name, sizeof(b->name), p, strlen(p));
	}
	return true;
}

static int bufinfo_collect(struct dmabufstat *ds, void *state,
			   struct collect *c)
{
	enum { BEFORE, FENCES, ATTACHED } part = BEFORE;
	struct dmabufstat_buffer *cur = NULL;
	char *text, *line, *next;
	size_t len;
	int err;

	(void)state;
	err = read_whole(BUFINFO_PATH, &text, NULL);
	if (err)
		return ds_err(ds, err == -EACCES || err == -EPERM ?
			      DMABUFSTAT_E_PERM : DMABUFSTAT_E_NO_SOURCE, err,
			      "cannot read %s: %s", BUFINFO_PATH,
			      strerror(-err));
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (part == ATTACHED && !strncmp(line, "Total ", 6)) {
			part = BEFORE;	/* "Total %d devices attached" */
			continue;
		}
		if (part == ATTACHED && line[0] == '\t') {
			if (cur->nr_attach < DMABUFSTAT_ATTACH_NAMES) {
				copy_str(cur->attach[cur->nr_attach],
					 sizeof(cur->attach[0]), line + 1,
					 strlen(line + 1));
				cur->nr_attach_names++;
			} else {
				cur->flags |= DMABUFSTAT_BUF_NAMES_TRUNC;
			}
			cur->nr_attach++;
			continue;
		}
		if (part == FENCES && !strcmp(line, "\tAttached Devices:")) {
			part = ATTACHED;
			continue;
		}
		if (part == FENCES && line[0] == '\t')
			continue;	/* a fence of the reservation object */
		if (part == FENCES) {
			/* a newline inside the name: keep what fits */
			len = strlen(cur->name);
			if (len + 1 < sizeof(cur->name)) {
				cur->name[len] = '\n';
				copy_str(cur->name + len + 1,
					 sizeof(cur->name) - len - 1, line,
					 strlen(line));
			}
			continue;
		}
		if (!*line || line[0] < '0' || line[0] > '9')
			continue;	/* title, header, totals */
		cur = collect_add_buf(c);
		if (!cur) {
			free(text);
			return ds_nomem(ds);
		}
		if (!parse_buf_line(line, cur)) {
			free(text);
			return ds_err(ds, DMABUFSTAT_E_OTHER, -EPROTO,
				      "%s: cannot parse a buffer line",
				      BUFINFO_PATH);
		}
		part = FENCES;
	}
	free(text);
	c->bufs_have_names = true;
	c->bufs_have_attach = true;
	return 0;
}

const struct ds_source ds_src_bufinfo = {
	.name = "bufinfo",
	.kind = DS_SRC_BUFFERS,
	.id = DMABUFSTAT_BUF_BUFINFO,
	.probe = bufinfo_probe,
	.collect = bufinfo_collect,
};
