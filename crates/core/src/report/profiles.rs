//! Data of the per-person profile plot: a few persons' profile scores across their contexts,
//! per dimension. Lines that stay flat are trait; lines that move are state — the figure makes
//! the decomposition's numbers visible.

use crate::dataset::Dataset;
use serde::Serialize;

/// Persons the plot shows at most.
pub const PLOT_PERSONS: usize = 6;
/// With more distinct contexts than this among the shown persons, the x axis is each person's
/// first, second, … context instead of named contexts.
const MAX_NAMED_CONTEXTS: usize = 10;

/// The profile plot's data: a few persons' profile scores per context, per dimension.
#[derive(Debug, Clone, Serialize)]
pub struct PersonProfiles {
    /// The persons shown, the same in every dimension.
    pub persons: Vec<String>,
    /// Labels of the x axis: context names, or `1st`, `2nd`, … when `by_position`.
    pub contexts: Vec<String>,
    /// True when the x axis is the position of the context among the person's contexts (the
    /// persons were seen in different contexts).
    pub by_position: bool,
    /// One entry per dimension.
    pub dimensions: Vec<PersonProfilesDimension>,
}

/// One dimension of the profile plot.
#[derive(Debug, Clone, Serialize)]
pub struct PersonProfilesDimension {
    /// The dimension's name.
    pub dimension: String,
    /// `scores[i][j]`: profile score (mean of its ratings) of person `i` in context `j`.
    pub scores: Vec<Vec<Option<f64>>>,
    /// Lowest and highest profile score of the dimension over all persons (the y axis).
    pub range: Option<[f64; 2]>,
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, r) if r != 11 => "st",
        (2, r) if r != 12 => "nd",
        (3, r) if r != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Profile scores (mean of the profile's ratings) of one dimension, by profile index.
fn profile_scores(ds: &Dataset, dim: usize) -> Vec<Option<f64>> {
    let mut sum = vec![(0.0f64, 0usize); ds.profiles.len()];
    for o in &ds.dimensions[dim].observations {
        if o.value.is_finite() {
            let s = &mut sum[o.profile as usize];
            s.0 += o.value;
            s.1 += 1;
        }
    }
    sum.into_iter()
        .map(|(s, n)| (n > 0).then(|| s / n as f64))
        .collect()
}

/// Picks up to `max` persons seen in the most contexts, spread over the range of their mean
/// score on the first numeric dimension (so both the level differences between persons, trait, and
/// the movement within a person, state, show), and collects their profile scores.
pub fn person_profiles(ds: &Dataset, max: usize) -> PersonProfiles {
    // A mean of category codes is no score: nominal dimensions have no line to draw.
    let numeric: Vec<usize> = (0..ds.dimensions.len())
        .filter(|&d| !ds.dimensions[d].is_nominal())
        .collect();
    let scores: Vec<Vec<Option<f64>>> = numeric.iter().map(|&d| profile_scores(ds, d)).collect();
    // Profiles of each person that have a score in any dimension, in dataset order.
    let mut by_person: Vec<Vec<u32>> = vec![Vec::new(); ds.persons.len()];
    for (i, key) in ds.profiles.iter().enumerate() {
        if scores.iter().any(|s| s[i].is_some()) {
            by_person[key.person as usize].push(i as u32);
        }
    }
    let most = by_person.iter().map(Vec::len).max().unwrap_or(0);
    let mut candidates: Vec<(usize, f64)> = by_person
        .iter()
        .enumerate()
        .filter(|(_, p)| most >= 2 && p.len() == most)
        .map(|(i, p)| {
            let first: Vec<f64> = scores
                .first()
                .map(|s| p.iter().filter_map(|&j| s[j as usize]).collect())
                .unwrap_or_default();
            let mean = if first.is_empty() {
                0.0
            } else {
                first.iter().sum::<f64>() / first.len() as f64
            };
            (i, mean)
        })
        .collect();
    candidates.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let n = candidates.len().min(max);
    let chosen: Vec<usize> = (0..n)
        .map(|k| {
            let at = if n == 1 {
                candidates.len() / 2
            } else {
                k * (candidates.len() - 1) / (n - 1)
            };
            candidates[at].0
        })
        .collect();
    let mut named: Vec<u32> = chosen
        .iter()
        .flat_map(|&p| {
            by_person[p]
                .iter()
                .map(|&j| ds.profiles[j as usize].context)
        })
        .collect();
    named.sort_unstable();
    named.dedup();
    let by_position = named.len() > MAX_NAMED_CONTEXTS;
    let contexts: Vec<String> = if by_position {
        (1..=most).map(ordinal).collect()
    } else {
        named
            .iter()
            .map(|&c| ds.contexts[c as usize].clone())
            .collect()
    };
    let dimensions = numeric
        .iter()
        .map(|&d| &ds.dimensions[d])
        .zip(&scores)
        .map(|(dim, s)| {
            let rows = chosen
                .iter()
                .map(|&p| {
                    let mut row = vec![None; contexts.len()];
                    for (pos, &j) in by_person[p].iter().enumerate() {
                        let col = if by_position {
                            pos
                        } else {
                            let c = ds.profiles[j as usize].context;
                            named.iter().position(|&x| x == c).unwrap_or(0)
                        };
                        row[col] = s[j as usize];
                    }
                    row
                })
                .collect();
            let range = s.iter().flatten().fold(None, |acc: Option<[f64; 2]>, &v| {
                Some(match acc {
                    None => [v, v],
                    Some([lo, hi]) => [lo.min(v), hi.max(v)],
                })
            });
            PersonProfilesDimension {
                dimension: dim.name.clone(),
                scores: rows,
                range,
            }
        })
        .collect();
    PersonProfiles {
        persons: chosen.iter().map(|&p| ds.persons[p].clone()).collect(),
        contexts,
        by_position,
        dimensions,
    }
}
