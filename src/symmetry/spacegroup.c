#include "spacegroup.h"

#include <spglib.h>
#include <string.h>

/* spglib 2.0 has no public number -> Hall map: scan the 530 settings once and keep the first of each type. */
static int standard_hall_numbers[231];

static void build_hall_map(void) {
    if (standard_hall_numbers[1]) return;
    for (int hall = 1; hall <= 530; hall++) {
        SpglibSpacegroupType type = spg_get_spacegroup_type(hall);
        if (type.number >= 1 && type.number <= 230 && !standard_hall_numbers[type.number])
            standard_hall_numbers[type.number] = hall;
    }
}

int lc_spacegroup_hall_number(int number) {
    if (number < 1 || number > 230) return 0;
    build_hall_map();
    return standard_hall_numbers[number];
}

static const char *crystal_system_of(int number) {
    if (number <= 2) return "triclinic";
    if (number <= 15) return "monoclinic";
    if (number <= 74) return "orthorhombic";
    if (number <= 142) return "tetragonal";
    if (number <= 167) return "trigonal";
    if (number <= 194) return "hexagonal";
    return "cubic";
}

static void copy_trimmed(char *dst, size_t size, const char *src) {
    size_t n = strlen(src);
    while (n > 0 && src[n - 1] == ' ') n--;
    if (n >= size) n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

int lc_spacegroup_info(int number, lc_spacegroup *info) {
    int hall = lc_spacegroup_hall_number(number);
    if (!hall) return -1;
    SpglibSpacegroupType type = spg_get_spacegroup_type(hall);
    memset(info, 0, sizeof *info);
    info->number = number;
    info->hall_number = hall;
    copy_trimmed(info->symbol, sizeof info->symbol, type.international_short);
    copy_trimmed(info->full_symbol, sizeof info->full_symbol, type.international_full);
    copy_trimmed(info->choice, sizeof info->choice, type.choice);
    copy_trimmed(info->crystal_system, sizeof info->crystal_system, crystal_system_of(number));
    return 0;
}

int lc_spacegroup_operations(int number, int rotations[LC_MAX_OPERATIONS][3][3],
                             double translations[LC_MAX_OPERATIONS][3]) {
    int hall = lc_spacegroup_hall_number(number);
    if (!hall) return 0;
    return spg_get_symmetry_from_database(rotations, translations, hall);
}
