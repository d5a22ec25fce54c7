/* legocryst subcommands. Each returns the process exit status (LC_EXIT_*), prints user errors itself as
 * `legocryst: error: ...`, and runs its output on rank 0 only. */
#ifndef LEGOCRYST_CLI_CLI_H
#define LEGOCRYST_CLI_CLI_H

int lc_cmd_info(int argc, char **argv);
int lc_cmd_wyckoff(int argc, char **argv);
int lc_cmd_prepare(int argc, char **argv);
int lc_cmd_relax(int argc, char **argv);
int lc_cmd_campaign(int argc, char **argv);
int lc_cmd_export(int argc, char **argv);
int lc_cmd_report(int argc, char **argv);
int lc_cmd_train(int argc, char **argv);
int lc_cmd_sample(int argc, char **argv);
int lc_cmd_version(int argc, char **argv);

/* Prints "legocryst: error: <message>" and returns LC_EXIT_USER. */
int lc_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses a whole string as a double / int; -1 when it is not one. */
int lc_cli_parse_double(const char *text, double *value);
int lc_cli_parse_int(const char *text, int *value);

#endif
