/* test_joint_rundir.c — the run-directory reader (joint/rundir.c) on a directory the test
 * writes itself (meta.json as soma run writes it, spikes of two networks and an agent, a
 * behaviour file, a state recording): the index, spikes, behaviour columns by name, binning
 * and alignment with cropping, and each damaged or missing file named in its message. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_matrix.h>

#include "harness.h"
#include "joint/rundir.h"
#include "joint_files.h"
#include "sim/npy.h"
#include "sim/soma.h"

static const char *META =
    "{\"command\": \"soma run\", \"status\": \"ok\", \"seed\": 1,\n"
    " \"networks\": [{\"number\": 1, \"name\": \"\", \"folder\": \".\", \"description\": {\n"
    "   \"dt_ms\": 0.1, \"time_ms\": 100, \"populations\": [\n"
    "    {\"name\": \"E\", \"model\": \"lif\", \"size\": 3, \"spikes\": 4},\n"
    "    {\"name\": \"I\", \"model\": \"lif\", \"size\": 2, \"spikes\": 1},\n"
    "    {\"name\": \"ext\", \"model\": \"poisson\", \"size\": 9, \"spikes\": 0}],\n"
    "   \"recordings\": [\n"
    "    {\"name\": \"E.spikes\", \"population\": \"E\", \"kind\": \"spikes\", \"spikes\": 4},\n"
    "    {\"name\": \"I.spikes\", \"population\": \"I\", \"kind\": \"spikes\", \"spikes\": 1},\n"
    "    {\"name\": \"E.V_m\", \"population\": \"E\", \"kind\": \"state\", \"variable\": \"V_m\",\n"
    "     \"unit\": \"mV\", \"file\": \"E.V_m.npy\", \"t0_ms\": 5, \"interval_ms\": 10,\n"
    "     \"samples\": 10, \"ids\": [0, 2]}]}},\n"
    "  {\"number\": 2, \"name\": \"\", \"folder\": \"net2\", \"description\": {\n"
    "   \"dt_ms\": 0.1, \"time_ms\": 40, \"populations\": [{\"name\": \"E\", \"size\": 2}],\n"
    "   \"recordings\": [{\"name\": \"E.spikes\", \"population\": \"E\", \"kind\": "
    "\"spikes\"}]}}],\n"
    " \"environments\": [{\"number\": 1, \"name\": \"env\", \"world\": \"grid\",\n"
    "   \"file\": \"behaviour.npy\", \"rows\": 4, \"columns\": [\"episode\", \"step\", \"t_ms\",\n"
    "   \"action\", \"reward\", \"terminated\", \"truncated\", \"x\", \"node\"]}],\n"
    " \"agents\": [{\"name\": \"rat\", \"folder\": \"rat\"}, {\"name\": \"quiet\", \"folder\": "
    "\"quiet\"}]}\n";

static const char *AGENT_META =
    "{\"soma_version\": \"0.1.0\", \"net\": {\"dt_ms\": 1, \"time_ms\": 50,\n"
    " \"populations\": [{\"name\": \"critic\", \"size\": 2}],\n"
    " \"recordings\": [{\"name\": \"critic.spikes\", \"population\": \"critic\", \"kind\": "
    "\"spikes\"}]}}";

/* behaviour: episode, step, t_ms, action, reward, terminated, truncated, x, node */
static const double BEH[4][9] = {
  {1, 0, 15, NAN, 0, 0, 0, 0, 7},
  {1, 1, 16, 2, 0, 0, 0, 1, 8},
  {1, 2, 25, 1, 0, 0, 0, 2, 9},
  {1, 3, 47, 0, 1, 1, 0, 3, 9},
};

static void spikes(const char *dir, const char *name, const double *t, const int32_t *i,
                   size_t n) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s.spike_t.npy", dir, name);
  soma_npy_save(path, "<f8", n, 0, t);
  snprintf(path, sizeof path, "%s/%s.spike_i.npy", dir, name);
  soma_npy_save(path, "<i4", n, 0, i);
}

static void save(const char *dir, const char *name, const char *descr, size_t r, size_t c,
                 const void *data) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  soma_npy_save(path, descr, r, c, data);
}

static void good_run(const char *dir) {
  jf_text(dir, "meta.json", META);
  jf_text(dir, "rat/meta.json", AGENT_META);
  jf_text(dir, "quiet/replays.npy", "");   /* an agent without spikes: no meta.json */
  spikes(dir, "E", (double[]){1, 12, 12.5, 30}, (int32_t[]){0, 2, 1, 2}, 4);
  spikes(dir, "I", (double[]){55}, (int32_t[]){1}, 1);
  jf_write(dir, "net2/.keep", "", 0);
  spikes(dir, "net2/E", (double[]){3}, (int32_t[]){1}, 1);
  spikes(dir, "rat/critic", (double[]){3, 4}, (int32_t[]){0, 1}, 2);
  save(dir, "behaviour.npy", "<f8", 4, 9, BEH);
  float vm[10][2];
  for (int k = 0; k < 10; k++) vm[k][0] = (float)(-70 + k), vm[k][1] = (float)(-60 - k);
  save(dir, "E.V_m.npy", "<f4", 10, 2, vm);
}

TEST(index_of_a_run) {
  char dir[64], err[600] = "";
  REQUIRE(jf_tmpdir(dir, "joint_rundir"));
  good_run(dir);
  joint_rundir *r = joint_rundir_open(dir, err, sizeof err);
  if (!r) printf("  %s\n", err);
  REQUIRE(r);
  CHECK(strcmp(r->status, "ok") == 0);
  REQUIRE(r->n_pops == 4);   /* E, I, net2/E, rat/critic: ext recorded nothing */
  CHECK(strcmp(r->pops[0].name, "E") == 0 && r->pops[0].size == 3 && r->pops[0].spikes == 4 &&
        r->pops[0].time_ms == 100 && !r->pops[0].agent);
  CHECK(strcmp(r->pops[2].name, "net2/E") == 0 && r->pops[2].time_ms == 40);
  CHECK(strcmp(r->pops[3].name, "rat/critic") == 0 && r->pops[3].agent && r->pops[3].dt_ms == 1);
  CHECK(joint_rundir_find_pop(r, "critic") == &r->pops[3]);   /* unique population name */
  CHECK(joint_rundir_find_pop(r, "E") == &r->pops[0]);        /* the full name first */
  CHECK(joint_rundir_find_pop(r, "ext") == NULL);
  REQUIRE(r->n_envs == 1 && r->n_states == 1);
  const joint_rundir_env *e = joint_rundir_find_env(r, NULL);
  CHECK(e && e->rows == 4 && e->n_columns == 9 && strcmp(e->columns[e->first_latent], "x") == 0);
  CHECK(joint_rundir_find_env(r, "env") == e && joint_rundir_find_env(r, "arena") == NULL);
  const joint_rundir_state *s = joint_rundir_find_state(r, "E.V_m");
  CHECK(s && s->samples == 10 && s->n_ids == 2 && s->ids[1] == 2 && s->interval_ms == 10 &&
        strcmp(s->unit, "mV") == 0);
  /* spikes as stored */
  joint_spikes sp;
  REQUIRE(joint_rundir_spikes(r, "E", &sp, err, sizeof err) == SOMA_OK);
  CHECK(sp.n == 4 && sp.n_neurons == 3 && sp.t_ms[3] == 30 && sp.ids[1] == 2);
  joint_spikes_free(&sp);
  /* behaviour columns by name, with their times */
  joint_table *b = NULL;
  double *t = NULL;
  REQUIRE(joint_rundir_behaviour(r, NULL, (const char *[]){"x", "node"}, 2, &b, &t, err,
                                 sizeof err) == SOMA_OK);
  CHECK(b->data->size1 == 4 && b->data->size2 == 2 && strcmp(b->names[1], "node") == 0);
  CHECK(gsl_matrix_get(b->data, 3, 0) == 3 && t[2] == 25);
  joint_table_free(b);
  free(t);
  /* a state recording with its sample times */
  REQUIRE(joint_rundir_samples(r, "E.V_m", &b, &t, err, sizeof err) == SOMA_OK);
  CHECK(b->data->size1 == 10 && strcmp(b->names[1], "E.V_m:2") == 0 && t[9] == 95 &&
        gsl_matrix_get(b->data, 9, 1) == -69);
  joint_table_free(b);
  free(t);
  CHECK(joint_rundir_column_is_discrete("node") && !joint_rundir_column_is_discrete("x"));
  joint_rundir_close(r);
  jf_rmtree(dir);
}

TEST(binned_and_aligned_for_a_fit) {
  char dir[64], err[600] = "";
  REQUIRE(jf_tmpdir(dir, "joint_rundir"));
  good_run(dir);
  joint_rundir *r = joint_rundir_open(dir, err, sizeof err);
  REQUIRE(r);
  joint_rundir_request q = joint_rundir_request_defaults();
  q.columns = (const char *[]){"x", "node"}, q.n_columns = 2;
  q.states = (const char *[]){"E.V_m"}, q.n_states = 1;
  q.bin.bin_ms = 10;
  joint_rundir_data d;
  REQUIRE(joint_rundir_load(r, &q, &d, err, sizeof err) == SOMA_OK);
  /* E and I (the first network, not net2 or the agent), 10 bins of [0, 100) less the first,
   * before the first behaviour row at 15 ms */
  REQUIRE(d.x->data->size1 == 9 && d.x->data->size2 == 5);
  CHECK(d.cropped == 1 && d.t0_ms == 10 && gsl_matrix_get(d.t, 0, 0) == 15);
  CHECK(strcmp(d.x->names[2], "E:2") == 0 && strcmp(d.x->names[4], "I:1") == 0);
  static const double x0[5] = {0, 1, 1, 0, 0};   /* [10, 20): 12 ms id 2, 12.5 ms id 1 */
  for (int j = 0; j < 5; j++) CHECK(gsl_matrix_get(d.x->data, 0, (size_t)j) == x0[j]);
  CHECK(gsl_matrix_get(d.x->data, 2, 2) == 1 && gsl_matrix_get(d.x->data, 4, 4) == 1);
  /* labels: x averaged, node the last value, held over empty bins; V_m samples at 15, 25 */
  REQUIRE(d.y && d.y->data->size2 == 4);
  CHECK(strcmp(d.y->names[0], "x") == 0 && strcmp(d.y->names[3], "E.V_m:2") == 0);
  static const double want[9][2] = {{0.5, 8}, {2, 9}, {2, 9}, {3, 9}, {3, 9},
                                    {3, 9}, {3, 9}, {3, 9}, {3, 9}};
  for (int k = 0; k < 9; k++)
    CHECK_MSG(gsl_matrix_get(d.y->data, (size_t)k, 0) == want[k][0] &&
                  gsl_matrix_get(d.y->data, (size_t)k, 1) == want[k][1],
              "bin %d: %g %g", k, gsl_matrix_get(d.y->data, (size_t)k, 0),
              gsl_matrix_get(d.y->data, (size_t)k, 1));
  CHECK(d.has_data[0] == 2 && d.has_data[1] == 1 && d.has_data[2] == 0);
  CHECK(gsl_matrix_get(d.y->data, 0, 2) == -69 && gsl_matrix_get(d.y->data, 8, 3) == -69);
  joint_rundir_data_free(&d);
  /* the square root and a window of the caller's; no labels, no crop */
  q = joint_rundir_request_defaults();
  q.pops = (const char *[]){"E"}, q.n_pops = 1;
  q.bin.bin_ms = 20, q.bin.t0_ms = 0, q.bin.t1_ms = 40, q.bin.sqrt = 1;
  REQUIRE(joint_rundir_load(r, &q, &d, err, sizeof err) == SOMA_OK);
  CHECK(d.x->data->size1 == 2 && d.y == NULL && d.has_data == NULL && d.cropped == 0);
  CHECK(gsl_matrix_get(d.x->data, 1, 2) == 1 && gsl_matrix_get(d.x->data, 0, 2) == 1);
  joint_rundir_data_free(&d);
  /* the agent's populations alone can be binned, on its clock of 50 ms */
  q = joint_rundir_request_defaults();
  q.pops = (const char *[]){"critic"}, q.n_pops = 1;
  REQUIRE(joint_rundir_load(r, &q, &d, err, sizeof err) == SOMA_OK);
  CHECK(d.x->data->size1 == 2 && gsl_matrix_get(d.x->data, 0, 1) == 1);
  joint_rundir_data_free(&d);
  joint_rundir_close(r);
  jf_rmtree(dir);
}

/* META with the environment's "clock" set to clock (a JSON value) and a second environment
 * that recorded nothing */
static void clocked_run(const char *dir, const char *clock) {
  good_run(dir);
  const char *at = strstr(META, "\"x\", \"node\"]");
  size_t head = (size_t)(at - META) + strlen("\"x\", \"node\"]");
  char meta[4096];
  snprintf(meta, sizeof meta, "%.*s, \"clock\": %s},\n  {\"number\": 2, \"name\": \"env2\", "
           "\"world\": \"bandit\", \"options\": {}, \"episodes\": 0}%s", (int)head, META, clock,
           META + head + 1);
  jf_text(dir, "meta.json", meta);
}

TEST(behaviour_on_the_clock_of_the_network_that_stepped_it) {
  char dir[64], err[600] = "";
  REQUIRE(jf_tmpdir(dir, "joint_rundir"));
  /* the agent 'rat' stepped the world: its populations by default, aligned on its clock */
  clocked_run(dir, "\"rat\"");
  joint_rundir *r = joint_rundir_open(dir, err, sizeof err);
  CHECK_MSG(r, "%s", err);
  REQUIRE(r);
  CHECK(r->n_envs == 1 && strcmp(r->envs[0].clock, "rat") == 0);   /* env2 recorded nothing */
  joint_rundir_request q = joint_rundir_request_defaults();
  q.columns = (const char *[]){"x"}, q.n_columns = 1;
  q.bin.bin_ms = 10;
  joint_rundir_data d;
  CHECK_MSG(joint_rundir_load(r, &q, &d, err, sizeof err) == SOMA_OK, "%s", err);
  REQUIRE(d.x);
  /* rat/critic alone (2 neurons), 5 bins of [0, 50) less the first before the row at 15 ms */
  CHECK(d.x->data->size2 == 2 && strcmp(d.x->names[0], "rat/critic:0") == 0);
  CHECK(d.x->data->size1 == 4 && d.cropped == 1 && gsl_matrix_get(d.y->data, 0, 0) == 0.5);
  joint_rundir_data_free(&d);
  /* the first network's populations are on another clock */
  q.pops = (const char *[]){"E"}, q.n_pops = 1;
  CHECK(joint_rundir_load(r, &q, &d, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "population 'E' runs on network '.''s clock, but environment 'env' was "
                        "stepped on network 'rat''s: choose populations of 'rat'"), "%s", err);
  joint_rundir_close(r);
  /* the first network stepped it: the agent's populations are refused */
  clocked_run(dir, "\".\"");
  r = joint_rundir_open(dir, err, sizeof err);
  REQUIRE(r);
  q.pops = (const char *[]){"critic"};
  CHECK(joint_rundir_load(r, &q, &d, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "population 'rat/critic' runs on network 'rat''s clock"), "%s", err);
  q.pops = NULL, q.n_pops = 0;   /* by default E and I */
  CHECK_MSG(joint_rundir_load(r, &q, &d, err, sizeof err) == SOMA_OK, "%s", err);
  REQUIRE(d.x);
  CHECK(d.x->data->size2 == 5);
  joint_rundir_data_free(&d);
  joint_rundir_close(r);
  /* several clocks, and a clock that is not a name */
  clocked_run(dir, "\"mixed\"");
  r = joint_rundir_open(dir, err, sizeof err);
  REQUIRE(r);
  q.pops = (const char *[]){"E"}, q.n_pops = 1;
  CHECK(joint_rundir_load(r, &q, &d, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "environment 'env' was stepped on several clocks"), "%s", err);
  joint_rundir_close(r);
  clocked_run(dir, "3");
  r = joint_rundir_open(dir, err, sizeof err);
  CHECK_MSG(!r && strstr(err, "environments[0] \"clock\" is not a network's folder or null"),
            "%s", err);
  jf_rmtree(dir);
}

/* the message of loading (pops, columns) after the change made by damage() */
static int load_msg(const char *dir, const char *const *pops, size_t np, const char *const *cols,
                    size_t nc, char *err, size_t len) {
  joint_rundir *r = joint_rundir_open(dir, err, len);
  if (!r) return -100;
  joint_rundir_request q = joint_rundir_request_defaults();
  q.pops = pops, q.n_pops = np, q.columns = cols, q.n_columns = nc;
  joint_rundir_data d;
  int rc = joint_rundir_load(r, &q, &d, err, len);
  joint_rundir_data_free(&d);
  joint_rundir_close(r);
  return rc;
}

#define EXPECT(rc_expr, text)                                                               \
  do {                                                                                      \
    int rc_ = (rc_expr);                                                                    \
    CHECK_MSG(rc_ != SOMA_OK && strstr(err, text), "rc %d, \"%s\" lacks \"%s\"", rc_, err, \
              text);                                                                        \
  } while (0)

TEST(damaged_runs_are_named) {
  char dir[64], err[800] = "", want[300];
  REQUIRE(jf_tmpdir(dir, "joint_rundir"));
  const char *E[] = {"E"}, *X[] = {"x"};
  /* no meta.json, bad JSON, a network entry without its folder */
  joint_rundir *r = joint_rundir_open(dir, err, sizeof err);
  snprintf(want, sizeof want, "%s: not a soma run directory (no meta.json", dir);
  CHECK_MSG(!r && strstr(err, want), "%s", err);
  jf_text(dir, "meta.json", "{\"networks\": [\n  {\"folder\" \".\"}]}");
  r = joint_rundir_open(dir, err, sizeof err);
  CHECK_MSG(!r && strstr(err, "meta.json: not valid JSON (expected ':' at line 2, column 13)"),
            "%s", err);
  jf_text(dir, "meta.json", "{\"networks\": [{\"description\": {}}]}");
  r = joint_rundir_open(dir, err, sizeof err);
  CHECK_MSG(!r && strstr(err, "meta.json: networks[0] has no \"folder\" or \"description\""),
            "%s", err);
  jf_text(dir, "meta.json",
          "{\"networks\": [{\"folder\": \".\", \"description\": {\"populations\": [], "
          "\"recordings\": [{\"kind\": \"spikes\", \"population\": \"Q\"}]}}]}");
  r = joint_rundir_open(dir, err, sizeof err);
  CHECK_MSG(!r && strstr(err, "records population 'Q', which it does not list with a size"),
            "%s", err);
  good_run(dir);
  /* unknown names list the known ones */
  EXPECT(load_msg(dir, (const char *[]){"L5"}, 1, NULL, 0, err, sizeof err),
         "no population 'L5' with recorded data (the run has: E, I, net2/E, rat/critic)");
  EXPECT(load_msg(dir, E, 1, (const char *[]){"speed"}, 1, err, sizeof err),
         "behaviour.npy (environment 'env'): no column 'speed' (the columns are: episode, step, "
         "t_ms, action, reward, terminated, truncated, x, node)");
  EXPECT(load_msg(dir, (const char *[]){"E", "net2/E"}, 2, NULL, 0, err, sizeof err),
         "populations 'E' (network '.') and 'net2/E' (network 'net2') run on different clocks");
  EXPECT(load_msg(dir, (const char *[]){"critic"}, 1, X, 1, err, sizeof err),
         "population 'rat/critic' runs on agent 'rat''s own clock");
  /* spike files: missing, of the wrong type, of different lengths, an id too large */
  char path[256];
  snprintf(path, sizeof path, "%s/I.spike_i.npy", dir);
  remove(path);
  snprintf(want, sizeof want, "%s/I.spike_i.npy: cannot open", dir);
  EXPECT(load_msg(dir, NULL, 0, NULL, 0, err, sizeof err), want);
  save(dir, "I.spike_i.npy", "<i8", 1, 0, (int64_t[]){1});
  EXPECT(load_msg(dir, NULL, 0, NULL, 0, err, sizeof err),
         "I.spike_i.npy: need a 1-D array of <i4, found 1-D <i8");
  save(dir, "I.spike_i.npy", "<i4", 2, 0, (int32_t[]){1, 0});
  EXPECT(load_msg(dir, NULL, 0, NULL, 0, err, sizeof err), "I.spike_t.npy holds 1 times but");
  save(dir, "I.spike_i.npy", "<i4", 1, 0, (int32_t[]){2});
  EXPECT(load_msg(dir, NULL, 0, NULL, 0, err, sizeof err),
         "I.spike_i.npy: spike 0: neuron 2, but population 'I' has 2 neurons");
  save(dir, "I.spike_t.npy", "<f8", 1, 2, (double[]){1, 2});
  EXPECT(load_msg(dir, NULL, 0, NULL, 0, err, sizeof err),
         "I.spike_t.npy: need a 1-D array of <f8, found 2-D <f8");
  good_run(dir);
  /* behaviour: a shape meta.json does not give, times that are not there */
  save(dir, "behaviour.npy", "<f8", 3, 9, BEH);
  EXPECT(load_msg(dir, E, 1, X, 1, err, sizeof err),
         "behaviour.npy: 3 x 9, but meta.json says 4 rows of 9 columns");
  double beh[4][9];
  memcpy(beh, BEH, sizeof beh);
  for (int k = 0; k < 4; k++) beh[k][2] = NAN;
  save(dir, "behaviour.npy", "<f8", 4, 9, beh);
  EXPECT(load_msg(dir, E, 1, X, 1, err, sizeof err),
         "behaviour.npy: t_ms is nan at row 0: these steps were not timed by a network");
  for (int k = 0; k < 4; k++) beh[k][2] = 500 + k;
  save(dir, "behaviour.npy", "<f8", 4, 9, beh);
  EXPECT(load_msg(dir, E, 1, X, 1, err, sizeof err),
         "no behaviour row falls in the bins [0, 100) ms of 'E'");
  save(dir, "E.V_m.npy", "<f4", 10, 3, (float[30]){0});
  r = joint_rundir_open(dir, err, sizeof err);
  REQUIRE(r);
  joint_table *t = NULL;
  EXPECT(joint_rundir_samples(r, "E.V_m", &t, NULL, err, sizeof err),
         "E.V_m.npy: 10 x 3, but meta.json says 10 samples of 2 ids");
  EXPECT(joint_rundir_samples(r, "E.I_syn", &t, NULL, err, sizeof err),
         "no state recording 'E.I_syn' with recorded data (the run has: E.V_m)");
  CHECK(t == NULL);
  joint_rundir_close(r);
  jf_rmtree(dir);
}

int main(void) {
  RUN(index_of_a_run);
  RUN(binned_and_aligned_for_a_fit);
  RUN(damaged_runs_are_named);
  RUN(behaviour_on_the_clock_of_the_network_that_stepped_it);
  return h_done();
}
