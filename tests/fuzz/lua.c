/* lua.c — fuzz target for the Lua API: the input bytes choose a script of up to 24 calls
 * (soma.net, net:pop, net:connect, pop:set, proj:plastic, net:record, net:run, modulators,
 * environments, agents and one short episode, arrays, distributions, figures, soma.log,
 * net:destroy and stale objects, ...), each with tables whose keys come from the real parameter tables (and misspellings)
 * and whose values are edge cases of every type (NaN, infinities, huge and negative numbers,
 * strings, booleans, tables, distributions, other soma objects, functions). Each call runs
 * under pcall in a fresh Lua state with the soma module, as `soma run` opens it; every error
 * must be a message (a string), never a crash, a sanitizer report or a leak. Sizes (neurons,
 * degrees, simulated time) are kept small so an execution takes about a millisecond. The
 * generated script is printed by FUZZ_PRINT=1 (to reproduce a finding with soma run). */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <signal.h>
#include <stdarg.h>

#include "app/lua_soma.h"
#include "envs/env.h"
#include "sim/model.h"
#include "sim/plastic.h"
#include "tests/fuzz/fuzz.h"

typedef struct out {
  char *s;
  size_t n, cap;
} out;

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int k = vsnprintf(o->s + o->n, o->cap - o->n, fmt, ap);
    va_end(ap);
    if (k < 0) abort();
    if (o->n + (size_t)k < o->cap) {
      o->n += (size_t)k;
      return;
    }
    o->cap = (o->n + (size_t)k + 1) * 2;
    if (!(o->s = realloc(o->s, o->cap))) abort();
  }
}

/* ---- names from the real tables --------------------------------------------------------- */

static const char *names[1024];
static int n_names;

static void add_name(const char *s) {
  for (int i = 0; i < n_names; i++)
    if (!strcmp(names[i], s)) return;
  if (n_names < 1024) names[n_names++] = s;
}

static void collect_names(void) {
  for (int m = 0; m < soma_model_count(); m++) {
    const soma_model *d = soma_model_at(m);
    for (int i = 0; i < d->n_params; i++) add_name(d->params[i].name);
    for (int i = 0; i < d->n_vars; i++) add_name(d->vars[i].name);
  }
  for (int r = 0; r < soma_rule_count(); r++) {
    const soma_rule *d = soma__rule_find(soma_rule_name(r));
    for (int i = 0; i < d->n_params; i++) add_name(d->params[i].name);
  }
  for (const soma_world *const *w = soma_worlds(); *w; w++) {
    for (int i = 0; i < (*w)->n_params; i++) add_name((*w)->params[i].name);
    for (int i = 0; i < (*w)->n_strs; i++) add_name((*w)->strs[i].name);
    for (int i = 0; i < (*w)->n_lists; i++) add_name((*w)->lists[i].name);
  }
  static const char *const api[] = {"name", "model", "rule", "p", "weight", "delay", "port",
                                    "autapses", "multapses", "pre_ids", "post_ids", "ids",
                                    "interval", "stream", "tonic", "tau", "target", "gain",
                                    "every", "kind", "lambda", "xi", "preset", "modulator",
                                    "plasticity", "rate", "max_rate", "dt", "seed", "chunk",
                                    "stepping", "max_delay", "record", "obs", "map", "goal",
                                    "tua_m", "V_M", "wieght", "scaling", "consolidation"};
  for (size_t i = 0; i < sizeof api / sizeof *api; i++) add_name(api[i]);
}

/* ---- values ------------------------------------------------------------------------------- */

static void number(out *o, fuzz_in *in) {
  static const char *const lits[] = {"0", "1", "-1", "0.5", "2", "10", "-20", "100", "1e-3",
                                     "0/0", "1/0", "-1/0", "1e308", "-1e308", "3.5e38",
                                     "math.maxinteger", "math.mininteger", "2^31", "2^53",
                                     "-0.0", "1.5", "0.1", "1000", "4e9", "5e-324", "65536"};
  unsigned k = fuzz_pick(in, sizeof lits / sizeof *lits + 2);
  if (k < sizeof lits / sizeof *lits) put(o, "%s", lits[k]);
  else put(o, "%d", (int)fuzz_byte(in) - 100);
}

/* a short string literal: letters, digits and a few marks, never a path from the root */
static void string(out *o, fuzz_in *in) {
  static const char *const fixed[] = {"lif", "lif_cond", "adex", "izhikevich", "poisson",
                                      "spike_source", "stdp", "triplet", "pred_error", "ex",
                                      "in", "spikes", "V_m", "bernoulli", "all_to_all", "",
                                      "../x", "auto", "serial", "position", "both",
                                      "maps/tmaze.txt", "maps/labyrinth.txt", "dopamine"};
  unsigned k = fuzz_pick(in, sizeof fixed / sizeof *fixed + 1);
  if (k < sizeof fixed / sizeof *fixed) {
    put(o, "\"%s\"", fixed[k]);
    return;
  }
  static const char alpha[] = "abcdefghijklmnopqrstuvwxyzVEI_0123456789.- ";
  put(o, "\"");
  for (unsigned n = fuzz_pick(in, 12); n > 0; n--) put(o, "%c", alpha[fuzz_pick(in, sizeof alpha - 1)]);
  put(o, "\"");
}

static void value(out *o, fuzz_in *in, int depth);

static void table(out *o, fuzz_in *in, int depth) {
  put(o, "{");
  for (unsigned n = fuzz_pick(in, 5); n > 0; n--) {
    value(o, in, depth + 1);
    put(o, ", ");
  }
  put(o, "}");
}

static void dist(out *o, fuzz_in *in, int depth) {
  static const char *const kinds[] = {"uniform", "normal", "lognormal", "exponential", "gamma",
                                      "constant"};
  put(o, "soma.%s(", kinds[fuzz_pick(in, 6)]);
  number(o, in);
  put(o, ", ");
  number(o, in);
  put(o, ")");
  if (fuzz_byte(in) & 1) {
    put(o, ":clip(");
    number(o, in);
    put(o, ", ");
    if (depth < 2 && (fuzz_byte(in) & 1)) value(o, in, depth + 1);
    else number(o, in);
    put(o, ")");
  }
}

static void value(out *o, fuzz_in *in, int depth) {
  static const char *const objs[] = {"nil", "true", "false", "N", "P1", "P2", "J1", "R1", "E",
                                     "A", "M", "G", "function() end", "{{}}", "soma"};
  unsigned k = fuzz_pick(in, 16);
  if (k < 7) number(o, in);
  else if (k < 9) string(o, in);
  else if (k < 11 && depth < 3) table(o, in, depth);
  else if (k < 13 && depth < 3) dist(o, in, depth);
  else put(o, "%s", objs[fuzz_pick(in, sizeof objs / sizeof *objs)]);
}

static void key(out *o, fuzz_in *in) {
  unsigned k = fuzz_byte(in);
  if (k < 240) put(o, "%s", names[k % n_names]);
  else put(o, "[%u]", k - 239);   /* array part */
}

/* {k = v, ...} with fixed entries first */
static void options(out *o, fuzz_in *in, const char *fixed) {
  put(o, "{%s%s", fixed, *fixed ? ", " : "");
  for (unsigned n = fuzz_pick(in, 5); n > 0; n--) {
    key(o, in);
    put(o, " = ");
    value(o, in, 0);
    put(o, ", ");
  }
  put(o, "}");
}

/* small whole numbers for sizes, with a few bad ones */
static const char *size_lit(fuzz_in *in) {
  static const char *const s[] = {"1", "2", "3", "10", "20", "40", "0", "-1", "1.5", "0/0",
                                  "\"10\"", "2^31"};
  return s[fuzz_pick(in, sizeof s / sizeof *s)];
}

static const char *ms_lit(fuzz_in *in) {
  static const char *const s[] = {"1", "2", "0.1", "0", "5", "-1", "0/0", "1/0", "0.05",
                                  "1e-9", "\"1\"", "nil"};
  return s[fuzz_pick(in, sizeof s / sizeof *s)];
}

static const char *pop_var(fuzz_in *in) {
  static const char *const s[] = {"P1", "P2", "P3"};
  return s[fuzz_pick(in, 3)];
}

static void statement(out *o, fuzz_in *in) {
  char fixed[256];
  put(o, "check(pcall(function() ");
  switch (fuzz_pick(in, 25)) {
    case 0:
    case 1: {
      static const char *const th[] = {"1", "1", "2", "0", "3000"};
      snprintf(fixed, sizeof fixed, "threads = %s", th[fuzz_pick(in, 5)]);
      put(o, "N = soma.net");
      options(o, in, fixed);
      break;
    }
    case 2:
    case 3:
    case 4: {
      static const char *const models[] = {"\"lif\"", "\"lif_cond\"", "\"lif_alpha\"",
                                           "\"adex\"", "\"izhikevich\"", "\"poisson\"",
                                           "\"spike_source\"", "\"lfi\"", "3"};
      snprintf(fixed, sizeof fixed, "name = \"p%u\", model = %s, n = %s", fuzz_pick(in, 4),
               models[fuzz_pick(in, 9)], size_lit(in));
      put(o, "%s = N:pop", pop_var(in));
      options(o, in, fixed);
      break;
    }
    case 5:
    case 6: {
      static const char *const rules[] = {"all_to_all", "one_to_one", "bernoulli",
                                          "fixed_indegree", "fixed_outdegree", "list", "bernouli"};
      snprintf(fixed, sizeof fixed, "rule = \"%s\", k = %s", rules[fuzz_pick(in, 7)], size_lit(in));
      put(o, "J%u = N:connect(%s, %s, ", 1 + fuzz_pick(in, 2), pop_var(in), pop_var(in));
      options(o, in, fixed);
      put(o, ")");
      break;
    }
    case 7:
      put(o, "%s:set", pop_var(in));
      options(o, in, "");
      break;
    case 8:
      put(o, "local v = %s:get(", pop_var(in));
      string(o, in);
      put(o, "); if type(v) ~= 'number' then v[1] = ");
      number(o, in);
      put(o, " end");
      break;
    case 9:
      put(o, "J%u:set_weights(", 1 + fuzz_pick(in, 2));
      value(o, in, 0);
      put(o, ")");
      break;
    case 10: {
      static const char *const rules[] = {"\"stdp\"", "\"triplet\"", "\"pred_error\"",
                                          "\"td_ltp\"", "\"da_stdp\"", "\"stpd\"", "nil"};
      snprintf(fixed, sizeof fixed, "rule = %s", rules[fuzz_pick(in, 7)]);
      put(o, "J%u:plastic", 1 + fuzz_pick(in, 2));
      options(o, in, fixed);
      break;
    }
    case 11: {
      static const char *const what[] = {"\"spikes\"", "\"V_m\"", "\"w\"", "\"I_e\"", "\"g_ex\"",
                                         "\"rate\"", "\"x\""};
      put(o, "R1 = N:record(%s, %s, ", pop_var(in), what[fuzz_pick(in, 7)]);
      options(o, in, "");
      put(o, ")");
      break;
    }
    case 12:
    case 13: put(o, "N:run(%s)", ms_lit(in)); break;
    case 14:
      put(o, "M = N:modulator");
      options(o, in, "name = \"dopamine\"");
      put(o, "; M:add(");
      number(o, in);
      put(o, ")");
      break;
    case 15: {
      static const char *const worlds[] = {"grid", "watermaze", "forage", "bandit", "reach",
                                           "gird"};
      put(o, "E = soma.env.%s", worlds[fuzz_pick(in, 6)]);
      options(o, in, "");
      put(o, "; E:reset()");
      break;
    }
    case 16:
      put(o, "E:step(");
      value(o, in, 0);
      put(o, ")");
      break;
    case 17:
      put(o, "E:set");
      options(o, in, "");
      break;
    case 18:
      put(o, "A = soma.array(");
      table(o, in, 0);
      put(o, "); A[%s] = ", size_lit(in));
      number(o, in);
      put(o, "; local s = A:sum()");
      break;
    case 19: {
      static const char *const how[] = {"add_spikes(", "schedule(\"I_e\", ", "schedule(\"rate\", "};
      put(o, "%s:%s", pop_var(in), how[fuzz_pick(in, 3)]);
      table(o, in, 0);
      put(o, ", ");
      table(o, in, 0);
      put(o, ")");
      break;
    }
    case 20:
      put(o, "%s:poisson_input", pop_var(in));
      options(o, in, "");
      break;
    case 21:
      if (fuzz_byte(in) & 1) {
        put(o, "soma.log");
        options(o, in, "");
      } else {
        static const char *const px[] = {"16", "100", "0", "-5", "9000", "0/0", "1e9", "nil"};
        snprintf(fixed, sizeof fixed, "width = %s, height = %s", px[fuzz_pick(in, 8)],
                 px[fuzz_pick(in, 8)]);
        put(o, "G = soma.figure");
        options(o, in, fixed);
        put(o, "; local ax = G:axes");
        options(o, in, "");
        put(o, "; ax:line(");
        table(o, in, 0);
        put(o, ", ");
        table(o, in, 0);
        put(o, ")");
      }
      break;
    case 22:
      if (fuzz_byte(in) & 1) put(o, "N:destroy()");
      else put(o, "J%u:rule_param(\"%s\", ", 1 + fuzz_pick(in, 2), names[fuzz_byte(in) % n_names]),
           number(o, in), put(o, ")");
      break;
    case 23: {   /* agents: a world first, then an agent with options, one short episode */
      static const char *const worlds[] = {"bandit{}", "grid{ map = \"maps/tmaze.txt\" }",
                                           "reach{}"};
      static const char *const kinds[] = {"actor_critic", "qlearning", "dynaq", "dynaq_plus",
                                          "random_walk", "actor_critc"};
      static const char *const keys[] = {"input", "encoder", "replay", "td", "seed", "step_ms",
                                         "lr_actor", "lr_critic", "temperature", "epsilon",
                                         "planning", "alpha", "gamma", "max_states", "n_critic",
                                         "group", "replay_capacity", "plan", "tau_e", "w_max",
                                         "kappa", "prioritized", "record", "threads"};
      put(o, "E = soma.env.%s; local a = soma.agent.%s{ env = E, ", worlds[fuzz_pick(in, 3)],
          kinds[fuzz_pick(in, 6)]);
      for (unsigned n = fuzz_pick(in, 4); n > 0; n--) {
        put(o, "%s = ", keys[fuzz_pick(in, sizeof keys / sizeof *keys)]);
        value(o, in, 1);
        put(o, ", ");
      }
      static const char *const steps[] = {"1", "3", "5", "4", "-1", "1.5", "2"};
      put(o, "}; a:episode{ max_steps = %s }", steps[fuzz_pick(in, 7)]);
      break;
    }
    default: {
      static const char *const how[] = {"scaling", "consolidation", "fast_slow"};
      put(o, "J%u:%s", 1 + fuzz_pick(in, 2), how[fuzz_pick(in, 3)]);
      options(o, in, "");
      break;
    }
  }
  put(o, " end))\n");
}

/* check(ok, err): an error must be a message, and one that names what it is about */
static int check(lua_State *L) {
  if (lua_toboolean(L, 1)) return 0;
  FUZZ_ASSERT(lua_type(L, 2) == LUA_TSTRING, "an error that is not a message: %s",
              luaL_typename(L, 2));
  const char *msg = lua_tostring(L, 2);
  FUZZ_ASSERT(msg[0] && !strstr(msg, "(null)"), "message: '%s'", msg);
  return 0;
}

static int run_script(lua_State *L) {
  const char *text = lua_touserdata(L, 1);
  if (luaL_loadstring(L, text) != LUA_OK) return lua_error(L);
  lua_call(L, 0, 0);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static volatile sig_atomic_t stop;
  if (!n_names) collect_names();
  fuzz_in in = {data, size};
  out o = {malloc(1024), 0, 1024};
  if (!o.s) return 0;
  o.s[0] = 0;
  put(&o, "local N, P1, P2, P3, J1, J2, R1, E, A, M, G = soma.net{}\n");
  for (int k = 0; k < 24 && !fuzz_empty(&in); k++) statement(&o, &in);
  if (getenv("FUZZ_PRINT")) fputs(o.s, stdout), fflush(stdout);

  lsoma_run run;
  memset(&run, 0, sizeof run);
  run.dir = fuzz_dir();
  run.seed = 1;
  run.threads = 1;
  run.headless = 1;
  run.stop = &stop;
  lua_State *L = luaL_newstate();
  if (!L) abort();
  luaL_openlibs(L);
  lsoma_open(L, &run);
  lua_register(L, "check", check);
  lua_pushcfunction(L, run_script);
  lua_pushlightuserdata(L, o.s);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK)   /* the generated text itself must compile */
    FUZZ_ASSERT(0, "the generated script fails: %s\n%s", lua_tostring(L, -1), o.s);
  char err[1024];
  lsoma_close_all(L, err, sizeof err);
  lua_close(L);
  free(run.nets_json);
  free(run.envs_json);
  free(run.agents_json);
  free(o.s);
  return 0;
}
