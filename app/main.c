/* main.c — the soma command: dispatches to its subcommands. */
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/commands.h"
#include "sim/param.h"
#include "sim/soma.h"

static const char *usage =
    "soma " SOMA_VERSION " — a spiking-network simulator for adaptive agents\n"
    "\n"
    "usage: soma COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run       run a Lua experiment script: soma run SCRIPT.lua [--seed N] [--set k=v ...]\n"
    "  sweep     run a script at many parameter points: soma sweep SCRIPT.lua --grid g=4,5,6\n"
    "  fit       fit a joint brain-behaviour model to a run and write its scorecard: soma fit RUN\n"
    "  demo      simulate the COBA network and write a run directory with data and figures\n"
    "  bench     simulate a standard network (coba, cuba, brunel) and report its speed\n"
    "  models    list the neuron models, or describe one: soma models lif_cond\n"
    "  rules     list the learning rules, or describe one: soma rules stdp\n"
    "  worlds    list the environments, or describe one: soma worlds grid\n"
    "\n"
    "Run 'soma COMMAND --help' for a command's options. 'soma --version' prints the version.\n";

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    fputs(usage, stdout);
    return 0;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
    printf("soma %s\n", SOMA_VERSION);
    return 0;
  }
  if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
  if (!strcmp(cmd, "sweep")) return cmd_sweep(argc - 1, argv + 1);
  if (!strcmp(cmd, "fit")) return cmd_fit(argc - 1, argv + 1);
  if (!strcmp(cmd, "bench")) return cmd_bench(argc - 1, argv + 1);
  if (!strcmp(cmd, "demo")) return cmd_demo(argc - 1, argv + 1);
  if (!strcmp(cmd, "models")) return cmd_models(argc - 1, argv + 1);
  if (!strcmp(cmd, "rules")) return cmd_rules(argc - 1, argv + 1);
  if (!strcmp(cmd, "worlds")) return cmd_worlds(argc - 1, argv + 1);
  static const char *const known[] = {"run", "demo", "bench", "models", "rules", "worlds", "sweep", "fit", "--help", "--version", NULL};
  const char *guess = soma_closest_name(cmd, known, (int)(sizeof known / sizeof *known) - 1);
  fprintf(stderr, "soma: unknown command '%s'", cmd);
  if (guess) fprintf(stderr, " (did you mean '%s'?)", guess);
  fprintf(stderr, "; see 'soma --help'\n");
  return 2;
}
