/* The structures a stage starts from: a folder of structure files, a text file listing them, or a CSV index with a
 * file column and per-structure properties (e.g. ../shared/data/sp2_carbon/index.csv). */
#ifndef LEGOCRYST_IO_SOURCE_LIST_H
#define LEGOCRYST_IO_SOURCE_LIST_H

#include "core/error.h"

typedef struct {
    char path[1024];  /* the structure file (absolute or relative to the working directory) */
    long long id;     /* CSV id column, else the 1-based position in the list */
    double energy;    /* eV/atom from the CSV energy column; NaN when none */
    long line;        /* line of the list or CSV naming it (0 for a folder) */
} lc_source;

typedef struct {
    int count;
    lc_source *items;
    char origin[1024]; /* the source as given, for messages */
} lc_source_list;

/* type: "auto" (a folder is a folder, *.csv a CSV index, anything else a list), "folder", "list" or "csv".
 * Folder: files with a structure extension (.cif, .vasp, .poscar, POSCAR*, CONTCAR*), sorted by name.
 * List: one path per line, relative to the list's folder; blank lines and lines starting with # skipped.
 * CSV: RFC 4180 (quoted fields may hold commas); file_column paths relative to the CSV's folder; id_column (may be
 * "" for row numbers); energy_column ("" for none). Errors name the file and line. */
int lc_source_list_load(const char *source, const char *type, const char *file_column, const char *id_column,
                        const char *energy_column, lc_source_list *out, lc_error *err);
void lc_source_list_free(lc_source_list *list);

#endif
