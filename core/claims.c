/* claims.c — prices, discounts, dates and product names against the data. */
#include "core/claims.h"
#include "core/rowjson.h"
#include "core/scorers.h"
#include "core/textstat.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *lower_dup(const char *s)
{
	char *d = xstrdup(s);
	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p | 0x20);
	return d;
}

static const cJSON *col(const cJSON *row, const char *const *names)
{
	for (; *names; names++) {
		const cJSON *c = cJSON_GetObjectItem(row, *names);   /* case-insensitive */
		if (c && !cJSON_IsNull(c))
			return c;
	}
	return NULL;
}

static double num_of(const cJSON *c)
{
	if (cJSON_IsNumber(c))
		return c->valuedouble;
	if (cJSON_IsString(c)) {
		char *e;
		const char *s = c->valuestring;
		while (*s == '$' || *s == ' ')
			s++;
		double v = strtod(s, &e);
		if (e != s)
			return v;
	}
	return -1;
}

int claims_product_from_json(const cJSON *row, struct claims_product *p)
{
	static const char *const idn[] = { "id", "product_id", NULL };
	static const char *const en[] = { "name_en", "name", "title", "product", "product_name", NULL };
	static const char *const zh[] = { "name_zh", "name_cn", "title_zh", NULL };
	static const char *const pr[] = { "price", "list_price", "price_usd", "price_cny", NULL };
	static const char *const lp[] = { "list_price", "original_price", "regular_price", "rrp", NULL };
	static const char *const dc[] = { "discount_pct", "discount", "discount_percent", "off_pct", NULL };
	static const char *const ed[] = { "offer_ends", "ends_at", "valid_until", "sale_ends",
	                                  "end_date", "offer_end", "promo_ends", NULL };
	memset(p, 0, sizeof *p);
	p->price = p->discount_pct = p->list_price = -1;
	if (!cJSON_IsObject(row))
		return -1;
	const cJSON *c;
	if ((c = col(row, idn)))
		p->id = (long long)num_of(c);
	if ((c = col(row, en)) && cJSON_IsString(c) && *c->valuestring)
		p->name_en = lower_dup(c->valuestring);
	if ((c = col(row, zh)) && cJSON_IsString(c) && *c->valuestring)
		p->name_zh = xstrdup(c->valuestring);
	if ((c = col(row, pr)))
		p->price = num_of(c);
	if ((c = col(row, lp)))
		p->list_price = num_of(c);
	if ((c = col(row, dc)))
		p->discount_pct = num_of(c);
	else if (cJSON_GetObjectItem(row, "discount_pct"))
		p->discount_pct = 0;   /* the column exists but is empty: no discount */
	if ((c = col(row, ed)) && cJSON_IsString(c) && *c->valuestring)
		p->ends = xstrndup(c->valuestring, 10);
	if (p->discount_pct > 0 && p->discount_pct < 1)
		p->discount_pct *= 100;   /* 0.2 means 20% */
	if (!p->name_en && !p->name_zh && p->price < 0) {
		claims_product_clear(p);
		return -1;
	}
	return 0;
}

void claims_product_clear(struct claims_product *p)
{
	free(p->name_en);
	free(p->name_zh);
	free(p->ends);
	memset(p, 0, sizeof *p);
}

struct claims_catalog *claims_catalog_from_json(const cJSON *rows)
{
	struct claims_catalog *cat = xcalloc(1, sizeof *cat);
	const cJSON *r;
	cJSON_ArrayForEach(r, rows) {
		struct claims_product p;
		if (claims_product_from_json(r, &p))
			continue;
		cat->v = xreallocarray(cat->v, cat->n + 1, sizeof *cat->v);
		cat->v[cat->n++] = p;
	}
	return cat;
}

void claims_catalog_set_brand(struct claims_catalog *cat, const char *brand)
{
	free(cat->brand);
	cat->brand = brand && *brand ? lower_dup(brand) : NULL;
}

void claims_catalog_free(struct claims_catalog *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->n; i++)
		claims_product_clear(&cat->v[i]);
	free(cat->v);
	free(cat->brand);
	free(cat);
}

int claims_catalog_load(struct workspace *ws, const char *table, struct claims_catalog **out,
                        struct cl_err *err)
{
	*out = NULL;
	if (!table)
		table = "products";
	if (!ws_table_exists(ws, table))
		return 0;
	char *q = ws_quote_ident(table);
	char *sql = xasprintf("SELECT * FROM %s LIMIT 100000", q);
	free(q);
	sqlite3_stmt *st;
	int rc = ws_prepare(ws, sql, &st, err);
	free(sql);
	if (rc)
		return -1;
	cJSON *rows = cJSON_CreateArray();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToArray(rows, row_json_object(st));
	if (rc != SQLITE_DONE) {
		ws_dberr(ws, err, "reading products");
		sqlite3_finalize(st);
		cJSON_Delete(rows);
		return -1;
	}
	sqlite3_finalize(st);
	*out = claims_catalog_from_json(rows);
	cJSON_Delete(rows);
	return 0;
}

/* ---- scanning ---- */

struct scan {
	const char *s, *lower;
	size_t n;
	const struct claims_product *const *prods;   /* products the claims are checked against */
	size_t nprods;
	cJSON *arr;
	int unbacked;
};

static int word_at(const char *lower, size_t n, size_t at, const char *w)
{
	size_t l = strlen(w);
	return at + l <= n && memcmp(lower + at, w, l) == 0;
}

/* Is one of words within `win` bytes before [a] or after [b]? */
static int near(const struct scan *sc, size_t a, size_t b, const char *const *before,
                const char *const *after, size_t win)
{
	size_t lo = a > win ? a - win : 0, hi = b + win < sc->n ? b + win : sc->n;
	for (const char *const *w = before; w && *w; w++) {
		size_t l = strlen(*w);
		for (size_t i = lo; i + l <= a; i++)
			if (memcmp(sc->lower + i, *w, l) == 0)
				return 1;
	}
	for (const char *const *w = after; w && *w; w++) {
		size_t l = strlen(*w);
		for (size_t i = b; i + l <= hi; i++)
			if (memcmp(sc->lower + i, *w, l) == 0)
				return 1;
	}
	return 0;
}

static void add_claim(struct scan *sc, const char *kind, size_t a, size_t b, double claimed,
                      double expected, int backed, const char *why)
{
	if (backed == 0)
		sc->unbacked++;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", kind);
	char *q = xstrndup(sc->s + a, b - a);
	cJSON_AddStringToObject(o, "quote", q);
	free(q);
	cJSON_AddNumberToObject(o, "pos", (double)ts_chars(sc->s, a));
	cJSON_AddNumberToObject(o, "byte", (double)a);
	if (!isnan(claimed))
		cJSON_AddNumberToObject(o, "claimed", claimed);
	if (!isnan(expected))
		cJSON_AddNumberToObject(o, "expected", scorer_round4(expected));
	if (backed < 0)
		cJSON_AddNullToObject(o, "backed");
	else
		cJSON_AddBoolToObject(o, "backed", backed);
	cJSON_AddStringToObject(o, "why", why);
	cJSON_AddItemToArray(sc->arr, o);
}

static void check_discount(struct scan *sc, size_t a, size_t b, double pct)
{
	char why[200];
	if (!sc->nprods) {
		add_claim(sc, "discount", a, b, pct, NAN, -1, "no product to check against");
		return;
	}
	double exp = NAN;
	for (size_t i = 0; i < sc->nprods; i++) {
		double d = sc->prods[i]->discount_pct;
		if (d < 0) {
			add_claim(sc, "discount", a, b, pct, NAN, -1, "the product data has no discount column");
			return;
		}
		if (fabs(d - pct) < 0.5) {
			snprintf(why, sizeof why, "product %lld has discount_pct %g", sc->prods[i]->id, d);
			add_claim(sc, "discount", a, b, pct, d, 1, why);
			return;
		}
		exp = d;
	}
	if (sc->nprods == 1)
		snprintf(why, sizeof why, "product %lld has discount_pct %g, the copy claims %g%%",
		         sc->prods[0]->id, exp, pct);
	else
		snprintf(why, sizeof why, "no product named in the copy has a %g%% discount", pct);
	add_claim(sc, "discount", a, b, pct, exp, 0, why);
}

static int close_to(double x, double y, int whole)
{
	return fabs(x - y) <= 0.005 * fabs(y) + 0.011 || (whole && fabs(x - y) < 1.0);
}

static void check_price(struct scan *sc, size_t a, size_t b, double x, int saved, int whole)
{
	char why[240];
	const char *kind = saved ? "saving" : "price";
	if (!sc->nprods) {
		add_claim(sc, kind, a, b, x, NAN, -1, "no product to check against");
		return;
	}
	double exp = NAN;
	for (size_t i = 0; i < sc->nprods; i++) {
		const struct claims_product *p = sc->prods[i];
		if (p->price < 0) {
			add_claim(sc, kind, a, b, x, NAN, -1, "the product data has no price");
			return;
		}
		double d = p->discount_pct > 0 ? p->discount_pct : 0;
		double list = p->list_price > 0 ? p->list_price : p->price;
		double sale = p->list_price > 0 ? p->price : p->price * (1 - d / 100);
		if (saved) {
			exp = list - sale;
			if (exp > 0 && close_to(x, exp, whole)) {
				snprintf(why, sizeof why, "product %lld: %g - %g%% saves %.2f", p->id, list, d, exp);
				add_claim(sc, kind, a, b, x, exp, 1, why);
				return;
			}
		} else {
			exp = sale;
			if (close_to(x, list, whole) || close_to(x, sale, whole)) {
				snprintf(why, sizeof why, "product %lld: list price %g, sale price %.2f", p->id,
				         list, sale);
				add_claim(sc, kind, a, b, x, close_to(x, list, whole) ? list : sale, 1, why);
				return;
			}
		}
	}
	const struct claims_product *p = sc->prods[0];
	double list = p->list_price > 0 ? p->list_price : p->price;
	double sale = p->list_price > 0 ? p->price
	            : p->price * (1 - (p->discount_pct > 0 ? p->discount_pct : 0) / 100);
	if (saved)
		snprintf(why, sizeof why, "product %lld saves %.2f (list %g, sale %.2f), the copy claims %g",
		         p->id, list - sale, list, sale, x);
	else if (list - sale > 0.005)
		snprintf(why, sizeof why, "product %lld has list price %g and sale price %.2f, the copy claims %g",
		         p->id, list, sale, x);
	else
		snprintf(why, sizeof why, "product %lld has price %g, the copy claims %g", p->id, list, x);
	add_claim(sc, kind, a, b, x, exp, 0, why);
}

static int days_in(int y, int m)
{
	static const int dm[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && y > 0)
		return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
	return dm[m - 1];
}

static void check_date(struct scan *sc, size_t a, size_t b, int y, int m, int d)
{
	char why[200];
	double code = (y > 0 ? y * 10000.0 : 0) + m * 100 + d;
	if (m < 1 || m > 12 || d < 1 || d > days_in(y, m)) {
		snprintf(why, sizeof why, "no such date (month %d, day %d%s)", m, d, y > 0 ? "" : ", any year");
		add_claim(sc, "date", a, b, code, NAN, 0, why);
		return;
	}
	for (size_t i = 0; i < sc->nprods; i++) {
		const char *e = sc->prods[i]->ends;
		int ey, em, ed;
		if (!e || sscanf(e, "%d-%d-%d", &ey, &em, &ed) != 3)
			continue;
		int later = y > 0 ? (y * 10000 + m * 100 + d > ey * 10000 + em * 100 + ed)
		                  : (m * 100 + d > em * 100 + ed);
		if (later) {
			snprintf(why, sizeof why, "product %lld's offer ends %s", sc->prods[i]->id, e);
			add_claim(sc, "date", a, b, code, ey * 10000.0 + em * 100 + ed, 0, why);
		} else {
			snprintf(why, sizeof why, "within product %lld's offer (ends %s)", sc->prods[i]->id, e);
			add_claim(sc, "date", a, b, code, ey * 10000.0 + em * 100 + ed, 1, why);
		}
		return;
	}
	add_claim(sc, "date", a, b, code, NAN, -1, "a valid date; no offer end date in the data");
}

static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                      "sep", "oct", "nov", "dec" };

static const char *const month_names[] = { "january", "february", "march", "april", "may",
                                           "june", "july", "august", "september", "october",
                                           "november", "december" };

static int isdig(char c) { return c >= '0' && c <= '9'; }
static int isalph(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static size_t read_int(const char *s, size_t n, size_t i, int *v)
{
	int x = 0;
	size_t k = i;
	while (k < n && isdig(s[k]) && k - i < 5)
		x = x * 10 + (s[k++] - '0');
	*v = x;
	return k;
}

/* Han numerals 一..九 (and 两). */
static int han_digit(const char *s, size_t n, size_t at)
{
	static const char *const d[] = { "一", "二", "三", "四", "五", "六", "七", "八", "九" };
	for (int i = 0; i < 9; i++)
		if (word_at(s, n, at, d[i]))
			return i + 1;
	if (word_at(s, n, at, "两"))
		return 2;
	return 0;
}

static void scan_text(struct scan *sc)
{
	static const char *const disc_after[] = { "off", "discount", "折扣", "优惠", "减", NULL };
	static const char *const disc_before[] = { "save", "discount", "减", "省", "优惠", "折扣", "降",
	                                           "extra", "up to", NULL };
	static const char *const save_before[] = { "save", "省", "立减", "减", "saving", NULL };
	const char *s = sc->s, *lw = sc->lower;
	size_t n = sc->n, last_thr = 0;
	for (size_t i = 0; i < n;) {
		/* English month name + day: "Dec 31", "December 31st" */
		if (isalph(s[i]) && (i == 0 || !isalph(s[i - 1]))) {
			size_t j = i;
			while (j < n && isalph(s[j]))
				j++;
			for (int m = 0; m < 12 && j - i >= 3; m++) {
				if (memcmp(lw + i, months[m], 3) != 0 ||
				    (j - i != 3 && (j - i != strlen(month_names[m]) ||
				                    memcmp(lw + i, month_names[m], j - i) != 0)))
					continue;
				size_t k = j;
				if (k < n && s[k] == '.')
					k++;
				if (k < n && s[k] == ' ')
					k++;
				if (k < n && isdig(s[k])) {
					int d;
					size_t e = read_int(s, n, k, &d);
					if (e - k <= 2 && (e == n || !isdig(s[e]))) {
						check_date(sc, i, e, 0, m + 1, d);
						j = e;
					}
				}
				break;
			}
			i = j;
			continue;
		}
		if (isdig(s[i]) && (i == 0 || (!isdig(s[i - 1]) && s[i - 1] != '.' && !isalph(s[i - 1])))) {
			size_t a = i;
			int y, m, d;
			size_t e = read_int(s, n, i, &y);
			/* ISO or slashed date */
			if (e - i == 4 && e < n && (s[e] == '-' || s[e] == '/') && e + 1 < n && isdig(s[e + 1])) {
				char sep = s[e];
				size_t e2 = read_int(s, n, e + 1, &m);
				if (e2 < n && s[e2] == sep && e2 + 1 < n && isdig(s[e2 + 1])) {
					size_t e3 = read_int(s, n, e2 + 1, &d);
					check_date(sc, a, e3, y, m, d);
					i = e3;
					continue;
				}
			}
			/* 12月31日 */
			if (e - i <= 2 && word_at(s, n, e, "月") && e + 3 < n && isdig(s[e + 3])) {
				size_t e2 = read_int(s, n, e + 3, &d);
				if (word_at(s, n, e2, "日") || word_at(s, n, e2, "号")) {
					check_date(sc, a, e2 + 3, 0, y, d);
					i = e2 + 3;
					continue;
				}
			}
			/* a number, with currency before or after */
			size_t b = i;
			while (b < n && (isdig(s[b]) || (s[b] == ',' && b + 3 < n && isdig(s[b + 1]) &&
			                 isdig(s[b + 2]) && isdig(s[b + 3])) ||
			                 (s[b] == '.' && b + 1 < n && isdig(s[b + 1]))))
				b++;
			char buf[48];
			size_t bl = 0;
			int whole = 1;
			for (size_t k = i; k < b && bl < sizeof buf - 1; k++) {
				if (s[k] == '.')
					whole = 0;
				if (s[k] != ',')
					buf[bl++] = s[k];
			}
			buf[bl] = '\0';
			double x = strtod(buf, NULL);
			size_t qa = a;
			int cur = 0;
			if (a >= 1 && (s[a - 1] == '$'))
				cur = 1, qa = a - 1;
			else if (a >= 2 && word_at(s, n, a - 2, "¥"))
				cur = 1, qa = a - 2;
			else if (a >= 3 && (word_at(s, n, a - 3, "￥") || word_at(s, n, a - 3, "€")))
				cur = 1, qa = a - 3;
			else if (a >= 2 && word_at(s, n, a - 2, "£"))
				cur = 1, qa = a - 2;
			else if (a >= 4 && (word_at(lw, n, a - 4, "rmb ") || word_at(lw, n, a - 4, "usd ")))
				cur = 1, qa = a - 4;
			size_t qb = b;
			static const char *const thr_before[] = { "满", "over ", "above ", "spend ", "orders of ",
			                                          "minimum ", "min. ", NULL };
			static const char *const thr_after[] = { " over", " or more", "以上", "起", NULL };
			if (cur || word_at(s, n, b, "元") || word_at(s, n, b, "块")) {
				size_t e2 = cur ? b : b + 3;
				int thr = near(sc, qa, e2, thr_before, NULL, 7) || near(sc, e2, e2, NULL, thr_after, 8);
				int coupon = !thr && (last_thr && qa >= last_thr && qa - last_thr < 24);
				static const char *const off_over[] = { "off over", "off orders over", "off when you spend",
				                                        "off on orders over", NULL };
				if (!thr && near(sc, e2, e2, NULL, off_over, 2))
					coupon = 1;
				if (thr || coupon) {
					add_claim(sc, thr ? "threshold" : "coupon", qa, e2, x, NAN, -1,
					          thr ? "a spend threshold, not a price" : "a coupon amount, not a price");
					if (thr)
						last_thr = e2;
					i = e2;
					continue;
				}
			}
			if (b < n && s[b] == '%') {
				qb = b + 1;
				if (near(sc, qa, qb, disc_before, disc_after, 14))
					check_discount(sc, qa, qb, x);
			} else if (word_at(s, n, b, "％")) {
				qb = b + 3;
				if (near(sc, qa, qb, disc_before, disc_after, 14))
					check_discount(sc, qa, qb, x);
			} else if (word_at(s, n, b, "折")) {
				qb = b + 3;
				double pct = x < 10 ? 100 - x * 10 : x < 100 ? 100 - x : NAN;
				if (!isnan(pct))
					check_discount(sc, qa, qb, pct);
			} else if (word_at(s, n, b, "元") || word_at(s, n, b, "块")) {
				qb = b + 3;
				check_price(sc, qa, qb, x, near(sc, qa, qa, save_before, NULL, 8), whole);
			} else if (word_at(lw, n, b, " yuan") || word_at(lw, n, b, " rmb") ||
			           word_at(lw, n, b, " dollars") || word_at(lw, n, b, " usd")) {
				qb = b + 4;
				while (qb < n && isalph(s[qb]))
					qb++;
				check_price(sc, qa, qb, x, near(sc, qa, qa, save_before, NULL, 8), whole);
			} else if (cur)
				check_price(sc, qa, qb, x, near(sc, qa, qa, save_before, NULL, 8), whole);
			i = qb > b ? qb : b;
			continue;
		}
		unsigned char lead = (unsigned char)s[i];
		if (lead != 0xE4 && lead != 0xE5) {
			/* not a Han numeral or 半: skip the whole character */
			i += lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
			continue;
		}
		/* 八折, 七五折, 半价 */
		int h1 = han_digit(s, n, i);
		if (h1) {
			int h2 = han_digit(s, n, i + 3);
			size_t z = i + (h2 ? 6 : 3);
			if (word_at(s, n, z, "折") && (i < 3 || !han_digit(s, n, i - 3))) {
				double pct = h2 ? 100 - (h1 * 10 + h2) : 100 - h1 * 10;
				check_discount(sc, i, z + 3, pct);
				i = z + 3;
				continue;
			}
		}
		if (word_at(s, n, i, "半价")) {
			check_discount(sc, i, i + 6, 50);
			i += 6;
			continue;
		}
		i++;
	}
}

/* Products of the catalogue named in the copy. */
static void find_mentions(const struct claims_catalog *cat, const char *text, const char *lower,
                          size_t n, const struct claims_product ***out, size_t *nout, cJSON *arr)
{
	for (size_t i = 0; cat && i < cat->n; i++) {
		const struct claims_product *p = &cat->v[i];
		const char *at = NULL;
		if (p->name_en && strlen(p->name_en) >= 3)
			at = strstr(lower, p->name_en);
		if (!at && p->name_zh && strlen(p->name_zh) >= 3)
			at = strstr(text, p->name_zh);
		if (!at)
			continue;
		*out = xreallocarray(*out, *nout + 1, sizeof **out);
		(*out)[(*nout)++] = p;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "product", (double)p->id);
		size_t len = (p->name_en && at >= lower && at < lower + n) ? strlen(p->name_en)
		                                                             : strlen(p->name_zh);
		size_t off = (size_t)(at >= lower && at < lower + n ? at - lower : at - text);
		char *q = xstrndup(text + off, len);
		cJSON_AddStringToObject(o, "quote", q);
		free(q);
		cJSON_AddNumberToObject(o, "pos", (double)ts_chars(text, off));
		cJSON_AddItemToArray(arr, o);
	}
}

/* Whether word w (n bytes, lower case) is a whole word of some catalogue name. */
static int catalog_has_word(const struct claims_catalog *cat, const char *w, size_t n)
{
	for (size_t i = 0; i < cat->n; i++) {
		const char *p = cat->v[i].name_en;
		while (p && *p) {
			const char *q = p;
			while (*q && *q != ' ')
				q++;
			if ((size_t)(q - p) == n && strncmp(p, w, n) == 0)
				return 1;
			p = *q ? q + 1 : q;
		}
	}
	return 0;
}

/* "<Brand> Golden Dragon Oolong": a run of capitalised words after the brand
 * that names no catalogue product (with or without the brand in front) while
 * ending in a word the catalogue uses for products (Oolong, Pu-erh, Set...).
 * "<Brand> Spring Sale" is no product name, "<Brand> Dongting Biluochun" is one. */
static void check_brand_names(struct scan *sc, const struct claims_catalog *cat)
{
	if (!cat || !cat->brand || !cat->n)
		return;
	size_t bl = strlen(cat->brand);
	const char *p = sc->lower;
	/* A catalogue whose names carry the brand ("Lumi Mug") makes every
	 * "Lumi <Word>" a product name. */
	int prefixed = 0;
	for (size_t i = 0; i < cat->n && !prefixed; i++)
		prefixed = cat->v[i].name_en && strncmp(cat->v[i].name_en, cat->brand, bl) == 0 &&
		           cat->v[i].name_en[bl] == ' ';
	while ((p = strstr(p, cat->brand))) {
		size_t a = (size_t)(p - sc->lower), k = a + bl;
		p++;
		if ((a > 0 && isalph(sc->s[a - 1])) || k >= sc->n || sc->s[k] != ' ' ||
		    !isupper((unsigned char)sc->s[k + 1]))
			continue;
		/* the run of capitalised words (at most 6) after the brand */
		size_t e = k + 1, last = k + 1;
		for (int words = 0; words < 6 && e < sc->n && isupper((unsigned char)sc->s[e]); words++) {
			last = e;
			while (e < sc->n && (isalph(sc->s[e]) || isdig(sc->s[e]) || sc->s[e] == '-' ||
			                     sc->s[e] == '\''))
				e++;
			if (e + 1 < sc->n && sc->s[e] == ' ' && isupper((unsigned char)sc->s[e + 1]))
				e++;
			else
				break;
		}
		const char *run = sc->lower + k + 1;
		size_t rl = e - (k + 1);
		int found = 0;
		for (size_t i = 0; i < cat->n && !found; i++) {
			const char *nm = cat->v[i].name_en;
			size_t nl = nm ? strlen(nm) : 0;
			if (!nm)
				continue;
			/* the catalogue name with the brand in front ("Shanlan Classic ...") */
			if (strncmp(nm, sc->lower + a, e - a) == 0 && (nm[e - a] == '\0' || nm[e - a] == ' '))
				found = 1;
			/* the run starts a name ("Dongting" of "Dongting Biluochun") or a
			 * name starts the run ("Dongting Biluochun Tin") */
			else if ((strncmp(nm, run, rl) == 0 && (nm[rl] == '\0' || nm[rl] == ' ')) ||
			         (nl <= rl && strncmp(run, nm, nl) == 0 && (run[nl] == ' ' || nl == rl)))
				found = 1;
		}
		if (!found && (prefixed || catalog_has_word(cat, sc->lower + last, e - last))) {
			char why[160];
			snprintf(why, sizeof why, "no product in the catalogue is called \"%.*s\"",
			         (int)(e - (k + 1)), sc->s + k + 1);
			add_claim(sc, "product", a, e, NAN, NAN, 0, why);
		}
	}
}

int claims_check(const char *text, const struct claims_product *product,
                 const struct claims_catalog *cat, cJSON **detail)
{
	size_t n = strlen(text);
	char *lower = lower_dup(text);
	cJSON *d = cJSON_CreateObject();
	cJSON *mentions = cJSON_AddArrayToObject(d, "products_named");
	const struct claims_product **prods = NULL;
	size_t np = 0;
	find_mentions(cat, text, lower, n, &prods, &np, mentions);
	if (product) {
		free(prods);
		prods = xmalloc(sizeof *prods);
		prods[0] = product;
		np = 1;
		cJSON_AddNumberToObject(d, "bound_product", (double)product->id);
	}
	struct scan sc = { text, lower, n, prods, np, cJSON_AddArrayToObject(d, "claims"), 0 };
	scan_text(&sc);
	check_brand_names(&sc, cat);
	cJSON_AddNumberToObject(d, "unbacked", sc.unbacked);
	free(prods);
	free(lower);
	*detail = d;
	return sc.unbacked;
}

/* ---- the scorer ---- */

static int score_claims(const struct scorer_type *self, const struct score_ctx *ctx,
                        double *value, cJSON **detail, struct cl_err *err)
{
	struct claims_product p;
	int bound = ctx->in->product && claims_product_from_json(ctx->in->product, &p) == 0;
	if (!bound && !ctx->catalog)
		return 0;
	cJSON *d = NULL;
	int bad = claims_check(ctx->text, bound ? &p : NULL, ctx->catalog, &d);
	if (bound)
		claims_product_clear(&p);
	*value = scorer_clamp01(1 - 0.5 * bad);
	cJSON_AddStringToObject(d, "rule", "1 - 0.5 per claim the data does not back");
	if (ctx->want_detail)
		*detail = d;
	else
		cJSON_Delete(d);
	return 1;
}

const struct scorer_type scorer_claims = {
	"claims", "prices, discounts, dates and product names checked against the data", 2.0,
	score_claims, NULL,
};
