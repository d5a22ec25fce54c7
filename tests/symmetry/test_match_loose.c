/* The loose matcher (LEGO-Cryst's dedup tolerances) against pymatgen's StructureMatcher(ltol=0.2, stol=0.3,
 * angle_tol=5, primitive_cell=True, scale=True) on the pairs of tests/symmetry/dedup_pairs.txt
 * (scripts/dedup_pairs.py: carbon structures redescribed, as supercells, with noise, strained, and different
 * crystals of similar density). Agreement must reach 99 %; every disagreement is listed. Also checks both
 * directions agree with each other as often, and that the strict defaults are untouched by the new fields. */
#include <string.h>

#include "symmetry/match.h"
#include "test.h"

static int read_cell(FILE *f, lc_structure *s) {
    int n;
    if (fscanf(f, " cell %d", &n) != 1 || n < 0 || n > 100000) return -1;
    lc_structure_init(s, n);
    for (int i = 0; i < 3; i++)
        if (fscanf(f, "%lf %lf %lf", &s->lattice[i][0], &s->lattice[i][1], &s->lattice[i][2]) != 3) return -1;
    for (int i = 0; i < n; i++)
        if (fscanf(f, "%d %lf %lf %lf", &s->species[i], &s->frac[i][0], &s->frac[i][1], &s->frac[i][2]) != 4)
            return -1;
    return 0;
}

int main(void) {
    lc_match_options strict = lc_match_default_options(), loose = lc_match_loose_options();
    CHECK(strict.loose == 0 && strict.scale == 0 && strict.site_tolerance == 1e-3);
    CHECK(loose.loose && loose.scale && loose.site_tolerance == 0.3 && loose.length_tolerance == 0.2 &&
          loose.angle_tolerance == 5);
    const char *path = LEGOCRYST_SOURCE_DIR "/tests/symmetry/dedup_pairs.txt";
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("skipped: %s not found (scripts/dedup_pairs.py writes it)\n", path);
        return 77;
    }
    char line[512];
    int pairs = 0, agree = 0, symmetric = 0, pymatgen_matches = 0, matches = 0, same = 0, same_found = 0;
    while (fgets(line, sizeof line, f)) {
        char name[256], kind[32];
        int pymatgen;
        if (line[0] == '#' || line[0] == '\n') continue;
        if (sscanf(line, "pair %255s %31s %d", name, kind, &pymatgen) != 3) {
            CHECK_MSG(0, "%s: unexpected line %s", path, line);
            break;
        }
        lc_structure a = {0}, b = {0};
        int ok = read_cell(f, &a) == 0 && read_cell(f, &b) == 0;
        CHECK_MSG(ok, "%s: pair %s unreadable", path, name);
        if (!ok) {
            lc_structure_free(&a), lc_structure_free(&b);
            break;
        }
        int ab = lc_structure_match(&a, &b, &loose, NULL), ba = lc_structure_match(&b, &a, &loose, NULL);
        pairs++;
        agree += ab == pymatgen;
        symmetric += ab == ba;
        pymatgen_matches += pymatgen;
        matches += ab;
        /* exact redescriptions are the same crystal whatever the tolerances: no room for disagreement */
        if (strcmp(kind, "same") == 0 || strcmp(kind, "super") == 0) {
            same++, same_found += ab;
            CHECK_MSG(ab && ba, "%s: %s pair not matched (%d/%d)", name, kind, ab, ba);
        }
        if (ab != pymatgen) printf("  disagree: %-40s %-6s legocryst %d (reverse %d), pymatgen %d\n", name, kind, ab,
                                   ba, pymatgen);
        lc_structure_free(&a), lc_structure_free(&b);
    }
    fclose(f);
    double agreement = pairs ? (double)agree / pairs : 0;
    printf("loose matcher vs pymatgen: %d pairs, agreement %.4f (%d/%d); pymatgen matches %d, legocryst %d; "
           "symmetric %d/%d; redescriptions matched %d/%d\n",
           pairs, agreement, agree, pairs, pymatgen_matches, matches, symmetric, pairs, same_found, same);
    CHECK_MSG(pairs >= 200, "only %d pairs", pairs);
    CHECK_MSG(agreement >= 0.99, "agreement %.4f below 0.99", agreement);
    return test_summary();
}
