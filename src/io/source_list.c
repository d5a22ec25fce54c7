#include "source_list.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { MAX_FIELDS = 256 };

static void append(lc_source_list *list, const char *path, long long id, double energy, long line) {
    list->items = lc_realloc(list->items, sizeof *list->items * (size_t)(list->count + 1));
    lc_source *s = &list->items[list->count++];
    snprintf(s->path, sizeof s->path, "%s", path);
    s->id = id;
    s->energy = energy;
    s->line = line;
}

/* dir of `file` joined with `relative` (unless it is absolute). */
static void join_relative(const char *file, const char *relative, char *out, size_t size) {
    const char *slash = strrchr(file, '/');
    if (relative[0] == '/' || !slash) snprintf(out, size, "%s", relative);
    else snprintf(out, size, "%.*s/%s", (int)(slash - file), file, relative);
}

static int is_structure_file(const char *name) {
    const char *dot = strrchr(name, '.');
    if (strncmp(name, "POSCAR", 6) == 0 || strncmp(name, "CONTCAR", 7) == 0) return 1;
    return dot && (strcmp(dot, ".cif") == 0 || strcmp(dot, ".vasp") == 0 || strcmp(dot, ".poscar") == 0);
}

static int compare_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int load_folder(const char *folder, lc_source_list *out, lc_error *err) {
    DIR *dir = opendir(folder);
    if (!dir) return lc_error_set(err, folder, 0, "cannot open the folder");
    char **names = NULL;
    int n = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        if (e->d_name[0] == '.' || !is_structure_file(e->d_name)) continue;
        names = lc_realloc(names, sizeof *names * (size_t)(n + 1));
        names[n++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, (size_t)n, sizeof *names, compare_names);
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", folder, names[i]);
        append(out, path, i + 1, NAN, 0);
        free(names[i]);
    }
    free(names);
    return n ? 0 : lc_error_set(err, folder, 0, "no structure files (.cif, .vasp, POSCAR) in the folder");
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = '\0';
    return s;
}

static int load_list(const char *list_path, FILE *f, lc_source_list *out, lc_error *err) {
    char *line = NULL;
    size_t capacity = 0;
    long number = 0;
    while (getline(&line, &capacity, f) >= 0) {
        number++;
        char *entry = trim(line);
        if (!entry[0] || entry[0] == '#') continue;
        char path[1024];
        join_relative(list_path, entry, path, sizeof path);
        append(out, path, out->count + 1, NAN, number);
    }
    free(line);
    return out->count ? 0 : lc_error_set(err, list_path, 0, "lists no structure files");
}

/* Splits one CSV record in place (RFC 4180 quoting); returns the field count or -1 for an unclosed quote. */
static int split_csv(char *line, char **fields) {
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == MAX_FIELDS) return -1;
        char *out = p;
        fields[n++] = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0') return -1;
                if (*p == '"' && p[1] == '"') *out++ = '"', p += 2;
                else if (*p == '"') { p++; break; }
                else *out++ = *p++;
            }
            while (*p && *p != ',') p++;
        } else {
            while (*p && *p != ',') *out++ = *p++;
        }
        char separator = *p;
        *out = '\0';
        if (separator != ',') break;
        p++;
    }
    for (int i = 0; i < n; i++) fields[i] = trim(fields[i]);
    return n;
}

static int column_index(char **header, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(header[i], name) == 0) return i;
    return -1;
}

static int load_csv(const char *csv_path, FILE *f, const char *file_column, const char *id_column,
                    const char *energy_column, lc_source_list *out, lc_error *err) {
    char *line = NULL, *header_line = NULL;
    size_t capacity = 0;
    long number = 1;
    int status = 0;
    if (getline(&header_line, &capacity, f) < 0) {
        free(header_line);
        return lc_error_set(err, csv_path, 1, "empty file, expected a header line");
    }
    char *header[MAX_FIELDS];
    int n_header = split_csv(header_line, header);
    int file_at = n_header > 0 ? column_index(header, n_header, file_column) : -1;
    int id_at = id_column[0] && n_header > 0 ? column_index(header, n_header, id_column) : -1;
    int energy_at = energy_column[0] && n_header > 0 ? column_index(header, n_header, energy_column) : -1;
    if (n_header < 0) status = lc_error_set(err, csv_path, 1, "header: unclosed quote or too many columns");
    else if (file_at < 0) status = lc_error_set(err, csv_path, 1, "no column '%s' in the header", file_column);
    else if (id_column[0] && id_at < 0) status = lc_error_set(err, csv_path, 1, "no column '%s' in the header", id_column);
    else if (energy_column[0] && energy_at < 0)
        status = lc_error_set(err, csv_path, 1, "no column '%s' in the header", energy_column);
    capacity = 0;
    while (status == 0 && getline(&line, &capacity, f) >= 0) {
        number++;
        if (!trim(line)[0]) continue;
        char *fields[MAX_FIELDS];
        int n = split_csv(line, fields);
        if (n < 0) {
            status = lc_error_set(err, csv_path, number, "unclosed quote or too many columns");
            break;
        }
        if (n != n_header) {
            status = lc_error_set(err, csv_path, number, "%d fields, the header has %d", n, n_header);
            break;
        }
        long long id = out->count + 1;
        if (id_at >= 0) {
            char *end = NULL;
            id = strtoll(fields[id_at], &end, 10);
            if (end == fields[id_at] || *end) {
                status = lc_error_set(err, csv_path, number, "column %s: '%s' is not an integer id", id_column,
                                      fields[id_at]);
                break;
            }
        }
        double energy = NAN;
        if (energy_at >= 0) {
            char *end = NULL;
            energy = strtod(fields[energy_at], &end);
            if (end == fields[energy_at] || *end || !isfinite(energy)) {
                status = lc_error_set(err, csv_path, number, "column %s: '%s' is not a number", energy_column,
                                      fields[energy_at]);
                break;
            }
        }
        if (!fields[file_at][0]) {
            status = lc_error_set(err, csv_path, number, "column %s is empty", file_column);
            break;
        }
        char path[1024];
        join_relative(csv_path, fields[file_at], path, sizeof path);
        append(out, path, id, energy, number);
    }
    free(line);
    free(header_line);
    if (status == 0 && out->count == 0) status = lc_error_set(err, csv_path, 0, "no structures listed");
    return status;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int lc_source_list_load(const char *source, const char *type, const char *file_column, const char *id_column,
                        const char *energy_column, lc_source_list *out, lc_error *err) {
    memset(out, 0, sizeof *out);
    snprintf(out->origin, sizeof out->origin, "%s", source);
    if (!source || !source[0]) return lc_error_set(err, "prepare.source", 0, "no source given");
    struct stat info;
    if (stat(source, &info) != 0) return lc_error_set(err, source, 0, "no such file or folder");
    int folder = S_ISDIR(info.st_mode);
    if (strcmp(type, "folder") == 0 || (strcmp(type, "auto") == 0 && folder)) {
        if (!folder) return lc_error_set(err, source, 0, "not a folder");
        return load_folder(source, out, err);
    }
    if (folder) return lc_error_set(err, source, 0, "is a folder, not a %s", type);
    FILE *f = fopen(source, "r");
    if (!f) return lc_error_set(err, source, 0, "cannot open");
    int is_csv = strcmp(type, "csv") == 0 || (strcmp(type, "auto") == 0 && ends_with(source, ".csv"));
    int status = is_csv ? load_csv(source, f, file_column, id_column, energy_column, out, err)
                        : load_list(source, f, out, err);
    fclose(f);
    if (status != 0) lc_source_list_free(out);
    return status;
}

void lc_source_list_free(lc_source_list *list) {
    free(list->items);
    list->items = NULL;
    list->count = 0;
}
