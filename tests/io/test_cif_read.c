/* CIF reading: symmetry expansion, uncertainties, species from labels, both symmetry-operation tags, several data
 * blocks, and the errors that guard against silently wrong structures. */
#include <stdio.h>
#include <string.h>

#include "io/cif_syntax.h"
#include "io/structure_io.h"
#include "io/symop.h"
#include "io_fixtures.h"
#include "test.h"

static int read_cif(const char *text, const char *block, lc_structure_list *list, lc_error *err) {
    return lc_structure_list_read_buffer(text, strlen(text), "test.cif", LC_FORMAT_CIF, block, list, err);
}

/* Graphite as its asymmetric unit, with the 24 operations under the given tag. */
static void graphite_cif(char *buffer, size_t size, const char *symop_tag) {
    size_t used = (size_t)snprintf(buffer, size,
                                   "data_graphite\n"
                                   "_cell_length_a 2.464\n_cell_length_b 2.464\n_cell_length_c 6.711\n"
                                   "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 120\n"
                                   "_symmetry_space_group_name_H-M 'P 63/m m c'\n_symmetry_Int_Tables_number 194\n"
                                   "loop_\n%s\n",
                                   symop_tag);
    for (int k = 0; k < 24; k++) used += (size_t)snprintf(buffer + used, size - used, "'%s'\n", graphite_ops[k]);
    snprintf(buffer + used, size - used,
             "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_symmetry_multiplicity\n"
             "_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
             "C1 C 2 0 0 0.25\nC2 C 2 0.333333 0.666667 0.25\n");
}

static void test_graphite_both_symop_tags(void) {
    const char *tags[2] = {"_space_group_symop_operation_xyz", "_symmetry_equiv_pos_as_xyz"};
    lc_structure expected;
    make_graphite(&expected);
    for (int t = 0; t < 2; t++) {
        char text[4096];
        graphite_cif(text, sizeof text, tags[t]);
        lc_structure_list list;
        lc_error err;
        int status = read_cif(text, NULL, &list, &err);
        CHECK_MSG(status == 0, "%s", err.message);
        if (status) continue;
        CHECK(list.count == 1);
        CHECK(list.declared_spacegroup[0] == 194);
        CHECK(strcmp(list.declared_symbol[0], "P 63/m m c") == 0);
        CHECK(strcmp(list.items[0].name, "graphite") == 0);
        CHECK_NEAR(metric_difference(list.items[0].lattice, expected.lattice), 0, 1e-12);
        /* 0.333333 is 1/3 to 1e-6: the images still merge and land within 1e-5 A of the exact sites */
        CHECK_MSG(same_atoms(&list.items[0], &expected, 1e-5), "tag %s", tags[t]);
        for (int k = 0; k < list.items[0].n_atoms; k++)
            for (int i = 0; i < 3; i++) CHECK(list.items[0].frac[k][i] >= 0 && list.items[0].frac[k][i] < 1);
        lc_structure_list_free(&list);
    }
    lc_structure_free(&expected);
}

static void test_symop_parser_matches_tables(void) {
    for (int k = 0; k < 24; k++) {
        lc_symop op;
        char why[128];
        CHECK(lc_symop_parse(graphite_ops[k], &op, why, sizeof why) == 0);
        CHECK_MSG(memcmp(op.rotation, graphite_rot[k], sizeof op.rotation) == 0, "op %d '%s'", k + 1, graphite_ops[k]);
        for (int i = 0; i < 3; i++) CHECK_NEAR(op.translation[i], graphite_trans[k][i], 1e-15);
        /* format then parse gives the same operation */
        char text[128];
        lc_symop again;
        lc_symop_format(op.rotation, op.translation, text, sizeof text);
        CHECK(lc_symop_parse(text, &again, why, sizeof why) == 0);
        CHECK(memcmp(op.rotation, again.rotation, sizeof op.rotation) == 0);
        for (int i = 0; i < 3; i++) CHECK_NEAR(op.translation[i], again.translation[i], 1e-15);
    }
    lc_symop op;
    char why[128];
    CHECK(lc_symop_parse("-x+1/2, y, -z+0.25", &op, why, sizeof why) == 0);
    CHECK(op.rotation[0][0] == -1 && op.rotation[1][1] == 1 && op.rotation[2][2] == -1);
    CHECK_NEAR(op.translation[0], 0.5, 1e-15);
    CHECK_NEAR(op.translation[2], 0.25, 1e-15);
    CHECK(lc_symop_parse("x-y,x,z+1/6", &op, why, sizeof why) == 0);
    CHECK(op.rotation[0][0] == 1 && op.rotation[0][1] == -1 && op.rotation[1][0] == 1);
    CHECK_NEAR(op.translation[2], 1.0 / 6, 1e-15);
    CHECK(lc_symop_parse(" 1/2+X , -Y , +z ", &op, why, sizeof why) == 0);
    CHECK_NEAR(op.translation[0], 0.5, 1e-15);
    CHECK(op.rotation[1][1] == -1);
    char text[64];
    lc_symop_format(op.rotation, op.translation, text, sizeof text);
    CHECK(strcmp(text, "x+1/2,-y,z") == 0);
    const char *bad[] = {"x,y", "x,y,z,x", "x+q,y,z", "2x,y,z", "x,x,z", "x+1e5,y,z", "x,,z", "x y,y,z", "x+,y,z",
                         "x+1/0,y,z", ""};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        CHECK_MSG(lc_symop_parse(bad[k], &op, why, sizeof why) != 0, "'%s' accepted", bad[k]);
}

static void test_uncertainties_and_labels(void) {
    const char *text = "data_u\n"
                       "_cell_length_a 5.4307(2)\n_cell_length_b 6.1(1)\n_cell_length_c 7.00\n"
                       "_cell_angle_alpha 90.0(0)\n_cell_angle_beta 101.23(5)\n_cell_angle_gamma 90\n"
                       "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
                       "C1 0.1234(5) 0.5 0.5\nFe2a 0.5 0.25(12) 0.0\nCl3 1.25 -0.125 0.75\nCA1 0.9 0.9 0.1(1)\n"
                       "O2- 0.7 0.7 0.7\n";
    lc_structure_list list;
    lc_error err;
    int status = read_cif(text, NULL, &list, &err);
    CHECK_MSG(status == 0, "%s", err.message);
    if (status) return;
    lc_cell_parameters p = lc_lattice_to_parameters(list.items[0].lattice);
    CHECK_NEAR(p.a, 5.4307, 1e-12);
    CHECK_NEAR(p.b, 6.1, 1e-12);
    CHECK_NEAR(p.beta, 101.23, 1e-10);
    const lc_structure *s = &list.items[0];
    CHECK(s->n_atoms == 5);
    const int species[5] = {6, 26, 17, 6, 8};
    for (int k = 0; k < 5 && k < s->n_atoms; k++) CHECK_MSG(s->species[k] == species[k], "atom %d: Z %d", k, s->species[k]);
    CHECK_NEAR(s->frac[0][0], 0.1234, 1e-15);
    CHECK_NEAR(s->frac[1][1], 0.25, 1e-15);
    CHECK_NEAR(s->frac[2][0], 0.25, 1e-15); /* 1.25 wrapped */
    CHECK_NEAR(s->frac[2][1], 0.875, 1e-15);
    CHECK(list.declared_spacegroup[0] == 0 && list.declared_symbol[0][0] == '\0');
    lc_structure_list_free(&list);
}

static void test_type_symbol_wins_over_label(void) {
    const char *text = "data_t\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n"
                       "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"
                       "_space_group_name_H-M_alt 'P 1'\n_space_group_IT_number 1\n"
                       "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n"
                       "_atom_site_fract_z\n_atom_site_occupancy\n"
                       "X1 Na+ 0 0 0 1.0\nX2 Cl1- 0.5 0.5 0.5 1.000(2)\nMg1 ? 0.5 0 0 .\n";
    lc_structure_list list;
    lc_error err;
    int status = read_cif(text, NULL, &list, &err);
    CHECK_MSG(status == 0, "%s", err.message);
    if (status) return;
    CHECK(list.items[0].n_atoms == 3);
    CHECK(list.items[0].species[0] == 11 && list.items[0].species[1] == 17 && list.items[0].species[2] == 12);
    CHECK(list.declared_spacegroup[0] == 1 && strcmp(list.declared_symbol[0], "P 1") == 0);
    lc_structure_list_free(&list);
}

static void test_multiple_blocks(void) {
    const char *cell = "_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\n"
                       "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n";
    char text[2048];
    snprintf(text, sizeof text,
             "data_global\n_publ_section_title 'two structures'\n"
             "data_first\n%sloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
             "Si 0 0 0\n"
             "data_Second\n%sloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
             "Ge 0 0 0\nGe 0.5 0.5 0.5\n",
             cell, cell);
    lc_structure_list list;
    lc_error err;
    int status = read_cif(text, NULL, &list, &err);
    CHECK_MSG(status == 0, "%s", err.message);
    if (status == 0) {
        CHECK(list.count == 2); /* data_global has no structure and is skipped */
        CHECK(strcmp(list.items[0].name, "first") == 0 && list.items[0].n_atoms == 1 && list.items[0].species[0] == 14);
        CHECK(strcmp(list.items[1].name, "Second") == 0 && list.items[1].n_atoms == 2 && list.items[1].species[0] == 32);
        lc_structure_list_free(&list);
    }
    status = read_cif(text, "SECOND", &list, &err);
    CHECK_MSG(status == 0, "%s", err.message);
    if (status == 0) {
        CHECK(list.count == 1 && list.items[0].n_atoms == 2);
        lc_structure_list_free(&list);
    }
    CHECK(read_cif(text, "third", &list, &err) == -1);
    CHECK(strstr(err.message, "no data block named 'third'") && strstr(err.message, "'Second'"));
    CHECK(list.count == 0 && list.items == NULL);
}

/* Reads text expecting an error on the given line whose message contains fragment. */
static void expect_error(const char *text, int line, const char *fragment) {
    lc_structure_list list;
    lc_error err;
    int status = read_cif(text, NULL, &list, &err);
    CHECK_MSG(status == -1, "accepted; expected '%s'", fragment);
    if (status == 0) {
        lc_structure_list_free(&list);
        return;
    }
    char prefix[32];
    snprintf(prefix, sizeof prefix, "test.cif:%d:", line);
    CHECK_MSG(strncmp(err.message, prefix, strlen(prefix)) == 0, "wanted %s, got %s", prefix, err.message);
    CHECK_MSG(strstr(err.message, fragment) != NULL, "wanted '%s' in: %s", fragment, err.message);
    CHECK(list.count == 0);
}

#define CELL "_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 90\n_cell_angle_beta 90\n" \
             "_cell_angle_gamma 90\n"
#define SITES "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"

static void test_semantic_errors(void) {
    /* lines:            1        2-7   8..12  13 */
    expect_error("data_x\n" CELL SITES "C1 0.1 0.1 0.1\nC2 0.2 abc 0.2\n", 14, "'abc' is not a number");
    expect_error("data_x\n" CELL SITES "C1 0.1 0.1 0.1\nC2 0.2 ? 0.2\n", 14, "missing");
    expect_error("data_x\n" CELL "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
                 "_atom_site_occupancy\nFe1 0 0 0 1.0\nFe2 0.5 0.5 0.5 0.5\n",
                 15, "partially occupied");
    expect_error("data_x\n" CELL SITES "Q1 0 0 0\n", 13, "does not start with an element symbol");
    expect_error("data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 90\n"
                 "_cell_angle_beta 90\n" SITES "C1 0 0 0\n",
                 1, "no _cell_angle_gamma");
    expect_error("data_x\n_cell_length_a 0\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 90\n"
                 "_cell_angle_beta 90\n_cell_angle_gamma 90\n" SITES "C1 0 0 0\n",
                 2, "must be positive");
    expect_error("data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 60\n"
                 "_cell_angle_beta 60\n_cell_angle_gamma 150\n" SITES "C1 0 0 0\n",
                 5, "cannot close a cell");
    expect_error("data_x\n" CELL "_space_group_IT_number 231\n" SITES "C1 0 0 0\n", 8, "1 to 230");
    /* operations that do not close: x,y,z and -x,y,z+1/4 generate z+1/2, which is missing */
    expect_error("data_x\n" CELL "loop_\n_space_group_symop_operation_xyz\n'x,y,z'\n'-x,y,z+1/4'\n" SITES
                 "C1 0.1 0.2 0.3\n",
                 11, "do not form a group");
    expect_error("data_x\n" CELL "loop_\n_space_group_symop_operation_xyz\n'-x,-y,-z'\n" SITES "C1 0 0 0\n", 9,
                 "identity");
    expect_error("data_x\n" CELL "loop_\n_space_group_symop_operation_xyz\n'x,y,z'\n'-x,-y,q'\n" SITES "C1 0 0 0\n", 11,
                 "symmetry operation '-x,-y,q'");
    /* inversion: a general site has 2 images, a site at the origin 1 */
    expect_error("data_x\n" CELL "loop_\n_space_group_symop_operation_xyz\n'x,y,z'\n'-x,-y,-z'\n"
                 "loop_\n_atom_site_label\n_atom_site_symmetry_multiplicity\n_atom_site_fract_x\n_atom_site_fract_y\n"
                 "_atom_site_fract_z\nC1 1 0.1 0.2 0.3\n",
                 18, "give 2 atoms but _atom_site_symmetry_multiplicity says 1");
    expect_error("data_x\n" CELL SITES "C1 0.1 0.1 0.1\nO1 0.1 0.1 0.1001\n", 14, "same position");
    expect_error("data_x\n" CELL "loop_\n_atom_site_label\n_atom_site_Cartn_x\n_atom_site_Cartn_y\n_atom_site_Cartn_z\n"
                 "C1 0 0 0\n",
                 10, "Cartesian");
    expect_error("data_x\n" CELL "loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\nC1 0 0\n", 10,
                 "lacks _atom_site_fract_z");
    expect_error("data_x\n_title 'no structure here'\n", 1, "no data block describes a crystal structure");
    expect_error("data_x\n" CELL SITES "C1 0 0 0\ndata_X\n" CELL SITES "C1 0 0 0\n", 14, "appears twice");
    expect_error("data_x\n" CELL SITES "C1 0 0 0\nC2 0.5 0.5\n", 15, "wrong number of elements");
}

static void test_merging_and_wrapping(void) {
    /* inversion centre at the origin: a site 0.004 A from it has two images 0.008 A apart, which merge */
    const char *text = "data_m\n" CELL "loop_\n_space_group_symop_operation_xyz\n'x,y,z'\n'-x,-y,-z'\n"
                       "loop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
                       "Na 0.001 0 0\nCl 0.5 0.5 0.5\nC 0.2 0.3 -0.4\n";
    lc_structure_list list;
    lc_error err;
    int status = read_cif(text, NULL, &list, &err);
    CHECK_MSG(status == 0, "%s", err.message);
    if (status) return;
    const lc_structure *s = &list.items[0];
    CHECK(s->n_atoms == 4);
    int carbons = 0;
    for (int k = 0; k < s->n_atoms; k++) {
        for (int i = 0; i < 3; i++) CHECK(s->frac[k][i] >= 0 && s->frac[k][i] < 1);
        if (s->species[k] == 6) {
            carbons++;
            CHECK((fabs(s->frac[k][2] - 0.6) < 1e-12) || (fabs(s->frac[k][2] - 0.4) < 1e-12));
        }
    }
    CHECK(carbons == 2);
    lc_structure_list_free(&list);
}

static void test_cif2(void) {
    /* A CIF 2.0 file in the CIF 1.1 subset, with UTF-8 text (allowed in 2.0 only). */
    const char *text = "#\\#CIF_2.0\ndata_two\n_title 'Lat\xc3\xa9 \xc3\x85'\n" CELL
                       "loop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"
                       "C 0 0 0\n";
    lc_structure_list list;
    lc_error err;
    int status = read_cif(text, NULL, &list, &err);
    CHECK_MSG(status == 0, "%s", err.message);
    if (status == 0) {
        CHECK(list.items[0].n_atoms == 1);
        lc_structure_list_free(&list);
    }
    lc_cif_document doc;
    status = lc_cif_parse(text, strlen(text), "two.cif", &doc, &err);
    CHECK(status == 0);
    if (status == 0) {
        CHECK(doc.version_major == 2 && doc.version_minor == 0);
        CHECK(strcmp(lc_cif_block_find(&doc.blocks[0], "_title")->values[0].text, "Lat\xc3\xa9 \xc3\x85") == 0);
        lc_cif_document_free(&doc);
    }
    /* Lists and tables are not read (docs/cif-library.md): a syntax error at their line. */
    const char *list_text = "#\\#CIF_2.0\ndata_two\n" CELL "_list_value [1 2 [3 4]]\n" SITES "C1 0 0 0\n";
    CHECK(read_cif(list_text, NULL, &list, &err) == -1);
    CHECK_MSG(strncmp(err.message, "test.cif:9:", 11) == 0, "%s", err.message);
    /* Lexer flags live in globals: a CIF 1.1 file with a non-ASCII quoted string must still be rejected right
     * after a CIF 2.0 file (which allows it). */
    const char *latin = "data_one\n_title 'Lat\xc3\xa9'\n" CELL SITES "C1 0 0 0\n";
    CHECK(read_cif(latin, NULL, &list, &err) == -1);
    CHECK(strncmp(err.message, "test.cif:2:", 11) == 0);
}

static void test_syntax_lines(void) {
    lc_cif_document doc;
    lc_error err;
    const char *text = "# comment with C1 0.25 inside\n"
                       "data_lines\n"
                       "_cell_length_a 4.0\n"
                       ";\n"
                       "_not_a_tag 0.25\n"
                       ";\n"
                       "loop_ _atom_site_label _atom_site_fract_x\n"
                       "C1 0.25 # C2 in a comment\n"
                       "C2\n"
                       "  0.5\n";
    /* _cell_length_a 4.0 followed by a stray text field is a syntax error; use it to check the message */
    CHECK(lc_cif_parse(text, strlen(text), "l.cif", &doc, &err) == -1);
    CHECK_MSG(strncmp(err.message, "l.cif:4:", 8) == 0 || strncmp(err.message, "l.cif:6:", 8) == 0, "%s", err.message);
    const char *good = "# comment with C1 0.25 inside\n"
                       "data_lines\n"
                       "_title\n"
                       ";\n"
                       "_not_a_tag 0.25 C1\n"
                       ";\n"
                       "loop_ _atom_site_label _atom_site_fract_x\n"
                       "C1 0.25 # C2 in a comment\n"
                       "C2\n"
                       "  0.5\n";
    int status = lc_cif_parse(good, strlen(good), "l.cif", &doc, &err);
    CHECK_MSG(status == 0, "%s", err.message);
    if (status) return;
    CHECK(doc.n_blocks == 1 && doc.blocks[0].line == 2 && doc.version_major == 1);
    const lc_cif_item *title = lc_cif_block_find(&doc.blocks[0], "_TITLE");
    const lc_cif_item *label = lc_cif_block_find(&doc.blocks[0], "_atom_site_label");
    const lc_cif_item *x = lc_cif_block_find(&doc.blocks[0], "_atom_site_fract_x");
    CHECK(title && label && x);
    if (title && label && x) {
        CHECK(title->line == 3 && title->values[0].line == 4 && title->values[0].kind == LC_CIF_TEXT_FIELD);
        CHECK(label->loop == 0 && label->line == 7 && x->line == 7);
        CHECK(label->n_values == 2 && x->n_values == 2);
        CHECK(label->values[0].line == 8 && x->values[0].line == 8);
        CHECK(label->values[1].line == 9 && x->values[1].line == 10);
        CHECK(strcmp(x->values[1].text, "0.5") == 0);
        CHECK(doc.blocks[0].loops[0].line == 7 && doc.blocks[0].loops[0].n_rows == 2);
    }
    lc_cif_document_free(&doc);
}

int main(void) {
    RUN_TEST(test_graphite_both_symop_tags);
    RUN_TEST(test_symop_parser_matches_tables);
    RUN_TEST(test_uncertainties_and_labels);
    RUN_TEST(test_type_symbol_wins_over_label);
    RUN_TEST(test_multiple_blocks);
    RUN_TEST(test_semantic_errors);
    RUN_TEST(test_merging_and_wrapping);
    RUN_TEST(test_cif2);
    RUN_TEST(test_syntax_lines);
    return test_summary();
}
