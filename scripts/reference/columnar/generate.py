#!/usr/bin/env python3
"""Parquet and Arrow IPC fixtures, written by pandas and pyarrow as researchers' files are.

Writes crates/core/tests/fixtures/columnar/: one small ratings data set (8 persons x 2
contexts x 3 raters x 3 dimensions, a few ratings missing) as the long CSV the tests take as
the truth, and as columnar files in the types pandas, pyarrow, R arrow and polars write:
utf8 / large_utf8 / dictionary (categorical) strings, int8..int64, uint, float32/64,
nulls and NaN. Also profiles with multi-line texts and timestamps, and files with a column of
a wrong type. Deterministic (seeded); rerun after changing it:

    python3 scripts/reference/columnar/generate.py
"""
import csv
import io
import pathlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

OUT = pathlib.Path(__file__).resolve().parents[3] / "crates/core/tests/fixtures/columnar"
OUT.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(16)

persons = [f"p{i:02d}" for i in range(1, 9)]
contexts = ["home", "work"]  # sorted, as pivot_table orders them
raters = ["ana", "ben", "cai"]
dims = ["warmth", "anger", "calm"]

rows = []
for p_i, p in enumerate(persons):
    for c_i, c in enumerate(contexts):
        for r_i, r in enumerate(raters):
            for d_i, d in enumerate(dims):
                base = 1 + (p_i + 2 * c_i + d_i) % 5
                v = int(np.clip(base + rng.integers(-1, 2), 1, 5))
                # a few missing ratings, never a whole profile
                missing = (p_i * 7 + c_i * 3 + r_i * 5 + d_i) % 17 == 5
                rows.append((p, c, r, d, None if missing else v))

long = pd.DataFrame(rows, columns=["person", "context", "rater", "dimension", "value"])

# The truth: the long CSV (missing ratings as absent rows).
long.dropna(subset=["value"]).astype({"value": int}).to_csv(
    OUT / "ratings_long.csv", index=False, lineterminator="\n"
)

wide = long.pivot_table(
    index=["person", "context", "rater"], columns="dimension", values="value", dropna=False
).reset_index()
wide = wide[["person", "context", "rater"] + dims]
wide.columns.name = None

# pandas defaults: object strings, float64 with NaN for missing, snappy.
wide.to_parquet(OUT / "wide_pandas.parquet", index=False)

# pandas nullable and categorical dtypes: ids as categoricals (dictionary), one dimension
# Int8 with <NA>, one float32 with NaN, one UInt16 through a float.
typed = wide.copy()
for col in ["person", "context", "rater"]:
    typed[col] = typed[col].astype("category")
typed["warmth"] = typed["warmth"].astype("Int8")
typed["anger"] = typed["anger"].astype("float32")
typed["calm"] = typed["calm"].astype("UInt16")
typed.to_parquet(OUT / "wide_typed.parquet", index=False, compression="zstd")

# pyarrow, as R arrow and polars write: large_utf8 ids, dictionary dimension names,
# int64 values with nulls; long layout, one file per format.
table = pa.table(
    {
        "person": pa.array(long["person"], type=pa.large_string()),
        "context": pa.array(long["context"]).dictionary_encode(),
        "rater": pa.array(long["rater"], type=pa.string()),
        "dimension": pa.array(long["dimension"]).dictionary_encode(),
        "value": pa.array([None if pd.isna(v) else int(v) for v in long["value"]], type=pa.int64()),
    }
)
pq.write_table(table, OUT / "long_pyarrow.parquet", compression="gzip", row_group_size=50)
feather.write_feather(table, OUT / "long.feather")  # lz4, Feather v2 = Arrow IPC file
with pa.OSFile(str(OUT / "long.arrows"), "wb") as sink:  # the IPC stream format
    with ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
# wide, Arrow IPC file compressed with zstd, ids as string_view (polars' strings)
wt = pa.Table.from_pandas(wide, preserve_index=False)
wt = wt.set_column(0, "person", pa.compute.cast(wt.column("person"), pa.string_view()))
feather.write_feather(wt, OUT / "wide.arrow", compression="zstd")

# Profiles: texts with line breaks, timestamps (pandas datetime64[ns, UTC]).
profiles = pd.DataFrame(
    {
        "person": ["p01", "p01", "p02"],
        "context": ["work", "home", "work"],
        "text": ["First line.\nSecond line.", "At home, \"quoted\".", "Third\n\nparagraph."],
        "created_at": pd.to_datetime(
            ["2024-05-01T12:00:00Z", "2024-05-02T08:30:00Z", "2024-05-03T00:00:00Z"]
        ),
        "source": pd.Categorical(["forum", "forum", "blog"]),
    }
)
profiles.to_parquet(OUT / "profiles.parquet", index=False)
profiles.assign(created_at=profiles["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
    OUT / "profiles.csv", index=False, lineterminator="\n"
)

# Wrong types. A list column as a dimension: refused naming column and first row with a value.
bad = wide.head(4).copy()
bad_t = pa.Table.from_pandas(bad, preserve_index=False)
bad_t = bad_t.append_column("tags", pa.array([None, [1, 2], [3], None], type=pa.list_(pa.int64())))
pq.write_table(bad_t, OUT / "bad_list.parquet")
# A text cell in a numeric dimension (a shifted column), row 3.
bad_text = wide.head(4).copy()
bad_text["anger"] = bad_text["anger"].map(lambda v: "" if pd.isna(v) else str(int(v)))
bad_text.loc[2, "anger"] = "lots"
bad_text.to_parquet(OUT / "bad_text.parquet", index=False)
# A long file whose third row's note spans lines, then a bad value on row 4: rows, not lines.
noted = long.head(5).copy()
noted["note"] = ["", "", "one\ntwo\nthree", "", ""]
noted["value"] = noted["value"].astype("float64")
noted.loc[3, "value"] = float("inf")
noted.to_parquet(OUT / "bad_after_note.parquet", index=False)

print("wrote", sorted(p.name for p in OUT.iterdir()))
