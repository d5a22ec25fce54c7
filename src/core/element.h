/* Periodic table: symbols, atomic numbers, standard atomic masses and covalent radii (Cordero et al. 2008). */
#ifndef LEGOCRYST_CORE_ELEMENT_H
#define LEGOCRYST_CORE_ELEMENT_H

enum { LC_MAX_Z = 118 };

typedef struct {
    int z;
    const char *symbol;
    double mass;             /* g/mol */
    double covalent_radius;  /* Angstrom */
} lc_element;

/* Element with atomic number z (1..LC_MAX_Z), or NULL. */
const lc_element *lc_element_by_z(int z);
/* Z of a symbol, case-insensitive ("C", "c", "Ca"); 0 when unknown. Reads only the first len characters
 * (len < 0: up to the end of the string). */
int lc_element_z_from_symbol(const char *symbol, int len);

#endif
