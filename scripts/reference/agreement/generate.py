#!/usr/bin/env python3
"""Generates the agreement fixtures in crates/stats/tests/fixtures/agreement/.

Each case is written as `<name>.csv` (tidy long `unit,rater,value`, missing ratings absent)
and `<name>.json` with the expected values from the reference tools:

* Krippendorff's alpha: Python `krippendorff` (nominal, ordinal, interval, ratio);
* Fleiss' kappa: statsmodels `fleiss_kappa` (only where every unit has the same number of
  ratings; statsmodels has no form for unequal numbers), and Gwet's generalised form for
  missing ratings from the Python `irrCAC` package (`CAC.fleiss`) for every case;
* Cohen's kappa per rater pair: scikit-learn `cohen_kappa_score` on the pair's shared units,
  matched by unit id, with `labels` = the scale's categories (unweighted, linear, quadratic);
* ICC1..ICC3k with F, p and 95% bounds: R psych `ICC` (via icc.R; complete designs only),
  and pingouin `intraclass_corr` point values as a cross-check;
* REML variance components of value ~ 1 + (1|unit) + (1|rater): R lme4 `lmer` (via lmer.R);
* percent agreement and the symmetric-sums variance components: brute force over all pairs of
  ratings here (O(N^2), independent of the O(N) algebra in Rust).

Needs: pip install krippendorff pingouin statsmodels scikit-learn irrCAC; R with psych, lme4.
Run from the repository root:  python3 scripts/reference/agreement/generate.py
"""
import json
import os
import subprocess
import sys
from itertools import combinations

import krippendorff
import numpy as np
import pandas as pd
import pingouin as pg
import sklearn
import statsmodels
from irrCAC.raw import CAC
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "..", "crates", "stats", "tests", "fixtures", "agreement")


def likert(rng, units, raters, k, noise, leniency=0.4):
    truth = rng.normal((k + 1) / 2, k / 5, size=units)
    bias = rng.normal(0, leniency, size=raters)
    x = truth[:, None] + bias[None, :] + rng.normal(0, noise, size=(units, raters))
    return np.clip(np.rint(x), 1, k)


def nominal(rng, units, raters, q, p_agree):
    truth = rng.integers(0, q, size=units)
    x = np.empty((units, raters))
    for u in range(units):
        for r in range(raters):
            x[u, r] = truth[u] if rng.random() < p_agree else rng.integers(0, q)
    return x


def drop(rng, x, p_missing):
    x = x.copy()
    x[rng.random(x.shape) < p_missing] = np.nan
    return x


def rotating(rng, x, per_unit):
    """Keeps `per_unit` raters per unit, a different random subset each time."""
    y = np.full(x.shape, np.nan)
    for u in range(x.shape[0]):
        keep = rng.choice(x.shape[1], size=per_unit, replace=False)
        y[u, keep] = x[u, keep]
    return y


def cases():
    rng = np.random.default_rng(20261123)
    return [
        ("balanced_likert5", likert(rng, 40, 4, 5, 0.8), list(range(1, 6))),
        ("balanced_likert7", likert(rng, 60, 3, 7, 1.0), list(range(1, 8))),
        ("missing_likert5", drop(rng, likert(rng, 50, 5, 5, 0.9), 0.25), list(range(1, 6))),
        ("rotating_likert7", rotating(rng, likert(rng, 80, 8, 7, 1.1), 3), list(range(1, 8))),
        ("incomplete_likert5", rotating(rng, likert(rng, 70, 6, 5, 0.7), 2), list(range(1, 6))),
        ("nominal2", nominal(rng, 60, 3, 2, 0.7), [0, 1]),
        ("nominal6_missing", drop(rng, nominal(rng, 45, 4, 6, 0.6), 0.2), list(range(6))),
        ("continuous", np.round(rng.gamma(4.0, 2.0, size=(30, 1)) + rng.normal(0, 1.5, size=(30, 3)), 3).clip(0.01), None),
    ]


def brute_force(x):
    """Percent agreement and symmetric-sums variance components straight from the definition."""
    obs = [(u, r, x[u, r]) for u in range(x.shape[0]) for r in range(x.shape[1]) if not np.isnan(x[u, r])]
    su = sr = sx = 0.0
    pu = pr = px = 0
    for (u1, r1, y1), (u2, r2, y2) in combinations(obs, 2):
        d = (y1 - y2) ** 2
        if u1 == u2:
            su += d; pu += 1
        elif r1 == r2:
            sr += d; pr += 1
        else:
            sx += d; px += 1
    du, dr, dx = su / pu / 2, sr / pr / 2, sx / px / 2
    db = (sr + sx) / (pr + px) / 2
    pct, pct1, n = 0.0, 0.0, 0
    for u in range(x.shape[0]):
        v = x[u][~np.isnan(x[u])]
        if len(v) < 2:
            continue
        pairs = list(combinations(v, 2))
        pct += np.mean([a == b for a, b in pairs])
        pct1 += np.mean([abs(a - b) <= 1 for a, b in pairs])
        n += 1
    return {
        "variance_components": {"unit": dx - du, "rater": dx - dr, "residual": du + dr - dx,
                                "within_unit": du, "unit_oneway": db - du},
        "percent_exact": 100 * pct / n,
        "percent_within_one": 100 * pct1 / n,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, x, cats in cases():
        units, raters = x.shape
        rows = [(f"u{u:03d}", f"r{r}", x[u, r]) for u in range(units) for r in range(raters)
                if not np.isnan(x[u, r])]
        df = pd.DataFrame(rows, columns=["unit", "rater", "value"])
        csv = os.path.join(OUT, f"{name}.csv")
        df.to_csv(csv, index=False, float_format="%.17g")
        data = x.T  # krippendorff wants raters x units
        exp = {
            "generated_by": "scripts/reference/agreement/generate.py",
            "tools": {"krippendorff": krippendorff.__version__ if hasattr(krippendorff, "__version__") else "0.7",
                      "statsmodels": statsmodels.__version__, "scikit-learn": sklearn.__version__,
                      "pingouin": pg.__version__, "irrCAC": "0.4.4"},
            "categories": cats,
            "alpha": {lvl: krippendorff.alpha(reliability_data=data, level_of_measurement=lvl)
                      for lvl in ["nominal", "ordinal", "interval", "ratio"]},
        }
        counts = (~np.isnan(x)).sum(axis=1)
        rated = counts[counts >= 1]
        if len(set(rated)) == 1 and rated[0] >= 2:
            sub = x[counts >= 1]
            table, _ = aggregate_raters(np.array([row[~np.isnan(row)] for row in sub]))
            exp["fleiss_kappa"] = fleiss_kappa(table, method="fleiss")
        else:
            exp["fleiss_kappa"] = None
        # Gwet's generalised Fleiss kappa (missing ratings), irrCAC's CAC.fleiss (pa, pe
        # unrounded: recomputed from its unrounded internals via digits=17).
        gw = CAC(pd.DataFrame(x), digits=17)
        gw.fleiss()
        exp["fleiss_kappa_gwet"] = (gw.pa - gw.pe) / (1 - gw.pe)
        pairs = []
        labels = cats if cats is not None else None
        for a, b in combinations(range(raters), 2):
            shared = ~np.isnan(x[:, a]) & ~np.isnan(x[:, b])
            if shared.sum() == 0:
                continue
            ya, yb = x[shared, a], x[shared, b]
            if cats is None:
                continue
            k = {w or "none": cohen_kappa_score(ya, yb, labels=labels, weights=w)
                 for w in [None, "linear", "quadratic"]}
            pairs.append({"a": f"r{a}", "b": f"r{b}", "units": int(shared.sum()),
                          "kappa": k["none"], "kappa_linear": k["linear"],
                          "kappa_quadratic": k["quadratic"]})
        exp["pairs"] = pairs
        exp.update(brute_force(x))
        complete = (counts == raters).all()
        if complete:
            icc = pg.intraclass_corr(df, targets="unit", raters="rater", ratings="value")
            exp["icc_pingouin"] = dict(zip(["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"],
                                           icc["ICC"].tolist()))
            out = csv + ".icc.json"
            subprocess.run(["Rscript", os.path.join(HERE, "icc.R"), csv, out], check=True)
            with open(out) as f:
                exp["icc_psych"] = json.load(f)
            os.remove(out)
        out = csv + ".lmer.json"
        subprocess.run(["Rscript", os.path.join(HERE, "lmer.R"), csv, out], check=True)
        with open(out) as f:
            exp["lmer"] = json.load(f)
        os.remove(out)
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(exp, f, indent=1)
        print(name, "units", units, "ratings", len(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
