//! Analyses of model raters.
