/* What every reader result must satisfy, whatever the input: either structures that make sense, or an error of
 * the form "NAME:LINE: what". Violations abort so libFuzzer records the input. */
#ifndef LEGOCRYST_FUZZ_CHECK_H
#define LEGOCRYST_FUZZ_CHECK_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/element.h"
#include "core/lattice.h"
#include "io/structure_io.h"

static void fuzz_check_result(int status, lc_structure_list *list, const lc_error *err, const char *name) {
    if (status != 0) {
        size_t n = strlen(name);
        const char *m = err->message;
        if (strncmp(m, name, n) != 0 || m[n] != ':' || m[n + 1] < '1' || m[n + 1] > '9') abort();
        if (list->count != 0 || list->items != NULL) abort();
        return;
    }
    if (list->count < 1) abort();
    for (int i = 0; i < list->count; i++) {
        const lc_structure *s = &list->items[i];
        double v = lc_lattice_volume(s->lattice);
        if (!isfinite(v) || fabs(v) < 1e-9 || s->n_atoms < 1) abort();
        for (int k = 0; k < s->n_atoms; k++) {
            if (!lc_element_by_z(s->species[k])) abort();
            for (int j = 0; j < 3; j++)
                if (!(s->frac[k][j] >= 0 && s->frac[k][j] < 1)) abort();
        }
        if (list->declared_spacegroup[i] < 0 || list->declared_spacegroup[i] > 230) abort();
        if (strlen(list->declared_symbol[i]) >= 32) abort();
    }
    lc_structure_list_free(list);
}

#endif
