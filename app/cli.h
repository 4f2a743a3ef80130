/* cli.h — parsing command-line values with messages that name the flag and the fix. */
#ifndef SOMA_CLI_H
#define SOMA_CLI_H

/* Each returns 0, or prints "soma CMD: --flag: ..." to stderr and returns 2 (usage error). */
int cli_long(const char *cmd, const char *flag, const char *text, long lo, long hi, long *out);
int cli_double(const char *cmd, const char *flag, const char *text, double lo, double hi,
               double *out);
/* The value after flag argv[*i] (advancing *i), or NULL after printing an error. */
const char *cli_value(const char *cmd, int argc, char **argv, int *i);
/* Monotonic wall-clock time in seconds. */
double cli_now(void);
/* A progress callback for soma_net_set_progress: one line on stderr, redrawn in place. */
int cli_progress(void *user, double t_ms, double end_ms);
/* Prints "soma CMD: unknown option '--x' (did you mean '--y'?); see soma CMD --help". */
int cli_unknown(const char *cmd, const char *arg, const char *const *known);

#endif
