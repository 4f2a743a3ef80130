/* models_cmd.c — `soma models [NAME]`: the neuron models and their parameter tables. */
#include <stdio.h>
#include <string.h>

#include "app/commands.h"
#include "sim/soma.h"

int cmd_models(int argc, char **argv) {
  if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    puts("usage: soma models [NAME]\n\nLists the neuron models; with NAME, prints its "
         "parameters (units, defaults), state variables and receptor ports.");
    return 0;
  }
  if (argc < 2) {
    for (int i = 0; i < soma_model_count(); i++) puts(soma_model_name(i));
    return 0;
  }
  for (int k = 1; k < argc; k++) {
    if (soma_model_describe(argv[k], stdout) != SOMA_OK) {
      fprintf(stderr, "soma models: unknown model '%s'; 'soma models' lists them\n", argv[k]);
      return 2;
    }
    if (k + 1 < argc) putchar('\n');
  }
  return 0;
}
