/* models_cmd.c — `soma models [NAME]`, `soma rules [NAME]` and `soma worlds [NAME]`: the
 * catalogues of neuron models, learning rules and environments, with their parameter tables. */
#include <stdio.h>
#include <string.h>

#include "app/commands.h"
#include "envs/env.h"
#include "sim/param.h"
#include "sim/soma.h"

typedef struct catalogue {
  const char *cmd, *noun, *help;
  int (*count)(void);
  const char *(*name)(int);
  int (*describe)(const char *, FILE *);
} catalogue;

static int list_or_describe(const catalogue *c, int argc, char **argv) {
  if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    printf("usage: soma %s [NAME]\n\n%s\n", c->cmd, c->help);
    return 0;
  }
  if (argc < 2) {
    for (int i = 0; i < c->count(); i++) puts(c->name(i));
    return 0;
  }
  for (int k = 1; k < argc; k++) {
    if (c->describe(argv[k], stdout) != SOMA_OK) {
      const char *known[64];
      int n = c->count() < 64 ? c->count() : 64;
      for (int i = 0; i < n; i++) known[i] = c->name(i);
      const char *guess = soma_closest_name(argv[k], known, n);
      fprintf(stderr, "soma %s: unknown %s '%s'", c->cmd, c->noun, argv[k]);
      if (guess) fprintf(stderr, " (did you mean '%s'?)", guess);
      fprintf(stderr, "; 'soma %s' lists them\n", c->cmd);
      return 2;
    }
    if (k + 1 < argc) putchar('\n');
  }
  return 0;
}

int cmd_models(int argc, char **argv) {
  static const catalogue c = {"models", "model",
                              "Lists the neuron models; with NAME, prints its parameters (units, "
                              "defaults), state variables and receptor ports.",
                              soma_model_count, soma_model_name, soma_model_describe};
  return list_or_describe(&c, argc, argv);
}

int cmd_rules(int argc, char **argv) {
  static const catalogue c = {"rules", "learning rule",
                              "Lists the learning rules; with NAME, prints its parameters (units, "
                              "defaults) and whether it reads a neuromodulator.",
                              soma_rule_count, soma_rule_name, soma_rule_describe};
  return list_or_describe(&c, argc, argv);
}

int cmd_worlds(int argc, char **argv) {
  static const catalogue c = {"worlds", "world",
                              "Lists the environments (soma.env.<name>{...} in Lua); with NAME, "
                              "prints its options (defaults, ranges) and the latents it reports.",
                              soma_world_count, soma_world_name, soma_world_describe_name};
  return list_or_describe(&c, argc, argv);
}
