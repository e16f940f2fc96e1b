/* template.h — prompt templates: parse, bind, render, store versions.
 *
 * A template is front matter between two `---` lines, then the body:
 *
 *   ---
 *   name: spring-email
 *   channel: email            # email | sms | push | social | search-ad | landing
 *   language: en              # en | zh (en-US, zh-CN... are accepted)
 *   fields: subject, preheader, body, cta
 *   variants: 5
 *   temperature: 0.8
 *   max_tokens: 400
 *   tone: warm                # warm | playful | premium | urgent | plain | ...
 *   system: |
 *     You write for {{brand.name}}. Voice: {{brand.voice}}.
 *   ---
 *   Write an email about {{product.name}} ({{product.price}}) for {{segment.name}}:
 *   {{segment.profile}}. Mention {{offer|default:"free delivery"}}.
 *
 * Tags: {{var}} (a --var K=V value), {{product.col}} (a column of the bound row;
 * {{row.col}} and {{<table>.col}} name the same row), {{segment.name}},
 * {{segment.profile}}, {{segment.dataset}}, {{segment.rows}}, {{brand.<key>}}
 * (nested keys with dots). Filters: |default:"text" (used when the value is
 * missing or empty), |upper, |lower (Unicode-safe for ASCII; other characters
 * are kept). Whitespace inside the braces is allowed. A malformed tag or an
 * unknown filter is a parse error; an unknown variable is a render error; both
 * name the tag and its line ("spring.tmpl:12: unknown variable 'product.colour'").
 *
 * Rendering substitutes values from the data through a redactor (core/redact.h)
 * unless the caller passes none; the template's own text is never redacted.
 */
#ifndef CL_TEMPLATE_H
#define CL_TEMPLATE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "core/util.h"
#include "core/workspace.h"
#include "core/redact.h"

struct template {
	char   *name;         /* from front matter, else the file's base name */
	char   *channel;      /* one of the six channels; "email" when not given */
	char   *language;     /* "en" or "zh" (normalised), or as written if other */
	char   *tone;         /* NULL when not given */
	char  **fields;       /* output fields; the channel's defaults when not given */
	size_t  nfields;
	int     variants;     /* 0 when not given */
	double  temperature;  /* < 0 when not given */
	int     max_tokens;   /* 0 when not given */
	char   *system;       /* system message text with tags, NULL when not given */
	int     system_line;  /* line of `system:` in the source */
	char   *body;         /* body text with tags */
	int     body_line;    /* line of the body's first line in the source */
	cJSON  *extra;        /* other front-matter keys as strings (object, never NULL) */
	char   *text;         /* the whole source text */
	char   *origin;       /* file name or "NAME@VERSION" used in error messages */
	/* Set when loaded from the workspace; 0 otherwise. */
	long long id;
	int       version;
	long long parent_id;
};

/* One tag found in a template (for completion, highlighting, checks). */
struct tpl_var {
	char *path;        /* "product.name", "segment.profile", "offer" */
	int   line;        /* source line */
	int   in_system;   /* 1 if in the system text */
	int   has_default; /* 1 if it carries |default */
};

/* Parse template text. origin names it in errors (a path or NULL); a missing
 * name falls back to origin's base name without extension. *out is freed with
 * template_free. Errors name the line ("origin:LINE: ..."). */
int template_parse(const char *text, const char *origin, struct template **out,
                   struct cl_err *err);
void template_free(struct template *t);

/* The default output fields for a channel (NULL-terminated static array). */
const char *const *template_default_fields(const char *channel);
/* True if name is one of the six channels. */
int template_channel_valid(const char *channel);

/* Every tag of t in order; free with tpl_vars_free. */
int template_vars(const struct template *t, struct tpl_var **out, size_t *n, struct cl_err *err);
void tpl_vars_free(struct tpl_var *v, size_t n);

/* What a render binds to. All members may be NULL / 0. */
struct tpl_bind_opts {
	const char        *row;      /* "TABLE:ID": ID matches an `id` column if the table has one, else rowid */
	const char        *segment;  /* a segment name in cl_segments */
	const char *const *vars;     /* "KEY=VALUE" strings */
	size_t             nvars;
};

/* Gather the bound values into a new cJSON object (caller cJSON_Delete):
 *   {"row": {"table": T, "id": ID} | null,
 *    "product": {col: value...},               (the row; numbers stay numbers)
 *    "segment": {"name", "profile", "dataset", "rows"} | {},
 *    "brand": {...},                           (cl_meta 'brand', else sample-data/brand.json)
 *    "vars": {key: value...}}
 * Values are raw (not redacted). ws may be NULL (then only vars and the
 * bundled brand). A missing table, row or segment is an error naming it. */
int template_bind(struct workspace *ws, const struct tpl_bind_opts *opts, cJSON **out,
                  struct cl_err *err);
/* The segment's profile as one short line of text (from cl_segments.profile);
 * returns a new string (caller frees), "" when it has none, NULL when the
 * segment does not exist (err set). */
char *template_segment_profile(struct workspace *ws, const char *segment, struct cl_err *err);

/* The tags of t that would not resolve against bind and have no |default
 * (for marking unknown variables in an editor); free with tpl_vars_free.
 * Fails only when t has a bad tag. */
int template_unknown_vars(const struct template *t, const cJSON *bind, struct tpl_var **out,
                          size_t *n, struct cl_err *err);
/* Every variable name bind offers, for completion: "product.<col>",
 * "segment.name", "segment.profile", "brand.<key>" (nested with dots),
 * "<var>"; returns a new array of new strings (free each, then the array). */
char **template_bind_names(const cJSON *bind, size_t *n);

/* Render flags. */
enum {
	/* Leave out the output-format instruction that asks for a JSON object with
	 * the template's fields (appended to the system message by default, so
	 * `template render` shows exactly what a provider receives). */
	TPL_RENDER_BARE = 1 << 0,
};

/* A rendered prompt: what is sent to a provider. */
struct tpl_messages {
	char  *system;     /* NULL when there is no system message */
	char  *user;
	size_t redacted;   /* how many spans the redactor replaced */
};

/* Render t with bind (from template_bind). redactor NULL means no redaction;
 * values from bind's product/segment/vars pass through it, brand values and
 * the template's literal text do not. Fills *out (release with
 * tpl_messages_clear). An unknown variable is an error naming it and its line. */
int template_render(const struct template *t, const cJSON *bind, const struct redactor *redactor,
                    unsigned flags, struct tpl_messages *out, struct cl_err *err);
void tpl_messages_clear(struct tpl_messages *m);
/* The output-format instruction for t's fields in t's language; caller frees. */
char *template_format_instruction(const struct template *t);

/* ---- versions in the workspace (table cl_prompts) ---- */

struct tpl_info {
	long long id;
	char     *name;
	int       version;
	long long parent_id;    /* 0 for the first version */
	char     *created_at;
	char     *channel;
	char     *language;
	int       nversions;    /* template_list only: how many versions the name has */
};

/* Store text as a new version of the template it names (parsed first; errors
 * leave the workspace untouched); parent_id is the previous latest version.
 * If the text equals the latest version's, nothing is stored and that version
 * is returned with *created = 0. Out pointers may be NULL. */
int template_save(struct workspace *ws, const char *text, const char *origin,
                  long long *id, int *version, int *created, struct cl_err *err);
/* Read a file and template_save it. */
int template_import(struct workspace *ws, const char *path, long long *id, int *version,
                    int *created, struct cl_err *err);
/* The latest version of each template, by name; free with tpl_info_free. */
int template_list(struct workspace *ws, struct tpl_info **out, size_t *n, struct cl_err *err);
/* Every version of one template, oldest first; free with tpl_info_free. */
int template_history(struct workspace *ws, const char *name, struct tpl_info **out, size_t *n,
                     struct cl_err *err);
void tpl_info_free(struct tpl_info *v, size_t n);
/* Load NAME (latest) or NAME@VERSION; *out freed with template_free. */
int template_load(struct workspace *ws, const char *spec, struct template **out,
                  struct cl_err *err);
/* Load a version by its cl_prompts id. */
int template_load_id(struct workspace *ws, long long id, struct template **out,
                     struct cl_err *err);
/* For `--template NAME|FILE`: an existing file is imported (template_save, so
 * an unchanged file reuses its version) and loaded; otherwise NAME[@VERSION]
 * is loaded. *out freed with template_free (its id is set either way). */
int template_open(struct workspace *ws, const char *name_or_file, struct template **out,
                  struct cl_err *err);
/* A line diff of two texts ("-old", "+new", " same" lines); caller frees. */
char *template_diff(const char *old_text, const char *new_text);

#endif
