#!/usr/bin/env Rscript
# The lme4 side of scripts/bench-decompose.sh: fits, for every dimension of a tidy ratings CSV,
#   lmer(value ~ 1 + (1|person) + (1|person:context) + (1|rater))   (rater level)
#   lmer(score ~ 1 + (1|person))                                    (profile level, profile means)
# by REML with lme4's default optimizer, as `chameleon decompose FILE` does (without the
# per-rater sensitivity fits, which would only add to R's time). Prints one line per dimension.
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = TRUE)
names(d) <- tolower(names(d))
for (dim in levels(d$dimension)) {
  x <- d[d$dimension == dim & !is.na(d$value), ]
  m <- lmer(value ~ 1 + (1 | person) + (1 | person:context) + (1 | rater), data = x, REML = TRUE)
  prof <- aggregate(value ~ person + context, data = x, FUN = mean)
  m2 <- lmer(value ~ 1 + (1 | person), data = prof, REML = TRUE)
  vc <- as.data.frame(VarCorr(m2))$vcov
  cat(sprintf("%s trait_share=%.6f remlcrit=%.6f\n", dim, vc[1] / sum(vc), REMLcrit(m)))
}
