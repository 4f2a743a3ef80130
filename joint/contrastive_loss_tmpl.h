/* contrastive_loss_tmpl.h — the type-generic InfoNCE of contrastive_loss.h. Included by
 * contrastive_loss.c once per type, with CL_REAL, CL_VEC, CL_VL, CL_VEXP(vector) and CL_(name)
 * defined. Similarities are computed a vector of negatives at a time (the negatives are
 * transposed, and padded to whole vectors with weight exactly 0). */

#define CL_LOAD(p) (*(const CL_VEC *)(p))
#define CL_STORE(p, v) (*(CL_VEC *)(p) = (v))

int CL_(alloc)(CL_(work) *ws, size_t n, int d) {
  memset(ws, 0, sizeof *ws);
  ws->n = n, ws->d = d, ws->npad = (n + CL_VL - 1) / CL_VL * CL_VL;
  ws->qt = malloc((size_t)d * ws->npad * sizeof *ws->qt);
  ws->w = malloc(n * ws->npad * sizeof *ws->w);
  ws->rows = malloc(3 * n * sizeof *ws->rows);
  if (!ws->qt || !ws->w || !ws->rows) {
    CL_(free)(ws);
    return -1;
  }
  return 0;
}

void CL_(free)(CL_(work) *ws) {
  if (!ws) return;
  free(ws->qt), free(ws->w), free(ws->rows);
  memset(ws, 0, sizeof *ws);
}

static CL_REAL CL_(hsum)(CL_VEC v) {
  CL_REAL s = 0;
  for (int k = 0; k < CL_VL; k++) s += v[k];
  return s;
}

/* row i: similarities, softmax weights over the negatives, and the reference's gradient */
static void CL_(row)(CL_(work) *ws, size_t i, size_t ld, const CL_REAL *ref,
                     const CL_REAL *pos, int euclid, double beta, CL_REAL *gref,
                     CL_REAL *gpos) {
  size_t n = ws->n, np = ws->npad;
  int d = ws->d;
  const CL_REAL *f = ref + i * ld, *p = pos + i * ld;
  CL_REAL *w = ws->w + i * np, *s = w;   /* the similarities, then (in place) the weights */
  CL_REAL b = (CL_REAL)beta;
  for (size_t j = 0; j < np; j += CL_VL) {
    CL_VEC acc = {0};
    for (int c = 0; c < d; c++) {
      CL_VEC q = CL_LOAD(ws->qt + (size_t)c * np + j);
      if (euclid) {
        CL_VEC e = f[c] - q;
        acc += e * e;
      } else {
        acc += f[c] * q;
      }
    }
    CL_STORE(s + j, euclid ? -b * acc : b * acc);
  }
  CL_REAL m = s[0];
  size_t full = n / CL_VL * CL_VL;
  if (full) {   /* the max, a vector at a time (lanes compared, then across the lanes) */
    CL_VEC mv = CL_LOAD(s);
    for (size_t j = CL_VL; j < full; j += CL_VL) {
      CL_VEC v = CL_LOAD(s + j);
      mv = CL_BLEND(v > mv, v, mv);
    }
    for (int l = 0; l < CL_VL; l++) m = mv[l] > m ? mv[l] : m;
  }
  for (size_t j = full; j < n; j++) m = s[j] > m ? s[j] : m;
  CL_VEC z = {0}, zs = {0};
  for (size_t j = 0; j < np; j += CL_VL) {
    CL_VEC sv = CL_LOAD(s + j), e = CL_VEXP(sv - m);
    if (j + CL_VL > n)   /* the padding lanes get weight exactly 0 */
      for (size_t l = 0; l < CL_VL; l++)
        if (j + l >= n) e[l] = 0, sv[l] = 0;
    z += e;
    zs += e * sv;
    CL_STORE(w + j, e);
  }
  CL_REAL Z = CL_(hsum)(z), inv = 1 / Z;
  for (size_t j = 0; j < np; j += CL_VL) CL_STORE(w + j, CL_LOAD(w + j) * inv);
  /* the positive term, unscaled: fᵀp or −‖f − p‖² */
  double a = 0;
  for (int c = 0; c < d; c++) a += euclid ? -((double)f[c] - p[c]) * ((double)f[c] - p[c])
                                          : (double)f[c] * p[c];
  ws->rows[3 * i] = -beta * a;                       /* −φ(f_i, p_i) */
  ws->rows[3 * i + 1] = (double)m + log((double)Z);  /* logsumexp_j φ(f_i, q_j) */
  ws->rows[3 * i + 2] = -a + (double)(CL_(hsum)(zs) * inv) / beta;   /* ∂/∂β of row i */
  if (!gref) return;
  /* cosine: (β/n)(Σ_j w_ij q_j − p_i); euclidean: (2β/n)(Σ_j w_ij q_j − p_i) */
  CL_REAL k = (CL_REAL)((euclid ? 2 : 1) * beta / (double)n);
  for (int c = 0; c < d; c++) {
    CL_VEC acc = {0};
    const CL_REAL *q = ws->qt + (size_t)c * np;
    for (size_t j = 0; j < np; j += CL_VL) acc += CL_LOAD(w + j) * CL_LOAD(q + j);
    gref[i * ld + (size_t)c] = k * (CL_(hsum)(acc) - p[c]);
    gpos[i * ld + (size_t)c] = euclid ? k * (p[c] - f[c]) : -k * f[c];
  }
  for (size_t c = (size_t)d; c < ld; c++) gref[i * ld + c] = gpos[i * ld + c] = 0;
}

joint_contrastive_loss_value CL_LOSS(CL_(work) *ws, size_t ld, const CL_REAL *ref,
                                       const CL_REAL *pos, const CL_REAL *neg, int euclid,
                                       double beta, CL_REAL *gref, CL_REAL *gpos,
                                       CL_REAL *gneg, int nthreads) {
  size_t n = ws->n, np = ws->npad;
  int d = ws->d;
  for (int c = 0; c < d; c++) {
    for (size_t j = 0; j < n; j++) ws->qt[(size_t)c * np + j] = neg[j * ld + (size_t)c];
    for (size_t j = n; j < np; j++) ws->qt[(size_t)c * np + j] = 0;
  }
  long nblk = (long)(np / CL_VL);
#pragma omp parallel num_threads(nthreads > 0 ? nthreads : 1)
  {
#pragma omp for schedule(static)
    for (long i = 0; i < (long)n; i++)
      CL_(row)(ws, (size_t)i, ld, ref, pos, euclid, beta, gref, gpos);
    if (gneg) {
      /* cosine: (β/n) Σ_i w_ij f_i; euclidean: (2β/n)(Σ_i w_ij f_i − (Σ_i w_ij) q_j) */
      CL_REAL k = (CL_REAL)((euclid ? 2 : 1) * beta / (double)n);
#pragma omp for schedule(static)
      for (long b = 0; b < nblk; b++) {
        size_t j = (size_t)b * CL_VL;
        for (int c0 = 0; c0 < d; c0 += 8) {   /* up to 8 dimensions per pass over the rows */
          int nc = d - c0 < 8 ? d - c0 : 8;
          CL_VEC sw = {0}, acc[8];
          for (int c = 0; c < nc; c++) acc[c] = (CL_VEC){0};
          for (size_t i = 0; i < n; i++) {
            CL_VEC wv = CL_LOAD(ws->w + i * np + j);
            const CL_REAL *f = ref + i * ld + c0;
            sw += wv;
            for (int c = 0; c < nc; c++) acc[c] += wv * f[c];
          }
          for (int c = 0; c < nc; c++) {
            if (euclid) acc[c] -= sw * CL_LOAD(ws->qt + (size_t)(c0 + c) * np + j);
            for (int l = 0; l < CL_VL && j + (size_t)l < n; l++)
              gneg[(j + (size_t)l) * ld + (size_t)(c0 + c)] = k * acc[c][l];
          }
        }
        for (int l = 0; l < CL_VL && j + (size_t)l < n; l++)
          for (size_t c = (size_t)d; c < ld; c++) gneg[(j + (size_t)l) * ld + c] = 0;
      }
    }
  }
  joint_contrastive_loss_value v = {0, 0, 0, 0};
  for (size_t i = 0; i < n; i++) {
    v.align += ws->rows[3 * i], v.uniform += ws->rows[3 * i + 1], v.dbeta += ws->rows[3 * i + 2];
  }
  v.align /= (double)n, v.uniform /= (double)n, v.dbeta /= (double)n;
  v.loss = v.align + v.uniform;
  return v;
}

#undef CL_LOAD
#undef CL_STORE
