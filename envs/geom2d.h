/* geom2d.h — plane geometry shared by the continuous worlds (watermaze, forage): where a ray
 * meets a circle or a segment, the distance from a point to a segment, a disc-shaped body
 * moving among walls, a point moving inside a round pool that stops or reflects at the rim, and
 * the mapping from world coordinates to the pixels the worlds draw on.
 *
 * Rays are an origin (ox, oy) and a unit direction (ux, uy); distances are along the ray, in the
 * world's units. Nothing here allocates. */
#ifndef SOMA_GEOM2D_H
#define SOMA_GEOM2D_H

/* A wall: the segment from (x0, y0) to (x1, y1). */
typedef struct geom_seg {
  double x0, y0, x1, y1;
} geom_seg;

/* Distance along the ray to where it enters the disc of radius r at (cx, cy): 0 when the origin
 * is inside (or on) the disc, INFINITY when the ray misses it. */
double geom_ray_circle(double ox, double oy, double ux, double uy, double cx, double cy, double r);

/* Distance along the ray from a point inside the disc of radius r at (cx, cy) to where it
 * leaves it (a point outside counts as being on the rim). */
double geom_ray_circle_exit(double ox, double oy, double ux, double uy, double cx, double cy,
                            double r);

/* Distance along the ray to where it crosses the segment, INFINITY when it does not (a ray
 * running along the segment's own line does not cross it). */
double geom_ray_segment(double ox, double oy, double ux, double uy, const geom_seg *s);

/* Distance from (px, py) to the segment; the closest point of the segment goes to (*qx, *qy)
 * when they are not NULL. */
double geom_point_segment(double px, double py, const geom_seg *s, double *qx, double *qy);

/* Moves a disc-shaped body of radius r at (*x, *y) by (dx, dy) among n walls: it goes straight
 * and stops one radius before the first wall its centre would cross, then is pushed out of any
 * wall it overlaps (a wall's end, a glancing touch). */
void geom_move_among(const geom_seg *walls, int n, double r, double *x, double *y, double dx,
                     double dy);

/* How a point meets the rim of a pool: it stops there (the rest of the move is lost), slides
 * along the rim by the rest's tangential part, or reflects like light off a mirror. */
typedef enum { GEOM_RIM_STOP, GEOM_RIM_SLIDE, GEOM_RIM_REFLECT } geom_rim;

/* The most corners geom_pool_move writes: the start, one per bounce, the end. */
#define GEOM_POOL_MAX_BOUNCES 8
#define GEOM_POOL_MAX_PATH (GEOM_POOL_MAX_BOUNCES + 2)

/* Moves a point from (x, y) by (dx, dy) inside the disc of radius R centred on the origin,
 * meeting the rim as rim says (GEOM_RIM_REFLECT: at the GEOM_POOL_MAX_BOUNCES-th bounce it
 * stops; GEOM_RIM_SLIDE: an arc of the rest's tangential length, written as one leg). Writes
 * the path's corners, start first and end last, into px[k], py[k] (room for
 * GEOM_POOL_MAX_PATH) and returns their count (at least 2; a start outside the pool is first
 * brought onto the rim). *hits gets the number of times the rim was met. */
int geom_pool_move(double R, geom_rim rim, double x, double y, double dx, double dy, double *px,
                   double *py, int *hits);

/* A view for drawing: world coordinates (y up) to the pixels of a rectangle (y down), the same
 * scale on both axes. */
typedef struct geom_view {
  double scale, x0, y0;   /* pixel = (x0 + scale * x, y0 - scale * y) */
} geom_view;

/* The view that fits the world box [wx0, wx1] x [wy0, wy1], centred, into the pixel rectangle
 * (x, y, w, h) less a margin of pad pixels on each side. */
geom_view geom_view_fit(double wx0, double wy0, double wx1, double wy1, int x, int y, int w, int h,
                        int pad);
int geom_view_x(const geom_view *v, double wx);
int geom_view_y(const geom_view *v, double wy);
int geom_view_len(const geom_view *v, double d);   /* a length, at least 1 pixel */

#endif
