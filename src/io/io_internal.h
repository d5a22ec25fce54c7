/* Shared between the files of src/io only. */
#ifndef LEGOCRYST_IO_INTERNAL_H
#define LEGOCRYST_IO_INTERNAL_H

#include <stdio.h>

#include "structure_io.h"

/* Hard limits that turn absurd input into an error instead of an allocation failure or a long hang. */
enum {
    LC_IO_MAX_ATOMS = 10000000,   /* atoms in one structure */
    LC_IO_MAX_OPERATIONS = 384, /* symmetry operations in one CIF block (standard settings need at most 192) */
};

/* Appends s (taken over: the list owns its arrays afterwards). */
void lc_structure_list_push(lc_structure_list *list, lc_structure *s, int declared_spacegroup, const char *symbol);

int lc_cif_read_buffer(const char *data, size_t size, const char *name, const char *block_name,
                       lc_structure_list *out, lc_error *err);
int lc_poscar_read_buffer(const char *data, size_t size, const char *name, lc_structure_list *out, lc_error *err);

int lc_poscar_write(const char *path, const lc_structure *s, lc_error *err);
int lc_extxyz_write(const char *path, const lc_structure *s, lc_error *err);

/* Output that appears under its final name only when complete: PATH.partial is written, then renamed. */
typedef struct {
    FILE *file;
    char final_path[4096];
    char partial_path[4112];
} lc_output;

int lc_output_open(lc_output *out, const char *path, lc_error *err);
/* Closes and renames; on any write error removes the partial file and returns -1. */
int lc_output_commit(lc_output *out, lc_error *err);
/* Gives up: closes and removes the partial file. */
void lc_output_abandon(lc_output *out);

/* Checks a structure before writing: finite non-flat lattice (either hand), known species, finite coordinates. */
int lc_structure_check_writable(const lc_structure *s, const char *path, lc_error *err);

#endif
