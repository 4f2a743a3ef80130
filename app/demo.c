/* demo.c — placeholder until the demo writes its run directory. */
#include <stdio.h>
#include "app/commands.h"
int cmd_demo(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "not yet\n"); return 1; }
