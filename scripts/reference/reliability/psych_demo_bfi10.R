# Reference values for the demo's BFI-10 questionnaire (crates/core/src/sample.rs): per scale,
# psych::alpha, psych::omega(nfactors = 1) and psych::multilevel.reliability on the self-reports
# the demo generates. Reads crates/stats/tests/fixtures/reliability/demo_bfi10.csv (a copy of
# `chameleon sample demo DIR`'s questionnaire_ratings.csv, seed 2024, 36 persons; a CLI test
# checks the copy is what the generator writes) and writes demo_bfi10.json next to it.
# Run from the repository root:
#   Rscript scripts/reference/reliability/psych_demo_bfi10.R
suppressMessages(library(psych))
suppressMessages(library(jsonlite))
dir <- "crates/stats/tests/fixtures/reliability"
long <- read.csv(file.path(dir, "demo_bfi10.csv"), stringsAsFactors = FALSE)
# The scales as the demo's codebook defines them: items in order, reverse-keyed ones marked.
scales <- list(
  bfi_openness = c("-bfi_o1r", "bfi_o2"),
  bfi_conscientiousness = c("-bfi_c1r", "bfi_c2"),
  bfi_extraversion = c("-bfi_e1r", "bfi_e2"),
  bfi_agreeableness = c("bfi_a1", "-bfi_a2r"),
  bfi_neuroticism = c("-bfi_n1r", "bfi_n2")
)
long$key <- paste(long$person, long$context)
keys <- unique(long$key)
ids <- unique(long[, c("key", "person", "context")])
res <- list()
for (s in names(scales)) {
  spec <- scales[[s]]
  items <- sub("^-", "", spec)
  x <- sapply(seq_along(items), function(j) {
    sel <- long[long$dimension == items[j], ]
    v <- sel$value[match(keys, sel$key)]
    if (startsWith(spec[j], "-")) 6 - v else v
  })
  colnames(x) <- items
  a <- alpha(x, check.keys = FALSE, warnings = FALSE)
  o <- suppressWarnings(omega(x, nfactors = 1, fm = "minres", plot = FALSE))
  wide <- data.frame(id = ids$person[match(keys, ids$key)],
                     time = as.integer(factor(ids$context[match(keys, ids$key)])), x)
  m <- suppressWarnings(multilevel.reliability(wide, grp = "id", Time = "time", items = items,
                                               alpha = FALSE, lme = FALSE, plot = FALSE))
  v <- m$components[1:7, 1]
  k <- length(items)
  r1f <- (v[1] + v[5] / k) / (v[1] + v[5] / k + v[7] / k)
  res[[s]] <- list(
    items = items, n = nrow(x),
    raw_alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha,
    item_rest = unname(a$item.stats$r.drop), omega_total = o$omega.tot,
    multilevel = list(
      components = list(person = v[1], time = v[2], item = v[3], person_time = v[4],
                        person_item = v[5], time_item = v[6], residual = v[7]),
      r1f = r1f, rkf = m$RkF, r1r = m$R1R, rkr = m$RkR, rc = m$Rc)
  )
}
res$psych_version <- as.character(packageVersion("psych"))
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(dir, "demo_bfi10.json"))
