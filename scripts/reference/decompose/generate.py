#!/usr/bin/env python3
"""Seeded data sets for the decomposition fixtures (issue #4).

Writes tidy long CSVs `person,context,rater,dimension,value` into
crates/stats/tests/fixtures/decompose/. Standard library only, so the output is the same on
every machine with Python 3. Run from the repository root:

    python3 scripts/reference/decompose/generate.py
    Rscript scripts/reference/decompose/lme4_reference.R

Model: y_pcr = mu + T_p + S_pc + R_r + E_pcr, all normal, optionally rounded to a Likert scale.
"""
import csv
import os
import random

OUT = os.path.join("crates", "stats", "tests", "fixtures", "decompose")


def simulate(rng, persons, contexts_of, raters_of, sd, mu=4.0, likert=None, drop=0.0, pool=6):
    """contexts_of(rng, p) -> number of contexts; raters_of(rng) -> list of rater ids."""
    sd_t, sd_s, sd_r, sd_e = sd
    rater_eff = [rng.gauss(0.0, sd_r) for _ in range(pool)]
    rows = []
    for p in range(persons):
        t = rng.gauss(0.0, sd_t)
        for c in range(contexts_of(rng, p)):
            s = rng.gauss(0.0, sd_s)
            for r in raters_of(rng):
                if drop and rng.random() < drop:
                    continue
                y = mu + t + s + rater_eff[r] + rng.gauss(0.0, sd_e)
                if likert:
                    y = min(max(round(y), 1), likert)
                else:
                    y = round(y, 6)
                rows.append((f"p{p:03d}", f"c{c}", f"r{r:02d}", "value", y))
    return rows


def write(name, rows):
    path = os.path.join(OUT, name + ".csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["person", "context", "rater", "dimension", "value"])
        for row in rows:
            w.writerow(row)
    print("wrote", path, len(rows), "ratings")


def main():
    os.makedirs(OUT, exist_ok=True)
    # Chameleon-shaped: every person in 3 contexts, each profile rated by 3 of a pool of 8,
    # Likert 1..7, state larger than trait (the paper's 74/26).
    rng = random.Random(20261123)
    write("balanced", simulate(rng, 60, lambda r, p: 3, lambda r: r.sample(range(8), 3),
                               (0.6, 1.0, 0.3, 0.7), likert=7, pool=8))
    # Unbalanced: 1-6 contexts per person, 1-3 raters of 10 per profile, 15% missing ratings.
    rng = random.Random(7)
    write("unbalanced", simulate(rng, 80, lambda r, p: r.randint(1, 6),
                                 lambda r: r.sample(range(10), r.randint(1, 3)),
                                 (0.8, 0.6, 0.4, 0.9), drop=0.15, pool=10))
    # No state variance at all: the person:context component sits at the boundary.
    rng = random.Random(11)
    write("boundary", simulate(rng, 40, lambda r, p: r.randint(2, 4), lambda r: r.sample(range(5), 2),
                               (1.0, 0.0, 0.5, 1.0), pool=5))
    # Tiny: 2 persons x 2 contexts x 2 raters, fully crossed.
    rng = random.Random(3)
    write("tiny", simulate(rng, 2, lambda r, p: 2, lambda r: [0, 1], (1.0, 1.0, 0.5, 0.5), pool=2))
    # Degenerate: 2 persons, one context each, one rater -- nothing is identifiable.
    rng = random.Random(5)
    write("edge_no_replication", simulate(rng, 2, lambda r, p: 1, lambda r: [0], (1.0, 1.0, 0.0, 1.0),
                                          pool=1))


if __name__ == "__main__":
    main()
