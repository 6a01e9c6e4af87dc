#!/usr/bin/env python3
"""Krippendorff's alpha at the four levels for every dimension of a tidy ratings CSV, as a
whole process: what a Python user runs in place of `chameleon agreement FILE --json`.

Usage: krippendorff_process.py FILE.csv
Reads person,context,rater,dimension,value with pandas, builds each dimension's raters x units
matrix and prints {dimension: {level: alpha}} as JSON (scripts/bench-agreement.sh times it).
"""
import json
import sys

import krippendorff
import pandas as pd

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def main():
    df = pd.read_csv(sys.argv[1], dtype={"person": str, "context": str, "rater": str})
    df.columns = [c.lower() for c in df.columns]
    df["unit"] = df["person"] + "/" + df["context"]
    out = {}
    for dim, g in df.groupby("dimension", sort=False):
        m = g.pivot(index="rater", columns="unit", values="value").to_numpy(dtype=float)
        out[str(dim)] = {
            lvl: float(krippendorff.alpha(reliability_data=m, level_of_measurement=lvl))
            for lvl in LEVELS
        }
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
