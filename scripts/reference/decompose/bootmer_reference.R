#!/usr/bin/env Rscript
# Fixture for the parametric bootstrap of the formula engine (issue #12 item 3): lme4's
# bootMer(m, FUN, nsim, type = "parametric") on a crossed design (contexts shared by persons),
# crates/stats/tests/fixtures/formula/norater_replicates.csv, formula
# value ~ 1 + (1|person) + (1|context), REML.
#
# Writes crates/stats/tests/fixtures/intervals/norater_replicates.bootmer.json: the fit, and per
# statistic (components person, context, residual; their shares) the sorted bootstrap values,
# so a test can compare percentile endpoints within Monte-Carlo error.
#
# Run from the repository root:  Rscript scripts/reference/decompose/bootmer_reference.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })

src <- file.path("crates", "stats", "tests", "fixtures", "formula")
dir <- file.path("crates", "stats", "tests", "fixtures", "intervals")
dir.create(dir, showWarnings = FALSE, recursive = TRUE)
formula <- "value ~ 1 + (1|person) + (1|context)"
nsim <- 1000

d <- read.csv(file.path(src, "norater_replicates.csv"), stringsAsFactors = TRUE)
m <- lmer(as.formula(formula), data = d, REML = TRUE)
stat <- function(fit) {
  vc <- as.data.frame(VarCorr(fit))
  v <- setNames(vc$vcov, ifelse(vc$grp == "Residual", "residual", vc$grp))[c("person", "context", "residual")]
  c(v, v / sum(v))
}
set.seed(12)
b <- suppressWarnings(suppressMessages(bootMer(m, stat, nsim = nsim, type = "parametric")))
t <- b$t
colnames(t) <- c(paste0("component.", c("person", "context", "residual")),
                 paste0("share.", c("person", "context", "residual")))
ok <- complete.cases(t)
samples <- lapply(as.data.frame(t[ok, ]), function(x) sort(unname(x)))
out <- list(formula = formula, reml = TRUE, nsim = nsim, failed = sum(!ok), seed = 12,
            lme4_version = as.character(packageVersion("lme4")),
            estimate = as.list(setNames(b$t0, colnames(t))), samples = samples)
json <- file.path(dir, "norater_replicates.bootmer.json")
writeLines(toJSON(out, auto_unbox = TRUE, digits = I(10), null = "null"), json)
cat("wrote", json, sum(ok), "resamples\n")
