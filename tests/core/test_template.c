/* test_template.c — parsing, errors with lines, filters, binding a row and a
 * segment, redaction while rendering, versions with parents, diff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/core/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/template.h"

static const char *const email_tmpl =
	"---\n"
	"name: spring-email\n"
	"channel: email   # inline comment\n"
	"language: en-US\n"
	"fields: subject, preheader, body, cta\n"
	"variants: 5\n"
	"temperature: 0.7\n"
	"max_tokens: 300\n"
	"tone: Warm\n"
	"audience: tea lovers\n"
	"system: |\n"
	"  You write for {{brand.name}}.\n"
	"  Voice: {{brand.voice|default:\"calm\"}}.\n"
	"---\n"
	"Write about {{product.name}} at {{ product.price }} for {{segment.name|upper}}.\n"
	"Profile: {{segment.profile}}\n"
	"Offer: {{offer|default:\"free gift wrap\"}} / {{OFFER2|lower|default:'none'}}\n"
	"Contact: {{product.contact}}\n";

static struct workspace *open_ws(const char *name)
{
	struct workspace *ws = tu_ws_fresh(name);
	struct cl_err err = {0};
	assert_non_null(ws);
	/* An imported product table and a segment, made directly with SQL. */
	assert_int_equal(ws_exec(ws,
		"CREATE TABLE products(id INTEGER, name TEXT, price REAL, contact TEXT, owner TEXT);"
		"INSERT INTO products VALUES(7, 'Linen Shirt', 49.5, 'sales@shop.example.com', 'Ann Lee');"
		"INSERT INTO products VALUES(8, '亚麻衬衫', 299, '客服 13800138000', NULL);"
		"CREATE TABLE notes(body TEXT);"
		"INSERT INTO notes VALUES('first'), ('second');"
		"INSERT INTO cl_segments(name, dataset, predicate, row_count, profile) VALUES"
		" ('loyal', 'customers', 'orders >= 5', 120,"
		"  '{\"rows\":120,\"columns\":[{\"name\":\"id\",\"count\":120,\"distinct\":120},"
		"   {\"name\":\"region\",\"type\":\"text\",\"count\":120,\"distinct\":3,"
		"    \"top\":[{\"value\":\"East\",\"count\":60}]},"
		"   {\"name\":\"age\",\"type\":\"integer\",\"count\":120,\"distinct\":40,\"mean\":34.25}]}'),"
		" ('bare', 'customers', 'age < 30', NULL, NULL);"
		"INSERT INTO cl_meta VALUES('brand', '{\"name\":\"Shanlan\",\"voice\":\"\",\"colors\":{\"main\":\"jade\"}}');",
		&err), 0);
	return ws;
}

static void test_parse_front_matter(void **state)
{
	struct template *t = NULL;
	struct cl_err err = {0};
	assert_int_equal(template_parse(email_tmpl, "spring.tmpl", &t, &err), 0);
	assert_string_equal(t->name, "spring-email");
	assert_string_equal(t->channel, "email");
	assert_string_equal(t->language, "en");
	assert_string_equal(t->tone, "warm");
	assert_int_equal(t->nfields, 4);
	assert_string_equal(t->fields[3], "cta");
	assert_int_equal(t->variants, 5);
	assert_true(t->temperature > 0.69 && t->temperature < 0.71);
	assert_int_equal(t->max_tokens, 300);
	assert_string_equal(t->system, "You write for {{brand.name}}.\nVoice: {{brand.voice|default:\"calm\"}}.");
	assert_int_equal(t->system_line, 12);
	assert_int_equal(t->body_line, 15);
	assert_string_equal(cJSON_GetObjectItem(t->extra, "audience")->valuestring, "tea lovers");
	struct tpl_var *v;
	size_t n;
	assert_int_equal(template_vars(t, &v, &n, &err), 0);
	assert_int_equal(n, 9);
	assert_string_equal(v[0].path, "brand.name");
	assert_true(v[0].in_system);
	assert_string_equal(v[2].path, "product.name");
	assert_int_equal(v[2].line, 15);
	assert_true(v[6].has_default);
	tpl_vars_free(v, n);
	template_free(t);

	/* No front matter: name from the file, channel defaults, language detected. */
	assert_int_equal(template_parse("为{{product.name}}写一条文案", "dir/短信.tmpl", &t, &err), 0);
	assert_string_equal(t->name, "短信");
	assert_string_equal(t->language, "zh");
	assert_string_equal(t->channel, "email");
	assert_int_equal(t->nfields, 4);
	template_free(t);

	assert_int_equal(template_parse("---\nchannel: sms\nlanguage: 中文\n---\nhi", "x.tmpl", &t, &err), 0);
	assert_string_equal(t->fields[0], "text");
	assert_int_equal(t->nfields, 1);
	assert_string_equal(t->language, "zh");
	template_free(t);
	/* CRLF files: the front matter parses and the body loses its CRs. */
	assert_int_equal(template_parse("---\r\nname: w\r\nchannel: push\r\n---\r\nA {{x}}\r\nB\r\n", "w.tmpl", &t, &err), 0);
	assert_string_equal(t->channel, "push");
	assert_string_equal(t->body, "A {{x}}\nB\n");
	template_free(t);
	/* "search" is short for search-ad (found by fuzzing: it overflowed). */
	assert_int_equal(template_parse("---\nname: s\nchannel: search\n---\nhi", "s.tmpl", &t, &err), 0);
	assert_string_equal(t->channel, "search-ad");
	assert_int_equal(t->nfields, 2);
	template_free(t);
}

static void expect_parse_error(const char *text, const char *want)
{
	struct template *t = NULL;
	struct cl_err err = {0};
	assert_int_equal(template_parse(text, "bad.tmpl", &t, &err), -1);
	assert_null(t);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' lacks '%s'", err.msg, want);
}

static void test_parse_errors_name_tag_and_line(void **state)
{
	expect_parse_error("---\nname: a\n---\nline one\nhello {{product.name\n", "bad.tmpl:5: unclosed tag '{{product.name'");
	expect_parse_error("---\nname: a\n---\nok\n\nx {{product.name|shout}}", "bad.tmpl:6: unknown filter 'shout' in '{{product.name|shout}}'");
	expect_parse_error("---\nname: a\n---\n{{ }}", "bad.tmpl:4: empty tag '{{ }}'");
	expect_parse_error("---\nname: a\n---\n{{a b}}", "bad.tmpl:4: bad tag '{{a b}}'");
	expect_parse_error("---\nname: a\n---\n{{x|default}}", "bad.tmpl:4: default needs a value");
	expect_parse_error("---\nname: a\n---\n{{x|default:none}}", "default value must be quoted");
	expect_parse_error("---\nname: a\n---\n{{x..y}}", "bad.tmpl:4: bad tag '{{x..y}}'");
	expect_parse_error("---\nname: a\nchannel: fax\n---\nhi", "bad.tmpl:3: unknown channel 'fax'");
	expect_parse_error("---\nname: a\nvariants: many\n---\nhi", "bad.tmpl:3: variants wants a whole number");
	expect_parse_error("---\nname: a\ntemperature: 3\n---\nhi", "bad.tmpl:3: temperature wants a number from 0 to 2");
	expect_parse_error("---\nname: a\nfields: subject, subject\n---\nhi", "field 'subject' is listed twice");
	expect_parse_error("---\nname: a\nfields: sub ject\n---\nhi", "bad.tmpl:3: bad field name 'sub ject'");
	expect_parse_error("---\nname: a\njust words\n---\nhi", "bad.tmpl:3: expected 'key: value'");
	expect_parse_error("---\nname: a\n", "bad.tmpl:1: front matter not closed");
	expect_parse_error("---\nsystem: {{brand.name\n---\nhi", "bad.tmpl:2: unclosed tag");
	/* Not valid UTF-8. */
	expect_parse_error("---\nname: a\n---\n\xff\xfe", "bad.tmpl:4:1: invalid UTF-8 (byte 0xff)");
}

static void test_render_with_row_segment_brand(void **state)
{
	struct workspace *ws = open_ws("render.db");
	struct template *t = NULL;
	struct cl_err err = {0};
	cJSON *bind = NULL;
	const char *vars[] = { "offer=", "OFFER2=BOGO Deal" };
	struct tpl_bind_opts bo = { .row = "products:7", .segment = "loyal", .vars = vars, .nvars = 2 };
	assert_int_equal(template_parse(email_tmpl, "spring.tmpl", &t, &err), 0);
	assert_int_equal(template_bind(ws, &bo, &bind, &err), 0);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(bind, "row"), "table")->valuestring, "products");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(bind, "product"), "price")));

	struct tpl_messages m;
	/* Without a redactor: values go through as they are. */
	assert_int_equal(template_render(t, bind, NULL, TPL_RENDER_BARE, &m, &err), 0);
	assert_string_equal(m.system, "You write for Shanlan.\nVoice: calm.");
	assert_string_equal(m.user,
		"Write about Linen Shirt at 49.50 for LOYAL.\n"
		"Profile: 120 customers; region mostly East (50%); age avg 34.2\n"
		"Offer: free gift wrap / bogo deal\n"
		"Contact: sales@shop.example.com");
	assert_int_equal(m.redacted, 0);
	tpl_messages_clear(&m);

	/* With the redactor: the e-mail from the data goes, the template's text stays. */
	struct redactor *r = redactor_new(REDACT_ALL);
	assert_int_equal(template_render(t, bind, r, 0, &m, &err), 0);
	assert_non_null(strstr(m.user, "Contact: [redacted email]"));
	assert_int_equal(m.redacted, 1);
	/* The format instruction is appended to the system message. */
	assert_non_null(strstr(m.system, "You write for Shanlan."));
	assert_non_null(strstr(m.system, "\"subject\", \"preheader\", \"body\", \"cta\""));
	assert_non_null(strstr(m.system, "subject at most 60"));
	tpl_messages_clear(&m);
	cJSON_Delete(bind);

	/* The Chinese row by id, with a personal column. */
	redactor_mark_personal(r, "products", "owner");
	struct template *t2 = NULL;
	assert_int_equal(template_parse("---\nname: zh\nchannel: sms\n---\n{{product.name}}，{{product.contact}}，"
	                                 "{{row.owner|default:\"无\"}}，{{products.price}}，{{brand.colors.main}}",
	                                 "zh.tmpl", &t2, &err), 0);
	struct tpl_bind_opts b2 = { .row = "products:8" };
	assert_int_equal(template_bind(ws, &b2, &bind, &err), 0);
	assert_int_equal(template_render(t2, bind, r, TPL_RENDER_BARE, &m, &err), 0);
	assert_string_equal(m.user, "亚麻衬衫，客服 [redacted phone]，无，299.00，jade");
	assert_null(m.system);
	tpl_messages_clear(&m);
	cJSON_Delete(bind);

	b2.row = "products:7";
	assert_int_equal(template_bind(ws, &b2, &bind, &err), 0);
	assert_int_equal(template_render(t2, bind, r, 0, &m, &err), 0);
	assert_non_null(strstr(m.user, "[redacted owner]"));
	assert_non_null(strstr(m.system, "text 不超过 70 个字"));
	tpl_messages_clear(&m);
	cJSON_Delete(bind);

	/* Money: a REAL column named like a price renders with two decimals; an
	 * integer column or a real column with another name renders as it is. */
	{
		struct template *tm = NULL;
		assert_int_equal(ws_exec(ws, "CREATE TABLE shop(id INTEGER, unit_price REAL, yen_price INTEGER,"
		                         " weight REAL, total_revenue REAL);"
		                         "INSERT INTO shop VALUES(1, 421.2, 500, 1.5, 1234.567)", &err), 0);
		assert_int_equal(template_parse("{{product.unit_price}} {{product.yen_price}} "
		                                 "{{product.weight}} {{shop.total_revenue}}", "m.tmpl", &tm, &err), 0);
		struct tpl_bind_opts bm = { .row = "shop:1" };
		assert_int_equal(template_bind(ws, &bm, &bind, &err), 0);
		assert_int_equal(template_render(tm, bind, NULL, TPL_RENDER_BARE, &m, &err), 0);
		assert_string_equal(m.user, "421.20 500 1.5 1234.57");
		tpl_messages_clear(&m);
		cJSON_Delete(bind);
		template_free(tm);
	}

	/* A table without an id column binds by rowid. */
	struct template *t3 = NULL;
	assert_int_equal(template_parse("{{notes.body}} {{product.body|upper}}", "n.tmpl", &t3, &err), 0);
	struct tpl_bind_opts b3 = { .row = "notes:2" };
	assert_int_equal(template_bind(ws, &b3, &bind, &err), 0);
	assert_int_equal(template_render(t3, bind, NULL, TPL_RENDER_BARE, &m, &err), 0);
	assert_string_equal(m.user, "second SECOND");
	tpl_messages_clear(&m);
	cJSON_Delete(bind);

	/* Unknown variables for an editor, and names for completion. */
	struct tpl_bind_opts b4 = { .row = "products:7" };
	assert_int_equal(template_bind(ws, &b4, &bind, &err), 0);
	struct template *t4 = NULL;
	assert_int_equal(template_parse("{{product.name}} {{product.colour}}\n{{segment.name}} "
	                                 "{{x|default:\"\"}} {{brand.colors.main}}", "u.tmpl", &t4, &err), 0);
	struct tpl_var *unk;
	size_t nu;
	assert_int_equal(template_unknown_vars(t4, bind, &unk, &nu, &err), 0);
	assert_int_equal(nu, 2);
	assert_string_equal(unk[0].path, "product.colour");
	assert_string_equal(unk[1].path, "segment.name");
	assert_int_equal(unk[1].line, 2);
	tpl_vars_free(unk, nu);
	size_t nn;
	char **names = template_bind_names(bind, &nn);
	int saw_price = 0, saw_color = 0;
	for (size_t i = 0; i < nn; i++) {
		saw_price |= strcmp(names[i], "product.price") == 0;
		saw_color |= strcmp(names[i], "brand.colors.main") == 0;
		free(names[i]);
	}
	free(names);
	assert_true(saw_price && saw_color);
	cJSON_Delete(bind);
	template_free(t4);

	redactor_free(r);
	template_free(t);
	template_free(t2);
	template_free(t3);
	workspace_close(ws);
}

static void expect_render_error(struct workspace *ws, const char *tmpl, const struct tpl_bind_opts *bo,
                                const char *want)
{
	struct template *t = NULL;
	struct cl_err err = {0};
	cJSON *bind = NULL;
	struct tpl_messages m;
	assert_int_equal(template_parse(tmpl, "e.tmpl", &t, &err), 0);
	assert_int_equal(template_bind(ws, bo, &bind, &err), 0);
	assert_int_equal(template_render(t, bind, NULL, 0, &m, &err), -1);
	assert_null(m.user);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' lacks '%s'", err.msg, want);
	cJSON_Delete(bind);
	template_free(t);
}

static void test_render_errors(void **state)
{
	struct workspace *ws = open_ws("errors.db");
	struct tpl_bind_opts row = { .row = "products:7" }, none = { 0 };
	expect_render_error(ws, "---\nname: e\n---\nok\n{{product.colour}}", &row,
	                    "e.tmpl:5: unknown variable 'product.colour'");
	expect_render_error(ws, "---\nname: e\n---\n{{offer}}", &row, "e.tmpl:4: unknown variable 'offer'");
	expect_render_error(ws, "{{customer.name}}", &row, "e.tmpl:1: unknown variable 'customer.name'");
	expect_render_error(ws, "a\n{{product.name}}", &none, "e.tmpl:2: no row is bound for 'product.name'");
	expect_render_error(ws, "{{segment.profile}}", &none, "no segment is bound for 'segment.profile'");
	expect_render_error(ws, "{{segment.colour}}", &none, "unknown variable 'segment.colour'");
	expect_render_error(ws, "---\nname: e\nsystem: Hi {{brand.nope}}\n---\nx", &none,
	                    "e.tmpl:3: unknown variable 'brand.nope'");

	/* Binding errors name what is missing. */
	struct cl_err err = {0};
	cJSON *bind = NULL;
	struct tpl_bind_opts b = { .row = "products:99" };
	assert_int_equal(template_bind(ws, &b, &bind, &err), -1);
	assert_non_null(strstr(err.msg, "no row with id 99 in 'products'"));
	b.row = "nosuch:1";
	assert_int_equal(template_bind(ws, &b, &bind, &err), -1);
	assert_non_null(strstr(err.msg, "no table 'nosuch'"));
	b.row = "cl_prompts:1";
	assert_int_equal(template_bind(ws, &b, &bind, &err), -1);
	b.row = "products";
	assert_int_equal(template_bind(ws, &b, &bind, &err), -1);
	assert_non_null(strstr(err.msg, "TABLE:ID"));
	struct tpl_bind_opts s = { .segment = "ghost" };
	assert_int_equal(template_bind(ws, &s, &bind, &err), -1);
	assert_non_null(strstr(err.msg, "no segment 'ghost'"));
	const char *badvar[] = { "novalue" };
	struct tpl_bind_opts v = { .vars = badvar, .nvars = 1 };
	assert_int_equal(template_bind(ws, &v, &bind, &err), -1);
	assert_non_null(strstr(err.msg, "KEY=VALUE"));
	/* A personal column's top value stays out of the profile line. */
	char *p0 = template_segment_profile(ws, "loyal", &err);
	assert_non_null(strstr(p0, "region mostly East"));
	free(p0);
	assert_int_equal(ws_exec(ws, "INSERT INTO cl_personal_columns VALUES('customers','region')", &err), 0);
	p0 = template_segment_profile(ws, "loyal", &err);
	assert_null(strstr(p0, "East"));
	assert_non_null(strstr(p0, "age avg 34.2"));
	free(p0);
	/* A segment with no cached profile gets its predicate as the profile. */
	char *p = template_segment_profile(ws, "bare", &err);
	assert_string_equal(p, "customers where age < 30");
	free(p);
	workspace_close(ws);
}

static void test_versions_and_parents(void **state)
{
	struct workspace *ws = open_ws("versions.db");
	struct cl_err err = {0};
	long long id1, id2, id3;
	int ver, created;
	const char *v1 = "---\nname: promo\nchannel: sms\n---\nHello {{product.name}}\n";
	const char *v2 = "---\nname: promo\nchannel: sms\n---\nHi there {{product.name}}\n";
	assert_int_equal(template_save(ws, v1, "promo.tmpl", &id1, &ver, &created, &err), 0);
	assert_int_equal(ver, 1);
	assert_true(created);
	/* Same text again: no new version. */
	assert_int_equal(template_save(ws, v1, "promo.tmpl", &id2, &ver, &created, &err), 0);
	assert_int_equal(id2, id1);
	assert_int_equal(ver, 1);
	assert_false(created);
	assert_int_equal(template_save(ws, v2, "promo.tmpl", &id2, &ver, &created, &err), 0);
	assert_int_equal(ver, 2);
	assert_true(created);
	/* A broken template is refused and stores nothing. */
	assert_int_equal(template_save(ws, "---\nname: promo\n---\n{{x", NULL, &id3, &ver, &created, &err), -1);

	/* Import from a file. */
	const char *dir = getenv("TEST_TMP");
	char *path = xasprintf("%s/other.tmpl", dir ? dir : "/tmp");
	FILE *f = fopen(path, "w");
	fputs("---\nchannel: push\n---\n{{product.name}} is here\n", f);
	fclose(f);
	assert_int_equal(template_import(ws, path, &id3, &ver, &created, &err), 0);

	struct template *t = NULL;
	assert_int_equal(template_load(ws, "promo", &t, &err), 0);
	assert_int_equal(t->version, 2);
	assert_int_equal(t->id, id2);
	assert_int_equal(t->parent_id, id1);
	assert_string_equal(t->channel, "sms");
	template_free(t);
	assert_int_equal(template_load(ws, "promo@1", &t, &err), 0);
	assert_int_equal(t->parent_id, 0);
	assert_non_null(strstr(t->body, "Hello"));
	template_free(t);
	assert_int_equal(template_load(ws, "promo@3", &t, &err), -1);
	assert_int_equal(err.code, CL_ENOTFOUND);
	assert_int_equal(template_load(ws, "promo@x", &t, &err), -1);
	assert_int_equal(template_load(ws, "nope", &t, &err), -1);
	assert_non_null(strstr(err.msg, "no template 'nope'"));
	assert_int_equal(template_load_id(ws, id3, &t, &err), 0);
	assert_string_equal(t->name, "other");
	template_free(t);
	/* template_open: a file path imports (reusing the version), a name loads. */
	assert_int_equal(template_open(ws, path, &t, &err), 0);
	assert_int_equal(t->id, id3);
	template_free(t);
	assert_int_equal(template_open(ws, "promo@1", &t, &err), 0);
	assert_int_equal(t->id, id1);
	template_free(t);

	struct tpl_info *info;
	size_t n;
	assert_int_equal(template_list(ws, &info, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(info[0].name, "other");
	assert_string_equal(info[0].channel, "push");
	assert_string_equal(info[1].name, "promo");
	assert_int_equal(info[1].version, 2);
	assert_int_equal(info[1].nversions, 2);
	tpl_info_free(info, n);
	assert_int_equal(template_history(ws, "promo", &info, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(info[1].parent_id, info[0].id);
	tpl_info_free(info, n);

	char *d = template_diff(v1, v2);
	assert_string_equal(d, " ---\n name: promo\n channel: sms\n ---\n-Hello {{product.name}}\n+Hi there {{product.name}}\n");
	free(d);
	free(path);
	workspace_close(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_front_matter),
		cmocka_unit_test(test_parse_errors_name_tag_and_line),
		cmocka_unit_test(test_render_with_row_segment_brand),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_versions_and_parents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
