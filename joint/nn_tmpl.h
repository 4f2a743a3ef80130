/* nn_tmpl.h — the type-generic core of the contrastive encoders (see nn.h): the layer kernels
 * (a convolution is a product of im2col rows, which are views into the activations, with the
 * weights; GELU; CEBRA's residual skip; L2 norm) and the forward and backward passes over a
 * batch of windows. nn.c includes it once per type, with NN_REAL, NN_VEC, NN_VL, NN_SQRT and
 * NN_(name) defined, after defining NN_(gelu)(z, dg, n, add): z ← GELU(z) (+ add), dg ←
 * GELU'(z) when dg; and NN_(bytes)(n): an aligned_alloc size for n reals. */

/* ---- micro kernels ---------------------------------------------------------------------- */

#define NN_LOAD(p) (*(const NN_VEC *)(p))
#define NN_STORE(p, v) (*(NN_VEC *)(p) = (v))

/* rb rows × nb vectors of c = init + Σ_q a[r][q] b[q]; rb, nb constants after inlining */
NN_ALWAYS void NN_(mk_rows)(const int rb, const int nb, size_t K, const NN_REAL *const *a,
                            const NN_REAL *b, size_t ldb, NN_REAL *const *c,
                            const NN_REAL *init) {
  NN_VEC acc[8][2];
  for (int r = 0; r < rb; r++)
    for (int v = 0; v < nb; v++) acc[r][v] = init ? NN_LOAD(init + v * NN_VL) : (NN_VEC){0};
  for (size_t q = 0; q < K; q++) {
    NN_VEC bv[2];
    for (int v = 0; v < nb; v++) bv[v] = NN_LOAD(b + q * ldb + (size_t)v * NN_VL);
    for (int r = 0; r < rb; r++) {
      NN_REAL s = a[r][q];
      for (int v = 0; v < nb; v++) acc[r][v] += s * bv[v];
    }
  }
  for (int r = 0; r < rb; r++)
    for (int v = 0; v < nb; v++) NN_STORE(c[r] + v * NN_VL, acc[r][v]);
}

/* rq rows × nb vectors of d[r] (+)= Σ_m A[aoff[m] + q0 + r] g[m] */
NN_ALWAYS void NN_(mk_cols)(const int rq, const int nb, size_t M, const NN_REAL *A,
                            const size_t *aoff, size_t q0, const NN_REAL *g, size_t ldg,
                            NN_REAL *d, size_t ldd, int add) {
  NN_VEC acc[8][2];
  for (int r = 0; r < rq; r++)
    for (int v = 0; v < nb; v++)
      acc[r][v] = add ? NN_LOAD(d + (size_t)r * ldd + v * NN_VL) : (NN_VEC){0};
  for (size_t m = 0; m < M; m++) {
    const NN_REAL *ar = A + aoff[m] + q0;
    NN_VEC gv[2];
    for (int v = 0; v < nb; v++) gv[v] = NN_LOAD(g + m * ldg + (size_t)v * NN_VL);
    for (int r = 0; r < rq; r++) {
      NN_REAL s = ar[r];
      for (int v = 0; v < nb; v++) acc[r][v] += s * gv[v];
    }
  }
  for (int r = 0; r < rq; r++)
    for (int v = 0; v < nb; v++) NN_STORE(d + (size_t)r * ldd + v * NN_VL, acc[r][v]);
}

#define NN_ROWS_CASE(RB)                                                                    \
  case RB:                                                                                  \
    if (nb == 2)                                                                            \
      NN_(mk_rows)(RB, 2, K, a, B + j, ldb, c, init ? init + j : NULL);                      \
    else                                                                                    \
      NN_(mk_rows)(RB, 1, K, a, B + j, ldb, c, init ? init + j : NULL);                      \
    break;

/* C[m·ldc + j] = init[j] (or 0) + Σ_{q<K} A[aoff[m] + q] B[q·ldb + j], m < M, j < N; N is a
 * multiple of NN_VL. Every C element is one chain of FMAs in q order, however it is blocked. */
static void NN_(rowmm)(size_t M, size_t N, size_t K, const NN_REAL *A, const size_t *aoff,
                       const NN_REAL *B, size_t ldb, const NN_REAL *init, NN_REAL *C,
                       size_t ldc) {
  for (size_t m = 0; m < M; m += 8) {
    int rb = M - m >= 8 ? 8 : (int)(M - m);
    const NN_REAL *a[8];
    for (int r = 0; r < rb; r++) a[r] = A + aoff[m + (size_t)r];
    for (size_t j = 0; j < N; j += 2 * NN_VL) {   /* the 8 rows stay in L1 across columns */
      int nb = N - j >= 2 * NN_VL ? 2 : 1;
      NN_REAL *c[8];
      for (int r = 0; r < rb; r++) c[r] = C + (m + (size_t)r) * ldc + j;
      switch (rb) {
        NN_ROWS_CASE(1) NN_ROWS_CASE(2) NN_ROWS_CASE(3) NN_ROWS_CASE(4)
        NN_ROWS_CASE(5) NN_ROWS_CASE(6) NN_ROWS_CASE(7) NN_ROWS_CASE(8)
      }
    }
  }
}

#define NN_COLS_CASE(RQ)                                                                    \
  case RQ:                                                                                  \
    if (nb == 2)                                                                            \
      NN_(mk_cols)(RQ, 2, mb, A, aoff + m, q, G + m * ldg + j, ldg, D + q * ldd + j, ldd,   \
                   m > 0);                                                                  \
    else                                                                                    \
      NN_(mk_cols)(RQ, 1, mb, A, aoff + m, q, G + m * ldg + j, ldg, D + q * ldd + j, ldd,   \
                   m > 0);                                                                  \
    break;

/* D[q·ldd + j] = Σ_{m<M} A[aoff[m] + q] G[m·ldg + j], q < K, j < N (the weight gradient:
 * im2col rows transposed times the output gradients); summed in m order, 128 rows of G at a
 * time so that they stay in L1 while every row of D passes over them. */
static void NN_(colmm)(size_t M, size_t N, size_t K, const NN_REAL *A, const size_t *aoff,
                       const NN_REAL *G, size_t ldg, NN_REAL *D, size_t ldd) {
  for (size_t m = 0; m < M; m += 128) {
    size_t mb = M - m < 128 ? M - m : 128;
    for (size_t j = 0; j < N; j += 2 * NN_VL) {
      int nb = N - j >= 2 * NN_VL ? 2 : 1;
      for (size_t q = 0; q < K; q += 8) {
        int rq = K - q >= 8 ? 8 : (int)(K - q);
        switch (rq) {
          NN_COLS_CASE(1) NN_COLS_CASE(2) NN_COLS_CASE(3) NN_COLS_CASE(4)
          NN_COLS_CASE(5) NN_COLS_CASE(6) NN_COLS_CASE(7) NN_COLS_CASE(8)
        }
      }
    }
  }
}

/* ---- data ------------------------------------------------------------------------------- */

int NN_(data_build)(NN_(data) *d, const gsl_matrix *x, int sparse) {
  memset(d, 0, sizeof *d);
  size_t T = x->size1, N = x->size2, nnz = 0;
  d->T = T, d->N = N;
  for (size_t t = 0; t < T; t++)
    for (size_t n = 0; n < N; n++) nnz += gsl_matrix_get(x, t, n) != 0;
  if (sparse < 0) sparse = (double)nnz <= 0.3 * (double)T * (double)N && nnz < INT32_MAX;
  if (!sparse) {
    d->dense = malloc((T * N > 0 ? T * N : 1) * sizeof *d->dense);
    if (!d->dense) return -1;
    for (size_t t = 0; t < T; t++)
      for (size_t n = 0; n < N; n++) d->dense[t * N + n] = (NN_REAL)gsl_matrix_get(x, t, n);
    return 0;
  }
  d->rowptr = malloc((T + 1) * sizeof *d->rowptr);
  d->col = malloc((nnz ? nnz : 1) * sizeof *d->col);
  d->val = malloc((nnz ? nnz : 1) * sizeof *d->val);
  if (!d->rowptr || !d->col || !d->val) {
    NN_(data_free)(d);
    return -1;
  }
  size_t k = 0;
  for (size_t t = 0; t < T; t++) {
    d->rowptr[t] = (int32_t)k;
    for (size_t n = 0; n < N; n++) {
      double v = gsl_matrix_get(x, t, n);
      if (v != 0) d->col[k] = (int32_t)n, d->val[k++] = (NN_REAL)v;
    }
  }
  d->rowptr[T] = (int32_t)k;
  return 0;
}

void NN_(data_free)(NN_(data) *d) {
  if (!d) return;
  free(d->dense), free(d->rowptr), free(d->col), free(d->val);
  memset(d, 0, sizeof *d);
}

/* ---- workspace ---------------------------------------------------------------------- */

/* output rows of layer l per window, and its output buffer */
static NN_REAL *NN_(layer_out)(const nn_net *net, NN_(work) *ws, int l) {
  return l + 1 < net->n_layers ? ws->act[l + 1] : ws->out;
}

/* the per-thread scratch: the chunk's buffers, then the row offsets */
typedef struct NN_(scratch) {
  NN_REAL *P, *dcur, *dprev, *dz, *cols, *g0;
  size_t *aoff;
} NN_(scratch);

static size_t NN_(round)(size_t bytes) {
  return (bytes + 63) / 64 * 64 / sizeof(NN_REAL);
}

static size_t NN_(scratch_layout)(const nn_net *net, const NN_(work) *ws, NN_REAL *base,
                                  NN_(scratch) *sc) {
  size_t cw = ws->cw, L0 = (size_t)ws->win_len;
  const nn_layer *l0 = &net->layer[0];
  size_t kh = (size_t)l0->k * (size_t)l0->coutp, act = 0, cols = 0;
  for (int l = 0; l < net->n_layers; l++) {
    const nn_layer *ly = &net->layer[l];
    size_t cp = (size_t)(ly->cinp > ly->coutp ? ly->cinp : ly->coutp);
    if (cw * (size_t)ws->len[l] * cp > act) act = cw * (size_t)ws->len[l] * cp;
    size_t c = cw * (size_t)ws->len[l + 1] * (size_t)ly->k * (size_t)ly->cinp;
    if (l > 0 && c > cols) cols = c;
  }
  size_t o = 0, fwd = NN_(round)(cw * L0 * kh * sizeof(NN_REAL));
  NN_(scratch) z;
  memset(&z, 0, sizeof z);
#define NN_PUT(field, type, n)                                                              \
  (z.field = (type *)(base ? base + o : NULL), o += NN_(round)((n) * sizeof(type)))
  if (ws->need_grad) {
    NN_PUT(dcur, NN_REAL, act);
    NN_PUT(dprev, NN_REAL, act);
    NN_PUT(dz, NN_REAL, act);
    NN_PUT(cols, NN_REAL, cols);
    NN_PUT(g0, NN_REAL, cw * L0 * kh);
  }
  z.P = base;   /* the forward pass uses the start again */
  if (o < fwd) o = fwd;
  NN_PUT(aoff, size_t, cw * L0);
#undef NN_PUT
  if (sc) *sc = z;
  return o;
}

int NN_(work_alloc)(NN_(work) *ws, const nn_net *net, size_t nwin, int win_len, int need_grad,
                    int nthreads) {
  memset(ws, 0, sizeof *ws);
  if (win_len < net->left + net->right || nwin == 0) return -1;
  ws->nwin = nwin, ws->win_len = win_len, ws->need_grad = need_grad;
  ws->nthreads = nthreads > 0 ? nthreads : 1;
  size_t cw = (size_t)(640 / win_len);
  ws->cw = cw < 1 ? 1 : cw > 64 ? 64 : cw;
  ws->len[0] = win_len;
  for (int l = 0; l < net->n_layers; l++) ws->len[l + 1] = ws->len[l] - net->layer[l].k + 1;
  int ok = 1;
  for (int l = 1; l < net->n_layers; l++) {
    ws->act[l] = aligned_alloc(64, NN_(bytes)(nwin * (size_t)ws->len[l] *
                                              (size_t)net->layer[l].cinp));
    ok &= ws->act[l] != NULL;
  }
  for (int l = 0; need_grad && l < net->n_layers; l++)
    if (net->layer[l].gelu) {
      ws->dg[l] = aligned_alloc(64, NN_(bytes)(nwin * (size_t)ws->len[l + 1] *
                                               (size_t)net->layer[l].coutp));
      ok &= ws->dg[l] != NULL;
    }
  const nn_layer *last = &net->layer[net->n_layers - 1];
  size_t nout = nwin * (size_t)ws->len[net->n_layers];
  ws->out = aligned_alloc(64, NN_(bytes)(nout * (size_t)last->coutp));
  ws->norm = aligned_alloc(64, NN_(bytes)(nout));
  ok &= ws->out && ws->norm;
  if (need_grad) {
    size_t nchunk = (nwin + ws->cw - 1) / ws->cw;
    ws->partial = aligned_alloc(64, NN_(bytes)(nchunk * net->n_params));
    ws->wt = aligned_alloc(64, NN_(bytes)(net->n_params));
    ok &= ws->partial && ws->wt;
  }
  ws->scratch_len = NN_(scratch_layout)(net, ws, NULL, NULL);
  ws->scratch = aligned_alloc(64, NN_(bytes)(ws->scratch_len * (size_t)ws->nthreads));
  ok &= ws->scratch != NULL;
  if (!ok) {
    NN_(work_free)(ws);
    return -1;
  }
  return 0;
}

void NN_(work_free)(NN_(work) *ws) {
  if (!ws) return;
  for (int l = 0; l < NN_MAX_LAYERS; l++) free(ws->act[l]), free(ws->dg[l]);
  free(ws->out), free(ws->norm), free(ws->partial), free(ws->wt), free(ws->scratch);
  memset(ws, 0, sizeof *ws);
}

/* ---- forward ---------------------------------------------------------------------------- */

static inline size_t NN_(row)(const NN_(data) *x, long start, int s) {
  long r = start + s;
  return (size_t)(r < 0 ? 0 : r >= (long)x->T ? (long)x->T - 1 : r);
}

/* P[m][0:kh] = x[row m] W0 for the nw·L0 rows of a chunk */
static void NN_(first_rows)(const NN_(data) *x, const long *starts, size_t nw, int L0,
                            const NN_REAL *W0, size_t kh, NN_REAL *P, size_t *aoff) {
  size_t M = nw * (size_t)L0;
  if (x->dense) {
    for (size_t w = 0; w < nw; w++)
      for (int s = 0; s < L0; s++)
        aoff[w * (size_t)L0 + (size_t)s] = NN_(row)(x, starts[w], s) * x->N;
    NN_(rowmm)(M, kh, x->N, x->dense, aoff, W0, kh, NULL, P, kh);
    return;
  }
  for (size_t w = 0; w < nw; w++)
    for (int s = 0; s < L0; s++) {
      size_t row = NN_(row)(x, starts[w], s);
      NN_REAL *p = P + (w * (size_t)L0 + (size_t)s) * kh;
      int32_t a = x->rowptr[row], b = x->rowptr[row + 1];
      size_t v = 0;
      for (; v + 4 * NN_VL <= kh; v += 4 * NN_VL) {
        NN_VEC c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
        for (int32_t z = a; z < b; z++) {
          const NN_REAL *wr = W0 + (size_t)x->col[z] * kh + v;
          NN_REAL xv = x->val[z];
          c0 += xv * NN_LOAD(wr), c1 += xv * NN_LOAD(wr + NN_VL);
          c2 += xv * NN_LOAD(wr + 2 * NN_VL), c3 += xv * NN_LOAD(wr + 3 * NN_VL);
        }
        NN_STORE(p + v, c0), NN_STORE(p + v + NN_VL, c1);
        NN_STORE(p + v + 2 * NN_VL, c2), NN_STORE(p + v + 3 * NN_VL, c3);
      }
      for (; v < kh; v += NN_VL) {
        NN_VEC c0 = {0};
        for (int32_t z = a; z < b; z++)
          c0 += x->val[z] * NN_LOAD(W0 + (size_t)x->col[z] * kh + v);
        NN_STORE(p + v, c0);
      }
    }
}

static void NN_(forward_chunk)(const nn_net *net, const NN_REAL *p, const NN_(data) *x,
                               const long *starts, NN_(work) *ws, size_t chunk,
                               NN_REAL *scratch) {
  size_t w0 = chunk * ws->cw, nw = ws->nwin - w0 < ws->cw ? ws->nwin - w0 : ws->cw;
  NN_(scratch) sc;
  NN_(scratch_layout)(net, ws, scratch, &sc);
  size_t *aoff = sc.aoff;
  /* layer 0: the neurons' rows through the first convolution */
  const nn_layer *l0 = &net->layer[0];
  size_t cp0 = (size_t)l0->coutp, kh = (size_t)l0->k * cp0, L0 = (size_t)ws->len[0],
         L1 = (size_t)ws->len[1];
  NN_(first_rows)(x, starts + w0, nw, ws->len[0], p + l0->w, kh, sc.P, aoff);
  NN_REAL *z0 = NN_(layer_out)(net, ws, 0) + w0 * L1 * cp0;
  const NN_REAL *b0 = p + l0->b;
  for (size_t w = 0; w < nw; w++)
    for (size_t t = 0; t < L1; t++)
      for (size_t j = 0; j < cp0; j += NN_VL) {
        NN_VEC acc = NN_LOAD(b0 + j);
        for (int tap = 0; tap < l0->k; tap++)
          acc += NN_LOAD(sc.P + (w * L0 + t + (size_t)tap) * kh + (size_t)tap * cp0 + j);
        NN_STORE(z0 + (w * L1 + t) * cp0 + j, acc);
      }
  for (int l = 0; l < net->n_layers; l++) {
    const nn_layer *ly = &net->layer[l];
    size_t lin = (size_t)ws->len[l], lout = (size_t)ws->len[l + 1], cip = (size_t)ly->cinp,
           cop = (size_t)ly->coutp, M = nw * lout;
    NN_REAL *in = l ? ws->act[l] + w0 * lin * cip : NULL;
    NN_REAL *out = NN_(layer_out)(net, ws, l) + w0 * lout * cop;
    NN_REAL *dg = ws->need_grad && ly->gelu ? ws->dg[l] + w0 * lout * cop : NULL;
    if (l > 0) {
      for (size_t w = 0; w < nw; w++)
        for (size_t t = 0; t < lout; t++) aoff[w * lout + t] = (w * lin + t) * cip;
      NN_(rowmm)(M, cop, (size_t)ly->k * cip, in, aoff, p + ly->w, cop, p + ly->b, out, cop);
    }
    if (ly->skip) {   /* GELU, plus the input cropped by (k − 1)/2 rows: cip == cop */
      size_t crop = (size_t)(ly->k - 1) / 2;
      for (size_t w = 0; w < nw; w++)
        NN_(gelu)(out + w * lout * cop, dg ? dg + w * lout * cop : NULL, lout * cop,
                  in + (w * lin + crop) * cip);
    } else if (ly->gelu) {
      NN_(gelu)(out, dg, M * cop, NULL);
    }
  }
  /* the output rows onto the unit sphere */
  const nn_layer *last = &net->layer[net->n_layers - 1];
  size_t dp = (size_t)last->coutp, L = (size_t)ws->len[net->n_layers];
  NN_REAL *out = ws->out + w0 * L * dp, *nrm = ws->norm + w0 * L;
  for (size_t r = 0; r < nw * L; r++) {
    NN_REAL s = 0;
    for (size_t j = 0; j < dp; j++) s += out[r * dp + j] * out[r * dp + j];
    nrm[r] = NN_SQRT(s);
    if (net->normalize && nrm[r] > 0)
      for (size_t j = 0; j < dp; j++) out[r * dp + j] /= nrm[r];
  }
}

void NN_(forward)(const nn_net *net, const NN_REAL *params, const NN_(data) *x,
                  const long *starts, NN_(work) *ws) {
  long nchunk = (long)((ws->nwin + ws->cw - 1) / ws->cw);
#pragma omp parallel for schedule(static) num_threads(ws->nthreads)
  for (long c = 0; c < nchunk; c++)
    NN_(forward_chunk)(net, params, x, starts, ws, (size_t)c,
                       ws->scratch + (size_t)omp_get_thread_num() * ws->scratch_len);
}

/* ---- backward --------------------------------------------------------------------------- */

/* dW0 for sparse rows: dW0[n][tap] += x[row s][n] dz[s − tap]; the row's gradients are held
 * in registers while its nonzeros are scattered (4 vectors of the taps at a time) */
static void NN_(first_grad_sparse)(const NN_(data) *x, const long *starts, size_t nw,
                                   size_t lin, size_t lout, int k, size_t cop,
                                   const NN_REAL *dz, NN_REAL *dW) {
  size_t kh = (size_t)k * cop;
  memset(dW, 0, x->N * kh * sizeof *dW);
  for (size_t w = 0; w < nw; w++)
    for (size_t s = 0; s < lin; s++) {
      size_t row = NN_(row)(x, starts[w], (int)s);
      int32_t za = x->rowptr[row], zb = x->rowptr[row + 1];
      if (za == zb) continue;
      for (size_t v0 = 0; v0 < kh; v0 += 4 * NN_VL) {
        NN_VEC g[4];
        int nv = kh - v0 >= 4 * NN_VL ? 4 : (int)((kh - v0) / NN_VL);
        for (int v = 0; v < nv; v++) {
          size_t col = v0 + (size_t)v * NN_VL, tap = col / cop;
          long t = (long)s - (long)tap;
          g[v] = t >= 0 && t < (long)lout ? NN_LOAD(dz + (w * lout + (size_t)t) * cop + col % cop)
                                          : (NN_VEC){0};
        }
        if (nv == 4)
          for (int32_t z = za; z < zb; z++) {
            NN_REAL *d = dW + (size_t)x->col[z] * kh + v0;
            NN_REAL xv = x->val[z];
            NN_STORE(d, NN_LOAD(d) + xv * g[0]);
            NN_STORE(d + NN_VL, NN_LOAD(d + NN_VL) + xv * g[1]);
            NN_STORE(d + 2 * NN_VL, NN_LOAD(d + 2 * NN_VL) + xv * g[2]);
            NN_STORE(d + 3 * NN_VL, NN_LOAD(d + 3 * NN_VL) + xv * g[3]);
          }
        else
          for (int32_t z = za; z < zb; z++) {
            NN_REAL *d = dW + (size_t)x->col[z] * kh + v0;
            for (int v = 0; v < nv; v++)
              NN_STORE(d + v * NN_VL, NN_LOAD(d + v * NN_VL) + x->val[z] * g[v]);
          }
      }
    }
}

static void NN_(backward_chunk)(const nn_net *net, const NN_(data) *x, const long *starts,
                                NN_(work) *ws, const NN_REAL *dout, size_t chunk,
                                NN_REAL *scratch) {
  size_t w0 = chunk * ws->cw, nw = ws->nwin - w0 < ws->cw ? ws->nwin - w0 : ws->cw;
  NN_REAL *grad = ws->partial + chunk * net->n_params;
  NN_(scratch) sc;
  NN_(scratch_layout)(net, ws, scratch, &sc);
  size_t *aoff = sc.aoff;
  NN_REAL *dcur = sc.dcur, *dprev = sc.dprev, *dz = sc.dz, *cols = sc.cols, *g0 = sc.g0;
  /* back through the norm: ∂L/∂e = (g − y (y·g)) / ‖e‖ */
  int nl = net->n_layers;
  size_t dp = (size_t)net->layer[nl - 1].coutp, L = (size_t)ws->len[nl];
  const NN_REAL *y = ws->out + w0 * L * dp, *nrm = ws->norm + w0 * L, *g = dout + w0 * L * dp;
  for (size_t r = 0; r < nw * L; r++) {
    if (!net->normalize) {
      memcpy(dcur + r * dp, g + r * dp, dp * sizeof *dcur);
      continue;
    }
    NN_REAL yg = 0;
    for (size_t j = 0; j < dp; j++) yg += y[r * dp + j] * g[r * dp + j];
    for (size_t j = 0; j < dp; j++)
      dcur[r * dp + j] = nrm[r] > 0 ? (g[r * dp + j] - y[r * dp + j] * yg) / nrm[r] : 0;
  }
  for (int l = nl - 1; l >= 0; l--) {
    const nn_layer *ly = &net->layer[l];
    size_t lin = (size_t)ws->len[l], lout = (size_t)ws->len[l + 1], cip = (size_t)ly->cinp,
           cop = (size_t)ly->coutp, M = nw * lout;
    /* through the GELU, and the bias gradient, in one pass */
    const NN_REAL *dzl = ly->gelu ? dz : dcur, *dg = ly->gelu ? ws->dg[l] + w0 * lout * cop : NULL;
    NN_REAL *db = grad + ly->b;
    for (size_t j = 0; j < cop; j += 4 * NN_VL) {   /* 4 vectors of channels per pass */
      int nv = cop - j >= 4 * NN_VL ? 4 : (int)((cop - j) / NN_VL);
      NN_VEC sum[4] = {{0}, {0}, {0}, {0}};
      for (size_t m = 0; m < M; m++)
        for (int v = 0; v < nv; v++) {
          size_t i = m * cop + j + (size_t)v * NN_VL;
          NN_VEC d = NN_LOAD(dcur + i);
          if (dg) {
            d *= NN_LOAD(dg + i);
            NN_STORE(dz + i, d);
          }
          sum[v] += d;
        }
      for (int v = 0; v < nv; v++) NN_STORE(db + j + (size_t)v * NN_VL, sum[v]);
    }
    if (l == 0) {
      NN_REAL *dW = grad + ly->w;
      if (!x->dense) {
        NN_(first_grad_sparse)(x, starts + w0, nw, lin, lout, ly->k, cop, dzl, dW);
        break;
      }
      /* g0[(w, s)] = the gradients of the outputs that row s feeds, tap by tap */
      size_t kh = (size_t)ly->k * cop;
      for (size_t w = 0; w < nw; w++)
        for (size_t s = 0; s < lin; s++)
          for (int tap = 0; tap < ly->k; tap++) {
            NN_REAL *dst = g0 + (w * lin + s) * kh + (size_t)tap * cop;
            long t = (long)s - tap;
            if (t >= 0 && t < (long)lout)
              memcpy(dst, dzl + (w * lout + (size_t)t) * cop, cop * sizeof *dst);
            else
              memset(dst, 0, cop * sizeof *dst);
          }
      for (size_t w = 0; w < nw; w++)
        for (size_t s = 0; s < lin; s++)
          aoff[w * lin + s] = NN_(row)(x, starts[w0 + w], (int)s) * x->N;
      NN_(colmm)(nw * lin, kh, x->N, x->dense, aoff, g0, kh, dW, kh);
      break;
    }
    /* weight gradient: im2col(input)ᵀ dz */
    const NN_REAL *in = ws->act[l] + w0 * lin * cip;
    for (size_t w = 0; w < nw; w++)
      for (size_t t = 0; t < lout; t++) aoff[w * lout + t] = (w * lin + t) * cip;
    size_t K = (size_t)ly->k * cip;
    NN_(colmm)(M, cop, K, in, aoff, dzl, cop, grad + ly->w, cop);
    /* input gradient: col2im(dz Wᵀ), plus the skip's cropped copy */
    for (size_t m = 0; m < M; m++) aoff[m] = m * cop;
    NN_(rowmm)(M, K, cop, dzl, aoff, ws->wt + ly->w, K, NULL, cols, K);
    size_t crop = (size_t)(ly->k - 1) / 2;
    for (size_t w = 0; w < nw; w++)
      for (size_t s = 0; s < lin; s++)
        for (size_t c = 0; c < cip; c += NN_VL) {
          NN_VEC acc = {0};
          if (ly->skip && s >= crop && s - crop < lout)
            acc = NN_LOAD(dcur + (w * lout + s - crop) * cop + c);
          for (int tap = 0; tap < ly->k; tap++) {
            long t = (long)s - tap;
            if (t >= 0 && t < (long)lout)
              acc += NN_LOAD(cols + (w * lout + (size_t)t) * K + (size_t)tap * cip + c);
          }
          NN_STORE(dprev + (w * lin + s) * cip + c, acc);
        }
    NN_REAL *tmp = dcur;
    dcur = dprev, dprev = tmp;
  }
}

void NN_(backward)(const nn_net *net, const NN_REAL *params, const NN_(data) *x,
                   const long *starts, NN_(work) *ws, const NN_REAL *dout, NN_REAL *grad) {
  /* W_lᵀ (coutp × k·cinp) for the input gradients, at the offset of W_l */
  for (int l = 1; l < net->n_layers; l++) {
    const nn_layer *ly = &net->layer[l];
    size_t K = (size_t)ly->k * (size_t)ly->cinp, cop = (size_t)ly->coutp;
    for (size_t q = 0; q < K; q++)
      for (size_t j = 0; j < cop; j++) ws->wt[ly->w + j * K + q] = params[ly->w + q * cop + j];
  }
  long nchunk = (long)((ws->nwin + ws->cw - 1) / ws->cw);
#pragma omp parallel num_threads(ws->nthreads)
  {
#pragma omp for schedule(static)
    for (long c = 0; c < nchunk; c++)
      NN_(backward_chunk)(net, x, starts, ws, dout, (size_t)c,
                          ws->scratch + (size_t)omp_get_thread_num() * ws->scratch_len);
    /* the chunks' sum in chunk order */
    long nblk = (long)((net->n_params + 255) / 256);
#pragma omp for schedule(static)
    for (long b = 0; b < nblk; b++) {
      size_t i0 = (size_t)b * 256, i1 = i0 + 256 < net->n_params ? i0 + 256 : net->n_params;
      for (size_t i = i0; i < i1; i++) grad[i] = ws->partial[i];
      for (long c = 1; c < nchunk; c++) {
        const NN_REAL *pc = ws->partial + (size_t)c * net->n_params;
        for (size_t i = i0; i < i1; i++) grad[i] += pc[i];
      }
    }
  }
}

#undef NN_LOAD
#undef NN_STORE
#undef NN_ROWS_CASE
#undef NN_COLS_CASE
