# Reference values for `chameleon agreement --kappa-weights rank` (issue 11, item 22): R psych's
# cohen.kappa on ratings whose categories leave gaps (1, 3, 5, 6, 7, 8, 10 of a 1..10 scale),
# where psych's rank-based weights (its factor levels) differ from weights by scale position.
# Writes psych_kappa.csv (unit,rater,value) and psych_kappa.json next to this script.
#   Rscript scripts/reference/agreement/psych_kappa.R
suppressPackageStartupMessages(library(psych))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
set.seed(11)
cats <- c(1, 3, 5, 6, 7, 8, 10)
n <- 40
truth <- sample(seq_along(cats), n, replace = TRUE)
jitter <- function(t, spread) pmin(pmax(t + sample(-spread:spread, length(t), replace = TRUE), 1), length(cats))
a <- cats[jitter(truth, 1)]
b <- cats[pmin(jitter(truth, 1), 6)]
# Raters b and c never use the top category 10: their pair has one level fewer.
c <- cats[pmin(jitter(truth, 2), 6)]
x <- data.frame(A = a, B = b, C = c)
rows <- do.call(rbind, lapply(names(x), function(r) data.frame(unit = sprintf("u%02d", seq_len(n)), rater = r, value = x[[r]])))
rows <- rows[order(rows$unit, rows$rater), ]
write.csv(rows, file.path(here, "psych_kappa.csv"), row.names = FALSE, quote = FALSE)
pairs <- list()
for (p in list(c("A", "B"), c("A", "C"), c("B", "C"))) {
  xy <- x[, p]
  ck <- cohen.kappa(xy)
  # psych's weights are quadratic only; linear ones are passed explicitly over the same levels.
  lev <- levels(as.factor(unlist(xy)))
  q <- length(lev)
  wl <- 1 - abs(outer(1:q, 1:q, "-")) / (q - 1)
  ckl <- cohen.kappa(xy, w = wl)
  pairs[[length(pairs) + 1]] <- sprintf(
    '{"a": "%s", "b": "%s", "levels": %d, "kappa": %.17g, "kappa_linear": %.17g, "kappa_quadratic": %.17g}',
    p[1], p[2], q, ck$kappa, ckl$weighted.kappa, ck$weighted.kappa)
}
json <- sprintf('{"source": "R psych %s cohen.kappa", "pairs": [\n  %s\n]}\n',
  as.character(packageVersion("psych")), paste(unlist(pairs), collapse = ",\n  "))
writeLines(json, file.path(here, "psych_kappa.json"), sep = "")
