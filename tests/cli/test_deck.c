/* The input deck: defaults, file values, --set precedence, every kind of error with its line and key, paths
 * relative to the deck, the resolved text loading back to the same values, help and docs/deck.md covering every
 * key. Decks are written to a temporary folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/deck.h"
#include "test.h"

static char tmp[256];
static char cwd[4096];
static char created[64][512]; /* files and folders to remove, in creation order */
static int n_created;

static void remember(const char *path) {
    for (int i = 0; i < n_created; i++)
        if (strcmp(created[i], path) == 0) return;
    if (n_created < 64) snprintf(created[n_created++], sizeof created[0], "%s", path);
}

/* Writes text to tmp/name; returns the full path (valid for the next 7 calls). */
static const char *write_deck(const char *name, const char *text) {
    static char path[8][512];
    static int slot;
    char *p = path[slot++ % 8];
    snprintf(p, sizeof path[0], "%s/%s", tmp, name);
    FILE *f = fopen(p, "wb");
    if (!f) {
        perror(p);
        exit(EXIT_FAILURE);
    }
    fputs(text, f);
    fclose(f);
    remember(p);
    return p;
}

static char *capture(void (*print)(FILE *)) {
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    print(out);
    fclose(out);
    return text;
}

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    size_t got = fread(text, 1, (size_t)n, f);
    text[got] = '\0';
    fclose(f);
    return text;
}

static void test_defaults(void) {
    lc_deck *d = NULL;
    lc_error err = {{0}};
    CHECK(lc_deck_load(&d, NULL, 0, NULL, &err) == 0);
    if (!d) return;
    CHECK(lc_deck_file(d) == NULL);
    CHECK(lc_deck_int(d, "prepare", "max_sites") == 8);
    CHECK(lc_deck_int(d, "prepare", "max_dof") == 24);
    CHECK(lc_deck_int(d, "prepare", "max_atoms") == 500);
    CHECK(lc_deck_int(d, "prepare", "rows_per_source") == 500);
    CHECK(lc_deck_int(d, "prepare", "max_subgroup_depth") == 3);
    CHECK(lc_deck_int(d, "prepare", "seed") == 2026);
    CHECK(lc_deck_int(d, "prepare", "gmm_components") == 10);
    CHECK(lc_deck_double(d, "prepare", "symprec") == 1e-3);
    CHECK(lc_deck_double(d, "prepare", "max_length") == 50.0);
    CHECK(lc_deck_double(d, "prepare", "min_angle") == 30.0);
    CHECK(lc_deck_double(d, "prepare", "max_angle") == 150.0);
    CHECK(lc_deck_double(d, "prepare", "merge_distance") == 0.5);
    CHECK(lc_deck_double(d, "prepare", "energy_max") == 0.0);
    CHECK(lc_deck_double(d, "prepare", "gmm_weight_threshold") == 0.005);
    CHECK(strcmp(lc_deck_string(d, "prepare", "file_column"), "file") == 0);
    CHECK(strcmp(lc_deck_string(d, "prepare", "id_column"), "id") == 0);
    CHECK(strcmp(lc_deck_string(d, "prepare", "energy_column"), "") == 0);
    CHECK(strcmp(lc_deck_string(d, "prepare", "source_type"), "auto") == 0);
    CHECK(strcmp(lc_deck_string(d, "prepare", "source"), "") == 0);
    CHECK(strcmp(lc_deck_path(d, "prepare", "source"), "") == 0);
    CHECK(lc_deck_bool(d, "run", "quiet") == 0);
    CHECK(lc_deck_bool(d, "run", "log_json") == 0);
    /* Without a file, a relative default is relative to the working directory. */
    char expected[4200];
    snprintf(expected, sizeof expected, "%s/training.h5", cwd);
    CHECK_MSG(strcmp(lc_deck_path(d, "prepare", "output"), expected) == 0, "%s", lc_deck_path(d, "prepare", "output"));
    lc_deck_free(d);
}

static void test_schema(void) {
    for (int k = 0; k < lc_deck_schema_count; k++) {
        const lc_deck_key *a = &lc_deck_schema[k];
        CHECK_MSG(a->doc && strlen(a->doc) > 20, "%s.%s has no documentation", a->section, a->key);
        CHECK_MSG((a->type == LC_DECK_CHOICE) == (a->allowed && strchr("[(", a->allowed[0]) == NULL),
                  "%s.%s: choices exactly for choice keys", a->section, a->key);
        int in_sections = 0;
        for (int s = 0; s < lc_deck_section_count; s++)
            in_sections |= strcmp(lc_deck_sections[s].name, a->section) == 0;
        CHECK_MSG(in_sections, "%s.%s: section not listed", a->section, a->key);
        for (int j = 0; j < k; j++)
            CHECK_MSG(strcmp(a->section, lc_deck_schema[j].section) != 0 || strcmp(a->key, lc_deck_schema[j].key) != 0,
                      "%s.%s twice", a->section, a->key);
    }
}

static void test_file_values(void) {
    const char *path = write_deck("values.ini", "; an example\n"
                                                "# another comment\n"
                                                "[prepare]\n"
                                                "max_sites = 12\n"
                                                "   symprec=0.01   ; inline comment\n"
                                                "energy_column = reaxff_energy_eV_atom\r\n"
                                                "energy_max = -7.5\n"
                                                "source_type = csv\n"
                                                "seed: 7\n"
                                                "\n"
                                                "[run]\n"
                                                "quiet = YES\n"
                                                "log_json = off\n");
    lc_deck *d = NULL;
    lc_error err = {{0}};
    CHECK_MSG(lc_deck_load(&d, path, 0, NULL, &err) == 0, "%s", err.message);
    if (!d) return;
    CHECK(strcmp(lc_deck_file(d), path) == 0);
    CHECK(lc_deck_int(d, "prepare", "max_sites") == 12);
    CHECK(lc_deck_double(d, "prepare", "symprec") == 0.01);
    CHECK(strcmp(lc_deck_string(d, "prepare", "energy_column"), "reaxff_energy_eV_atom") == 0);
    CHECK(lc_deck_double(d, "prepare", "energy_max") == -7.5);
    CHECK(strcmp(lc_deck_string(d, "prepare", "source_type"), "csv") == 0);
    CHECK(lc_deck_int(d, "prepare", "seed") == 7);
    CHECK(lc_deck_bool(d, "run", "quiet") == 1);
    CHECK(lc_deck_bool(d, "run", "log_json") == 0);
    CHECK(lc_deck_int(d, "prepare", "max_dof") == 24); /* untouched: default */
    lc_deck_free(d);
}

static void test_overrides(void) {
    const char *path = write_deck("over.ini", "[prepare]\nmax_sites = 10\nseed = 5\n[run]\nquiet = true\n");
    const char *sets[] = {"prepare.max_sites=12", " prepare.seed = 9 ",     "prepare.seed=11",
                          "run.log_json=1",       "prepare.energy_column=", "prepare.output=out/train.h5"};
    lc_deck *d = NULL;
    lc_error err = {{0}};
    CHECK_MSG(lc_deck_load(&d, path, 6, sets, &err) == 0, "%s", err.message);
    if (!d) return;
    CHECK(lc_deck_int(d, "prepare", "max_sites") == 12); /* --set wins over the file */
    CHECK(lc_deck_int(d, "prepare", "seed") == 11);      /* the later --set wins */
    CHECK(lc_deck_bool(d, "run", "quiet") == 1);         /* file wins over default */
    CHECK(lc_deck_bool(d, "run", "log_json") == 1);
    CHECK(strcmp(lc_deck_string(d, "prepare", "energy_column"), "") == 0);
    char expected[4200];
    snprintf(expected, sizeof expected, "%s/out/train.h5", cwd); /* --set paths: working directory */
    CHECK_MSG(strcmp(lc_deck_path(d, "prepare", "output"), expected) == 0, "%s", lc_deck_path(d, "prepare", "output"));
    lc_deck_free(d);

    struct {
        const char *set, *message;
    } bad[] = {
        {"prepare.max_site=3", "--set: prepare.max_site: unknown key (did you mean max_sites?)"},
        {"prepar.seed=3", "--set: prepar.seed: unknown section [prepar] (sections: [prepare]"},
        {"prepare.seed", "--set: 'prepare.seed': expected section.key=value"},
        {"seed=3", "--set: 'seed=3': expected section.key=value"},
        {"prepare.seed=three", "--set: prepare.seed: 'three' is not an integer"},
        {"prepare.max_sites=0", "--set: prepare.max_sites: 0 is outside [1, 64]"},
        {"prepare.source_type=zip", "--set: prepare.source_type: 'zip' is not one of: auto, folder, list, csv"},
        {"run.quiet=maybe", "--set: run.quiet: 'maybe' is not a boolean"},
        {"prepare.id_column=a ;b", "--set: prepare.id_column: a value cannot start with ';' or have ';' after a"},
        {"run.seed=1", "--set: run.seed: unknown key (it belongs in [prepare])"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *one[] = {bad[i].set};
        d = NULL;
        err.message[0] = '\0';
        CHECK_MSG(lc_deck_load(&d, path, 1, one, &err) == -1 && d == NULL, "%s accepted", bad[i].set);
        CHECK_MSG(strncmp(err.message, bad[i].message, strlen(bad[i].message)) == 0, "%s: got '%s'", bad[i].set,
                  err.message);
    }
}

/* Each deck has one mistake; the message must start with FILE:LINE: and then say what and where. */
static void test_errors(void) {
    struct {
        const char *deck;
        long line;
        const char *message;
    } bad[] = {
        {"[prepare]\nseed = 1\n[prep]\nseed = 2\n", 3, "[prep]: unknown section (sections: [prepare]"},
        {"[prepare]\nseed = 1\n\n[nothing]\n", 4, "[nothing]: unknown section"},
        {"[prepare]\nmax_site = 4\n", 2, "prepare.max_site: unknown key (did you mean max_sites?)"},
        {"[prepare]\nrandom_thing = 4\n", 2, "prepare.random_thing: unknown key (see `legocryst help deck`)"},
        {"[run]\n\nseed = 4\n", 3, "run.seed: unknown key (it belongs in [prepare])"},
        {"[prepare]\nseed = 1\nmax_sites = 4\nseed = 2\n", 4, "prepare.seed: set twice (first on line 2)"},
        {"[prepare]\nseed = 1\n[run]\nquiet = 1\n[prepare]\nmax_sites = 3\n", 5,
         "[prepare]: section appears twice (first on line 1)"},
        {"[prepare]\nmax_sites = 8.5\n", 2, "prepare.max_sites: '8.5' is not an integer"},
        {"[prepare]\nmax_sites = 65\n", 2, "prepare.max_sites: 65 is outside [1, 64]"},
        {"[prepare]\nmax_atoms = 99999999999999999999\n", 2, "prepare.max_atoms: 99999999999999999999 is too large"},
        {"[prepare]\nsymprec = 0\n", 2, "prepare.symprec: 0 is outside (0, 1]"},
        {"[prepare]\nmin_angle = 180\n", 2, "prepare.min_angle: 180 is outside (0, 180)"},
        {"[prepare]\nenergy_max = nan\n", 2, "prepare.energy_max: 'nan' is not a finite number"},
        {"[prepare]\nmerge_distance = half\n", 2, "prepare.merge_distance: 'half' is not a number"},
        {"[prepare]\nsource_type = folders\n", 2,
         "prepare.source_type: 'folders' is not one of: auto, folder, list, csv"},
        {"[run]\nquiet = maybe\n", 2, "run.quiet: 'maybe' is not a boolean"},
        {"[prepare]\nmax_sites = 8 # sites\n", 2,
         "prepare.max_sites: '8 # sites' is not an integer (a comment after a value starts with ';', not '#')"},
        {"[prepare]\nid_column = \"name\"\n", 2, "prepare.id_column: \"name\": values are written without quotes"},
        {"[prepare]\nid_column=;x\n", 2, "prepare.id_column: a value cannot start with ';'"},
        {"seed = 3\n[prepare]\n", 1, "seed: key before any [section]"},
        {"[prepare]\nseed = 3\nthis is not ini\n", 3,
         "'this is not ini': expected 'key = value', '[section]' or a comment"},
        {"[prepare\nseed = 3\n", 1, "'[prepare': section header without a closing ']'"},
        {"[prepare] seed = 3\n", 1, "[prepare]: unexpected text after ']'"},
        {"[prepare]\n= 3\n", 2, "expected a key before '='"},
        /* indentation does not continue a value: the stray line is an error of its own */
        {"[prepare]\nid_column = name\n    more name\n", 3, "'more name': expected 'key = value'"},
        /* the first mistake is reported: the syntax error on line 2 comes before the unknown key on line 3 */
        {"[prepare]\nnot ini\nbogus = 1\n", 2, "'not ini': expected"},
        {"[prepare]\nbogus = 1\nnot ini\n", 2, "prepare.bogus: unknown key"},
        {"[prepare]\nseed = 1\0002\n", 2, "the line contains a NUL byte"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = write_deck("bad.ini", bad[i].deck);
        if (strstr(bad[i].message, "NUL byte")) { /* a NUL cannot pass through fputs */
            FILE *f = fopen(path, "wb");
            fwrite("[prepare]\nseed = 1\0002\n", 1, 21, f);
            fclose(f);
        }
        char expected[1024];
        snprintf(expected, sizeof expected, "%s:%ld: %s", path, bad[i].line, bad[i].message);
        lc_deck *d = NULL;
        lc_error err = {{0}};
        CHECK_MSG(lc_deck_load(&d, path, 0, NULL, &err) == -1 && d == NULL, "deck %zu accepted", i);
        CHECK_MSG(strncmp(err.message, expected, strlen(expected)) == 0, "deck %zu:\n  want '%s'\n  got  '%s'", i,
                  expected, err.message);
    }

    /* libinih's buffer holds 198 characters: one more is refused, not split into two lines */
    char line[400];
    snprintf(line, sizeof line, "[prepare]\nid_column = %0*d\n", 198 - 12, 7);
    CHECK(strlen(strchr(line, '\n') + 1) == 199); /* 198 characters and the newline */
    const char *path = write_deck("long.ini", line);
    lc_deck *d = NULL;
    lc_error err = {{0}};
    CHECK_MSG(lc_deck_load(&d, path, 0, NULL, &err) == 0, "%s", err.message);
    if (d) CHECK(strlen(lc_deck_string(d, "prepare", "id_column")) == 198 - 12);
    lc_deck_free(d);
    snprintf(line, sizeof line, "[prepare]\nid_column = %0*d\n", 199 - 12, 7);
    path = write_deck("long.ini", line);
    d = NULL;
    CHECK(lc_deck_load(&d, path, 0, NULL, &err) == -1 && d == NULL);
    char expected[600];
    snprintf(expected, sizeof expected, "%s:2: line longer than 198 characters", path);
    CHECK_MSG(strncmp(err.message, expected, strlen(expected)) == 0, "got '%s'", err.message);
    /* comments are not bound by it */
    snprintf(line, sizeof line, "; %0*d\n[prepare]\nseed = 4\n", 300, 0);
    path = write_deck("long.ini", line);
    CHECK_MSG(lc_deck_load(&d, path, 0, NULL, &err) == 0, "%s", err.message);
    if (d) CHECK(lc_deck_int(d, "prepare", "seed") == 4);
    lc_deck_free(d);

    snprintf(expected, sizeof expected, "%s/missing.ini: cannot open the input deck: ", tmp);
    snprintf(line, sizeof line, "%s/missing.ini", tmp);
    d = NULL;
    CHECK(lc_deck_load(&d, line, 0, NULL, &err) == -1 && d == NULL);
    CHECK_MSG(strncmp(err.message, expected, strlen(expected)) == 0, "got '%s'", err.message);
    CHECK(lc_deck_load(&d, tmp, 0, NULL, &err) == -1 && strstr(err.message, "cannot read the input deck"));
}

static void test_paths(void) {
    char sub[512];
    snprintf(sub, sizeof sub, "%s/sub", tmp);
    CHECK(mkdir(sub, 0700) == 0);
    remember(sub);
    const char *path = write_deck("sub/paths.ini", "[prepare]\nsource = ../data/index.csv\n");
    lc_deck *d = NULL;
    lc_error err = {{0}};
    CHECK_MSG(lc_deck_load(&d, path, 0, NULL, &err) == 0, "%s", err.message);
    if (!d) return;
    char expected[4200];
    snprintf(expected, sizeof expected, "%s/../data/index.csv", sub);
    CHECK_MSG(strcmp(lc_deck_path(d, "prepare", "source"), expected) == 0, "%s", lc_deck_path(d, "prepare", "source"));
    CHECK(strcmp(lc_deck_string(d, "prepare", "source"), "../data/index.csv") == 0); /* as written */
    snprintf(expected, sizeof expected, "%s/training.h5", sub); /* a relative default sits beside the deck */
    CHECK_MSG(strcmp(lc_deck_path(d, "prepare", "output"), expected) == 0, "%s", lc_deck_path(d, "prepare", "output"));
    lc_deck_free(d);

    /* The deck named by a relative path, absolute and ./ values. */
    path = write_deck("sub/paths2.ini", "[prepare]\nsource = /data/structures\noutput = ./out.h5\n");
    (void)path;
    CHECK(chdir(tmp) == 0);
    d = NULL;
    CHECK_MSG(lc_deck_load(&d, "sub/paths2.ini", 0, NULL, &err) == 0, "%s", err.message);
    if (d) {
        CHECK(strcmp(lc_deck_path(d, "prepare", "source"), "/data/structures") == 0);
        snprintf(expected, sizeof expected, "%s/out.h5", sub);
        CHECK_MSG(strcmp(lc_deck_path(d, "prepare", "output"), expected) == 0, "%s",
                  lc_deck_path(d, "prepare", "output"));
    }
    lc_deck_free(d);
    CHECK(chdir(cwd) == 0);
}

static void check_same_values(const lc_deck *a, const lc_deck *b) {
    for (int k = 0; k < lc_deck_schema_count; k++) {
        const lc_deck_key *s = &lc_deck_schema[k];
        switch (s->type) {
        case LC_DECK_INT:
            CHECK_MSG(lc_deck_int(a, s->section, s->key) == lc_deck_int(b, s->section, s->key), "%s", s->key);
            break;
        case LC_DECK_DOUBLE:
            CHECK_MSG(lc_deck_double(a, s->section, s->key) == lc_deck_double(b, s->section, s->key), "%s", s->key);
            break;
        case LC_DECK_BOOL:
            CHECK_MSG(lc_deck_bool(a, s->section, s->key) == lc_deck_bool(b, s->section, s->key), "%s", s->key);
            break;
        case LC_DECK_PATH:
            CHECK_MSG(strcmp(lc_deck_path(a, s->section, s->key), lc_deck_path(b, s->section, s->key)) == 0,
                      "%s: %s vs %s", s->key, lc_deck_path(a, s->section, s->key), lc_deck_path(b, s->section, s->key));
            break;
        default:
            CHECK_MSG(strcmp(lc_deck_string(a, s->section, s->key), lc_deck_string(b, s->section, s->key)) == 0, "%s",
                      s->key);
        }
    }
}

static void test_resolved_text(void) {
    char sub[512];
    snprintf(sub, sizeof sub, "%s/decks", tmp);
    CHECK(mkdir(sub, 0700) == 0);
    remember(sub);
    const char *path = write_deck("decks/resolved.ini", "[prepare]\n"
                                                        "source = ../data/index.csv\n"
                                                        "symprec = 0.1\n"
                                                        "energy_max = -1e-2\n"
                                                        "id_column = name;with;semicolons\n"
                                                        "[run]\n"
                                                        "quiet = on\n");
    /* a long --set path: its comment no longer fits on the line and goes above it */
    char long_set[300];
    snprintf(long_set, sizeof long_set, "prepare.output=/%0*d/train.h5", 175, 0);
    const char *sets[] = {"prepare.max_sites = 16", long_set};
    lc_deck *d = NULL;
    lc_error err = {{0}};
    CHECK_MSG(lc_deck_load(&d, path, 2, sets, &err) == 0, "%s", err.message);
    if (!d) return;
    char *text = lc_deck_resolved_text(d);
    CHECK(strstr(text, "[prepare]\n") && strstr(text, "[run]\n"));
    CHECK(strstr(text, "; deck file: ") && strstr(text, "decks/resolved.ini\n"));
    char expected[4200];
    snprintf(expected, sizeof expected,
             "source = %s/../data/index.csv  ; deck line 2 (as written: ../data/index.csv)\n", sub);
    CHECK_MSG(strstr(text, expected) != NULL, "no '%s' in\n%s", expected, text);
    /* numbers are reprinted in their shortest exact form, plain digits where natural */
    CHECK(strstr(text, "energy_max = -0.01 ") != NULL);
    CHECK(strstr(text, "\nsymprec = 0.1 ") != NULL);
    CHECK(strstr(text, "\nmax_length = 50 ") != NULL);
    CHECK(strstr(text, "\nmax_angle = 150 ") != NULL);
    CHECK(strstr(text, "\ngmm_weight_threshold = 0.005 ") != NULL);
    CHECK(strstr(text, "; deck line 4") != NULL);
    CHECK(strstr(text, "max_sites = 16") != NULL && strstr(text, "; --set") != NULL);
    CHECK(strstr(text, "quiet = true") != NULL && strstr(text, "; deck line 7") != NULL);
    CHECK(strstr(text, "max_dof = 24") != NULL && strstr(text, "; default") != NULL);
    CHECK(strstr(text, "; output: --set\noutput = /0000") != NULL);
    /* every key is there */
    for (int k = 0; k < lc_deck_schema_count; k++) {
        char needle[128];
        snprintf(needle, sizeof needle, "\n%s = ", lc_deck_schema[k].key);
        CHECK_MSG(strstr(text, needle) != NULL, "%s missing", lc_deck_schema[k].key);
    }

    /* Load it back from another folder: the same values, all from the file now. */
    const char *again = write_deck("again.ini", text);
    lc_deck *e = NULL;
    CHECK_MSG(lc_deck_load(&e, again, 0, NULL, &err) == 0, "%s\n%s", err.message, text);
    if (e) {
        check_same_values(d, e);
        char *text2 = lc_deck_resolved_text(e);
        CHECK(strstr(text2, "; default") == NULL && strstr(text2, "; --set") == NULL);
        free(text2);
    }
    lc_deck_free(e);
    free(text);
    lc_deck_free(d);

    /* defaults only: loads back too */
    CHECK(lc_deck_load(&d, NULL, 0, NULL, &err) == 0);
    text = lc_deck_resolved_text(d);
    CHECK(strstr(text, "; deck file: none") != NULL);
    again = write_deck("again.ini", text);
    CHECK_MSG(lc_deck_load(&e, again, 0, NULL, &err) == 0, "%s", err.message);
    if (e) check_same_values(d, e);
    lc_deck_free(e);
    free(text);
    lc_deck_free(d);
}

static void test_help(void) {
    char *help = capture(lc_deck_print_help);
    char *markdown = capture(lc_deck_print_markdown);
    for (int s = 0; s < lc_deck_section_count; s++) {
        char needle[128];
        snprintf(needle, sizeof needle, "[%s]\n", lc_deck_sections[s].name);
        CHECK_MSG(strstr(help, needle) != NULL, "help lacks %s", needle);
        snprintf(needle, sizeof needle, "### [%s]\n", lc_deck_sections[s].name);
        CHECK_MSG(strstr(markdown, needle) != NULL, "markdown lacks %s", needle);
    }
    for (int k = 0; k < lc_deck_schema_count; k++) {
        const lc_deck_key *key = &lc_deck_schema[k];
        char needle[256];
        /* look for the key inside its own section: names like `output` recur in several sections */
        snprintf(needle, sizeof needle, "\n[%s]\n", key->section);
        const char *section = strstr(help, needle);
        CHECK_MSG(section != NULL, "help lacks [%s]", key->section);
        snprintf(needle, sizeof needle, "\n  %-22s ", key->key);
        const char *at = section ? strstr(section, needle) : NULL;
        CHECK_MSG(at != NULL, "help lacks %s", key->key);
        if (at && key->default_value[0]) {
            /* the key's line names its default */
            snprintf(needle, sizeof needle, "; default %s\n", key->default_value);
            const char *eol = strchr(at + 1, '\n');
            const char *def = strstr(at, needle);
            CHECK_MSG(def && def < eol + 1, "help: %s default", key->key);
        }
        snprintf(needle, sizeof needle, "| `%s` |", key->key);
        CHECK_MSG(strstr(markdown, needle) != NULL, "markdown lacks %s", key->key);
    }
    CHECK(strstr(help, "choice: auto, folder, list, csv; default auto\n") != NULL);
    CHECK(strstr(help, "integer in [1, 64]; default 8\n") != NULL);
    CHECK(strstr(help, "bool; default false\n") != NULL);

    /* docs/deck.md ends with the generated reference, verbatim */
    char path[4200];
    snprintf(path, sizeof path, "%s/docs/deck.md", LEGOCRYST_SOURCE_DIR);
    char *doc = read_text(path);
    CHECK_MSG(doc != NULL, "cannot read %s", path);
    static const char marker[] = "<!-- generated: legocryst help deck --markdown -->\n";
    const char *generated = doc ? strstr(doc, marker) : NULL;
    CHECK_MSG(generated != NULL, "docs/deck.md lacks the marker line");
    if (generated) {
        generated += strlen(marker);
        CHECK_MSG(strcmp(generated, markdown) == 0,
                  "docs/deck.md is out of date; regenerate its end with `legocryst help deck --markdown`");
    }
    free(doc);
    free(help);
    free(markdown);
}

/* The example decks load, and their sources resolve to what is checked in (and to ../shared when present). */
static void test_example_decks(void) {
    char path[4200], expected[4200];
    lc_deck *d = NULL;
    lc_error err = {{0}};
    snprintf(path, sizeof path, "%s/inputs/prepare_demo.ini", LEGOCRYST_SOURCE_DIR);
    CHECK_MSG(lc_deck_load(&d, path, 0, NULL, &err) == 0, "%s", err.message);
    if (d) {
        struct stat st;
        CHECK(stat(lc_deck_path(d, "prepare", "source"), &st) == 0 && S_ISDIR(st.st_mode));
        snprintf(expected, sizeof expected, "%s/inputs/structures", LEGOCRYST_SOURCE_DIR);
        CHECK_MSG(strcmp(lc_deck_path(d, "prepare", "source"), expected) == 0, "%s",
                  lc_deck_path(d, "prepare", "source"));
    }
    lc_deck_free(d);

    snprintf(path, sizeof path, "%s/inputs/prepare_sp2.ini", LEGOCRYST_SOURCE_DIR);
    d = NULL;
    CHECK_MSG(lc_deck_load(&d, path, 0, NULL, &err) == 0, "%s", err.message);
    if (d) {
        CHECK(strcmp(lc_deck_string(d, "prepare", "energy_column"), "reaxff_energy_eV_atom") == 0);
        CHECK(lc_deck_double(d, "prepare", "energy_max") == 0.0);
        snprintf(expected, sizeof expected, "%s/inputs/sp2_training.h5", LEGOCRYST_SOURCE_DIR);
        CHECK(strcmp(lc_deck_path(d, "prepare", "output"), expected) == 0);
        /* ../../shared from inputs/ is the shared folder beside the checkout */
        struct stat shared, source;
        snprintf(expected, sizeof expected, "%s/data/sp2_carbon/index.csv", LEGOCRYST_SHARED_DIR);
        if (stat(expected, &shared) == 0) {
            CHECK(stat(lc_deck_path(d, "prepare", "source"), &source) == 0);
            CHECK_MSG(source.st_dev == shared.st_dev && source.st_ino == shared.st_ino, "%s",
                      lc_deck_path(d, "prepare", "source"));
        } else {
            printf("skip  sp2 source check: %s is absent\n", expected);
        }
    }
    lc_deck_free(d);

    /* the pipeline decks: the main job's sources are the built-in sp2 set, the full campaign's match prepare_sp2 */
    snprintf(path, sizeof path, "%s/inputs/demo.ini", LEGOCRYST_SOURCE_DIR);
    d = NULL;
    CHECK_MSG(lc_deck_load(&d, path, 0, NULL, &err) == 0, "%s", err.message);
    if (d) {
        snprintf(expected, sizeof expected, "%s/inputs/sp2_carbon", LEGOCRYST_SOURCE_DIR);
        CHECK_MSG(strcmp(lc_deck_path(d, "prepare", "source"), expected) == 0, "%s", lc_deck_path(d, "prepare", "source"));
        CHECK(strcmp(lc_deck_path(d, "prepare", "output"), lc_deck_path(d, "train", "training_set")) == 0);
        CHECK(strcmp(lc_deck_path(d, "train", "checkpoint"), lc_deck_path(d, "sample", "checkpoint")) == 0);
    }
    lc_deck_free(d);
    snprintf(path, sizeof path, "%s/inputs/campaign_sp2.ini", LEGOCRYST_SOURCE_DIR);
    d = NULL;
    CHECK_MSG(lc_deck_load(&d, path, 0, NULL, &err) == 0, "%s", err.message);
    if (d) {
        CHECK(lc_deck_int(d, "campaign", "candidates") == 100000);
        CHECK(strcmp(lc_deck_path(d, "prepare", "output"), lc_deck_path(d, "train", "training_set")) == 0);
        CHECK(strcmp(lc_deck_path(d, "train", "checkpoint"), lc_deck_path(d, "sample", "checkpoint")) == 0);
    }
    lc_deck_free(d);
}

/* Reading a key the schema lacks, or with the wrong type, is a bug in the caller: exit status 1. */
static int exits_internal(void (*fn)(const lc_deck *), const lc_deck *d) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr)) _exit(99);
        fn(d);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == LC_EXIT_INTERNAL;
}
static void read_unknown(const lc_deck *d) { (void)lc_deck_int(d, "prepare", "no_such_key"); }
static void read_wrong_type(const lc_deck *d) { (void)lc_deck_double(d, "prepare", "max_sites"); }
static void read_path_of_string(const lc_deck *d) { (void)lc_deck_path(d, "prepare", "file_column"); }

static void test_misuse_is_fatal(void) {
    lc_deck *d = NULL;
    lc_error err = {{0}};
    CHECK(lc_deck_load(&d, NULL, 0, NULL, &err) == 0);
    CHECK(exits_internal(read_unknown, d));
    CHECK(exits_internal(read_wrong_type, d));
    CHECK(exits_internal(read_path_of_string, d));
    lc_deck_free(d);
}

int main(void) {
    if (!getcwd(cwd, sizeof cwd)) return EXIT_FAILURE;
    snprintf(tmp, sizeof tmp, "/tmp/test_deck.XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    RUN_TEST(test_defaults);
    RUN_TEST(test_schema);
    RUN_TEST(test_file_values);
    RUN_TEST(test_overrides);
    RUN_TEST(test_errors);
    RUN_TEST(test_paths);
    RUN_TEST(test_resolved_text);
    RUN_TEST(test_help);
    RUN_TEST(test_example_decks);
    RUN_TEST(test_misuse_is_fatal);
    for (int i = n_created - 1; i >= 0; i--) remove(created[i]);
    rmdir(tmp);
    return test_summary();
}
