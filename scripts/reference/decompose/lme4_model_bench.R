#!/usr/bin/env Rscript
# The lme4 side of scripts/bench-decompose.sh's shared-context G-study (issue #12): fits one
# formula per dimension of a tidy ratings CSV by REML, as `chameleon decompose --model` does.
#   Rscript scripts/reference/decompose/lme4_model_bench.R ratings.csv "value ~ 1 + (1|person) + ..."
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
formula <- as.formula(args[2])
for (dim in levels(d$dimension)) {
  m <- lmer(formula, data = d[d$dimension == dim, ], REML = TRUE)
  vc <- as.data.frame(VarCorr(m))
  cat(dim, REMLcrit(m), paste(signif(vc$vcov, 6), collapse = " "), "\n")
}
