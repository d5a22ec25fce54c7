/* lc_candidate_relax with restarts: a sampled row (Imm2, group 44, three sites) that L-BFGS from
 * its own point leaves invalid becomes valid from a displaced start; restarts stop at the first valid end point,
 * repeat bit for bit, and a row valid from its own point never restarts. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "envopt/candidate.h"
#include "mpi/comm.h"
#include "test.h"

/* row 2 of 10,000 rows sampled from the VAE trained on the augmented sp2 set (seed 1): group, cell, then
 * (Wyckoff index, x, y, z) for 8 sites, -1 where there is none */
static const double sampled_row[39] = {
    44, 2.4967120521392063, 6.811992582398605, 6.180501465866907, 89.99995488824509, 89.96347670315001,
    90.00004585448373, 1, 0.5007238594012162, 0.3015173215068769, 0.29680057803463983, 1, 0.49994318435235974,
    0.3940995443045372, 0.16624233548543108, 1, -0.0001210887652702569, 0.14290813979617661, 0.2744685332938109,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};

static lc_so3_plan plan;
static double reference[64];

static lc_candidate_settings settings(int restarts) {
    lc_candidate_settings s = {.plan = &plan, .reference = reference, .relax = lc_relax_default_options(),
                               .min_length = 1.5, .max_length = 50, .min_angle = 30, .max_angle = 150,
                               .merge_distance = 0.5, .snap_special = 1, .validity = lc_validity_default_options(),
                               .symprec = 1e-3, .restarts = restarts, .restart_displacement = 0.1};
    s.relax.max_iterations = 400;
    return s;
}

static void relax(const double *array, int restarts, lc_candidate *c) {
    lc_row row;
    CHECK(lc_row_from_array(array, 8, 6, &row) == LC_ROW_OK);
    lc_candidate_settings s = settings(restarts);
    lc_candidate_relax(&row, &s, c);
}

static void test_restarts_find_a_valid_end_point(void) {
    lc_candidate alone, restarted, again;
    relax(sampled_row, 0, &alone);
    CHECK_MSG(alone.status == LC_CANDIDATE_INVALID, "status %s", lc_candidate_status_name(alone.status));
    CHECK(alone.attempts == 1);
    relax(sampled_row, 10, &restarted);
    CHECK_MSG(restarted.status == LC_CANDIDATE_VALID, "status %s", lc_candidate_status_name(restarted.status));
    CHECK_MSG(restarted.attempts >= 2 && restarted.attempts <= 11, "%d attempts", restarted.attempts);
    CHECK(restarted.objective_after < alone.objective_after);
    CHECK(restarted.objective_before == alone.objective_before);
    CHECK(restarted.iterations > alone.iterations);
    /* the same group and Wyckoff positions: only the free coordinates moved */
    CHECK(restarted.relaxed_row.spacegroup == 44 && restarted.relaxed_row.n_sites == alone.relaxed_row.n_sites);
    for (int s = 0; s < restarted.relaxed_row.n_sites; s++)
        CHECK(restarted.relaxed_row.sites[s].wyckoff_index == alone.relaxed_row.sites[s].wyckoff_index);
    /* keyed by the row: the same attempts and end point again */
    relax(sampled_row, 10, &again);
    CHECK(again.attempts == restarted.attempts && again.iterations == restarted.iterations);
    CHECK(memcmp(&again.relaxed_row, &restarted.relaxed_row, sizeof again.relaxed_row) == 0);
    lc_candidate_free(&alone);
    lc_candidate_free(&restarted);
    lc_candidate_free(&again);
}

static void test_valid_row_does_not_restart(void) {
    lc_candidate first, c;
    relax(sampled_row, 10, &first);
    double row[39];
    lc_row_to_array(&first.relaxed_row, 8, row);
    relax(row, 10, &c);
    CHECK_MSG(c.status == LC_CANDIDATE_VALID, "status %s", lc_candidate_status_name(c.status));
    CHECK(c.attempts == 1);
    lc_candidate_free(&first);
    lc_candidate_free(&c);
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    lc_error err;
    if (lc_petsc_start(&argc, &argv, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    lc_so3_options options = lc_so3_default_options();
    CHECK(lc_so3_init(&plan, &options, &err) == 0);
    CHECK(plan.n_components <= 64);
    lc_environment_graphite(&plan, reference);
    RUN_TEST(test_restarts_find_a_valid_end_point);
    RUN_TEST(test_valid_row_does_not_restart);
    lc_so3_free(&plan);
    int status = test_summary();
    lc_petsc_stop();
    lc_comm_finalize();
    return status;
}
