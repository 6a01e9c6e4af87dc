#!/usr/bin/env python3
"""Times Python `krippendorff` interval alpha on a tidy person,context,rater,dimension,value CSV.

Usage: bench_krippendorff.py FILE.csv [RUNS]
Prints `python_interval_alpha_ms=<median over RUNS of the time for all dimensions>`: for each
dimension the raters x units matrix is built once outside the timing (as a user of the package
would have it), then `krippendorff.alpha(..., level_of_measurement="interval")` is timed.
"""
import sys
import time

import krippendorff
import numpy as np
import pandas as pd


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    df = pd.read_csv(path)
    df.columns = [c.lower() for c in df.columns]
    df["unit"] = df["person"].astype(str) + "/" + df["context"].astype(str)
    mats = []
    for _, g in df.groupby("dimension", sort=False):
        m = g.pivot(index="rater", columns="unit", values="value").to_numpy(dtype=float)
        mats.append(m)
    values = []
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        values = [krippendorff.alpha(reliability_data=m, level_of_measurement="interval") for m in mats]
        times.append((time.perf_counter() - t0) * 1e3)
    print(f"python_interval_alpha_ms={float(np.median(times)):.3f}")
    print("python_alpha_interval=" + ",".join(f"{v:.12f}" for v in values))


if __name__ == "__main__":
    main()
