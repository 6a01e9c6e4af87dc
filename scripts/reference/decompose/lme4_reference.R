#!/usr/bin/env Rscript
# Expected values for the decomposition fixtures (issue #4), from lme4.
#
# For every crates/stats/tests/fixtures/decompose/*.csv this writes <name>.expected.json with
#   - rater level: lmer(value ~ 1 + (1|person) + (1|person:context) + (1|rater), REML)
#   - profile level: lmer(score ~ 1 + (1|person), REML) on profile means
#   - per rater: lmer(value ~ 1 + (1|person), REML) on that rater's ratings (state sensitivity)
# each fitted with three optimizers (nloptwrap = lmer's default, bobyqa, Nelder_Mead). The spread
# between optimizers is lme4's own optimizer precision; the tests accept our components within
# it, and require our REML criterion to be no worse than the best lme4 criterion.
# A model lme4 refuses to fit is recorded as {"error": message}.
#
# Run from the repository root:  Rscript scripts/reference/decompose/lme4_reference.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })

dir <- file.path("crates", "stats", "tests", "fixtures", "decompose")
optimizers <- c("nloptwrap", "bobyqa", "Nelder_Mead")
# A fourth, strict fit (bobyqa run to rhoend = 1e-11) is the precise reference: far tighter
# than any default, it shows how close to the true optimum each fit is.
strict <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-11, maxfun = 1e6),
                      check.conv.singular = "ignore", calc.derivs = FALSE)

fit_all <- function(formula, data, names) {
  controls <- c(lapply(optimizers, function(opt) lmerControl(optimizer = opt)), list(strict))
  fits <- lapply(controls, function(ctrl) {
    tryCatch({
      m <- suppressWarnings(lmer(formula, data = data, REML = TRUE, control = ctrl))
      vc <- as.data.frame(VarCorr(m))
      comp <- setNames(vc$vcov, vc$grp)
      list(components = as.list(comp[names]), reml_criterion = unname(REMLcrit(m)),
           intercept = unname(fixef(m)[1]), singular = isSingular(m))
    }, error = function(e) list(error = conditionMessage(e)))
  })
  names(fits) <- c(optimizers, "strict")
  ok <- Filter(function(f) is.null(f$error), fits[optimizers])
  if (length(ok) == 0) return(list(error = fits[[1]]$error))
  # Optimizer precision per component: largest |a - b| between optimizers.
  spread <- sapply(names, function(n) {
    v <- sapply(ok, function(f) f$components[[n]])
    max(v) - min(v)
  })
  list(components = fits[[1]]$components, reml_criterion = fits[[1]]$reml_criterion,
       best_reml_criterion = min(sapply(ok, function(f) f$reml_criterion)),
       strict = fits$strict,
       intercept = fits[[1]]$intercept, singular = fits[[1]]$singular,
       optimizer_spread = as.list(spread), by_optimizer = fits)
}

for (csv in sort(list.files(dir, pattern = "\\.csv$", full.names = TRUE))) {
  d <- read.csv(csv, stringsAsFactors = TRUE)
  d$profile <- interaction(d$person, d$context, drop = TRUE)
  rater_level <- fit_all(value ~ 1 + (1 | person) + (1 | person:context) + (1 | rater), d,
                         c("person", "person:context", "rater", "Residual"))
  prof <- aggregate(value ~ person + context, data = d, FUN = mean)
  names(prof)[3] <- "score"
  profile_level <- fit_all(score ~ 1 + (1 | person), prof, c("person", "Residual"))
  per_rater <- list()
  for (r in levels(d$rater)) {
    dr <- d[d$rater == r, ]
    per_rater[[r]] <- fit_all(value ~ 1 + (1 | person), dr, c("person", "Residual"))
    per_rater[[r]]$by_optimizer <- NULL
  }
  out <- list(file = basename(csv), ratings = nrow(d), persons = nlevels(droplevels(d$person)),
              profiles = nlevels(d$profile), lme4_version = as.character(packageVersion("lme4")),
              rater_level = rater_level, profile_level = profile_level, per_rater = per_rater)
  json <- sub("\\.csv$", ".expected.json", csv)
  writeLines(toJSON(out, auto_unbox = TRUE, digits = I(17), pretty = TRUE, null = "null"), json)
  cat("wrote", json, "\n")
}
