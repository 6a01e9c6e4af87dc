//! What the PI's agreement dashboard needs beyond the agreement report itself: the thresholds
//! alpha is judged against (kept in the study file), each rater's drift as a series over the
//! order they rated in, and each rater's distribution of values; [`figures`] draws them.
//!
//! Everything here works on the analysis snapshot ([`Dataset`]), so adjudicated ratings are
//! excluded the same way the agreement statistics exclude them.

pub mod figures;

use crate::dataset::Dataset;
use crate::error::{CoreError, Result};
use crate::model::Scale;
use crate::store::Study;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The `study_meta` key the thresholds are stored under. A key/value row needs no schema
/// migration, and the thresholds travel with the study file to whoever reviews it next.
const THRESHOLDS_KEY: &str = "review.agreement_thresholds";

/// Alpha at or above `good` is shown as good, at or above `tentative` as tentative, else poor.
/// Defaults follow Krippendorff (2004): .80 for conclusions, .667 for tentative ones.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Thresholds {
    /// Alpha at or above this is good.
    pub good: f64,
    /// Alpha at or above this (and below `good`) is tentative.
    pub tentative: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            good: 0.80,
            tentative: 0.667,
        }
    }
}

impl Thresholds {
    /// An error when a threshold is not in −1..1 or `tentative` is above `good`.
    pub fn check(&self) -> std::result::Result<(), String> {
        let ok = |v: f64| v.is_finite() && (-1.0..=1.0).contains(&v);
        if !ok(self.good) || !ok(self.tentative) {
            return Err("thresholds must be numbers between -1 and 1".into());
        }
        if self.tentative > self.good {
            return Err(format!(
                "the tentative threshold ({}) must not be above the good one ({})",
                self.tentative, self.good
            ));
        }
        Ok(())
    }
}

impl Study {
    /// The PI's agreement thresholds for this study (the defaults until set).
    pub fn review_thresholds(&self) -> Result<Thresholds> {
        let stored: Option<String> = self
            .conn()
            .query_row(
                "SELECT value FROM study_meta WHERE key = ?1",
                [THRESHOLDS_KEY],
                |r| r.get(0),
            )
            .optional()?;
        Ok(stored
            .and_then(|s| serde_json::from_str::<Thresholds>(&s).ok())
            .filter(|t| t.check().is_ok())
            .unwrap_or_default())
    }

    /// Stores the thresholds in the study; refused (nothing written) when they are not ordered.
    pub fn set_review_thresholds(&mut self, t: Thresholds) -> Result<()> {
        t.check().map_err(CoreError::Invalid)?;
        let json = serde_json::to_string(&t).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let tx = self.write("saving the agreement thresholds")?;
        tx.execute(
            "INSERT INTO study_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [THRESHOLDS_KEY, json.as_str()],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// How far a rater's values are from the other raters' on the same profiles, in the order the
/// rater made them, cut into equal-count blocks.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DriftSeries {
    /// What a point is: mean absolute deviation from the others' mean (scale points), or for
    /// a nominal dimension the share of the others' values that differ.
    pub measure: String,
    /// Blocks each rater's ratings are cut into.
    pub blocks: usize,
    /// One series per rater.
    pub raters: Vec<RaterDrift>,
}

/// One rater's drift series.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RaterDrift {
    /// The rater's name.
    pub rater: String,
    /// Ratings on profiles that another rater also rated.
    pub n: usize,
    /// One value per block, earliest first; `None` for a block with no ratings.
    pub points: Vec<Option<f64>>,
}

/// Drift of every rater of `dimension`, in `blocks` blocks of their shared ratings (ordered by
/// when they were made, ties by entry order). `None` when the dimension is absent or the data
/// have no raters.
pub fn drift_series(ds: &Dataset, dimension: &str, blocks: usize) -> Option<DriftSeries> {
    let d = ds.dimension(dimension)?;
    if !ds.has_rater {
        return None;
    }
    let blocks = blocks.max(1);
    let nominal = d.is_nominal();
    let mut by_unit: HashMap<u32, Vec<(u32, f64)>> = HashMap::new();
    for o in &d.observations {
        if let Some(r) = o.rater {
            by_unit.entry(o.profile).or_default().push((r, o.value));
        }
    }
    // (order key, entry index, deviation) per rater.
    let mut per_rater: Vec<Vec<(i64, usize, f64)>> = vec![Vec::new(); ds.raters.len()];
    for (i, o) in d.observations.iter().enumerate() {
        let Some(r) = o.rater else { continue };
        let others: Vec<f64> = by_unit[&o.profile]
            .iter()
            .filter(|(x, _)| *x != r)
            .map(|(_, v)| *v)
            .collect();
        if others.is_empty() {
            continue;
        }
        let dev = if nominal {
            others.iter().filter(|v| **v != o.value).count() as f64 / others.len() as f64
        } else {
            (o.value - others.iter().sum::<f64>() / others.len() as f64).abs()
        };
        per_rater[r as usize].push((o.created_at.unwrap_or(0), i, dev));
    }
    let mut raters = Vec::new();
    for (r, mut xs) in per_rater.into_iter().enumerate() {
        if xs.is_empty() {
            continue;
        }
        xs.sort_by_key(|x| (x.0, x.1));
        let n = xs.len();
        let points = (0..blocks)
            .map(|b| {
                let (lo, hi) = (b * n / blocks, (b + 1) * n / blocks);
                (hi > lo).then(|| xs[lo..hi].iter().map(|x| x.2).sum::<f64>() / (hi - lo) as f64)
            })
            .collect();
        raters.push(RaterDrift {
            rater: ds.raters[r].name.clone(),
            n,
            points,
        });
    }
    Some(DriftSeries {
        measure: if nominal {
            "share of the other raters' values that differ".into()
        } else {
            "mean absolute deviation from the other raters' mean".into()
        },
        blocks,
        raters,
    })
}

/// How often each rater gave each value (continuous scales: ten equal bins of the range).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Distribution {
    /// One label per category or bin, in scale order.
    pub categories: Vec<String>,
    /// One row per rater.
    pub raters: Vec<RaterCounts>,
}

/// How often one rater gave each value.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RaterCounts {
    /// The rater's name.
    pub rater: String,
    /// The rater's ratings.
    pub n: usize,
    /// Per category or bin, in the order of `categories`.
    pub counts: Vec<usize>,
}

const BINS: usize = 10;

/// Maps a value to its category's index, `None` when it is off the scale.
type CategoryOf = Box<dyn Fn(f64) -> Option<usize>>;

/// Every rater's distribution of values on `dimension`; `None` when the dimension is absent.
pub fn distribution(ds: &Dataset, dimension: &str) -> Option<Distribution> {
    let d = ds.dimension(dimension)?;
    let values: Vec<f64> = d.observations.iter().map(|o| o.value).collect();
    let scale = d.scale.clone().unwrap_or_else(|| Scale::infer(&values));
    let label_of = |v: i64, anchors: &[crate::model::Anchor]| {
        anchors
            .iter()
            .find(|a| a.value == v)
            .filter(|_| matches!(scale, Scale::Nominal { .. }))
            .map(|a| a.label.clone())
            .unwrap_or_else(|| v.to_string())
    };
    let (categories, index): (Vec<String>, CategoryOf) = match &scale {
        Scale::Likert { min, max, .. } => {
            let (min, max) = (*min, *max);
            (
                (min..=max).map(|v| label_of(v, &[])).collect(),
                Box::new(move |v| {
                    let k = v.round() as i64;
                    (min..=max).contains(&k).then(|| (k - min) as usize)
                }),
            )
        }
        Scale::Nominal { categories } => {
            let codes: Vec<f64> = categories.iter().map(|c| c.value as f64).collect();
            (
                categories
                    .iter()
                    .map(|c| label_of(c.value, categories))
                    .collect(),
                Box::new(move |v| codes.iter().position(|c| *c == v)),
            )
        }
        Scale::Continuous { min, max, .. } => {
            let (min, max) = (*min, *max);
            let w = (max - min) / BINS as f64;
            (
                (0..BINS).map(|b| trim(min + w * b as f64)).collect(),
                Box::new(move |v| {
                    if !(min..=max).contains(&v) || w <= 0.0 {
                        return None;
                    }
                    Some((((v - min) / w) as usize).min(BINS - 1))
                }),
            )
        }
    };
    let mut counts: Vec<Option<RaterCounts>> = vec![None; ds.raters.len().max(1)];
    for o in &d.observations {
        let r = o.rater.unwrap_or(0) as usize;
        let name = ds
            .raters
            .get(r)
            .map(|x| x.name.clone())
            .unwrap_or_else(|| "all".into());
        let c = counts[r].get_or_insert_with(|| RaterCounts {
            rater: name,
            n: 0,
            counts: vec![0; categories.len()],
        });
        if let Some(i) = index(o.value) {
            c.counts[i] += 1;
            c.n += 1;
        }
    }
    Some(Distribution {
        categories,
        raters: counts.into_iter().flatten().collect(),
    })
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(csv: &str) -> Dataset {
        crate::tidy::parse("t.csv", csv.as_bytes())
            .unwrap()
            .to_dataset("t.csv")
            .unwrap()
    }

    #[test]
    fn thresholds_persist_in_the_study_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.chameleon");
        let mut s = Study::create(&p).unwrap();
        assert_eq!(s.review_thresholds().unwrap(), Thresholds::default());
        let t = Thresholds {
            good: 0.7,
            tentative: 0.5,
        };
        s.set_review_thresholds(t).unwrap();
        let bad = Thresholds {
            good: 0.5,
            tentative: 0.7,
        };
        assert!(
            s.set_review_thresholds(bad).is_err(),
            "tentative above good"
        );
        drop(s);
        let s = Study::open_read_only(&p).unwrap();
        assert_eq!(s.review_thresholds().unwrap(), t, "kept in the file");
    }

    #[test]
    fn drift_blocks_follow_the_raters_order() {
        // Rater x agrees with y on the first two units and is 2 points off on the last two.
        let ds = load("unit,rater,value\na,x,1\na,y,1\nb,x,3\nb,y,3\nc,x,5\nc,y,3\nd,x,1\nd,y,3\n");
        let s = drift_series(&ds, "value", 2).unwrap();
        let x = s.raters.iter().find(|r| r.rater == "x").unwrap();
        assert_eq!(x.n, 4);
        assert_eq!(x.points, vec![Some(0.0), Some(2.0)]);
    }

    #[test]
    fn distribution_counts_each_scale_point() {
        let mut ds = load("unit,rater,value\na,x,1\nb,x,1\nc,x,3\na,y,2\n");
        ds.dimensions[0].scale = Some(Scale::Likert {
            min: 1,
            max: 4,
            anchors: vec![],
        });
        let d = distribution(&ds, "value").unwrap();
        assert_eq!(d.categories, vec!["1", "2", "3", "4"]);
        let x = d.raters.iter().find(|r| r.rater == "x").unwrap();
        assert_eq!(x.counts, vec![2, 0, 1, 0]);
        assert_eq!(x.n, 3);
    }
}
