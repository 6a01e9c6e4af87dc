//! Scores of questionnaire scales: a scale's value for one response (a rater's answers to its
//! items for one profile) is the mean or sum of its items, reverse-keyed items scored
//! `min + max − value` with the item's scale bounds. Scores are computed whenever a study's
//! analysis snapshot is read and are never stored as ratings.

use crate::dataset::{Dataset, DimensionData, Observation};
use crate::model::{ItemScale, Level, Scale, Scoring, ScoringRule};
use serde::Serialize;
use std::collections::BTreeMap;

/// `min + max − value` for a reverse-keyed item, else the value.
pub fn keyed(value: f64, reverse: bool, (min, max): (f64, f64)) -> f64 {
    if reverse {
        min + max - value
    } else {
        value
    }
}

/// The bounds an item's scale gives reverse keying (`None` for a nominal scale).
pub fn bounds(scale: &Scale) -> Option<(f64, f64)> {
    match scale {
        Scale::Likert { min, max, .. } => Some((*min as f64, *max as f64)),
        Scale::Continuous { min, max, .. } => Some((*min, *max)),
        Scale::Nominal { .. } => None,
    }
}

/// The score of one response from its keyed item values (`None` where an item was not
/// answered): `None` when fewer than `min_items` (default: all) were answered. A sum with
/// items missing is prorated (the answered items' mean × the number of items).
pub fn score(keyed: &[Option<f64>], scoring: Scoring) -> Option<f64> {
    let k = keyed.len();
    let answered: Vec<f64> = keyed.iter().flatten().copied().collect();
    let need = scoring.min_items.unwrap_or(k).max(1);
    if answered.len() < need {
        return None;
    }
    let mean = answered.iter().sum::<f64>() / answered.len() as f64;
    Some(match scoring.rule {
        ScoringRule::Mean => mean,
        ScoringRule::Sum => mean * k as f64,
    })
}

/// What scoring one scale did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleScoring {
    /// The scale's name.
    pub scale: String,
    /// Responses with a score.
    pub scored: usize,
    /// Responses with too few items answered: no score.
    pub unscored: usize,
    /// Why the scale has no scores at all (an item without bounds), if so.
    pub problem: Option<String>,
}

/// Appends each scale to `ds` as a dimension whose observations are its scores per profile ×
/// rater, from the item dimensions already in `ds` (which stay). The score's scale is
/// continuous over the items' range (mean or sum of their bounds), its level interval.
pub fn add_scale_scores(ds: &mut Dataset, scales: &[ItemScale]) -> Vec<ScaleScoring> {
    let mut out = Vec::new();
    for s in scales {
        if ds.dimension(&s.name).is_some() {
            continue;
        }
        let (dim, summary) = score_scale(ds, s);
        out.push(summary);
        if let Some(d) = dim {
            ds.dimensions.push(d);
        }
    }
    out
}

/// One response: a profile and its rater (`None` in a file without raters).
type Response = (u32, Option<u32>);

fn score_scale(ds: &Dataset, s: &ItemScale) -> (Option<DimensionData>, ScaleScoring) {
    let k = s.items.len();
    let mut summary = ScaleScoring {
        scale: s.name.clone(),
        scored: 0,
        unscored: 0,
        problem: None,
    };
    // (profile, rater) → keyed values and the latest rating time.
    let mut rows: BTreeMap<Response, (Vec<Option<f64>>, Option<i64>)> = BTreeMap::new();
    let (mut lo, mut hi) = (0.0, 0.0);
    for (j, item) in s.items.iter().enumerate() {
        let Some(d) = ds.dimension(&item.name) else {
            // An item nobody rated yet: every response misses it.
            continue;
        };
        let Some(b) = d.scale.as_ref().and_then(bounds) else {
            summary.problem = Some(format!(
                "item '{}' has no bounded scale, so the scale has no score",
                crate::checks::quote(&item.name)
            ));
            return (None, summary);
        };
        lo += b.0;
        hi += b.1;
        for o in &d.observations {
            let row = rows
                .entry((o.profile, o.rater))
                .or_insert_with(|| (vec![None; k], None));
            row.0[j] = Some(keyed(o.value, item.reverse, b));
            row.1 = row.1.max(o.created_at);
        }
    }
    let per = match s.scoring.rule {
        ScoringRule::Mean => 1.0 / k.max(1) as f64,
        ScoringRule::Sum => 1.0,
    };
    let mut observations = Vec::new();
    for ((profile, rater), (values, created_at)) in rows {
        match score(&values, s.scoring) {
            Some(value) => {
                summary.scored += 1;
                observations.push(Observation {
                    profile,
                    rater,
                    value,
                    created_at,
                    seconds_spent: None,
                });
            }
            None => summary.unscored += 1,
        }
    }
    let dim = DimensionData {
        name: s.name.clone(),
        scale: Some(Scale::Continuous {
            min: lo * per,
            max: hi * per,
            step: None,
        }),
        level: Some(Level::Interval),
        observations,
        cant_judge: 0,
    };
    (Some(dim), summary)
}

/// A sentence per scale that left responses unscored, for the notes shown with results.
pub fn scoring_notes(scorings: &[ScaleScoring], scales: &[ItemScale]) -> Vec<String> {
    scorings
        .iter()
        .filter_map(|r| {
            if let Some(p) = &r.problem {
                return Some(format!("scale '{}': {p}", crate::checks::quote(&r.scale)));
            }
            let s = scales.iter().find(|s| s.name == r.scale)?;
            (r.unscored > 0).then(|| {
                format!(
                    "scale '{}': {} response(s) with fewer than {} of its {} items answered have \
                     no score ({} scored)",
                    crate::checks::quote(&r.scale),
                    r.unscored,
                    s.scoring.min_items.unwrap_or(s.items.len()),
                    s.items.len(),
                    r.scored
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::ProfileKey;
    use crate::model::ScaleItem;

    fn mean(min_items: Option<usize>) -> Scoring {
        Scoring {
            rule: ScoringRule::Mean,
            min_items,
        }
    }

    #[test]
    fn reverse_keying_is_min_plus_max_minus_value() {
        assert_eq!(keyed(1.0, true, (1.0, 5.0)), 5.0);
        assert_eq!(keyed(2.0, true, (0.0, 10.0)), 8.0);
        assert_eq!(keyed(2.0, false, (1.0, 5.0)), 2.0);
        assert_eq!(bounds(&Scale::Nominal { categories: vec![] }), None);
    }

    #[test]
    fn mean_and_sum_respect_the_minimum_items() {
        let v = [Some(2.0), None, Some(4.0)];
        assert_eq!(score(&v, mean(None)), None, "all items by default");
        assert_eq!(score(&v, mean(Some(2))), Some(3.0));
        assert_eq!(score(&v, mean(Some(3))), None);
        let sum = Scoring {
            rule: ScoringRule::Sum,
            min_items: Some(2),
        };
        assert_eq!(score(&v, sum), Some(9.0), "prorated: mean 3 × 3 items");
        assert_eq!(
            score(
                &[Some(1.0), Some(2.0)],
                Scoring {
                    min_items: None,
                    ..sum
                }
            ),
            Some(3.0)
        );
        assert_eq!(
            score(&[None, None], mean(Some(1))),
            None,
            "nothing answered"
        );
        assert_eq!(score(&[], mean(None)), None, "no items, no score");
    }

    fn item(name: &str, obs: &[(u32, u32, f64)]) -> DimensionData {
        DimensionData {
            name: name.into(),
            scale: Some(Scale::Likert {
                min: 1,
                max: 5,
                anchors: vec![],
            }),
            level: None,
            observations: obs
                .iter()
                .map(|&(profile, rater, value)| Observation {
                    profile,
                    rater: Some(rater),
                    value,
                    created_at: Some(i64::from(profile)),
                    seconds_spent: None,
                })
                .collect(),
            cant_judge: 0,
        }
    }

    #[test]
    fn scores_per_profile_and_rater_with_reverse_keying_and_counts() {
        let mut ds = Dataset {
            profiles: vec![
                ProfileKey {
                    person: 0,
                    context: 0,
                };
                2
            ],
            dimensions: vec![
                item("e1", &[(0, 0, 1.0), (0, 1, 2.0), (1, 0, 5.0)]),
                item("e2", &[(0, 0, 4.0), (0, 1, 3.0)]),
            ],
            ..Default::default()
        };
        let scale = ItemScale {
            name: "extraversion".into(),
            label: None,
            definition: String::new(),
            items: vec![
                ScaleItem {
                    name: "e1".into(),
                    reverse: true,
                },
                ScaleItem {
                    name: "e2".into(),
                    reverse: false,
                },
            ],
            scoring: Scoring::default(),
        };
        let r = add_scale_scores(&mut ds, std::slice::from_ref(&scale));
        assert_eq!(
            r,
            vec![ScaleScoring {
                scale: "extraversion".into(),
                scored: 2,
                unscored: 1,
                problem: None
            }]
        );
        let d = ds.dimension("extraversion").unwrap();
        let got: Vec<(u32, Option<u32>, f64)> = d
            .observations
            .iter()
            .map(|o| (o.profile, o.rater, o.value))
            .collect();
        // (6 − 1 + 4) / 2 and (6 − 2 + 3) / 2; profile 1 answered one item of two.
        assert_eq!(got, vec![(0, Some(0), 4.5), (0, Some(1), 3.5)]);
        assert_eq!(
            d.scale,
            Some(Scale::Continuous {
                min: 1.0,
                max: 5.0,
                step: None
            })
        );
        assert!(ds.dimension("e1").is_some(), "the items stay");
        let notes = scoring_notes(&r, &[scale]);
        assert!(
            notes[0].contains("1 response(s) with fewer than 2"),
            "{notes:?}"
        );
    }
}
