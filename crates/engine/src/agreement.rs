//! Krippendorff's alpha of files too large for memory (issue #17, `chameleon agreement DATA
//! --engine datafusion`).
//!
//! - Pass 1: `GROUP BY dimension, rater` counts the ratings, for the caller's rater selection
//!   (agreement keeps human raters with enough ratings by default) and the per-dimension rater
//!   counts. O(dimensions × raters) rows reach the driver.
//! - Stage A: `GROUP BY dimension, person, context` (the unit of agreement is the profile)
//!   with [`unit_values`](crate::unit_udaf::unit_values): each unit's distinct values with
//!   their multiplicities, out of core, on any number of partitions.
//! - Stage B, on the driver: per dimension the units sorted by their values (a fixed order,
//!   so the sums do not depend on the partitioning), then alpha at the four levels with
//!   `chameleon_stats::agreement::UnitValues`, the computation of the in-memory `alpha_all`.
//!   The driver holds O(units × distinct values per unit) numbers, never the ratings (nor the
//!   units' names).

use crate::unit_udaf::{self, UnitResult};
use crate::{check_spec, cluster, read_input, session, ColumnSpec, EngineError, EngineOptions};
use chameleon_stats::agreement::{AlphaSet, UnitValues};
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::DFSchema;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::logical_expr::{cast, ident, lit, Expr};
use datafusion::prelude::{DataFrame, SessionContext};
use futures::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The dimension of a file without a `dimension` column (the in-memory reader's default).
pub const DEFAULT_DIMENSION: &str = "value";

/// An error of the caller's rater selection (it decides what is bad input).
pub type SelectionError = Box<dyn std::error::Error + Send + Sync>;

/// What the rater selection sees: whether the data have raters, and each rater with its
/// ratings over the analysed dimensions, by name.
#[derive(Debug, Clone)]
pub struct RaterTotals {
    /// False when the input has no `rater` column.
    pub has_rater: bool,
    /// Raters in name order with their ratings (missing values not counted).
    pub raters: Vec<(String, u64)>,
}

/// One dimension's agreement.
#[derive(Debug, Clone)]
pub struct AgreementDimension {
    /// The dimension's name.
    pub dimension: String,
    /// Units (profiles) with at least one rating.
    pub units: usize,
    /// Units with two or more ratings (what alpha uses).
    pub pairable_units: usize,
    /// Raters with at least one rating of the dimension (among those selected).
    pub raters: usize,
    /// Ratings of the dimension.
    pub ratings: u64,
    /// The sorted distinct values (for the scale a caller infers from them).
    pub distinct_values: Vec<f64>,
    /// Alpha at the four levels; `None` when the data have no rater column.
    pub alpha: Option<AlphaSet>,
}

/// Every dimension, in name order.
#[derive(Debug, Clone)]
pub struct AgreementRun {
    /// False when the input has no `rater` column (no alpha at all).
    pub has_rater: bool,
    /// Per dimension.
    pub dimensions: Vec<AgreementDimension>,
}

/// Alpha per dimension of `path` (blocking; runs its own async runtime). `select` gets the
/// raters' totals and says which to keep (`keep[i]` for `raters[i]`); its error ends the run
/// as [`EngineError::Selection`]. `opts.dimension` picks one dimension, case-insensitively as
/// in memory; `opts.method`, `bootstrap`, `seed` and `level` do not apply.
pub fn agreement_path(
    path: &Path,
    opts: &EngineOptions,
    select: &mut dyn FnMut(&RaterTotals) -> Result<Vec<bool>, SelectionError>,
) -> Result<AgreementRun, EngineError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(EngineError::Runtime)?;
    rt.block_on(agreement_async(path, opts, select))
        .map_err(|e| e.within_limit(opts))
}

async fn agreement_async(
    path: &Path,
    opts: &EngineOptions,
    select: &mut dyn FnMut(&RaterTotals) -> Result<Vec<bool>, SelectionError>,
) -> Result<AgreementRun, EngineError> {
    let Some(url) = &opts.cluster else {
        let ctx = session(opts)?;
        let units = read_units(&ctx, path).await?;
        return run_plan(units, path, opts, select).await;
    };
    let ctx = cluster::remote_session(url, opts).await?;
    let units = read_units(&ctx, path).await?;
    run_plan(units, path, opts, select)
        .await
        .map_err(|e| match e {
            EngineError::Query(source) => EngineError::ClusterQuery {
                address: url.clone(),
                source,
            },
            e => e,
        })
}

/// Which of the in-memory reader's two layouts a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `person,context,…`: the unit is the profile.
    Profiles,
    /// `unit,…` without `person`: each unit its own profile.
    Units,
}

const PROFILE_COLUMNS: [ColumnSpec; 5] = [
    ColumnSpec {
        name: "person",
        required: true,
    },
    ColumnSpec {
        name: "context",
        required: true,
    },
    ColumnSpec {
        name: "rater",
        required: false,
    },
    ColumnSpec {
        name: "dimension",
        required: false,
    },
    ColumnSpec {
        name: "value",
        required: true,
    },
];

const UNIT_COLUMNS: [ColumnSpec; 4] = [
    ColumnSpec {
        name: "unit",
        required: true,
    },
    ColumnSpec {
        name: "rater",
        required: false,
    },
    ColumnSpec {
        name: "dimension",
        required: false,
    },
    ColumnSpec {
        name: "value",
        required: true,
    },
];

fn layout_of(schema: &DFSchema) -> Layout {
    let has = |c: &str| schema.field_with_unqualified_name(c).is_ok();
    if has("unit") && !has("person") {
        Layout::Units
    } else {
        Layout::Profiles
    }
}

/// The ratings as `dimension, person, context, rater` (text) and `value` (f64, missing values
/// kept for the counts of pass 1), and whether they carry a rater. A `unit` file gets the
/// unit as its person and an empty context; a file without `dimension` the dimension
/// [`DEFAULT_DIMENSION`]. Every file of a folder must have the first one's layout.
async fn read_units(ctx: &SessionContext, path: &Path) -> Result<(DataFrame, bool), EngineError> {
    let mut first: Option<(Layout, std::path::PathBuf)> = None;
    let mut check = |f: &Path, schema: &DFSchema| {
        let layout = layout_of(schema);
        if let Some((l, p)) = &first {
            if *l != layout {
                return Err(EngineError::Input {
                    path: f.to_owned(),
                    message: format!(
                        "has {} where {} has {}",
                        describe(layout),
                        p.display(),
                        describe(*l)
                    ),
                });
            }
        } else {
            first = Some((layout, f.to_owned()));
        }
        match layout {
            Layout::Profiles => check_spec(
                f,
                schema,
                &PROFILE_COLUMNS,
                "tidy ratings need person, context, value and optionally rater and \
                 dimension, or unit instead of person and context",
            ),
            Layout::Units => check_spec(
                f,
                schema,
                &UNIT_COLUMNS,
                "tidy ratings need unit, value and optionally rater and dimension",
            ),
        }
    };
    let df = read_input(ctx, path, &mut check).await?;
    let layout = first.map_or(Layout::Profiles, |f| f.0);
    let has = |c: &str| df.schema().field_with_unqualified_name(c).is_ok();
    let text = |c: &str| cast(ident(c), DataType::Utf8);
    let has_rater = has("rater");
    let (person, context) = match layout {
        Layout::Profiles => (text("person"), text("context")),
        Layout::Units => (text("unit"), lit("")),
    };
    let dimension = if has("dimension") {
        text("dimension")
    } else {
        lit(DEFAULT_DIMENSION)
    };
    let rater = if has_rater { text("rater") } else { lit("") };
    let df = df.select(vec![
        dimension.alias("dimension"),
        person.alias("person"),
        context.alias("context"),
        rater.alias("rater"),
        cast(ident("value"), DataType::Float64).alias("value"),
    ])?;
    let df = df.filter(
        ident("dimension")
            .is_not_null()
            .and(ident("person").is_not_null())
            .and(ident("context").is_not_null())
            .and(ident("rater").is_not_null()),
    )?;
    Ok((df, has_rater))
}

fn describe(layout: Layout) -> &'static str {
    match layout {
        Layout::Profiles => "person and context columns",
        Layout::Units => "a unit column",
    }
}

fn in_list(column: &str, values: impl IntoIterator<Item = String>) -> Expr {
    ident(column).in_list(values.into_iter().map(lit).collect(), false)
}

/// Pass 1, stage A and stage B on `units`.
async fn run_plan(
    (df, has_rater): (DataFrame, bool),
    path: &Path,
    opts: &EngineOptions,
    select: &mut dyn FnMut(&RaterTotals) -> Result<Vec<bool>, SelectionError>,
) -> Result<AgreementRun, EngineError> {
    // Pass 1: ratings per (dimension, rater); a dimension or rater whose values are all
    // missing is listed with 0, as in memory.
    let counts = df
        .clone()
        .aggregate(
            vec![ident("dimension"), ident("rater")],
            vec![count(ident("value")).alias("n")],
        )?
        .collect()
        .await?;
    let mut by_dim: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for b in &counts {
        let (d, r, n) = (
            b.column(0).as_string::<i32>(),
            b.column(1).as_string::<i32>(),
            b.column(2).as_primitive::<Int64Type>(),
        );
        for i in 0..b.num_rows() {
            by_dim
                .entry(d.value(i).to_owned())
                .or_default()
                .insert(r.value(i).to_owned(), n.value(i).max(0) as u64);
        }
    }
    let mut all_raters: BTreeMap<String, u64> = BTreeMap::new();
    for raters in by_dim.values() {
        for r in raters.keys() {
            all_raters.entry(r.clone()).or_default();
        }
    }
    if let Some(want) = &opts.dimension {
        by_dim.retain(|d, _| d.eq_ignore_ascii_case(want));
        if by_dim.is_empty() {
            return Err(EngineError::Input {
                path: path.to_owned(),
                message: format!("no dimension named '{want}'"),
            });
        }
    }
    for raters in by_dim.values() {
        for (r, n) in raters {
            *all_raters.entry(r.clone()).or_default() += n;
        }
    }
    let totals = RaterTotals {
        has_rater,
        raters: all_raters.into_iter().collect(),
    };
    let keep = select(&totals).map_err(EngineError::Selection)?;
    let kept: Vec<&str> = (totals.raters.iter().zip(&keep))
        .filter(|(_, k)| **k)
        .map(|((r, _), _)| r.as_str())
        .collect();

    // Stage A: one result per unit of the selected dimensions and raters.
    let mut units = df.filter(
        ident("value")
            .is_not_null()
            .and(in_list("dimension", by_dim.keys().cloned())),
    )?;
    if has_rater && kept.len() < totals.raters.len() {
        units = units.filter(in_list("rater", kept.iter().map(|r| r.to_string())))?;
    }
    let mut stream = units
        .aggregate(
            vec![ident("dimension"), ident("person"), ident("context")],
            vec![unit_udaf::unit_values()
                .call(vec![ident("rater"), ident("value")])
                .alias("values")],
        )?
        .execute_stream()
        .await?;
    let mut values: HashMap<String, Vec<Vec<(f64, u32)>>> = HashMap::new();
    // The smallest offending (dimension, unit), so that the message does not depend on the
    // order in which the units arrive.
    let mut duplicate: Option<(String, String, String)> = None;
    let mut non_finite: Option<(String, String, f64)> = None;
    while let Some(batch) = stream.next().await {
        let b = batch?;
        let (d, p, c, v) = (
            b.column(0).as_string::<i32>(),
            b.column(1).as_string::<i32>(),
            b.column(2).as_string::<i32>(),
            b.column(3).as_binary::<i32>(),
        );
        for i in 0..b.num_rows() {
            let UnitResult {
                duplicate: twice,
                values: unit,
            } = unit_udaf::decode(v.value(i))?;
            let label = || unit_label(p.value(i), c.value(i));
            if let (Some(r), true) = (twice, has_rater) {
                let key = (d.value(i).to_owned(), label(), r);
                if duplicate.as_ref().is_none_or(|old| key < *old) {
                    duplicate = Some(key);
                }
            }
            if let Some(&(x, _)) = unit.iter().find(|(x, _)| !x.is_finite()) {
                let key = (d.value(i).to_owned(), label(), x);
                if non_finite
                    .as_ref()
                    .is_none_or(|old| (&key.0, &key.1) < (&old.0, &old.1))
                {
                    non_finite = Some(key);
                }
            }
            match values.get_mut(d.value(i)) {
                Some(list) => list.push(unit),
                None => {
                    values.insert(d.value(i).to_owned(), vec![unit]);
                }
            }
        }
    }
    if let Some((d, unit, r)) = duplicate {
        return Err(EngineError::Input {
            path: path.to_owned(),
            message: format!(
                "duplicate rating: {unit} by rater '{r}' on '{d}' (a rater rates a unit once)"
            ),
        });
    }
    if let Some((d, unit, x)) = non_finite {
        return Err(EngineError::Input {
            path: path.to_owned(),
            message: format!("{unit} on '{d}': value {x} is not a finite number"),
        });
    }

    // Stage B, dimensions in name order.
    let mut out = Vec::with_capacity(by_dim.len());
    for (dimension, raters) in &by_dim {
        let mut units = values.remove(dimension).unwrap_or_default();
        // Units in the order of their contents: equal units add equal terms, so the sums
        // are the same bits whatever order the units arrived in.
        units.sort_unstable_by(|a, b| {
            a.iter()
                .zip(b)
                .map(|(x, y)| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)))
                .find(|o| o.is_ne())
                .unwrap_or_else(|| a.len().cmp(&b.len()))
        });
        let table =
            UnitValues::new(units.iter().map(Vec::as_slice)).map_err(|e| EngineError::Input {
                path: path.to_owned(),
                message: format!("dimension '{dimension}': {e}"),
            })?;
        drop(units);
        let active = (totals.raters.iter().zip(&keep))
            .filter(|((r, _), k)| **k && raters.get(r).is_some_and(|&n| n > 0))
            .count();
        out.push(AgreementDimension {
            dimension: dimension.clone(),
            units: table.rated_units(),
            pairable_units: table.pairable_units(),
            raters: if has_rater { active } else { 0 },
            ratings: table.n_ratings(),
            distinct_values: table.distinct_values().to_vec(),
            alpha: has_rater.then(|| table.alpha_all()),
        });
    }
    Ok(AgreementRun {
        has_rater,
        dimensions: out,
    })
}

/// A unit as in-memory messages name it: `person/context`, or the unit alone.
fn unit_label(person: &str, context: &str) -> String {
    if context.is_empty() {
        person.to_owned()
    } else {
        format!("{person}/{context}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chameleon_stats::agreement::{alpha_all, Metric, Rating, RatingTable};
    use std::path::PathBuf;

    fn fixtures() -> Vec<PathBuf> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../stats/tests/fixtures");
        let mut out: Vec<PathBuf> = std::fs::read_dir(root.join("agreement"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .collect();
        out.sort();
        for r in [
            "krippendorff2011",
            "cohen_example",
            "fleiss_example",
            "shrout_fleiss",
        ] {
            out.push(root.join("reference").join(r).join("data.csv"));
        }
        out
    }

    /// A `unit,rater,value` file as the in-memory estimators read it: names interned in order
    /// of appearance.
    fn table(path: &Path) -> RatingTable {
        let text = std::fs::read_to_string(path).unwrap();
        let (mut units, mut raters) = (Vec::<String>::new(), Vec::<String>::new());
        let id = |names: &mut Vec<String>, s: &str| match names.iter().position(|x| x == s) {
            Some(i) => i as u32,
            None => {
                names.push(s.to_owned());
                names.len() as u32 - 1
            }
        };
        let rows: Vec<Rating> = text
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                Rating::new(
                    id(&mut units, f[0]),
                    id(&mut raters, f[1]),
                    f[2].trim().parse().unwrap(),
                )
            })
            .collect();
        RatingTable::new(&rows).unwrap()
    }

    fn run(path: &Path, partitions: usize) -> AgreementRun {
        let opts = EngineOptions {
            target_partitions: Some(partitions),
            ..EngineOptions::default()
        };
        let mut all = |t: &RaterTotals| Ok(vec![true; t.raters.len()]);
        agreement_path(path, &opts, &mut all).unwrap()
    }

    /// Alpha by engine against `alpha_all` on the same table (every rater), at 1e-12
    /// relative, from the CSV at 1, 2 and 7 partitions and from three Parquet files: the
    /// same bits everywhere.
    #[test]
    fn alpha_by_engine_is_the_in_memory_alpha_issue17() {
        let dir = tempfile::tempdir().unwrap();
        for (i, path) in fixtures().iter().enumerate() {
            let t = table(path);
            let want = alpha_all(&t);
            let first = run(path, 1);
            assert!(first.has_rater);
            let [d] = &first.dimensions[..] else {
                panic!("one dimension");
            };
            assert_eq!(d.dimension, DEFAULT_DIMENSION);
            assert_eq!(d.units, t.rated_units());
            assert_eq!(d.pairable_units, t.pairable_units());
            assert_eq!(d.raters, t.active_raters());
            assert_eq!(d.ratings, t.n_ratings() as u64);
            let got = d.alpha.as_ref().unwrap();
            for m in Metric::ALL {
                match (want.get(m), got.get(m)) {
                    (Ok(a), Ok(b)) => assert!(
                        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()),
                        "{}: {m:?}: {a:e} vs {b:e}",
                        path.display()
                    ),
                    (a, b) => assert_eq!(a, b, "{}: {m:?}", path.display()),
                }
            }
            let parts = dir.path().join(format!("p{i}"));
            crate::csv_to_parquet_parts(path, &parts, 3).unwrap();
            let same = |r: &AgreementRun| {
                let a = r.dimensions[0].alpha.as_ref().unwrap();
                Metric::ALL.map(|m| a.get(m).clone().map(f64::to_bits))
            };
            let bits = same(&first);
            for p in [2, 7] {
                assert_eq!(
                    same(&run(path, p)),
                    bits,
                    "{}: {p} partitions",
                    path.display()
                );
            }
            assert_eq!(same(&run(&parts, 4)), bits, "{}: Parquet", path.display());
        }
    }

    /// A selection that keeps only some raters: only their ratings reach alpha.
    #[test]
    fn the_selection_decides_the_raters_issue17() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(
            &path,
            "unit,rater,value,dimension\nu1,a,1,x\nu1,b,1,x\nu1,c,5,x\nu2,a,2,x\nu2,b,2,x\n\
             u2,c,,x\nu3,a,3,y\n",
        )
        .unwrap();
        let mut seen = Vec::new();
        let mut without_c = |t: &RaterTotals| {
            seen = t.raters.clone();
            Ok(t.raters.iter().map(|(r, _)| r != "c").collect())
        };
        let run = agreement_path(&path, &EngineOptions::default(), &mut without_c).unwrap();
        assert_eq!(
            seen,
            [
                ("a".to_owned(), 3),
                ("b".to_owned(), 2),
                ("c".to_owned(), 1)
            ]
        );
        let x = &run.dimensions[0];
        assert_eq!(
            (x.dimension.as_str(), x.units, x.raters, x.ratings),
            ("x", 2, 2, 4)
        );
        assert_eq!(x.alpha.as_ref().unwrap().interval, Ok(1.0));
        let y = &run.dimensions[1];
        assert_eq!((y.units, y.pairable_units, y.raters), (1, 0, 1));
        let mut refuse = |_: &RaterTotals| Err("no rater left".into());
        let e = agreement_path(&path, &EngineOptions::default(), &mut refuse).unwrap_err();
        assert!(e.is_bad_input() && e.to_string() == "no rater left", "{e}");
    }
}
