//! Inter-rater agreement statistics (issue #3).
