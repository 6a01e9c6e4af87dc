#!/usr/bin/env Rscript
# Fixtures for the formula engine (issue #12): data sets and lme4 fits of random-intercept
# formulas over person, context, rater and their two-way interactions.
#
# Writes crates/stats/tests/fixtures/formula/<name>.csv (person,context,rater,value; rater
# empty for a no-rater data set) and <name>.json with, per formula and criterion (REML, ML):
#   - default: lmer's default optimizer (nloptwrap)
#   - by_optimizer: nloptwrap, bobyqa, Nelder_Mead; best_criterion = the lowest of them
#   - strict: bobyqa with rhoend = 1e-11 (the precise reference)
#   - optimizer_spread: per component, max - min over the three optimizers
# Each fit records the criterion (REMLcrit() or deviance()), the components (VarCorr), the
# intercept, its standard error and whether the fit is singular.
#
# Run from the repository root:  Rscript scripts/reference/decompose/formula_reference.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })

dir <- file.path("crates", "stats", "tests", "fixtures", "formula")
dir.create(dir, showWarnings = FALSE, recursive = TRUE)

# sd: person, context, person:context, rater, rater:person, rater:context, residual.
simulate <- function(seed, persons, n_ctx, ctx_of, n_rat, rat_of, sd, has_rater = TRUE,
                     rep_prob = 0, drop = 0) {
  set.seed(seed)
  eff <- function(k, s) rnorm(k, 0, s)
  P <- eff(persons, sd[1]); C <- eff(n_ctx, sd[2]); R <- eff(n_rat, sd[4])
  RP <- matrix(eff(n_rat * persons, sd[5]), n_rat)
  RC <- matrix(eff(n_rat * n_ctx, sd[6]), n_rat)
  rows <- list()
  for (p in seq_len(persons)) {
    ctxs <- sample(n_ctx, ctx_of())
    for (c in ctxs) {
      pc <- rnorm(1, 0, sd[3])
      raters <- if (has_rater) sample(n_rat, rat_of()) else rep(NA, rat_of())
      for (r in raters) {
        if (runif(1) < drop) next
        reps <- if (runif(1) < rep_prob) 2 else 1
        for (k in seq_len(reps)) {
          y <- 4 + P[p] + C[c] + pc + rnorm(1, 0, sd[7])
          if (has_rater) y <- y + R[r] + RP[r, p] + RC[r, c]
          rows[[length(rows) + 1]] <- data.frame(
            person = sprintf("p%03d", p), context = sprintf("c%02d", c),
            rater = if (has_rater) sprintf("r%02d", r) else "", value = round(y, 6))
        }
      }
    }
  }
  do.call(rbind, rows)
}

sets <- list(
  # Shared contexts, every term present; 3 of 8 contexts per person, 3 of 6 raters per profile.
  shared_balanced = list(d = simulate(1201, 40, 8, function() 3, 6, function() 3,
                                      c(0.8, 0.5, 0.7, 0.4, 0.35, 0.3, 0.6))),
  # Unbalanced: 1-5 contexts of 10, 1-3 raters of 8, 10% dropped, 15% replicate rows.
  shared_unbalanced = list(d = simulate(1202, 50, 10, function() sample(1:5, 1), 8,
                                        function() sample(1:3, 1),
                                        c(0.6, 0.6, 0.5, 0.5, 0.3, 0.25, 0.8),
                                        rep_prob = 0.15, drop = 0.1)),
  # No context, rater:person or rater:context variance: boundary fits.
  boundary = list(d = simulate(1203, 30, 6, function() 3, 5, function() 2,
                               c(1.0, 0, 0.6, 0.5, 0, 0, 0.7))),
  # msqR style: no rater column, ids repeat, so some person x context cells have 2 rows.
  norater_replicates = list(d = simulate(1204, 60, 6, function() sample(1:3, 1), 1,
                                         function() sample(1:2, 1),
                                         c(0.7, 0.4, 0.5, 0, 0, 0, 0.6), has_rater = FALSE))
)

rater_formulas <- c(
  "value ~ 1 + (1|person) + (1|context)",
  "value ~ 1 + (1|person) + (1|context) + (1|person:context)",
  "value ~ 1 + (1|person) + (1|person:context) + (1|rater)",
  "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)",
  "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:person)",
  "value ~ 1 + (1|person) + (1|rater) + (1|rater:person)",
  "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:context)",
  "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:person) + (1|rater:context)"
)
norater_formulas <- c(
  "value ~ 1 + (1|person) + (1|context)",
  "value ~ 1 + (1|person) + (1|person:context)",
  "value ~ 1 + (1|person) + (1|context) + (1|person:context)"
)

optimizers <- c("nloptwrap", "bobyqa", "Nelder_Mead")
strict <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-11, maxfun = 1e6),
                      check.conv.singular = "ignore", calc.derivs = FALSE)

one_fit <- function(formula, data, reml, ctrl) {
  tryCatch({
    m <- suppressWarnings(suppressMessages(lmer(as.formula(formula), data = data, REML = reml,
                                                control = ctrl)))
    vc <- as.data.frame(VarCorr(m))
    list(components = as.list(setNames(vc$vcov, ifelse(vc$grp == "Residual", "residual", vc$grp))),
         criterion = if (reml) unname(REMLcrit(m)) else unname(deviance(m)),
         intercept = unname(fixef(m)[1]), intercept_se = unname(sqrt(diag(vcov(m)))[1]),
         theta = unname(getME(m, "theta")), singular = isSingular(m))
  }, error = function(e) list(error = conditionMessage(e)))
}

fit_all <- function(formula, data, reml) {
  fits <- lapply(optimizers, function(o) one_fit(formula, data, reml, lmerControl(optimizer = o)))
  names(fits) <- optimizers
  s <- one_fit(formula, data, reml, strict)
  ok <- Filter(function(f) is.null(f$error), fits)
  if (length(ok) == 0) return(list(formula = formula, reml = reml, error = fits[[1]]$error))
  comps <- names(ok[[1]]$components)
  spread <- sapply(comps, function(n) { v <- sapply(ok, function(f) f$components[[n]]); max(v) - min(v) })
  list(formula = formula, reml = reml, default = fits[[1]], strict = s,
       best_criterion = min(sapply(ok, function(f) f$criterion)),
       optimizer_spread = as.list(spread), by_optimizer = fits)
}

for (name in names(sets)) {
  d <- sets[[name]]$d
  has_rater <- any(d$rater != "")
  csv <- file.path(dir, paste0(name, ".csv"))
  write.csv(d, csv, row.names = FALSE, quote = FALSE)
  d$person <- factor(d$person); d$context <- factor(d$context)
  if (has_rater) d$rater <- factor(d$rater)
  forms <- if (has_rater) rater_formulas else norater_formulas
  fits <- list()
  for (f in forms) for (reml in c(TRUE, FALSE)) fits[[length(fits) + 1]] <- fit_all(f, d, reml)
  out <- list(file = basename(csv), rows = nrow(d), has_rater = has_rater,
              lme4_version = as.character(packageVersion("lme4")), fits = fits)
  json <- file.path(dir, paste0(name, ".json"))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = I(17), pretty = TRUE, null = "null"), json)
  cat("wrote", json, nrow(d), "rows\n")
}

# Conditional modes with conditional SDs (ranef(condVar = TRUE)) of the full six-term model on
# shared_balanced, REML, strict fit: <name>.ranef.json, per term a list of {level, mode, sd}
# (levels of interactions as lme4 names them, "a:b" in the term's factor order).
full <- rater_formulas[length(rater_formulas)]
for (name in c("shared_balanced")) {
  d <- read.csv(file.path(dir, paste0(name, ".csv")), stringsAsFactors = TRUE)
  m <- suppressWarnings(lmer(as.formula(full), data = d, REML = TRUE, control = strict))
  re <- as.data.frame(ranef(m, condVar = TRUE))
  terms <- lapply(split(re, re$grpvar), function(t)
    list(level = as.character(t$grp), mode = t$condval, sd = t$condsd))
  out <- list(formula = full, reml = TRUE, terms = terms)
  json <- file.path(dir, paste0(name, ".ranef.json"))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = I(17), null = "null"), json)
  cat("wrote", json, "\n")
}
