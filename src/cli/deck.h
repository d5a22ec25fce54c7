/* The input deck: one INI file with a [section] per stage, read through libinih, checked against a schema of
 * every key (type, default, allowed values, documentation), with command-line overrides on top.
 *
 * Precedence: --set section.key=value wins over the file, which wins over the default. Every user error names
 * where it is: "FILE:LINE: section.key: what" for the file, "--set: section.key: what" for an override. Reading a
 * key that is not in the schema, or with the wrong type, is a programming error and aborts (lc_fatal). */
#ifndef LEGOCRYST_CLI_DECK_H
#define LEGOCRYST_CLI_DECK_H

#include <stdio.h>

#include "core/error.h"

typedef enum {
    LC_DECK_STRING, /* any text on one line */
    LC_DECK_PATH,   /* a file or folder; relative ones are resolved (see lc_deck_path) */
    LC_DECK_INT,    /* decimal integer (long), optionally range-checked */
    LC_DECK_DOUBLE, /* finite real, optionally range-checked */
    LC_DECK_BOOL,   /* true/false, yes/no, on/off, 1/0 */
    LC_DECK_CHOICE, /* one word of a fixed list */
} lc_deck_type;

/* One key of the schema. Adding a key is one line in deck_schema.c. */
typedef struct {
    const char *section;
    const char *key;
    lc_deck_type type;
    const char *default_value; /* text, checked by the same code as a value from the file */
    const char *allowed;       /* INT/DOUBLE: interval "[1, 64]", "(0, inf)", NULL for any; CHOICE: "a|b|c" */
    const char *doc;
} lc_deck_key;

typedef struct {
    const char *name;
    const char *doc;
} lc_deck_section;

extern const lc_deck_key lc_deck_schema[];
extern const int lc_deck_schema_count;
extern const lc_deck_section lc_deck_sections[];
extern const int lc_deck_section_count;

typedef struct lc_deck lc_deck;

/* Builds the deck from the defaults, then the file at `path` (NULL: defaults only), then the overrides
 * ("section.key=value", later ones win). Returns 0, or -1 with err set at the first problem: unknown section or
 * key, duplicate section or key, a value of the wrong type or out of range, a line libinih cannot parse. */
int lc_deck_load(lc_deck **out, const char *path, int n_overrides, const char *const *overrides, lc_error *err);
void lc_deck_free(lc_deck *deck);

/* Typed reads. STRING, PATH and CHOICE keys read as text (a PATH as written; lc_deck_path resolves it). */
const char *lc_deck_string(const lc_deck *deck, const char *section, const char *key);
long lc_deck_int(const lc_deck *deck, const char *section, const char *key);
double lc_deck_double(const lc_deck *deck, const char *section, const char *key);
int lc_deck_bool(const lc_deck *deck, const char *section, const char *key);

/* A PATH key as an absolute path: a relative value from the file (or a default) is taken relative to the deck
 * file's folder, one from --set relative to the working directory. "" stays "". Owned by the deck. */
const char *lc_deck_path(const lc_deck *deck, const char *section, const char *key);

/* The deck file as given to lc_deck_load, or NULL for defaults only. */
const char *lc_deck_file(const lc_deck *deck);

/* The whole resolved deck as INI text: every key with its value (paths resolved) and a comment saying where the
 * value came from (default, file line, --set). It loads back to the same values. Stored in every HDF5 output.
 * Caller frees. */
char *lc_deck_resolved_text(const lc_deck *deck);

/* Documentation of every section and key: type, default, allowed values, what it does. Plain text for
 * `legocryst help deck`; Markdown for the generated part of docs/deck.md. */
void lc_deck_print_help(FILE *out);
void lc_deck_print_markdown(FILE *out);

#endif
