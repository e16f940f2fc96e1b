/* report.c — the stakeholder report (HTML with inline SVG charts, or Markdown).
 *
 * The report is built in three steps: gather (run, prompt, experiment
 * analysis, lineage, segment), set up one redactor that knows the personal
 * columns, the bound row's personal values and every key-like environment
 * value, then write sections. Every string that came from data, a model or
 * the workspace goes through put_data (redact, then escape); only our own
 * labels and numbers are written as they are.
 */
#include "core/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "core/config.h"
#include "core/experiment.h"
#include "core/iterate.h"
#include "core/plugin.h"
#include "core/redact.h"
#include "core/segment.h"
#include "core/template.h"
#include "core/workflow.h"

extern char **environ;

/* ---------------------------------------------------------------- labels */

struct labels {
	const char *lang, *title, *generated, *summary, *prompt, *variants, *ab, *history, *data;
	const char *run, *status, *provider, *model, *created, *tokens, *cost, *segment, *table;
	const char *predicate, *rows, *profile, *bound_row, *composite, *scores, *why, *best;
	const char *arm, *visitors, *conversions, *rate, *ci, *lift, *p_adj, *p_best, *p_beat;
	const char *verdict, *control, *chart_rate, *chart_dens, *chart_cum, *round, *feedback;
	const char *best_score, *best_rate, *lineage, *offline, *simulated, *none, *no_ab;
	const char *footer, *version, *starred, *discarded, *error, *srm, *day, *parents;
	const char *observed, *prompt_inline;
};

static const struct labels L_EN = {
	"en", "Copy report", "Generated", "Summary", "Prompt", "Variants", "A/B test",
	"Iteration history", "Data and segment",
	"Run", "Status", "Provider", "Model", "Created", "Tokens (in / out)", "Cost", "Segment",
	"Table", "Rule", "Rows", "Profile", "Bound row", "Composite", "Scores", "Why", "best score",
	"Arm", "Visitors", "Conversions", "Rate", "95% interval", "Lift vs control",
	"p (Holm)", "P(best)", "P(beat control)", "Verdict", "control",
	"Conversion rate per arm with 95% intervals", "Posterior densities of the conversion rate",
	"Cumulative conversion rate by day", "Round", "Feedback", "Best score", "Best rate",
	"Lineage", "OFFLINE: copy composed by copylab's built-in offline generator, not a language model",
	"SIMULATED: the audience was simulated, these are not real customers' results",
	"none", "No A/B test is linked to this run.",
	"Personal data (e-mails, phone numbers, long numbers, personal columns) is redacted; "
	"API keys never appear in reports.", "version", "starred", "discarded", "error",
	"Sample ratio mismatch: the split differs from the plan (p < 0.001); check the set-up",
	"Day", "from", "observed in the A/B test", "(prompt given as text)",
};

static const struct labels L_ZH = {
	"zh", "文案报告", "生成于", "概要", "提示词", "文案变体", "A/B 测试", "迭代历史", "数据与人群",
	"运行", "状态", "服务", "模型", "创建时间", "令牌（输入 / 输出）", "费用", "人群", "数据表",
	"规则", "行数", "画像", "绑定行", "综合分", "评分", "理由", "最高分",
	"组", "访客", "转化", "转化率", "95% 区间", "相对对照提升", "p（Holm）", "P(最佳)",
	"P(胜过对照)", "结论", "对照", "各组转化率及 95% 区间", "转化率后验分布", "按日累计转化率",
	"轮次", "反馈", "最高分", "最高转化率", "谱系",
	"离线：文案由 copylab 内置离线生成器组合而成，并非语言模型",
	"模拟：受众为模拟数据，并非真实客户的结果",
	"无", "此运行没有关联的 A/B 测试。",
	"个人数据（邮箱、电话、长数字、个人字段）已脱敏；报告中不会出现 API 密钥。", "版本",
	"已加星", "已弃用", "错误", "样本比例失衡：分流与计划不符（p < 0.001），请检查设置",
	"日期", "来自", "A/B 测试实测", "（以文本给出的提示词）",
};

/* ---------------------------------------------------------------- state */

struct rep {
	struct workspace      *ws;
	int                    fmt;
	const struct labels   *L;
	const char            *generator;
	struct redactor       *red;
	size_t                 redacted;
	struct sbuf            o;
	struct wf_run         *run;
	char                  *prompt_text;    /* template source or the run's prompt text */
	char                  *prompt_label;   /* "name v3" or NULL */
	struct exp_analysis   *ea;
	struct iter_history   *hist;
	struct segment         seg;
	int                    has_seg;
	char                  *seg_profile;
	char                 **secret;         /* key-like environment values */
	char                 **secret_name;
	size_t                 nsecret;
	char                   verdict[512];   /* the A/B verdict in the report's language */
};

static const char *const PALETTE[] = {
	"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#000000",
};
#define NPALETTE (sizeof PALETTE / sizeof PALETTE[0])

/* ---------------------------------------------------------------- escaping */

static void esc_html(struct sbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':  sbuf_adds(sb, "&amp;"); break;
		case '<':  sbuf_adds(sb, "&lt;"); break;
		case '>':  sbuf_adds(sb, "&gt;"); break;
		case '"':  sbuf_adds(sb, "&quot;"); break;
		case '\'': sbuf_adds(sb, "&#39;"); break;
		case '\r': break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				sbuf_addc(sb, ' ');
			else
				sbuf_addc(sb, *s);
		}
	}
}

/* Markdown: HTML-significant characters as entities, table pipes escaped,
 * newlines as <br> inside a table cell. */
static void esc_md(struct sbuf *sb, const char *s, int cell)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': sbuf_adds(sb, "&amp;"); break;
		case '<': sbuf_adds(sb, "&lt;"); break;
		case '>': sbuf_adds(sb, "&gt;"); break;
		case '|': sbuf_adds(sb, cell ? "\\|" : "|"); break;
		case '\\': sbuf_adds(sb, "\\\\"); break;
		case '*': case '`':
			sbuf_addc(sb, '\\');
			sbuf_addc(sb, *s);
			break;
		case '\r': break;
		case '\n': sbuf_adds(sb, cell ? "<br>" : "  \n"); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\t')
				sbuf_addc(sb, ' ');
			else
				sbuf_addc(sb, *s);
		}
	}
}

/* Our own text (labels): escaped, not redacted. */
static void put(struct rep *R, const char *s)
{
	if (R->fmt == REPORT_HTML)
		esc_html(&R->o, s);
	else
		esc_md(&R->o, s, 0);
}

/* Text from data, a model or the workspace: redacted, then escaped. cell: in
 * a Markdown table cell. */
static void put_data_ex(struct rep *R, const char *s, int cell)
{
	size_t hits = 0;
	char *clean = redactor_text(R->red, s ? s : "", &hits);
	R->redacted += hits;
	if (R->fmt == REPORT_HTML)
		esc_html(&R->o, clean);
	else
		esc_md(&R->o, clean, cell);
	free(clean);
}

static void put_data(struct rep *R, const char *s)
{
	put_data_ex(R, s, 0);
}

static void cell(struct rep *R, const char *s)
{
	put_data_ex(R, s, 1);
}

static void raw(struct rep *R, const char *s)
{
	sbuf_adds(&R->o, s);
}

static void rawf(struct rep *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rawf(struct rep *R, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sbuf_vaddf(&R->o, fmt, ap);
	va_end(ap);
}

/* 1234567 as "1,234,567". */
static void thousands(char *buf, size_t n, long long v)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof tmp, "%lld", v < 0 ? -v : v);
	size_t o = 0;
	if (v < 0 && o + 1 < n)
		buf[o++] = '-';
	for (int i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
}

/* The last part of a path: a report names its source file, not where it lived. */
static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

static void pct(char *buf, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(buf, n, "–");
	else
		snprintf(buf, n, "%.2f%%", v * 100);
}

/* ---------------------------------------------------------------- gathering */

static int secret_name(const char *name, size_t n)
{
	static const char *const tails[] = { "_KEY", "_TOKEN", "_SECRET", "_PASSWORD", "_PASS" };
	for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		size_t t = strlen(tails[i]);
		if (n >= t && strncasecmp(name + n - t, tails[i], t) == 0)
			return 1;
	}
	static const char *const parts[] = { "API_KEY", "APIKEY", "SECRET", "TOKEN" };
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		size_t t = strlen(parts[i]);
		for (size_t j = 0; j + t <= n; j++)
			if (strncasecmp(name + j, parts[i], t) == 0)
				return 1;
	}
	return 0;
}

static void add_secret(struct rep *R, const char *name, size_t namelen, const char *value)
{
	if (!value || strlen(value) < 8)
		return;
	for (size_t i = 0; i < R->nsecret; i++)
		if (strcmp(R->secret[i], value) == 0)
			return;
	R->secret = xreallocarray(R->secret, R->nsecret + 1, sizeof *R->secret);
	R->secret_name = xreallocarray(R->secret_name, R->nsecret + 1, sizeof *R->secret_name);
	R->secret[R->nsecret] = xstrdup(value);
	R->secret_name[R->nsecret] = xstrndup(name, namelen);
	redactor_add_literal(R->red, value, "key");
	R->nsecret++;
}

/* Every key-like environment value, and the value of each variable that
 * config.json names as a provider's key (whatever that variable is called). */
static void gather_secrets(struct rep *R)
{
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (eq && secret_name(*e, (size_t)(eq - *e)))
			add_secret(R, *e, (size_t)(eq - *e), eq + 1);
	}
	struct cl_config *cfg = NULL;
	struct plugin_host *host = NULL;   /* when config.json names a plugin's provider type */
	struct cl_err e = {0};
	if (plugin_config_load(&host, &cfg, &e) == 0) {
		for (size_t i = 0; i < cfg->nproviders; i++) {
			const char *env = cfg->providers[i]->key_env;
			if (env && *env)
				add_secret(R, env, strlen(env), getenv(env));
		}
		config_free(cfg);
		plugin_host_free(host);
	}
}

/* The bound row's personal values become literals, so a model that wrote a
 * customer's name into the copy does not put it in the report. */
static void gather_bound_row(struct rep *R)
{
	if (!R->run->row_ref)
		return;
	struct tpl_bind_opts bo = { .row = R->run->row_ref };
	cJSON *bind = NULL;
	struct cl_err e = {0};
	if (template_bind(R->ws, &bo, &bind, &e))
		return;
	char *table = xstrdup(R->run->row_ref);
	char *colon = strchr(table, ':');
	if (colon)
		*colon = '\0';
	const cJSON *row = cJSON_GetObjectItemCaseSensitive(bind, "product");
	const cJSON *it;
	cJSON_ArrayForEach(it, row) {
		if (cJSON_IsString(it) && redactor_is_personal(R->red, table, it->string))
			redactor_add_literal(R->red, it->valuestring, it->string);
	}
	free(table);
	cJSON_Delete(bind);
}

static char *run_prompt_text(struct workspace *ws, long long run_id)
{
	sqlite3_stmt *st;
	struct cl_err e = {0};
	char *out = NULL;
	if (ws_prepare(ws, "SELECT prompt_text FROM cl_runs WHERE id = ?", &st, &e))
		return NULL;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

/* The newest experiment whose run is run_id, or NULL; caller frees. */
static char *linked_experiment(struct workspace *ws, long long run_id, struct cl_err *err)
{
	struct exp_summary *s;
	size_t n;
	char *name = NULL;
	if (exp_list(ws, &s, &n, err))
		return NULL;
	for (size_t i = 0; i < n && !name; i++)
		if (s[i].meta.run_id == run_id)
			name = xstrdup(s[i].meta.name);
	exp_list_free(s, n);
	return name;
}

static int gather(struct rep *R, const struct report_opts *o, struct cl_err *err)
{
	long long run_id = o->run_id;
	if (o->experiment) {
		if (exp_analyze(R->ws, o->experiment, NULL, &R->ea, err))
			return -1;
		if (!run_id)
			run_id = R->ea->meta.run_id;
	}
	/* An experiment of its own (no run) is reported alone, not beside an
	 * unrelated newest run. */
	if (!run_id && !R->ea)
		run_id = wf_latest_run(R->ws);
	if (!run_id && !R->ea)
		return cl_err_set(err, CL_ENOTFOUND, "nothing to report: the workspace has no runs "
		                  "and no experiment was named (copylab generate, or --experiment NAME)");
	if (run_id) {
		if (wf_run_load(R->ws, run_id, &R->run, err))
			return -1;
		if (R->run->prompt_id) {
			struct template *t = NULL;
			if (template_load_id(R->ws, R->run->prompt_id, &t, err) == 0) {
				R->prompt_text = xstrdup(t->text ? t->text : t->body);
				R->prompt_label = xasprintf("%s v%d", t->name, t->version);
				template_free(t);
			} else
				cl_err_clear(err);
		}
		if (!R->prompt_text)
			R->prompt_text = run_prompt_text(R->ws, run_id);
		if (!R->ea) {
			char *name = linked_experiment(R->ws, run_id, err);
			if (name && exp_analyze(R->ws, name, NULL, &R->ea, err)) {
				free(name);
				return -1;
			}
			free(name);
		}
		if (iterate_history(R->ws, run_id, &R->hist, err))
			return -1;
		if (R->run->segment && segment_get(R->ws, R->run->segment, &R->seg, err) == 0) {
			R->has_seg = 1;
			R->seg_profile = template_segment_profile(R->ws, R->run->segment, err);
		}
		cl_err_clear(err);
	}
	if (R->ea)
		ab_verdict_format(&R->ea->in, &R->ea->res, R->L->lang, R->verdict, sizeof R->verdict);
	return 0;
}

/* ---------------------------------------------------------------- pieces */

static const char *CSS =
	":root{--ink:#1d2330;--muted:#5b6475;--line:#d9dde5;--soft:#f4f6f9;--accent:#0072B2;"
	"--warn:#9a3412;--warnbg:#fff4e5}"
	"*{box-sizing:border-box}"
	"body{margin:0;color:var(--ink);background:#fff;font:16px/1.6 -apple-system,'Segoe UI',"
	"'Helvetica Neue',Arial,'Noto Sans','PingFang SC','Hiragino Sans GB','Microsoft YaHei',"
	"'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif;"
	"-webkit-font-smoothing:antialiased}"
	"main{max-width:1120px;margin:0 auto;padding:32px 28px 48px}"
	"h1{font-size:30px;line-height:1.25;margin:0 0 4px;letter-spacing:-.01em}"
	"h2{font-size:21px;margin:40px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--ink)}"
	"h3{font-size:16px;margin:0 0 6px}"
	".sub{color:var(--muted);margin:0 0 20px}"
	".badge{display:inline-block;font-size:12px;font-weight:700;letter-spacing:.04em;"
	"padding:2px 8px;border-radius:4px;background:var(--warnbg);color:var(--warn);"
	"border:1px solid #f5c58a;margin:2px 6px 2px 0}"
	".note{background:var(--warnbg);border-left:4px solid #f59e0b;padding:8px 12px;margin:8px 0;"
	"font-size:14px}"
	"table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px;"
	"font-variant-numeric:tabular-nums}"
	"th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}"
	"th{background:var(--soft);font-weight:600}"
	"td.n,th.n{text-align:right;white-space:nowrap}"
	"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0}"
	"dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}"
	"pre{white-space:pre-wrap;word-wrap:break-word;background:var(--soft);border:1px solid var(--line);"
	"border-radius:6px;padding:12px 14px;font:13px/1.55 ui-monospace,'SFMono-Regular',Menlo,"
	"Consolas,'Noto Sans Mono CJK SC',monospace}"
	"code{font:13px ui-monospace,Menlo,Consolas,monospace;background:var(--soft);padding:1px 4px;"
	"border-radius:3px}"
	".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:16px}"
	".card{border:1px solid var(--line);border-radius:8px;padding:14px 16px;background:#fff;"
	"break-inside:avoid}"
	".card.best{border:2px solid var(--accent)}"
	".card.discarded{opacity:.6}"
	".head{display:flex;justify-content:space-between;align-items:baseline;gap:8px}"
	".score{font-size:26px;font-weight:700;font-variant-numeric:tabular-nums}"
	".fname{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);"
	"margin-top:8px}"
	".fval{white-space:pre-wrap;overflow-wrap:anywhere}"
	".sc{width:100%;font-size:12.5px;margin-top:10px}.sc td{padding:3px 4px}"
	".bar{display:inline-block;width:60px;height:8px;background:var(--soft);border-radius:4px;"
	"vertical-align:middle;margin-right:6px}"
	".bar i{display:block;height:8px;border-radius:4px;background:var(--accent)}"
	".why{color:var(--muted)}"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:16px}"
	"figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px}"
	"figcaption{font-size:13px;color:var(--muted);margin-bottom:4px}"
	"svg{width:100%;height:auto;display:block}"
	"svg text{font-family:inherit;font-size:13px;fill:#333}"
	".verdict{font-size:17px;font-weight:600}"
	"footer{margin-top:40px;padding-top:10px;border-top:1px solid var(--line);color:var(--muted);"
	"font-size:13px}"
	"@media print{body{font-size:11pt}main{max-width:none;padding:0}"
	"h2{break-after:avoid}figure,.card,table{break-inside:avoid}.grid{gap:10px}"
	"a{color:inherit;text-decoration:none}}"
	"@page{margin:16mm 14mm}";

static void h2(struct rep *R, const char *id, const char *title)
{
	if (R->fmt == REPORT_HTML) {
		rawf(R, "<section id=\"%s\">\n<h2>", id);
		put(R, title);
		raw(R, "</h2>\n");
	} else {
		raw(R, "\n## ");
		put(R, title);
		raw(R, "\n\n");
	}
}

static void end_section(struct rep *R)
{
	if (R->fmt == REPORT_HTML)
		raw(R, "</section>\n");
}

static void badge(struct rep *R, const char *text)
{
	if (R->fmt == REPORT_HTML) {
		raw(R, "<p class=\"note\"><span class=\"badge\">");
		/* the word before the colon is the badge, the rest the explanation */
		const char *colon = strstr(text, "：") ? strstr(text, "：") : strchr(text, ':');
		size_t n = colon ? (size_t)(colon - text) : strlen(text);
		char *word = xstrndup(text, n);
		put(R, word);
		free(word);
		raw(R, "</span>");
		if (colon)
			put(R, colon + (strncmp(colon, "：", 3) == 0 ? 3 : 1));
		raw(R, "</p>\n");
	} else {
		raw(R, "> **");
		put(R, text);
		raw(R, "**\n\n");
	}
}

/* One fact row (label: value from data). */
static void fact(struct rep *R, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	if (R->fmt == REPORT_HTML) {
		raw(R, "<dt>");
		put(R, label);
		raw(R, "</dt><dd>");
		put_data(R, value);
		raw(R, "</dd>\n");
	} else {
		raw(R, "| ");
		put(R, label);
		raw(R, " | ");
		cell(R, value);
		raw(R, " |\n");
	}
}

static int is_offline(const struct rep *R)
{
	return R->run && R->run->provider && strcmp(R->run->provider, "offline") == 0;
}

static void section_summary(struct rep *R)
{
	const struct labels *L = R->L;
	h2(R, "summary", L->summary);
	if (is_offline(R))
		badge(R, L->offline);
	if (R->ea && R->ea->meta.simulated)
		badge(R, L->simulated);
	if (R->fmt == REPORT_HTML)
		raw(R, "<dl class=\"facts\">\n");
	else
		raw(R, "| | |\n| --- | --- |\n");
	char buf[160];
	if (R->run) {
		struct wf_run *r = R->run;
		snprintf(buf, sizeof buf, "#%lld · %s %d", r->id, L->round, r->round);
		fact(R, L->run, buf);
		fact(R, L->prompt, R->prompt_label ? R->prompt_label : L->prompt_inline);
		fact(R, L->provider, r->provider);
		fact(R, L->model, r->model);
		fact(R, L->status, r->status);
		fact(R, L->created, r->created_at);
		snprintf(buf, sizeof buf, "%zu", r->nv);
		fact(R, L->variants, buf);
		if (r->tokens_in > 0 || r->tokens_out > 0) {
			snprintf(buf, sizeof buf, "%ld / %ld", r->tokens_in, r->tokens_out);
			fact(R, L->tokens, buf);
		}
		if (r->cost > 0) {
			snprintf(buf, sizeof buf, "$%.4f", r->cost);
			fact(R, L->cost, buf);
		}
		fact(R, L->segment, r->segment);
		fact(R, L->bound_row, r->row_ref);
	}
	if (R->ea) {
		fact(R, L->ab, R->ea->meta.name);
		fact(R, L->verdict, R->verdict);
	}
	if (R->fmt == REPORT_HTML)
		raw(R, "</dl>\n");
	end_section(R);
}

static void section_prompt(struct rep *R)
{
	if (!R->prompt_text)
		return;
	h2(R, "prompt", R->L->prompt);
	if (R->prompt_label) {
		raw(R, R->fmt == REPORT_HTML ? "<p><strong>" : "**");
		put_data(R, R->prompt_label);
		raw(R, R->fmt == REPORT_HTML ? "</strong></p>\n" : "**\n\n");
	}
	if (R->fmt == REPORT_HTML) {
		raw(R, "<pre>");
		put_data(R, R->prompt_text);
		raw(R, "</pre>\n");
	} else {
		/* an indented block: escaping stays literal text there */
		size_t hits = 0;
		char *clean = redactor_text(R->red, R->prompt_text, &hits);
		R->redacted += hits;
		/* every line, blank ones too (they would end the block unindented) */
		for (char *line = clean, *next; line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (!next && !*line)
				break;
			raw(R, "    ");
			raw(R, line);
			raw(R, "\n");
		}
		free(clean);
	}
	end_section(R);
}

/* A short reason from a scorer's detail: its "why"/"rationale"/"reason", else
 * up to three quoted terms it found. Caller frees; "" when none. */
static char *rationale(const char *detail_json)
{
	cJSON *d = detail_json ? cJSON_Parse(detail_json) : NULL;
	struct sbuf sb = SBUF_INIT;
	static const char *const keys[] = { "why", "rationale", "reason", "verdict" };
	for (size_t i = 0; d && i < sizeof keys / sizeof keys[0] && !sb.len; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, keys[i]);
		if (cJSON_IsString(v) && *v->valuestring)
			sbuf_adds(&sb, v->valuestring);
	}
	if (!sb.len && d) {
		int n = 0;
		const cJSON *arr;
		cJSON_ArrayForEach(arr, d) {
			if (!cJSON_IsArray(arr))
				continue;
			const cJSON *it;
			cJSON_ArrayForEach(it, arr) {
				const char *q = cJSON_IsString(it) ? it->valuestring
				              : cJSON_IsString(cJSON_GetObjectItem(it, "quote"))
				                ? cJSON_GetObjectItem(it, "quote")->valuestring : NULL;
				if (!q || n >= 3)
					continue;
				sbuf_addf(&sb, "%s“%s”", n ? ", " : "", q);
				n++;
			}
		}
	}
	cJSON_Delete(d);
	return sbuf_detach(&sb);
}

/* The arm of the experiment linked to variant id, or -1. */
static int arm_of_variant(const struct rep *R, long long id)
{
	if (!R->ea || !R->ea->data)
		return -1;
	for (int a = 0; a < R->ea->data->narms; a++)
		if (R->ea->data->variant_id[a] == id)
			return a;
	return -1;
}

static void section_variants(struct rep *R)
{
	const struct labels *L = R->L;
	if (!R->run || !R->run->nv)
		return;
	struct wf_run *r = R->run;
	h2(R, "variants", L->variants);
	long long best = 0;
	double bestv = -1;
	for (size_t i = 0; i < r->nv; i++)
		if (isfinite(r->v[i].composite) && r->v[i].composite > bestv && !r->v[i].discarded)
			bestv = r->v[i].composite, best = r->v[i].id;
	if (R->fmt == REPORT_HTML)
		raw(R, "<div class=\"grid\">\n");
	for (size_t i = 0; i < r->nv; i++) {
		const struct wf_variant *v = &r->v[i];
		char label[16], score[32];
		iterate_label(v->idx, label, sizeof label);
		if (isfinite(v->composite))
			snprintf(score, sizeof score, "%.3f", v->composite);
		else
			snprintf(score, sizeof score, "–");
		int arm = arm_of_variant(R, v->id);
		if (R->fmt == REPORT_HTML) {
			rawf(R, "<article class=\"card%s%s\">\n<div class=\"head\"><h3>%s <small>#%lld</small>",
			     v->id == best ? " best" : "", v->discarded ? " discarded" : "", label, v->id);
			if (v->starred)
				raw(R, " ★");
			raw(R, "</h3><span class=\"score\" title=\"");
			put(R, L->composite);
			rawf(R, "\">%s</span></div>\n", score);
			if (v->id == best) {
				raw(R, "<span class=\"badge\">");
				put(R, L->best);
				raw(R, "</span>");
			}
			if (v->discarded) {
				raw(R, "<span class=\"badge\">");
				put(R, L->discarded);
				raw(R, "</span>");
			}
			if (arm >= 0) {
				char rate[32];
				pct(rate, sizeof rate, R->ea->res.arm[arm].rate);
				raw(R, "<p class=\"why\">");
				put(R, L->observed);
				raw(R, ": ");
				put_data(R, R->ea->data->arm[arm]);
				rawf(R, " · %s</p>\n", rate);
			}
			if (v->error) {
				raw(R, "<p class=\"note\">");
				put(R, L->error);
				raw(R, ": ");
				put_data(R, v->error);
				raw(R, "</p>\n");
			}
			if (v->nfields)
				for (size_t f = 0; f < v->nfields; f++) {
					raw(R, "<div class=\"fname\">");
					put_data(R, v->fields[f].name);
					raw(R, "</div><div class=\"fval\">");
					put_data(R, v->fields[f].value);
					raw(R, "</div>\n");
				}
			else if (v->text && *v->text) {
				raw(R, "<div class=\"fval\">");
				put_data(R, v->text);
				raw(R, "</div>\n");
			}
			if (v->nscores) {
				raw(R, "<table class=\"sc\"><tbody>\n");
				for (size_t s = 0; s < v->nscores; s++) {
					const struct wf_score *sc = &v->scores[s];
					double w = isfinite(sc->value) ? sc->value : 0;
					w = w < 0 ? 0 : w > 1 ? 1 : w;
					char *why = rationale(sc->detail);
					raw(R, "<tr><td>");
					put_data(R, sc->scorer);
					rawf(R, "</td><td class=\"n\"><span class=\"bar\"><i style=\"width:%.0f%%\">"
					     "</i></span>%.2f</td><td class=\"why\">", w * 100, sc->value);
					put_data(R, why);
					raw(R, "</td></tr>\n");
					free(why);
				}
				raw(R, "</tbody></table>\n");
			}
			raw(R, "</article>\n");
		} else {
			rawf(R, "### %s (#%lld) · %s %s%s%s\n\n", label, v->id, L->composite, score,
			     v->id == best ? " · " : "", v->id == best ? L->best : "");
			if (v->discarded)
				rawf(R, "*%s*\n\n", L->discarded);
			if (arm >= 0) {
				char rate[32];
				pct(rate, sizeof rate, R->ea->res.arm[arm].rate);
				put(R, L->observed);
				raw(R, ": ");
				put_data(R, R->ea->data->arm[arm]);
				rawf(R, " · %s\n\n", rate);
			}
			if (v->error) {
				put(R, L->error);
				raw(R, ": ");
				put_data(R, v->error);
				raw(R, "\n\n");
			}
			for (size_t f = 0; f < v->nfields; f++) {
				raw(R, "**");
				put_data(R, v->fields[f].name);
				raw(R, "**: ");
				put_data(R, v->fields[f].value);
				raw(R, "\n\n");
			}
			if (!v->nfields && v->text && *v->text) {
				put_data(R, v->text);
				raw(R, "\n\n");
			}
			if (v->nscores) {
				rawf(R, "| %s | | %s |\n| --- | ---: | --- |\n", L->scores, L->why);
				for (size_t s = 0; s < v->nscores; s++) {
					char *why = rationale(v->scores[s].detail);
					raw(R, "| ");
					cell(R, v->scores[s].scorer);
					rawf(R, " | %.2f | ", v->scores[s].value);
					cell(R, why);
					raw(R, " |\n");
					free(why);
				}
				raw(R, "\n");
			}
		}
	}
	if (R->fmt == REPORT_HTML)
		raw(R, "</div>\n");
	end_section(R);
}

/* ---------------------------------------------------------------- charts */

#define CW 640
#define CH 300
#define ML 58
#define MR 16
#define MT 18
#define MB 56

static void svg_open(struct rep *R, const char *caption)
{
	raw(R, "<figure><figcaption>");
	put(R, caption);
	rawf(R, "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	     "role=\"img\" aria-label=\"", CW, CH);
	put(R, caption);
	raw(R, "\">\n");
}

static void svg_close(struct rep *R)
{
	raw(R, "</svg></figure>\n");
}

/* A round axis maximum at or above v (its quarters read well too). */
static double nice_max(double v)
{
	if (!(v > 0))
		return 0.01;
	double p = pow(10, floor(log10(v)));
	static const double steps[] = { 1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10 };
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (steps[i] * p >= v - 1e-12)
			return steps[i] * p;
	return 10 * p;
}

/* Horizontal grid lines and y labels for [0, ymax] (as percentages when pctl). */
static void svg_yaxis(struct rep *R, double ymin, double ymax, int pctl)
{
	for (int t = 0; t <= 4; t++) {
		double v = ymin + (ymax - ymin) * t / 4.0;
		double y = CH - MB - (double)(CH - MB - MT) * t / 4.0;
		rawf(R, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e6ec\"/>\n", ML, y,
		     CW - MR, y);
		if (pctl)
			rawf(R, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.*f%%</text>\n", ML - 6,
			     y + 4, ymax * 100 < 4 ? 2 : ymax * 100 < 40 ? 1 : 0, v * 100);
		else
			rawf(R, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n", ML - 6, y + 4, v);
	}
	rawf(R, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", ML, CH - MB,
	     CW - MR, CH - MB);
}

static void svg_label(struct rep *R, double x, double y, const char *anchor, const char *text,
                      size_t max)
{
	rawf(R, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
	size_t hits = 0;
	char *clean = redactor_text(R->red, text ? text : "", &hits);
	R->redacted += hits;
	/* cut at a character boundary */
	size_t n = strlen(clean), cut = 0, chars = 0;
	while (cut < n && chars < max) {
		cut++;
		while (cut < n && ((unsigned char)clean[cut] & 0xc0) == 0x80)
			cut++;
		chars++;
	}
	if (cut < n) {
		clean[cut] = '\0';
		esc_html(&R->o, clean);
		raw(R, "…");
	} else
		esc_html(&R->o, clean);
	free(clean);
	raw(R, "</text>\n");
}

static const char *arm_colour(const struct rep *R, int a)
{
	return a == R->ea->res.control ? "#7F7F7F" : PALETTE[(size_t)a % NPALETTE];
}

static void chart_rates(struct rep *R)
{
	const struct exp_analysis *ea = R->ea;
	int k = ea->res.narms;
	double ymax = 0;
	for (int a = 0; a < k; a++)
		if (ea->res.arm[a].ci_high > ymax)
			ymax = ea->res.arm[a].ci_high;
	ymax = nice_max(ymax * 1.12);
	svg_open(R, R->L->chart_rate);
	svg_yaxis(R, 0, ymax, 1);
	double pw = CW - ML - MR, slot = pw / k, bw = slot * 0.5 > 64 ? 64 : slot * 0.5;
	double ph = CH - MB - MT;
	for (int a = 0; a < k; a++) {
		const struct ab_arm_stats *s = &ea->res.arm[a];
		double cx = ML + slot * (a + 0.5);
		double y = CH - MB - ph * s->rate / ymax;
		double ylo = CH - MB - ph * s->ci_low / ymax, yhi = CH - MB - ph * s->ci_high / ymax;
		rawf(R, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
		     "fill-opacity=\"0.85\" rx=\"2\"/>\n", cx - bw / 2, y, bw, CH - MB - y,
		     arm_colour(R, a));
		rawf(R, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#111\" "
		     "stroke-width=\"1.5\"/>\n", cx, ylo, cx, yhi);
		rawf(R, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#111\" "
		     "stroke-width=\"1.5\"/>\n", cx - 8, ylo, cx + 8, ylo);
		rawf(R, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#111\" "
		     "stroke-width=\"1.5\"/>\n", cx - 8, yhi, cx + 8, yhi);
		rawf(R, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"600\">"
		     "%.2f%%</text>\n", cx, yhi - 6, s->rate * 100);
		svg_label(R, cx, CH - MB + 16, "middle", ea->in.name[a], 16);
		if (a == ea->res.control) {
			rawf(R, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#666\">(", cx,
			     (double)CH - MB + 30);
			put(R, R->L->control);
			raw(R, ")</text>\n");
		}
	}
	svg_close(R);
}

static void legend(struct rep *R, int k)
{
	for (int a = 0; a < k; a++) {
		double x = ML + 8 + (a % 4) * 140.0, y = CH - 22 + (a / 4) * 14.0;
		rawf(R, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"4\" fill=\"%s\"/>\n", x, y - 4,
		     arm_colour(R, a));
		svg_label(R, x + 16, y, "start", R->ea->in.name[a], 16);
	}
}

static void chart_density(struct rep *R)
{
	const struct exp_analysis *ea = R->ea;
	int k = ea->res.narms;
	double xmin = INFINITY, xmax = -INFINITY, ymax = 0;
	for (int a = 0; a < k; a++)
		for (int i = 0; i < EXP_DENSITY_POINTS; i++) {
			double x = ea->dens_x[a][i], y = ea->dens_y[a][i];
			if (!isfinite(x) || !isfinite(y))
				continue;
			xmin = x < xmin ? x : xmin;
			xmax = x > xmax ? x : xmax;
			ymax = y > ymax ? y : ymax;
		}
	if (!(xmax > xmin) || !(ymax > 0))
		return;
	svg_open(R, R->L->chart_dens);
	double pw = CW - ML - MR, ph = CH - MB - MT;
	rawf(R, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", ML, CH - MB,
	     CW - MR, CH - MB);
	for (int t = 0; t <= 4; t++) {
		double v = xmin + (xmax - xmin) * t / 4.0, x = ML + pw * t / 4.0;
		rawf(R, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e3e6ec\"/>\n", x, MT,
		     x, CH - MB);
		rawf(R, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%.2f%%</text>\n", x,
		     CH - MB + 14, t == 0 ? "start" : t == 4 ? "end" : "middle", v * 100);
	}
	for (int a = 0; a < k; a++) {
		struct sbuf d = SBUF_INIT;
		for (int i = 0; i < EXP_DENSITY_POINTS; i++) {
			double x = ML + pw * (ea->dens_x[a][i] - xmin) / (xmax - xmin);
			double y = CH - MB - ph * ea->dens_y[a][i] / ymax;
			if (!isfinite(x) || !isfinite(y))
				continue;
			sbuf_addf(&d, "%s%.1f,%.1f", d.len ? " L" : "M", x, y);
		}
		if (d.len) {
			rawf(R, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
			     sbuf_str(&d), arm_colour(R, a));
		}
		sbuf_free(&d);
	}
	legend(R, k);
	svg_close(R);
}

static void chart_cumulative(struct rep *R)
{
	const struct exp_analysis *ea = R->ea;
	int k = ea->res.narms, nd = ea->ndays;
	if (nd < 2 || !ea->cum_rate)
		return;
	double ymax = 0;
	for (int i = 0; i < nd * k; i++)
		if (isfinite(ea->cum_rate[i]) && ea->cum_rate[i] > ymax)
			ymax = ea->cum_rate[i];
	ymax = nice_max(ymax * 1.12);
	svg_open(R, R->L->chart_cum);
	svg_yaxis(R, 0, ymax, 1);
	double pw = CW - ML - MR, ph = CH - MB - MT;
	for (int a = 0; a < k; a++) {
		struct sbuf d = SBUF_INIT;
		for (int i = 0; i < nd; i++) {
			double v = ea->cum_rate[i * k + a];
			if (!isfinite(v))
				continue;
			sbuf_addf(&d, "%s%.1f,%.1f", d.len ? " L" : "M", ML + pw * i / (nd - 1),
			          CH - MB - ph * v / ymax);
		}
		if (d.len)
			rawf(R, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
			     sbuf_str(&d), arm_colour(R, a));
		sbuf_free(&d);
	}
	int ticks[3] = { 0, nd / 2, nd - 1 };
	for (int t = 0; t < 3; t++) {
		int i = ticks[t];
		char lab[64];
		const char *day = ea->data && ea->data->has_days && ea->data->day ? ea->data->day[i] : NULL;
		if (day && *day)
			snprintf(lab, sizeof lab, "%s", day);
		else
			snprintf(lab, sizeof lab, "%s %d", R->L->day, i + 1);
		svg_label(R, ML + pw * i / (nd - 1), CH - MB + 14, t == 0 ? "start" : t == 2 ? "end"
		                                                                   : "middle", lab, 24);
	}
	legend(R, k);
	svg_close(R);
}

/* Text bars for Markdown: ████▌ scaled to max. */
static void md_bar(struct rep *R, double v, double max)
{
	int eighths = max > 0 ? (int)lround(v / max * 20 * 8) : 0;
	static const char *const part[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
	for (int i = 0; i < eighths / 8; i++)
		raw(R, "█");
	raw(R, part[eighths % 8]);
}

static void section_ab(struct rep *R)
{
	const struct labels *L = R->L;
	h2(R, "ab", L->ab);
	if (!R->ea) {
		raw(R, R->fmt == REPORT_HTML ? "<p>" : "");
		put(R, L->no_ab);
		raw(R, R->fmt == REPORT_HTML ? "</p>\n" : "\n");
		end_section(R);
		return;
	}
	const struct exp_analysis *ea = R->ea;
	if (ea->meta.simulated)
		badge(R, L->simulated);
	if (R->fmt == REPORT_HTML) {
		raw(R, "<p><strong>");
		put_data(R, ea->meta.name);
		raw(R, "</strong>");
		if (ea->meta.source) {
			raw(R, " · ");
			put_data(R, base_name(ea->meta.source));
		}
		raw(R, "</p>\n<p class=\"verdict\">");
		put_data(R, R->verdict);
		raw(R, "</p>\n");
	} else {
		raw(R, "**");
		put_data(R, ea->meta.name);
		raw(R, "**");
		if (ea->meta.source) {
			raw(R, " · ");
			put_data(R, base_name(ea->meta.source));
		}
		raw(R, "\n\n**");
		put(R, L->verdict);
		raw(R, "**: ");
		put_data(R, R->verdict);
		raw(R, "\n\n");
	}
	if (ea->res.srm_warning)
		badge(R, L->srm);
	const char *hdr[] = { L->arm, L->visitors, L->conversions, L->rate, L->ci, L->lift, L->p_adj,
	                      L->p_best, L->p_beat };
	if (R->fmt == REPORT_HTML) {
		raw(R, "<table><thead><tr>");
		for (int i = 0; i < 9; i++) {
			raw(R, i ? "<th class=\"n\">" : "<th>");
			put(R, hdr[i]);
			raw(R, "</th>");
		}
		raw(R, "</tr></thead><tbody>\n");
	} else {
		raw(R, "|");
		for (int i = 0; i < 9; i++) {
			raw(R, " ");
			put(R, hdr[i]);
			raw(R, " |");
		}
		raw(R, "\n| --- |");
		for (int i = 1; i < 9; i++)
			raw(R, " ---: |");
		raw(R, "\n");
	}
	double maxrate = 0;
	for (int a = 0; a < ea->res.narms; a++)
		maxrate = ea->res.arm[a].rate > maxrate ? ea->res.arm[a].rate : maxrate;
	for (int a = 0; a < ea->res.narms; a++) {
		const struct ab_arm_stats *s = &ea->res.arm[a];
		const struct ab_cmp_stats *c = &ea->res.cmp[a];
		int ctrl = a == ea->res.control;
		char rate[32], lo[32], hi[32], lift[32], p[32], pb[32], pbeat[32];
		pct(rate, sizeof rate, s->rate);
		pct(lo, sizeof lo, s->ci_low);
		pct(hi, sizeof hi, s->ci_high);
		if (ctrl)
			snprintf(lift, sizeof lift, "–"), snprintf(p, sizeof p, "–"),
			snprintf(pbeat, sizeof pbeat, "–");
		else {
			if (c->rel_lift_ok)
				snprintf(lift, sizeof lift, "%+.1f%%", c->rel_lift * 100);
			else
				snprintf(lift, sizeof lift, "%+.2f pp", c->abs_lift * 100);
			snprintf(p, sizeof p, c->p_value_adj < 0.0001 ? "<0.0001" : "%.4f", c->p_value_adj);
			snprintf(pbeat, sizeof pbeat, "%.1f%%", c->prob_beat * 100);
		}
		snprintf(pb, sizeof pb, "%.1f%%", s->prob_best * 100);
		char nv[32], nc[32];
		thousands(nv, sizeof nv, (long long)ea->in.n[a]);
		thousands(nc, sizeof nc, (long long)ea->in.conv[a]);
		if (R->fmt == REPORT_HTML) {
			raw(R, "<tr><td>");
			put_data(R, ea->in.name[a]);
			if (ctrl) {
				raw(R, " <small>(");
				put(R, L->control);
				raw(R, ")</small>");
			}
			rawf(R, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
			     "<td class=\"n\">%s – %s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
			     "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
			     nv, nc, rate, lo, hi, lift, p, pb, pbeat);
		} else {
			raw(R, "| ");
			cell(R, ea->in.name[a]);
			if (ctrl) {
				raw(R, " (");
				put(R, L->control);
				raw(R, ")");
			}
			rawf(R, " | %s | %s | %s | %s – %s | %s | %s | %s | %s |\n",
			     nv, nc, rate, lo, hi, lift, p, pb, pbeat);
		}
	}
	if (R->fmt == REPORT_HTML) {
		raw(R, "</tbody></table>\n<div class=\"charts\">\n");
		chart_rates(R);
		chart_density(R);
		chart_cumulative(R);
		raw(R, "</div>\n");
	} else {
		raw(R, "\n");
		put(R, L->chart_rate);
		raw(R, ":\n\n```\n");
		for (int a = 0; a < ea->res.narms; a++) {
			size_t hits = 0;
			char *name = redactor_text(R->red, ea->in.name[a], &hits);
			R->redacted += hits;
			/* inside a code fence only the fence itself needs care */
			for (char *q = name; *q; q++)
				if (*q == '`' || *q == '\n')
					*q = ' ';
			rawf(R, "%-16.16s ", name);
			free(name);
			md_bar(R, ea->res.arm[a].rate, maxrate);
			rawf(R, " %.2f%% [%.2f%%, %.2f%%]\n", ea->res.arm[a].rate * 100,
			     ea->res.arm[a].ci_low * 100, ea->res.arm[a].ci_high * 100);
		}
		raw(R, "```\n");
	}
	end_section(R);
}

static void section_history(struct rep *R)
{
	const struct labels *L = R->L;
	if (!R->hist || !R->hist->nrounds)
		return;
	h2(R, "history", L->history);
	const char *hdr[] = { L->round, L->run, L->prompt, L->provider, L->variants, L->best_score,
	                      L->best_rate, L->feedback };
	if (R->fmt == REPORT_HTML) {
		raw(R, "<table><thead><tr>");
		for (int i = 0; i < 8; i++) {
			raw(R, (i == 0 || i == 1 || (i >= 4 && i <= 6)) ? "<th class=\"n\">" : "<th>");
			put(R, hdr[i]);
			raw(R, "</th>");
		}
		raw(R, "</tr></thead><tbody>\n");
	} else {
		raw(R, "|");
		for (int i = 0; i < 8; i++) {
			raw(R, " ");
			put(R, hdr[i]);
			raw(R, " |");
		}
		raw(R, "\n| ---: | ---: | --- | --- | ---: | ---: | ---: | --- |\n");
	}
	for (size_t i = 0; i < R->hist->nrounds; i++) {
		const struct iter_round *rd = &R->hist->rounds[i];
		char prompt[200], prov[200], best[32], rate[32];
		if (rd->prompt_name)
			snprintf(prompt, sizeof prompt, "%s v%d", rd->prompt_name, rd->prompt_version);
		else
			snprintf(prompt, sizeof prompt, "–");
		snprintf(prov, sizeof prov, "%s%s%s", rd->provider ? rd->provider : "",
		         rd->model ? " · " : "", rd->model ? rd->model : "");
		if (isfinite(rd->best))
			snprintf(best, sizeof best, "%.3f", rd->best);
		else
			snprintf(best, sizeof best, "–");
		pct(rate, sizeof rate, rd->best_rate);
		int here = R->run && rd->run_id == R->run->id;
		if (R->fmt == REPORT_HTML) {
			rawf(R, "<tr%s><td class=\"n\">%d</td><td class=\"n\">#%lld</td><td>",
			     here ? " style=\"font-weight:600\"" : "", rd->round, rd->run_id);
			put_data(R, prompt);
			raw(R, "</td><td>");
			put_data(R, prov);
			rawf(R, "</td><td class=\"n\">%zu</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td>",
			     rd->nvariants, best, rate);
			put_data(R, rd->feedback ? rd->feedback : "");
			raw(R, "</td></tr>\n");
		} else {
			rawf(R, "| %d | #%lld%s | ", rd->round, rd->run_id, here ? " ◀" : "");
			cell(R, prompt);
			raw(R, " | ");
			cell(R, prov);
			rawf(R, " | %zu | %s | %s | ", rd->nvariants, best, rate);
			cell(R, rd->feedback ? rd->feedback : "");
			raw(R, " |\n");
		}
	}
	if (R->fmt == REPORT_HTML)
		raw(R, "</tbody></table>\n");
	/* Lineage: variants with parents, as "round · C ← A, B". */
	int any = 0;
	for (size_t i = 0; i < R->hist->nnodes && i < 60; i++) {
		const struct iter_node *nd = &R->hist->nodes[i];
		if (!nd->nparents)
			continue;
		if (!any) {
			raw(R, R->fmt == REPORT_HTML ? "<h3>" : "\n**");
			put(R, L->lineage);
			raw(R, R->fmt == REPORT_HTML ? "</h3>\n<ul>\n" : "**\n\n");
			any = 1;
		}
		char lab[16];
		iterate_label(nd->idx, lab, sizeof lab);
		raw(R, R->fmt == REPORT_HTML ? "<li>" : "- ");
		rawf(R, "%s %d · %s #%lld ← ", L->round, nd->round, lab, nd->variant_id);
		for (size_t p = 0; p < nd->nparents; p++)
			rawf(R, "%s#%lld", p ? ", " : "", nd->parents[p]);
		if (isfinite(nd->composite))
			rawf(R, " · %.3f", nd->composite);
		if (nd->summary) {
			raw(R, " · ");
			size_t n = strlen(nd->summary);
			if (n > 120) {   /* cut at a character boundary */
				n = 120;
				while (n && ((unsigned char)nd->summary[n] & 0xc0) == 0x80)
					n--;
			}
			char *s = xstrndup(nd->summary, n);
			put_data(R, s);
			free(s);
		}
		raw(R, R->fmt == REPORT_HTML ? "</li>\n" : "\n");
	}
	if (any && R->fmt == REPORT_HTML)
		raw(R, "</ul>\n");
	end_section(R);
}

static void section_data(struct rep *R)
{
	const struct labels *L = R->L;
	if (!R->has_seg && !(R->run && R->run->row_ref))
		return;
	h2(R, "data", L->data);
	if (R->fmt == REPORT_HTML)
		raw(R, "<dl class=\"facts\">\n");
	else
		raw(R, "| | |\n| --- | --- |\n");
	if (R->has_seg) {
		char rows[96], a[32], b[32];
		thousands(a, sizeof a, (long long)R->seg.rows);
		thousands(b, sizeof b, (long long)R->seg.table_rows);
		snprintf(rows, sizeof rows, "%s / %s (%.1f%%)", a, b, R->seg.share * 100);
		fact(R, L->segment, R->seg.name);
		fact(R, L->table, R->seg.dataset);
		fact(R, L->predicate, R->seg.predicate);
		fact(R, L->rows, rows);
		fact(R, L->profile, R->seg_profile);
	}
	if (R->run)
		fact(R, L->bound_row, R->run->row_ref);
	if (R->fmt == REPORT_HTML)
		raw(R, "</dl>\n");
	end_section(R);
}

/* ---------------------------------------------------------------- whole */

static void title_text(struct rep *R, struct sbuf *t)
{
	sbuf_adds(t, R->L->title);
	if (R->prompt_label)
		sbuf_addf(t, " — %s", R->prompt_label);
	if (R->run)
		sbuf_addf(t, " · %s #%lld", R->L->run, R->run->id);
	else if (R->ea)
		sbuf_addf(t, " · %s", R->ea->meta.name);
}

static void render(struct rep *R)
{
	struct sbuf title = SBUF_INIT;
	title_text(R, &title);
	char *now = ws_now_iso();
	if (R->fmt == REPORT_HTML) {
		rawf(R, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		     "<meta name=\"generator\" content=\"copylab\">\n<title>",
		     strcmp(R->L->lang, "zh") == 0 ? "zh-CN" : "en");
		put_data(R, sbuf_str(&title));
		rawf(R, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<header>\n<h1>", CSS);
		put_data(R, sbuf_str(&title));
		raw(R, "</h1>\n<p class=\"sub\">");
		put(R, R->L->generated);
		rawf(R, " %s", now);
		if (R->generator) {
			raw(R, " · ");
			put(R, R->generator);
		}
		raw(R, "</p>\n</header>\n");
	} else {
		raw(R, "# ");
		put_data(R, sbuf_str(&title));
		raw(R, "\n\n");
		put(R, R->L->generated);
		rawf(R, " %s", now);
		if (R->generator) {
			raw(R, " · ");
			put(R, R->generator);
		}
		raw(R, "\n");
	}
	free(now);
	sbuf_free(&title);
	section_summary(R);
	section_prompt(R);
	section_variants(R);
	section_ab(R);
	section_history(R);
	section_data(R);
	if (R->fmt == REPORT_HTML) {
		raw(R, "<footer>");
		put(R, R->L->footer);
		raw(R, "</footer>\n</main>\n</body>\n</html>\n");
	} else {
		raw(R, "\n---\n\n");
		put(R, R->L->footer);
		raw(R, "\n");
	}
}

int report_format_for_path(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	if (!dot)
		return 0;
	if (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0)
		return REPORT_HTML;
	if (strcasecmp(dot, ".md") == 0 || strcasecmp(dot, ".markdown") == 0)
		return REPORT_MD;
	return 0;
}

static void rep_clear(struct rep *R)
{
	wf_run_free(R->run);
	free(R->prompt_text);
	free(R->prompt_label);
	exp_analysis_free(R->ea);
	iterate_history_free(R->hist);
	if (R->has_seg)
		segment_clear(&R->seg);
	free(R->seg_profile);
	for (size_t i = 0; i < R->nsecret; i++) {
		free(R->secret[i]);
		free(R->secret_name[i]);
	}
	free(R->secret);
	free(R->secret_name);
	redactor_free(R->red);
	sbuf_free(&R->o);
}

int report_render(struct workspace *ws, const struct report_opts *opts, char **out,
                  struct report_summary *sum, struct cl_err *err)
{
	struct rep R = { .ws = ws, .fmt = opts->format ? opts->format : REPORT_HTML,
	                 .L = opts->lang && strncmp(opts->lang, "zh", 2) == 0 ? &L_ZH : &L_EN,
	                 .generator = opts->generator };
	if (R.fmt != REPORT_HTML && R.fmt != REPORT_MD)
		return cl_err_set(err, CL_EINVAL, "report format must be HTML or Markdown");
	R.red = redactor_new(REDACT_ALL);
	if (redactor_load_personal(R.red, ws, err) || gather(&R, opts, err)) {
		rep_clear(&R);
		return -1;
	}
	gather_secrets(&R);
	if (R.run)
		gather_bound_row(&R);
	render(&R);
	/* Last line of defence: never hand out a report holding a key. */
	for (size_t i = 0; i < R.nsecret; i++)
		if (strstr(sbuf_str(&R.o), R.secret[i])) {
			cl_err_set(err, CL_EDENIED, "the report would contain the value of $%s; "
			           "nothing was written", R.secret_name[i]);
			rep_clear(&R);
			return -1;
		}
	if (sum) {
		memset(sum, 0, sizeof *sum);
		sum->run_id = R.run ? R.run->id : 0;
		sum->nvariants = R.run ? (int)R.run->nv : 0;
		if (R.ea)
			snprintf(sum->experiment, sizeof sum->experiment, "%s", R.ea->meta.name);
		sum->simulated = R.ea ? R.ea->meta.simulated : 0;
		sum->redacted = R.redacted;
		sum->bytes = R.o.len;
	}
	*out = sbuf_detach(&R.o);
	rep_clear(&R);
	return 0;
}

int report_write(struct workspace *ws, const struct report_opts *opts, const char *path,
                 struct report_summary *sum, struct cl_err *err)
{
	struct report_opts o = *opts;
	if (!o.format)
		o.format = report_format_for_path(path);
	if (!o.format)
		return cl_err_set(err, CL_EINVAL, "%s: name a .html or .md file", path);
	char *text = NULL;
	if (report_render(ws, &o, &text, sum, err))
		return -1;
	char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int rc = 0;
	if (!f)
		rc = cl_err_set(err, CL_EIO, "%s: cannot create: %s", path, strerror(errno));
	else {
		size_t n = strlen(text);
		int bad = fwrite(text, 1, n, f) != n;
		if (fclose(f) || bad)
			rc = cl_err_set(err, CL_EIO, "%s: write failed: %s", path, strerror(errno));
		else if (rename(tmp, path))
			rc = cl_err_set(err, CL_EIO, "%s: cannot replace: %s", path, strerror(errno));
		if (rc)
			remove(tmp);
	}
	free(tmp);
	free(text);
	return rc;
}
