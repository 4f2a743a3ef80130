/* fixtures.h — helpers shared by the C tests: creating networks, populations and
 * projections, printing soma's message when creation fails (the caller checks for NULL). */
#ifndef SOMA_FIXTURES_H
#define SOMA_FIXTURES_H

#include <stdio.h>

#include "sim/soma.h"

static inline soma_net *tf_net(soma_net_config c) {
  char err[256];
  soma_net *net = soma_net_create(&c, err, sizeof err);
  if (!net) printf("  net: %s\n", err);
  return net;
}

static inline soma_pop *tf_pop(soma_net *net, const char *name, const char *model, int n,
                               const soma_param *params) {
  soma_pop *p = soma_pop_create(net, name, model, n, params);
  if (!p) printf("  pop %s: %s\n", name, soma_net_errmsg(net));
  return p;
}

static inline soma_proj *tf_proj(soma_net *net, const char *name, soma_pop *a, soma_pop *b,
                                 const soma_conn *c) {
  soma_proj *p = soma_proj_create(net, name, a, b, c);
  if (!p) printf("  projection %s: %s\n", name, soma_net_errmsg(net));
  return p;
}

#endif
