// SPDX-License-Identifier: GPL-2.0
/*
 * A saved snapshot read back from the tools' JSON (snapload.h): a small
 * recursive-descent JSON reader that keeps what a snapshot is rebuilt
 * from and skips the rest, bounded in depth, in every string's length and
 * in every number's range.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapload.h"

struct parser {
	const char *start, *p, *end;
	struct snapload *s;
	bool failed;
};

static bool fail(struct parser *x, const char *what)
{
	if (!x->failed)
		snprintf(x->s->err, sizeof(x->s->err), "byte %zu: %s",
			 (size_t)(x->p - x->start), what);
	x->failed = true;
	return false;
}

static void ws(struct parser *x)
{
	while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' ||
				 *x->p == '\n' || *x->p == '\r'))
		x->p++;
}

static bool peek(struct parser *x, char c)
{
	ws(x);
	return x->p < x->end && *x->p == c;
}

static bool expect(struct parser *x, char c, const char *what)
{
	if (!peek(x, c))
		return fail(x, what);
	x->p++;
	return true;
}

static bool literal(struct parser *x, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(x->end - x->p) < n || memcmp(x->p, word, n))
		return fail(x, "not a JSON value");
	x->p += n;
	return true;
}

/* A decoded string goes to out[cap] (cut, NUL-terminated); *full: its length. */
struct sink {
	char *out;
	size_t cap, n;
};

static void put(struct sink *k, unsigned char c)
{
	if (k->out && k->n + 1 < k->cap)
		k->out[k->n] = c;
	k->n++;
}

static void put_utf8(struct sink *k, unsigned int cp)
{
	if (cp < 0x80) {
		put(k, cp);
	} else if (cp < 0x800) {
		put(k, 0xc0 | cp >> 6);
		put(k, 0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		put(k, 0xe0 | cp >> 12);
		put(k, 0x80 | ((cp >> 6) & 0x3f));
		put(k, 0x80 | (cp & 0x3f));
	} else {
		put(k, 0xf0 | cp >> 18);
		put(k, 0x80 | ((cp >> 12) & 0x3f));
		put(k, 0x80 | ((cp >> 6) & 0x3f));
		put(k, 0x80 | (cp & 0x3f));
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX after the backslash and u: the code unit, or -1. */
static long unit(struct parser *x)
{
	long v = 0;
	int i, d;

	if (x->end - x->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		d = hex_digit(x->p[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	x->p += 4;
	return v;
}

static bool string(struct parser *x, char *out, size_t cap, size_t *full)
{
	struct sink k = { out, cap, 0 };
	long u, lo;

	if (!expect(x, '"', "a string was expected"))
		return false;
	for (;;) {
		unsigned char c;

		if (x->p >= x->end)
			return fail(x, "a string does not end");
		c = *x->p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(x, "a control byte in a string");
		if (c != '\\') {
			put(&k, c);	/* any other byte, as it is */
			continue;
		}
		if (x->p >= x->end)
			return fail(x, "a string does not end");
		c = *x->p++;
		switch (c) {
		case '"': case '\\': case '/':
			put(&k, c);
			break;
		case 'b': put(&k, '\b'); break;
		case 'f': put(&k, '\f'); break;
		case 'n': put(&k, '\n'); break;
		case 'r': put(&k, '\r'); break;
		case 't': put(&k, '\t'); break;
		case 'u':
			u = unit(x);
			if (u < 0)
				return fail(x, "a bad \\u escape");
			if (u >= 0xd800 && u < 0xdc00 && x->end - x->p >= 6 &&
			    x->p[0] == '\\' && x->p[1] == 'u') {
				const char *back = x->p;

				x->p += 2;
				lo = unit(x);
				if (lo >= 0xdc00 && lo < 0xe000) {
					put_utf8(&k, 0x10000 + ((u - 0xd800) << 10) +
						     (lo - 0xdc00));
					break;
				}
				x->p = back;	/* a lone half: U+FFFD */
			}
			put_utf8(&k, u >= 0xd800 && u < 0xe000 ? 0xfffd : u);
			break;
		default:
			return fail(x, "a bad escape in a string");
		}
	}
	if (out && cap)
		out[k.n < cap ? k.n : cap - 1] = '\0';
	if (full)
		*full = k.n;
	return true;
}

/*
 * A number: *neg, its integer value in *v, *integer (no fraction or
 * exponent, no overflow).
 */
static bool number(struct parser *x, bool *neg, uint64_t *v, bool *integer)
{
	const char *digits;

	*neg = false;
	*v = 0;
	*integer = true;
	ws(x);
	if (x->p < x->end && *x->p == '-') {
		*neg = true;
		x->p++;
	}
	digits = x->p;
	while (x->p < x->end && *x->p >= '0' && *x->p <= '9') {
		unsigned int d = *x->p++ - '0';

		if (*v > (UINT64_MAX - d) / 10)
			*integer = false;	/* too large */
		else
			*v = *v * 10 + d;
	}
	if (x->p == digits)
		return fail(x, "not a number");
	if (*digits == '0' && x->p - digits > 1)
		return fail(x, "a number with a leading zero");
	if (x->p < x->end && *x->p == '.') {
		*integer = false;
		x->p++;
		digits = x->p;
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			x->p++;
		if (x->p == digits)
			return fail(x, "not a number");
	}
	if (x->p < x->end && (*x->p == 'e' || *x->p == 'E')) {
		*integer = false;
		x->p++;
		if (x->p < x->end && (*x->p == '+' || *x->p == '-'))
			x->p++;
		digits = x->p;
		while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			x->p++;
		if (x->p == digits)
			return fail(x, "not a number");
	}
	return true;
}

static bool skip(struct parser *x, int depth);

/* Members of an object, each handed to member() (which reads its value). */
static bool object(struct parser *x, int depth,
		   bool (*member)(struct parser *x, const char *key, int depth,
				  void *ctx),
		   void *ctx)
{
	char key[32];
	size_t n;

	if (depth > SNAPLOAD_MAX_DEPTH)
		return fail(x, "nested too deep");
	if (!expect(x, '{', "an object was expected"))
		return false;
	if (peek(x, '}')) {
		x->p++;
		return true;
	}
	for (;;) {
		if (!string(x, key, sizeof(key), &n) ||
		    !expect(x, ':', "':' after a key"))
			return false;
		/* a key cut short or holding a NUL is none of ours */
		if (n != strlen(key))
			key[0] = '\0';
		if (!(member ? member(x, key, depth + 1, ctx) :
			       skip(x, depth + 1)))
			return false;
		if (peek(x, ',')) {
			x->p++;
			continue;
		}
		return expect(x, '}', "',' or '}' in an object");
	}
}

/* Items of an array, each handed to item(). */
static bool array(struct parser *x, int depth,
		  bool (*item)(struct parser *x, int depth, void *ctx),
		  void *ctx)
{
	if (depth > SNAPLOAD_MAX_DEPTH)
		return fail(x, "nested too deep");
	if (!expect(x, '[', "an array was expected"))
		return false;
	if (peek(x, ']')) {
		x->p++;
		return true;
	}
	for (;;) {
		if (!(item ? item(x, depth + 1, ctx) : skip(x, depth + 1)))
			return false;
		if (peek(x, ',')) {
			x->p++;
			continue;
		}
		return expect(x, ']', "',' or ']' in an array");
	}
}

static bool skip(struct parser *x, int depth)
{
	bool neg, integer;
	uint64_t v;

	if (depth > SNAPLOAD_MAX_DEPTH)
		return fail(x, "nested too deep");
	ws(x);
	if (x->p >= x->end)
		return fail(x, "a value was expected");
	switch (*x->p) {
	case '{':
		return object(x, depth, NULL, NULL);
	case '[':
		return array(x, depth, NULL, NULL);
	case '"':
		return string(x, NULL, 0, NULL);
	case 't':
		return literal(x, "true");
	case 'f':
		return literal(x, "false");
	case 'n':
		return literal(x, "null");
	default:
		return number(x, &neg, &v, &integer);
	}
}

/* ------------------------------------------------------------------ */
/* Typed values                                                       */

static bool get_u64(struct parser *x, uint64_t *out, uint64_t max,
		    const char *what)
{
	bool neg, integer;
	uint64_t v;

	if (!number(x, &neg, &v, &integer))
		return false;
	if (!integer || (neg && v) || v > max)
		return fail(x, what);
	*out = v;
	return true;
}

static bool get_bool(struct parser *x, bool *out)
{
	ws(x);
	if (x->p < x->end && *x->p == 't') {
		*out = true;
		return literal(x, "true");
	}
	*out = false;
	return literal(x, "false");
}

/* "<key>_hex": the string's exact bytes, two hex digits each. */
static bool get_hex(struct parser *x, char *out, size_t cap)
{
	char hex[2 * 256 + 1];
	size_t n, i, k = 0;

	if (!string(x, hex, sizeof(hex), &n))
		return false;
	if (n % 2 || n >= sizeof(hex))
		return fail(x, "a _hex string of odd or too great a length");
	for (i = 0; i < n; i += 2) {
		int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return fail(x, "a _hex string with a byte that is no hex digit");
		if (k + 1 < cap)
			out[k++] = hi << 4 | lo;
	}
	out[k] = '\0';
	return true;
}

/* A string field: "key" (unless "key_hex" came) or "key_hex" (wins). */
static bool text_field(struct parser *x, const char *key, const char *field,
		       char *out, size_t cap, bool *from_hex)
{
	size_t n = strlen(field);

	if (!strcmp(key, field)) {
		if (*from_hex)
			return string(x, NULL, 0, NULL);
		return string(x, out, cap, NULL);
	}
	if (!strncmp(key, field, n) && !strcmp(key + n, "_hex")) {
		*from_hex = true;
		return get_hex(x, out, cap);
	}
	return false;
}

static bool is_text_field(const char *key, const char *field)
{
	size_t n = strlen(field);

	return !strcmp(key, field) ||
	       (!strncmp(key, field, n) && !strcmp(key + n, "_hex"));
}

/* Appends v to *arr (n items, cap), doubling. */
static int push_u64(uint64_t **arr, size_t *n, size_t *cap, uint64_t v)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		uint64_t *a = realloc(*arr, c * sizeof(*a));

		if (!a)
			return -ENOMEM;
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = v;
	return 0;
}

static int push_u32(uint32_t **arr, size_t *n, size_t *cap, uint32_t v)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		uint32_t *a = realloc(*arr, c * sizeof(*a));

		if (!a)
			return -ENOMEM;
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = v;
	return 0;
}

static bool nomem(struct parser *x)
{
	fail(x, "out of memory");
	x->s->err[0] = '\0';	/* -ENOMEM says it */
	return false;
}

/* ------------------------------------------------------------------ */
/* Buffers and processes                                              */

struct list_ctx {
	size_t cap;
	bool u32;		/* pids, else inodes */
	void *owner;		/* the buffer or process */
};

static bool id_item(struct parser *x, int depth, void *ctx)
{
	struct list_ctx *l = ctx;
	uint64_t v;
	int err;

	(void)depth;
	if (l->u32) {
		struct snapload_buf *b = l->owner;

		if (!get_u64(x, &v, UINT32_MAX, "a pid that is not one") ||
		    (!v && !fail(x, "pid 0")))
			return false;
		err = push_u32(&b->pids, &b->nr_pids, &l->cap, v);
	} else {
		struct snapload_proc *p = l->owner;

		if (!get_u64(x, &v, UINT64_MAX, "an inode that is not one") ||
		    (!v && !fail(x, "inode 0")))
			return false;
		err = push_u64(&p->inos, &p->nr_inos, &l->cap, v);
	}
	return err ? nomem(x) : true;
}

struct item_ctx {
	bool name_hex, exp_hex, drv_hex, comm_hex;
	bool has_id;
};

static bool buf_member(struct parser *x, const char *key, int depth,
		       void *ctx)
{
	struct snapload *s = x->s;
	struct snapload_buf *b = &s->bufs[s->nr_bufs];
	struct item_ctx *c = ctx;
	struct list_ctx l = { .u32 = true, .owner = b };
	uint64_t v;

	if (!strcmp(key, "ino")) {
		c->has_id = true;
		return get_u64(x, &b->ino, UINT64_MAX, "ino: not an inode") &&
		       (b->ino || fail(x, "a buffer of inode 0"));
	}
	if (!strcmp(key, "size"))
		return get_u64(x, &b->size, UINT64_MAX, "size: not a size");
	if (!strcmp(key, "refcount")) {
		bool neg, integer;

		if (!number(x, &neg, &v, &integer))
			return false;
		if (!integer || v > INT64_MAX)
			return fail(x, "refcount: out of range");
		b->refcount = neg ? -(int64_t)v : (int64_t)v;
		return true;
	}
	if (!strcmp(key, "has_name"))
		return get_bool(x, &b->has_name);
	if (!strcmp(key, "pids")) {
		if (b->nr_pids)
			return fail(x, "pids twice");
		return array(x, depth, id_item, &l);
	}
	if (is_text_field(key, "exp_name"))
		return text_field(x, key, "exp_name", b->exp_name,
				  sizeof(b->exp_name), &c->exp_hex);
	if (is_text_field(key, "name"))
		return text_field(x, key, "name", b->name, sizeof(b->name),
				  &c->name_hex);
	if (is_text_field(key, "driver"))
		return text_field(x, key, "driver", b->driver,
				  sizeof(b->driver), &c->drv_hex);
	return skip(x, depth);
}

static bool proc_member(struct parser *x, const char *key, int depth,
			void *ctx)
{
	struct snapload *s = x->s;
	struct snapload_proc *p = &s->procs[s->nr_procs];
	struct item_ctx *c = ctx;
	struct list_ctx l = { .u32 = false, .owner = p };
	uint64_t v;

	if (!strcmp(key, "pid")) {
		c->has_id = true;
		if (!get_u64(x, &v, UINT32_MAX, "pid: not a pid"))
			return false;
		p->pid = v;
		return v || fail(x, "a process of pid 0");
	}
	if (!strcmp(key, "uid")) {
		if (!get_u64(x, &v, UINT32_MAX, "uid: not a uid"))
			return false;
		p->uid = v;
		return true;
	}
	if (!strcmp(key, "cgroup_id"))
		return get_u64(x, &p->cgroup_id, UINT64_MAX,
			       "cgroup_id: not an id");
	if (!strcmp(key, "fds") || !strcmp(key, "maps")) {
		if (!get_u64(x, &v, UINT32_MAX, "fds, maps: not a count"))
			return false;
		*(key[0] == 'f' ? &p->fds : &p->maps) = v;
		return true;
	}
	if (!strcmp(key, "inos")) {
		if (p->nr_inos)
			return fail(x, "inos twice");
		return array(x, depth, id_item, &l);
	}
	if (is_text_field(key, "comm"))
		return text_field(x, key, "comm", p->comm, sizeof(p->comm),
				  &c->comm_hex);
	return skip(x, depth);
}

struct grow_ctx {
	size_t cap;
};

static bool buf_item(struct parser *x, int depth, void *ctx)
{
	struct snapload *s = x->s;
	struct grow_ctx *g = ctx;
	struct item_ctx c = { 0 };

	if (s->nr_bufs == g->cap) {
		size_t n = g->cap ? g->cap * 2 : 64;
		struct snapload_buf *b = realloc(s->bufs, n * sizeof(*b));

		if (!b)
			return nomem(x);
		s->bufs = b;
		g->cap = n;
	}
	memset(&s->bufs[s->nr_bufs], 0, sizeof(s->bufs[0]));
	s->bufs[s->nr_bufs].refcount = -1;
	/* filled in place past the count: counted once it is whole */
	if (!object(x, depth, buf_member, &c)) {
		free(s->bufs[s->nr_bufs].pids);
		return false;
	}
	if (!c.has_id) {
		free(s->bufs[s->nr_bufs].pids);
		return fail(x, "a buffer without its ino");
	}
	s->nr_bufs++;
	return true;
}

static bool proc_item(struct parser *x, int depth, void *ctx)
{
	struct snapload *s = x->s;
	struct grow_ctx *g = ctx;
	struct item_ctx c = { 0 };

	if (s->nr_procs == g->cap) {
		size_t n = g->cap ? g->cap * 2 : 64;
		struct snapload_proc *p = realloc(s->procs, n * sizeof(*p));

		if (!p)
			return nomem(x);
		s->procs = p;
		g->cap = n;
	}
	memset(&s->procs[s->nr_procs], 0, sizeof(s->procs[0]));
	if (!object(x, depth, proc_member, &c)) {
		free(s->procs[s->nr_procs].inos);
		return false;
	}
	if (!c.has_id) {
		free(s->procs[s->nr_procs].inos);
		return fail(x, "a process without its pid");
	}
	s->nr_procs++;
	return true;
}

static void free_bufs(struct snapload *s)
{
	size_t i;

	for (i = 0; i < s->nr_bufs; i++)
		free(s->bufs[i].pids);
	free(s->bufs);
	s->bufs = NULL;
	s->nr_bufs = 0;
}

static void free_procs(struct snapload *s)
{
	size_t i;

	for (i = 0; i < s->nr_procs; i++)
		free(s->procs[i].inos);
	free(s->procs);
	s->procs = NULL;
	s->nr_procs = 0;
}

/* A document's members: its arrays replace an earlier document's. */
static bool doc_member(struct parser *x, const char *key, int depth,
		       void *ctx)
{
	struct snapload *s = x->s;
	struct grow_ctx g = { 0 };

	(void)ctx;
	if (!strcmp(key, "buffers")) {
		if (!peek(x, '['))
			return fail(x, "buffers: not an array");
		free_bufs(s);
		s->has_bufs = true;
		return array(x, depth, buf_item, &g);
	}
	if (!strcmp(key, "processes")) {
		if (!peek(x, '['))
			return fail(x, "processes: not an array");
		free_procs(s);
		s->has_procs = true;
		return array(x, depth, proc_item, &g);
	}
	if (!strcmp(key, "realtime_ns"))
		return get_u64(x, &s->realtime_ns, UINT64_MAX,
			       "realtime_ns: not a time");
	if (!strcmp(key, "backend"))
		return string(x, s->backend, sizeof(s->backend), NULL);
	return skip(x, depth);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* No two of ids (n of them) are equal; ids is sorted. */
static bool unique(uint64_t *ids, size_t n)
{
	size_t i;

	qsort(ids, n, sizeof(*ids), cmp_u64);
	for (i = 1; i < n; i++)
		if (ids[i] == ids[i - 1])
			return false;
	return true;
}

static int check_unique(struct snapload *s)
{
	size_t n = s->nr_bufs > s->nr_procs ? s->nr_bufs : s->nr_procs, i;
	uint64_t *ids = malloc((n ? n : 1) * sizeof(*ids));
	int err = 0;

	if (!ids)
		return -ENOMEM;
	for (i = 0; i < s->nr_bufs; i++)
		ids[i] = s->bufs[i].ino;
	if (!unique(ids, s->nr_bufs)) {
		snprintf(s->err, sizeof(s->err), "a buffer's inode is there twice");
		err = -EINVAL;
	}
	for (i = 0; i < s->nr_procs && !err; i++)
		ids[i] = s->procs[i].pid;
	if (!err && !unique(ids, s->nr_procs)) {
		snprintf(s->err, sizeof(s->err), "a process's pid is there twice");
		err = -EINVAL;
	}
	free(ids);
	return err;
}

int snapload_parse(const char *text, size_t len, struct snapload *s)
{
	struct parser x = { text, text, text + len, s, false };
	bool docs = false;

	memset(s, 0, sizeof(*s));
	for (;;) {
		ws(&x);
		if (x.p >= x.end)
			break;
		if (!object(&x, 1, doc_member, NULL))
			return s->err[0] ? -EINVAL : -ENOMEM;
		docs = true;
	}
	if (!docs) {
		snprintf(s->err, sizeof(s->err), "no JSON document");
		return -EINVAL;
	}
	return check_unique(s);
}

void snapload_free(struct snapload *s)
{
	free_bufs(s);
	free_procs(s);
}
