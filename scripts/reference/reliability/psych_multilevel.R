# Reference values for crates/stats/src/reliability/multilevel.rs: psych::multilevel.reliability
# (aov = TRUE, its default estimates; lme = FALSE). Writes
# crates/stats/tests/fixtures/multilevel/{NAME}.csv (long: person,occasion,item,value) and
# {NAME}.json (psych's components and coefficients; R1F, which psych does not report, from
# psych's components by Shrout & Lane's formula). Run from the repository root:
#   Rscript scripts/reference/reliability/psych_multilevel.R
suppressMessages(library(psych))
suppressMessages(library(jsonlite))
out <- "crates/stats/tests/fixtures/multilevel"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

make <- function(name, n, times, items, seed, sd_p = 1, sd_pt = 0.6, sd_e = 0.8) {
  set.seed(seed)
  e_p <- rnorm(n, 0, sd_p)
  e_t <- rnorm(times, 0, 0.3)
  e_i <- rnorm(items, 0, 0.5)
  e_pt <- matrix(rnorm(n * times, 0, sd_pt), n, times)
  e_pi <- matrix(rnorm(n * items, 0, 0.4), n, items)
  rows <- expand.grid(item = seq_len(items), occasion = seq_len(times), person = seq_len(n))
  rows$value <- round(3 + e_p[rows$person] + e_t[rows$occasion] + e_i[rows$item] +
    e_pt[cbind(rows$person, rows$occasion)] + e_pi[cbind(rows$person, rows$item)] +
    rnorm(nrow(rows), 0, sd_e))
  # psych wants a wide frame: id, time, one column per item
  wide <- expand.grid(time = seq_len(times), id = seq_len(n))[, c("id", "time")]
  for (j in seq_len(items)) {
    sel <- rows[rows$item == j, ]
    wide[[paste0("i", j)]] <- sel$value[match(paste(wide$id, wide$time), paste(sel$person, sel$occasion))]
  }
  m <- multilevel.reliability(wide, grp = "id", Time = "time", items = paste0("i", seq_len(items)),
                              alpha = FALSE, lme = FALSE, plot = FALSE)
  v <- m$components[1:7, 1]
  e <- v[7]
  r1f <- (v[1] + v[5] / items) / (v[1] + v[5] / items + e / items)
  long <- data.frame(person = sprintf("p%02d", rows$person), occasion = sprintf("t%d", rows$occasion),
                     item = sprintf("i%d", rows$item), value = rows$value)
  write.csv(long, file.path(out, paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
  res <- list(n_persons = n, n_occasions = times, n_items = items,
              components = list(person = v[1], time = v[2], item = v[3], person_time = v[4],
                                person_item = v[5], time_item = v[6], residual = v[7]),
              r1f = r1f, rkf = m$RkF, r1r = m$R1R, rkr = m$RkR, rc = m$Rc)
  writeLines(toJSON(res, auto_unbox = TRUE, digits = NA), file.path(out, paste0(name, ".json")))
}

make("small", n = 6, times = 4, items = 3, seed = 1)
make("diary", n = 20, times = 5, items = 4, seed = 7)
make("two_items", n = 12, times = 3, items = 2, seed = 42, sd_pt = 0.2)
