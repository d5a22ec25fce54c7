#include "element.h"

#include <string.h>

/* Index z - 1 holds element z. Generated from ASE by scripts/gen_element_table.py: never edit by hand. */
static const lc_element element_table[LC_MAX_Z] = {
#include "element_table.inc"
};

const lc_element *lc_element_by_z(int z) {
    if (z < 1 || z > LC_MAX_Z) return NULL;
    return &element_table[z - 1];
}

static char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

int lc_element_z_from_symbol(const char *symbol, int len) {
    if (!symbol) return 0;
    size_t n = len < 0 ? strlen(symbol) : strnlen(symbol, (size_t)len);
    /* Symbols have one to three letters; anything longer cannot match, and checking here keeps the loop short. */
    if (n == 0 || n > 3) return 0;
    for (int z = 1; z <= LC_MAX_Z; z++) {
        const char *known = element_table[z - 1].symbol;
        size_t k = 0;
        while (k < n && known[k] && ascii_lower(known[k]) == ascii_lower(symbol[k])) k++;
        if (k == n && known[k] == '\0') return z;
    }
    return 0;
}
