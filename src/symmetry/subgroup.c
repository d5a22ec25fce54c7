/* Maximal subgroups from a space group's operations.
 *
 * Modulo the lattice of its conventional cell a space group is a finite group of at most 192 elements
 * (operations with translations in units of 1/24). Same-cell subgroups are found as the whole subgroup lattice:
 * start from the cyclic subgroups and join subgroups with cyclic ones until nothing new appears; the maximal ones
 * are the proper subgroups contained in no other proper subgroup. Subgroups of a doubled cell: G written on the
 * doubled cell has each operation twice (with and without the lost lattice translation); a subgroup of index 2
 * that keeps the point group picks one of each pair, which is fixed by choosing one for each generator of G and
 * checking that the closure does not grow. */
#include "subgroup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

enum { GRID = 48, WORDS = (LC_MAX_SUBGROUP_OPERATIONS + 63) / 64 };

typedef struct {
    int rotation[3][3];
    int shift[3]; /* translation in units of 1/GRID, wrapped to [0, GRID) */
} element;

typedef struct {
    int n;
    element *elements;
    int *product; /* n x n Cayley table */
} finite_group;

typedef struct {
    uint64_t bits[WORDS];
} bitset;

static int bit_test(const bitset *s, int i) { return (int)((s->bits[i >> 6] >> (i & 63)) & 1u); }
static void bit_set(bitset *s, int i) { s->bits[i >> 6] |= (uint64_t)1 << (i & 63); }
static int bit_count(const bitset *s) {
    int c = 0;
    for (int w = 0; w < WORDS; w++) c += __builtin_popcountll(s->bits[w]);
    return c;
}
static int bit_subset(const bitset *a, const bitset *b) { /* a within b */
    for (int w = 0; w < WORDS; w++)
        if (a->bits[w] & ~b->bits[w]) return 0;
    return 1;
}
static int bit_equal(const bitset *a, const bitset *b) { return memcmp(a->bits, b->bits, sizeof a->bits) == 0; }

static int wrap(int v) { return ((v % GRID) + GRID) % GRID; }

static element compose(const element *a, const element *b) { /* a after b */
    element c;
    for (int i = 0; i < 3; i++) {
        int t = a->shift[i];
        for (int j = 0; j < 3; j++) {
            c.rotation[i][j] = 0;
            for (int k = 0; k < 3; k++) c.rotation[i][j] += a->rotation[i][k] * b->rotation[k][j];
            t += a->rotation[i][j] * b->shift[j];
        }
        c.shift[i] = wrap(t);
    }
    return c;
}

static int find_element(const finite_group *g, const element *e) {
    for (int i = 0; i < g->n; i++)
        if (memcmp(&g->elements[i], e, sizeof *e) == 0) return i;
    return -1;
}

static void build_product_table(finite_group *g, int number) {
    g->product = lc_malloc(sizeof(int) * (size_t)g->n * (size_t)g->n);
    for (int a = 0; a < g->n; a++)
        for (int b = 0; b < g->n; b++) {
            element c = compose(&g->elements[a], &g->elements[b]);
            int index = find_element(g, &c);
            if (index < 0) lc_fatal("space group %d: operations are not closed under composition", number);
            g->product[a * g->n + b] = index;
        }
}

/* Smallest subgroup containing the generators. */
static bitset closure(const finite_group *g, const int *generators, int n_generators) {
    bitset s;
    memset(&s, 0, sizeof s);
    int queue[LC_MAX_SUBGROUP_OPERATIONS], head = 0, tail = 0;
    queue[tail++] = 0; /* identity is element 0 */
    bit_set(&s, 0);
    while (head < tail) {
        int e = queue[head++];
        for (int k = 0; k < n_generators; k++) {
            int p = g->product[e * g->n + generators[k]];
            if (!bit_test(&s, p)) {
                bit_set(&s, p);
                queue[tail++] = p;
            }
        }
    }
    return s;
}

typedef struct {
    bitset members;
    int generators[8];
    int n_generators;
} subgroup_entry;

static int find_subgroup(const subgroup_entry *list, int count, const bitset *s) {
    for (int i = 0; i < count; i++)
        if (bit_equal(&list[i].members, s)) return i;
    return -1;
}

static void append_subgroup(lc_subgroup_list *out, const finite_group *g, const bitset *members, char kind,
                            int index, const int supercell[3]) {
    out->items = lc_realloc(out->items, sizeof *out->items * (size_t)(out->count + 1));
    lc_subgroup *h = &out->items[out->count++];
    h->kind = kind;
    h->index = index;
    memcpy(h->supercell, supercell, sizeof h->supercell);
    h->n_operations = bit_count(members);
    h->rotations = lc_malloc(sizeof *h->rotations * (size_t)h->n_operations);
    h->translations = lc_malloc(sizeof *h->translations * (size_t)h->n_operations);
    int k = 0;
    for (int e = 0; e < g->n; e++) {
        if (!bit_test(members, e)) continue;
        memcpy(h->rotations[k], g->elements[e].rotation, sizeof h->rotations[k]);
        for (int i = 0; i < 3; i++) h->translations[k][i] = g->elements[e].shift[i] / (double)GRID;
        k++;
    }
}

/* Number of distinct rotation parts: the order of the point group. */
static int point_group_order(const finite_group *g, const bitset *members) {
    int count = 0;
    for (int e = 0; e < g->n; e++) {
        if (!bit_test(members, e)) continue;
        int seen = 0;
        for (int f = 0; f < e && !seen; f++)
            seen = bit_test(members, f) && memcmp(g->elements[f].rotation, g->elements[e].rotation,
                                                 sizeof g->elements[e].rotation) == 0;
        count += !seen;
    }
    return count;
}

static void same_cell_subgroups(const finite_group *g, lc_subgroup_list *out) {
    int capacity = 256, count = 0;
    subgroup_entry *list = lc_malloc(sizeof *list * (size_t)capacity);
    bitset whole;
    memset(&whole, 0, sizeof whole);
    for (int e = 0; e < g->n; e++) bit_set(&whole, e);
    /* the trivial subgroup is maximal in groups of prime order (P-1 > P1) */
    list[count++] = (subgroup_entry){.members = closure(g, NULL, 0), .n_generators = 0};
    int n_cyclic = 0;
    int *cyclic_generator = lc_malloc(sizeof(int) * (size_t)g->n);
    for (int e = 1; e < g->n; e++) {
        bitset s = closure(g, &e, 1);
        if (bit_equal(&s, &whole) || find_subgroup(list, count, &s) >= 0) continue;
        if (count == capacity) list = lc_realloc(list, sizeof *list * (size_t)(capacity *= 2));
        list[count] = (subgroup_entry){.members = s, .n_generators = 1};
        list[count].generators[0] = e;
        count++;
        cyclic_generator[n_cyclic++] = e;
    }
    /* joins: every subgroup is generated by cyclic subgroups */
    for (int i = 0; i < count; i++) {
        if (list[i].n_generators == 8) continue;
        for (int c = 0; c < n_cyclic; c++) {
            int e = cyclic_generator[c];
            if (bit_test(&list[i].members, e)) continue;
            int generators[9];
            memcpy(generators, list[i].generators, sizeof(int) * (size_t)list[i].n_generators);
            generators[list[i].n_generators] = e;
            bitset s = closure(g, generators, list[i].n_generators + 1);
            if (bit_equal(&s, &whole) || find_subgroup(list, count, &s) >= 0) continue;
            if (count == capacity) list = lc_realloc(list, sizeof *list * (size_t)(capacity *= 2));
            list[count].members = s;
            list[count].n_generators = list[i].n_generators + 1;
            memcpy(list[count].generators, generators, sizeof(int) * (size_t)list[count].n_generators);
            count++;
        }
    }
    int order_g = point_group_order(g, &whole);
    int one_cell[3] = {1, 1, 1};
    for (int i = 0; i < count; i++) {
        int maximal = bit_count(&list[i].members) < g->n;
        for (int j = 0; j < count && maximal; j++)
            if (j != i && bit_count(&list[j].members) > bit_count(&list[i].members) &&
                bit_subset(&list[i].members, &list[j].members))
                maximal = 0;
        if (!maximal) continue;
        char kind = point_group_order(g, &list[i].members) == order_g ? 'k' : 't';
        append_subgroup(out, g, &list[i].members, kind, g->n / bit_count(&list[i].members), one_cell);
    }
    free(cyclic_generator);
    free(list);
}

/* G on the cell doubled along `axis`: each operation with and without the lost translation e_axis. */
static int doubled_cell_group(const finite_group *g, int axis, finite_group *big) {
    for (int e = 0; e < g->n; e++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                /* R' = D^-1 R D with D = diag(doubling): integral only when R does not mix the doubled axis in */
                if (i != j && (i == axis) != (j == axis) && g->elements[e].rotation[i][j] != 0) return -1;
    big->n = 2 * g->n;
    big->elements = lc_malloc(sizeof *big->elements * (size_t)big->n);
    for (int e = 0; e < g->n; e++)
        for (int lost = 0; lost < 2; lost++) {
            element *x = &big->elements[2 * e + lost];
            memcpy(x->rotation, g->elements[e].rotation, sizeof x->rotation);
            for (int i = 0; i < 3; i++) {
                int s = g->elements[e].shift[i] + (i == axis ? lost * GRID : 0);
                /* x' = x / 2 along the axis: translations halve; shifts are in units of 1/GRID of the old cell */
                x->shift[i] = i == axis ? wrap(s / 2) : s;
            }
        }
    return 0;
}

static void doubled_cell_subgroups(const finite_group *g, int number, lc_subgroup_list *out) {
    /* generators of G, chosen greedily */
    int generators[16] = {0}, n_generators = 0;
    bitset span = closure(g, generators, 0);
    for (int e = 1; e < g->n && bit_count(&span) < g->n; e++) {
        if (bit_test(&span, e)) continue;
        generators[n_generators++] = e;
        span = closure(g, generators, n_generators);
    }
    for (int axis = 0; axis < 3; axis++) {
        finite_group big = {0};
        if (doubled_cell_group(g, axis, &big) != 0) continue;
        for (int e = 0; e < g->n; e++)
            if (g->elements[e].shift[axis] % 2) lc_fatal("space group %d: odd shift on doubling", number);
        build_product_table(&big, number);
        bitset found[64];
        int n_found = 0;
        for (int choice = 0; choice < (1 << n_generators); choice++) {
            int lifted[16];
            for (int k = 0; k < n_generators; k++) lifted[k] = 2 * generators[k] + ((choice >> k) & 1);
            bitset s = closure(&big, lifted, n_generators);
            if (bit_count(&s) != g->n) continue; /* contains the lost translation */
            int seen = 0;
            for (int f = 0; f < n_found && !seen; f++) seen = bit_equal(&found[f], &s);
            if (seen || n_found == 64) continue;
            found[n_found++] = s;
            int cell[3] = {1, 1, 1};
            cell[axis] = 2;
            append_subgroup(out, &big, &s, 'k', 2, cell);
        }
        free(big.elements);
        free(big.product);
    }
}

static lc_subgroup_list *cached[231];

const lc_subgroup_list *lc_subgroups_maximal(int number) {
    if (number < 1 || number > 230) return NULL;
    if (cached[number]) return cached[number];
    int rotations[LC_MAX_OPERATIONS][3][3];
    double translations[LC_MAX_OPERATIONS][3];
    finite_group g = {0};
    g.n = lc_spacegroup_operations(number, rotations, translations);
    g.elements = lc_malloc(sizeof *g.elements * (size_t)g.n);
    for (int e = 0; e < g.n; e++) {
        memcpy(g.elements[e].rotation, rotations[e], sizeof rotations[e]);
        for (int i = 0; i < 3; i++) {
            double scaled = translations[e][i] * GRID;
            g.elements[e].shift[i] = wrap((int)(scaled + (scaled < 0 ? -0.5 : 0.5)));
        }
    }
    build_product_table(&g, number);
    lc_subgroup_list *out = lc_calloc(1, sizeof *out);
    same_cell_subgroups(&g, out);
    doubled_cell_subgroups(&g, number, out);
    free(g.elements);
    free(g.product);
    cached[number] = out;
    return out;
}

void lc_subgroups_release_all(void) {
    for (int n = 1; n <= 230; n++) {
        if (!cached[n]) continue;
        for (int i = 0; i < cached[n]->count; i++) {
            free(cached[n]->items[i].rotations);
            free(cached[n]->items[i].translations);
        }
        free(cached[n]->items);
        free(cached[n]);
        cached[n] = NULL;
    }
}
