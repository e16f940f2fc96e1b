/* lexicon.c — word lists in one open-addressing hash table (see lexicon.h). */
#include "core/lexicon.h"
#include "core/paths.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#define HAN_LO 0x3400u
#define HAN_HI 0x9FFFu

struct lexicon {
	struct lex_entry *ents;     /* entries, in load order */
	size_t nents, capents;
	uint32_t *slots;            /* index+1 into ents, 0 = empty */
	size_t nslots;              /* power of two */
	int max_words;              /* longest English phrase in words */
	int max_han;                /* longest Chinese term in characters */
	unsigned char *common;      /* bitmap over HAN_LO..HAN_HI */
	size_t ncommon;
};

static const char *const cat_names[LX_NCAT] = {
	"sentiment", "negator", "intensifier", "cta", "urgency", "personal",
	"spam", "absolute", "health", "discrim", "exempt",
};

const char *lex_cat_name(enum lex_cat c)
{
	return (unsigned)c < LX_NCAT ? cat_names[c] : "?";
}

int lex_cat_from_name(const char *name)
{
	for (int i = 0; i < LX_NCAT; i++)
		if (strcmp(cat_names[i], name) == 0)
			return i;
	return -1;
}

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void rehash(struct lexicon *lx, size_t nslots)
{
	free(lx->slots);
	lx->slots = xcalloc(nslots, sizeof *lx->slots);
	lx->nslots = nslots;
	for (size_t i = 0; i < lx->nents; i++) {
		size_t j = fnv1a(lx->ents[i].term, lx->ents[i].tlen) & (nslots - 1);
		while (lx->slots[j])
			j = (j + 1) & (nslots - 1);
		lx->slots[j] = (uint32_t)(i + 1);
	}
}

const struct lex_entry *lex_find(const struct lexicon *lx, const char *term, size_t n)
{
	if (!lx->nslots)
		return NULL;
	size_t j = fnv1a(term, n) & (lx->nslots - 1);
	for (;;) {
		uint32_t k = lx->slots[j];
		if (!k)
			return NULL;
		const struct lex_entry *e = &lx->ents[k - 1];
		if (e->tlen == n && memcmp(e->term, term, n) == 0)
			return e;
		j = (j + 1) & (lx->nslots - 1);
	}
}

static struct lex_entry *entry_get(struct lexicon *lx, const char *term, size_t n)
{
	const struct lex_entry *f = lex_find(lx, term, n);
	if (f)
		return &lx->ents[f - lx->ents];
	if (lx->nents == lx->capents) {
		lx->capents = lx->capents ? lx->capents * 2 : 256;
		lx->ents = xreallocarray(lx->ents, lx->capents, sizeof *lx->ents);
	}
	struct lex_entry *e = &lx->ents[lx->nents++];
	memset(e, 0, sizeof *e);
	e->term = xstrndup(term, n);
	e->tlen = (uint32_t)n;
	if (lx->nents * 2 > lx->nslots)
		rehash(lx, lx->nslots ? lx->nslots * 2 : 1024);
	else {
		size_t j = fnv1a(term, n) & (lx->nslots - 1);
		while (lx->slots[j])
			j = (j + 1) & (lx->nslots - 1);
		lx->slots[j] = (uint32_t)lx->nents;
	}
	return e;
}

/* Normalise an English term in place: lower-case ASCII, single spaces. */
static size_t norm_term(char *t)
{
	size_t o = 0;
	int sp = 0;
	for (char *p = t; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == ' ' || c == '\t') {
			sp = o > 0;
			continue;
		}
		if (sp)
			t[o++] = ' ';
		sp = 0;
		t[o++] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
	}
	t[o] = '\0';
	return o;
}

static int add_tsv(struct lexicon *lx, const char *text, const char *origin, struct cl_err *err)
{
	int line = 0;
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		line++;
		char *l = xstrndup(p, len);
		p += len + (eol ? 1 : 0);
		size_t ll = strlen(l);
		if (ll && l[ll - 1] == '\r')
			l[--ll] = '\0';
		/* '#' starts a comment unless the line holds a tab ("#1<TAB>absolute") */
		if (!ll || (l[0] == '#' && !strchr(l, '\t'))) {
			free(l);
			continue;
		}
		char *t1 = strchr(l, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t1) {
			free(l);
			return cl_err_set(err, CL_EINVAL, "%s:%d: want term<TAB>category[<TAB>weight]",
			                  origin, line);
		}
		*t1 = '\0';
		if (t2)
			*t2 = '\0';
		int cat = lex_cat_from_name(t1 + 1);
		if (cat < 0) {
			cl_err_set(err, CL_EINVAL, "%s:%d: unknown category '%s'", origin, line, t1 + 1);
			free(l);
			return -1;
		}
		double w = 1.0;
		if (t2) {
			char *end;
			w = strtod(t2 + 1, &end);
			if (end == t2 + 1) {
				cl_err_set(err, CL_EINVAL, "%s:%d: bad weight '%s'", origin, line, t2 + 1);
				free(l);
				return -1;
			}
		}
		size_t n = norm_term(l);
		if (!n || !cl_utf8_valid(l, n)) {
			free(l);
			return cl_err_set(err, CL_EINVAL, "%s:%d: empty term or invalid UTF-8", origin, line);
		}
		struct lex_entry *e = entry_get(lx, l, n);
		e->flags |= 1u << cat;
		e->w[cat] = w;
		/* phrase length in words / Han characters */
		int words = 1, han = 0;
		for (size_t i = 0; i < n;) {
			uint32_t cp;
			if (l[i] == ' ')
				words++;
			i += ts_decode(l + i, n - i, &cp);
			han += ts_is_han(cp);
		}
		if (han) {
			size_t chars = ts_chars(l, n);
			if ((int)chars > lx->max_han)
				lx->max_han = (int)chars;
		} else if (words > lx->max_words)
			lx->max_words = words;
		free(l);
	}
	return 0;
}

static void add_common(struct lexicon *lx, const char *text)
{
	if (!lx->common)
		lx->common = xcalloc((HAN_HI - HAN_LO + 1) / 8 + 1, 1);
	size_t n = strlen(text);
	int comment = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += ts_decode(text + i, n - i, &cp);
		if (cp == '#')
			comment = 1;
		else if (cp == '\n')
			comment = 0;
		if (comment || cp < HAN_LO || cp > HAN_HI || !ts_is_han(cp))
			continue;
		uint32_t b = cp - HAN_LO;
		if (!(lx->common[b / 8] & (1u << (b % 8)))) {
			lx->common[b / 8] |= (unsigned char)(1u << (b % 8));
			lx->ncommon++;
		}
	}
}

int lex_common_han(const struct lexicon *lx, uint32_t cp)
{
	if (!lx->common || cp < HAN_LO || cp > HAN_HI)
		return 0;
	uint32_t b = cp - HAN_LO;
	return (lx->common[b / 8] >> (b % 8)) & 1;
}

size_t lex_common_count(const struct lexicon *lx) { return lx->ncommon; }
size_t lex_size(const struct lexicon *lx) { return lx->nents; }

int lex_load_text(const char *tsv, const char *origin, struct lexicon **out, struct cl_err *err)
{
	struct lexicon *lx = xcalloc(1, sizeof *lx);
	if (add_tsv(lx, tsv, origin ? origin : "lexicon", err)) {
		lex_free(lx);
		return -1;
	}
	*out = lx;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int lex_load(const char *dir, struct lexicon **out, struct cl_err *err)
{
	char *owned = NULL;
	if (!dir) {
		owned = cl_data_path("sample-data/lexicons");
		if (!owned)
			return cl_err_set(err, CL_ENOTFOUND,
			                  "sample-data/lexicons not found (set COPYLAB_HOME to the copylab folder)");
		dir = owned;
	}
	DIR *d = opendir(dir);
	if (!d) {
		cl_err_set(err, CL_EIO, "%s: cannot open the lexicon folder", dir);
		free(owned);
		return -1;
	}
	char **names = NULL;
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if ((l > 4 && strcmp(de->d_name + l - 4, ".tsv") == 0) || strcmp(de->d_name, "common_zh.txt") == 0) {
			names = xreallocarray(names, nn + 1, sizeof *names);
			names[nn++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, nn, sizeof *names, cmp_str);
	struct lexicon *lx = xcalloc(1, sizeof *lx);
	int rc = 0;
	for (size_t i = 0; i < nn; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		char *text = NULL;
		size_t len;
		if (rc == 0 && cl_read_file(path, &text, &len, err) == 0) {
			if (strcmp(names[i], "common_zh.txt") == 0)
				add_common(lx, text);
			else
				rc = add_tsv(lx, text, path, err);
		} else
			rc = -1;
		free(text);
		free(path);
		free(names[i]);
	}
	free(names);
	if (rc == 0 && lx->nents == 0)
		rc = cl_err_set(err, CL_ENOTFOUND, "%s: no *.tsv word lists", dir);
	free(owned);
	if (rc) {
		lex_free(lx);
		return -1;
	}
	*out = lx;
	return 0;
}

void lex_free(struct lexicon *lx)
{
	if (!lx)
		return;
	for (size_t i = 0; i < lx->nents; i++)
		free((char *)(uintptr_t)lx->ents[i].term);
	free(lx->ents);
	free(lx->slots);
	free(lx->common);
	free(lx);
}

void lex_hits_free(struct lex_hits *h)
{
	free(h->v);
	memset(h, 0, sizeof *h);
}

static void push_hit(struct lex_hits *h, const struct lex_entry *e, uint32_t byte, uint32_t len,
                     uint32_t ch, uint32_t nchars, uint32_t unit, uint32_t unit_end)
{
	if (e->flags == (1u << LX_EXEMPT))
		return;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 32;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	h->v[h->n++] = (struct lex_hit){ e, byte, len, ch, nchars, unit, unit_end };
}

void lex_scan(const struct lexicon *lx, const struct text_stats *ts, const char *s,
              struct lex_hits *out)
{
	out->n = 0;
	(void)s;
	for (size_t i = 0; i < ts->ntok;) {
		const struct ts_token *t = &ts->tok[i];
		if (t->kind != TS_HAN) {
			/* the longest phrase of consecutive tokens (no clause break between) */
			size_t k = 1;
			while (k < (size_t)lx->max_words && i + k < ts->ntok &&
			       ts->tok[i + k].kind != TS_HAN && ts->tok[i + k].unit == t->unit + k)
				k++;
			const struct lex_entry *e = NULL;
			for (; k >= 1; k--) {
				const struct ts_token *last = &ts->tok[i + k - 1];
				e = lex_find(lx, ts->norm + t->norm, last->norm + last->nlen - t->norm);
				if (e)
					break;
			}
			if (e) {
				const struct ts_token *last = &ts->tok[i + k - 1];
				push_hit(out, e, t->byte, last->byte + last->len - t->byte, t->ch,
				         last->ch + last->nchars - t->ch, t->unit, last->unit);
				i += k;
			} else
				i++;
			continue;
		}
		/* Han run: forward maximum matching, 3 bytes per BMP character mostly */
		const char *run = ts->norm + t->norm;
		size_t n = t->nlen, pos = 0, chpos = 0;
		while (pos < n) {
			size_t ends[16], nends = 0, q = pos;
			int maxc = lx->max_han < 16 ? lx->max_han : 16;
			while (q < n && (int)nends < maxc) {
				uint32_t cp;
				q += ts_decode(run + q, n - q, &cp);
				ends[nends++] = q;
			}
			const struct lex_entry *e = NULL;
			size_t k = nends;
			for (; k >= 1; k--) {
				e = lex_find(lx, run + pos, ends[k - 1] - pos);
				if (e)
					break;
			}
			if (e) {
				push_hit(out, e, t->byte + (uint32_t)pos, (uint32_t)(ends[k - 1] - pos),
				         t->ch + (uint32_t)chpos, (uint32_t)k, t->unit + (uint32_t)chpos,
				         t->unit + (uint32_t)(chpos + k - 1));
				pos = ends[k - 1];
				chpos += k;
			} else {
				pos = nends ? ends[0] : n;
				chpos++;
			}
		}
		i++;
	}
}
