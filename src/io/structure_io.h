/* Reading and writing crystal structure files: CIF (read; write P1), POSCAR (VASP 5; read and write) and
 * extended XYZ (write). See docs/file-formats.md for the conventions and the errors reported. */
#ifndef LEGOCRYST_IO_STRUCTURE_IO_H
#define LEGOCRYST_IO_STRUCTURE_IO_H

#include <stddef.h>

#include "core/error.h"
#include "core/structure.h"

typedef enum { LC_FORMAT_AUTO, LC_FORMAT_CIF, LC_FORMAT_POSCAR, LC_FORMAT_EXTXYZ } lc_file_format;

/* The structures of one file (a CIF may hold several data blocks). */
typedef struct {
    int count;
    lc_structure *items;
    int *declared_spacegroup;    /* [count] International Tables number the file declares; 0 when none */
    char (*declared_symbol)[32]; /* [count] Hermann-Mauguin symbol the file declares; "" when none */
} lc_structure_list;

/* Reads every structure of the file at path (block_name != NULL: only the CIF data block of that name,
 * case-insensitive). LC_FORMAT_AUTO guesses from the file name, then from the content. Returns 0, or -1 with
 * "FILE:LINE: what is wrong" in err; out is empty after a failure. */
int lc_structure_list_read(const char *path, lc_file_format format, const char *block_name, lc_structure_list *out,
                           lc_error *err);
/* The same from size bytes in memory; display_name stands for the file name in messages. */
int lc_structure_list_read_buffer(const char *data, size_t size, const char *display_name, lc_file_format format,
                                  const char *block_name, lc_structure_list *out, lc_error *err);
void lc_structure_list_free(lc_structure_list *list);

/* Writes s as a P1 CIF, a POSCAR or an extended XYZ file (LC_FORMAT_AUTO: from the extension). The file appears
 * under its name only when complete (it is written as PATH.partial and renamed). Returns 0 or -1 with err set. */
int lc_structure_write(const char *path, lc_file_format format, const lc_structure *s, lc_error *err);

/* .cif -> CIF; POSCAR*, CONTCAR*, .vasp, .poscar -> POSCAR; .xyz, .extxyz -> EXTXYZ; otherwise LC_FORMAT_AUTO
 * (meaning: cannot tell). Case-insensitive. */
lc_file_format lc_file_format_guess(const char *path);

#endif
