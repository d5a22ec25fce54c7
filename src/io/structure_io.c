/* Entry points of src/io: format choice, whole-file reading, the structure list, and output files that appear
 * only when complete. */
#include "structure_io.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cif_write.h"
#include "core/element.h"
#include "core/lattice.h"
#include "io_internal.h"

/* Files larger than this are not structure files anyone means to read whole. */
#define LC_IO_MAX_FILE_BYTES ((size_t)1 << 31)

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    if (m > n) return 0;
    for (size_t i = 0; i < m; i++)
        if (lower(s[n - m + i]) != suffix[i]) return 0;
    return 1;
}

static int starts_with(const char *s, const char *prefix) {
    for (; *prefix; s++, prefix++)
        if (lower(*s) != *prefix) return 0;
    return 1;
}

lc_file_format lc_file_format_guess(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (ends_with(base, ".cif")) return LC_FORMAT_CIF;
    if (ends_with(base, ".xyz") || ends_with(base, ".extxyz")) return LC_FORMAT_EXTXYZ;
    if (ends_with(base, ".vasp") || ends_with(base, ".poscar") || starts_with(base, "poscar") ||
        starts_with(base, "contcar"))
        return LC_FORMAT_POSCAR;
    return LC_FORMAT_AUTO;
}

/* A CIF starts (after blank and comment lines) with data_; anything else is taken for a POSCAR. */
static lc_file_format sniff(const char *data, size_t size) {
    size_t i = 0;
    while (i < size) {
        if (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') i++;
        else if (data[i] == '#') {
            while (i < size && data[i] != '\n') i++;
        } else break;
    }
    if (i + 5 <= size && lower(data[i]) == 'd' && lower(data[i + 1]) == 'a' && lower(data[i + 2]) == 't' &&
        lower(data[i + 3]) == 'a' && data[i + 4] == '_')
        return LC_FORMAT_CIF;
    return LC_FORMAT_POSCAR;
}

void lc_structure_list_push(lc_structure_list *list, lc_structure *s, int declared_spacegroup, const char *symbol) {
    size_t n = (size_t)list->count + 1;
    list->items = lc_realloc(list->items, n * sizeof *list->items);
    list->declared_spacegroup = lc_realloc(list->declared_spacegroup, n * sizeof *list->declared_spacegroup);
    list->declared_symbol = lc_realloc(list->declared_symbol, n * sizeof *list->declared_symbol);
    list->items[n - 1] = *s;
    list->declared_spacegroup[n - 1] = declared_spacegroup;
    snprintf(list->declared_symbol[n - 1], sizeof list->declared_symbol[n - 1], "%s", symbol ? symbol : "");
    list->count = (int)n;
    memset(s, 0, sizeof *s);
}

void lc_structure_list_free(lc_structure_list *list) {
    for (int i = 0; i < list->count; i++) lc_structure_free(&list->items[i]);
    free(list->items);
    free(list->declared_spacegroup);
    free(list->declared_symbol);
    memset(list, 0, sizeof *list);
}

int lc_structure_list_read_buffer(const char *data, size_t size, const char *display_name, lc_file_format format,
                                  const char *block_name, lc_structure_list *out, lc_error *err) {
    memset(out, 0, sizeof *out);
    const char *name = display_name ? display_name : "<buffer>";
    if (format == LC_FORMAT_AUTO) format = display_name ? lc_file_format_guess(display_name) : LC_FORMAT_AUTO;
    if (format == LC_FORMAT_AUTO) format = sniff(data, size);
    switch (format) {
    case LC_FORMAT_CIF: return lc_cif_read_buffer(data, size, name, block_name, out, err);
    case LC_FORMAT_POSCAR:
        if (block_name) return lc_error_set(err, name, 0, "a POSCAR has no data blocks to choose from");
        return lc_poscar_read_buffer(data, size, name, out, err);
    case LC_FORMAT_EXTXYZ:
        return lc_error_set(err, name, 0, "reading extended XYZ is not supported (legocryst writes it for viewers)");
    default: return lc_error_set(err, name, 0, "unknown file format");
    }
}

int lc_structure_list_read(const char *path, lc_file_format format, const char *block_name, lc_structure_list *out,
                           lc_error *err) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) return lc_error_set(err, path, 0, "cannot open: %s", strerror(errno));
    size_t capacity = 1 << 16, size = 0;
    char *data = lc_malloc(capacity);
    for (;;) {
        size_t got = fread(data + size, 1, capacity - size, f);
        size += got;
        if (got == 0) break;
        if (size == capacity) {
            if (capacity >= LC_IO_MAX_FILE_BYTES) {
                fclose(f);
                free(data);
                return lc_error_set(err, path, 0, "file larger than %zu bytes", LC_IO_MAX_FILE_BYTES);
            }
            capacity *= 2;
            data = lc_realloc(data, capacity);
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(data);
        return lc_error_set(err, path, 0, "read error");
    }
    int status = lc_structure_list_read_buffer(data, size, path, format, block_name, out, err);
    free(data);
    return status;
}

/* ---- Writing ------------------------------------------------------------------------------------------------- */

int lc_structure_check_writable(const lc_structure *s, const char *path, lc_error *err) {
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (!isfinite(s->lattice[i][j])) return lc_error_set(err, path, 0, "lattice has a non-finite entry");
    if (!(fabs(lc_lattice_volume(s->lattice)) > 1e-9))
        return lc_error_set(err, path, 0, "lattice volume %g: the cell is flat", lc_lattice_volume(s->lattice));
    if (s->n_atoms < 0) return lc_error_set(err, path, 0, "negative atom count");
    for (int k = 0; k < s->n_atoms; k++) {
        if (!lc_element_by_z(s->species[k]))
            return lc_error_set(err, path, 0, "atom %d has unknown atomic number %d", k + 1, s->species[k]);
        for (int i = 0; i < 3; i++)
            if (!isfinite(s->frac[k][i]))
                return lc_error_set(err, path, 0, "atom %d has a non-finite coordinate", k + 1);
    }
    return 0;
}

int lc_structure_write(const char *path, lc_file_format format, const lc_structure *s, lc_error *err) {
    if (format == LC_FORMAT_AUTO) format = lc_file_format_guess(path);
    switch (format) {
    case LC_FORMAT_CIF: return lc_cif_write_p1(path, s, err);
    case LC_FORMAT_POSCAR: return lc_poscar_write(path, s, err);
    case LC_FORMAT_EXTXYZ: return lc_extxyz_write(path, s, err);
    default:
        return lc_error_set(err, path, 0,
                            "cannot tell the format from the name (use .cif, .vasp/POSCAR or .xyz, or name one)");
    }
}

int lc_output_open(lc_output *out, const char *path, lc_error *err) {
    memset(out, 0, sizeof *out);
    if (strlen(path) >= sizeof out->final_path) return lc_error_set(err, path, 0, "path too long");
    snprintf(out->final_path, sizeof out->final_path, "%s", path);
    snprintf(out->partial_path, sizeof out->partial_path, "%s.partial", path);
    struct stat info;
    if (stat(path, &info) == 0 && S_ISDIR(info.st_mode)) return lc_error_set(err, path, 0, "is a folder");
    out->file = fopen(out->partial_path, "w");
    if (!out->file) return lc_error_set(err, path, 0, "cannot create %s: %s", out->partial_path, strerror(errno));
    return 0;
}

int lc_output_commit(lc_output *out, lc_error *err) {
    int failed = ferror(out->file);
    if (fclose(out->file) != 0) failed = 1;
    out->file = NULL;
    if (failed) {
        int e = errno;
        remove(out->partial_path);
        return lc_error_set(err, out->final_path, 0, "writing %s failed: %s", out->partial_path, strerror(e));
    }
    if (rename(out->partial_path, out->final_path) != 0) {
        int e = errno;
        remove(out->partial_path);
        return lc_error_set(err, out->final_path, 0, "cannot rename %s: %s", out->partial_path, strerror(e));
    }
    return 0;
}

void lc_output_abandon(lc_output *out) {
    if (out->file) fclose(out->file);
    out->file = NULL;
    remove(out->partial_path);
}
