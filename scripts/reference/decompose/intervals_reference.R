#!/usr/bin/env Rscript
# Fixtures for the intervals of the formula engine (issue #12 item 3): lme4's profile
# intervals, confint(m, method = "profile", oldNames = FALSE), of every standard deviation, on
# the data sets of formula_reference.R (crates/stats/tests/fixtures/formula/<name>.csv).
#
# Writes crates/stats/tests/fixtures/intervals/<name>.profile.json with, per formula and
# criterion (REML, ML), the 95 % intervals keyed by term as written ("residual" for sigma):
#   - ci: confint's default profile (delta.cutoff = 1/8, spline-interpolated)
#   - ci_fine: the same with a four times finer profile grid (delta.cutoff = 1/32), closer to
#     the exact crossing of the profile
# The fits use bobyqa with rhoend = 1e-11, so the optimum the profile starts from is precise.
#
# Run from the repository root:  Rscript scripts/reference/decompose/intervals_reference.R [NAME...]
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })

src <- file.path("crates", "stats", "tests", "fixtures", "formula")
dir <- file.path("crates", "stats", "tests", "fixtures", "intervals")
dir.create(dir, showWarnings = FALSE, recursive = TRUE)

strict <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-11, maxfun = 1e6),
                      check.conv.singular = "ignore", calc.derivs = FALSE)

rater_formulas <- c(
  "value ~ 1 + (1|person) + (1|context)",
  "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)",
  "value ~ 1 + (1|person) + (1|rater) + (1|rater:person)",
  "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:person) + (1|rater:context)"
)
norater_formulas <- c(
  "value ~ 1 + (1|person) + (1|context)",
  "value ~ 1 + (1|person) + (1|context) + (1|person:context)"
)

key <- function(n) {
  if (n == "sigma") return("residual")
  sub("^sd_\\(Intercept\\)\\|", "", n)
}

ci_of <- function(m, delta.cutoff) {
  p <- suppressWarnings(profile(m, which = "theta_", signames = FALSE, delta.cutoff = delta.cutoff))
  ci <- suppressWarnings(confint(p, level = 0.95))
  setNames(lapply(seq_len(nrow(ci)), function(i) unname(ci[i, ])), sapply(rownames(ci), key))
}

# The six-term model only on shared_balanced: its profile takes lme4 minutes per criterion.
sets <- list(shared_balanced = rater_formulas, shared_unbalanced = rater_formulas[1:3],
             boundary = rater_formulas[1:3], norater_replicates = norater_formulas)
# Optionally only the data sets named on the command line.
only <- commandArgs(trailingOnly = TRUE)
if (length(only) > 0) sets <- sets[only]

for (name in names(sets)) {
  d <- read.csv(file.path(src, paste0(name, ".csv")), stringsAsFactors = TRUE)
  forms <- sets[[name]]
  fits <- list()
  for (f in forms) for (reml in c(TRUE, FALSE)) {
    t0 <- Sys.time()
    m <- suppressWarnings(lmer(as.formula(f), data = d, REML = reml, control = strict))
    fits[[length(fits) + 1]] <- list(formula = f, reml = reml, ci = ci_of(m, 1 / 8),
                                     ci_fine = ci_of(m, 1 / 32))
    cat(name, f, reml, format(Sys.time() - t0), "\n")
  }
  out <- list(file = paste0(name, ".csv"), level = 0.95,
              lme4_version = as.character(packageVersion("lme4")), fits = fits)
  json <- file.path(dir, paste0(name, ".profile.json"))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = I(17), pretty = TRUE, null = "null"), json)
  cat("wrote", json, "\n")
}
