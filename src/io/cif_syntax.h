/* CIF syntax: the only place that talks to the CIF parsing library (COD's libcodcif, see docs/cif-library.md).
 *
 * Everything else in legocryst sees the plain structs below: data blocks holding items (a tag with one value,
 * or a looped tag with one value per row), each value with the line it starts on. Tags are lower case, as CIF
 * names are case-insensitive. */
#ifndef LEGOCRYST_IO_CIF_SYNTAX_H
#define LEGOCRYST_IO_CIF_SYNTAX_H

#include <stddef.h>

#include "core/error.h"

typedef enum {
    LC_CIF_PLAIN,        /* unquoted token: number or bare word */
    LC_CIF_QUOTED,       /* '...', "...", '''...''' or """...""" */
    LC_CIF_TEXT_FIELD,   /* ;...; */
    LC_CIF_UNKNOWN,      /* unquoted ? */
    LC_CIF_INAPPLICABLE  /* unquoted . */
} lc_cif_value_kind;

typedef struct {
    char *text;
    int line; /* 1-based line where the value starts */
    lc_cif_value_kind kind;
} lc_cif_value;

typedef struct {
    char *name;  /* "_cell_length_a", lower case */
    int line;
    int loop;    /* index into the block's loops, or -1 for a single value */
    int n_values;
    lc_cif_value *values;
} lc_cif_item;

typedef struct {
    int line;      /* line of loop_ */
    int n_items;
    int *items;    /* indices into the block's items, in column order */
    int n_rows;
} lc_cif_loop;

typedef struct {
    char *name; /* block code without "data_", case as written */
    int line;
    int n_items;
    lc_cif_item *items;
    int n_loops;
    lc_cif_loop *loops;
} lc_cif_block;

typedef struct {
    int n_blocks;
    lc_cif_block *blocks;
    int version_major, version_minor; /* 1.1, or 2.0 as declared by the file's first line */
} lc_cif_document;

/* Parses size bytes of CIF 1.1, or CIF 2.0 (text starting with #\#CIF_2.0) without lists and tables (see
 * docs/cif-library.md). display_name is used in messages. Returns 0, or -1 with "display_name:LINE: what" in
 * err; doc is empty after a failure. */
int lc_cif_parse(const char *data, size_t size, const char *display_name, lc_cif_document *doc, lc_error *err);
void lc_cif_document_free(lc_cif_document *doc);

/* Item with this tag (case-insensitive), or NULL. */
const lc_cif_item *lc_cif_block_find(const lc_cif_block *block, const char *tag);

#endif
