/* predict.c — hashed-feature ridge regression of click rate with k-fold
 * cross-validation (see predict.h). */
#include "core/predict.h"
#include "core/rankstat.h"
#include "core/scorers.h"
#include "core/textstat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PD_HASH   1024u
#define PD_DENSE  12u
#define PD_DIM    (PD_HASH + PD_DENSE)
#define PD_NQ     101
#define PD_KIND   "ridge-hashed-v1"

struct srow {
	uint32_t *idx;
	double   *val;
	uint32_t  nnz;
};

struct predictor {
	double  bias;
	double  w[PD_DIM];
	double  quant[PD_NQ];          /* training click-rate quantiles 0..100% */
	struct predict_metrics m;
	const struct lexicon *lx;
	char   *source, *trained_at;
	/* scratch */
	struct text_stats ts;
	struct lex_hits hits;
	double dense[PD_DIM];
	uint32_t touched[PD_DIM];
	size_t ntouched;
	unsigned char mark[PD_DIM];
};

static uint32_t fnv(const char *pre, const char *s, size_t n, const char *s2, size_t n2)
{
	uint32_t h = 2166136261u;
	for (; *pre; pre++)
		h = (h ^ (unsigned char)*pre) * 16777619u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	if (s2) {
		h = (h ^ 0x1Fu) * 16777619u;
		for (size_t i = 0; i < n2; i++)
			h = (h ^ (unsigned char)s2[i]) * 16777619u;
	}
	return h;
}

/* Feature accumulation into p's dense scratch; `block` scales later. */
struct acc {
	struct predictor *p;
	double sq[2];                 /* squared norms of the two hashed blocks */
	unsigned char *blk;           /* which block a slot was first touched by */
};

static void add(struct predictor *p, uint32_t slot, double v)
{
	if (!p->mark[slot]) {
		p->mark[slot] = 1;
		p->touched[p->ntouched++] = slot;
		p->dense[slot] = 0;
	}
	p->dense[slot] += v;
}

/* Hashed block slots are kept apart: words and Han characters in the first
 * 768 slots, English character trigrams and context indicators in the rest. */
#define WORD_SLOTS 768u

static void featurize(struct predictor *p, const struct text_stats *ts, const struct lex_hits *hits,
                      const char *channel, const char *segment, struct srow *out)
{
	p->ntouched = 0;
	const char *norm = ts->norm;
	const struct ts_token *prev = NULL;
	double wsum = 0, csum = 0;
	/* words, bigrams, Han unigrams and bigrams */
	for (size_t i = 0; i < ts->ntok; i++) {
		const struct ts_token *t = &ts->tok[i];
		if (t->kind == TS_HAN) {
			const char *r = norm + t->norm;
			size_t q = 0, lastq = 0;
			int first = 1;
			while (q < t->nlen) {
				uint32_t cp;
				size_t l = ts_decode(r + q, t->nlen - q, &cp);
				add(p, fnv("h:", r + q, l, NULL, 0) % WORD_SLOTS, 1);
				if (!first)
					add(p, fnv("hb:", r + lastq, q + l - lastq, NULL, 0) % WORD_SLOTS, 1);
				first = 0;
				lastq = q;
				q += l;
			}
			prev = NULL;
			continue;
		}
		const char *w = norm + t->norm;
		if (t->kind == TS_NUM) {
			int pct = w[t->nlen - 1] == '%';
			add(p, fnv("w:", pct ? "<pct>" : "<num>", 5, NULL, 0) % WORD_SLOTS, 1);
		} else
			add(p, fnv("w:", w, t->nlen, NULL, 0) % WORD_SLOTS, 1);
		if (prev && prev->kind == TS_WORD && t->kind == TS_WORD && t->unit == prev->unit + 1)
			add(p, fnv("b:", norm + prev->norm, prev->nlen, w, t->nlen) % WORD_SLOTS, 1);
		prev = t;
		if (t->kind == TS_WORD && t->nlen >= 3) {
			char buf[64];
			size_t l = t->nlen < 60 ? t->nlen : 60;
			buf[0] = '^';
			memcpy(buf + 1, w, l);
			buf[l + 1] = '$';
			for (size_t k = 0; k + 3 <= l + 2; k++)
				add(p, WORD_SLOTS + fnv("c:", buf + k, 3, NULL, 0) % (PD_HASH - WORD_SLOTS - 64), 1);
		}
	}
	for (size_t i = 0; i < p->ntouched; i++) {
		uint32_t s = p->touched[i];
		if (s < WORD_SLOTS)
			wsum += p->dense[s] * p->dense[s];
		else
			csum += p->dense[s] * p->dense[s];
	}
	double wn = wsum > 0 ? 1 / sqrt(wsum) : 0, cn = csum > 0 ? 0.5 / sqrt(csum) : 0;
	for (size_t i = 0; i < p->ntouched; i++) {
		uint32_t s = p->touched[i];
		p->dense[s] *= s < WORD_SLOTS ? wn : cn;
	}
	/* context indicators in the last 64 hashed slots */
	const uint32_t ctx0 = PD_HASH - 64;
	const char *ch = channel ? channel : "", *sg = segment ? segment : "";
	add(p, ctx0 + fnv("ch:", ch, strlen(ch), NULL, 0) % 64, 1);
	add(p, ctx0 + fnv("sg:", sg, strlen(sg), NULL, 0) % 64, 1);
	add(p, ctx0 + fnv("cs:", ch, strlen(ch), sg, strlen(sg)) % 64, 1);
	add(p, ctx0 + fnv("lg:", ts->lang, 2, NULL, 0) % 64, 1);
	/* dense cues */
	double cta = 0, urg = 0, pers = 0;
	for (size_t i = 0; hits && i < hits->n; i++) {
		const struct lex_entry *e = hits->v[i].e;
		if ((e->flags >> LX_CTA) & 1u && e->w[LX_CTA] > cta)
			cta = e->w[LX_CTA];
		if ((e->flags >> LX_URGENCY) & 1u)
			urg++;
		if ((e->flags >> LX_PERSONAL) & 1u)
			pers = 1;
	}
	int pct = 0, price = 0;
	for (size_t i = 0; i < ts->ntok; i++)
		if (ts->tok[i].kind == TS_NUM) {
			const char *w = norm + ts->tok[i].norm;
			if (w[ts->tok[i].nlen - 1] == '%')
				pct = 1;
			if (w[0] == '$')
				price = 1;
		}
	if (strstr(ts->lower ? ts->lower : "", "折") || strstr(ts->lower ? ts->lower : "", " off"))
		pct = 1;
	if (strstr(ts->lower ? ts->lower : "", "¥") || strstr(ts->lower ? ts->lower : "", "元") ||
	    strstr(ts->lower ? ts->lower : "", "￥"))
		price = 1;
	double d[PD_DENSE] = {
		log1p((double)ts->chars) / 6.0, cta, ts->numbers ? 1 : 0, pct, ts->emoji ? 1 : 0,
		ts->questions ? 1 : 0, ts->exclaims ? 1 : 0, (urg > 2 ? 2 : urg) / 2.0, pers,
		ts->letters >= 10 ? (double)ts->upper / (double)ts->letters : 0,
		ts->sentences > 5 ? 1 : (double)ts->sentences / 5.0, price,
	};
	for (uint32_t k = 0; k < PD_DENSE; k++)
		if (d[k] != 0)
			add(p, PD_HASH + k, d[k]);
	/* emit sorted */
	uint32_t *idx = out->idx;
	size_t n = 0;
	for (uint32_t s = 0; s < PD_DIM && n < p->ntouched; s++)
		if (p->mark[s]) {
			idx[n] = s;
			out->val[n] = p->dense[s];
			p->mark[s] = 0;
			n++;
		}
	out->nnz = (uint32_t)n;
}

static double srow_dot(const struct srow *a, const struct srow *b)
{
	double s = 0;
	uint32_t i = 0, j = 0;
	while (i < a->nnz && j < b->nnz) {
		if (a->idx[i] == b->idx[j])
			s += a->val[i++] * b->val[j++];
		else if (a->idx[i] < b->idx[j])
			i++;
		else
			j++;
	}
	return s;
}

static double srow_dense_dot(const struct srow *a, const double *w)
{
	double s = 0;
	for (uint32_t i = 0; i < a->nnz; i++)
		s += a->val[i] * w[a->idx[i]];
	return s;
}

/* Solve A x = b in place (A n x n symmetric positive definite, row-major);
 * returns -1 if A is not positive definite. */
static int chol_solve(double *A, size_t n, double *b)
{
	for (size_t j = 0; j < n; j++) {
		double s = A[j * n + j];
		for (size_t k = 0; k < j; k++)
			s -= A[j * n + k] * A[j * n + k];
		if (s <= 0)
			return -1;
		double d = sqrt(s);
		A[j * n + j] = d;
		for (size_t i = j + 1; i < n; i++) {
			double t = A[i * n + j];
			const double *ri = &A[i * n], *rj = &A[j * n];
			for (size_t k = 0; k < j; k++)
				t -= ri[k] * rj[k];
			A[i * n + j] = t / d;
		}
	}
	for (size_t i = 0; i < n; i++) {
		double t = b[i];
		for (size_t k = 0; k < i; k++)
			t -= A[i * n + k] * b[k];
		b[i] = t / A[i * n + i];
	}
	for (size_t i = n; i-- > 0;) {
		double t = b[i];
		for (size_t k = i + 1; k < n; k++)
			t -= A[k * n + i] * b[k];
		b[i] = t / A[i * n + i];
	}
	return 0;
}

/* Fit ridge on rows[sel[0..m-1]] with targets y; writes w (PD_DIM) and *bias. */
static int fit(const struct srow *rows, const double *y, const size_t *sel, size_t m, double lambda,
               double *w, double *bias)
{
	double *mu = xcalloc(PD_DIM, sizeof *mu);
	double ybar = 0;
	for (size_t a = 0; a < m; a++) {
		const struct srow *r = &rows[sel[a]];
		for (uint32_t k = 0; k < r->nnz; k++)
			mu[r->idx[k]] += r->val[k];
		ybar += y[sel[a]];
	}
	for (size_t k = 0; k < PD_DIM; k++)
		mu[k] /= (double)m;
	ybar /= (double)m;
	double mumu = 0;
	for (size_t k = 0; k < PD_DIM; k++)
		mumu += mu[k] * mu[k];
	int rc = 0;
	memset(w, 0, PD_DIM * sizeof *w);
	if (m <= PD_DIM) {
		/* dual: (Kc + lambda I) alpha = yc, w = sum alpha_i (x_i - mu) */
		double *K = xcalloc(m * m, sizeof *K), *s = xcalloc(m, sizeof *s), *al = xcalloc(m, sizeof *al);
		for (size_t a = 0; a < m; a++)
			s[a] = srow_dense_dot(&rows[sel[a]], mu);
		for (size_t a = 0; a < m; a++)
			for (size_t b = 0; b <= a; b++) {
				double k = srow_dot(&rows[sel[a]], &rows[sel[b]]) - s[a] - s[b] + mumu;
				K[a * m + b] = K[b * m + a] = k;
			}
		for (size_t a = 0; a < m; a++) {
			K[a * m + a] += lambda;
			al[a] = y[sel[a]] - ybar;
		}
		rc = chol_solve(K, m, al);
		if (rc == 0) {
			double asum = 0;
			for (size_t a = 0; a < m; a++) {
				const struct srow *r = &rows[sel[a]];
				for (uint32_t k = 0; k < r->nnz; k++)
					w[r->idx[k]] += al[a] * r->val[k];
				asum += al[a];
			}
			for (size_t k = 0; k < PD_DIM; k++)
				w[k] -= asum * mu[k];
		}
		free(K);
		free(s);
		free(al);
	} else {
		/* primal: (X'X - m mu mu' + lambda I) w = X'(y - ybar) */
		double *A = xcalloc((size_t)PD_DIM * PD_DIM, sizeof *A);
		for (size_t a = 0; a < m; a++) {
			const struct srow *r = &rows[sel[a]];
			double yc = y[sel[a]] - ybar;
			for (uint32_t i = 0; i < r->nnz; i++) {
				double vi = r->val[i];
				w[r->idx[i]] += vi * yc;
				double *row = &A[(size_t)r->idx[i] * PD_DIM];
				for (uint32_t j = 0; j < r->nnz; j++)
					row[r->idx[j]] += vi * r->val[j];
			}
		}
		for (size_t i = 0; i < PD_DIM; i++) {
			for (size_t j = 0; j < PD_DIM; j++)
				A[i * PD_DIM + j] -= (double)m * mu[i] * mu[j];
			A[i * PD_DIM + i] += lambda;
		}
		rc = chol_solve(A, PD_DIM, w);
		free(A);
	}
	double wm = 0;
	for (size_t k = 0; k < PD_DIM; k++)
		wm += w[k] * mu[k];
	*bias = ybar - wm;
	free(mu);
	return rc;
}

static double sigmoid(double x) { return 1 / (1 + exp(-x)); }

static struct predictor *pred_new(const struct lexicon *lx)
{
	struct predictor *p = xcalloc(1, sizeof *p);
	p->lx = lx;
	ts_init(&p->ts);
	p->source = xstrdup("");
	p->trained_at = xstrdup("");
	return p;
}

void predictor_free(struct predictor *p)
{
	if (!p)
		return;
	ts_free(&p->ts);
	lex_hits_free(&p->hits);
	free(p->source);
	free(p->trained_at);
	free(p);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int predictor_train(const struct predict_example *ex, size_t n, const struct lexicon *lx,
                    const struct predict_opts *opts, struct predictor **out, struct cl_err *err)
{
	int folds = opts && opts->folds > 1 ? opts->folds : 5;
	double lambda = opts && opts->lambda > 0 ? opts->lambda : 1.0;
	size_t min_rows = opts && opts->min_rows ? opts->min_rows : 30;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (ex[i].impressions > 0 && ex[i].clicks >= 0 && ex[i].clicks <= ex[i].impressions &&
		    ex[i].text && *ex[i].text)
			m++;
	if (m < min_rows || m < (size_t)folds * 2)
		return cl_err_set(err, CL_EINVAL,
		                  "too little history to train a click-rate model: %zu usable campaigns "
		                  "(with copy, impressions and clicks), need at least %zu",
		                  m, min_rows > (size_t)folds * 2 ? min_rows : (size_t)folds * 2);
	struct predictor *p = pred_new(lx);
	struct srow *rows = xcalloc(m, sizeof *rows);
	double *y = xcalloc(m, sizeof *y), *ctr = xcalloc(m, sizeof *ctr);
	uint32_t *ibuf = xcalloc(PD_DIM, sizeof *ibuf);
	double *vbuf = xcalloc(PD_DIM, sizeof *vbuf);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct predict_example *e = &ex[i];
		if (!(e->impressions > 0 && e->clicks >= 0 && e->clicks <= e->impressions && e->text && *e->text))
			continue;
		ts_analyze(&p->ts, e->text, strlen(e->text));
		if (lx)
			lex_scan(lx, &p->ts, e->text, &p->hits);
		struct srow tmp = { ibuf, vbuf, 0 };
		featurize(p, &p->ts, lx ? &p->hits : NULL, e->channel, e->segment, &tmp);
		rows[k].idx = xcalloc(tmp.nnz ? tmp.nnz : 1, sizeof *rows[k].idx);
		rows[k].val = xcalloc(tmp.nnz ? tmp.nnz : 1, sizeof *rows[k].val);
		memcpy(rows[k].idx, ibuf, tmp.nnz * sizeof *ibuf);
		memcpy(rows[k].val, vbuf, tmp.nnz * sizeof *vbuf);
		rows[k].nnz = tmp.nnz;
		double r = (e->clicks + 0.5) / (e->impressions + 1);
		y[k] = log(r / (1 - r));
		ctr[k] = e->clicks / e->impressions;
		k++;
	}
	/* deterministic fold assignment: a shuffle by a fixed LCG */
	int *fold = xcalloc(m, sizeof *fold);
	size_t *perm = xcalloc(m, sizeof *perm);
	for (size_t i = 0; i < m; i++)
		perm[i] = i;
	uint64_t st = 0x9E3779B97F4A7C15ull;
	for (size_t i = m; i > 1; i--) {
		st = st * 6364136223846793005ull + 1442695040888963407ull;
		size_t j = (size_t)((st >> 33) % i);
		size_t t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < m; i++)
		fold[perm[i]] = (int)(i % (size_t)folds);
	double *oof = xcalloc(m, sizeof *oof), *base = xcalloc(m, sizeof *base);
	size_t *sel = xcalloc(m, sizeof *sel);
	double *w = xcalloc(PD_DIM, sizeof *w);
	int rc = 0;
	for (int f = 0; f < folds && rc == 0; f++) {
		size_t ms = 0;
		double ybar = 0;
		for (size_t i = 0; i < m; i++)
			if (fold[i] != f) {
				sel[ms++] = i;
				ybar += y[i];
			}
		ybar /= (double)ms;
		double b;
		rc = fit(rows, y, sel, ms, lambda, w, &b);
		for (size_t i = 0; i < m; i++)
			if (fold[i] == f) {
				oof[i] = sigmoid(b + srow_dense_dot(&rows[i], w));
				base[i] = sigmoid(ybar);
			}
	}
	if (rc == 0) {
		for (size_t i = 0; i < m; i++)
			sel[i] = i;
		rc = fit(rows, y, sel, m, lambda, p->w, &p->bias);
	}
	if (rc == 0) {
		struct rank_corr rcorr;
		rank_spearman(oof, ctr, m, 0.95, &rcorr);
		double mean = 0, sse = 0, sst = 0, bse = 0;
		for (size_t i = 0; i < m; i++)
			mean += ctr[i];
		mean /= (double)m;
		for (size_t i = 0; i < m; i++) {
			sse += (ctr[i] - oof[i]) * (ctr[i] - oof[i]);
			sst += (ctr[i] - mean) * (ctr[i] - mean);
			bse += (ctr[i] - base[i]) * (ctr[i] - base[i]);
		}
		p->m = (struct predict_metrics){
			.n = m, .folds = folds, .lambda = lambda,
			.spearman = rcorr.rho, .spearman_lo = rcorr.lo, .spearman_hi = rcorr.hi,
			.spearman_p = rcorr.p_value,
			.r2 = sst > 0 ? 1 - sse / sst : NAN,
			.mse = sse / (double)m, .baseline_mse = bse / (double)m, .mean_ctr = mean,
			.beats_baseline = sse < bse,
		};
		qsort(ctr, m, sizeof *ctr, cmp_d);
		for (int q = 0; q < PD_NQ; q++)
			p->quant[q] = ctr[(size_t)((double)q / (PD_NQ - 1) * (double)(m - 1) + 0.5)];
	} else
		cl_err_set(err, CL_EINVAL, "the ridge system is not positive definite (degenerate features)");
	for (size_t i = 0; i < m; i++) {
		free(rows[i].idx);
		free(rows[i].val);
	}
	free(rows);
	free(y);
	free(ctr);
	free(ibuf);
	free(vbuf);
	free(fold);
	free(perm);
	free(oof);
	free(base);
	free(sel);
	free(w);
	if (rc) {
		predictor_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

double predictor_predict_analysed(struct predictor *p, const struct text_stats *ts,
                                  const struct lex_hits *hits, const char *channel,
                                  const char *segment)
{
	uint32_t ibuf[PD_DIM];
	double vbuf[PD_DIM];
	struct srow r = { ibuf, vbuf, 0 };
	featurize(p, ts, hits, channel, segment, &r);
	return sigmoid(p->bias + srow_dense_dot(&r, p->w));
}

double predictor_predict(struct predictor *p, const char *text, const char *channel,
                         const char *segment)
{
	ts_analyze(&p->ts, text, strlen(text));
	if (p->lx)
		lex_scan(p->lx, &p->ts, text, &p->hits);
	return predictor_predict_analysed(p, &p->ts, p->lx ? &p->hits : NULL, channel, segment);
}

double predictor_percentile(const struct predictor *p, double ctr)
{
	int below = 0;
	for (int q = 0; q < PD_NQ; q++)
		if (p->quant[q] < ctr)
			below++;
	return (double)below / PD_NQ;
}

const struct predict_metrics *predictor_metrics(const struct predictor *p) { return &p->m; }
const char *predictor_source(const struct predictor *p) { return p->source; }
const char *predictor_trained_at(const struct predictor *p) { return p->trained_at; }

static void add_num(cJSON *o, const char *k, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddNumberToObject(o, k, round(v * 1e6) / 1e6);
}

cJSON *predictor_metrics_json(const struct predictor *p)
{
	const struct predict_metrics *m = &p->m;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", (double)m->n);
	cJSON_AddNumberToObject(o, "folds", m->folds);
	add_num(o, "lambda", m->lambda);
	add_num(o, "cv_spearman", m->spearman);
	add_num(o, "cv_spearman_ci_low", m->spearman_lo);
	add_num(o, "cv_spearman_ci_high", m->spearman_hi);
	add_num(o, "cv_spearman_p", m->spearman_p);
	add_num(o, "cv_r2", m->r2);
	add_num(o, "cv_mse", m->mse);
	add_num(o, "baseline_mse", m->baseline_mse);
	add_num(o, "mean_ctr", m->mean_ctr);
	cJSON_AddBoolToObject(o, "beats_baseline", m->beats_baseline);
	const char *verdict;
	if (!isnan(m->spearman_lo) && m->spearman_lo > 0 && m->beats_baseline)
		verdict = m->spearman >= 0.5 ? "useful: it ranks held-out campaigns well"
		                             : "some signal: it ranks held-out campaigns better than chance, loosely";
	else if (!isnan(m->spearman_lo) && m->spearman_lo > 0)
		verdict = "ranks better than chance but its click-rate estimates are no better than the average";
	else
		verdict = "not reliable: held-out rankings are not clearly better than chance";
	cJSON_AddStringToObject(o, "verdict", verdict);
	cJSON_AddStringToObject(o, "method", "ridge regression on hashed word/character n-grams and copy cues; "
	                        "k-fold cross-validation, out-of-fold Spearman rho with Fisher-z 95% interval");
	if (p->source[0])
		cJSON_AddStringToObject(o, "table", p->source);
	if (p->trained_at[0])
		cJSON_AddStringToObject(o, "trained_at", p->trained_at);
	return o;
}

/* ---- storage ---- */

int predictor_save(struct workspace *ws, const struct predictor *p, struct cl_err *err)
{
	cJSON *mo = cJSON_CreateObject();
	cJSON_AddStringToObject(mo, "kind", PD_KIND);
	cJSON_AddNumberToObject(mo, "dim", PD_DIM);
	cJSON_AddNumberToObject(mo, "bias", p->bias);
	cJSON_AddItemToObject(mo, "w", cJSON_CreateDoubleArray(p->w, PD_DIM));
	cJSON_AddItemToObject(mo, "quantiles", cJSON_CreateDoubleArray(p->quant, PD_NQ));
	cJSON_AddStringToObject(mo, "table", p->source);
	cJSON *me = predictor_metrics_json(p);
	char *ms = cJSON_PrintUnformatted(mo), *mt = cJSON_PrintUnformatted(me);
	cJSON_Delete(mo);
	cJSON_Delete(me);
	sqlite3_stmt *st;
	int rc = ws_prepare(ws, "INSERT OR REPLACE INTO cl_models(name, kind, model, metrics, trained_at)"
	                    " VALUES('ctr', ?, ?, ?, ?)", &st, err);
	if (rc == 0) {
		char *now = p->trained_at[0] ? xstrdup(p->trained_at) : ws_now_iso();
		sqlite3_bind_text(st, 1, PD_KIND, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, ms, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, mt, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = ws_dberr(ws, err, "saving the click-rate model");
		sqlite3_finalize(st);
		free(now);
	}
	free(ms);
	free(mt);
	return rc;
}

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

int predictor_load(struct workspace *ws, const struct lexicon *lx, struct predictor **out,
                   struct cl_err *err)
{
	*out = NULL;
	sqlite3_stmt *st;
	if (ws_prepare(ws, "SELECT kind, model, metrics, trained_at FROM cl_models WHERE name = 'ctr'",
	               &st, err))
		return -1;
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? 0 : ws_dberr(ws, err, "reading the click-rate model");
	}
	const char *kind = (const char *)sqlite3_column_text(st, 0);
	cJSON *mo = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
	cJSON *me = cJSON_Parse((const char *)sqlite3_column_text(st, 2));
	const char *at = (const char *)sqlite3_column_text(st, 3);
	int ok = kind && strcmp(kind, PD_KIND) == 0 && mo && me;
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(mo, "w");
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(mo, "quantiles");
	ok = ok && cJSON_GetArraySize(w) == (int)PD_DIM && cJSON_GetArraySize(q) == PD_NQ;
	struct predictor *p = NULL;
	if (ok) {
		p = pred_new(lx);
		p->bias = jnum(mo, "bias");
		int i = 0;
		const cJSON *x;
		cJSON_ArrayForEach(x, w) p->w[i++] = x->valuedouble;
		i = 0;
		cJSON_ArrayForEach(x, q) p->quant[i++] = x->valuedouble;
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(mo, "table");
		if (cJSON_IsString(t)) {
			free(p->source);
			p->source = xstrdup(t->valuestring);
		}
		if (at) {
			free(p->trained_at);
			p->trained_at = xstrdup(at);
		}
		p->m = (struct predict_metrics){
			.n = (size_t)jnum(me, "n"), .folds = (int)jnum(me, "folds"), .lambda = jnum(me, "lambda"),
			.spearman = jnum(me, "cv_spearman"), .spearman_lo = jnum(me, "cv_spearman_ci_low"),
			.spearman_hi = jnum(me, "cv_spearman_ci_high"), .spearman_p = jnum(me, "cv_spearman_p"),
			.r2 = jnum(me, "cv_r2"), .mse = jnum(me, "cv_mse"),
			.baseline_mse = jnum(me, "baseline_mse"), .mean_ctr = jnum(me, "mean_ctr"),
			.beats_baseline = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(me, "beats_baseline")),
		};
	}
	cJSON_Delete(mo);
	cJSON_Delete(me);
	sqlite3_finalize(st);
	if (!ok)
		return cl_err_set(err, CL_EINVAL, "the stored click-rate model is of another kind or damaged; "
		                  "run `copylab predictor train` again");
	*out = p;
	return 0;
}

/* Column of the table named like one of names, or NULL. */
static char *pick_col(struct workspace *ws, const char *table, const char *const *names)
{
	char *q = ws_quote_ident(table);
	char *sql = xasprintf("SELECT name FROM pragma_table_info(%s)", q);
	free(q);
	sqlite3_stmt *st;
	char *found = NULL;
	struct cl_err e = {0};
	if (ws_prepare(ws, sql, &st, &e) == 0) {
		for (const char *const *n = names; *n && !found; n++) {
			sqlite3_reset(st);
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *c = (const char *)sqlite3_column_text(st, 0);
				if (c && strcasecmp(c, *n) == 0) {
					found = xstrdup(c);
					break;
				}
			}
		}
		sqlite3_finalize(st);
	}
	free(sql);
	return found;
}

int predictor_train_table(struct workspace *ws, const char *table, const struct lexicon *lx,
                          const struct predict_opts *opts, struct predictor **out,
                          struct cl_err *err)
{
	static const char *const head[] = { "headline", "subject", "title", NULL };
	static const char *const body[] = { "body", "text", "copy", "message", NULL };
	static const char *const cta[] = { "cta", "call_to_action", NULL };
	static const char *const chn[] = { "channel", NULL };
	static const char *const seg[] = { "segment", NULL };
	static const char *const imp[] = { "impressions", "sent", "delivered", "views", "n", NULL };
	static const char *const clk[] = { "clicks", "click", NULL };
	if (!table)
		table = "campaigns";
	if (!ws_table_exists(ws, table))
		return cl_err_set(err, CL_ENOTFOUND, "no table '%s' of past campaigns (import one first: "
		                  "copylab import campaigns.csv)", table);
	char *c[7] = { pick_col(ws, table, head), pick_col(ws, table, body), pick_col(ws, table, cta),
	               pick_col(ws, table, chn), pick_col(ws, table, seg), pick_col(ws, table, imp),
	               pick_col(ws, table, clk) };
	int rc = 0;
	if (!c[5] || !c[6] || (!c[0] && !c[1]))
		rc = cl_err_set(err, CL_EINVAL, "table '%s' needs impressions and clicks columns and a "
		                "headline or body column", table);
	struct sbuf sql = SBUF_INIT;
	if (rc == 0) {
		sbuf_adds(&sql, "SELECT ");
		for (int i = 0; i < 7; i++) {
			if (c[i]) {
				char *q = ws_quote_ident(c[i]);
				sbuf_addf(&sql, "%s%s", i ? ", " : "", q);
				free(q);
			} else
				sbuf_addf(&sql, "%sNULL", i ? ", " : "");
		}
		char *qt = ws_quote_ident(table);
		sbuf_addf(&sql, " FROM %s", qt);
		free(qt);
	}
	sqlite3_stmt *st = NULL;
	if (rc == 0)
		rc = ws_prepare(ws, sbuf_str(&sql), &st, err);
	struct predict_example *ex = NULL;
	char **owned = NULL;
	size_t n = 0;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct sbuf t = SBUF_INIT;
		for (int i = 0; i < 3; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			if (v && *v) {
				if (t.len)
					sbuf_addc(&t, '\n');
				sbuf_adds(&t, v);
			}
		}
		ex = xreallocarray(ex, n + 1, sizeof *ex);
		owned = xreallocarray(owned, 3 * (n + 1), sizeof *owned);
		owned[3 * n] = sbuf_detach(&t);
		owned[3 * n + 1] = sqlite3_column_text(st, 3) ? xstrdup((const char *)sqlite3_column_text(st, 3)) : NULL;
		owned[3 * n + 2] = sqlite3_column_text(st, 4) ? xstrdup((const char *)sqlite3_column_text(st, 4)) : NULL;
		ex[n] = (struct predict_example){
			owned[3 * n], owned[3 * n + 1], owned[3 * n + 2],
			sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 5),
			sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 6),
		};
		n++;
	}
	if (st)
		sqlite3_finalize(st);
	if (rc == 0) {
		rc = predictor_train(ex, n, lx, opts, out, err);
		if (rc == 0) {
			free((*out)->source);
			(*out)->source = xstrdup(table);
			free((*out)->trained_at);
			(*out)->trained_at = ws_now_iso();
		} else
			cl_err_prefix(err, "table '%s'", table);
	}
	for (size_t i = 0; i < 3 * n; i++)
		free(owned[i]);
	free(owned);
	free(ex);
	for (int i = 0; i < 7; i++)
		free(c[i]);
	sbuf_free(&sql);
	return rc;
}

/* ---- the scorer ---- */

static int score_predicted(const struct scorer_type *self, const struct score_ctx *ctx,
                           double *value, cJSON **detail, struct cl_err *err)
{
	if (!ctx->predictor)
		return 0;
	double ctr = predictor_predict_analysed(ctx->predictor, ctx->ts, ctx->hits, ctx->channel,
	                                        ctx->in->segment);
	*value = predictor_percentile(ctx->predictor, ctr);
	const struct predict_metrics *m = predictor_metrics(ctx->predictor);
	/* a model whose held-out ranking is not clearly better than chance, or whose
	 * error is no better than the average's, is shown but not counted */
	int counted = !isnan(m->spearman_lo) && m->spearman_lo > 0 && m->beats_baseline;
	if (ctx->want_detail) {
		cJSON *d = predictor_metrics_json(ctx->predictor);
		cJSON_AddNumberToObject(d, "predicted_ctr", round(ctr * 1e6) / 1e6);
		cJSON_AddBoolToObject(d, "counted", counted);
		cJSON_AddStringToObject(d, "rule", counted
		                        ? "value = share of past campaigns with a lower click rate than "
		                          "predicted; trust it as far as cv_spearman says"
		                        : "value = share of past campaigns with a lower click rate than "
		                          "predicted; not counted in the composite: the model's "
		                          "cross-validation does not support it");
		*detail = d;
	}
	return counted ? 1 : 2;
}

const struct scorer_type scorer_predicted = {
	"predicted", "click rate predicted by the model trained on past campaigns (with its CV figure)",
	2.0, score_predicted, NULL,
};
