#include "neighbor_list.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "lattice.h"

/* Sort key for one pair of the atom being processed; the pair's data stay in the scratch arrays. Distances are
 * non-negative, and the bit patterns of non-negative doubles order like the values, so keys compare as
 * integers (cheap, and branch-free where the compiler likes). */
typedef struct {
    uint64_t distance_bits;
    int entry;
} sort_key;

/* A run of consecutive bins along the last axis that share one lattice shift: their atoms are contiguous in the
 * binned arrays, so the innermost loop is one sweep however many bins the cutoff spans. */
typedef struct {
    int first_bin, last_bin, shift;
} bin_run;

/* Per-build scratch: the cell list, and the pairs of the atom being processed. */
typedef struct {
    double (*cart)[3];        /* [n_atoms] Cartesian position of the wrapped atom */
    int (*wrap_image)[3];     /* [n_atoms] floor(frac') T: the wrap of the reduced-cell coordinates frac' as a
                                 shift of the caller's cell */
    int (*bin_of)[3];         /* [n_atoms] bin coordinates */
    int *bin_start;           /* [n_bins + 1] atoms of bin b are binned_*[bin_start[b] .. bin_start[b+1]-1] */
    double (*binned_cart)[3]; /* [n_atoms] positions in bin order, so a bin's atoms are read contiguously */
    int *binned_atom;         /* [n_atoms] atom index in bin order (ascending within a bin) */
    int *pair_atom;           /* [entry_capacity] neighbour j */
    int (*pair_image)[3];     /* [entry_capacity] lattice shift in the caller's basis */
    double (*pair_vector)[3]; /* [entry_capacity] Cartesian vector i -> j */
    sort_key *keys, *key_buffer; /* [entry_capacity] */
    int *bucket_start;           /* [entry_capacity + 1] for the bucket pass of the sort */
    int entry_capacity;
    void *entry_block;           /* the one allocation the six arrays above live in */
} build_scratch;

void lc_neighbor_list_init(lc_neighbor_list *nl) { memset(nl, 0, sizeof *nl); }

void lc_neighbor_list_free(lc_neighbor_list *nl) {
    free(nl->offsets);
    free(nl->index);
    free(nl->image);
    free(nl->vector);
    free(nl->distance);
    memset(nl, 0, sizeof *nl);
}

static void reserve_pairs(lc_neighbor_list *nl, long needed) {
    if (needed <= nl->capacity) return;
    if (needed > 0x7fffffffL) lc_fatal("neighbour list: more than 2^31 pairs");
    long grown = 2L * nl->capacity;
    if (grown < needed) grown = needed;
    if (grown < 256) grown = 256;
    if (grown > 0x7fffffffL) grown = 0x7fffffffL;
    nl->capacity = (int)grown;
    nl->index = lc_realloc(nl->index, (size_t)grown * sizeof *nl->index);
    nl->image = lc_realloc(nl->image, (size_t)grown * sizeof *nl->image);
    nl->vector = lc_realloc(nl->vector, (size_t)grown * sizeof *nl->vector);
    nl->distance = lc_realloc(nl->distance, (size_t)grown * sizeof *nl->distance);
}

/* Offset of a piece of `bytes` placed after *used in a block, 16-byte aligned; advances *used. Lets one
 * allocation hold several arrays (fewer malloc calls per build, which matters for small cells). */
static size_t place(size_t *used, size_t bytes) {
    size_t at = (*used + 15) & ~(size_t)15;
    *used = at + bytes;
    return at;
}

/* Room for `needed` pairs of the current atom, keeping the first `kept` already found. */
static void reserve_entries(build_scratch *sc, long needed, int kept) {
    if (needed <= sc->entry_capacity) return;
    if (needed > 0x3fffffffL) lc_fatal("neighbour list: more than 2^30 neighbours of one atom");
    long grown = sc->entry_capacity ? 2L * sc->entry_capacity : 256;
    while (grown < needed) grown *= 2;
    size_t c = (size_t)grown, used = 0;
    size_t at_vector = place(&used, c * sizeof *sc->pair_vector), at_keys = place(&used, c * sizeof *sc->keys),
           at_buffer = place(&used, c * sizeof *sc->key_buffer), at_image = place(&used, c * sizeof *sc->pair_image),
           at_atom = place(&used, c * sizeof *sc->pair_atom),
           at_bucket = place(&used, (c + 1) * sizeof *sc->bucket_start);
    char *block = lc_malloc(used);
    double(*pair_vector)[3] = (double(*)[3])(block + at_vector);
    sort_key *keys = (sort_key *)(block + at_keys);
    int(*pair_image)[3] = (int(*)[3])(block + at_image);
    int *pair_atom = (int *)(block + at_atom);
    if (kept > 0) {
        memcpy(pair_vector, sc->pair_vector, (size_t)kept * sizeof *pair_vector);
        memcpy(keys, sc->keys, (size_t)kept * sizeof *keys);
        memcpy(pair_image, sc->pair_image, (size_t)kept * sizeof *pair_image);
        memcpy(pair_atom, sc->pair_atom, (size_t)kept * sizeof *pair_atom);
    }
    free(sc->entry_block);
    sc->entry_block = block;
    sc->pair_vector = pair_vector;
    sc->keys = keys;
    sc->key_buffer = (sort_key *)(block + at_buffer);
    sc->pair_image = pair_image;
    sc->pair_atom = pair_atom;
    sc->bucket_start = (int *)(block + at_bucket);
    sc->entry_capacity = (int)grown;
}

static void insertion_sort(sort_key *a, int n) {
    for (int k = 1; k < n; k++) {
        sort_key key = a[k];
        int m = k;
        for (; m > 0 && key.distance_bits < a[m - 1].distance_bits; m--) a[m] = a[m - 1];
        a[m] = key;
    }
}

/* Bottom-up merge sort over insertion-sorted runs of 32; stable, result in a. */
static void merge_sort(sort_key *a, sort_key *buffer, int n) {
    enum { RUN = 32 };
    for (int start = 0; start < n; start += RUN) insertion_sort(a + start, n - start < RUN ? n - start : RUN);
    sort_key *from = a, *to = buffer;
    for (int width = RUN; width < n; width *= 2) {
        for (int left = 0; left < n; left += 2 * width) {
            int mid = left + width < n ? left + width : n;
            int right = left + 2 * width < n ? left + 2 * width : n;
            int p = left, q = mid, out = left;
            while (p < mid && q < right)
                to[out++] = from[q].distance_bits < from[p].distance_bits ? from[q++] : from[p++];
            while (p < mid) to[out++] = from[p++];
            while (q < right) to[out++] = from[q++];
        }
        sort_key *t = from;
        from = to;
        to = t;
    }
    if (from != a) memcpy(a, from, (size_t)n * sizeof *a);
}

/* Sorts keys by distance (all within [0, cutoff]). Pairs are spread about evenly in (d / cutoff)^3, so a
 * counting pass into n buckets of that quantity leaves only a few keys out of place, and an insertion sort
 * finishes the job in about linear time with few mispredicted branches (a comparison sort of a few dozen keys
 * spends most of its time on those). Crowded buckets (many pairs at nearly one distance) fall back to a merge
 * sort, so the worst case stays n log n. Stable; the result is in keys. */
static void sort_by_distance(sort_key *keys, sort_key *buffer, int *bucket_start, int n, double cutoff) {
    if (n < 16) {
        insertion_sort(keys, n);
        return;
    }
    const double scale = n / (cutoff * cutoff * cutoff);
    memset(bucket_start, 0, ((size_t)n + 1) * sizeof *bucket_start);
    for (int k = 0; k < n; k++) {
        double d;
        memcpy(&d, &keys[k].distance_bits, sizeof d);
        int bucket = (int)(d * d * d * scale);
        bucket_start[(bucket < n ? bucket : n - 1) + 1]++;
    }
    int crowded = 0;
    for (int b = 0; b < n; b++) {
        crowded |= bucket_start[b + 1] > 64;
        bucket_start[b + 1] += bucket_start[b];
    }
    if (crowded) {
        merge_sort(keys, buffer, n);
        return;
    }
    for (int k = 0; k < n; k++) {
        double d;
        memcpy(&d, &keys[k].distance_bits, sizeof d);
        int bucket = (int)(d * d * d * scale);
        buffer[bucket_start[bucket < n ? bucket : n - 1]++] = keys[k];
    }
    insertion_sort(buffer, n);
    memcpy(keys, buffer, (size_t)n * sizeof *keys);
}

/* Neighbour index, then image: the order among pairs at exactly the same distance, so the output never depends
 * on the order the bins were visited in. */
static int tie_before(const build_scratch *sc, int a, int b) {
    if (sc->pair_atom[a] != sc->pair_atom[b]) return sc->pair_atom[a] < sc->pair_atom[b];
    for (int k = 0; k < 3; k++)
        if (sc->pair_image[a][k] != sc->pair_image[b][k]) return sc->pair_image[a][k] < sc->pair_image[b][k];
    return 0;
}

/* Sorts the keys by distance, then orders each run of equal distances (common only in symmetric cells). */
static void sort_keys(sort_key *keys, int n, double cutoff, const build_scratch *sc) {
    sort_by_distance(keys, sc->key_buffer, sc->bucket_start, n, cutoff);
    for (int first = 0; first < n;) {
        int end = first + 1;
        while (end < n && keys[end].distance_bits == keys[first].distance_bits) end++;
        for (int k = first + 1; k < end; k++) {
            sort_key key = keys[k];
            int m = k;
            for (; m > first && tie_before(sc, key.entry, keys[m - 1].entry); m--) keys[m] = keys[m - 1];
            keys[m] = key;
        }
        first = end;
    }
}

static int floor_div(int a, int b) {
    int q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int bins_reach(double cutoff, double recip_len, int n_bins) {
    /* The 1e-12 margin keeps a pair sitting exactly on the cutoff from being lost to rounding. */
    return (int)ceil(cutoff * recip_len * n_bins * (1.0 + 1e-12));
}

/* Bin counts per axis. n_k = floor(d_k / cutoff) (bins as thick as the cutoff, reach 1) scans a block up to 27
 * cutoff^3 around each atom; thinner bins (n_k = floor(m d_k / cutoff), reach about m) scan less empty space
 * but visit more bins. Picks m = 1..4 per axis by a cost model: candidate atoms examined, plus the bin rows
 * visited (a row of the last axis is one contiguous sweep, see bin_run), each costing about as much as three
 * candidates (measured with callgrind on random carbon cells). */
static void choose_bins(int n_atoms, double cutoff, const double recip_len[3], int n_bins[3], int reach[3]) {
    enum { MAX_SUBDIVISION = 4 };
    int options[3][MAX_SUBDIVISION];
    for (int k = 0; k < 3; k++)
        for (int m = 0; m < MAX_SUBDIVISION; m++) {
            double slabs = floor((m + 1) / (recip_len[k] * cutoff));
            options[k][m] = slabs < 1 ? 1 : slabs > 1024 ? 1024 : (int)slabs;
        }
    /* Far more bins than atoms only costs memory and time for empty bins. */
    const double bin_limit = 4.0 * n_atoms > 64 ? 4.0 * n_atoms : 64;
    double best_cost = INFINITY;
    for (int m0 = 0; m0 < MAX_SUBDIVISION; m0++)
        for (int m1 = 0; m1 < MAX_SUBDIVISION; m1++)
            for (int m2 = 0; m2 < MAX_SUBDIVISION; m2++) {
                int n[3] = {options[0][m0], options[1][m1], options[2][m2]}, r[3];
                if ((m0 || m1 || m2) && (double)n[0] * n[1] * n[2] > bin_limit) continue;
                double scanned_fraction = 1;
                for (int k = 0; k < 3; k++) {
                    r[k] = bins_reach(cutoff, recip_len[k], n[k]);
                    scanned_fraction *= (2.0 * r[k] + 1) / n[k];
                }
                double rows = (2.0 * r[0] + 1) * (2.0 * r[1] + 1) * (1 + (2.0 * r[2] + 1) / n[2]);
                double cost = n_atoms * scanned_fraction + 3 * rows;
                if (cost < best_cost * (1 - 1e-9)) {
                    best_cost = cost;
                    memcpy(n_bins, n, sizeof n);
                    memcpy(reach, r, sizeof r);
                }
            }
}

void lc_neighbor_list_build(lc_neighbor_list *nl, const lc_structure *s, double cutoff) {
    const int n = s->n_atoms;
    if (!nl->offsets || nl->n_atoms != n) nl->offsets = lc_realloc(nl->offsets, ((size_t)n + 1) * sizeof *nl->offsets);
    nl->n_atoms = n;
    nl->n_pairs = 0;
    memset(nl->offsets, 0, ((size_t)n + 1) * sizeof *nl->offsets);
    if (n == 0 || !(cutoff > 0) || !isfinite(cutoff)) return;

    build_scratch sc = {0};
    int transform[3][3], inverse[3][3];

    /* Work in the reduced cell: for a skewed cell the bins of the input basis would be thin slabs needing a
     * reach of many bins, while the reduced cell of the same lattice needs a few. frac' = frac T^-1 there, and
     * a shift n' of the reduced cell is the shift n' T of the input cell. */
    double reduced[3][3];
    lc_lattice_reduce((const double(*)[3])s->lattice, reduced, transform);
    int(*t)[3] = transform;
    int identity = 1;
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) identity &= t[r][c] == (r == c);
    if (!identity) {
        /* Integer inverse: the adjugate divided by det T = +-1. */
        int det = t[0][0] * (t[1][1] * t[2][2] - t[1][2] * t[2][1]) - t[0][1] * (t[1][0] * t[2][2] - t[1][2] * t[2][0]) +
                  t[0][2] * (t[1][0] * t[2][1] - t[1][1] * t[2][0]);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++) {
                int r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
                inverse[r][c] = det * (t[r1][c1] * t[r2][c2] - t[r1][c2] * t[r2][c1]);
            }
    }
    const double (*lattice)[3] = (const double(*)[3])reduced;
    double reciprocal[3][3];
    lc_lattice_reciprocal(lattice, reciprocal);

    /* Bins: d_k = 1 / |b_k| is the spacing of lattice planes k. A pair within the cutoff differs by at most
     * cutoff |b_k| = cutoff / d_k in fractional coordinate k, so with n_k bins along k it is at most
     * reach_k = ceil(cutoff n_k / d_k) bins away, whatever n_k is (more than n_k when the cutoff exceeds the
     * cell: the wrap-around then visits images). */
    double recip_len[3];
    for (int k = 0; k < 3; k++) {
        recip_len[k] = sqrt(reciprocal[k][0] * reciprocal[k][0] + reciprocal[k][1] * reciprocal[k][1] +
                            reciprocal[k][2] * reciprocal[k][2]);
        if (!isfinite(recip_len[k]) || !(recip_len[k] > 0)) lc_fatal("neighbour list: degenerate lattice");
        if (cutoff * recip_len[k] > 1e5) lc_fatal("neighbour list: cutoff %g spans over 10^5 cells", cutoff);
    }
    int n_bins[3], reach[3];
    choose_bins(n, cutoff, recip_len, n_bins, reach);
    const int total_bins = n_bins[0] * n_bins[1] * n_bins[2];

    /* Axes 0 and 1: the neighbouring bin and lattice shift of each offset -reach..reach. Axis 2: runs of
     * consecutive bins with one shift (at most 2 reach_2 / n_2 + 2 of them). */
    const int max_span = 2 * (reach[0] > reach[1] ? reach[0] : reach[1]) + 1;
    const int max_runs = 2 * reach[2] / n_bins[2] + 3;

    size_t used = 0, nn = (size_t)n;
    size_t at_cart = place(&used, nn * sizeof *sc.cart), at_binned_cart = place(&used, nn * sizeof *sc.binned_cart),
           at_wrap = place(&used, nn * sizeof *sc.wrap_image), at_bin_of = place(&used, nn * sizeof *sc.bin_of),
           at_binned_atom = place(&used, nn * sizeof *sc.binned_atom),
           at_bin_start = place(&used, ((size_t)total_bins + 1) * sizeof *sc.bin_start),
           at_fill = place(&used, (size_t)total_bins * sizeof(int)),
           at_span_bin = place(&used, 2 * (size_t)max_span * sizeof(int)),
           at_span_shift = place(&used, 2 * (size_t)max_span * sizeof(int)),
           at_runs = place(&used, (size_t)max_runs * sizeof(bin_run));
    char *block = lc_malloc(used);
    sc.cart = (double(*)[3])(block + at_cart);
    sc.binned_cart = (double(*)[3])(block + at_binned_cart);
    sc.wrap_image = (int(*)[3])(block + at_wrap);
    sc.bin_of = (int(*)[3])(block + at_bin_of);
    sc.binned_atom = (int *)(block + at_binned_atom);
    sc.bin_start = (int *)(block + at_bin_start);
    int *fill = (int *)(block + at_fill);
    int *span_bin = (int *)(block + at_span_bin);
    int *span_shift = (int *)(block + at_span_shift);
    bin_run *runs = (bin_run *)(block + at_runs);
    memset(sc.bin_start, 0, ((size_t)total_bins + 1) * sizeof *sc.bin_start);

    /* Wrap into the cell (remembering the shift, so images refer to the caller's coordinates) and bin. */
    for (int i = 0; i < n; i++) {
        double f_reduced[3], wrapped[3];
        for (int k = 0; k < 3; k++) {
            f_reduced[k] = identity ? s->frac[i][k]
                                       : s->frac[i][0] * inverse[0][k] + s->frac[i][1] * inverse[1][k] +
                                             s->frac[i][2] * inverse[2][k];
            /* the wraps are ints */
            if (!isfinite(f_reduced[k]) || fabs(f_reduced[k]) > 1e9)
                lc_fatal("neighbour list: atom %d has fractional coordinate %g", i, s->frac[i][k]);
        }
        int wrap[3];
        for (int k = 0; k < 3; k++) {
            double w = floor(f_reduced[k]);
            wrapped[k] = f_reduced[k] - w;
            if (wrapped[k] >= 1.0) { /* a hair below an integer */
                wrapped[k] -= 1.0;
                w += 1.0;
            }
            wrap[k] = (int)w;
            int b = (int)(wrapped[k] * n_bins[k]);
            sc.bin_of[i][k] = b < n_bins[k] ? b : n_bins[k] - 1;
        }
        for (int c = 0; c < 3; c++)
            sc.wrap_image[i][c] = wrap[0] * t[0][c] + wrap[1] * t[1][c] + wrap[2] * t[2][c];
        lc_frac_to_cart(lattice, wrapped, sc.cart[i]);
        sc.bin_start[(sc.bin_of[i][0] * n_bins[1] + sc.bin_of[i][1]) * n_bins[2] + sc.bin_of[i][2] + 1]++;
    }
    /* Counting sort into bin order; bins are numbered with the last axis fastest. */
    for (int b = 0; b < total_bins; b++) sc.bin_start[b + 1] += sc.bin_start[b];
    memcpy(fill, sc.bin_start, (size_t)total_bins * sizeof *fill);
    for (int i = 0; i < n; i++) {
        int slot = fill[(sc.bin_of[i][0] * n_bins[1] + sc.bin_of[i][1]) * n_bins[2] + sc.bin_of[i][2]]++;
        memcpy(sc.binned_cart[slot], sc.cart[i], sizeof sc.binned_cart[slot]);
        sc.binned_atom[slot] = i;
    }

    reserve_entries(&sc, 256, 0);

    const double cutoff2 = cutoff * cutoff;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++)
            for (int o = -reach[k]; o <= reach[k]; o++) {
                int b = sc.bin_of[i][k] + o;
                int q = floor_div(b, n_bins[k]);
                span_bin[k * max_span + o + reach[k]] = b - q * n_bins[k];
                span_shift[k * max_span + o + reach[k]] = q;
            }
        int n_runs = 0;
        int lo = sc.bin_of[i][2] - reach[2], hi = sc.bin_of[i][2] + reach[2];
        for (int q = floor_div(lo, n_bins[2]); q <= floor_div(hi, n_bins[2]); q++) {
            int first = lo > q * n_bins[2] ? lo : q * n_bins[2];
            int last = hi < (q + 1) * n_bins[2] - 1 ? hi : (q + 1) * n_bins[2] - 1;
            runs[n_runs++] = (bin_run){first - q * n_bins[2], last - q * n_bins[2], q};
        }

        const double *ri = sc.cart[i];
        int count = 0;
        for (int o0 = 0; o0 <= 2 * reach[0]; o0++) {
            int s0 = span_shift[o0], b0 = span_bin[o0];
            double base0[3];
            int image0[3];
            for (int c = 0; c < 3; c++) {
                base0[c] = s0 * lattice[0][c] - ri[c];
                image0[c] = s0 * t[0][c] + sc.wrap_image[i][c];
            }
            for (int o1 = 0; o1 <= 2 * reach[1]; o1++) {
                int s1 = span_shift[max_span + o1], b1 = span_bin[max_span + o1];
                double base1[3];
                int image1[3];
                for (int c = 0; c < 3; c++) {
                    base1[c] = base0[c] + s1 * lattice[1][c];
                    image1[c] = image0[c] + s1 * t[1][c];
                }
                int row = (b0 * n_bins[1] + b1) * n_bins[2];
                for (int r = 0; r < n_runs; r++) {
                    int p_begin = sc.bin_start[row + runs[r].first_bin];
                    int p_end = sc.bin_start[row + runs[r].last_bin + 1];
                    if (p_begin == p_end) continue;
                    if (count + (p_end - p_begin) > sc.entry_capacity) reserve_entries(&sc, (long)count + (p_end - p_begin), count);
                    int s2 = runs[r].shift;
                    /* Cartesian shift minus r_i; and the image of j, (shift + wrap_i - wrap_j) T, but for wrap_j */
                    double base[3];
                    int run_image[3];
                    for (int c = 0; c < 3; c++) {
                        base[c] = base1[c] + s2 * lattice[2][c];
                        run_image[c] = image1[c] + s2 * t[2][c];
                    }
                    int zero_shift = s0 == 0 && s1 == 0 && s2 == 0;
                    for (int p = p_begin; p < p_end; p++) {
                        double v0 = sc.binned_cart[p][0] + base[0];
                        double v1 = sc.binned_cart[p][1] + base[1];
                        double v2 = sc.binned_cart[p][2] + base[2];
                        double d2 = v0 * v0 + v1 * v1 + v2 * v2;
                        if (d2 > cutoff2) continue;
                        int j = sc.binned_atom[p];
                        if (j == i && zero_shift) continue; /* the atom itself; its images are kept */
                        sc.pair_atom[count] = j;
                        sc.pair_image[count][0] = run_image[0] - sc.wrap_image[j][0];
                        sc.pair_image[count][1] = run_image[1] - sc.wrap_image[j][1];
                        sc.pair_image[count][2] = run_image[2] - sc.wrap_image[j][2];
                        sc.pair_vector[count][0] = v0;
                        sc.pair_vector[count][1] = v1;
                        sc.pair_vector[count][2] = v2;
                        double distance = sqrt(d2);
                        memcpy(&sc.keys[count].distance_bits, &distance, sizeof distance);
                        sc.keys[count].entry = count;
                        count++;
                    }
                }
            }
        }

        sort_keys(sc.keys, count, cutoff, &sc);
        reserve_pairs(nl, (long)nl->n_pairs + count);
        for (int k = 0; k < count; k++) {
            int e = sc.keys[k].entry, p = nl->n_pairs + k;
            nl->index[p] = sc.pair_atom[e];
            memcpy(nl->image[p], sc.pair_image[e], sizeof nl->image[p]);
            memcpy(nl->vector[p], sc.pair_vector[e], sizeof nl->vector[p]);
            memcpy(&nl->distance[p], &sc.keys[k].distance_bits, sizeof nl->distance[p]);
        }
        nl->n_pairs += count;
        nl->offsets[i + 1] = nl->n_pairs;
    }

    free(block);
    free(sc.entry_block);
}
