/* score.h — how well predicted values match the truth, as the brain–behaviour literature and
 * CEBRA score them: R² (scikit-learn's multi-output definition, averaged over columns) and the
 * median error. Every matrix holds one sample per row (a time bin), one variable per column. */
#ifndef JOINT_SCORE_H
#define JOINT_SCORE_H

#include <gsl/gsl_matrix.h>

/* R² of pred against truth, per column 1 − SS_res/SS_tot, then the plain mean over columns
 * (sklearn's r2_score with multioutput="uniform_average"). A constant truth column scores 1 if
 * predicted exactly and 0 otherwise (sklearn's force_finite). NAN if the shapes differ or
 * there are no rows. */
double joint_r2(const gsl_matrix *truth, const gsl_matrix *pred);

/* R² of one column. */
double joint_r2_column(const gsl_matrix *truth, const gsl_matrix *pred, size_t col);

/* The median over rows of the Euclidean distance between truth and prediction (for one column
 * the median absolute error, CEBRA's "median error"). NAN if the shapes differ or no rows. */
double joint_median_error(const gsl_matrix *truth, const gsl_matrix *pred);

#endif
