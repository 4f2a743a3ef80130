/* commands.h — the subcommands of the soma program, each taking its own argv. */
#ifndef SOMA_COMMANDS_H
#define SOMA_COMMANDS_H

int cmd_bench(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_worlds(int argc, char **argv);

#endif
