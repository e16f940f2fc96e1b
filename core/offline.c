/* offline.c — the built-in offline copy generator (see offline.h).
 *
 * How a variant is made. The request's seed, language, channel, tone,
 * product and prompt hash into `base`, which fixes where each phrase list
 * starts. The "primary" phrase of a field (the hook of a body, the subject
 * line, the push title, the search headline) is taken at base + variant, so
 * variants 0..N-1 walk a list of twelve or so phrases and never repeat while
 * the list is long enough; secondary choices (which benefit, whether to add
 * proof, which call to action) come from a generator seeded with the variant,
 * which varies the rest. A phrase is usable only when every {placeholder} in
 * it has a value, so copy never says "Save {discount}" for an item with no
 * discount. Fields are assembled from sentences with priorities and fitted to
 * the channel's limit by dropping the least important sentences first, then
 * shortening the product name, then cutting at a word boundary.
 */
#include "core/offline.h"
#include "core/paths.h"
#include "core/template.h"
#include "core/textstat.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct offline_phrasebook {
	cJSON *root;
	char  *path;
};

int offline_phrasebook_load(const char *path, struct offline_phrasebook **out,
                            struct cl_err *err)
{
	char *p = path ? xstrdup(path) : cl_data_path("sample-data/phrasebook.json");
	char *text = NULL;
	size_t len;
	*out = NULL;
	if (!p)
		return cl_err_set(err, CL_ENOTFOUND, "sample-data/phrasebook.json not found "
		                  "(set COPYLAB_HOME to the folder holding sample-data/)");
	if (cl_read_file(p, &text, &len, err)) {
		free(p);
		return -1;
	}
	cJSON *root = cJSON_Parse(text);
	free(text);
	if (!root || !cJSON_IsObject(cJSON_GetObjectItem(root, "en")) ||
	    !cJSON_IsObject(cJSON_GetObjectItem(root, "zh"))) {
		cJSON_Delete(root);
		cl_err_set(err, CL_EINVAL, "%s: not a phrasebook (want a JSON object with \"en\" and "
		           "\"zh\" sections)", p);
		free(p);
		return -1;
	}
	struct offline_phrasebook *pb = xcalloc(1, sizeof *pb);
	pb->root = root;
	pb->path = p;
	*out = pb;
	return 0;
}

void offline_phrasebook_free(struct offline_phrasebook *pb)
{
	if (!pb)
		return;
	cJSON_Delete(pb->root);
	free(pb->path);
	free(pb);
}

/* ---- UTF-8 ---- */

static size_t u8_next(const char *s, size_t i, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned c = u[i];
	size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
	           (c & 0xF8) == 0xF0 ? 4 : 1;
	uint32_t v = k == 1 ? c : k == 2 ? (c & 0x1F) : k == 3 ? (c & 0x0F) : (c & 0x07);
	for (size_t j = 1; j < k; j++) {
		if ((u[i + j] & 0xC0) != 0x80) {
			if (cp)
				*cp = 0xFFFD;
			return 1;
		}
		v = (v << 6) | (u[i + j] & 0x3F);
	}
	if (cp)
		*cp = v;
	return k;
}

size_t offline_utf8_len(const char *s)
{
	size_t n = 0;
	for (size_t i = 0; s && s[i]; i += u8_next(s, i, NULL))
		n++;
	return n;
}

static int is_cjk_cp(uint32_t c)
{
	return (c >= 0x3000 && c <= 0x9FFF) || (c >= 0xFF00 && c <= 0xFFEF);
}

size_t offline_token_estimate(const char *text)
{
	size_t ascii = 0, cjk = 0, other = 0;
	uint32_t cp;
	for (size_t i = 0, k; text && text[i]; i += k) {
		k = u8_next(text, i, &cp);
		if ((unsigned char)text[i] < 0x80) {
			ascii++;
		} else if (is_cjk_cp(cp)) {
			cjk++;
		} else {
			other++;
		}
	}
	size_t t = (ascii + 3) / 4 + cjk + (other + 1) / 2;
	return t == 0 && text && *text ? 1 : t;
}

size_t offline_field_limit(const char *channel, const char *field, const char *language)
{
	int zh = language && (strncasecmp(language, "zh", 2) == 0 || strcmp(language, "cn") == 0);
	const char *ch = channel ? channel : "email";
	const char *f = field ? field : "";
	int cta = !strcmp(f, "cta") || !strcmp(f, "button") || !strcmp(f, "call_to_action");
	if (strcmp(ch, "sms") == 0)
		return zh ? 70 : 160;
	if (strcmp(ch, "search-ad") == 0)
		return strncmp(f, "headline", 8) == 0 || strcmp(f, "title") == 0 ? 30 : 90;
	if (cta)
		return 25;
	if (strcmp(ch, "social") == 0)
		return 280;
	if (strcmp(ch, "push") == 0)
		return strcmp(f, "title") == 0 || strcmp(f, "headline") == 0 ? 40 : 120;
	if (strcmp(f, "subject") == 0 || strcmp(f, "subject_line") == 0)
		return 60;
	if (strcmp(f, "preheader") == 0)
		return 90;
	if (strcmp(f, "title") == 0 || strcmp(f, "headline") == 0 || strcmp(f, "tagline") == 0)
		return 60;
	if (strcmp(f, "subheadline") == 0)
		return 120;
	if (strcmp(f, "description") == 0)
		return 160;
	return 0;
}

static const char *const mut_names[] = {
	"none", "shorten", "sharpen_cta", "add_urgency", "add_proof", "change_tone", "personalise",
};

enum offline_mutation offline_mutation_parse(const char *name)
{
	char buf[32];
	size_t i;
	if (!name)
		return OFFLINE_MUT_NONE;
	for (i = 0; name[i] && i + 1 < sizeof buf; i++)
		buf[i] = name[i] == '-' ? '_' : (char)tolower((unsigned char)name[i]);
	buf[i] = 0;
	if (strcmp(buf, "personalize") == 0)
		return OFFLINE_MUT_PERSONALISE;
	if (strcmp(buf, "sharpen") == 0 || strcmp(buf, "cta") == 0)
		return OFFLINE_MUT_SHARPEN_CTA;
	if (strcmp(buf, "urgency") == 0)
		return OFFLINE_MUT_ADD_URGENCY;
	if (strcmp(buf, "proof") == 0)
		return OFFLINE_MUT_ADD_PROOF;
	if (strcmp(buf, "tone") == 0)
		return OFFLINE_MUT_CHANGE_TONE;
	for (int m = 1; m < OFFLINE_MUT_COUNT; m++)
		if (strcmp(buf, mut_names[m]) == 0)
			return (enum offline_mutation)m;
	return OFFLINE_MUT_NONE;
}

const char *offline_mutation_name(enum offline_mutation m)
{
	return m >= 0 && m < OFFLINE_MUT_COUNT ? mut_names[m] : "none";
}

/* ---- randomness ---- */

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t fnv(uint64_t h, const char *s)
{
	if (!s)
		s = "";
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001B3ULL;
	return (h ^ 0xFF) * 0x100000001B3ULL;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t s = a ^ (b * 0x9E3779B97F4A7C15ULL);
	return splitmix(&s);
}

/* ---- context ---- */

enum { V_PRODUCT, V_SHORT, V_PRICE, V_DISCOUNT, V_ZHE, V_FEATURE, V_FEATURE2, V_BENEFIT,
       V_CATEGORY, V_BRAND, V_BRANDTAG, V_AUDIENCE, V_SEGMENT, V_COUNT };

static const char *const var_names[V_COUNT] = {
	"product", "short", "price", "discount", "zhe", "feature", "feature2", "benefit",
	"category", "brand", "brandtag", "audience", "segment",
};

struct ctx {
	const cJSON *lang;       /* the phrasebook's language section */
	const cJSON *root;
	int          zh;
	const char  *channel;
	char         tone[16];
	uint64_t     base;       /* variant-independent */
	uint64_t     rng;        /* variant-dependent stream */
	int          variant;
	int          use_short;  /* {product} expands to the short name */
	char        *v[V_COUNT];
	char        *sms_prefix; /* brand.json channels.sms.prefix_en/_zh, else NULL */
	char        *sms_optout; /* brand.json channels.sms.opt_out_en/_zh, else NULL */
};

static void ctx_clear(struct ctx *c)
{
	for (int i = 0; i < V_COUNT; i++)
		free(c->v[i]);
	free(c->sms_prefix);
	free(c->sms_optout);
}


static uint64_t rnd(struct ctx *c, uint64_t n)
{
	return n ? splitmix(&c->rng) % n : 0;
}

static const cJSON *sect(const struct ctx *c, const char *name)
{
	return cJSON_GetObjectItem(c->lang, name);
}

/* The SMS opt-out line: the brand's, else the phrasebook's. */
static const char *optout_text(const struct ctx *c)
{
	return c->sms_optout ? c->sms_optout : cJSON_GetStringValue(sect(c, "optout"));
}

static const cJSON *sect2(const struct ctx *c, const char *name, const char *sub)
{
	const cJSON *s = cJSON_GetObjectItem(sect(c, name), sub);
	if (!s)
		s = cJSON_GetObjectItem(sect(c, name), "plain");
	return s;
}

/* Expand {placeholders}; NULL when one has no value. Caller frees. */
static char *expand(const struct ctx *c, const char *phrase)
{
	struct sbuf sb = SBUF_INIT;
	const char *p = phrase;
	while (*p) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			if (e) {
				size_t n = (size_t)(e - p - 1);
				const char *val = NULL;
				int found = 0;
				for (int i = 0; i < V_COUNT; i++)
					if (strlen(var_names[i]) == n && strncmp(p + 1, var_names[i], n) == 0) {
						int k = i == V_PRODUCT && c->use_short && c->v[V_SHORT] ? V_SHORT : i;
						val = c->v[k];
						found = 1;
					}
				if (found) {
					if (!val || !*val) {
						sbuf_free(&sb);
						return NULL;
					}
					sbuf_adds(&sb, val);
					p = e + 1;
					continue;
				}
			}
		}
		sbuf_addc(&sb, *p++);
	}
	/* A phrase that opens with a lower-case value opens a sentence:
	 * "our new range is here" -> "Our new range is here" (but "iPhone" stays). */
	if (phrase[0] == '{' && sb.len > 1 && islower((unsigned char)sb.buf[0]) &&
	    !isupper((unsigned char)sb.buf[1]))
		sb.buf[0] = (char)toupper((unsigned char)sb.buf[0]);
	return sbuf_detach(&sb);
}

/* How copy is measured, as the channel-fit scorer does: an SMS in GSM-7
 * septets when every character is in that alphabet (limit 160), otherwise in
 * UCS-2 characters (at most 70); everything else in display columns, East
 * Asian characters counting two. */
static int is_sms(const struct ctx *c)
{
	return c->channel && strcmp(c->channel, "sms") == 0;
}

static int all_gsm7(const char *s)
{
	uint32_t cp;
	for (size_t i = 0, k; s[i]; i += k) {
		k = u8_next(s, i, &cp);
		if (!ts_gsm7_septets(cp))
			return 0;
	}
	return 1;
}

/* The unit cost of code point cp in this channel (gsm: the text is GSM-7). */
static size_t cp_cost(const struct ctx *c, uint32_t cp, int gsm)
{
	if (is_sms(c))
		return gsm ? (size_t)ts_gsm7_septets(cp) : 1;
	return (size_t)ts_cp_width(cp) ? (size_t)ts_cp_width(cp) : 0;
}

static size_t sms_budget(size_t limit, int gsm)
{
	return gsm ? limit : (limit < 70 ? limit : 70);
}

static size_t measure(const struct ctx *c, const char *s, int gsm)
{
	size_t m = 0;
	uint32_t cp;
	for (size_t i = 0, k; s[i]; i += k) {
		k = u8_next(s, i, &cp);
		m += cp_cost(c, cp, gsm);
	}
	return m;
}

static int fits(const struct ctx *c, const char *s, size_t limit)
{
	if (!limit)
		return 1;
	if (is_sms(c)) {
		int gsm = all_gsm7(s);
		return measure(c, s, gsm) <= sms_budget(limit, gsm);
	}
	/* Never more characters than the limit, and never more columns. */
	return offline_utf8_len(s) <= limit && measure(c, s, 0) <= limit;
}

/* Cut s to fit limit (see fits), at a word boundary for Latin text, with an
 * ellipsis when ell is set ("..." in an SMS, which keeps it GSM-7). Returns new. */
static char *cut(const struct ctx *c, const char *s, size_t limit, int ell)
{
	if (!limit || fits(c, s, limit))
		return xstrdup(s);
	int gsm = is_sms(c) && all_gsm7(s);
	const char *dots = is_sms(c) ? "..." : "…";
	size_t budget = is_sms(c) ? sms_budget(limit, gsm) : limit;
	size_t keep = ell ? (budget > 3 ? budget - (is_sms(c) ? 3 : 1) : 0) : budget;
	size_t i = 0, used = 0, last_space = 0;
	uint32_t cp;
	while (s[i]) {
		size_t k = u8_next(s, i, &cp);
		if ((unsigned char)s[i] < 0x80)
			cp = (unsigned char)s[i];
		size_t cost = cp_cost(c, cp, gsm);
		if (used + cost > keep)
			break;
		if (s[i] == ' ')
			last_space = i;
		used += cost;
		i += k;
	}
	size_t end = i;
	if (last_space && end - last_space < 16 && !c->zh)
		end = last_space;
	while (end && (s[end - 1] == ' ' || s[end - 1] == ',' || s[end - 1] == ':'))
		end--;
	char *r = xstrndup(s, end);
	if (ell) {
		char *t = xasprintf("%s%s", r, dots);
		free(r);
		r = t;
	}
	return r;
}

enum { PICK_ROT, PICK_RAND };

/* Choose a usable phrase from arr: at base+salt+variant (PICK_ROT) or at
 * random (PICK_RAND), the first from there that fits limit (trying the short
 * product name too); the first usable one cut to size when none fits; NULL
 * when none is usable. Caller frees. */
static char *pick(struct ctx *c, const cJSON *arr, const char *salt, int mode, size_t limit)
{
	int n = cJSON_GetArraySize(arr);
	if (n <= 0)
		return NULL;
	uint64_t start = mix(c->base, fnv(0xcbf29ce484222325ULL, salt));
	if (mode == PICK_ROT && limit) {
		/* Rotate among the phrases that fit, so that variants whose own
		 * phrase is too long do not all fall onto the same neighbour. */
		char **ok = xcalloc((size_t)n, sizeof *ok);
		size_t nok = 0;
		for (int k = 0; k < n; k++) {
			const char *ph = cJSON_GetStringValue(cJSON_GetArrayItem(arr, k));
			char *s = ph ? expand(c, ph) : NULL;
			if (s && !fits(c, s, limit)) {
				int saved = c->use_short;
				c->use_short = 1;
				char *t = expand(c, ph);
				c->use_short = saved;
				free(s);
				s = t && fits(c, t, limit) ? t : (free(t), NULL);
			}
			if (s)
				ok[nok++] = s;
		}
		char *r = NULL;
		if (nok) {
			size_t at = (size_t)((start + (uint64_t)c->variant) % nok);
			r = ok[at];
			ok[at] = NULL;
		}
		for (size_t i = 0; i < nok; i++)
			free(ok[i]);
		free(ok);
		if (r)
			return r;
	}
	size_t idx0 = mode == PICK_ROT ? (size_t)((start + (uint64_t)c->variant) % (uint64_t)n)
	                               : (size_t)rnd(c, (uint64_t)n);
	char *first = NULL;
	for (int k = 0; k < n; k++) {
		const char *ph = cJSON_GetStringValue(cJSON_GetArrayItem(arr, (int)((idx0 + (size_t)k) % (size_t)n)));
		if (!ph)
			continue;
		char *s = expand(c, ph);
		if (!s)
			continue;
		if (fits(c, s, limit)) {
			free(first);
			return s;
		}
		int saved = c->use_short;
		c->use_short = 1;
		char *t = expand(c, ph);
		c->use_short = saved;
		if (t && fits(c, t, limit)) {
			free(s);
			free(first);
			return t;
		}
		free(t);
		if (!first)
			first = s;
		else
			free(s);
	}
	if (first) {
		char *r = cut(c, first, limit, 1);
		free(first);
		return r;
	}
	return NULL;
}

static const char *obj_str(const cJSON *o, const char *const *keys, char *buf, size_t bufn)
{
	for (size_t i = 0; keys[i]; i++) {
		const cJSON *v = cJSON_GetObjectItem(o, keys[i]);
		if (cJSON_IsString(v) && *v->valuestring)
			return v->valuestring;
		if (cJSON_IsNumber(v)) {
			double d = v->valuedouble;
			if (d == floor(d))
				snprintf(buf, bufn, "%.0f", d);
			else
				snprintf(buf, bufn, "%.2f", d);
			return buf;
		}
	}
	return NULL;
}

static char *trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '.' || s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

/* Split a feature list on ; , | and their fullwidth forms into f1, f2. */
static void split_features(const char *s, char **f1, char **f2)
{
	static const char *const seps[] = { "；", "，", "、", ";", "|", ",", NULL };
	char *parts[2] = { NULL, NULL };
	const char *p = s;
	/* A list split by semicolons keeps the commas inside an item: "fine,
	 * straight needles; from the Dabie mountains" has two items, not three. */
	int semi_only = strstr(s, "；") || strchr(s, ';');
	for (int k = 0; k < 2 && p && *p; k++) {
		const char *best = NULL;
		size_t bl = 0;
		for (int i = 0; seps[i]; i++) {
			if (semi_only && strcmp(seps[i], "；") && strcmp(seps[i], ";"))
				continue;
			const char *q = strstr(p, seps[i]);
			if (q && (!best || q < best)) {
				best = q;
				bl = strlen(seps[i]);
			}
		}
		char *piece = best ? xstrndup(p, (size_t)(best - p)) : xstrdup(p);
		parts[k] = trimmed(piece);
		free(piece);
		p = best ? best + bl : NULL;
	}
	*f1 = parts[0] && *parts[0] ? parts[0] : (free(parts[0]), NULL);
	*f2 = parts[1] && *parts[1] ? parts[1] : (free(parts[1]), NULL);
	/* English features read better in lower case after "Expect". */
	if (*f1 && (unsigned char)(*f1)[0] < 0x80 && isupper((unsigned char)(*f1)[0]) &&
	    !isupper((unsigned char)(*f1)[1]))
		(*f1)[0] = (char)tolower((unsigned char)(*f1)[0]);
	if (*f2 && (unsigned char)(*f2)[0] < 0x80 && isupper((unsigned char)(*f2)[0]) &&
	    !isupper((unsigned char)(*f2)[1]))
		(*f2)[0] = (char)tolower((unsigned char)(*f2)[0]);
}

static char *short_name(const char *name, int zh)
{
	size_t n = offline_utf8_len(name);
	if (zh) {
		if (n <= 6)
			return xstrdup(name);
		/* A name with a dot keeps its first part: 凤凰单丛·蜜兰香 -> 凤凰单丛. */
		const char *dot = strstr(name, "·");
		if (dot && dot > name && offline_utf8_len(dot) > 1) {
			char *head = xstrndup(name, (size_t)(dot - name));
			if (offline_utf8_len(head) >= 2)
				return head;
			free(head);
		}
		/* Keep the last four characters: 明前西湖龙井 -> 西湖龙井. */
		size_t skip = n - 4, i = 0;
		for (size_t k = 0; k < skip; k++)
			i += u8_next(name, i, NULL);
		return xstrdup(name + i);
	}
	if (n <= 20)
		return xstrdup(name);
	/* The most trailing words that stay within 20 characters ("West Lake
	 * Longjing", "Dancong Honey Orchid"), at least the last word. */
	const char *sp = strrchr(name, ' ');
	if (!sp)
		return xstrdup(name);
	const char *best = sp + 1;
	for (const char *q = sp; q > name; q--)
		if (q[-1] == ' ' && strlen(q) <= 20)
			best = q;
	return xstrdup(best);
}

/* The first quoted phrase of a prompt ("…", “…”, 「…」, 『…』, 《…》), used
 * as the product when nothing is bound; NULL when there is none. */
static char *quoted_name(const char *prompt)
{
	static const char *const pairs[][2] = {
		{ "\"", "\"" }, { "“", "”" }, { "「", "」" }, { "『", "』" }, { "《", "》" },
	};
	const char *best = NULL, *best_end = NULL;
	if (!prompt)
		return NULL;
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		const char *a = strstr(prompt, pairs[i][0]);
		if (!a)
			continue;
		a += strlen(pairs[i][0]);
		const char *b = strstr(a, pairs[i][1]);
		if (b && b > a && (size_t)(b - a) <= 80 && (!best || a < best)) {
			best = a;
			best_end = b;
		}
	}
	return best ? xstrndup(best, (size_t)(best_end - best)) : NULL;
}

static int has_cjk_text(const char *s)
{
	uint32_t cp;
	for (size_t i = 0, k; s && s[i]; i += k) {
		k = u8_next(s, i, &cp);
		if (is_cjk_cp(cp))
			return 1;
	}
	return 0;
}

static const char *currency(const cJSON *brand, int zh)
{
	const char *sym = cJSON_GetStringValue(cJSON_GetObjectItem(brand, "currency_symbol"));
	if (sym && *sym)
		return sym;
	const char *cur = cJSON_GetStringValue(cJSON_GetObjectItem(brand, "currency"));
	if (cur) {
		if (!strcasecmp(cur, "CNY") || !strcasecmp(cur, "RMB") || !strcasecmp(cur, "JPY"))
			return "¥";
		if (!strcasecmp(cur, "USD"))
			return "$";
		if (!strcasecmp(cur, "EUR"))
			return "€";
		if (!strcasecmp(cur, "GBP"))
			return "£";
		if (!strcasecmp(cur, "SGD"))
			return "S$";
	}
	/* A brand with a Chinese name prices in yuan. */
	const char *nz = cJSON_GetStringValue(cJSON_GetObjectItem(brand, "name_zh"));
	if (zh || (nz && *nz))
		return "¥";
	return "$";
}

static void set_tone(struct ctx *c, const char *tone)
{
	const cJSON *tones = cJSON_GetObjectItem(c->root, "tones");
	const cJSON *t;
	snprintf(c->tone, sizeof c->tone, "plain");
	if (!tone || !*tone)
		return;
	cJSON_ArrayForEach(t, tones)
		if (cJSON_IsString(t) && strcasecmp(t->valuestring, tone) == 0) {
			snprintf(c->tone, sizeof c->tone, "%s", t->valuestring);
			return;
		}
	const char *alias = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(c->root, "tone_aliases"), tone));
	if (alias)
		snprintf(c->tone, sizeof c->tone, "%s", alias);
}

static int is_zh(const char *lang)
{
	return lang && (strncasecmp(lang, "zh", 2) == 0 || strcasecmp(lang, "cn") == 0 ||
	                strcasecmp(lang, "chinese") == 0 || strcmp(lang, "中文") == 0);
}

static void set_var(struct ctx *c, int k, const char *v)
{
	if (!v || !*v)
		return;
	free(c->v[k]);
	c->v[k] = xstrdup(v);
}

static void load_vars(struct ctx *c, const cJSON *bind, const char *prompt)
{
	const cJSON *prod = cJSON_GetObjectItem(bind, "product");
	const cJSON *vars = cJSON_GetObjectItem(bind, "vars");
	const cJSON *seg = cJSON_GetObjectItem(bind, "segment");
	const cJSON *brand = cJSON_GetObjectItem(bind, "brand");
	static const char *const name_zh[] = { "name_zh", "product_name_zh", "name", "product_name",
	                                       "product", "title", "名称", "name_en", NULL };
	static const char *const name_en[] = { "name_en", "product_name_en", "name", "product_name",
	                                       "product", "title", "name_zh", NULL };
	static const char *const price_k[] = { "price", "sale_price", "unit_price", "价格", "list_price", NULL };
	static const char *const disc_k[] = { "discount_pct", "discount", "discount_percent", "折扣", NULL };
	static const char *const feat_zh[] = { "features_zh", "features", "feature", "highlights", "卖点", "features_en", NULL };
	static const char *const feat_en[] = { "features_en", "features", "feature", "highlights", "features_zh", NULL };
	static const char *const ben_zh[] = { "benefits_zh", "benefit_zh", "benefits", "benefit", NULL };
	static const char *const ben_en[] = { "benefits_en", "benefit_en", "benefits", "benefit", NULL };
	static const char *const cat_k[] = { "category_zh", "category", "category_en", "类别", NULL };
	static const char *const bname_zh[] = { "name_zh", "name", "name_en", NULL };
	static const char *const bname_en[] = { "name_en", "name", "name_zh", NULL };
	static const char *const one[2][2] = { { "product", NULL }, { "name", NULL } };
	char buf[64];
	const char *s;

	s = obj_str(prod, c->zh ? name_zh : name_en, buf, sizeof buf);
	set_var(c, V_PRODUCT, s);
	set_var(c, V_PRODUCT, obj_str(vars, one[0], buf, sizeof buf));
	if (!c->v[V_PRODUCT])
		set_var(c, V_PRODUCT, obj_str(vars, one[1], buf, sizeof buf));
	if (!c->v[V_PRODUCT])
		c->v[V_PRODUCT] = quoted_name(prompt);
	if (!c->v[V_PRODUCT])
		c->v[V_PRODUCT] = xstrdup(c->zh ? "新品" : "our new range");
	c->v[V_SHORT] = short_name(c->v[V_PRODUCT], c->zh);
	static const char *const short_k[] = { "short_zh", "short", NULL };
	static const char *const short_ke[] = { "short_en", "short", NULL };
	set_var(c, V_SHORT, obj_str(prod, c->zh ? short_k : short_ke, buf, sizeof buf));

	const char *price = obj_str(vars, price_k, buf, sizeof buf);
	if (!price)
		price = obj_str(prod, price_k, buf, sizeof buf);
	if (price) {
		char *p = xstrdup(price);
		size_t n = strlen(p);
		if (n > 3 && strcmp(p + n - 3, ".00") == 0)
			p[n - 3] = 0;
		if (isdigit((unsigned char)p[0]))
			c->v[V_PRICE] = xasprintf("%s%s", currency(brand, c->zh), p);
		else
			c->v[V_PRICE] = xstrdup(p);
		free(p);
	}
	const char *disc = obj_str(vars, disc_k, buf, sizeof buf);
	if (!disc)
		disc = obj_str(prod, disc_k, buf, sizeof buf);
	if (disc) {
		char *end;
		double d = strtod(disc, &end);
		if (end != disc && d > 0) {
			if (d < 1)
				d *= 100;
			if (d < 100) {
				c->v[V_DISCOUNT] = xasprintf("%.0f%%", d);
				int rest = 100 - (int)lround(d);
				c->v[V_ZHE] = rest % 10 == 0 ? xasprintf("%d折", rest / 10)
				                             : xasprintf("%d折", rest);
			}
		} else if (end == disc) {
			c->v[V_DISCOUNT] = xstrdup(disc);
		}
	}
	const char *feat = obj_str(vars, feat_en + 1, buf, sizeof buf);
	if (!feat)
		feat = obj_str(prod, c->zh ? feat_zh : feat_en, buf, sizeof buf);
	if (feat)
		split_features(feat, &c->v[V_FEATURE], &c->v[V_FEATURE2]);
	const char *ben = obj_str(prod, c->zh ? ben_zh : ben_en, buf, sizeof buf);
	if (ben) {
		size_t n = strlen(ben);
		int ends = n && strchr(".!?", ben[n - 1]);
		if (!ends && n >= 3 && (strcmp(ben + n - 3, "。") == 0 || strcmp(ben + n - 3, "！") == 0))
			ends = 1;
		c->v[V_BENEFIT] = ends ? xstrdup(ben) : xasprintf("%s%s", ben, c->zh ? "。" : ".");
	}
	set_var(c, V_CATEGORY, obj_str(prod, cat_k, buf, sizeof buf));
	const char *bn = obj_str(brand, c->zh ? bname_zh : bname_en, buf, sizeof buf);
	static const char *const vb[] = { "brand", NULL };
	const char *vbn = obj_str(vars, vb, buf, sizeof buf);
	set_var(c, V_BRAND, vbn ? vbn : bn);
	/* The brand guide's own SMS sign-off and opt-out ("Shanlan Tea:", "回T退订"),
	 * unless --var brand names another brand. */
	const cJSON *sms = cJSON_GetObjectItem(cJSON_GetObjectItem(brand, "channels"), "sms");
	const char *pre = cJSON_GetStringValue(cJSON_GetObjectItem(sms, c->zh ? "prefix_zh" : "prefix_en"));
	const char *opt = cJSON_GetStringValue(cJSON_GetObjectItem(sms, c->zh ? "opt_out_zh" : "opt_out_en"));
	if (!vbn && pre && *pre)
		c->sms_prefix = xstrdup(pre);
	if (opt && *opt) {
		size_t ol = strlen(opt);
		c->sms_optout = !c->zh && !strchr(".!?", opt[ol - 1]) ? xasprintf("%s.", opt) : xstrdup(opt);
	}
	if (c->v[V_BRAND]) {
		struct sbuf sb = SBUF_INIT;
		for (const char *p = c->v[V_BRAND]; *p; p++)
			if (*p != ' ' && *p != '\'' && *p != '-')
				sbuf_addc(&sb, *p);
		c->v[V_BRANDTAG] = sbuf_detach(&sb);
	}
	/* The brand guide's own hashtag (#ShanlanTea, #山岚茶舍#) beats one made from the name. */
	const cJSON *tags = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(brand, "channels"),
	                                                            "social"),
	                                        c->zh ? "hashtags_zh" : "hashtags_en");
	const char *tag0 = cJSON_GetStringValue(cJSON_GetArrayItem(tags, 0));
	if (!vbn && tag0) {
		struct sbuf sb = SBUF_INIT;
		for (const char *p = tag0; *p; p++)
			if (*p != '#' && *p != ' ')
				sbuf_addc(&sb, *p);
		if (sb.len) {
			free(c->v[V_BRANDTAG]);
			c->v[V_BRANDTAG] = sbuf_detach(&sb);
		} else {
			sbuf_free(&sb);
		}
	}
	const char *segname = cJSON_GetStringValue(cJSON_GetObjectItem(seg, "name"));
	set_var(c, V_SEGMENT, segname);
	static const char *const aud_k[] = { "audience", NULL };
	const char *aud = obj_str(vars, aud_k, buf, sizeof buf);
	if (aud) {
		set_var(c, V_AUDIENCE, aud);
	} else if (segname) {
		const cJSON *auds = sect(c, "audiences");
		const char *a = NULL;
		const cJSON *e;
		cJSON_ArrayForEach(e, auds)
			if (e->string && strcmp(e->string, "default") && strcasestr(segname, e->string)) {
				a = e->valuestring;
				break;
			}
		if (!a)
			a = cJSON_GetStringValue(cJSON_GetObjectItem(auds, "default"));
		if (a) {
			char *x = expand(c, a);
			set_var(c, V_AUDIENCE, x);
			free(x);
		}
	}
}

/* ---- sentences ---- */

struct sent {
	char *text;
	int   prio;      /* 1 = keep; higher numbers go first */
	int   kind;
};

/* K_SIGN: a sentence naming the brand (sign-off, brand CTA): always kept. */
enum { K_PLAIN, K_HOOK, K_CTA, K_OPTOUT, K_PREFIX, K_PROTECT, K_CLOSER, K_SIGN };

struct sents {
	struct sent *s;
	size_t       n;
};

/* True if `in` already says `part` ("Order today while stock lasts." holds
 * "Order today."): part without its final punctuation is inside in. */
static int says_within(const char *in, const char *part)
{
	size_t n = strlen(part);
	while (n && strchr(".!?: ", part[n - 1]))
		n--;
	while (n >= 3 && (!strncmp(part + n - 3, "。", 3) || !strncmp(part + n - 3, "！", 3) ||
	                  !strncmp(part + n - 3, "？", 3)))
		n -= 3;
	if (n < 6)
		return 0;
	char *p = xstrndup(part, n);
	int r = strstr(in, p) != NULL;
	free(p);
	return r;
}

static void sents_add(struct sents *ss, char *text, int prio, int kind)
{
	if (!text)
		return;
	if (!*text) {
		free(text);
		return;
	}
	for (size_t i = 0; i < ss->n; i++)
		if (strcmp(ss->s[i].text, text) == 0 ||
		    (kind != K_PROTECT && ss->s[i].kind != K_PROTECT &&
		     (says_within(ss->s[i].text, text) || says_within(text, ss->s[i].text)))) {
			/* never say it twice */
			free(text);
			return;
		}
	ss->s = xreallocarray(ss->s, ss->n + 1, sizeof *ss->s);
	ss->s[ss->n++] = (struct sent){ text, prio, kind };
}

static void sents_insert(struct sents *ss, size_t at, char *text, int prio, int kind)
{
	if (!text)
		return;
	sents_add(ss, text, prio, kind);
	if (at >= ss->n - 1)
		return;
	struct sent tmp = ss->s[ss->n - 1];
	memmove(&ss->s[at + 1], &ss->s[at], (ss->n - 1 - at) * sizeof *ss->s);
	ss->s[at] = tmp;
}

static void sents_remove(struct sents *ss, size_t i)
{
	free(ss->s[i].text);
	memmove(&ss->s[i], &ss->s[i + 1], (ss->n - i - 1) * sizeof *ss->s);
	ss->n--;
}

static void sents_free(struct sents *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		free(ss->s[i].text);
	free(ss->s);
	ss->s = NULL;
	ss->n = 0;
}

static int ends_cjk(const char *s)
{
	size_t n = strlen(s);
	return n >= 3 && (unsigned char)s[n - 3] >= 0xE3;
}

static char *sents_join(const struct sents *ss)
{
	struct sbuf sb = SBUF_INIT;
	for (size_t i = 0; i < ss->n; i++) {
		if (i && sb.len && !ends_cjk(sbuf_str(&sb)) && ss->s[i - 1].kind != K_PREFIX)
			sbuf_addc(&sb, ' ');
		else if (i && sb.len && ss->s[i - 1].kind == K_PREFIX && !ends_cjk(sbuf_str(&sb)))
			sbuf_addc(&sb, ' ');
		sbuf_adds(&sb, ss->s[i].text);
	}
	return sbuf_detach(&sb);
}

/* Drop the highest-priority-number sentences until the text fits; then cut
 * the longest remaining keep-sentence; returns the joined text (new). */
static char *sents_fit(const struct ctx *c, struct sents *ss, size_t limit)
{
	for (;;) {
		char *j = sents_join(ss);
		if (fits(c, j, limit) || ss->n == 0)
			return j;
		free(j);
		size_t worst = (size_t)-1;
		int wp = 1;
		for (size_t i = 0; i < ss->n; i++)
			if (ss->s[i].prio > wp || (ss->s[i].prio == wp && wp > 1 && worst != (size_t)-1)) {
				wp = ss->s[i].prio;
				worst = i;
			}
		if (worst == (size_t)-1)
			break;
		sents_remove(ss, worst);
	}
	/* Everything left is essential: shorten the longest plain/hook sentence. */
	char *j = sents_join(ss);
	size_t total = offline_utf8_len(j);
	free(j);
	size_t li = (size_t)-1, ll = 0;
	for (size_t i = 0; i < ss->n; i++) {
		size_t l = offline_utf8_len(ss->s[i].text);
		if (ss->s[i].kind != K_OPTOUT && ss->s[i].kind != K_PREFIX && ss->s[i].kind != K_SIGN &&
		    l > ll) {
			ll = l;
			li = i;
		}
	}
	if (li != (size_t)-1 && total > limit && ll > total - limit + 4) {
		char *t = cut(c, ss->s[li].text, ll - (total - limit) - 1, 1);
		free(ss->s[li].text);
		ss->s[li].text = t;
	}
	j = sents_join(ss);
	if (!fits(c, j, limit)) {
		char *t = cut(c, j, limit, 1);
		free(j);
		j = t;
	}
	return j;
}

/* Split text into sentences (kept with their punctuation). */
static void split_sents(const char *text, struct sents *ss)
{
	size_t i = 0, start = 0;
	memset(ss, 0, sizeof *ss);
	while (text[i]) {
		uint32_t cp;
		size_t k = u8_next(text, i, &cp);
		int end = 0;
		if ((cp == '.' || cp == '!' || cp == '?') && (text[i + 1] == ' ' || !text[i + 1]))
			end = 1;
		if (cp == 0x2026 && text[i + k] == ' ')   /* "… " after a cut sentence */
			end = 1;
		/* 。！？；】 end a sentence; ｜ does not: it joins the parts of one line. */
		if (cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == 0xFF1B || cp == 0x3011)
			end = 1;
		i += k;
		if (end) {
			char *piece = xstrndup(text + start, i - start);
			char *t = trimmed(piece);
			/* trimmed() drops a final '.', keep the original instead */
			free(t);
			size_t a = 0;
			while (piece[a] == ' ')
				a++;
			sents_add(ss, xstrdup(piece + a), 3, K_PLAIN);
			free(piece);
			while (text[i] == ' ')
				i++;
			start = i;
		}
	}
	if (text[start]) {
		size_t a = start;
		while (text[a] == ' ')
			a++;
		if (text[a])
			sents_add(ss, xstrdup(text + a), 3, K_PLAIN);
	}
}

/* ---- composing fields ---- */

enum { F_SUBJECT, F_TITLE, F_HEADLINE, F_PREHEADER, F_CTA, F_BODY, F_HASHTAGS, F_GENERIC };

static int field_kind(const char *f)
{
	if (!strcasecmp(f, "subject") || !strcasecmp(f, "subject_line"))
		return F_SUBJECT;
	if (!strcasecmp(f, "title") || !strcasecmp(f, "tagline") || !strcasecmp(f, "slogan"))
		return F_TITLE;
	if (!strncasecmp(f, "headline", 8))
		return F_HEADLINE;
	if (!strcasecmp(f, "preheader") || !strcasecmp(f, "subheadline") || !strcasecmp(f, "subtitle") ||
	    !strcasecmp(f, "summary"))
		return F_PREHEADER;
	if (!strcasecmp(f, "cta") || !strcasecmp(f, "button") || !strcasecmp(f, "call_to_action"))
		return F_CTA;
	if (!strcasecmp(f, "body") || !strcasecmp(f, "text") || !strncasecmp(f, "description", 11) ||
	    !strcasecmp(f, "copy") || !strcasecmp(f, "message") || !strcasecmp(f, "caption") ||
	    !strcasecmp(f, "content") || !strcasecmp(f, "post"))
		return F_BODY;
	if (!strcasecmp(f, "hashtags") || !strcasecmp(f, "tags"))
		return F_HASHTAGS;
	return F_GENERIC;
}

static int chan_is(const struct ctx *c, const char *ch)
{
	return strcmp(c->channel, ch) == 0;
}

static char *pick_cta(struct ctx *c, int mode, size_t limit)
{
	const cJSON *ctas = cJSON_GetObjectItem(sect(c, "cta"), c->channel);
	if (!ctas)
		ctas = cJSON_GetObjectItem(sect(c, "cta"), "email");
	return pick(c, ctas, "cta", mode, limit);
}

/* A CTA as a sentence (adds a full stop to button texts). */
static char *cta_sentence(struct ctx *c, size_t limit)
{
	char *s = pick_cta(c, PICK_RAND, limit);
	if (!s)
		return NULL;
	size_t n = strlen(s);
	if (n && !strchr(".!?:", s[n - 1]) && !ends_cjk(s)) {
		char *t = xasprintf("%s.", s);
		free(s);
		return t;
	}
	if (n >= 3 && c->zh && !strstr(s + n - 3, "。") && !strstr(s + n - 3, "！") &&
	    !strstr(s + n - 3, "：")) {
		char *t = xasprintf("%s。", s);
		free(s);
		return t;
	}
	return s;
}

static char *pick_benefit_within(struct ctx *c, int mode, const char *salt, size_t limit)
{
	char *s = pick(c, sect(c, "benefits"), salt, mode, limit);
	size_t sl = s ? strlen(s) : 0;
	/* None fits whole (pick cut one short): a generic benefit that fits reads better. */
	if (s && (!fits(c, s, limit) || (sl >= 3 && (!strcmp(s + sl - 3, "…") ||
	                                             !strcmp(s + sl - 3, "..."))))) {
		char *g = pick(c, sect(c, "generic_benefits"), salt, mode, limit);
		if (g && fits(c, g, limit)) {
			free(s);
			return g;
		}
		free(g);
	}
	if (!s)
		s = pick(c, sect(c, "generic_benefits"), salt, mode, limit);
	return s;
}

static char *pick_benefit(struct ctx *c, int mode, const char *salt)
{
	return pick_benefit_within(c, mode, salt, 0);
}

static char *offer_sentence(struct ctx *c)
{
	if (!c->v[V_DISCOUNT] && !c->v[V_PRICE])
		return NULL;
	return pick(c, sect(c, "offers"), "offer", PICK_RAND, 0);
}

static char *hashtags(struct ctx *c, int n)
{
	const cJSON *arr = sect(c, "hashtags");
	struct sbuf sb = SBUF_INIT;
	int added = 0;
	int size = cJSON_GetArraySize(arr);
	int start = (int)rnd(c, (uint64_t)(size ? size : 1));
	/* The brand's own tag leads. */
	if (c->v[V_BRANDTAG]) {
		if (c->zh)
			sbuf_addf(&sb, "#%s#", c->v[V_BRANDTAG]);
		else
			sbuf_addf(&sb, "#%s", c->v[V_BRANDTAG]);
		added++;
	}
	for (int k = 0; k < size && added < n; k++) {
		const char *ph = cJSON_GetStringValue(cJSON_GetArrayItem(arr, (start + k) % size));
		if (!ph || strstr(ph, "{brandtag}"))
			continue;
		/* A Latin category ("green") makes no tag in Chinese copy. */
		if (c->zh && strstr(ph, "{category}") && c->v[V_CATEGORY] &&
		    !has_cjk_text(c->v[V_CATEGORY]))
			continue;
		char *h = expand(c, ph);
		if (!h)
			continue;
		if (strchr(h, ' ') || strstr(sbuf_str(&sb), h)) {   /* multi-word categories make poor tags */
			free(h);
			continue;
		}
		if (sb.len)
			sbuf_addc(&sb, ' ');
		sbuf_adds(&sb, h);
		free(h);
		added++;
	}
	return sbuf_detach(&sb);
}

/* A sentence naming the brand: from list `name` of the phrasebook (an
 * array, or an object of arrays by channel); NULL when no brand is known. */
static char *brand_sentence(struct ctx *c, const char *name)
{
	const cJSON *l = sect(c, name);
	if (cJSON_IsObject(l))
		l = cJSON_GetObjectItem(l, c->channel);
	if (!c->v[V_BRAND] || !l)
		return NULL;
	/* By rotation, so neighbouring variants sign differently. */
	return pick(c, l, name, PICK_ROT, 0);
}

/* The call to action of a body: one naming the brand where the phrasebook
 * has them for the channel, else the channel's plain one. With a separate
 * CTA field, a short brand line instead. kind/prio receive how to keep it. */
static char *body_cta(struct ctx *c, unsigned have, int *kind)
{
	char *s;
	*kind = K_SIGN;
	if (have & (1u << F_CTA))
		return brand_sentence(c, "brand_line");
	if ((s = brand_sentence(c, "brand_cta")) != NULL)
		return s;
	*kind = K_CTA;
	return cta_sentence(c, 0);
}

/* The body-like field of a channel, assembled from sentences. */
static char *compose_body(struct ctx *c, const char *field, size_t limit, unsigned have)
{
	int bk;
	struct sents ss = { NULL, 0 };
	char *hook = pick(c, sect2(c, "hooks", c->tone), "hook", PICK_ROT, 0);
	int urgent = strcmp(c->tone, "urgent") == 0;
	if (chan_is(c, "sms")) {
		/* The sender's name is required of a marketing SMS: always kept. */
		if (c->sms_prefix)
			sents_add(&ss, xstrdup(c->sms_prefix), 1, K_PREFIX);
		else if (c->v[V_BRAND])
			sents_add(&ss, c->zh ? xasprintf("【%s】", c->v[V_BRAND])
			                     : xasprintf("%s:", c->v[V_BRAND]), 1, K_PREFIX);
		sents_add(&ss, hook, 1, K_HOOK);
		sents_add(&ss, offer_sentence(c), 3, K_PLAIN);
		if (urgent || rnd(c, 3) == 0)
			sents_add(&ss, pick(c, sect(c, "urgency"), "urg", PICK_RAND, 0), 4, K_PLAIN);
		sents_add(&ss, cta_sentence(c, 0), 1, K_CTA);
		sents_add(&ss, xstrdup(optout_text(c) ? optout_text(c) : ""), 1, K_OPTOUT);
	} else if (chan_is(c, "push")) {
		int offer = rnd(c, 2) && (c->v[V_DISCOUNT] || c->v[V_PRICE]);
		/* The brand's line first, so the benefit is chosen to fit beside it. */
		char *bc = body_cta(c, have, &bk);
		size_t room = limit;
		if (bc && limit) {
			size_t bl = measure(c, bc, 0) + 1;
			room = bl + 10 < limit ? limit - bl : limit;
		}
		char *b = offer ? offer_sentence(c) : pick_benefit_within(c, PICK_ROT, "pb", room);
		sents_add(&ss, b, 1, K_HOOK);
		if (urgent)
			sents_add(&ss, pick(c, sect(c, "urgency"), "urg", PICK_RAND, 0), 3, K_PLAIN);
		sents_add(&ss, bc, bk == K_SIGN ? 1 : 2, bk);
		free(hook);
	} else if (chan_is(c, "search-ad")) {
		/* The brand's line first, so the benefit is chosen to fit beside it. */
		char *bc = body_cta(c, have, &bk);
		size_t room = limit;
		if (bc && limit) {
			size_t bl = measure(c, bc, 0) + 1;
			room = bl + 10 < limit ? limit - bl : limit;
		}
		char *b = pick_benefit_within(c, PICK_ROT, "sb", room);
		sents_add(&ss, b, 1, K_HOOK);
		sents_add(&ss, offer_sentence(c), 2, K_PLAIN);
		sents_add(&ss, bc, bk == K_SIGN ? 1 : 2, bk);
		free(hook);
	} else if (chan_is(c, "social")) {
		sents_add(&ss, hook, 1, K_HOOK);
		sents_add(&ss, pick_benefit(c, PICK_RAND, "b1"), 2, K_PLAIN);
		sents_add(&ss, offer_sentence(c), 3, K_PLAIN);
		if (rnd(c, 2))
			sents_add(&ss, pick(c, sect(c, "proof"), "proof", PICK_RAND, 0), 4, K_PLAIN);
		if (urgent)
			sents_add(&ss, pick(c, sect(c, "urgency"), "urg", PICK_RAND, 0), 3, K_PLAIN);
		char *bc = body_cta(c, have, &bk);
		sents_add(&ss, bc, 1, bk);
		if (!(have & (1u << F_HASHTAGS)))
			sents_add(&ss, hashtags(c, 2 + (int)rnd(c, 2)), 5, K_PLAIN);
	} else {
		/* email, landing and anything else: a short paragraph. */
		if (c->v[V_AUDIENCE] && rnd(c, 3) == 0)
			sents_add(&ss, pick(c, sect(c, "personal"), "pers", PICK_RAND, 0), 5, K_PLAIN);
		sents_add(&ss, hook, 1, K_HOOK);
		sents_add(&ss, pick_benefit(c, PICK_RAND, "b1"), 2, K_PLAIN);
		if (rnd(c, 2))
			sents_add(&ss, pick(c, sect(c, "generic_benefits"), "gb", PICK_RAND, 0), 6, K_PLAIN);
		if (rnd(c, 2))
			sents_add(&ss, pick(c, sect(c, "proof"), "proof", PICK_RAND, 0), 5, K_PLAIN);
		sents_add(&ss, offer_sentence(c), 3, K_PLAIN);
		if (urgent || rnd(c, 3) == 0)
			sents_add(&ss, pick(c, sect(c, "urgency"), "urg", PICK_RAND, 0), 4, K_PLAIN);
		if (!(have & (1u << F_CTA)))
			sents_add(&ss, cta_sentence(c, 0), 2, K_CTA);
		sents_add(&ss, pick(c, sect2(c, "closers", c->tone), "close", PICK_RAND, 0), 6, K_PLAIN);
		/* Signed by the brand, as a good e-mail or page is. */
		sents_add(&ss, brand_sentence(c, "signoff"), 1, K_SIGN);
	}
	(void)field;
	(void)bk;
	char *out = sents_fit(c, &ss, limit);
	sents_free(&ss);
	return out;
}

static char *compose_field(struct ctx *c, const char *field, size_t limit, unsigned have)
{
	int kind = field_kind(field);
	char *s = NULL;
	switch (kind) {
	case F_SUBJECT:
		s = pick(c, sect2(c, "subjects", c->tone), "subject", PICK_ROT, limit);
		break;
	case F_TITLE:
		s = pick(c, sect2(c, chan_is(c, "push") ? "titles" : "subjects", c->tone), "title",
		         PICK_ROT, limit);
		break;
	case F_HEADLINE:
		s = chan_is(c, "search-ad") ? pick(c, sect(c, "headlines"), "headline", PICK_ROT, limit)
		                            : pick(c, sect2(c, "subjects", c->tone), "headline",
		                                   PICK_ROT, limit);
		break;
	case F_PREHEADER:
		s = pick(c, sect(c, "preheaders"), "pre", PICK_ROT, limit);
		break;
	case F_CTA:
		s = pick_cta(c, PICK_ROT, limit);
		break;
	case F_BODY:
		s = compose_body(c, field, limit, have);
		break;
	case F_HASHTAGS:
		s = hashtags(c, 3);
		break;
	default: {
		struct sents ss = { NULL, 0 };
		sents_add(&ss, pick(c, sect(c, "generic"), field, PICK_ROT, 0), 1, K_HOOK);
		sents_add(&ss, pick_benefit(c, PICK_RAND, field), 2, K_PLAIN);
		s = sents_fit(c, &ss, limit ? limit : 200);
		sents_free(&ss);
		break;
	}
	}
	if (!s)
		s = xstrdup(c->v[V_PRODUCT]);
	if (!fits(c, s, limit)) {
		char *t = cut(c, s, limit, kind == F_BODY || kind == F_GENERIC);
		free(s);
		s = t;
	}
	return s;
}

/* ---- mutations ---- */

static int in_list(const cJSON *arr, const char *s)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e) && strstr(s, e->valuestring) && strlen(e->valuestring) > 3)
			return 1;
	return 0;
}

/* True if a sentence reads like a call to action from any channel's list. */
static int cta_like(const struct ctx *c, const char *s)
{
	const cJSON *ch;
	cJSON_ArrayForEach(ch, sect(c, "cta")) {
		const cJSON *e;
		cJSON_ArrayForEach(e, ch) {
			char *x = trimmed(e->valuestring);
			/* compare without the final full stop and any colon */
			size_t n = strlen(x);
			while (n && (x[n - 1] == ':' || x[n - 1] == '.'))
				x[--n] = 0;
			if (n >= 3 && n < 40 && strstr(s, x)) {
				free(x);
				return 1;
			}
			free(x);
		}
	}
	return in_list(sect(c, "sharp_cta"), s);
}

/* True if s is one of the phrasebook's closing lines (any tone). */
static int is_closer(const struct ctx *c, const char *s)
{
	const cJSON *tone;
	cJSON_ArrayForEach(tone, sect(c, "closers")) {
		const cJSON *e;
		cJSON_ArrayForEach(e, tone)
			if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
				return 1;
	}
	return 0;
}

/* True if s names the product, its short name, the brand or one of the
 * phrasebook's core words (what the copy is about): a line must keep one. */
/* w in s (any case); a Latin word only as a whole word ("tea", not "team"). */
static int has_word(const char *s, const char *w)
{
	size_t wl = strlen(w);
	for (const char *p = s; (p = strcasestr(p, w)) != NULL; p++) {
		int before = p > s && isalnum((unsigned char)p[-1]) && isalnum((unsigned char)w[0]);
		int after = isalnum((unsigned char)p[wl]) && isalnum((unsigned char)w[wl - 1]);
		if (!before && !after)
			return 1;
	}
	return 0;
}

static int names_product(const struct ctx *c, const char *s)
{
	if ((c->v[V_PRODUCT] && strstr(s, c->v[V_PRODUCT])) ||
	    (c->v[V_SHORT] && strstr(s, c->v[V_SHORT])))
		return 1;
	const cJSON *e;
	cJSON_ArrayForEach(e, sect(c, "core_words"))
		if (cJSON_IsString(e) && *e->valuestring && has_word(s, e->valuestring))
			return 1;
	return 0;
}

/* True if s is about this product: names it, a core word, its features or
 * its benefit from the data. */
static int is_specific(const struct ctx *c, const char *s)
{
	if (names_product(c, s) || (c->v[V_FEATURE] && strstr(s, c->v[V_FEATURE])) ||
	    (c->v[V_FEATURE2] && strstr(s, c->v[V_FEATURE2])))
		return 1;
	if (c->v[V_BENEFIT]) {
		char *b = xstrdup(c->v[V_BENEFIT]);
		size_t n = strlen(b);
		while (n && strchr(".!", b[n - 1]))
			b[--n] = 0;
		if (n >= 3 && (!strcmp(b + n - 3, "。") || !strcmp(b + n - 3, "！")))
			b[n - 3] = 0;
		int r = *b && strstr(s, b) != NULL;
		free(b);
		return r;
	}
	return 0;
}

/* True if s says something about the product beyond its name: its
 * features or benefit from the data. */
static int is_specific_beyond_name(const struct ctx *c, const char *s)
{
	struct ctx t = *c;
	t.v[V_PRODUCT] = NULL;
	t.v[V_SHORT] = NULL;
	t.lang = NULL;          /* no core words either */
	return is_specific(&t, s);
}

static int has_core(const struct ctx *c, const char *s)
{
	return names_product(c, s) || (c->v[V_BRAND] && strstr(s, c->v[V_BRAND]));
}

static void classify_sents(const struct ctx *c, struct sents *ss)
{
	const char *optout = optout_text(c);
	for (size_t i = 0; i < ss->n; i++) {
		struct sent *s = &ss->s[i];
		if (optout && strstr(s->text, optout)) {
			s->kind = K_OPTOUT;
			s->prio = 1;
		} else if (i == 0 && (strncmp(s->text, "【", 3) == 0 ||
		                      (ss->n > 1 && s->text[strlen(s->text) - 1] == ':'))) {
			s->kind = K_PREFIX;
			s->prio = 2;
		} else if (c->v[V_BRAND] && strstr(s->text, c->v[V_BRAND])) {
			s->kind = K_SIGN;     /* the sign-off or brand CTA stays */
			s->prio = 1;
		} else if (cta_like(c, s->text)) {
			s->kind = K_CTA;
			s->prio = 2;
		} else if (i > 0 && is_closer(c, s->text)) {
			s->kind = K_CLOSER;   /* droppable, but new sentences go before it */
		} else if (s->prio == 3 && (i == 0 || (i == 1 && ss->s[0].kind == K_PREFIX))) {
			s->kind = K_HOOK;
			s->prio = 1;
		}
	}
	/* The sentence that names the product is the hook too, even when a
	 * personal or proof line came first: it is never dropped. */
	for (size_t i = 0; i < ss->n && i < 4; i++) {
		struct sent *s = &ss->s[i];
		if ((s->kind == K_PLAIN || s->kind == K_HOOK) && names_product(c, s->text)) {
			s->kind = K_HOOK;
			s->prio = 1;
			break;
		}
	}
}

static char *remove_fillers(const struct ctx *c, const char *s)
{
	char *out = xstrdup(s);
	const cJSON *e;
	cJSON_ArrayForEach(e, sect(c, "fillers")) {
		const char *f = e->valuestring;
		size_t fl = strlen(f);
		char *p;
		while (fl && (p = strstr(out, f)) != NULL) {
			/* Only whole words for Latin fillers. */
			if (!c->zh && p > out && isalpha((unsigned char)p[-1]))
				break;
			memmove(p, p + fl, strlen(p + fl) + 1);
		}
	}
	return out;
}

static size_t where_insert_before_tail(const struct sents *ss)
{
	size_t at = ss->n;
	while (at > 0 && (ss->s[at - 1].kind == K_CTA || ss->s[at - 1].kind == K_OPTOUT ||
	                  ss->s[at - 1].kind == K_CLOSER || ss->s[at - 1].kind == K_SIGN))
		at--;
	if (at == 0 && ss->n)
		at = ss->n;
	return at;
}

static size_t after_hook(const struct sents *ss)
{
	size_t at = 0;
	while (at < ss->n && ss->s[at].kind == K_PREFIX)
		at++;
	return at < ss->n ? at + 1 : at;
}

/* Join a head and a tail of running text with the separator sents_join uses. */
static char *join2(const char *head, const char *tail)
{
	if (!*head)
		return xstrdup(tail);
	if (!*tail)
		return xstrdup(head);
	return xasprintf("%s%s%s", head, ends_cjk(head) ? "" : " ", tail);
}

static char *shorten_text(const struct ctx *c, const char *text, size_t limit, int hard)
{
	size_t orig = offline_utf8_len(text);
	if (orig <= 8)
		return xstrdup(text);
	struct sents ss;
	split_sents(text, &ss);
	classify_sents(c, &ss);
	/* Drop sentences that aren't the hook, the CTA, the brand's line or the
	 * opt-out, longest first, down to about two thirds of the length. */
	for (;;) {
		char *j = sents_join(&ss);
		size_t len = offline_utf8_len(j);
		free(j);
		if (len * 3 <= orig * 2)
			break;
		/* Generic lines go before the ones about this product (its
		 * taste, its features). */
		size_t worst = (size_t)-1, wl = 0;
		int wspec = 1;
		for (size_t i = 0; i < ss.n; i++) {
			if (ss.s[i].kind != K_PLAIN && ss.s[i].kind != K_CLOSER)
				continue;
			size_t l = offline_utf8_len(ss.s[i].text);
			int spec = is_specific(c, ss.s[i].text);
			if (worst == (size_t)-1 || spec < wspec || (spec == wspec && l > wl)) {
				wl = l;
				worst = i;
				wspec = spec;
			}
		}
		if (worst == (size_t)-1)
			break;
		sents_remove(&ss, worst);
	}
	/* The tail (call to action, the brand's sign-off, the opt-out) is kept
	 * whole; any clause cut below works on the head. */
	size_t h = ss.n;
	while (h > 1 && (ss.s[h - 1].kind == K_SIGN || ss.s[h - 1].kind == K_OPTOUT ||
	                 ss.s[h - 1].kind == K_CTA))
		h--;
	struct sents head_ss = { ss.s, h }, tail_ss = { ss.s + h, ss.n - h };
	char *j = sents_join(&head_ss);
	char *tail = sents_join(&tail_ss);
	sents_free(&ss);
	size_t tl = offline_utf8_len(tail) + (*tail ? 1 : 0);
	if ((offline_utf8_len(j) + tl) * 10 > orig * 9) {
		char *f = remove_fillers(c, j);
		free(j);
		j = f;
	}
	size_t len = offline_utf8_len(j);
	if ((len + tl) * 10 > orig * 9 && len > 4) {
		/* One long sentence: keep its first clause when that is substantial
		 * (and does not lose the brand), else cut to three quarters. */
		static const char *const clause[] = { ", ", "; ", ": ", " — ", "，", "；", "：", NULL };
		const char *best = NULL;
		for (int i = 0; clause[i]; i++) {
			const char *p = strstr(j, clause[i]);
			if (p && (!best || p < best))
				best = p;
		}
		char *r = NULL;
		if (best && offline_utf8_len(best) * 10 < len * 7 && (size_t)(best - j) > 6) {
			char *head = xstrndup(j, (size_t)(best - j));
			/* Not when the clause left would lose the brand or what the copy is about. */
			if (!(c->v[V_BRAND] && strstr(j, c->v[V_BRAND]) && !strstr(head, c->v[V_BRAND])) &&
			    !(names_product(c, j) && !names_product(c, head)))
				r = xasprintf("%s%s", head, c->zh ? "。" : ".");
			free(head);
		}
		if ((!r || offline_utf8_len(r) >= len) && !hard) {
			/* A short line with no clause to drop stays as it is. */
			free(r);
			r = xstrdup(j);
		} else if (!r || offline_utf8_len(r) >= len) {
			free(r);
			/* Three quarters of the characters, whatever the channel. */
			struct ctx tmp = *c;
			tmp.channel = "email";
			r = cut(&tmp, j, len * 3 / 4 > 4 ? len * 3 / 4 : len - 1, 1);
			size_t rl = strlen(r);
			if (is_sms(c) && rl >= 3 && strcmp(r + rl - 3, "…") == 0) {
				char *t = xasprintf("%.*s...", (int)(rl - 3), r);   /* stay GSM-7 */
				free(r);
				r = t;
			}
		}
		free(j);
		j = r;
	}
	char *all = join2(j, tail);
	if (!fits(c, all, limit) && *tail && *j) {
		/* Make room in the head; the tail (brand, CTA, opt-out) stays whole. */
		size_t tcols = measure(c, tail, is_sms(c) && all_gsm7(all)) + 1;
		if (limit > tcols + 8) {
			char *h2 = cut(c, j, limit - tcols, 1);
			free(all);
			all = join2(h2, tail);
			free(h2);
		}
	}
	free(j);
	free(tail);
	j = all;
	if (!fits(c, j, limit)) {
		char *t = cut(c, j, limit, 1);
		free(j);
		j = t;
	}
	return j;
}

/* ---- one-line fields (subject, title, headline) ---- */

/* Separators between the parts of a line: "仅限今天｜明前西湖龙井", "Last chance: X". */
static const char *const line_seps[] = { "：", "｜", "！", "？", " | ", ": ", "! ", "? ", " — ",
                                         NULL };

/* s without trailing spaces and separators ("仅限今天｜" -> "仅限今天"). New. */
static char *tidy_end(const char *s)
{
	static const char *const tails[] = { "：", "｜", "，", "、", "；", "——", "—", ":", ",", "|",
	                                     ";", "-", " ", NULL };
	size_t n = strlen(s);
	for (int again = 1; again && n;) {
		again = 0;
		for (int i = 0; tails[i]; i++) {
			size_t tl = strlen(tails[i]);
			if (n >= tl && strncmp(s + n - tl, tails[i], tl) == 0) {
				n -= tl;
				again = 1;
			}
		}
	}
	while (*s == ' ' && n) {
		s++;
		n--;
	}
	return xstrndup(s, n);
}

/* True if the line ends in a separator or a full stop (a line is not a sentence). */
static int line_ends_badly(const char *s)
{
	char *t = tidy_end(s);
	int bad = strcmp(t, s) != 0;
	free(t);
	size_t n = strlen(s);
	return bad || (n >= 3 && strcmp(s + n - 3, "。") == 0) || (n && s[n - 1] == '.' &&
	                                                         (n < 3 || strcmp(s + n - 3, "...")));
}

/* Split a line into parts, each with its separator. Returns the count. */
static size_t line_parts(const char *s, char **parts, size_t max)
{
	size_t n = 0;
	const char *p = s;
	while (*p && n < max) {
		const char *best = NULL;
		size_t bl = 0;
		for (int i = 0; line_seps[i]; i++) {
			const char *q = strstr(p, line_seps[i]);
			if (q && q > p && (!best || q < best)) {
				best = q;
				bl = strlen(line_seps[i]);
			}
		}
		if (!best || n + 1 == max) {
			parts[n++] = xstrdup(p);
			break;
		}
		parts[n++] = xstrndup(p, (size_t)(best + bl - p));
		p = best + bl;
	}
	return n;
}

/* Replace the first `from` in s by `to`. New, or NULL when absent. */
static char *replace1(const char *s, const char *from, const char *to)
{
	const char *p = from && *from ? strstr(s, from) : NULL;
	if (!p)
		return NULL;
	return xasprintf("%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
}

/* True if s opens with one of the phrasebook's line prefixes (urgency,
 * personal); *plen gets its byte length. */
static int line_prefix(const struct ctx *c, const char *s, size_t *plen)
{
	static const char *const lists[] = { "urgency_prefix", "personal_prefix", NULL };
	for (int l = 0; lists[l]; l++) {
		const cJSON *e;
		cJSON_ArrayForEach(e, sect(c, lists[l])) {
			char *x = cJSON_IsString(e) ? expand(c, e->valuestring) : NULL;
			if (x && *x && strncmp(s, x, strlen(x)) == 0) {
				*plen = strlen(x);
				free(x);
				return 1;
			}
			free(x);
		}
	}
	return 0;
}

/* A good shorter line: shorter than the original, names what the copy is
 * about, fits, and does not end in a separator. */
static int line_ok(const struct ctx *c, const char *s, size_t orig, size_t limit)
{
	return *s && offline_utf8_len(s) < orig && has_core(c, s) && fits(c, s, limit) &&
	       !line_ends_badly(s);
}

/* Shorten a subject, title or headline the way a copywriter would: drop
 * filler words, then use the product's short name, then drop the least
 * important part (one that does not name the product), else use a tighter
 * line from the phrasebook; a prefix added by a mutation stays. The line
 * keeps the product (or the brand, or a core word). New; the line as it is
 * when nothing shorter is good. */
static char *shorten_line(struct ctx *c, const char *text, size_t limit)
{
	size_t orig = offline_utf8_len(text);
	size_t plen = 0;
	char *r;
	if (line_prefix(c, text, &plen) && text[plen]) {
		/* Keep the prefix, shorten what follows it. */
		char *rest = shorten_line(c, text + plen, 0);
		r = xasprintf("%.*s%s", (int)plen, text, rest);
		free(rest);
		if (line_ok(c, r, orig, limit))
			return r;
		free(r);
		return xstrdup(text);
	}
	r = remove_fillers(c, text);
	if (line_ok(c, r, orig, limit))
		return r;
	free(r);
	if (c->v[V_SHORT] && c->v[V_PRODUCT] && strcmp(c->v[V_SHORT], c->v[V_PRODUCT])) {
		r = replace1(text, c->v[V_PRODUCT], c->v[V_SHORT]);
		if (r && line_ok(c, r, orig, limit))
			return r;
		free(r);
	}
	/* Drop the longest part that does not carry the core, as long as what
	 * is left is more than the bare product name. */
	char *parts[8];
	size_t np = line_parts(text, parts, 8);
	char *best = NULL;
	if (np > 1) {
		size_t drop = (size_t)-1, dl = 0;
		for (size_t i = 0; i < np; i++) {
			char *t = tidy_end(parts[i]);
			size_t l = offline_utf8_len(parts[i]);
			if (!has_core(c, t) && l > dl) {
				dl = l;
				drop = i;
			}
			free(t);
		}
		if (drop != (size_t)-1) {
			struct sbuf sb = SBUF_INIT;
			for (size_t i = 0; i < np; i++)
				if (i != drop)
					sbuf_adds(&sb, parts[i]);
			char *t = tidy_end(sbuf_str(&sb));
			sbuf_free(&sb);
			if (!c->zh && t[0] && islower((unsigned char)t[0]))
				t[0] = (char)toupper((unsigned char)t[0]);
			int bare = (c->v[V_PRODUCT] && !strcmp(t, c->v[V_PRODUCT])) ||
			           (c->v[V_SHORT] && !strcmp(t, c->v[V_SHORT]));
			if (line_ok(c, t, orig, limit) && !bare)
				best = t;
			else
				free(t);
		}
	}
	for (size_t i = 0; i < np; i++)
		free(parts[i]);
	if (best)
		return best;
	/* A tighter line from the phrasebook, the first from a seeded start that
	 * is good. */
	const cJSON *tl = sect(c, "short_lines");
	int n = cJSON_GetArraySize(tl);
	int start = (int)rnd(c, (uint64_t)(n > 0 ? n : 1));
	for (int k = 0; k < n; k++) {
		const char *ph = cJSON_GetStringValue(cJSON_GetArrayItem(tl, (start + k) % n));
		for (int sh = 0; ph && sh < 2; sh++) {
			int saved = c->use_short;
			c->use_short = sh;
			r = expand(c, ph);
			c->use_short = saved;
			if (r && line_ok(c, r, orig, limit) && strcmp(r, text))
				return r;
			free(r);
		}
	}
	return xstrdup(text);
}

/* A button keeps its first clause ("立即抢购，售完即止" -> "立即抢购"), with
 * no full stop added; one with a single clause stays. New. */
static char *shorten_button(const char *s)
{
	static const char *const seps[] = { "，", "；", ", ", "; ", " — ", NULL };
	const char *best = NULL;
	for (int i = 0; seps[i]; i++) {
		const char *p = strstr(s, seps[i]);
		if (p && (!best || p < best))
			best = p;
	}
	if (best && offline_utf8_len(best) > 1 && best - s >= 4)
		return xstrndup(s, (size_t)(best - s));
	return xstrdup(s);
}

/* line without its labels, the parts that do not name the product ("From
 * our team to you: X" -> "X"); NULL when it has none to drop. New. */
static char *drop_labels(const struct ctx *c, const char *line)
{
	char *parts[8];
	size_t np = line_parts(line, parts, 8), kept = 0;
	struct sbuf sb = SBUF_INIT;
	for (size_t i = 0; i < np; i++) {
		char *t = tidy_end(parts[i]);
		if (has_core(c, t)) {
			sbuf_adds(&sb, parts[i]);
			kept++;
		}
		free(t);
		free(parts[i]);
	}
	char *r = NULL;
	if (kept && kept < np) {
		r = tidy_end(sbuf_str(&sb));
		if (!c->zh && r[0] && islower((unsigned char)r[0]))
			r[0] = (char)toupper((unsigned char)r[0]);
	}
	sbuf_free(&sb);
	return r;
}

/* prefix + line, within limit: the line loses its labels and is shortened
 * (never cut) to make room. NULL when even the shortened line does not fit. */
static char *prefixed_line(struct ctx *c, const char *prefix, const char *line, size_t limit)
{
	/* One label is enough: "Hurry: X", not "Hurry: From our team to you: X". */
	char *cur = drop_labels(c, line);
	if (!cur)
		cur = xstrdup(line);
	for (int tries = 0; tries < 4; tries++) {
		char *s = xasprintf("%s%s", prefix, cur);
		if (fits(c, s, limit)) {
			free(cur);
			return s;
		}
		free(s);
		char *t = shorten_line(c, cur, 0);
		if (!strcmp(t, cur)) {
			free(t);
			break;
		}
		free(cur);
		cur = t;
	}
	free(cur);
	return NULL;
}

/* The stem of a prefix, without its separator ("仅限今天｜" -> "仅限今天"). New. */
static char *prefix_stem(const char *p)
{
	return tidy_end(p);
}

/* Insert a sentence into text at a place chosen by where (0: after the
 * hook, 1: before the CTA/opt-out tail, 2: at the start after a prefix),
 * then fit to limit while keeping the new sentence. */
static char *insert_sentence(const struct ctx *c, const char *text, char *sentence, int where,
                             size_t limit)
{
	struct sents ss;
	split_sents(text, &ss);
	classify_sents(c, &ss);
	size_t at = where == 0 ? after_hook(&ss) : where == 1 ? where_insert_before_tail(&ss) : 0;
	if (where == 2)
		while (at < ss.n && ss.s[at].kind == K_PREFIX)
			at++;
	sents_insert(&ss, at, sentence, 1, K_PROTECT);
	/* Make room: other plain sentences go before anything essential. */
	for (size_t i = 0; i < ss.n; i++)
		if (ss.s[i].kind == K_CLOSER)
			ss.s[i].prio = 5;
		else if (ss.s[i].kind == K_PLAIN)
			ss.s[i].prio = 4;
		else if (ss.s[i].kind == K_HOOK)
			ss.s[i].prio = 3;
	char *j = sents_fit(c, &ss, limit);
	sents_free(&ss);
	return j;
}

enum { OP_SHORTEN = 1, OP_SHARPEN = 2, OP_URGENCY = 4, OP_PROOF = 8, OP_TONE = 16,
       OP_PERSONAL = 32, OP_OFFER = 64, OP_BENEFIT = 128 };

static int mentions(const char *fb, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strcasestr(fb, words[i]))
			return 1;
	return 0;
}

/* Operators the feedback text asks for; *tone gets a tone it names. */
static unsigned feedback_ops(const struct ctx *c, const char *fb, char *tone, size_t tn)
{
	static const char *const w_short[] = { "short", "concise", "brief", "too long", "trim", "tighter",
	                                       "简短", "精简", "太长", "短一", "简洁", NULL };
	static const char *const w_cta[] = { "cta", "call to action", "call-to-action", "action",
	                                     "行动", "号召", "按钮", NULL };
	static const char *const w_urg[] = { "urgen", "hurry", "scarcity", "deadline", "fomo",
	                                     "紧迫", "紧急", "限时", "催", NULL };
	static const char *const w_proof[] = { "proof", "trust", "review", "credib", "testimonial",
	                                       "证明", "信任", "口碑", "评价", NULL };
	static const char *const w_pers[] = { "personal", "segment", "audience", "tailor",
	                                      "个性", "人群", "针对", NULL };
	static const char *const w_offer[] = { "price", "discount", "offer", "deal", "saving",
	                                       "价格", "优惠", "折扣", "价钱", NULL };
	static const char *const w_benefit[] = { "highlight", "emphasi", "taste", "flavour", "flavor",
	                                         "fresh", "突出", "强调", "新鲜", "口感", "风味", "味道",
	                                         NULL };
	unsigned ops = 0;
	if (!fb || !*fb)
		return 0;
	if (mentions(fb, w_benefit))
		ops |= OP_BENEFIT;
	if (mentions(fb, w_short))
		ops |= OP_SHORTEN;
	if (mentions(fb, w_cta))
		ops |= OP_SHARPEN;
	if (mentions(fb, w_urg))
		ops |= OP_URGENCY;
	if (mentions(fb, w_proof))
		ops |= OP_PROOF;
	if (mentions(fb, w_pers))
		ops |= OP_PERSONAL;
	if (mentions(fb, w_offer))
		ops |= OP_OFFER;
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(c->root, "tones"))
		if (strcasestr(fb, t->valuestring) && strcmp(t->valuestring, "urgent")) {
			snprintf(tone, tn, "%s", t->valuestring);
			ops |= OP_TONE;
		}
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(c->root, "tone_aliases"))
		if (strcasestr(fb, t->string) && strcmp(t->valuestring, "urgent")) {
			snprintf(tone, tn, "%s", t->valuestring);
			ops |= OP_TONE;
		}
	return ops;
}

/* The main running-text field among fields: body/text/description..., else NULL. */
static const char *main_field(const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (field_kind(fields[i]) == F_BODY)
			return fields[i];
	for (size_t i = 0; i < n; i++)
		if (field_kind(fields[i]) == F_PREHEADER || field_kind(fields[i]) == F_GENERIC)
			return fields[i];
	return NULL;
}

static const char *line_field(const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int k = field_kind(fields[i]);
		if (k == F_SUBJECT || k == F_TITLE || k == F_HEADLINE)
			return fields[i];
	}
	return NULL;
}

/* Bit (1 << kind) set for each kind of field present. */
static unsigned kinds_of(const char *const *fields, size_t n)
{
	unsigned m = 0;
	for (size_t i = 0; i < n; i++)
		m |= 1u << field_kind(fields[i]);
	return m;
}

static void put_field(cJSON *o, const char *f, char *text)
{
	if (cJSON_GetObjectItemCaseSensitive(o, f))
		cJSON_ReplaceItemInObjectCaseSensitive(o, f, cJSON_CreateString(text));
	else
		cJSON_AddStringToObject(o, f, text);
	free(text);
}

static const char *get_field(const cJSON *o, const char *f)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, f));
	return s ? s : "";
}

static void apply_op(struct ctx *c, unsigned op, cJSON *o, const char *const *fields, size_t nf)
{
	const char *mf = main_field(fields, nf);
	const char *lf = line_field(fields, nf);
	size_t mlim = mf ? offline_field_limit(c->channel, mf, c->zh ? "zh" : "en") : 0;
	size_t llim = lf ? offline_field_limit(c->channel, lf, c->zh ? "zh" : "en") : 0;
	switch (op) {
	case OP_SHORTEN: {
		/* Running text loses sentences; lines lose a clause or filler words
		 * when they have one. If nothing got shorter, the longest field is
		 * cut to three quarters. */
		size_t before = 0, after = 0, longest = 0, ll = 0;
		for (size_t i = 0; i < nf; i++) {
			size_t lim = offline_field_limit(c->channel, fields[i], c->zh ? "zh" : "en");
			const char *old = get_field(o, fields[i]);
			size_t ol = offline_utf8_len(old);
			int lk = field_kind(fields[i]);
			before += ol;
			if (ol > ll && lk != F_SUBJECT && lk != F_TITLE && lk != F_HEADLINE) {
				ll = ol;
				longest = i;
			}
			int k = field_kind(fields[i]);
			char *s = k == F_SUBJECT || k == F_TITLE || k == F_HEADLINE
			        ? shorten_line(c, old, lim)
			        : k == F_CTA ? shorten_button(old)
			        : shorten_text(c, old, lim, k == F_BODY || k == F_GENERIC);
			after += offline_utf8_len(s);
			put_field(o, fields[i], s);
		}
		if (after >= before && nf)
			put_field(o, fields[longest], shorten_text(c, get_field(o, fields[longest]),
			          offline_field_limit(c->channel, fields[longest], c->zh ? "zh" : "en"), 1));
		break;
	}
	case OP_SHARPEN: {
		int done = 0;
		for (size_t i = 0; i < nf; i++) {
			if (field_kind(fields[i]) != F_CTA)
				continue;
			const char *old = get_field(o, fields[i]);
			char *s = NULL;
			for (int tries = 0; tries < 4; tries++) {
				free(s);
				s = pick(c, sect(c, "sharp_cta"), old, PICK_RAND,
				         offline_field_limit(c->channel, fields[i], c->zh ? "zh" : "en"));
				if (!s || strcmp(s, old))
					break;
			}
			if (s)
				put_field(o, fields[i], s);
			done = 1;
		}
		if (!done && mf) {
			/* No CTA field: the CTA sentence inside the main text gets replaced. */
			struct sents ss;
			split_sents(get_field(o, mf), &ss);
			classify_sents(c, &ss);
			for (size_t i = ss.n; i-- > 0;)
				if (ss.s[i].kind == K_CTA) {
					sents_remove(&ss, i);
					break;
				}
			char *rest = sents_join(&ss);
			sents_free(&ss);
			char *sharp = pick(c, sect(c, "sharp_cta"), rest, PICK_RAND, 0);
			char *sent = sharp ? xasprintf("%s%s", sharp, c->zh ? "！" : "!") : NULL;
			free(sharp);
			if (sent)
				put_field(o, mf, insert_sentence(c, rest, sent, 1, mlim));
			free(rest);
		}
		break;
	}
	case OP_URGENCY: {
		if (mf) {
			char *u = NULL;
			const char *cur = get_field(o, mf);
			for (int tries = 0; tries < 6; tries++) {
				free(u);
				u = pick(c, sect(c, "urgency"), cur, PICK_RAND, 0);
				if (!u || !strstr(cur, u))
					break;
			}
			/* One urgency line is enough: a second replaces the first
			 * (a copywriter would not stack "stock is limited" twice). */
			char *had = NULL;
			const cJSON *e;
			cJSON_ArrayForEach(e, sect(c, "urgency")) {
				char *x = cJSON_IsString(e) ? expand(c, e->valuestring) : NULL;
				if (x && strstr(cur, x) && !had)
					had = x;
				else
					free(x);
			}
			char *swapped = had && u && !strstr(cur, u) ? replace1(cur, had, u) : NULL;
			if (swapped && fits(c, swapped, mlim)) {
				put_field(o, mf, swapped);
				free(u);
			} else if (u && !strstr(cur, u)) {
				free(swapped);
				put_field(o, mf, insert_sentence(c, cur, u, 1, mlim));
			} else {
				free(swapped);
				free(u);
			}
			free(had);
		}
		if (lf) {
			/* An urgent opener before the line, one it does not already say;
			 * the line is shortened (never cut) to make room. */
			const char *line = get_field(o, lf);
			size_t plen = 0;
			if (!line_prefix(c, line, &plen)) {
				const cJSON *ul = sect(c, "urgency_prefix");
				int n = cJSON_GetArraySize(ul);
				int start = (int)rnd(c, (uint64_t)(n > 0 ? n : 1));
				for (int k = 0; k < n; k++) {
					char *p = expand(c, cJSON_GetStringValue(cJSON_GetArrayItem(ul, (start + k) % n)));
					char *stem = p ? prefix_stem(p) : NULL;
					char *l2 = p && stem && !strcasestr(line, stem) ? prefixed_line(c, p, line, llim)
					                                                : NULL;
					free(p);
					free(stem);
					if (l2) {
						put_field(o, lf, l2);
						break;
					}
				}
			}
		}
		break;
	}
	case OP_PROOF:
		if (mf) {
			const char *cur = get_field(o, mf);
			char *p = NULL;
			for (int tries = 0; tries < 6; tries++) {
				free(p);
				p = pick(c, sect(c, "proof"), cur, PICK_RAND, 0);
				if (!p || !strstr(cur, p))
					break;
			}
			if (p && !strstr(cur, p))
				put_field(o, mf, insert_sentence(c, cur, p, 0, mlim));
			else
				free(p);
		}
		break;
	case OP_PERSONAL: {
		if (!c->v[V_AUDIENCE])
			c->v[V_AUDIENCE] = xstrdup(c->zh ? "你" : "you");
		if (mf) {
			char *p = pick(c, sect(c, "personal"), "pers", PICK_RAND, 0);
			if (p && !strstr(get_field(o, mf), c->v[V_AUDIENCE]))
				put_field(o, mf, insert_sentence(c, get_field(o, mf), p, 2, mlim));
			else
				free(p);
		}
		if (lf) {
			char *p = pick(c, sect(c, "personal_prefix"), "pp", PICK_RAND, 0);
			size_t plen = 0;
			char *line = p && !line_prefix(c, get_field(o, lf), &plen)
			           ? prefixed_line(c, p, get_field(o, lf), llim) : NULL;
			if (line && strstr(line, c->v[V_AUDIENCE]))
				put_field(o, lf, line);
			else
				free(line);
			free(p);
		}
		break;
	}
	case OP_BENEFIT:
		/* "Highlight the freshness": the product's own taste or features,
		 * right after the hook, unless the copy already says them. */
		if (mf && !is_specific_beyond_name(c, get_field(o, mf))) {
			char *b = pick_benefit(c, PICK_RAND, "fbb");
			if (b && !strstr(get_field(o, mf), b))
				put_field(o, mf, insert_sentence(c, get_field(o, mf), b, 0, mlim));
			else
				free(b);
		}
		break;
	case OP_OFFER:
		if (mf) {
			char *p = offer_sentence(c);
			if (p && !strstr(get_field(o, mf), p))
				put_field(o, mf, insert_sentence(c, get_field(o, mf), p, 1, mlim));
			else
				free(p);
		}
		break;
	default:
		break;
	}
}

/* ---- entry point ---- */

static char *compose_fields(struct ctx *c, const char *const *fields, size_t nf)
{
	cJSON *o = cJSON_CreateObject();
	unsigned have = kinds_of(fields, nf);
	for (size_t i = 0; i < nf; i++) {
		size_t lim = offline_field_limit(c->channel, fields[i], c->zh ? "zh" : "en");
		cJSON_DeleteItemFromObjectCaseSensitive(o, fields[i]);
		char *s = compose_field(c, fields[i], lim, have);
		cJSON_AddStringToObject(o, fields[i], s);
		free(s);
	}
	char *out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

int offline_compose(const struct offline_req *req, char **out_json, struct cl_err *err)
{
	struct offline_phrasebook *own = NULL;
	const struct offline_phrasebook *pb = req->pb;
	struct ctx c;
	cJSON *parent = NULL;
	const char **pf = NULL;
	const char *const *fields = req->fields;
	size_t nf = req->fields ? req->nfields : 0;
	int rc = -1;

	*out_json = NULL;
	memset(&c, 0, sizeof c);
	if (!pb) {
		if (offline_phrasebook_load(NULL, &own, err))
			return -1;
		pb = own;
	}
	c.root = pb->root;
	c.zh = req->language && *req->language ? is_zh(req->language) : has_cjk_text(req->prompt);
	c.lang = cJSON_GetObjectItem(pb->root, c.zh ? "zh" : "en");
	c.channel = req->channel && *req->channel ? req->channel : "email";
	c.variant = req->variant < 0 ? 0 : req->variant;
	set_tone(&c, req->tone);
	load_vars(&c, req->bind, req->prompt);

	uint64_t h = fnv(0xcbf29ce484222325ULL, c.zh ? "zh" : "en");
	h = fnv(h, c.channel);
	h = fnv(h, c.tone);
	h = fnv(h, c.v[V_PRODUCT]);
	h = fnv(h, req->prompt);
	c.base = mix(req->seed, h);
	c.rng = mix(c.base, (uint64_t)c.variant + 1);

	if (req->mutation != OFFLINE_MUT_NONE || (req->parent_json && *req->parent_json)) {
		if (!req->parent_json || !*req->parent_json) {
			cl_err_set(err, CL_EINVAL, "offline: mutation %s needs the parent variant's fields",
			           offline_mutation_name(req->mutation));
			goto out;
		}
		parent = cJSON_Parse(req->parent_json);
		if (!cJSON_IsObject(parent)) {
			cl_err_set(err, CL_EINVAL, "offline: the parent variant's fields are not a JSON "
			           "object");
			goto out;
		}
		/* Mutations vary with the parent too, so siblings differ. */
		c.rng = mix(c.rng, fnv(0xcbf29ce484222325ULL, req->parent_json));
		c.base = mix(c.base, fnv(0x84222325ULL, req->parent_json));
	}
	if (!nf && parent) {
		const cJSON *e;
		cJSON_ArrayForEach(e, parent) {
			pf = xreallocarray(pf, nf + 1, sizeof *pf);
			pf[nf++] = e->string;
		}
		fields = pf;
	}
	if (!nf) {
		fields = template_default_fields(c.channel);
		while (fields[nf])
			nf++;
	}
	for (size_t i = 0; i < nf; i++)
		if (!fields[i] || !*fields[i]) {
			cl_err_set(err, CL_EINVAL, "offline: empty field name");
			goto out;
		}

	if (!parent) {
		*out_json = compose_fields(&c, fields, nf);
		rc = 0;
		goto out;
	}

	char fb_tone[16] = "";
	unsigned ops = feedback_ops(&c, req->feedback, fb_tone, sizeof fb_tone);
	switch (req->mutation) {
	case OFFLINE_MUT_SHORTEN: ops |= OP_SHORTEN; break;
	case OFFLINE_MUT_SHARPEN_CTA: ops |= OP_SHARPEN; break;
	case OFFLINE_MUT_ADD_URGENCY: ops |= OP_URGENCY; break;
	case OFFLINE_MUT_ADD_PROOF: ops |= OP_PROOF; break;
	case OFFLINE_MUT_CHANGE_TONE: ops |= OP_TONE; break;
	case OFFLINE_MUT_PERSONALISE: ops |= OP_PERSONAL; break;
	default: break;
	}
	/* The working copy: the parent's fields, composing any it lacks. */
	cJSON *o = cJSON_CreateObject();
	if (ops & OP_TONE) {
		char want[16];
		if (req->new_tone && *req->new_tone) {
			set_tone(&c, req->new_tone);
		} else if (fb_tone[0]) {
			/* "warmer" for warm copy: stay warm, compose afresh. */
			set_tone(&c, fb_tone);
		} else {
			/* The next tone after the current one, by seed. */
			const cJSON *tones = cJSON_GetObjectItem(c.root, "tones");
			int n = cJSON_GetArraySize(tones), cur = 0;
			for (int i = 0; i < n; i++)
				if (!strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(tones, i)), c.tone))
					cur = i;
			int step = 1 + (int)rnd(&c, (uint64_t)(n > 1 ? n - 1 : 1));
			snprintf(want, sizeof want, "%s",
			         cJSON_GetStringValue(cJSON_GetArrayItem(tones, (cur + step) % (n ? n : 1))));
			set_tone(&c, want);
		}
		char *fresh = compose_fields(&c, fields, nf);
		cJSON *f = cJSON_Parse(fresh);
		free(fresh);
		cJSON_Delete(o);
		o = f;
	} else {
		unsigned have = kinds_of(fields, nf);
		for (size_t i = 0; i < nf; i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(parent, fields[i]);
			if (cJSON_IsString(v)) {
				cJSON_AddStringToObject(o, fields[i], v->valuestring);
			} else if (v && !cJSON_IsNull(v)) {
				char *t = cJSON_PrintUnformatted(v);
				cJSON_AddStringToObject(o, fields[i], t);
				free(t);
			} else {
				size_t lim = offline_field_limit(c.channel, fields[i], c.zh ? "zh" : "en");
				char *s = compose_field(&c, fields[i], lim, have);
				cJSON_AddStringToObject(o, fields[i], s);
				free(s);
			}
		}
	}
	/* Additions first, shortening last, so "shorten" always ends shorter. */
	static const unsigned order[] = { OP_PERSONAL, OP_BENEFIT, OP_PROOF, OP_OFFER, OP_URGENCY,
	                                  OP_SHARPEN, OP_SHORTEN };
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (ops & order[i])
			apply_op(&c, order[i], o, fields, nf);
	*out_json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	rc = 0;
out:
	cJSON_Delete(parent);
	free(pf);
	ctx_clear(&c);
	offline_phrasebook_free(own);
	return rc;
}
