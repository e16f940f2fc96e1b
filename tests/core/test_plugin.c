/* test_plugin.c — the plugin host: the C example scorer, ABI mismatch refused
 * before any plugin code runs, rollback of registrations, importers and
 * exporters through the format registry, and executables that crash, hang,
 * write garbage or die mid-use. Fixtures are compiled here with cc. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/formats.h"
#include "core/plugin.h"
#include "core/score.h"
#include "core/workspace.h"

static char tmp[512];

static const char *top(void)
{
	const char *t = getenv("COPYLAB_TOP");
	return t && *t ? t : ".";
}

static void write_file(const char *path, const char *text, int exec)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	if (exec)
		chmod(path, 0755);
}

/* Compile src (a C file's text, or NULL with from = a source path) into dir/name.so. */
static char *build_so(const char *dir, const char *name, const char *src, const char *from)
{
	char *c = NULL, *so = NULL;
	if (src) {
		c = xasprintf("%s/%s.c", tmp, name);
		write_file(c, src, 0);
	}
	so = xasprintf("%s/%s.so", dir, name);
	char *cmd = xasprintf("cc -std=c11 -fPIC -shared -I%s/plugins -o '%s' '%s'", top(), so,
	                      src ? c : from);
	int rc = system(cmd);
	free(cmd);
	free(c);
	assert_int_equal(rc, 0);
	return so;
}

static char *mkdir_in(const char *name)
{
	char *d = xasprintf("%s/%s", tmp, name);
	mkdir(d, 0755);
	return d;
}

static const struct plugin_info *info_of(struct plugin_host *h, size_t i)
{
	static struct plugin_info in;
	plugin_get(h, i, &in);
	return &in;
}

static void test_example_scorer(void **state)
{
	(void)state;
	char *dir = mkdir_in("rl");
	char *srcp = xasprintf("%s/plugins/examples/readinglevel/readinglevel.c", top());
	char *so = build_so(dir, "readinglevel", NULL, srcp);
	struct plugin_host *h = plugin_host_new(NULL);
	struct cl_err err = {0};
	assert_int_equal(plugin_load(h, so, &err), 0);
	assert_int_equal(plugin_count(h), 1);
	const struct plugin_info *in = info_of(h, 0);
	assert_int_equal(in->state, PLUGIN_LOADED);
	assert_string_equal(in->name, "readinglevel");
	assert_string_equal(in->version, "1.0");
	assert_int_equal(in->nscorers, 1);
	assert_string_equal(plugin_registered(h, 0, "scorer", 0), "reading_level");

	struct scoreset *set;
	assert_int_equal(scoreset_new(NULL, &set, &err), 0);
	assert_int_equal(plugin_attach_scorers(h, set, &err), 0);
	/* Short plain sentences land inside the grade 5-8 band... */
	struct score_input sin = { .text = "Our spring tea is here, picked by hand on the misty "
	                                   "hills of Hangzhou and packed the same week. Order today "
	                                   "and save ten percent on every tin.", .lang = "en" };
	struct score_result r;
	assert_int_equal(score_text(set, &sin, &r, &err), 0);
	const struct score_item *it = score_result_get(&r, "reading_level");
	assert_non_null(it);
	assert_true(it->value > 0.99);
	assert_non_null(cJSON_GetObjectItem(it->detail, "grade"));
	score_result_free(&r);
	/* ...long academic words push the grade far above it. */
	sin.text = "Unquestionably, the organisational considerations surrounding infrastructural "
	           "modernisation necessitate comprehensive interdepartmental collaboration "
	           "notwithstanding institutional reluctance.";
	assert_int_equal(score_text(set, &sin, &r, &err), 0);
	it = score_result_get(&r, "reading_level");
	assert_non_null(it);
	assert_true(it->value < 0.2);
	score_result_free(&r);
	/* A second set gets the same scorer; a duplicate name is noted, not fatal. */
	assert_int_equal(plugin_attach_scorers(h, set, &err), 0);
	assert_non_null(strstr(info_of(h, 0)->log, "already registered"));
	scoreset_free(set);
	plugin_host_free(h);
	free(so);
	free(srcp);
	free(dir);
}

static void test_abi_mismatch_refused(void **state)
{
	(void)state;
	char *dir = mkdir_in("abi");
	char *marker = xasprintf("%s/init-ran", tmp);
	char *src = xasprintf(
		"#include <stdio.h>\n"
		"#include \"copylab_plugin.h\"\n"
		"const struct copylab_plugin_info copylab_plugin_info = { 99, \"future\", \"9\", \"x\" };\n"
		"int copylab_plugin_init(const struct copylab_host *h, int v) {\n"
		"  FILE *f = fopen(\"%s\", \"w\"); if (f) fclose(f); (void)h; (void)v; return 0; }\n",
		marker);
	char *so = build_so(dir, "future", src, NULL);
	struct plugin_host *h = plugin_host_new(NULL);
	struct cl_err err = {0};
	assert_int_equal(plugin_load(h, so, &err), -1);
	const struct plugin_info *in = info_of(h, 0);
	assert_int_equal(in->state, PLUGIN_REFUSED);
	assert_non_null(strstr(in->message, "built for plugin ABI 99"));
	assert_non_null(strstr(in->message, "ABI 1"));
	assert_non_null(strstr(err.msg, "ABI 99"));
	assert_int_not_equal(access(marker, F_OK), 0);   /* its init never ran */
	/* A shared object without the info symbol is not a plugin. */
	char *so2 = build_so(dir, "plain", "int copylab_plugin_init(void);\n"
	                     "int copylab_plugin_init(void) { return 0; }\n", NULL);
	assert_int_equal(plugin_load(h, so2, &err), -1);
	assert_int_equal(info_of(h, 1)->state, PLUGIN_REFUSED);
	assert_non_null(strstr(info_of(h, 1)->message, "not a copylab plugin"));
	cJSON *j = plugin_host_json(h);
	assert_int_equal(cJSON_GetArraySize(j), 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "state")->valuestring,
	                    "refused");
	cJSON_Delete(j);
	plugin_host_free(h);
	free(so);
	free(so2);
	free(src);
	free(marker);
	free(dir);
}

static const char rollback_src[] =
	"#include \"copylab_plugin.h\"\n"
	"COPYLAB_PLUGIN(\"half\", \"1\", \"registers, then fails\");\n"
	"static int sc(void *d, const struct copylab_score_input *in, double *v,\n"
	"              struct copylab_buf *b) { (void)d; (void)in; (void)b; *v = 1; return 1; }\n"
	"static int row(void *d, void *s, const char *const *v, size_t n, struct copylab_buf *o)\n"
	"{ (void)d; (void)s; (void)v; (void)n; (void)o; return 0; }\n"
	"int copylab_plugin_init(const struct copylab_host *h, int v) {\n"
	"  static const struct copylab_scorer s = { \"half_scorer\", \"x\", 1, sc, 0 };\n"
	"  static const struct copylab_exporter e = { \"half_fmt\", \"x\", \"x\", 0, row, 0, 0 };\n"
	"  (void)v; h->register_scorer(h->ctx, &s); h->register_exporter(h->ctx, &e);\n"
	"  h->log(h->ctx, 0, \"giving up\"); return MODE; }\n";

static void test_rollback(void **state)
{
	(void)state;
	char *dir = mkdir_in("rb");
	/* init returns -3 after two registrations */
	char *src = xasprintf("#define MODE (-3)\n%s", rollback_src);
	char *so = build_so(dir, "half", src, NULL);
	/* init returns 0 but registers the same scorer twice (the second is refused) */
	char *src2 = xasprintf("#define MODE (h->register_scorer(h->ctx, &s) ? 0 : 0)\n%s",
	                       rollback_src);
	char *dir2 = mkdir_in("rb2");
	char *so2 = build_so(dir2, "half", src2, NULL);
	struct plugin_host *h = plugin_host_new(NULL);
	struct cl_err err = {0};
	assert_int_equal(plugin_load(h, so, &err), -1);
	const struct plugin_info *in = info_of(h, 0);
	assert_int_equal(in->state, PLUGIN_FAILED);
	assert_non_null(strstr(in->message, "returned -3"));
	assert_non_null(strstr(in->message, "rolled back"));
	assert_non_null(strstr(in->log, "giving up"));
	assert_int_equal(in->nscorers, 0);
	assert_int_equal(in->nexporters, 0);

	/* Same file name in a later folder: a failed earlier one does not shadow it. */
	assert_int_equal(plugin_load(h, so2, &err), -1);
	in = info_of(h, 1);
	assert_int_equal(in->state, PLUGIN_FAILED);
	assert_non_null(strstr(in->log, "already registered"));
	assert_int_equal(in->nscorers, 0);

	struct scoreset *set;
	assert_int_equal(scoreset_new(NULL, &set, &err), 0);
	size_t before;
	scoreset_scorers(set, &before);
	plugin_attach_scorers(h, set, &err);
	size_t after;
	scoreset_scorers(set, &after);
	assert_int_equal(before, after);
	struct fmt_registry *fr = fmt_registry_new();
	plugin_attach_formats(h, fr, &err);
	assert_null(fmt_exporter_find(fr, "half_fmt"));
	assert_non_null(fmt_exporter_find(fr, "csv"));
	fmt_registry_free(fr);
	scoreset_free(set);
	plugin_host_free(h);
	free(src);
	free(src2);
	free(so);
	free(so2);
	free(dir);
	free(dir2);
}

static int count_rows(struct workspace *ws, const char *sql)
{
	sqlite3_stmt *st;
	struct cl_err err = {0};
	assert_int_equal(ws_prepare(ws, sql, &st, &err), 0);
	int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return n;
}

static char *read_all(const char *path)
{
	char *s = NULL;
	size_t n;
	struct cl_err err = {0};
	assert_int_equal(cl_read_file(path, &s, &n, &err), 0);
	return s;
}

static void test_formats(void **state)
{
	(void)state;
	char *dir = mkdir_in("fmt");
	char *srcp = xasprintf("%s/plugins/examples/mdtable/mdtable.c", top());
	char *so = build_so(dir, "mdtable", NULL, srcp);
	char *imp = build_so(dir, "pairs",
		"#include <stdio.h>\n#include \"copylab_plugin.h\"\n"
		"COPYLAB_PLUGIN(\"pairs\", \"1\", \"key=value lines\");\n"
		"static int imp(void *d, const char *path, const struct copylab_row_sink *s,\n"
		"               struct copylab_buf *e) {\n"
		"  (void)d; (void)e; FILE *f = fopen(path, \"r\"); char k[64], v[64];\n"
		"  const char *cols[] = { \"key\", \"value\" };\n"
		"  if (!f || s->columns(s->ctx, cols, 2)) return -1;\n"
		"  while (fscanf(f, \"%63[^=]=%63s\\n\", k, v) == 2) {\n"
		"    const char *r[] = { k, v }; if (s->row(s->ctx, r, 2)) { fclose(f); return -1; } }\n"
		"  fclose(f); return 0; }\n"
		"int copylab_plugin_init(const struct copylab_host *h, int v) { (void)v;\n"
		"  static const struct copylab_importer i = { \"pairs\", \"k=v\", \"kv,pairs\", imp, 0 };\n"
		"  return h->register_importer(h->ctx, &i); }\n", NULL);
	struct plugin_host *h = plugin_host_new(NULL);
	struct cl_err err = {0};
	assert_int_equal(plugin_load_dir(h, dir, &err), 0);
	assert_int_equal(plugin_count(h), 2);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(info_of(h, i)->state, PLUGIN_LOADED);

	char *db = xasprintf("%s/fmt.db", tmp);
	struct workspace *ws;
	assert_int_equal(workspace_open(db, WS_CREATE, &ws, &err), 0);
	struct fmt_registry *fr = fmt_registry_new();
	assert_int_equal(plugin_attach_formats(h, fr, &err), 0);
	const struct fmt_importer *im = fmt_importer_for_path(fr, "x/settings.kv");
	assert_non_null(im);
	assert_string_equal(im->name, "pairs");
	char *kv = xasprintf("%s/settings.kv", tmp);
	write_file(kv, "colour=green\nsize=7\n", 0);
	int64_t rows = 0;
	assert_int_equal(im->import(im, ws, kv, NULL, 0, &rows, &err), 0);
	assert_int_equal(rows, 2);
	assert_int_equal(count_rows(ws, "SELECT count(*) FROM settings WHERE value = '7'"), 1);

	const struct fmt_exporter *md = fmt_exporter_find(fr, "markdown");
	assert_non_null(md);
	char *out = xasprintf("%s/settings.md", tmp);
	struct fmt_source src = { .sql = "SELECT key, value FROM settings ORDER BY key" };
	assert_int_equal(fmt_export_file(md, ws, &src, out, &rows, &err), 0);
	char *text = read_all(out);
	assert_string_equal(text, "| key | value |\n| --- | --- |\n| colour | green |\n| size | 7 |\n");
	free(text);
	/* A missing table fails and leaves no file behind. */
	struct fmt_source bad = { .table = "nope" };
	assert_int_equal(fmt_export_file(md, ws, &bad, out, &rows, &err), -1);
	assert_int_not_equal(access(out, F_OK), 0);
	/* Built-in csv through the same registry. */
	const struct fmt_exporter *csv = fmt_exporter_find(fr, "csv");
	assert_int_equal(fmt_export_file(csv, ws, &src, out, &rows, &err), 0);
	text = read_all(out);
	assert_non_null(strstr(text, "colour,green"));
	free(text);

	fmt_registry_free(fr);
	workspace_close(ws);
	plugin_host_free(h);
	free(out);
	free(kv);
	free(db);
	free(so);
	free(imp);
	free(srcp);
	free(dir);
}

static struct plugin_host *load_script(const char *name, const char *script, long timeout_ms,
                                       int expect)
{
	char *dir = mkdir_in(name);
	char *p = xasprintf("%s/%s", dir, name);
	write_file(p, script, 1);
	struct plugin_opts o = { .timeout_ms = timeout_ms };
	struct plugin_host *h = plugin_host_new(&o);
	struct cl_err err = {0};
	assert_int_equal(plugin_load(h, p, &err), expect);
	free(p);
	free(dir);
	return h;
}

static void test_exec_crash(void **state)
{
	(void)state;
	struct plugin_host *h = load_script("crash", "#!/bin/sh\nread line\necho dying >&2\nexit 3\n",
	                                    5000, -1);
	const struct plugin_info *in = info_of(h, 0);
	assert_int_equal(in->state, PLUGIN_DISABLED);
	assert_int_equal(in->kind, PLUGIN_EXEC);
	assert_non_null(strstr(in->message, "crashed"));
	assert_non_null(strstr(in->message, "status 3"));
	assert_non_null(strstr(in->message, "dying"));
	plugin_host_free(h);
}

static void test_exec_hang(void **state)
{
	(void)state;
	struct plugin_host *h = load_script("hang", "#!/bin/sh\nexec sleep 30\n", 300, -1);
	const struct plugin_info *in = info_of(h, 0);
	assert_int_equal(in->state, PLUGIN_DISABLED);
	assert_non_null(strstr(in->message, "did not answer describe within 300 ms"));
	plugin_host_free(h);
}

static void test_exec_garbage(void **state)
{
	(void)state;
	struct plugin_host *h = load_script("garbage", "#!/bin/sh\nread line\necho 'hello there'\n"
	                                    "sleep 30\n", 5000, -1);
	const struct plugin_info *in = info_of(h, 0);
	assert_int_equal(in->state, PLUGIN_DISABLED);
	assert_non_null(strstr(in->message, "garbage"));
	assert_non_null(strstr(in->message, "hello there"));
	plugin_host_free(h);
	/* A reply to another request id is garbage too. */
	h = load_script("wrongid", "#!/bin/sh\nread line\necho '{\"id\":7,\"ok\":true,"
	                "\"name\":\"w\",\"scorers\":[\"w\"]}'\nsleep 30\n", 5000, -1);
	assert_int_equal(info_of(h, 0)->state, PLUGIN_DISABLED);
	assert_non_null(strstr(info_of(h, 0)->message, "garbage"));
	plugin_host_free(h);
	/* A describe offering nothing, or a bad name, fails cleanly. */
	h = load_script("empty", "#!/bin/sh\nread line\necho '{\"id\":1,\"ok\":true}'\n", 5000, -1);
	assert_int_equal(info_of(h, 0)->state, PLUGIN_FAILED);
	assert_non_null(strstr(info_of(h, 0)->message, "offers no"));
	plugin_host_free(h);
	h = load_script("badname", "#!/bin/sh\nread line\necho '{\"id\":1,\"ok\":true,"
	                "\"scorers\":[\"Bad Name!\"]}'\n", 5000, -1);
	assert_int_equal(info_of(h, 0)->state, PLUGIN_FAILED);
	assert_int_equal(info_of(h, 0)->nscorers, 0);
	plugin_host_free(h);
	/* An {"ok": false} describe is a failure, not a crash. */
	h = load_script("nope", "#!/bin/sh\nread line\necho '{\"id\":1,\"ok\":false,"
	                "\"error\":\"no licence\"}'\n", 5000, -1);
	assert_int_equal(info_of(h, 0)->state, PLUGIN_FAILED);
	assert_non_null(strstr(info_of(h, 0)->message, "no licence"));
	plugin_host_free(h);
}

/* Describes itself, then dies on the first score request: scoring goes on
 * without it, and the plugin is listed as disabled. */
static void test_exec_dies_mid_use(void **state)
{
	(void)state;
	struct plugin_host *h = load_script("flaky",
		"#!/bin/sh\nread line\n"
		"echo '{\"id\":1,\"ok\":true,\"name\":\"flaky\",\"scorers\":[{\"name\":\"flaky\"}]}'\n"
		"read line\nkill -SEGV $$\n", 5000, 0);
	assert_int_equal(info_of(h, 0)->state, PLUGIN_LOADED);
	struct cl_err err = {0};
	struct scoreset *set;
	assert_int_equal(scoreset_new(NULL, &set, &err), 0);
	plugin_attach_scorers(h, set, &err);
	struct score_input sin = { .text = "Fresh tea, today only.", .lang = "en" };
	struct score_result r;
	assert_int_equal(score_text(set, &sin, &r, &err), 0);
	assert_null(score_result_get(&r, "flaky"));
	assert_non_null(score_result_get(&r, "readability"));
	score_result_free(&r);
	const struct plugin_info *in = info_of(h, 0);
	assert_int_equal(in->state, PLUGIN_DISABLED);
	assert_non_null(strstr(in->message, "signal 11"));
	/* Later calls skip it at once. */
	assert_int_equal(score_text(set, &sin, &r, &err), 0);
	assert_null(score_result_get(&r, "flaky"));
	score_result_free(&r);
	scoreset_free(set);
	plugin_host_free(h);
}

static void test_exec_python_example(void **state)
{
	(void)state;
	if (system("python3 -c 'pass' >/dev/null 2>&1") != 0)
		skip();
	char *src = xasprintf("%s/plugins/examples/jargon.py", top());
	char *script = read_all(src);
	struct plugin_host *h = load_script("jargon.py", script, 10000, 0);
	const struct plugin_info *in = info_of(h, 0);
	assert_string_equal(in->name, "jargon");
	assert_int_equal(in->nscorers, 1);
	assert_int_equal(in->nproviders, 1);
	assert_int_equal(in->nexporters, 1);
	struct cl_err err = {0};
	struct scoreset *set;
	assert_int_equal(scoreset_new(NULL, &set, &err), 0);
	plugin_attach_scorers(h, set, &err);
	struct score_input sin = { .text = "Leverage our synergy for a seamless cup.", .lang = "en" };
	struct score_result r;
	assert_int_equal(score_text(set, &sin, &r, &err), 0);
	const struct score_item *it = score_result_get(&r, "jargon");
	assert_non_null(it);
	assert_true(it->value < 0.01);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(it->detail, "found")), 3);
	score_result_free(&r);
	scoreset_free(set);

	struct provider_registry *reg = provider_registry_new();
	plugin_attach_providers(h, reg, &err);
	const struct provider_type *t = provider_type_find(reg, "plainspeak");
	assert_non_null(t);
	struct provider *p = provider_new(t, "plainspeak");
	struct provider_req req;
	provider_req_init(&req);
	req.user = "Spring tea is here. Write an email.";
	req.variant = 1;
	struct provider_result res = {0};
	assert_int_equal(provider_complete_sync(p, &req, &res, &err), 0);
	assert_null(res.error);
	assert_string_equal(res.text, "Here it is: Spring tea is here. Plain words, fair price, no fuss.");
	provider_result_clear(&res);
	provider_free(p);
	provider_registry_free(reg);
	plugin_host_free(h);
	free(script);
	free(src);
}

/* config.json may name a plugin's provider type: plugin_config_load loads
 * plugins only then, and the instance generates through the plugin. */
static void test_config_plugin_type(void **state)
{
	(void)state;
	char *pdir = mkdir_in("cfgplugins");
	char *cdir = mkdir_in("cfghome");
	char *cdir2 = xasprintf("%s/copylab", cdir);
	mkdir(cdir2, 0755);
	char *script = xasprintf("%s/echoer", pdir);
	write_file(script,
		"#!/bin/sh\nread line\n"
		"echo '{\"id\":1,\"ok\":true,\"name\":\"echoer\",\"providers\":[{\"name\":\"echoer\"}]}'\n"
		"read line\necho '{\"id\":2,\"ok\":true,\"text\":\"echoed\"}'\nread line\n", 1);
	char *cfgfile = xasprintf("%s/config.json", cdir2);
	setenv("COPYLAB_PLUGIN_PATH", pdir, 1);
	setenv("XDG_CONFIG_HOME", cdir, 1);
	setenv("XDG_DATA_HOME", cdir, 1);
	struct plugin_host *h = NULL;
	struct cl_config *cfg = NULL;
	struct cl_err err = {0};

	/* No config naming a plugin type: no plugin is loaded. */
	write_file(cfgfile, "{\"providers\":{\"o\":{\"type\":\"offline\"}}}", 0);
	assert_int_equal(plugin_config_load(&h, &cfg, &err), 0);
	assert_null(h);
	assert_non_null(config_provider(cfg, "o", &err));
	config_free(cfg);

	/* A plugin's type: loaded, and the instance generates through it. */
	write_file(cfgfile, "{\"providers\":{\"mine\":{\"type\":\"echoer\",\"model\":\"e1\"}}}", 0);
	assert_int_equal(plugin_config_load(&h, &cfg, &err), 0);
	assert_non_null(h);
	struct provider *p = config_provider(cfg, "mine", &err);
	assert_non_null(p);
	struct provider_req req;
	provider_req_init(&req);
	req.user = "hello";
	struct provider_result res = {0};
	assert_int_equal(provider_complete_sync(p, &req, &res, &err), 0);
	assert_null(res.error);
	assert_string_equal(res.text, "echoed");
	provider_result_clear(&res);
	config_free(cfg);
	plugin_host_free(h);

	/* A type no plugin offers keeps the config's own error. */
	write_file(cfgfile, "{\"providers\":{\"x\":{\"type\":\"nosuch\"}}}", 0);
	assert_int_equal(plugin_config_load(&h, &cfg, &err), -1);
	assert_null(h);
	assert_null(cfg);
	assert_non_null(strstr(err.msg, "nosuch"));

	unsetenv("COPYLAB_PLUGIN_PATH");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_DATA_HOME");
	free(cfgfile);
	free(script);
	free(cdir2);
	free(cdir);
	free(pdir);
}

static void test_discovery_switch(void **state)
{
	(void)state;
	char *dir = mkdir_in("disc");
	setenv("COPYLAB_PLUGIN_PATH", dir, 1);
	size_t n;
	char **dirs = plugin_search_dirs(&n);
	assert_true(n >= 1);
	assert_string_equal(dirs[0], dir);
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	setenv("COPYLAB_NO_PLUGINS", "1", 1);
	struct plugin_host *h;
	struct cl_err err = {0};
	assert_int_equal(plugin_host_load_default(&h, &err), 0);
	assert_true(plugin_host_disabled(h));
	assert_int_equal(plugin_count(h), 0);
	plugin_host_free(h);
	unsetenv("COPYLAB_NO_PLUGINS");
	unsetenv("COPYLAB_PLUGIN_PATH");
	free(dir);
}

int main(void)
{
	const char *t = getenv("TEST_TMP");
	snprintf(tmp, sizeof tmp, "%s", t && *t ? t : "/tmp");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_scorer),
		cmocka_unit_test(test_abi_mismatch_refused),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_exec_crash),
		cmocka_unit_test(test_exec_hang),
		cmocka_unit_test(test_exec_garbage),
		cmocka_unit_test(test_exec_dies_mid_use),
		cmocka_unit_test(test_exec_python_example),
		cmocka_unit_test(test_config_plugin_type),
		cmocka_unit_test(test_discovery_switch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
