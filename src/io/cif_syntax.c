/* CIF syntax through COD's error-correcting parser (libcodcif), run strictly: any error it reports is fatal.
 *
 * Four things are added around the library:
 * - a guard that rejects what it must not be handed (control bytes, which it silently truncates at, and text
 *   that does not begin with a data block header, where a lone quote crashes its lexer);
 * - CIF 2.0 files go through the library's CIF 1.1 grammar with non-ASCII text allowed: its CIF 2.0 lexer reads
 *   past the end of its token buffer on every input (found by fuzzing under ASan). CIF 2.0 files that use
 *   the CIF 1.1 subset (all structure files we know of) read normally; lists and tables are reported as
 *   syntax errors at their line;
 * - conversion of its DATABLOCK objects into the plain structs of cif_syntax.h;
 * - line numbers for blocks, tags and values, which the library does not keep. They are found by walking the
 *   text forward in file order and finding each token the library returned (see locate_*). The library has
 *   already checked the syntax, so the walk only has to skip comments and text fields. */
#include "cif_syntax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cexceptions.h>
#include <cif.h>
#include <cif_compiler.h>
#include <cif_grammar_flex.h>
#include <cif_options.h>
#include <cifmessage.h>
#include <cifvalue.h>
#include <datablock.h>

/* libcodcif names the program in its messages through this global, which the program must define. legocryst
 * defines it here, next to the only use of the library, so no other file needs to know. */
char *progname = "legocryst";

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int is_eol(char c) { return c == '\n' || c == '\r'; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static char *copy_string(const char *s) {
    size_t n = strlen(s);
    char *copy = lc_malloc(n + 1);
    memcpy(copy, s, n + 1);
    return copy;
}

/* ---- Line index ------------------------------------------------------------------------------------------ */

typedef struct {
    const char *text;
    size_t size;
    size_t pos;          /* everything before pos has been matched to tokens */
    size_t *line_starts; /* byte offset of each line */
    int n_lines;
    size_t budget;       /* bytes the searches may still examine: bounds the work on adversarial text */
} locator;

static void locator_init(locator *loc, const char *text, size_t size) {
    loc->text = text;
    loc->size = size;
    loc->pos = 0;
    int n = 1;
    for (size_t i = 0; i < size; i++)
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == size || text[i + 1] != '\n'))) n++;
    loc->line_starts = lc_malloc((size_t)n * sizeof *loc->line_starts);
    loc->budget = 64 * size + (1u << 20);
    loc->line_starts[0] = 0;
    int k = 1;
    for (size_t i = 0; i < size; i++)
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == size || text[i + 1] != '\n')))
            loc->line_starts[k++] = i + 1;
    loc->n_lines = n;
}

static int line_of(const locator *loc, size_t offset) {
    int lo = 0, hi = loc->n_lines - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (loc->line_starts[mid] <= offset) lo = mid;
        else hi = mid - 1;
    }
    return lo + 1;
}

/* Whether offset lies in a comment: a '#' starting a token earlier on its line, outside quotes. */
static int in_comment(locator *loc, size_t offset) {
    size_t i = loc->line_starts[line_of(loc, offset) - 1];
    loc->budget = loc->budget > offset - i ? loc->budget - (offset - i) : 0;
    int token_start = 1;
    while (i < offset) {
        char c = loc->text[i];
        if (token_start && c == '#') return 1;
        if (token_start && (c == '\'' || c == '"')) {
            /* CIF 1.1 quotes close at a quote followed by whitespace */
            size_t j = i + 1;
            while (j < offset && !(loc->text[j] == c && (j + 1 >= loc->size || is_space(loc->text[j + 1])))) j++;
            if (j >= offset) return 0;
            i = j + 1;
            token_start = 0;
            continue;
        }
        token_start = is_space(c);
        i++;
    }
    return 0;
}

/* Finds needle at or after pos, outside comments, with a boundary before (start of text, whitespace, or the
 * quote character `quote`) and after (end, whitespace, or `quote`); fold compares case-insensitively. Moves pos
 * past it and returns its line; when it is not found (or the budget is spent), returns the line of pos and
 * leaves pos alone. */
static int locate_token(locator *loc, const char *needle, int fold, char quote) {
    size_t n = strlen(needle);
    for (size_t at = loc->pos; at + n <= loc->size && loc->budget > 0; at++, loc->budget--) {
        int before_ok = at == 0 || (quote ? loc->text[at - 1] == quote : is_space(loc->text[at - 1]));
        if (!before_ok) continue;
        size_t k = 0;
        while (k < n && (fold ? lower(loc->text[at + k]) == lower(needle[k]) : loc->text[at + k] == needle[k])) k++;
        if (k < n) continue;
        size_t end = at + n;
        int after_ok = end == loc->size || (quote ? loc->text[end] == quote : is_space(loc->text[end]));
        if (!after_ok || in_comment(loc, at)) continue;
        loc->pos = quote ? end + 1 : end;
        return line_of(loc, at);
    }
    return line_of(loc, loc->pos < loc->size ? loc->pos : loc->size);
}

/* A text field starts with ';' at the beginning of a line and ends at the next such ';'. */
static int locate_text_field(locator *loc) {
    for (size_t at = loc->pos; at < loc->size && loc->budget > 0; at++, loc->budget--) {
        if (loc->text[at] != ';' || !(at == 0 || is_eol(loc->text[at - 1]))) continue;
        int line = line_of(loc, at);
        size_t end = at + 1;
        while (end < loc->size && !(loc->text[end] == ';' && is_eol(loc->text[end - 1]))) end++;
        loc->pos = end < loc->size ? end + 1 : loc->size;
        return line;
    }
    return line_of(loc, loc->pos < loc->size ? loc->pos : loc->size);
}

/* ---- Guard ----------------------------------------------------------------------------------------------- */

/* Rejects input the library mishandles; returns 0 or -1 with err set. */
static int precheck(const char *data, size_t size, const char *name, lc_error *err) {
    int line = 1;
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\n') line++;
        else if (c < 32 && c != '\t' && c != '\r')
            return lc_error_set(err, name, line, "control character 0x%02x is not allowed in a CIF", c);
    }
    /* The first token must open a data block: CIF requires it, and the library's lexer crashes on a quote
     * character seen before any other token. */
    size_t i = 0;
    line = 1;
    if (size >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF)
        i = 3; /* UTF-8 byte order mark */
    while (i < size) {
        if (data[i] == '\n') {
            line++;
            i++;
        } else if (is_space(data[i])) {
            i++;
        } else if (data[i] == '#') {
            while (i < size && data[i] != '\n') i++;
        } else {
            break;
        }
    }
    if (i == size) return lc_error_set(err, name, line, "no data block (the file has no data_ line)");
    static const char header[] = "data_";
    for (size_t k = 0; k < 5; k++)
        if (i + k >= size || lower(data[i + k]) != header[k])
            return lc_error_set(err, name, line, "expected a data block header (data_NAME) before anything else");
    return 0;
}

/* ---- Conversion ------------------------------------------------------------------------------------------ */

static lc_cif_value_kind kind_of(cif_value_type_t type, const char *text) {
    switch (type) {
    case CIF_SQSTRING:
    case CIF_DQSTRING:
    case CIF_SQ3STRING:
    case CIF_DQ3STRING: return LC_CIF_QUOTED;
    case CIF_TEXT: return LC_CIF_TEXT_FIELD;
    default:
        if (text && strcmp(text, "?") == 0) return LC_CIF_UNKNOWN;
        if (text && strcmp(text, ".") == 0) return LC_CIF_INAPPLICABLE;
        return LC_CIF_PLAIN;
    }
}

static char quote_of(cif_value_type_t type) {
    return type == CIF_SQSTRING || type == CIF_SQ3STRING ? '\'' : type == CIF_DQSTRING || type == CIF_DQ3STRING ? '"' : 0;
}

static void fill_value(lc_cif_value *value, CIFVALUE *cod, locator *loc) {
    cif_value_type_t type = value_type(cod);
    /* the CIF 1.1 grammar produces scalars only */
    const char *text = type == CIF_LIST || type == CIF_TABLE ? NULL : value_scalar(cod);
    value->kind = kind_of(type, text);
    value->text = copy_string(text ? text : "");
    if (value->kind == LC_CIF_TEXT_FIELD) value->line = locate_text_field(loc);
    else value->line = locate_token(loc, value->text, 0, quote_of(type));
}

/* Items of one block in file order: a single item is TAG VALUE, a loop is loop_ TAG... VALUE... by rows. */
static void convert_block(DATABLOCK *cod, lc_cif_block *block, locator *loc) {
    memset(block, 0, sizeof *block);
    block->name = copy_string(datablock_name(cod) ? datablock_name(cod) : "");
    char header[5 + 1024];
    snprintf(header, sizeof header, "data_%s", block->name);
    block->line = locate_token(loc, header, 1, 0);

    int n = (int)datablock_length(cod);
    char **tags = datablock_tags(cod);
    ssize_t *lengths = datablock_value_lengths(cod);
    int *in_loop = datablock_in_loop(cod);
    block->n_items = n;
    block->items = lc_calloc((size_t)n, sizeof *block->items);
    int max_loop = -1;
    for (int t = 0; t < n; t++)
        if (in_loop[t] > max_loop) max_loop = in_loop[t];
    block->n_loops = max_loop + 1;
    block->loops = lc_calloc((size_t)block->n_loops, sizeof *block->loops);

    int t = 0;
    while (t < n) {
        if (in_loop[t] < 0) {
            lc_cif_item *item = &block->items[t];
            item->name = copy_string(tags[t]);
            item->loop = -1;
            item->line = locate_token(loc, item->name, 1, 0);
            item->n_values = lengths[t] > 0 ? 1 : 0;
            item->values = lc_calloc(1, sizeof *item->values);
            if (item->n_values) fill_value(&item->values[0], datablock_cifvalue(cod, t, 0), loc);
            t++;
            continue;
        }
        /* Tags of one loop are stored next to each other, in column order. */
        int id = in_loop[t], first = t;
        while (t < n && in_loop[t] == id) t++;
        lc_cif_loop *loop = &block->loops[id];
        loop->line = locate_token(loc, "loop_", 1, 0);
        loop->n_items = t - first;
        loop->items = lc_malloc((size_t)loop->n_items * sizeof *loop->items);
        loop->n_rows = (int)lengths[first];
        for (int k = 0; k < loop->n_items; k++) {
            lc_cif_item *item = &block->items[first + k];
            loop->items[k] = first + k;
            item->name = copy_string(tags[first + k]);
            item->loop = id;
            item->line = locate_token(loc, item->name, 1, 0);
            item->n_values = loop->n_rows;
            item->values = lc_calloc((size_t)loop->n_rows, sizeof *item->values);
        }
        for (int r = 0; r < loop->n_rows; r++)
            for (int k = 0; k < loop->n_items; k++)
                fill_value(&block->items[first + k].values[r], datablock_cifvalue(cod, first + k, r), loc);
    }
}

/* First error the library recorded, as "name:LINE: message". */
static int report_errors(CIF *cif, const char *name, const locator *loc, lc_error *err) {
    CIFMESSAGE *m, *first = NULL;
    foreach_cifmessage(m, cif_messages(cif)) {
        const char *status = cifmessage_status(m);
        if (status && strcmp(status, "ERROR") == 0 && cifmessage_lineno(m) > 0) {
            first = m;
            break;
        }
    }
    if (!first) {
        foreach_cifmessage(m, cif_messages(cif)) {
            const char *status = cifmessage_status(m);
            if (status && strcmp(status, "ERROR") == 0) {
                first = m;
                break;
            }
        }
    }
    /* Errors without a line (e.g. "could not recover") are about the end of the input. */
    long line = first && cifmessage_lineno(first) > 0 ? cifmessage_lineno(first) : loc->n_lines;
    const char *message = first && cifmessage_message(first) ? cifmessage_message(first) : "invalid CIF syntax";
    return lc_error_set(err, name, line, "CIF syntax: %s", message);
}

/* The library reports out-of-memory and I/O failures by longjmp; kept apart so that no caller variable lives
 * across the setjmp. */
static CIF *run_library(char *text, int cif2, char *failure, size_t failure_size) {
    cexception_t ex;
    CIF *volatile cif = NULL;
    /* The lexer keeps its flags in globals, so they are set afresh for every file: a flag left over from a
     * CIF 2.0 file would let the next CIF 1.1 file through unchecked. */
    reset_lexer_flags();
    if (cif2) set_lexer_allow_high_chars(); /* CIF 2.0 text is UTF-8 */
    cexception_guard(ex) {
        cif = new_cif_from_cif_string(text, CO_SUPPRESS_MESSAGES, &ex);
    }
    cexception_catch {
        snprintf(failure, failure_size, "%s", cexception_message(&ex) ? cexception_message(&ex) : "no message");
        if (cif) delete_cif(cif);
        return NULL;
    }
    return cif;
}

int lc_cif_parse(const char *data, size_t size, const char *display_name, lc_cif_document *doc, lc_error *err) {
    memset(doc, 0, sizeof *doc);
    const char *name = display_name ? display_name : "<cif>";
    if (precheck(data, size, name, err) != 0) return -1;

    char *text = lc_malloc(size + 1); /* the library wants a NUL-terminated string it may not modify */
    memcpy(text, data, size);
    text[size] = '\0';
    locator loc;
    locator_init(&loc, text, size);

    /* CIF 2.0 magic: read with the CIF 1.1 grammar (see the top of this file); "2.0" -> "1.1" keeps every
     * offset and line number. */
    static const char magic[] = "#\\#CIF_2.0";
    size_t start = size >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB ? 3 : 0;
    int cif2 = size >= start + 10 && memcmp(text + start, magic, 10) == 0 &&
               (size == start + 10 || is_space(text[start + 10]));
    if (cif2) memcpy(text + start + 7, "1.1", 3);

    char failure[256] = "no result";
    CIF *cif = run_library(text, cif2, failure, sizeof failure);
    int status = 0;
    if (!cif) status = lc_error_set(err, name, 0, "CIF parser failed: %s", failure);
    if (status == 0 && (cif_nerrors(cif) > 0 || cif_yyretval(cif) != 0)) status = report_errors(cif, name, &loc, err);

    if (status == 0) {
        doc->version_major = cif2 ? 2 : 1;
        doc->version_minor = cif2 ? 0 : 1;
        DATABLOCK *b;
        int n = 0;
        foreach_datablock(b, cif_datablock_list(cif)) n++;
        doc->blocks = lc_calloc((size_t)n, sizeof *doc->blocks);
        foreach_datablock(b, cif_datablock_list(cif)) convert_block(b, &doc->blocks[doc->n_blocks++], &loc);
    }
    if (cif) delete_cif(cif);
    free(loc.line_starts);
    free(text);
    return status;
}

void lc_cif_document_free(lc_cif_document *doc) {
    for (int b = 0; b < doc->n_blocks; b++) {
        lc_cif_block *block = &doc->blocks[b];
        for (int i = 0; i < block->n_items; i++) {
            lc_cif_item *item = &block->items[i];
            for (int v = 0; v < item->n_values; v++) free(item->values[v].text);
            free(item->values);
            free(item->name);
        }
        for (int l = 0; l < block->n_loops; l++) free(block->loops[l].items);
        free(block->items);
        free(block->loops);
        free(block->name);
    }
    free(doc->blocks);
    memset(doc, 0, sizeof *doc);
}

const lc_cif_item *lc_cif_block_find(const lc_cif_block *block, const char *tag) {
    for (int i = 0; i < block->n_items; i++) {
        const char *a = block->items[i].name, *b = tag;
        while (*a && *b && lower(*a) == lower(*b)) {
            a++;
            b++;
        }
        if (*a == '\0' && *b == '\0') return &block->items[i];
    }
    return NULL;
}
