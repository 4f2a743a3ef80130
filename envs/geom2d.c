/* geom2d.c — rays against circles and segments, point-to-segment distance, a body moving among
 * walls and a point moving inside a round pool (see geom2d.h). */
#include "envs/geom2d.h"

#include <math.h>

double geom_ray_circle(double ox, double oy, double ux, double uy, double cx, double cy, double r) {
  double fx = ox - cx, fy = oy - cy;
  double b = fx * ux + fy * uy, c = fx * fx + fy * fy - r * r;
  if (c <= 0) return 0;
  double disc = b * b - c;
  if (disc < 0) return INFINITY;
  double t = -b - sqrt(disc);
  return t >= 0 ? t : INFINITY;   /* both crossings behind the origin */
}

double geom_ray_circle_exit(double ox, double oy, double ux, double uy, double cx, double cy,
                            double r) {
  double fx = ox - cx, fy = oy - cy;
  double b = fx * ux + fy * uy, c = fx * fx + fy * fy - r * r;
  if (c > 0) c = 0;   /* outside: as if on the rim */
  double t = -b + sqrt(b * b - c);
  return t > 0 ? t : 0;
}

static double cross(double ax, double ay, double bx, double by) { return ax * by - ay * bx; }

double geom_ray_segment(double ox, double oy, double ux, double uy, const geom_seg *s) {
  double ex = s->x1 - s->x0, ey = s->y1 - s->y0;
  double denom = cross(ux, uy, ex, ey);
  if (fabs(denom) < 1e-15 * (fabs(ex) + fabs(ey))) return INFINITY;   /* parallel */
  double wx = s->x0 - ox, wy = s->y0 - oy;
  double t = cross(wx, wy, ex, ey) / denom, along = cross(wx, wy, ux, uy) / denom;
  return t >= 0 && along >= 0 && along <= 1 ? t : INFINITY;
}

double geom_point_segment(double px, double py, const geom_seg *s, double *qx, double *qy) {
  double ex = s->x1 - s->x0, ey = s->y1 - s->y0, e2 = ex * ex + ey * ey;
  double along = e2 > 0 ? ((px - s->x0) * ex + (py - s->y0) * ey) / e2 : 0;
  along = along < 0 ? 0 : along > 1 ? 1 : along;
  double x = s->x0 + along * ex, y = s->y0 + along * ey;
  if (qx) *qx = x;
  if (qy) *qy = y;
  return hypot(px - x, py - y);
}

void geom_move_among(const geom_seg *walls, int n, double r, double *x, double *y, double dx,
                     double dy) {
  double len = hypot(dx, dy);
  if (len > 0) {
    double ux = dx / len, uy = dy / len, travel = len;
    for (int i = 0; i < n; i++) {
      double t = geom_ray_segment(*x, *y, ux, uy, &walls[i]) - r;
      if (t < travel) travel = t > 0 ? t : 0;
    }
    *x += ux * travel;
    *y += uy * travel;
  }
  /* a few rounds settle a body wedged in a corner between two walls */
  for (int round = 0; round < 4; round++) {
    int pushed = 0;
    for (int i = 0; i < n; i++) {
      double qx, qy, d = geom_point_segment(*x, *y, &walls[i], &qx, &qy);
      if (d >= r) continue;
      double nx, ny;
      if (d > 1e-12) {
        nx = (*x - qx) / d, ny = (*y - qy) / d;
      } else {   /* exactly on the wall: leave along its normal */
        double ex = walls[i].x1 - walls[i].x0, ey = walls[i].y1 - walls[i].y0, e = hypot(ex, ey);
        nx = e > 0 ? -ey / e : 1, ny = e > 0 ? ex / e : 0;
      }
      *x = qx + nx * r;
      *y = qy + ny * r;
      pushed = 1;
    }
    if (!pushed) break;
  }
}

/* Puts (x, y) on the rim when rounding left it outside. */
static void onto_rim(double R, double *x, double *y, int always) {
  double d = hypot(*x, *y);
  if (d > 0 && (always || d > R)) *x *= R / d, *y *= R / d;
}

int geom_pool_move(double R, geom_rim rim, double x, double y, double dx, double dy, double *px,
                   double *py, int *hits) {
  int n = 0;
  *hits = 0;
  onto_rim(R, &x, &y, 0);
  px[n] = x, py[n++] = y;
  double left = hypot(dx, dy);
  if (left == 0) return px[n] = x, py[n++] = y, n;
  double ux = dx / left, uy = dy / left;
  for (int bounce = 0;; bounce++) {
    double t = geom_ray_circle_exit(x, y, ux, uy, 0, 0, R);
    if (t >= left) {
      x += ux * left, y += uy * left;
      onto_rim(R, &x, &y, 0);
      return px[n] = x, py[n++] = y, n;
    }
    x += ux * t, y += uy * t;
    onto_rim(R, &x, &y, 1);
    left -= t;
    px[n] = x, py[n++] = y;
    ++*hits;
    double nx = x / R, ny = y / R;
    if (rim == GEOM_RIM_SLIDE) {
      double turn = left * (ux * -ny + uy * nx) / R, c = cos(turn), s = sin(turn);
      return px[n] = x * c - y * s, py[n++] = x * s + y * c, n;
    }
    if (rim == GEOM_RIM_STOP || bounce == GEOM_POOL_MAX_BOUNCES - 1) return n;
    double dot = ux * nx + uy * ny;
    ux -= 2 * dot * nx, uy -= 2 * dot * ny;
  }
}

geom_view geom_view_fit(double wx0, double wy0, double wx1, double wy1, int x, int y, int w, int h,
                        int pad) {
  double sw = (w - 2 * pad) / (wx1 - wx0), sh = (h - 2 * pad) / (wy1 - wy0);
  double s = sw < sh ? sw : sh;
  if (!(s > 0)) s = 1e-9;
  geom_view v = {s, 0, 0};
  v.x0 = x + 0.5 * w - s * 0.5 * (wx0 + wx1);
  v.y0 = y + 0.5 * h + s * 0.5 * (wy0 + wy1);
  return v;
}

int geom_view_x(const geom_view *v, double wx) { return (int)lround(v->x0 + v->scale * wx); }
int geom_view_y(const geom_view *v, double wy) { return (int)lround(v->y0 - v->scale * wy); }

int geom_view_len(const geom_view *v, double d) {
  long n = lround(v->scale * d);
  return n < 1 ? 1 : n > 1 << 15 ? 1 << 15 : (int)n;
}
