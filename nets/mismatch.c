/* mismatch.c — positive and negative prediction-error populations. */
#include "mismatch.h"

#include <math.h>
#include <stdio.h>

int soma_nets_mismatch(soma_net *net, const char *name, soma_pop *actual, soma_pop *prediction,
                       double w, soma_pop **pos, soma_pop **neg) {
  int n = soma_pop_size(actual);
  if (soma_pop_size(prediction) != n)
    return soma_net_fail(net, SOMA_ERR_PARAM, "mismatch '%s': the input ('%s', %d neurons) and its "
                         "prediction ('%s', %d) must have the same size: neuron i predicts neuron i",
                         name, soma_pop_name(actual), n, soma_pop_name(prediction),
                         soma_pop_size(prediction));
  if (!(w > 0) || !isfinite(w))
    return soma_net_fail(net, SOMA_ERR_PARAM, "mismatch '%s': the weight must be > 0 pA (got %g)", name, w);
  char pn[80], nn[80], proj[200];
  snprintf(pn, sizeof pn, "%s_pos", name);
  snprintf(nn, sizeof nn, "%s_neg", name);
  soma_pop *p = soma_pop_create(net, pn, "lif", n, NULL);
  soma_pop *q = p ? soma_pop_create(net, nn, "lif", n, NULL) : NULL;
  if (!q) return SOMA_ERR_PARAM;
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_ONE_TO_ONE;
  struct {
    soma_pop *from, *to;
    double weight;
    const char *port;
  } links[4] = {{actual, p, w, "ex"}, {prediction, p, -w, "in"}, {prediction, q, w, "ex"}, {actual, q, -w, "in"}};
  for (int k = 0; k < 4; k++) {
    c.weight = soma_dist_const(links[k].weight);
    c.port = links[k].port;
    snprintf(proj, sizeof proj, "%s->%s", soma_pop_name(links[k].from), soma_pop_name(links[k].to));
    if (!soma_proj_create(net, proj, links[k].from, links[k].to, &c)) return SOMA_ERR_PARAM;
  }
  *pos = p;
  *neg = q;
  return SOMA_OK;
}
