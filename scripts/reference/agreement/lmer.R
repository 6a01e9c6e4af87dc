# REML variance components of value ~ 1 + (1|unit) + (1|rater) from lme4 (for the
# variance-components ICC of incomplete designs). Usage: Rscript lmer.R data.csv out.json
suppressMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("character", "character", "numeric"))
m <- lmer(value ~ 1 + (1 | unit) + (1 | rater), data = d, REML = TRUE,
          control = lmerControl(optimizer = "bobyqa",
                                optCtrl = list(rhobeg = 2e-4, rhoend = 2e-10, maxfun = 1e5)))
vc <- as.data.frame(VarCorr(m))
g <- function(n) vc$vcov[vc$grp == n]
f <- function(x) formatC(x, digits = 17, format = "g")
writeLines(sprintf('{"unit":%s,"rater":%s,"residual":%s,"reml_criterion":%s}',
                   f(g("unit")), f(g("rater")), f(g("Residual")), f(REMLcrit(m))), args[2])
