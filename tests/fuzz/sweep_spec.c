/* sweep_spec.c — fuzz target for the command-line values of `soma sweep` and `soma run`:
 * --grid, --sample, --points, --sampler, --sample-seed, --seeds, --seed-list and --set of a
 * sweep (app/sweep_points.c), and the number flags every subcommand shares (--threads,
 * --seed, --jobs, --timeout, ...: cli_long, cli_double in app/cli.c). The input is a list
 * of (flag, value) lines. Whatever is refused is refused with exit status 2 and leaves the
 * spec usable; a spec that checks expands into points with unique ids, and its canonical
 * JSON (what sweep.json keeps and --resume reads back) parses back into the same spec. */
#include "app/cli.h"
#include "app/sweep.h"
#include "sim/json_read.h"
#include "tests/fuzz/fuzz.h"

static const char *const flags[] = {"--grid", "--sample", "--points", "--sampler",
                                    "--sample-seed", "--seeds", "--seed-list", "--set"};
enum { N_FLAGS = sizeof flags / sizeof *flags };

/* the spec read back from its JSON words, as read_sweep_json does */
static void check_canonical(const sweep_spec *s) {
  char *text = sweep_spec_json(s);
  FUZZ_ASSERT(text, "no JSON");
  char err[256];
  soma_json *words = soma_json_parse(text, err, sizeof err);
  FUZZ_ASSERT(words && words->t == SOMA_JSON_ARR && words->n % 2 == 0, "spec JSON: %s", err);
  sweep_spec b = {0};
  for (int i = 0; i + 1 < words->n; i += 2) {
    FUZZ_ASSERT(sweep_spec_is_option(words->items[i].s), "word %s", words->items[i].s);
    FUZZ_ASSERT(sweep_spec_option(&b, words->items[i].s, words->items[i + 1].s) == 0,
                "its own word refused: %s %s", words->items[i].s, words->items[i + 1].s);
  }
  FUZZ_ASSERT(sweep_spec_finish(&b) == 0, "its own spec does not check");
  char *again = sweep_spec_json(&b);
  FUZZ_ASSERT(again && !strcmp(text, again), "not canonical:\n%s\n%s", text, again);
  free(again);
  sweep_spec_free(&b);
  soma_json_free(words);
  free(text);
}

static void check_plan(const sweep_spec *s) {
  double n = s->n_seeds * (double)(s->n_samples ? s->points : 1);
  for (int i = 0; i < s->n_grids; i++) n *= s->grids[i].n;
  if (n > 4096) return;   /* up to 10^6 points are allowed; expanding them is slow, not a bug */
  sweep_plan p;
  FUZZ_ASSERT(sweep_plan_make(s, &p) == 0, "plan");
  FUZZ_ASSERT(p.n_points == (int)n, "%d points, expected %.0f", p.n_points, n);
  for (int i = 0; i < p.n_points; i++) {
    const sweep_point *pt = &p.points[i];
    FUZZ_ASSERT(pt->id && strlen(pt->id) <= 80, "id");
    for (const char *c = pt->id; *c; c++)
      FUZZ_ASSERT(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+=-", *c),
                  "id character 0x%02x", (unsigned char)*c);
    for (int k = 0; k < s->n_samples; k++) {
      const sweep_sample *x = &s->samples[k];
      char *end;
      double v = strtod(pt->values[s->n_grids + k], &end);
      FUZZ_ASSERT(!*end && v >= x->lo && v <= x->hi, "sample %s = %s outside [%g, %g]", x->key,
                  pt->values[s->n_grids + k], x->lo, x->hi);
    }
    if (p.n_points <= 512)
      for (int j = 0; j < i; j++) FUZZ_ASSERT(strcmp(pt->id, p.points[j].id), "id %s twice", pt->id);
  }
  sweep_plan_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  sweep_spec s = {0};
  char value[512];
  while (!fuzz_empty(&in)) {
    unsigned f = fuzz_pick(&in, N_FLAGS + 2);
    fuzz_text(&in, value, sizeof value);
    if (f == N_FLAGS) {   /* a whole-number flag */
      long v = 7;
      int rc = cli_long("run", "--threads", value, 1, 1024, &v);
      FUZZ_ASSERT(rc == 2 ? v == 7 : rc == 0 && v >= 1 && v <= 1024, "cli_long");
    } else if (f == N_FLAGS + 1) {
      double d = 7;
      int rc = cli_double("sweep", "--timeout", value, 1e-3, 1e9, &d);
      FUZZ_ASSERT(rc == 2 ? d == 7 : rc == 0 && d >= 1e-3 && d <= 1e9, "cli_double");
    } else {
      int rc = sweep_spec_option(&s, flags[f], value);
      FUZZ_ASSERT(rc == 0 || rc == 2, "status %d", rc);
    }
  }
  if (sweep_spec_finish(&s) == 0) {
    check_canonical(&s);
    check_plan(&s);
  }
  sweep_spec_free(&s);
  return 0;
}
