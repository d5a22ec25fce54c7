/* Input deck: INI syntax parsed by libinih (Debian libinih-dev), values checked against lc_deck_schema.
 *
 * Line numbers. Debian 12's libinih (55-1) is built with INI_HANDLER_LINENO=1 although its ini.h defaults the
 * macro to 0: every handler call in libinih.so loads the line number into the fifth argument. We declare the
 * handler with that parameter to match the binary, but do not trust it: the file is fed to ini_parse_stream by
 * our own reader, one line per call, and the reader's count is the line number. That count is right however the
 * library was built, and the reader also lets us
 *   - reject lines longer than libinih's buffer (it would silently split them into two lines),
 *   - drop indentation, so that libinih's multi-line continuation never glues a stray line onto a value,
 *   - check [section] headers where they are written, empty sections and repeats included. */
#define INI_HANDLER_LINENO 1
#include <ini.h>

#include "deck.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum { ORIGIN_DEFAULT, ORIGIN_FILE, ORIGIN_SET };

/* Longest line lc_deck_resolved_text writes with its comment inline: next_line hands libinih lines of at most
 * its buffer size - 2 characters, and the stock buffer is INI_MAX_LINE. */
enum { RESOLVED_LINE_MAX = INI_MAX_LINE - 2 };

typedef struct {
    char *text; /* normalised: integers and numbers reprinted, booleans true/false, the rest as written */
    char *path; /* PATH keys: absolute ("" stays "") */
    long i;
    double d;
    int b;
    int origin;
    long line; /* ORIGIN_FILE: line in the deck file */
} entry;

struct lc_deck {
    char *file;     /* as given to lc_deck_load; NULL for defaults only */
    char *file_abs; /* absolute path of the file */
    char *file_dir; /* folder relative file values are resolved against: the file's, or the working directory */
    char *cwd;
    entry *entries; /* parallel to lc_deck_schema */
};

static char *copy_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = lc_malloc(n);
    memcpy(c, s, n);
    return c;
}

static char *copy_range(const char *s, size_t n) {
    char *c = lc_malloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

static char *trimmed_copy(const char *s, size_t n) {
    while (n > 0 && (*s == ' ' || *s == '\t')) s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) n--;
    return copy_range(s, n);
}

static int find_section(const char *name) {
    for (int s = 0; s < lc_deck_section_count; s++)
        if (strcmp(lc_deck_sections[s].name, name) == 0) return s;
    return -1;
}

static int find_key(const char *section, const char *key) {
    for (int k = 0; k < lc_deck_schema_count; k++)
        if (strcmp(lc_deck_schema[k].section, section) == 0 && strcmp(lc_deck_schema[k].key, key) == 0) return k;
    return -1;
}

/* ---- values -------------------------------------------------------------------------------------------- */

typedef struct {
    double lo, hi;
    int lo_open, hi_open;
} interval;

/* "[1, 64]", "(0, inf)": strtod reads inf and -inf. A malformed interval is a bug in the schema. */
static interval schema_interval(const lc_deck_key *k) {
    interval r = {-INFINITY, INFINITY, 1, 1};
    if (!k->allowed) return r;
    const char *s = k->allowed;
    char *end = NULL;
    if (*s != '[' && *s != '(') goto bad;
    r.lo_open = *s == '(';
    r.lo = strtod(s + 1, &end);
    if (end == s + 1 || *end != ',') goto bad;
    s = end + 1;
    r.hi = strtod(s, &end);
    if (end == s || (*end != ']' && *end != ')') || end[1] != '\0' || !(r.lo <= r.hi)) goto bad;
    r.hi_open = *end == ')';
    return r;
bad:
    lc_fatal("deck schema: %s.%s: malformed interval '%s'", k->section, k->key, k->allowed);
}

static int in_interval(double v, interval r) {
    int above_lo = r.lo_open ? v > r.lo : v >= r.lo;
    int below_hi = r.hi_open ? v < r.hi : v <= r.hi;
    return above_lo && below_hi;
}

/* Shortest text that reads back as exactly v, without an exponent where plain digits are as natural (50, not
 * 5e+01). */
static void format_double(double v, char *buf, size_t size) {
    int plain = v == 0 || (fabs(v) >= 1e-4 && fabs(v) < 1e15);
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (plain && strchr(buf, 'e')) continue;
        if (strtod(buf, NULL) == v) return;
    }
    snprintf(buf, size, "%.17g", v);
}

static int is_choice(const char *choices, const char *word) {
    size_t n = strlen(word);
    for (const char *c = choices; *c;) {
        const char *bar = strchr(c, '|');
        size_t len = bar ? (size_t)(bar - c) : strlen(c);
        if (len == n && strncmp(c, word, n) == 0) return 1;
        c += len + (bar ? 1 : 0);
    }
    return 0;
}

/* Writes why a value is refused; returns -1. */
static int reason(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int reason(char *why, size_t size, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(why, size, fmt, args);
    va_end(args);
    return -1;
}

/* What a key accepts, as messages, help and docs show it. */
static void describe_allowed(const lc_deck_key *k, char *out, size_t size) {
    out[0] = '\0';
    if ((k->type == LC_DECK_INT || k->type == LC_DECK_DOUBLE) && k->allowed) {
        snprintf(out, size, "%s", k->allowed);
    } else if (k->type == LC_DECK_BOOL) {
        snprintf(out, size, "true, false");
    } else if (k->type == LC_DECK_CHOICE) {
        size_t n = 0;
        for (const char *c = k->allowed; *c && n + 3 < size; c++) {
            if (*c == '|') out[n++] = ',', out[n++] = ' ';
            else out[n++] = *c;
        }
        out[n] = '\0';
    }
}

/* Checks text against key k and fills the typed fields of *e and its normalised text (e->path is left to the
 * caller). Returns 0, or -1 with the reason in why. */
static int parse_value(const lc_deck_key *k, const char *text, entry *e, char *why, size_t why_size) {
    char number[64];
    /* The resolved text writes "key = value": a value libinih would read back differently is refused. */
    if (strpbrk(text, "\r\n")) return reason(why, why_size, "a value must be on one line");
    if (text[0] == ';' || strstr(text, " ;") || strstr(text, "\t;"))
        return reason(why, why_size, "a value cannot start with ';' or have ';' after a space (a comment)");
    switch (k->type) {
    case LC_DECK_STRING:
    case LC_DECK_PATH:
        if (text[0] == '"' || text[0] == '\'')
            return reason(why, why_size, "%s: values are written without quotes", text);
        break;
    case LC_DECK_INT: {
        char *end = NULL;
        errno = 0;
        long v = strtol(text, &end, 10);
        if (end == text || *end != '\0') return reason(why, why_size, "'%s' is not an integer", text);
        if (errno == ERANGE) return reason(why, why_size, "%s is too large", text);
        if (!in_interval((double)v, schema_interval(k)))
            return reason(why, why_size, "%ld is outside %s", v, k->allowed);
        e->i = v;
        snprintf(number, sizeof number, "%ld", v);
        text = number;
        break;
    }
    case LC_DECK_DOUBLE: {
        char *end = NULL;
        double v = strtod(text, &end);
        if (end == text || *end != '\0') return reason(why, why_size, "'%s' is not a number", text);
        if (!isfinite(v)) return reason(why, why_size, "'%s' is not a finite number", text);
        if (!in_interval(v, schema_interval(k)))
            return reason(why, why_size, "%s is outside %s", text, k->allowed);
        e->d = v;
        format_double(v, number, sizeof number);
        text = number;
        break;
    }
    case LC_DECK_BOOL: {
        static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
        int value = -1;
        for (int j = 0; j < 4; j++) {
            if (strcasecmp(text, yes[j]) == 0) value = 1;
            if (strcasecmp(text, no[j]) == 0) value = 0;
        }
        if (value < 0)
            return reason(why, why_size, "'%s' is not a boolean (true/false, yes/no, on/off, 1/0)", text);
        e->b = value;
        text = value ? "true" : "false";
        break;
    }
    case LC_DECK_CHOICE:
        if (!is_choice(k->allowed, text)) {
            char choices[256];
            describe_allowed(k, choices, sizeof choices);
            return reason(why, why_size, "'%s' is not one of: %s", text, choices);
        }
        break;
    }
    e->text = copy_string(text);
    return 0;
}

/* Absolute form of a path value: base/value for a relative one. Leading "./" is dropped; ".." is kept, since
 * folding it away is wrong across symbolic links. */
static char *resolve_path(const char *base, const char *value) {
    if (value[0] == '\0' || value[0] == '/') return copy_string(value);
    while (value[0] == '.' && value[1] == '/') {
        value += 2;
        while (*value == '/') value++;
    }
    if (value[0] == '\0' || strcmp(value, ".") == 0) return copy_string(base);
    size_t nb = strlen(base), nv = strlen(value);
    int slash = nb > 0 && base[nb - 1] != '/';
    char *out = lc_malloc(nb + (size_t)slash + nv + 1);
    memcpy(out, base, nb);
    if (slash) out[nb] = '/';
    memcpy(out + nb + (size_t)slash, value, nv + 1);
    return out;
}

/* Sets key k from text; on a bad value returns -1 with why and leaves the key as it was. */
static int set_entry(lc_deck *d, int k, const char *text, int origin, long line, char *why, size_t why_size) {
    entry parsed = {0};
    if (parse_value(&lc_deck_schema[k], text, &parsed, why, why_size) < 0) {
        if (strstr(text, " #") || strstr(text, "\t#")) {
            size_t n = strlen(why);
            snprintf(why + n, why_size - n, " (a comment after a value starts with ';', not '#')");
        }
        return -1;
    }
    if (lc_deck_schema[k].type == LC_DECK_PATH)
        parsed.path = resolve_path(origin == ORIGIN_SET ? d->cwd : d->file_dir, parsed.text);
    parsed.origin = origin;
    parsed.line = line;
    free(d->entries[k].text);
    free(d->entries[k].path);
    d->entries[k] = parsed;
    return 0;
}

/* ---- messages ------------------------------------------------------------------------------------------ */

static int edit_distance(const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    if (na > 63 || nb > 63) return 99;
    int row[64];
    for (size_t j = 0; j <= nb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        int diagonal = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= nb; j++) {
            int up = row[j];
            int best = diagonal + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diagonal = up;
        }
    }
    return row[nb];
}

/* " (did you mean max_sites?)", " (it belongs in [run])" or a pointer to the documentation. */
static void unknown_key_hint(const char *section, const char *key, char *hint, size_t size) {
    int best = -1, best_distance = 3;
    for (int k = 0; k < lc_deck_schema_count; k++) {
        const lc_deck_key *s = &lc_deck_schema[k];
        if (strcmp(s->key, key) == 0) {
            snprintf(hint, size, " (it belongs in [%s])", s->section);
            return;
        }
        int distance = strcmp(s->section, section) == 0 ? edit_distance(s->key, key) : 99;
        if (distance < best_distance && (size_t)distance < strlen(key)) best = k, best_distance = distance;
    }
    if (best >= 0) snprintf(hint, size, " (did you mean %s?)", lc_deck_schema[best].key);
    else snprintf(hint, size, " (see `legocryst help deck`)");
}

static void section_list(char *out, size_t size) {
    int n = snprintf(out, size, "sections:");
    for (int s = 0; s < lc_deck_section_count && n > 0 && (size_t)n < size; s++)
        n += snprintf(out + n, size - (size_t)n, " [%s]", lc_deck_sections[s].name);
}

/* ---- the file ------------------------------------------------------------------------------------------ */

typedef struct {
    lc_deck *deck;
    lc_error *err;
    const char *text; /* the whole file */
    size_t size, pos;
    long line;          /* number of the line last handed to libinih */
    long *section_line; /* per schema section: the line of its header, 0 before it appears */
    long failed_at;     /* line of the first error we reported, 0 while none */
} parse_ctx;

static int fail(parse_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parse_ctx *c, const char *fmt, ...) {
    char message[900];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    c->failed_at = c->line;
    return lc_error_set(c->err, c->deck->file, c->line, "%s", message);
}

/* A "[name]" line (indentation already dropped): the section must be in the schema and appear once. libinih
 * takes the name between the brackets as is and ignores what follows "]"; we allow only a comment there. */
static void check_section_header(parse_ctx *c, const char *line, size_t len) {
    const char *close = memchr(line, ']', len);
    if (!close) return; /* libinih reports the syntax error */
    char *name = copy_range(line + 1, (size_t)(close - line - 1));
    const char *rest = close + 1;
    while (rest < line + len && (*rest == ' ' || *rest == '\t' || *rest == '\r')) rest++;
    int s = find_section(name);
    if (rest < line + len && *rest != ';' && *rest != '#') {
        fail(c, "[%s]: unexpected text after ']'", name);
    } else if (s < 0) {
        char sections[256];
        section_list(sections, sizeof sections);
        fail(c, "[%s]: unknown section (%s)", name, sections);
    } else if (c->section_line[s]) {
        fail(c, "[%s]: section appears twice (first on line %ld)", name, c->section_line[s]);
    } else {
        c->section_line[s] = c->line;
    }
    free(name);
}

/* ini_reader: hands libinih one line per call (fgets contract: at most size - 1 characters and a NUL). */
static char *next_line(char *buffer, int size, void *stream) {
    parse_ctx *c = stream;
    if (c->failed_at || c->pos >= c->size) return NULL;
    const char *start = c->text + c->pos;
    const char *newline = memchr(start, '\n', c->size - c->pos);
    size_t len = newline ? (size_t)(newline - start) : c->size - c->pos;
    c->pos += len + (newline ? 1 : 0);
    c->line++;
    if (c->line == 1 && len >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) start += 3, len -= 3; /* UTF-8 BOM */
    while (len > 0 && (*start == ' ' || *start == '\t')) start++, len--;
    if (memchr(start, '\0', len)) {
        fail(c, "the line contains a NUL byte (is this a text file?)");
        return NULL;
    }
    if (len > 0 && (*start == ';' || *start == '#')) len = 0; /* comments may be of any length */
    /* size - 2, not size - 1: a line that fills the buffer exactly makes a realloc-enabled libinih read on. */
    if (size < 3 || len > (size_t)size - 2) {
        fail(c, "line longer than %d characters (libinih's limit); shorten it or give the value with --set",
             size - 2);
        return NULL;
    }
    if (len > 0 && *start == '[') check_section_header(c, start, len);
    if (c->failed_at) return NULL;
    memcpy(buffer, start, len);
    buffer[len] = '\0';
    return buffer;
}

/* ini_handler. The line number comes from next_line, not from libinih (see the top of this file). Always
 * returns 1: we keep our own first error, and libinih's return value then means a syntax error. */
static int on_pair(void *user, const char *section, const char *name, const char *value, int libinih_line) {
    (void)libinih_line;
    parse_ctx *c = user;
    if (c->failed_at || !name) return 1; /* !name: a section-start call, checked by next_line */
    char why[700];
    if (!value) fail(c, "%s: expected 'key = value'", name);
    else if (name[0] == '\0') fail(c, "expected a key before '='");
    else if (section[0] == '\0') fail(c, "%s: key before any [section]", name);
    else if (find_section(section) < 0) fail(c, "[%s]: unknown section", section);
    else {
        int k = find_key(section, name);
        if (k < 0) {
            unknown_key_hint(section, name, why, sizeof why);
            fail(c, "%s.%s: unknown key%s", section, name, why);
        } else if (c->deck->entries[k].origin == ORIGIN_FILE) {
            fail(c, "%s.%s: set twice (first on line %ld)", section, name, c->deck->entries[k].line);
        } else if (set_entry(c->deck, k, value, ORIGIN_FILE, c->line, why, sizeof why) < 0) {
            fail(c, "%s.%s: %s", section, name, why);
        }
    }
    return 1;
}

static int read_whole_file(const char *path, char **text, size_t *size, lc_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return lc_error_set(err, path, 0, "cannot open the input deck: %s", strerror(errno));
    size_t capacity = 4096, used = 0;
    char *buffer = lc_malloc(capacity);
    for (;;) {
        used += fread(buffer + used, 1, capacity - used, f);
        if (used < capacity) break;
        capacity *= 2;
        buffer = lc_realloc(buffer, capacity);
    }
    int read_error = ferror(f) ? errno : 0;
    fclose(f);
    if (read_error) {
        free(buffer);
        return lc_error_set(err, path, 0, "cannot read the input deck: %s", strerror(read_error));
    }
    *text = buffer;
    *size = used;
    return 0;
}

/* libinih stopped at line `line` on something that is not INI: say what it looked like. */
static int syntax_error(parse_ctx *c, long line) {
    const char *s = c->text, *end = c->text + c->size;
    for (long l = 1; l < line && s < end; l++) {
        const char *newline = memchr(s, '\n', (size_t)(end - s));
        s = newline ? newline + 1 : end;
    }
    const char *newline = memchr(s, '\n', (size_t)(end - s));
    char *text = trimmed_copy(s, newline ? (size_t)(newline - s) : (size_t)(end - s));
    if (strlen(text) > 60) strcpy(text + 57, "...");
    c->line = line;
    if (text[0] == '[') fail(c, "'%s': section header without a closing ']'", text);
    else fail(c, "'%s': expected 'key = value', '[section]' or a comment", text);
    free(text);
    return -1;
}

static int parse_file(lc_deck *d, lc_error *err) {
    parse_ctx c = {.deck = d, .err = err};
    char *text = NULL;
    if (read_whole_file(d->file, &text, &c.size, err) < 0) return -1;
    c.text = text;
    c.section_line = lc_calloc((size_t)lc_deck_section_count, sizeof *c.section_line);
    int r = ini_parse_stream(next_line, &c, on_pair, &c);
    if (r == -2) lc_fatal("libinih: out of memory");
    int status = 0;
    if (r > 0 && (!c.failed_at || r < c.failed_at)) status = syntax_error(&c, r);
    else if (c.failed_at) status = -1;
    free(c.section_line);
    free(text);
    return status;
}

/* ---- overrides ----------------------------------------------------------------------------------------- */

static int apply_override(lc_deck *d, const char *spec, lc_error *err) {
    const char *eq = strchr(spec, '=');
    const char *dot = eq ? memchr(spec, '.', (size_t)(eq - spec)) : NULL;
    if (!dot) return lc_error_set(err, "--set", 0, "'%s': expected section.key=value", spec);
    char *section = trimmed_copy(spec, (size_t)(dot - spec));
    char *key = trimmed_copy(dot + 1, (size_t)(eq - dot - 1));
    char *value = trimmed_copy(eq + 1, strlen(eq + 1));
    char why[700];
    int status = 0, k = find_key(section, key);
    if (find_section(section) < 0) {
        section_list(why, sizeof why);
        status = lc_error_set(err, "--set", 0, "%s.%s: unknown section [%s] (%s)", section, key, section, why);
    } else if (k < 0) {
        unknown_key_hint(section, key, why, sizeof why);
        status = lc_error_set(err, "--set", 0, "%s.%s: unknown key%s", section, key, why);
    } else if (set_entry(d, k, value, ORIGIN_SET, 0, why, sizeof why) < 0) {
        status = lc_error_set(err, "--set", 0, "%s.%s: %s", section, key, why);
    }
    free(section);
    free(key);
    free(value);
    return status;
}

/* ---- load and read ------------------------------------------------------------------------------------- */

static char *working_directory(void) {
    for (size_t size = 256;; size *= 2) {
        char *buffer = lc_malloc(size);
        if (getcwd(buffer, size)) return buffer;
        free(buffer);
        if (errno != ERANGE) return NULL;
    }
}

int lc_deck_load(lc_deck **out, const char *path, int n_overrides, const char *const *overrides, lc_error *err) {
    *out = NULL;
    lc_deck *d = lc_calloc(1, sizeof *d);
    d->entries = lc_calloc((size_t)lc_deck_schema_count, sizeof *d->entries);
    d->cwd = working_directory();
    if (!d->cwd) {
        lc_error_set(err, path ? path : "input deck", 0, "cannot read the working directory: %s", strerror(errno));
        goto fail;
    }
    if (path) {
        d->file = copy_string(path);
        d->file_abs = resolve_path(d->cwd, path);
        const char *slash = strrchr(d->file_abs, '/'); /* file_abs is absolute: there is one */
        d->file_dir = copy_range(d->file_abs, slash == d->file_abs ? 1 : (size_t)(slash - d->file_abs));
    } else {
        d->file_dir = copy_string(d->cwd);
    }
    for (int k = 0; k < lc_deck_schema_count; k++) {
        char why[700];
        if (set_entry(d, k, lc_deck_schema[k].default_value, ORIGIN_DEFAULT, 0, why, sizeof why) < 0)
            lc_fatal("deck schema: default of %s.%s: %s", lc_deck_schema[k].section, lc_deck_schema[k].key, why);
    }
    if (path && parse_file(d, err) < 0) goto fail;
    for (int i = 0; i < n_overrides; i++)
        if (apply_override(d, overrides[i], err) < 0) goto fail;
    *out = d;
    return 0;
fail:
    lc_deck_free(d);
    return -1;
}

void lc_deck_free(lc_deck *d) {
    if (!d) return;
    for (int k = 0; k < lc_deck_schema_count; k++) {
        free(d->entries[k].text);
        free(d->entries[k].path);
    }
    free(d->entries);
    free(d->file);
    free(d->file_abs);
    free(d->file_dir);
    free(d->cwd);
    free(d);
}

static const char *const type_names[] = {"string", "path", "integer", "number", "bool", "choice"};

static const entry *get(const lc_deck *d, const char *section, const char *key, unsigned types, const char *as) {
    int k = find_key(section, key);
    if (k < 0) lc_fatal("input deck: %s.%s is not in the schema", section, key);
    if (!(types & (1u << lc_deck_schema[k].type)))
        lc_fatal("input deck: %s.%s is a %s, read as %s", section, key, type_names[lc_deck_schema[k].type], as);
    return &d->entries[k];
}

const char *lc_deck_string(const lc_deck *d, const char *section, const char *key) {
    return get(d, section, key, 1u << LC_DECK_STRING | 1u << LC_DECK_PATH | 1u << LC_DECK_CHOICE, "a string")->text;
}

long lc_deck_int(const lc_deck *d, const char *section, const char *key) {
    return get(d, section, key, 1u << LC_DECK_INT, "an integer")->i;
}

double lc_deck_double(const lc_deck *d, const char *section, const char *key) {
    return get(d, section, key, 1u << LC_DECK_DOUBLE, "a number")->d;
}

int lc_deck_bool(const lc_deck *d, const char *section, const char *key) {
    return get(d, section, key, 1u << LC_DECK_BOOL, "a bool")->b;
}

const char *lc_deck_path(const lc_deck *d, const char *section, const char *key) {
    return get(d, section, key, 1u << LC_DECK_PATH, "a path")->path;
}

const char *lc_deck_file(const lc_deck *d) { return d->file; }

/* ---- output -------------------------------------------------------------------------------------------- */

char *lc_deck_resolved_text(const lc_deck *d) {
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out) lc_fatal("open_memstream: %s", strerror(errno));
    fprintf(out, "; legocryst input deck, resolved: every key, its value, and where the value came from\n");
    fprintf(out, "; deck file: %s\n", d->file_abs ? d->file_abs : "none (defaults and --set only)");
    for (int s = 0; s < lc_deck_section_count; s++) {
        const char *section = lc_deck_sections[s].name;
        size_t width = 0; /* aligns the comments of the section's short lines */
        for (int k = 0; k < lc_deck_schema_count; k++) {
            if (strcmp(lc_deck_schema[k].section, section) != 0) continue;
            const entry *e = &d->entries[k];
            size_t len = strlen(lc_deck_schema[k].key) + 3 + strlen(e->path ? e->path : e->text);
            if (len > width && len <= 60) width = len;
        }
        fprintf(out, "\n[%s]\n", section);
        for (int k = 0; k < lc_deck_schema_count; k++) {
            const lc_deck_key *spec = &lc_deck_schema[k];
            if (strcmp(spec->section, section) != 0) continue;
            const entry *e = &d->entries[k];
            const char *value = e->path ? e->path : e->text;
            char origin[64], *comment = NULL;
            if (e->origin == ORIGIN_DEFAULT) snprintf(origin, sizeof origin, "default");
            else if (e->origin == ORIGIN_FILE) snprintf(origin, sizeof origin, "deck line %ld", e->line);
            else snprintf(origin, sizeof origin, "--set");
            if (e->path && strcmp(e->path, e->text) != 0) {
                size_t n = strlen(origin) + strlen(e->text) + 32;
                comment = lc_malloc(n);
                snprintf(comment, n, "%s (as written: %s)", origin, e->text);
            } else {
                comment = copy_string(origin);
            }
            size_t len = strlen(spec->key) + 3 + strlen(value);
            size_t pad = len < width ? width - len : 0;
            /* A comment that would push the line past libinih's limit goes on its own line above. */
            if (len + pad + 4 + strlen(comment) > RESOLVED_LINE_MAX)
                fprintf(out, "; %s: %s\n%s = %s\n", spec->key, comment, spec->key, value);
            else
                fprintf(out, "%s = %s%*s  ; %s\n", spec->key, value, (int)pad, "", comment);
            free(comment);
        }
    }
    if (fclose(out) != 0) lc_fatal("open_memstream: %s", strerror(errno));
    return text;
}

static void print_wrapped(FILE *out, const char *text, int indent, int width) {
    int column = indent;
    fprintf(out, "%*s", indent, "");
    while (*text) {
        size_t word = strcspn(text, " ");
        if (column > indent && column + 1 + (int)word > width) {
            fprintf(out, "\n%*s", indent, "");
            column = indent;
        } else if (column > indent) {
            fputc(' ', out);
            column++;
        }
        fwrite(text, 1, word, out);
        column += (int)word;
        text += word;
        while (*text == ' ') text++;
    }
    fputc('\n', out);
}

static const char help_intro[] =
    "The input deck is an INI file with one [section] per stage: `key = value` lines under `[section]` "
    "headers. Lines starting with ; or # are comments, and so is anything after a ; that follows a space. "
    "Booleans are true/false, yes/no, on/off or 1/0; intervals are written [closed] and (open). "
    "Precedence: --set section.key=value wins over the file, which wins over the default. Relative paths in the "
    "file are relative to the file's folder, those given with --set to the working directory. Unknown sections "
    "and keys, keys set twice and bad values are errors that name the file, line and key. Every output stores "
    "the resolved deck. More in docs/deck.md.";

void lc_deck_print_help(FILE *out) {
    print_wrapped(out, help_intro, 0, 100);
    for (int s = 0; s < lc_deck_section_count; s++) {
        fprintf(out, "\n[%s]\n", lc_deck_sections[s].name);
        print_wrapped(out, lc_deck_sections[s].doc, 2, 100);
        fputc('\n', out);
        for (int k = 0; k < lc_deck_schema_count; k++) {
            const lc_deck_key *key = &lc_deck_schema[k];
            if (strcmp(key->section, lc_deck_sections[s].name) != 0) continue;
            char allowed[256];
            describe_allowed(key, allowed, sizeof allowed);
            const char *joint = key->type == LC_DECK_CHOICE ? ": " : key->type == LC_DECK_BOOL ? "" : " in ";
            fprintf(out, "  %-22s %s%s%s; default %s\n", key->key, type_names[key->type], allowed[0] ? joint : "",
                    key->type == LC_DECK_BOOL ? "" : allowed,
                    key->default_value[0] ? key->default_value : "(empty)");
            print_wrapped(out, key->doc, 6, 100);
        }
    }
}

/* A Markdown table cell: '|' would end it. */
static void print_cell(FILE *out, const char *text) {
    for (; *text; text++) {
        if (*text == '|') fputc('\\', out);
        fputc(*text, out);
    }
}

void lc_deck_print_markdown(FILE *out) {
    for (int s = 0; s < lc_deck_section_count; s++) {
        fprintf(out, "%s### [%s]\n\n%s\n\n", s ? "\n" : "", lc_deck_sections[s].name, lc_deck_sections[s].doc);
        fprintf(out, "| key | type | default | allowed | what it does |\n|---|---|---|---|---|\n");
        for (int k = 0; k < lc_deck_schema_count; k++) {
            const lc_deck_key *key = &lc_deck_schema[k];
            if (strcmp(key->section, lc_deck_sections[s].name) != 0) continue;
            char allowed[256];
            describe_allowed(key, allowed, sizeof allowed);
            fprintf(out, "| `%s` | %s | ", key->key, type_names[key->type]);
            if (key->default_value[0]) fprintf(out, "`%s` | ", key->default_value);
            else fputs("(empty) | ", out);
            print_cell(out, allowed);
            fputs(" | ", out);
            print_cell(out, key->doc);
            fputs(" |\n", out);
        }
    }
}
