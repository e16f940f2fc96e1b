/* workflow.h — what the TUI's workflow panes read and change in the
 * workspace: runs with their variants and scores, marks on variants (star,
 * discard, note), hand edits saved as child variants, and the channel-ready
 * text of a variant for the clipboard or a file.
 *
 * Core owns the SQL; the panes only call these.
 */
#ifndef CL_WORKFLOW_H
#define CL_WORKFLOW_H

#include <stddef.h>
#include "core/util.h"
#include "core/workspace.h"

struct wf_field {
	char *name;
	char *value;       /* text of the field (numbers and nested values as JSON text) */
};

struct wf_score {
	char  *scorer;
	double value;
	char  *detail;     /* JSON text, may be NULL */
};

struct wf_variant {
	long long id, parent_id;       /* parent 0 = none */
	int       idx, round, starred, discarded, parse_ok, cached;
	char     *fields_json;         /* as stored ("{}" when none) */
	struct wf_field *fields;       /* in the stored order */
	size_t    nfields;
	char     *text;                /* whole reply text, "" when none */
	char     *error;               /* NULL when fine */
	char     *note;                /* NULL when none */
	long      tokens_in, tokens_out;
	double    latency_ms, cost;
	double    composite;           /* NaN when unscored */
	struct wf_score *scores;       /* "composite" excluded, by scorer name */
	size_t    nscores;
};

struct wf_run {
	long long id, parent_run, prompt_id;
	int       round, prompt_version, n_requested;
	char     *prompt_name;         /* may be NULL */
	char     *provider, *model, *segment, *row_ref, *status, *feedback, *created_at;
	char     *channel;             /* from the prompt's front matter when known, else NULL */
	double    cost;
	long      tokens_in, tokens_out;
	struct wf_variant *v;          /* ordered by idx */
	size_t    nv;
};

/* Load a run with its variants and their stored scores; *out freed with
 * wf_run_free. */
int wf_run_load(struct workspace *ws, long long run_id, struct wf_run **out, struct cl_err *err);
void wf_run_free(struct wf_run *r);

/* The newest run id (0 when there is none). */
long long wf_latest_run(struct workspace *ws);

struct wf_run_info {
	long long id;
	int       round, nvariants;
	char     *label;               /* "12 · spring-email v3 · offline · round 2 · done" */
};
/* Every run, newest first; free with wf_runs_free. */
int wf_runs_list(struct workspace *ws, struct wf_run_info **out, size_t *n, struct cl_err *err);
void wf_runs_free(struct wf_run_info *v, size_t n);

/* Score every variant of a run that has no error with the built-in scorers
 * (channel and language from the run's template, the bound product for the
 * claims check, the workspace's brand or the bundled brand.json) and store
 * the scores (composite included). *scored (may be NULL) gets the count. */
int wf_score_run(struct workspace *ws, long long run_id, size_t *scored, struct cl_err *err);
struct plugin_host;
/* wf_score_run with the scorers of plugins (core/plugin.h; NULL: built-ins
 * only) attached too. The host stays the caller's. */
int wf_score_run_with(struct workspace *ws, long long run_id, struct plugin_host *plugins,
                      size_t *scored, struct cl_err *err);

/* One row to bind a template to ("products:7" and a label). */
struct wf_row {
	char *ref;      /* "TABLE:ID" */
	char *label;    /* "7 · 春茶礼盒 · Spring Tea Gift Box" */
};
/* The first limit rows of table (by its id column, else rowid), labelled by
 * their id and name-like columns; free with wf_rows_free. */
int wf_rows_list(struct workspace *ws, const char *table, int limit, struct wf_row **out,
                 size_t *n, struct cl_err *err);
void wf_rows_free(struct wf_row *v, size_t n);

/* Marks. on = 1 sets, 0 clears; note NULL or "" clears the note. */
int wf_variant_star(struct workspace *ws, long long id, int on, struct cl_err *err);
int wf_variant_discard(struct workspace *ws, long long id, int on, struct cl_err *err);
int wf_variant_note(struct workspace *ws, long long id, const char *note, struct cl_err *err);

/* Save an edited copy of variant id: a new variant in the same run (next idx,
 * same round and segment) with fields_json as its fields, parent = id.
 * *new_id receives its id. fields_json must be a JSON object. */
int wf_variant_edit(struct workspace *ws, long long id, const char *fields_json, long long *new_id,
                    struct cl_err *err);

/* The variant as the channel wants it pasted: "Subject: …\nPreheader: …\n\nbody\n\ncta"
 * for email, the text alone for sms/push/social, "Headline: …" lines for
 * search-ad; other fields as "Name: value" lines. Caller frees. */
char *wf_channel_text(const struct wf_variant *v, const char *channel);

/* Write wf_channel_text to path (created or replaced). */
int wf_write_variant(const struct wf_variant *v, const char *channel, const char *path,
                     struct cl_err *err);

/* Edit text for a variant ("field: value" blocks, one per field, a blank line
 * between) and its inverse, used by the $EDITOR round trip. Caller frees;
 * wf_fields_parse returns a JSON object text or NULL with err set. */
char *wf_fields_format(const struct wf_variant *v);
char *wf_fields_parse(const char *text, struct cl_err *err);

#endif
