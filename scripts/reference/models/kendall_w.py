#!/usr/bin/env python3
"""Reference values of Kendall's W for crates/stats/tests/kendall_fixtures.rs.

W is computed through Friedman's tie-corrected chi-square (scipy.stats.friedmanchisquare),
an implementation independent of ours: W = chi2 / (m (n - 1)) with m raters (the blocks) and n
units (the treatments). Cases: continuous scores (no ties), 5-point Likert ratings (many ties), several raters.

Run: python3 scripts/reference/models/kendall_w.py > crates/stats/tests/fixtures/models/kendall_w.json
"""
import json

import numpy as np
from scipy.stats import friedmanchisquare

rng = np.random.default_rng(14)
cases = []
for name, n, m, likert in [
    ("continuous_3x20", 20, 3, False),
    ("likert5_4x30", 30, 4, True),
    ("likert7_6x12", 12, 6, True),
    ("likert5_2x50", 50, 2, True),
]:
    truth = rng.normal(size=n)
    cols = []
    for _ in range(m):
        x = truth + rng.normal(scale=0.8, size=n)
        if likert:
            k = 7 if "likert7" in name else 5
            x = np.clip(np.round(x * 1.2 + (k + 1) / 2), 1, k)
        cols.append([float(v) for v in x])
    # Friedman: the units are the treatments, the raters the blocks.
    chi2 = friedmanchisquare(*[[cols[j][i] for j in range(m)] for i in range(n)]).statistic
    w = chi2 / (m * (n - 1))
    cases.append({"name": name, "raters": cols, "w": float(w)})
print(json.dumps({"source": "scipy.stats.friedmanchisquare (tie-corrected)", "cases": cases}, indent=1))
