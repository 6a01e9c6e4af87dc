# Reference values for crates/stats/src/reliability: psych::alpha and psych::omega(nfactors = 1).
# Writes crates/stats/tests/fixtures/reliability/{NAME}.csv (one column per item, already
# reverse-keyed with the scale bounds 1..5 where marked, i.e. the items as the Rust side scores
# them) and {NAME}.json (psych's numbers). Run from the repository root:
#   Rscript scripts/reference/reliability/psych_reliability.R
suppressMessages(library(psych))
out <- "crates/stats/tests/fixtures/reliability"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

make <- function(name, n, loadings, reverse, seed) {
  set.seed(seed)
  k <- length(loadings)
  f <- rnorm(n)
  x <- sapply(seq_len(k), function(j) {
    z <- loadings[j] * f + sqrt(1 - loadings[j]^2) * rnorm(n)
    pmin(5, pmax(1, round(3 + 1.1 * z)))
  })
  colnames(x) <- paste0("i", seq_len(k))
  # The raw file holds the responses as given; reverse-keyed items were asked negatively.
  raw <- x
  raw[, reverse] <- 6 - x[, reverse]
  scored <- raw
  scored[, reverse] <- 6 - raw[, reverse]
  write.csv(data.frame(person = sprintf("p%03d", seq_len(n)), context = "q", raw),
            file.path(out, paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
  a <- alpha(scored, check.keys = FALSE, warnings = FALSE)
  o <- suppressWarnings(omega(scored, nfactors = 1, fm = "minres", plot = FALSE))
  res <- list(
    items = colnames(x),
    reverse = I(colnames(x)[reverse]),
    n = n,
    raw_alpha = a$total$raw_alpha,
    std_alpha = a$total$std.alpha,
    average_r = a$total$average_r,
    item_rest = unname(a$item.stats$r.drop),
    alpha_if_dropped = unname(a$alpha.drop$raw_alpha),
    std_alpha_if_dropped = unname(a$alpha.drop$std.alpha),
    omega_total = o$omega.tot,
    loadings = unname(o$schmid$sl[, 1]),
    psych_version = as.character(packageVersion("psych"))
  )
  writeLines(jsonlite::toJSON(res, digits = NA, auto_unbox = TRUE, pretty = TRUE),
             file.path(out, paste0(name, ".json")))
}

make("six_items", 240, c(0.8, 0.7, 0.6, 0.7, 0.5, 0.4), reverse = c(3, 5), seed = 16)
make("four_items", 90, c(0.6, 0.3, 0.7, 0.5), reverse = c(2), seed = 1601)
make("two_items", 60, c(0.7, 0.6), reverse = c(2), seed = 1602)
