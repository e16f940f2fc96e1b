/* template.c — prompt templates: front matter, {{tags}}, binding, rendering,
 * versions in cl_prompts (see template.h). */
#include "core/template.h"
#include "core/csv.h"
#include "core/offline.h"
#include "core/paths.h"
#include "core/profile.h"
#include "core/segment.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const channels[] = {
	"email", "sms", "push", "social", "search-ad", "landing", NULL
};

static const char *const f_email[] = { "subject", "preheader", "body", "cta", NULL };
static const char *const f_sms[] = { "text", NULL };
static const char *const f_push[] = { "title", "body", NULL };
static const char *const f_social[] = { "text", NULL };
static const char *const f_search[] = { "headline", "description", NULL };
static const char *const f_landing[] = { "headline", "subheadline", "body", "cta", NULL };

int template_channel_valid(const char *channel)
{
	for (size_t i = 0; channel && channels[i]; i++)
		if (strcmp(channel, channels[i]) == 0)
			return 1;
	return 0;
}

const char *const *template_default_fields(const char *channel)
{
	if (!channel || strcmp(channel, "email") == 0)
		return f_email;
	if (strcmp(channel, "sms") == 0)
		return f_sms;
	if (strcmp(channel, "push") == 0)
		return f_push;
	if (strcmp(channel, "social") == 0)
		return f_social;
	if (strcmp(channel, "search-ad") == 0)
		return f_search;
	if (strcmp(channel, "landing") == 0)
		return f_landing;
	return f_email;
}

void template_free(struct template *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->channel);
	free(t->language);
	free(t->tone);
	for (size_t i = 0; i < t->nfields; i++)
		free(t->fields[i]);
	free(t->fields);
	free(t->system);
	free(t->body);
	cJSON_Delete(t->extra);
	free(t->text);
	free(t->origin);
	free(t);
}

/* ---- small string helpers ---- */

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* Strip surrounding quotes ("..." or '...') with \" \\ \n escapes; returns new. */
static char *unquote(const char *v)
{
	size_t n = strlen(v);
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		struct sbuf sb = SBUF_INIT;
		for (size_t i = 1; i + 1 < n; i++) {
			if (v[i] == '\\' && i + 2 < n) {
				i++;
				sbuf_addc(&sb, v[i] == 'n' ? '\n' : v[i] == 't' ? '\t' : v[i]);
			} else {
				sbuf_addc(&sb, v[i]);
			}
		}
		return sbuf_detach(&sb);
	}
	return xstrdup(v);
}

static int is_ident_byte(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '-' || c >= 0x80;
}

static int valid_ident(const char *s)
{
	if (!*s || *s == '-')
		return 0;
	for (; *s; s++)
		if (!is_ident_byte((unsigned char)*s))
			return 0;
	return 1;
}

/* Normalise a language tag to "en" / "zh" when it is one of those. */
static char *norm_language(const char *v)
{
	char low[32];
	size_t i;
	for (i = 0; v[i] && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)v[i]);
	low[i] = 0;
	if (strcmp(low, "en") == 0 || strncmp(low, "en-", 3) == 0 || strncmp(low, "en_", 3) == 0 ||
	    strcmp(low, "english") == 0)
		return xstrdup("en");
	if (strcmp(low, "zh") == 0 || strncmp(low, "zh-", 3) == 0 || strncmp(low, "zh_", 3) == 0 ||
	    strcmp(low, "chinese") == 0 || strcmp(low, "cn") == 0 || strcmp(v, "中文") == 0 ||
	    strcmp(v, "简体中文") == 0)
		return xstrdup("zh");
	return xstrdup(low);
}

static int has_cjk(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	for (; *u; u++)
		/* U+3000..U+9FFF are lead bytes 0xE3..0xE9 */
		if (*u >= 0xE3 && *u <= 0xE9 && (u[1] & 0xC0) == 0x80)
			return 1;
	return 0;
}

/* ---- tags ---- */

enum { FILT_DEFAULT, FILT_UPPER, FILT_LOWER };

#define MAX_FILTERS 8

struct tag {
	char  *path;
	int    nf;
	int    filt[MAX_FILTERS];
	char  *arg[MAX_FILTERS];
	int    line;
	size_t start, end;   /* byte range of {{...}} in the text */
};

static void tag_clear(struct tag *t)
{
	free(t->path);
	for (int i = 0; i < t->nf; i++)
		free(t->arg[i]);
	memset(t, 0, sizeof *t);
}

static int tag_err(struct cl_err *err, const char *origin, int line, const char *what,
                   const char *s, size_t n)
{
	if (n > 60)
		n = 60;
	return cl_err_set(err, CL_EINVAL, "%s:%d: %s '%.*s'", origin ? origin : "template", line,
	                  what, (int)n, s);
}

/* Parse the tag starting at text[i] ("{{"). Fills t and returns 0, or -1 with err. */
static int parse_tag(const char *text, size_t i, int line, const char *origin, struct tag *t,
                     struct cl_err *err)
{
	const char *s = text + i;
	const char *close = NULL;
	for (const char *p = s + 2; *p && *p != '\n'; p++)
		if (p[0] == '}' && p[1] == '}') {
			close = p;
			break;
		}
	size_t eol = strcspn(s, "\n");
	if (!close)
		return tag_err(err, origin, line, "unclosed tag", s, eol);
	size_t tlen = (size_t)(close - s) + 2;
	memset(t, 0, sizeof *t);
	t->line = line;
	t->start = i;
	t->end = i + tlen;
	const char *p = s + 2, *end = close;
	while (p < end && isspace((unsigned char)*p))
		p++;
	const char *ps = p;
	while (p < end && (is_ident_byte((unsigned char)*p) || *p == '.'))
		p++;
	if (p == ps)
		return tag_err(err, origin, line, p == end || isspace((unsigned char)*p) ?
		               "empty tag" : "bad tag", s, tlen);
	t->path = xstrndup(ps, (size_t)(p - ps));
	/* Each dot-separated part must be a name. */
	if (t->path[0] == '.' || t->path[strlen(t->path) - 1] == '.' || strstr(t->path, "..")) {
		tag_clear(t);
		return tag_err(err, origin, line, "bad tag", s, tlen);
	}
	for (;;) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end)
			break;
		if (*p != '|' || t->nf == MAX_FILTERS) {
			tag_clear(t);
			return tag_err(err, origin, line, "bad tag", s, tlen);
		}
		p++;
		while (p < end && isspace((unsigned char)*p))
			p++;
		const char *fs = p;
		while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
		size_t fl = (size_t)(p - fs);
		int k = t->nf;
		t->arg[k] = NULL;
		if (fl == 7 && strncmp(fs, "default", 7) == 0) {
			t->filt[k] = FILT_DEFAULT;
			while (p < end && isspace((unsigned char)*p))
				p++;
			if (p == end || *p != ':') {
				tag_clear(t);
				return tag_err(err, origin, line, "default needs a value (|default:\"...\") in",
				               s, tlen);
			}
			p++;
			while (p < end && isspace((unsigned char)*p))
				p++;
			if (p == end || (*p != '"' && *p != '\'')) {
				tag_clear(t);
				return tag_err(err, origin, line, "default value must be quoted in", s, tlen);
			}
			char q = *p++;
			struct sbuf sb = SBUF_INIT;
			while (p < end && *p != q) {
				if (*p == '\\' && p + 1 < end)
					p++;
				sbuf_addc(&sb, *p++);
			}
			if (p == end) {
				sbuf_free(&sb);
				tag_clear(t);
				return tag_err(err, origin, line, "unterminated default value in", s, tlen);
			}
			p++;
			t->arg[k] = sbuf_detach(&sb);
		} else if (fl == 5 && strncmp(fs, "upper", 5) == 0) {
			t->filt[k] = FILT_UPPER;
		} else if (fl == 5 && strncmp(fs, "lower", 5) == 0) {
			t->filt[k] = FILT_LOWER;
		} else {
			char *name = fl ? xstrndup(fs, fl) : xstrdup("");
			cl_err_set(err, CL_EINVAL, "%s:%d: unknown filter '%s' in '%.*s' "
			           "(filters: default, upper, lower)", origin ? origin : "template", line,
			           name, (int)(tlen > 60 ? 60 : tlen), s);
			free(name);
			tag_clear(t);
			return -1;
		}
		t->nf++;
	}
	return 0;
}

/* Walk the tags of text (its first line is line0): calls fn for each literal
 * run (tag == NULL) and tag. Stops at the first parse error or fn failure. */
typedef int (*tag_fn)(void *ctx, const char *lit, size_t n, const struct tag *tag,
                      struct cl_err *err);

static int walk_tags(const char *text, int line0, const char *origin, tag_fn fn, void *ctx,
                     struct cl_err *err)
{
	size_t i = 0, lit = 0;
	int line = line0;
	if (!text)
		return 0;
	while (text[i]) {
		if (text[i] == '\n') {
			line++;
			i++;
			continue;
		}
		if (text[i] == '{' && text[i + 1] == '{') {
			struct tag t;
			if (parse_tag(text, i, line, origin, &t, err))
				return -1;
			if (i > lit && fn(ctx, text + lit, i - lit, NULL, err)) {
				tag_clear(&t);
				return -1;
			}
			int rc = fn(ctx, NULL, 0, &t, err);
			i = lit = t.end;
			tag_clear(&t);
			if (rc)
				return -1;
			continue;
		}
		i++;
	}
	if (i > lit)
		return fn(ctx, text + lit, i - lit, NULL, err);
	return 0;
}

static int check_ns(void *ctx, const char *lit, size_t n, const struct tag *tag,
                    struct cl_err *err)
{
	(void)ctx; (void)lit; (void)n; (void)tag; (void)err;
	return 0;
}

/* ---- front matter ---- */

static int set_fields(struct template *t, const char *v, const char *origin, int line,
                      struct cl_err *err)
{
	char *s = xstrdup(v), *save = NULL;
	size_t n = strlen(s);
	if (n && s[0] == '[') {
		s[0] = ' ';
		if (s[n - 1] == ']')
			s[n - 1] = ' ';
	}
	for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *f = trim_dup(tok, strlen(tok));
		char *u = unquote(f);
		free(f);
		if (!*u) {
			free(u);
			continue;
		}
		if (!valid_ident(u)) {
			cl_err_set(err, CL_EINVAL, "%s:%d: bad field name '%s'", origin, line, u);
			free(u);
			free(s);
			return -1;
		}
		t->fields = xreallocarray(t->fields, t->nfields + 1, sizeof *t->fields);
		t->fields[t->nfields++] = u;
	}
	free(s);
	return 0;
}

static int set_key(struct template *t, const char *key, const char *raw, const char *origin,
                   int line, struct cl_err *err)
{
	char *v;
	int simple = strcmp(key, "system") != 0 && strcmp(key, "name") != 0;
	/* Comments after the value ("channel: sms  # short") on simple keys. */
	if (simple && raw[0] != '"' && raw[0] != '\'') {
		const char *hash = strstr(raw, " #");
		v = trim_dup(raw, hash ? (size_t)(hash - raw) : strlen(raw));
	} else {
		v = trim_dup(raw, strlen(raw));
	}
	char *u = unquote(v);
	free(v);
	v = u;
	int rc = 0;
	if (strcmp(key, "name") == 0) {
		if (!*v || strchr(v, '@') || strchr(v, '/'))
			rc = cl_err_set(err, CL_EINVAL, "%s:%d: bad template name '%s' (no '@' or '/')",
			                origin, line, v);
		else
			free(t->name), t->name = xstrdup(v);
	} else if (strcmp(key, "channel") == 0) {
		for (char *p = v; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (strcmp(v, "searchad") == 0 || strcmp(v, "search_ad") == 0 || strcmp(v, "search") == 0) {
			free(v);
			v = xstrdup("search-ad");
		}
		if (!template_channel_valid(v))
			rc = cl_err_set(err, CL_EINVAL, "%s:%d: unknown channel '%s' (email, sms, push, "
			                "social, search-ad, landing)", origin, line, v);
		else
			free(t->channel), t->channel = xstrdup(v);
	} else if (strcmp(key, "language") == 0 || strcmp(key, "lang") == 0) {
		free(t->language);
		t->language = norm_language(v);
	} else if (strcmp(key, "fields") == 0) {
		rc = set_fields(t, v, origin, line, err);
	} else if (strcmp(key, "variants") == 0 || strcmp(key, "max_tokens") == 0) {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		long hi = key[0] == 'v' ? 100 : 100000;
		if (errno || end == v || *end || n < 1 || n > hi)
			rc = cl_err_set(err, CL_EINVAL, "%s:%d: %s wants a whole number from 1 to %ld, "
			                "not '%s'", origin, line, key, hi, v);
		else if (key[0] == 'v')
			t->variants = (int)n;
		else
			t->max_tokens = (int)n;
	} else if (strcmp(key, "temperature") == 0) {
		char *end;
		errno = 0;
		double d = strtod(v, &end);
		if (errno || end == v || *end || !(d >= 0 && d <= 2))
			rc = cl_err_set(err, CL_EINVAL, "%s:%d: temperature wants a number from 0 to 2, "
			                "not '%s'", origin, line, v);
		else
			t->temperature = d;
	} else if (strcmp(key, "tone") == 0) {
		for (char *p = v; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		free(t->tone);
		t->tone = *v ? xstrdup(v) : NULL;
	} else if (strcmp(key, "system") == 0) {
		free(t->system);
		t->system = xstrdup(v);
		t->system_line = line;
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(t->extra, key);
		cJSON_AddStringToObject(t->extra, key, v);
	}
	free(v);
	return rc;
}

/* Next line of text from *pos: sets *ls and *ll (without the newline, CR dropped). */
static int next_line(const char *text, size_t *pos, const char **ls, size_t *ll)
{
	if (!text[*pos])
		return 0;
	const char *s = text + *pos;
	size_t n = strcspn(s, "\n");
	*ls = s;
	*ll = n;
	if (n && s[n - 1] == '\r')
		(*ll)--;
	*pos += n + (s[n] == '\n');
	return 1;
}

static int line_is_fence(const char *s, size_t n)
{
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return n == 3 && memcmp(s, "---", 3) == 0;
}

/* Copy s with CRLF line ends turned into LF (files saved on Windows). */
static char *dup_lf(const char *s)
{
	char *d = xstrdup(s), *w = d;
	for (const char *p = s; *p; p++)
		if (!(p[0] == '\r' && p[1] == '\n'))
			*w++ = *p;
	*w = 0;
	return d;
}

static char *base_name(const char *origin)
{
	if (!origin)
		return NULL;
	const char *b = strrchr(origin, '/');
	b = b ? b + 1 : origin;
	const char *dot = strrchr(b, '.');
	size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
	char *s = xstrndup(b, n);
	char *at = strchr(s, '@');
	if (at)
		*at = 0;
	return s;
}

int template_parse(const char *text, const char *origin, struct template **out,
                   struct cl_err *err)
{
	struct template *t = xcalloc(1, sizeof *t);
	const char *org = origin ? origin : "template";
	size_t pos = 0, ll;
	const char *ls;
	int line = 0;
	*out = NULL;
	t->extra = cJSON_CreateObject();
	t->temperature = -1;
	t->origin = xstrdup(org);
	if (!text)
		text = "";
	if (!cl_utf8_valid(text, strlen(text))) {
		size_t bad = csv_utf8_bad(text, strlen(text)), col = 1;
		int bl = 1;
		for (size_t i = 0; i < bad; i++, col++)
			if (text[i] == '\n')
				bl++, col = 0;
		cl_err_set(err, CL_EINVAL, "%s:%d:%zu: invalid UTF-8 (byte 0x%02x)", org, bl, col,
		           (unsigned char)text[bad]);
		goto fail;
	}
	t->text = xstrdup(text);
	if (strncmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	size_t start = pos;
	if (next_line(text, &pos, &ls, &ll) && line_is_fence(ls, ll)) {
		int closed = 0;
		line = 1;
		while (next_line(text, &pos, &ls, &ll)) {
			line++;
			if (line_is_fence(ls, ll)) {
				closed = 1;
				break;
			}
			size_t k = 0;
			while (k < ll && isspace((unsigned char)ls[k]))
				k++;
			if (k == ll || ls[k] == '#')
				continue;
			const char *colon = memchr(ls, ':', ll);
			if (!colon || k > 0) {
				cl_err_set(err, CL_EINVAL, "%s:%d: expected 'key: value' in front matter, "
				           "not '%.*s'", org, line, (int)(ll > 60 ? 60 : ll), ls);
				goto fail;
			}
			char *key = trim_dup(ls, (size_t)(colon - ls));
			for (char *p = key; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			char *val = trim_dup(colon + 1, ll - (size_t)(colon + 1 - ls));
			int keyline = line;
			if (strcmp(val, "|") == 0 || strcmp(val, ">") == 0) {
				/* Block value: the following indented (or blank) lines. */
				int fold = val[0] == '>';
				struct sbuf sb = SBUF_INIT;
				size_t indent = 0, save = pos;
				int nblank = 0;
				const char *bs;
				size_t bl;
				while (next_line(text, &pos, &bs, &bl)) {
					size_t ind = 0;
					while (ind < bl && (bs[ind] == ' ' || bs[ind] == '\t'))
						ind++;
					if (ind == bl) {          /* blank line inside the block */
						nblank++;
						line++;
						save = pos;
						continue;
					}
					if (ind == 0 || line_is_fence(bs, bl))
						break;
					if (!indent)
						indent = ind;
					for (; nblank > 0 && sb.len; nblank--)
						sbuf_addc(&sb, '\n');
					nblank = 0;
					if (sb.len)
						sbuf_addc(&sb, fold ? ' ' : '\n');
					size_t cut = ind < indent ? ind : indent;
					sbuf_add(&sb, bs + cut, bl - cut);
					line++;
					save = pos;
				}
				pos = save;
				free(val);
				val = sbuf_detach(&sb);
				/* The block's text starts on the next line. */
				if (strcmp(key, "system") == 0) {
					int rc = set_key(t, key, "", org, keyline, err);
					free(t->system);
					t->system = val;
					t->system_line = keyline + 1;
					val = NULL;
					free(key);
					if (rc)
						goto fail;
					continue;
				}
			}
			int rc = set_key(t, key, val, org, keyline, err);
			free(key);
			free(val);
			if (rc)
				goto fail;
		}
		if (!closed) {
			cl_err_set(err, CL_EINVAL, "%s:1: front matter not closed by a '---' line", org);
			goto fail;
		}
		t->body_line = line + 1;
		t->body = dup_lf(text + pos);
	} else {
		t->body_line = 1;
		t->body = dup_lf(text + start);
	}
	if (!t->name)
		t->name = base_name(origin);
	if (!t->name || !*t->name) {
		cl_err_set(err, CL_EINVAL, "%s: the template has no name (add 'name:' to its front "
		           "matter)", org);
		goto fail;
	}
	if (!t->channel)
		t->channel = xstrdup("email");
	if (!t->language)
		t->language = xstrdup(has_cjk(t->body) || (t->system && has_cjk(t->system)) ? "zh" : "en");
	if (!t->nfields)
		for (const char *const *f = template_default_fields(t->channel); *f; f++) {
			t->fields = xreallocarray(t->fields, t->nfields + 1, sizeof *t->fields);
			t->fields[t->nfields++] = xstrdup(*f);
		}
	for (size_t i = 0; i < t->nfields; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(t->fields[i], t->fields[j]) == 0) {
				cl_err_set(err, CL_EINVAL, "%s: field '%s' is listed twice", org, t->fields[i]);
				goto fail;
			}
	/* Every tag must parse. */
	if (walk_tags(t->system, t->system_line, org, check_ns, NULL, err) ||
	    walk_tags(t->body, t->body_line, org, check_ns, NULL, err))
		goto fail;
	*out = t;
	return 0;
fail:
	template_free(t);
	return -1;
}

/* ---- listing tags ---- */

struct vars_ctx {
	struct tpl_var *v;
	size_t n;
	int in_system;
};

static int collect_var(void *ctx, const char *lit, size_t n, const struct tag *tag,
                       struct cl_err *err)
{
	struct vars_ctx *c = ctx;
	(void)lit; (void)n; (void)err;
	if (!tag)
		return 0;
	c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
	struct tpl_var *v = &c->v[c->n++];
	v->path = xstrdup(tag->path);
	v->line = tag->line;
	v->in_system = c->in_system;
	v->has_default = 0;
	for (int i = 0; i < tag->nf; i++)
		if (tag->filt[i] == FILT_DEFAULT)
			v->has_default = 1;
	return 0;
}

int template_vars(const struct template *t, struct tpl_var **out, size_t *n, struct cl_err *err)
{
	struct vars_ctx c = { NULL, 0, 1 };
	int rc = walk_tags(t->system, t->system_line, t->origin, collect_var, &c, err);
	c.in_system = 0;
	if (!rc)
		rc = walk_tags(t->body, t->body_line, t->origin, collect_var, &c, err);
	if (rc) {
		tpl_vars_free(c.v, c.n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	*out = c.v;
	*n = c.n;
	return 0;
}

void tpl_vars_free(struct tpl_var *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/* ---- binding ---- */

static int starts_internal(const char *name)
{
	return strncasecmp(name, "cl_", 3) == 0 || strncasecmp(name, "sqlite_", 7) == 0;
}

static cJSON *column_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return cJSON_CreateNumber((double)sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return cJSON_CreateNumber(sqlite3_column_double(st, i));
	case SQLITE_NULL:
		return cJSON_CreateNull();
	case SQLITE_BLOB:
		return cJSON_CreateString("[binary]");
	default:
		return cJSON_CreateString((const char *)sqlite3_column_text(st, i));
	}
}

/* A column that holds money by its name: price, list_price, revenue, cost... */
static int is_money_name(const char *name)
{
	static const char *const words[] = { "price", "revenue", "cost", "amount", "monetary",
	                                     "spend", "rrp", NULL };
	for (size_t i = 0; words[i]; i++)
		if (strcasestr(name, words[i]))
			return 1;
	return 0;
}

static int bind_row(struct workspace *ws, const char *spec, cJSON *o, struct cl_err *err)
{
	const char *colon = strchr(spec, ':');
	if (!colon || colon == spec || !colon[1])
		return cl_err_set(err, CL_EINVAL, "bad row '%s' (want TABLE:ID)", spec);
	char *table = xstrndup(spec, (size_t)(colon - spec));
	const char *id = colon + 1;
	int rc = -1, has_id = 0;
	sqlite3_stmt *st = NULL;
	char *q = NULL, *sql = NULL;
	if (!ws) {
		cl_err_set(err, CL_EINVAL, "row %s: no workspace", spec);
		goto out;
	}
	if (starts_internal(table) || !ws_table_exists(ws, table)) {
		cl_err_set(err, CL_ENOTFOUND, "no table '%s' in the workspace", table);
		goto out;
	}
	q = ws_quote_ident(table);
	if (ws_prepare(ws, "SELECT 1 FROM pragma_table_info(?) WHERE name = 'id' COLLATE NOCASE",
	               &st, err))
		goto out;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	has_id = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	st = NULL;
	char *end;
	errno = 0;
	long long n = strtoll(id, &end, 10);
	int is_int = !errno && end != id && !*end;
	if (has_id)
		sql = xasprintf("SELECT * FROM %s WHERE \"id\" = ?1 OR \"id\" = ?2 LIMIT 1", q);
	else
		sql = xasprintf("SELECT * FROM %s WHERE rowid = ?1 LIMIT 1", q);
	if (!has_id && !is_int) {
		cl_err_set(err, CL_EINVAL, "row %s: '%s' has no id column, so the row is a rowid "
		           "(a whole number), not '%s'", spec, table, id);
		goto out;
	}
	if (ws_prepare(ws, sql, &st, err))
		goto out;
	if (is_int)
		sqlite3_bind_int64(st, 1, n);
	else
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (has_id)
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		cJSON *row = cJSON_AddObjectToObject(o, "product");
		cJSON *money = cJSON_CreateArray();
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *cn = sqlite3_column_name(st, i);
			cJSON_AddItemToObject(row, cn, column_json(st, i));
			/* A real column named like money renders with two decimals (421.20). */
			if (sqlite3_column_type(st, i) == SQLITE_FLOAT && is_money_name(cn))
				cJSON_AddItemToArray(money, cJSON_CreateString(cn));
		}
		cJSON *r = cJSON_AddObjectToObject(o, "row");
		cJSON_AddStringToObject(r, "table", table);
		cJSON_AddStringToObject(r, "id", id);
		cJSON_AddItemToObject(r, "money", money);
		rc = 0;
	} else if (s == SQLITE_DONE) {
		cl_err_set(err, CL_ENOTFOUND, "no row with %s %s in '%s'", has_id ? "id" : "rowid", id,
		           table);
	} else {
		ws_dberr(ws, err, "reading the row");
	}
out:
	sqlite3_finalize(st);
	free(sql);
	free(q);
	free(table);
	return rc;
}

static void add_num_text(struct sbuf *sb, double v)
{
	if (fabs(v) >= 1000 || v == floor(v))
		sbuf_addf(sb, "%.0f", v);
	else
		sbuf_addf(sb, "%.1f", v);
}

/* A short line from a profile JSON (profile_to_json's shape). Columns marked
 * personal (pers) are left out: their top values would be personal data. */
static char *profile_text(const cJSON *p, const char *dataset, long long rows,
                          const struct redactor *pers)
{
	struct sbuf sb = SBUF_INIT;
	const cJSON *r = cJSON_GetObjectItem(p, "rows");
	if (cJSON_IsNumber(r))
		rows = (long long)r->valuedouble;
	if (rows >= 0)
		sbuf_addf(&sb, "%lld %s", rows, dataset && *dataset ? dataset : "rows");
	int shown = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(p, "columns")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(c, "name"));
		if (!name || strcasecmp(name, "id") == 0 || shown >= 5 ||
		    redactor_is_personal(pers, dataset, name))
			continue;
		double count = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "count"));
		double distinct = cJSON_GetNumberValue(cJSON_GetObjectItem(c, "distinct"));
		const cJSON *mean = cJSON_GetObjectItem(c, "mean");
		const cJSON *top = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "top"), 0);
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(c, "type"));
		if (!(count > 0))
			continue;
		if (cJSON_IsNumber(mean) && !(type && strcmp(type, "text") == 0) && distinct > 12) {
			sbuf_adds(&sb, sb.len ? "; " : "");
			sbuf_addf(&sb, "%s avg ", name);
			add_num_text(&sb, mean->valuedouble);
			shown++;
		} else if (top && distinct <= 50 && distinct * 2 <= count) {
			const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(top, "value"));
			double tc = cJSON_GetNumberValue(cJSON_GetObjectItem(top, "count"));
			if (!v || !*v)
				continue;
			sbuf_adds(&sb, sb.len ? "; " : "");
			sbuf_addf(&sb, "%s mostly %s (%.0f%%)", name, v, 100.0 * tc / count);
			shown++;
		}
	}
	return sbuf_detach(&sb);
}

/* Profile the segment's rows now through the segment module, which also
 * caches the profile in cl_segments; NULL when that fails. */
static char *computed_profile(struct workspace *ws, const char *segment, const char *ds,
                              long long rows, const struct redactor *pers)
{
	struct profile *seg = NULL, *whole = NULL;
	struct cl_err e = {0};
	char *out = NULL;
	if (segment_profile(ws, segment, NULL, NULL, &seg, &whole, &e) == 0 && seg) {
		cJSON *j = profile_to_json(seg);
		out = profile_text(j, ds, rows, pers);
		cJSON_Delete(j);
	}
	profile_free(seg);
	profile_free(whole);
	return out;
}

char *template_segment_profile(struct workspace *ws, const char *segment, struct cl_err *err)
{
	sqlite3_stmt *st;
	char *out = NULL;
	struct redactor *pers = redactor_new(REDACT_PERSONAL);
	struct cl_err e = {0};
	redactor_load_personal(pers, ws, &e);
	if (ws_prepare(ws, "SELECT dataset, predicate, row_count, profile FROM cl_segments "
	                   "WHERE name = ?", &st, err)) {
		redactor_free(pers);
		return NULL;
	}
	sqlite3_bind_text(st, 1, segment, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		const char *ds = (const char *)sqlite3_column_text(st, 0);
		const char *pred = (const char *)sqlite3_column_text(st, 1);
		long long rows = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
		                 sqlite3_column_int64(st, 2);
		const char *pj = (const char *)sqlite3_column_text(st, 3);
		cJSON *p = pj ? cJSON_ParseWithOpts(pj, NULL, 1) : NULL;
		if (p && cJSON_IsObject(p)) {
			out = profile_text(p, ds, rows, pers);
		} else if (pj && *pj) {
			out = xstrdup(pj);          /* stored as text already */
		} else if ((out = computed_profile(ws, segment, ds, rows, pers)) != NULL) {
			/* profiled now (and cached by segment_profile) */
		} else {
			struct sbuf sb = SBUF_INIT;
			if (rows >= 0)
				sbuf_addf(&sb, "%lld %s where %s", rows, ds ? ds : "rows", pred ? pred : "");
			else
				sbuf_addf(&sb, "%s where %s", ds ? ds : "rows", pred ? pred : "");
			out = sbuf_detach(&sb);
		}
		cJSON_Delete(p);
	} else if (s == SQLITE_DONE) {
		cl_err_set(err, CL_ENOTFOUND, "no segment '%s'", segment);
	} else {
		ws_dberr(ws, err, "reading the segment");
	}
	sqlite3_finalize(st);
	redactor_free(pers);
	return out;
}

static int bind_segment(struct workspace *ws, const char *name, cJSON *o, struct cl_err *err)
{
	sqlite3_stmt *st;
	if (!ws)
		return cl_err_set(err, CL_EINVAL, "segment %s: no workspace", name);
	char *profile = template_segment_profile(ws, name, err);
	if (!profile)
		return -1;
	cJSON *seg = cJSON_GetObjectItem(o, "segment");
	cJSON_AddStringToObject(seg, "name", name);
	cJSON_AddStringToObject(seg, "profile", profile);
	free(profile);
	if (ws_prepare(ws, "SELECT dataset, row_count FROM cl_segments WHERE name = ?", &st, err))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		cJSON_AddStringToObject(seg, "dataset", (const char *)sqlite3_column_text(st, 0));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			cJSON_AddNumberToObject(seg, "rows", (double)sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	return 0;
}

static cJSON *load_brand(struct workspace *ws)
{
	cJSON *b = NULL;
	if (ws) {
		char *v = ws_meta_get(ws, "brand");
		if (v)
			b = cJSON_Parse(v);
		free(v);
		if (b && !cJSON_IsObject(b)) {
			cJSON_Delete(b);
			b = NULL;
		}
	}
	if (!b) {
		char *path = cl_data_path("sample-data/brand.json");
		char *text = NULL;
		size_t len;
		struct cl_err e = {0};
		if (path && cl_read_file(path, &text, &len, &e) == 0)
			b = cJSON_Parse(text);
		free(text);
		free(path);
		if (b && !cJSON_IsObject(b)) {
			cJSON_Delete(b);
			b = NULL;
		}
	}
	return b ? b : cJSON_CreateObject();
}

int template_bind(struct workspace *ws, const struct tpl_bind_opts *opts, cJSON **out,
                  struct cl_err *err)
{
	cJSON *o = cJSON_CreateObject();
	*out = NULL;
	cJSON_AddObjectToObject(o, "segment");
	cJSON_AddItemToObject(o, "brand", load_brand(ws));
	cJSON *vars = cJSON_AddObjectToObject(o, "vars");
	if (opts && opts->row && *opts->row) {
		if (bind_row(ws, opts->row, o, err))
			goto fail;
	} else {
		cJSON_AddNullToObject(o, "row");
		cJSON_AddObjectToObject(o, "product");
	}
	if (opts && opts->segment && *opts->segment && bind_segment(ws, opts->segment, o, err))
		goto fail;
	for (size_t i = 0; opts && i < opts->nvars; i++) {
		const char *kv = opts->vars[i];
		const char *eq = kv ? strchr(kv, '=') : NULL;
		char *k = eq ? trim_dup(kv, (size_t)(eq - kv)) : NULL;
		if (!k || !valid_ident(k)) {
			free(k);
			cl_err_set(err, CL_EINVAL, "bad --var '%s' (want KEY=VALUE)", kv ? kv : "");
			goto fail;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(vars, k);
		cJSON_AddStringToObject(vars, k, eq + 1);
		free(k);
	}
	*out = o;
	return 0;
fail:
	cJSON_Delete(o);
	return -1;
}

/* ---- rendering ---- */

struct render_ctx {
	const struct template *t;
	const cJSON           *bind;
	const struct redactor *r;
	struct sbuf            out;
	size_t                 redacted;
};

static void value_text(const cJSON *v, struct sbuf *sb)
{
	if (cJSON_IsString(v)) {
		sbuf_adds(sb, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d == floor(d) && fabs(d) < 1e15)
			sbuf_addf(sb, "%.0f", d);
		else
			sbuf_addf(sb, "%.15g", d);
	} else if (cJSON_IsBool(v)) {
		sbuf_adds(sb, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsArray(v)) {
		const cJSON *e;
		int first = 1;
		cJSON_ArrayForEach(e, v) {
			if (!first)
				sbuf_adds(sb, ", ");
			first = 0;
			value_text(e, sb);
		}
	} else if (cJSON_IsObject(v)) {
		char *s = cJSON_PrintUnformatted(v);
		sbuf_adds(sb, s ? s : "");
		free(s);
	}
}

static const cJSON *get_ci(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return v ? v : cJSON_GetObjectItem(obj, key);
}

enum { SRC_NONE, SRC_ROW, SRC_SEGMENT, SRC_VAR, SRC_BRAND };

/* Look a path up in bind. Returns the value (or NULL), its source, and a
 * reason when it is unknown. */
static const cJSON *lookup(const cJSON *bind, const char *path, int *src, const char **why,
                           const char **col)
{
	const char *dot = strchr(path, '.');
	const cJSON *row = cJSON_GetObjectItem(bind, "row");
	const char *table = cJSON_GetStringValue(cJSON_GetObjectItem(row, "table"));
	*src = SRC_NONE;
	*why = "unknown variable";
	*col = NULL;
	if (!dot) {
		*src = SRC_VAR;
		*col = path;
		return get_ci(cJSON_GetObjectItem(bind, "vars"), path);
	}
	size_t nl = (size_t)(dot - path);
	const char *rest = dot + 1;
	if ((nl == 7 && strncmp(path, "product", 7) == 0) || (nl == 3 && strncmp(path, "row", 3) == 0) ||
	    (table && strlen(table) == nl && strncasecmp(path, table, nl) == 0)) {
		if (!table) {
			*why = "no row is bound for";
			return NULL;
		}
		*src = SRC_ROW;
		*col = rest;
		if (strchr(rest, '.'))
			return NULL;
		return get_ci(cJSON_GetObjectItem(bind, "product"), rest);
	}
	if (nl == 7 && strncmp(path, "segment", 7) == 0) {
		const cJSON *seg = cJSON_GetObjectItem(bind, "segment");
		if (strcmp(rest, "name") && strcmp(rest, "profile") && strcmp(rest, "dataset") &&
		    strcmp(rest, "rows"))
			return NULL;
		if (!cJSON_GetObjectItem(seg, "name")) {
			*why = "no segment is bound for";
			return NULL;
		}
		*src = SRC_SEGMENT;
		return cJSON_GetObjectItem(seg, rest);
	}
	if (nl == 4 && strncmp(path, "vars", 4) == 0) {
		*src = SRC_VAR;
		*col = rest;
		return get_ci(cJSON_GetObjectItem(bind, "vars"), rest);
	}
	if (nl == 5 && strncmp(path, "brand", 5) == 0) {
		const cJSON *v = cJSON_GetObjectItem(bind, "brand");
		char *copy = xstrdup(rest), *save = NULL;
		for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
			v = cJSON_IsObject(v) ? get_ci(v, k) : NULL;
		free(copy);
		*src = SRC_BRAND;
		return v;
	}
	return NULL;
}

/* Whether bound column col was marked as money (a real column named price...). */
static int is_money_col(const cJSON *bind, const char *col)
{
	const cJSON *m = cJSON_GetObjectItem(cJSON_GetObjectItem(bind, "row"), "money");
	const cJSON *e;
	cJSON_ArrayForEach(e, m)
		if (cJSON_IsString(e) && col && strcasecmp(e->valuestring, col) == 0)
			return 1;
	return 0;
}

static void case_map(char *s, int upper)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x80)
			*s = (char)(upper ? toupper((unsigned char)*s) : tolower((unsigned char)*s));
}

static int render_piece(void *ctx, const char *lit, size_t n, const struct tag *tag,
                        struct cl_err *err)
{
	struct render_ctx *c = ctx;
	if (!tag) {
		sbuf_add(&c->out, lit, n);
		return 0;
	}
	int src;
	const char *why, *col;
	const cJSON *v = lookup(c->bind, tag->path, &src, &why, &col);
	struct sbuf val = SBUF_INIT;
	int have = v != NULL;       /* a NULL in the data renders empty */
	int from_data = 0;
	if (have) {
		if (src == SRC_ROW && cJSON_IsNumber(v) && is_money_col(c->bind, col))
			sbuf_addf(&val, "%.2f", v->valuedouble);
		else
			value_text(v, &val);
		from_data = src != SRC_BRAND;
	}
	int has_default = 0;
	for (int i = 0; i < tag->nf; i++)
		if (tag->filt[i] == FILT_DEFAULT)
			has_default = 1;
	if (!have && !has_default) {
		sbuf_free(&val);
		return cl_err_set(err, CL_EINVAL, "%s:%d: %s '%s'%s", c->t->origin, tag->line, why,
		                  tag->path, strcmp(why, "no row is bound for") == 0 ?
		                  " (bind one with --row TABLE:ID)" :
		                  strcmp(why, "no segment is bound for") == 0 ?
		                  " (bind one with --segment NAME)" : "");
	}
	for (int i = 0; i < tag->nf; i++) {
		if (tag->filt[i] == FILT_DEFAULT) {
			if (!have || val.len == 0) {
				sbuf_reset(&val);
				sbuf_adds(&val, tag->arg[i]);
				have = 1;
				from_data = 0;
			}
		} else if (val.len) {
			case_map(val.buf, tag->filt[i] == FILT_UPPER);
		}
	}
	if (from_data && c->r) {
		size_t hits = 0;
		const char *table = cJSON_GetStringValue(
			cJSON_GetObjectItem(cJSON_GetObjectItem(c->bind, "row"), "table"));
		char *red = src == SRC_ROW ? redactor_value(c->r, table, col, sbuf_str(&val), &hits)
		                           : redactor_text(c->r, sbuf_str(&val), &hits);
		sbuf_adds(&c->out, red);
		c->redacted += hits;
		free(red);
	} else {
		sbuf_add(&c->out, sbuf_str(&val), val.len);
	}
	sbuf_free(&val);
	return 0;
}

int template_unknown_vars(const struct template *t, const cJSON *bind, struct tpl_var **out,
                          size_t *n, struct cl_err *err)
{
	struct tpl_var *all;
	size_t na, k = 0;
	cJSON *empty = bind ? NULL : cJSON_CreateObject();
	*out = NULL;
	*n = 0;
	if (template_vars(t, &all, &na, err)) {
		cJSON_Delete(empty);
		return -1;
	}
	for (size_t i = 0; i < na; i++) {
		int src;
		const char *why, *col;
		if (all[i].has_default || lookup(bind ? bind : empty, all[i].path, &src, &why, &col)) {
			free(all[i].path);
			continue;
		}
		all[k++] = all[i];
	}
	cJSON_Delete(empty);
	if (!k) {
		free(all);
		return 0;
	}
	*out = all;
	*n = k;
	return 0;
}

static void add_names(char ***v, size_t *n, const char *prefix, const cJSON *obj, int depth)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, obj) {
		if (!e->string)
			continue;
		char *name = *prefix ? xasprintf("%s.%s", prefix, e->string) : xstrdup(e->string);
		if (cJSON_IsObject(e) && depth < 4) {
			add_names(v, n, name, e, depth + 1);
			free(name);
			continue;
		}
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[(*n)++] = name;
	}
}

char **template_bind_names(const cJSON *bind, size_t *n)
{
	char **v = NULL;
	*n = 0;
	add_names(&v, n, "product", cJSON_GetObjectItem(bind, "product"), 4);
	add_names(&v, n, "segment", cJSON_GetObjectItem(bind, "segment"), 4);
	add_names(&v, n, "brand", cJSON_GetObjectItem(bind, "brand"), 1);
	add_names(&v, n, "", cJSON_GetObjectItem(bind, "vars"), 4);
	return v;
}

char *template_format_instruction(const struct template *t)
{
	struct sbuf sb = SBUF_INIT;
	int zh = t->language && strcmp(t->language, "zh") == 0;
	if (zh)
		sbuf_adds(&sb, "只回复一个 JSON 对象，不要任何其他文字。它的键正好是：");
	else
		sbuf_adds(&sb, "Reply with one JSON object and nothing else. Its keys are exactly: ");
	for (size_t i = 0; i < t->nfields; i++) {
		if (i)
			sbuf_adds(&sb, zh ? "、" : ", ");
		sbuf_addf(&sb, "\"%s\"", t->fields[i]);
	}
	sbuf_adds(&sb, zh ? "。每个值都是字符串。" : ". Every value is a string.");
	int any = 0;
	for (size_t i = 0; i < t->nfields; i++) {
		size_t lim = offline_field_limit(t->channel, t->fields[i], t->language);
		if (!lim)
			continue;
		if (!any)
			sbuf_adds(&sb, zh ? "长度上限：" : " Length limits in characters: ");
		else
			sbuf_adds(&sb, zh ? "，" : ", ");
		/* Limits are display columns (an SMS: characters); a Chinese
		 * character takes two columns. */
		if (zh && strcmp(t->channel, "sms") != 0)
			lim /= 2;
		sbuf_addf(&sb, zh ? "%s 不超过 %zu 个字" : "%s at most %zu", t->fields[i], lim);
		any = 1;
	}
	if (any)
		sbuf_adds(&sb, zh ? "。" : ".");
	if (zh)
		sbuf_adds(&sb, "请用简体中文写作。");
	else if (t->language && strcmp(t->language, "en") == 0)
		sbuf_adds(&sb, " Write in English.");
	if (t->tone)
		sbuf_addf(&sb, zh ? "语气：%s。" : " Tone: %s.", t->tone);
	return sbuf_detach(&sb);
}

void tpl_messages_clear(struct tpl_messages *m)
{
	if (!m)
		return;
	FREE(&m->system);
	FREE(&m->user);
	m->redacted = 0;
}

int template_render(const struct template *t, const cJSON *bind, const struct redactor *redactor,
                    unsigned flags, struct tpl_messages *out, struct cl_err *err)
{
	struct render_ctx c = { t, bind, redactor, SBUF_INIT, 0 };
	cJSON *empty = NULL;
	memset(out, 0, sizeof *out);
	if (!bind)
		c.bind = empty = cJSON_CreateObject();
	if (t->system) {
		if (walk_tags(t->system, t->system_line, t->origin, render_piece, &c, err))
			goto fail;
		/* Trim trailing newlines of the system text. */
		while (c.out.len && c.out.buf[c.out.len - 1] == '\n')
			c.out.buf[--c.out.len] = 0;
		out->system = sbuf_detach(&c.out);
	}
	if (walk_tags(t->body, t->body_line, t->origin, render_piece, &c, err))
		goto fail;
	while (c.out.len && (c.out.buf[c.out.len - 1] == '\n' || c.out.buf[c.out.len - 1] == ' '))
		c.out.buf[--c.out.len] = 0;
	size_t lead = 0;
	while (lead < c.out.len && c.out.buf[lead] == '\n')
		lead++;
	out->user = xstrdup(sbuf_str(&c.out) + lead);
	sbuf_free(&c.out);
	if (!(flags & TPL_RENDER_BARE)) {
		char *ins = template_format_instruction(t);
		if (out->system && *out->system) {
			char *s = xasprintf("%s\n\n%s", out->system, ins);
			free(out->system);
			free(ins);
			out->system = s;
		} else {
			free(out->system);
			out->system = ins;
		}
	}
	out->redacted = c.redacted;
	cJSON_Delete(empty);
	return 0;
fail:
	sbuf_free(&c.out);
	tpl_messages_clear(out);
	cJSON_Delete(empty);
	return -1;
}

/* ---- storage ---- */

int template_save(struct workspace *ws, const char *text, const char *origin,
                  long long *id, int *version, int *created, struct cl_err *err)
{
	struct template *t;
	sqlite3_stmt *st = NULL;
	long long prev_id = 0, new_id = 0;
	int prev_ver = 0, same = 0;
	if (template_parse(text, origin, &t, err))
		return -1;
	if (ws_begin(ws, err))
		goto fail;
	if (ws_prepare(ws, "SELECT id, version, body FROM cl_prompts WHERE name = ? "
	                   "ORDER BY version DESC LIMIT 1", &st, err))
		goto fail_tx;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		prev_id = sqlite3_column_int64(st, 0);
		prev_ver = sqlite3_column_int(st, 1);
		const char *body = (const char *)sqlite3_column_text(st, 2);
		same = body && strcmp(body, text) == 0;
	} else if (s != SQLITE_DONE) {
		ws_dberr(ws, err, "reading templates");
		goto fail_tx;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (same) {
		new_id = prev_id;
	} else {
		char *now = ws_now_iso();
		if (ws_prepare(ws, "INSERT INTO cl_prompts(name, version, parent_id, body, created_at) "
		                   "VALUES(?, ?, ?, ?, ?)", &st, err)) {
			free(now);
			goto fail_tx;
		}
		sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, prev_ver + 1);
		if (prev_id)
			sqlite3_bind_int64(st, 3, prev_id);
		else
			sqlite3_bind_null(st, 3);
		sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
		free(now);
		if (sqlite3_step(st) != SQLITE_DONE) {
			ws_dberr(ws, err, "saving the template");
			goto fail_tx;
		}
		new_id = sqlite3_last_insert_rowid(ws->db);
		sqlite3_finalize(st);
		st = NULL;
	}
	if (ws_commit(ws, err))
		goto fail_tx;
	if (id)
		*id = new_id;
	if (version)
		*version = same ? prev_ver : prev_ver + 1;
	if (created)
		*created = !same;
	template_free(t);
	return 0;
fail_tx:
	sqlite3_finalize(st);
	ws_rollback(ws);
fail:
	template_free(t);
	return -1;
}

int template_import(struct workspace *ws, const char *path, long long *id, int *version,
                    int *created, struct cl_err *err)
{
	char *text = NULL;
	size_t len;
	if (cl_read_file(path, &text, &len, err))
		return -1;
	if (strlen(text) != len) {
		free(text);
		return cl_err_set(err, CL_EINVAL, "%s: holds a NUL byte; not a template", path);
	}
	int rc = template_save(ws, text, path, id, version, created, err);
	free(text);
	return rc;
}

static void info_from_row(sqlite3_stmt *st, struct tpl_info *v, int with_count)
{
	memset(v, 0, sizeof *v);
	v->id = sqlite3_column_int64(st, 0);
	v->name = xstrdup((const char *)sqlite3_column_text(st, 1));
	v->version = sqlite3_column_int(st, 2);
	v->parent_id = sqlite3_column_int64(st, 3);
	const char *c = (const char *)sqlite3_column_text(st, 4);
	v->created_at = xstrdup(c ? c : "");
	const char *body = (const char *)sqlite3_column_text(st, 5);
	struct template *t = NULL;
	struct cl_err e = {0};
	if (body && template_parse(body, v->name, &t, &e) == 0) {
		v->channel = xstrdup(t->channel);
		v->language = xstrdup(t->language);
		template_free(t);
	} else {
		v->channel = xstrdup("?");
		v->language = xstrdup("?");
	}
	v->nversions = with_count ? sqlite3_column_int(st, 6) : 0;
}

static int info_query(struct workspace *ws, const char *sql, const char *name, int with_count,
                      struct tpl_info **out, size_t *n, struct cl_err *err)
{
	sqlite3_stmt *st;
	struct tpl_info *v = NULL;
	size_t k = 0;
	int s;
	*out = NULL;
	*n = 0;
	if (ws_prepare(ws, sql, &st, err))
		return -1;
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, k + 1, sizeof *v);
		info_from_row(st, &v[k++], with_count);
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE) {
		tpl_info_free(v, k);
		return ws_dberr(ws, err, "listing templates");
	}
	*out = v;
	*n = k;
	return 0;
}

int template_list(struct workspace *ws, struct tpl_info **out, size_t *n, struct cl_err *err)
{
	return info_query(ws, "SELECT p.id, p.name, p.version, p.parent_id, p.created_at, p.body, "
	                      " (SELECT count(*) FROM cl_prompts q WHERE q.name = p.name) "
	                      "FROM cl_prompts p WHERE p.version = "
	                      " (SELECT max(version) FROM cl_prompts q WHERE q.name = p.name) "
	                      "ORDER BY p.name", NULL, 1, out, n, err);
}

int template_history(struct workspace *ws, const char *name, struct tpl_info **out, size_t *n,
                     struct cl_err *err)
{
	if (info_query(ws, "SELECT id, name, version, parent_id, created_at, body FROM cl_prompts "
	                   "WHERE name = ? ORDER BY version", name, 0, out, n, err))
		return -1;
	if (!*n)
		return cl_err_set(err, CL_ENOTFOUND, "no template '%s'", name);
	return 0;
}

void tpl_info_free(struct tpl_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].created_at);
		free(v[i].channel);
		free(v[i].language);
	}
	free(v);
}

static int load_stmt(struct workspace *ws, sqlite3_stmt *st, const char *what,
                     struct template **out, struct cl_err *err)
{
	int s = sqlite3_step(st);
	if (s != SQLITE_ROW) {
		if (s == SQLITE_DONE)
			return cl_err_set(err, CL_ENOTFOUND, "no template %s", what);
		return ws_dberr(ws, err, "loading the template");
	}
	char *origin = xasprintf("%s@%d", (const char *)sqlite3_column_text(st, 1),
	                         sqlite3_column_int(st, 2));
	int rc = template_parse((const char *)sqlite3_column_text(st, 4), origin, out, err);
	free(origin);
	if (rc)
		return -1;
	(*out)->id = sqlite3_column_int64(st, 0);
	(*out)->version = sqlite3_column_int(st, 2);
	(*out)->parent_id = sqlite3_column_int64(st, 3);
	return 0;
}

int template_load(struct workspace *ws, const char *spec, struct template **out,
                  struct cl_err *err)
{
	sqlite3_stmt *st;
	const char *at = strrchr(spec, '@');
	char *name = at ? xstrndup(spec, (size_t)(at - spec)) : xstrdup(spec);
	long ver = 0;
	int rc;
	*out = NULL;
	if (at) {
		char *end;
		errno = 0;
		ver = strtol(at + 1, &end, 10);
		if (errno || end == at + 1 || *end || ver < 1) {
			free(name);
			return cl_err_set(err, CL_EINVAL, "bad version in '%s' (want NAME@N)", spec);
		}
	}
	if (ws_prepare(ws, ver ? "SELECT id, name, version, parent_id, body FROM cl_prompts "
	                         "WHERE name = ?1 AND version = ?2"
	                       : "SELECT id, name, version, parent_id, body FROM cl_prompts "
	                         "WHERE name = ?1 ORDER BY version DESC LIMIT 1", &st, err)) {
		free(name);
		return -1;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (ver)
		sqlite3_bind_int(st, 2, (int)ver);
	char *what = xasprintf("'%s'", spec);
	rc = load_stmt(ws, st, what, out, err);
	free(what);
	sqlite3_finalize(st);
	free(name);
	return rc;
}

int template_load_id(struct workspace *ws, long long id, struct template **out,
                     struct cl_err *err)
{
	sqlite3_stmt *st;
	*out = NULL;
	if (ws_prepare(ws, "SELECT id, name, version, parent_id, body FROM cl_prompts WHERE id = ?",
	               &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	char *what = xasprintf("with id %lld", id);
	int rc = load_stmt(ws, st, what, out, err);
	free(what);
	sqlite3_finalize(st);
	return rc;
}

int template_open(struct workspace *ws, const char *name_or_file, struct template **out,
                  struct cl_err *err)
{
	struct stat sb;
	*out = NULL;
	if (stat(name_or_file, &sb) == 0 && S_ISREG(sb.st_mode)) {
		long long id;
		if (template_import(ws, name_or_file, &id, NULL, NULL, err))
			return -1;
		return template_load_id(ws, id, out, err);
	}
	return template_load(ws, name_or_file, out, err);
}

/* ---- diff ---- */

struct lines {
	const char **s;
	size_t *n;
	size_t count;
};

static void split_lines(const char *text, struct lines *l)
{
	size_t pos = 0, ll;
	const char *ls;
	memset(l, 0, sizeof *l);
	while (text && next_line(text, &pos, &ls, &ll)) {
		l->s = xreallocarray(l->s, l->count + 1, sizeof *l->s);
		l->n = xreallocarray(l->n, l->count + 1, sizeof *l->n);
		l->s[l->count] = ls;
		l->n[l->count++] = ll;
	}
}

static int line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->n[i] == b->n[j] && memcmp(a->s[i], b->s[j], a->n[i]) == 0;
}

char *template_diff(const char *old_text, const char *new_text)
{
	struct lines a, b;
	struct sbuf sb = SBUF_INIT;
	split_lines(old_text, &a);
	split_lines(new_text, &b);
	size_t pre = 0, suf = 0;
	while (pre < a.count && pre < b.count && line_eq(&a, pre, &b, pre))
		pre++;
	while (suf < a.count - pre && suf < b.count - pre &&
	       line_eq(&a, a.count - 1 - suf, &b, b.count - 1 - suf))
		suf++;
	size_t n = a.count - pre - suf, m = b.count - pre - suf;
	for (size_t i = 0; i < pre; i++)
		sbuf_addf(&sb, " %.*s\n", (int)a.n[i], a.s[i]);
	if (n * m <= 4000000) {
		/* LCS table over the middle, then walk it. */
		unsigned *t = xcalloc((n + 1) * (m + 1), sizeof *t);
#define T(i, j) t[(i) * (m + 1) + (j)]
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;)
				T(i, j) = line_eq(&a, pre + i, &b, pre + j) ? T(i + 1, j + 1) + 1 :
				          (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
		size_t i = 0, j = 0;
		while (i < n || j < m) {
			if (i < n && j < m && line_eq(&a, pre + i, &b, pre + j)) {
				sbuf_addf(&sb, " %.*s\n", (int)a.n[pre + i], a.s[pre + i]);
				i++, j++;
			} else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1))) {
				sbuf_addf(&sb, "-%.*s\n", (int)a.n[pre + i], a.s[pre + i]);
				i++;
			} else {
				sbuf_addf(&sb, "+%.*s\n", (int)b.n[pre + j], b.s[pre + j]);
				j++;
			}
		}
#undef T
		free(t);
	} else {
		for (size_t i = 0; i < n; i++)
			sbuf_addf(&sb, "-%.*s\n", (int)a.n[pre + i], a.s[pre + i]);
		for (size_t j = 0; j < m; j++)
			sbuf_addf(&sb, "+%.*s\n", (int)b.n[pre + j], b.s[pre + j]);
	}
	for (size_t i = a.count - suf; i < a.count; i++)
		sbuf_addf(&sb, " %.*s\n", (int)a.n[i], a.s[i]);
	free(a.s);
	free(a.n);
	free(b.s);
	free(b.n);
	return sbuf_detach(&sb);
}
