#!/usr/bin/env Rscript
# The lme4 side of scripts/bench-decompose.sh's profile-interval section (issue #12): fits one
# formula by REML to the given dimensions of a tidy ratings CSV and computes
# confint(method = "profile") of every standard deviation, as
# `chameleon decompose --model FORMULA --profile-ci` does.
#   Rscript scripts/reference/decompose/lme4_profile_bench.R ratings.csv "value ~ ..." dim0 [dim1 ...]
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
formula <- as.formula(args[2])
dims <- if (length(args) > 2) args[-(1:2)] else levels(d$dimension)
for (dim in dims) {
  m <- lmer(formula, data = d[d$dimension == dim, ], REML = TRUE)
  ci <- confint(m, method = "profile", oldNames = FALSE, quiet = TRUE)
  cat(dim, paste(rownames(ci), signif(ci[, 1], 6), signif(ci[, 2], 6), collapse = " "), "\n")
}
