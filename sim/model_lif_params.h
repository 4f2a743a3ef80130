/* model_lif_params.h — the parameters shared by the current-based LIF models (lif,
 * lif_alpha): NEST's iaf_psc_* names, units and defaults, in one order for both. */
#ifndef SOMA_MODEL_LIF_PARAMS_H
#define SOMA_MODEL_LIF_PARAMS_H

#include "model.h"

enum { LIF_C_M, LIF_TAU_M, LIF_TAU_EX, LIF_TAU_IN, LIF_T_REF, LIF_E_L, LIF_V_RESET, LIF_V_TH,
       LIF_N_PARAMS };

/* the rows, with `syn` naming the synaptic time constants (e.g. "synaptic time constant") */
#define SOMA_LIF_PARAMS(syn)                                                             \
  SOMA_PARAM_C_M(250), SOMA_PARAM_MS("tau_m", 10, "membrane time constant"),             \
      SOMA_PARAM_MS("tau_syn_ex", 2, "excitatory " syn),                                \
      SOMA_PARAM_MS("tau_syn_in", 2, "inhibitory " syn), SOMA_PARAM_T_REF(2),           \
      SOMA_PARAM_MV("E_L", -70, "resting potential"),                                    \
      SOMA_PARAM_MV("V_reset", -70, "reset potential"),                                  \
      SOMA_PARAM_MV("V_th", -55, "spike threshold")

#endif
