/* redact.h — take personal data out of text before it leaves the machine.
 *
 * Finds e-mail addresses, phone numbers (international "+44 20 7946 0958",
 * North American "(415) 555-0100", Chinese mobiles "138 0013 8000" /
 * "+86 138-0013-8000", landlines "010-12345678" / "0755-8888 6666"), long
 * digit runs (cards, ID numbers: 9+ digits, spaces or dashes allowed between
 * groups, Chinese ID numbers ending in X), and whole values of columns the
 * workspace marks personal (table cl_personal_columns), and replaces them with
 * labels: "[redacted email]", "[redacted phone]", "[redacted number]",
 * "[redacted <column>]". Everything else — ordinary words, prices, dates,
 * Chinese text, emoji — is copied byte for byte. Input need not be valid UTF-8;
 * the scanner never splits a multi-byte character.
 *
 * A redactor is immutable once set up and may be shared by threads.
 */
#ifndef CL_REDACT_H
#define CL_REDACT_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "core/util.h"
#include "core/workspace.h"

/* What to look for (bit flags). */
enum {
	REDACT_EMAIL    = 1 << 0,
	REDACT_PHONE    = 1 << 1,
	REDACT_DIGITS   = 1 << 2,   /* long digit runs: cards, account and ID numbers */
	REDACT_PERSONAL = 1 << 3,   /* values of personal columns and added literals */
	REDACT_ALL      = REDACT_EMAIL | REDACT_PHONE | REDACT_DIGITS | REDACT_PERSONAL,
};

struct redactor;

/* A new redactor looking for what flags name (REDACT_ALL is the default
 * everywhere); free with redactor_free. */
struct redactor *redactor_new(unsigned flags);
void redactor_free(struct redactor *r);

/* Read cl_personal_columns from the workspace into r (adds to what is there). */
int redactor_load_personal(struct redactor *r, struct workspace *ws, struct cl_err *err);
/* Mark dataset.col as personal by hand (tests, callers without a workspace). */
void redactor_mark_personal(struct redactor *r, const char *dataset, const char *col);
/* True if dataset.col is marked personal (column names compare case-insensitively). */
int redactor_is_personal(const struct redactor *r, const char *dataset, const char *col);
/* Add a literal value (e.g. a bound customer's name) that redactor_text replaces
 * wherever it appears, by "[redacted <label>]". Values under 3 bytes are ignored. */
void redactor_add_literal(struct redactor *r, const char *value, const char *label);

/* Redact free text. Returns a new string (caller frees); *hits (may be NULL)
 * receives how many spans were replaced. r may be NULL: REDACT_ALL patterns,
 * no personal columns or literals. */
char *redactor_text(const struct redactor *r, const char *text, size_t *hits);
/* Redact one value read from dataset.col: a personal column's whole value
 * becomes "[redacted <col>]" (empty values stay empty); other values go
 * through redactor_text. Returns a new string (caller frees). */
char *redactor_value(const struct redactor *r, const char *dataset, const char *col,
                     const char *value, size_t *hits);
/* Redact every string in a cJSON tree in place (keys untouched; whole numbers
 * of 9+ digits become the label string, other numbers stay);
 * returns the number of spans replaced. dataset may be NULL; when given, an
 * object member's key is taken as the column name for the personal check. */
size_t redactor_json(const struct redactor *r, const char *dataset, cJSON *tree);

#endif
