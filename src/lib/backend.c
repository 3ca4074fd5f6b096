// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat: the backend choice, in one place: the --backend words,
 * AUTO's policy (the first source of sources/list.h that works), the
 * reasons it fell back, and its refusal to fall back silently when BPF is
 * not permitted.
 */
#include <stdio.h>
#include <string.h>

#include "source.h"

static const struct ds_source *const sources[] = {
#define DS_SOURCE(n) &ds_src_##n,
#include "sources/list.h"
#undef DS_SOURCE
};

static const struct ds_source *find_source(enum ds_source_kind kind, int id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sources); i++)
		if (sources[i]->kind == kind && sources[i]->id == id)
			return sources[i];
	return NULL;
}

static const struct ds_source *find_named(enum ds_source_kind kind,
					  const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sources); i++)
		if (sources[i]->kind == kind &&
		    strlen(sources[i]->name) == len &&
		    !strncmp(sources[i]->name, s, len))
			return sources[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Names and the --backend words                                      */

DMABUFSTAT_API const char *
dmabufstat_buf_backend_name(enum dmabufstat_buf_backend b)
{
	const struct ds_source *s;

	if (b == DMABUFSTAT_BUF_AUTO)
		return "auto";
	if (b == DMABUFSTAT_BUF_FALLBACK)
		return "fallback";
	s = find_source(DS_SRC_BUFFERS, b);
	return s ? s->name : "unknown";
}

DMABUFSTAT_API const char *
dmabufstat_proc_backend_name(enum dmabufstat_proc_backend p)
{
	const struct ds_source *s;

	if (p == DMABUFSTAT_PROC_AUTO)
		return "auto";
	s = find_source(DS_SRC_PROCESSES, p);
	return s ? s->name : "unknown";
}

/* The single words, aliases included. */
static const struct {
	const char *word;
	enum dmabufstat_buf_backend buf;
	enum dmabufstat_proc_backend proc;
} backend_words[] = {
	{ "auto", DMABUFSTAT_BUF_AUTO, DMABUFSTAT_PROC_AUTO },
	{ "bpf", DMABUFSTAT_BUF_BPF_ITER, DMABUFSTAT_PROC_BPF_TASK },
	{ "fallback", DMABUFSTAT_BUF_FALLBACK, DMABUFSTAT_PROC_AUTO },
	{ "procfs", DMABUFSTAT_BUF_FALLBACK, DMABUFSTAT_PROC_PROCFS },
	{ "proc", DMABUFSTAT_BUF_FALLBACK, DMABUFSTAT_PROC_PROCFS },
	{ "bufinfo", DMABUFSTAT_BUF_BUFINFO, DMABUFSTAT_PROC_AUTO },
	{ "sysfs", DMABUFSTAT_BUF_SYSFS, DMABUFSTAT_PROC_AUTO },
	{ "replay", DMABUFSTAT_BUF_REPLAY, DMABUFSTAT_PROC_REPLAY },
	{ "bpf-pin", DMABUFSTAT_BUF_BPF_PIN, DMABUFSTAT_PROC_BPF_PIN },
};

static bool word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !strncmp(s, word, len);
}

/* One half of BUF+PROC: "auto", a source's name, or (BUF) "fallback". */
static int parse_half(enum ds_source_kind kind, const char *s, size_t len)
{
	const struct ds_source *src;

	if (word_is(s, len, "auto"))
		return 0;	/* DMABUFSTAT_BUF_AUTO, DMABUFSTAT_PROC_AUTO */
	if (kind == DS_SRC_BUFFERS && word_is(s, len, "fallback"))
		return DMABUFSTAT_BUF_FALLBACK;
	src = find_named(kind, s, len);
	return src ? src->id : -1;
}

DMABUFSTAT_API int dmabufstat_parse_backend(const char *spec,
					    enum dmabufstat_buf_backend *buf,
					    enum dmabufstat_proc_backend *proc)
{
	const char *plus;
	size_t i;
	int b, p;

	if (!spec)
		return -EINVAL;
	plus = strchr(spec, '+');
	if (plus) {
		b = parse_half(DS_SRC_BUFFERS, spec, plus - spec);
		p = parse_half(DS_SRC_PROCESSES, plus + 1, strlen(plus + 1));
	} else {
		b = p = -1;
		for (i = 0; i < ARRAY_SIZE(backend_words); i++)
			if (!strcmp(spec, backend_words[i].word)) {
				b = backend_words[i].buf;
				p = backend_words[i].proc;
			}
	}
	if (b < 0 || p < 0)
		return -EINVAL;
	if (buf)
		*buf = b;
	if (proc)
		*proc = p;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The choice                                                         */

/* Appends what to the fallback reasons, once. */
static void add_reason(struct dmabufstat *ds, const char *what)
{
	size_t len = strlen(ds->fallback);

	if (!*what || strstr(ds->fallback, what))
		return;	/* both BPF sources miss the same BTF */
	snprintf(ds->fallback + len, sizeof(ds->fallback) - len, "%s%s",
		 len ? "; " : "", what);
}

static int use(struct dmabufstat *ds, const struct ds_source *src,
	       bool named, struct ds_chosen *out)
{
	void *state = NULL;
	int err;

	err = src->probe ? src->probe(ds, named, &state) : 0;
	if (err)
		return err;
	out->src = src;
	out->state = state;
	return 0;
}

/*
 * AUTO without BPF privileges would see only the caller's processes and
 * no kernel-only buffers, and look like an idle machine: refuse, and say
 * what is needed. Only a backend named without BPF runs unprivileged.
 */
static int refuse_unprivileged(struct dmabufstat *ds, int err)
{
	char what[sizeof(ds->errmsg)];

	memcpy(what, ds->errmsg, sizeof(what));
	return ds_err(ds, DMABUFSTAT_E_PERM, err,
		      "not permitted to load BPF programs (%s): run as root, or with CAP_BPF and CAP_PERFMON (or use --backend procfs to see only your own processes)",
		      what);
}

/*
 * One source of kind: the one named by want, or for AUTO (and FALLBACK,
 * which skips BPF) the first of the list that works, noting why each
 * before it did not.
 */
static int choose(struct dmabufstat *ds, enum ds_source_kind kind, int want,
		  struct ds_chosen *out)
{
	bool fallback = kind == DS_SRC_BUFFERS &&
			want == DMABUFSTAT_BUF_FALLBACK;
	const struct ds_source *src;
	size_t i;
	int err;

	if (want != 0 && !fallback) {	/* 0: AUTO of either kind */
		src = find_source(kind, want);
		if (!src)
			return ds_err(ds, DMABUFSTAT_E_OTHER, -EINVAL,
				      "unknown %s backend %d",
				      kind == DS_SRC_BUFFERS ? "buffer" :
				      "process", want);
		return use(ds, src, true, out);
	}
	for (i = 0; i < ARRAY_SIZE(sources); i++) {
		src = sources[i];
		if (src->kind != kind || (src->flags & DS_SRC_NAMED) ||
		    (fallback && (src->flags & DS_SRC_BPF)))
			continue;
		err = use(ds, src, false, out);
		if (!err)
			return 0;
		if ((src->flags & DS_SRC_BPF) &&
		    ds->errclass == DMABUFSTAT_E_PERM)
			return refuse_unprivileged(ds, err);
		if (!(src->flags & DS_SRC_OPTIONAL) || err != -ENOENT)
			add_reason(ds, ds->errmsg);
		ds_clear_err(ds);
	}
	return ds_err(ds, DMABUFSTAT_E_NO_SOURCE, -ENOENT,
		      "no %s source works here: %s",
		      kind == DS_SRC_BUFFERS ? "buffer" : "process",
		      ds->fallback);
}

void backend_release(struct dmabufstat *ds)
{
	struct ds_chosen *c[] = { &ds->buf, &ds->proc };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		if (c[i]->src && c[i]->src->release && c[i]->state)
			c[i]->src->release(c[i]->state);
		c[i]->src = NULL;
		c[i]->state = NULL;
	}
	ds->probed = false;
}

DMABUFSTAT_API int dmabufstat_probe(struct dmabufstat *ds)
{
	int err;

	if (ds->probed)
		return 0;
	ds->fallback[0] = '\0';
	ds_clear_err(ds);
	err = choose(ds, DS_SRC_BUFFERS, ds->opts.buf_backend, &ds->buf);
	if (!err)
		err = choose(ds, DS_SRC_PROCESSES, ds->opts.proc_backend,
			     &ds->proc);
	if (err) {
		backend_release(ds);
		return err;
	}
	snprintf(ds->backend_name, sizeof(ds->backend_name), "%s+%s",
		 ds->buf.src->name, ds->proc.src->name);
	ds->probed = true;
	ds_debug(ds, "backend %s%s%s", ds->backend_name,
		 ds->fallback[0] ? ": " : "", ds->fallback);
	return 0;
}

int backend_collect(struct dmabufstat *ds, struct collect *c)
{
	int err;

	err = dmabufstat_probe(ds);
	if (err)
		return err;
	ds_clear_err(ds);
	err = ds->buf.src->collect(ds, ds->buf.state, c);
	if (!err)
		err = ds->proc.src->collect(ds, ds->proc.state, c);
	return err;
}

int backend_collect_buffers(struct dmabufstat *ds, struct collect *c)
{
	int err;

	err = dmabufstat_probe(ds);
	if (err)
		return err;
	ds_clear_err(ds);
	return ds->buf.src->collect(ds, ds->buf.state, c);
}

DMABUFSTAT_API enum dmabufstat_buf_backend
dmabufstat_buf_backend(const struct dmabufstat *ds)
{
	return ds->probed ? ds->buf.src->id : DMABUFSTAT_BUF_AUTO;
}

DMABUFSTAT_API enum dmabufstat_proc_backend
dmabufstat_proc_backend(const struct dmabufstat *ds)
{
	return ds->probed ? ds->proc.src->id : DMABUFSTAT_PROC_AUTO;
}

DMABUFSTAT_API const char *dmabufstat_backend_name(const struct dmabufstat *ds)
{
	return ds->probed ? ds->backend_name : "auto";
}

DMABUFSTAT_API const char *
dmabufstat_fallback_reason(const struct dmabufstat *ds)
{
	return ds->fallback;
}
