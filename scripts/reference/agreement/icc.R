# ICC reference values from R psych::ICC (F tests and 95% bounds at full precision).
# Usage: Rscript icc.R data.csv out.json   (data: unit,rater,value; complete design)
suppressMessages(library(psych))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("character", "character", "numeric"))
w <- reshape(d, idvar = "unit", timevar = "rater", direction = "wide")
m <- as.matrix(w[, -1])
r <- ICC(m, lmer = FALSE)$results
f <- function(x) formatC(x, digits = 17, format = "g")
rows <- sapply(seq_len(nrow(r)), function(i) {
  sprintf('"%s":{"value":%s,"F":%s,"df1":%s,"df2":%s,"p":%s,"lower":%s,"upper":%s}',
          r$type[i], f(r$ICC[i]), f(r$F[i]), f(r$df1[i]), f(r$df2[i]), f(r$p[i]),
          f(r[i, "lower bound"]), f(r[i, "upper bound"]))
})
writeLines(paste0("{", paste(rows, collapse = ","), "}"), args[2])
