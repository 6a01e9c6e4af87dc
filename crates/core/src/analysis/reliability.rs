//! Scale reliability (Cronbach's α, McDonald's ω total, item–rest correlations) of scales made
//! of a dataset's dimensions: `chameleon reliability FILE --scale NAME=item1,item2,-item3`.
//!
//! One response is a rater's answers to the items for one profile (a respondent answering a
//! questionnaire, or a model answering it for a persona): the rows of the person × item matrix
//! the statistics take. Reverse-keyed items (a leading `-`) are scored `min + max − value` with
//! the item's scale bounds from the codebook, or the bounds the caller gives.

use crate::checks::quote;
use crate::dataset::Dataset;
use crate::error::{CoreError, Result};
use crate::model::Scale;
use chameleon_stats::reliability::{bootstrap_intervals, scale_reliability, ScaleReliability};
use serde::Serialize;
use std::collections::HashMap;

/// One scale: its name and its items (dimension names), each maybe reverse-keyed.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleSpec {
    /// The scale's name.
    pub name: String,
    /// Its items, in order.
    pub items: Vec<ItemSpec>,
}

#[derive(Debug, Clone, PartialEq)]
/// One item of a scale: a dimension, reverse-keyed or not.
pub struct ItemSpec {
    /// The dimension holding the item's ratings.
    pub dimension: String,
    /// Scored min + max − value.
    pub reverse: bool,
}

impl ScaleSpec {
    /// `NAME=item1,item2,-item3` (a leading `-` marks a reverse-keyed item).
    pub fn parse(s: &str) -> std::result::Result<ScaleSpec, String> {
        let Some((name, items)) = s.split_once('=') else {
            return Err(format!("'{}': expected NAME=item1,item2,-item3", quote(s)));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(format!("'{}': the scale has no name", quote(s)));
        }
        let mut out = Vec::new();
        for raw in items.split(',') {
            let t = raw.trim();
            let (reverse, dim) = match t.strip_prefix('-') {
                Some(d) => (true, d.trim()),
                None => (false, t),
            };
            if dim.is_empty() {
                return Err(format!("'{}': an item name is empty", quote(s)));
            }
            if out
                .iter()
                .any(|i: &ItemSpec| i.dimension.eq_ignore_ascii_case(dim))
            {
                return Err(format!(
                    "scale '{}': item '{}' is listed twice",
                    quote(name),
                    quote(dim)
                ));
            }
            out.push(ItemSpec {
                dimension: dim.to_owned(),
                reverse,
            });
        }
        Ok(ScaleSpec {
            name: name.to_owned(),
            items: out,
        })
    }
}

impl From<&crate::model::ItemScale> for ScaleSpec {
    /// A codebook's questionnaire scale: its items with their keying.
    fn from(s: &crate::model::ItemScale) -> ScaleSpec {
        ScaleSpec {
            name: s.name.clone(),
            items: s
                .items
                .iter()
                .map(|i| ItemSpec {
                    dimension: i.name.clone(),
                    reverse: i.reverse,
                })
                .collect(),
        }
    }
}

/// The questionnaire scales of a study's codebook (none for a ratings file or a study without
/// scales).
pub fn codebook_scales(path: &std::path::Path) -> Result<Vec<ScaleSpec>> {
    if !crate::store::is_sqlite_file(path) {
        return Ok(Vec::new());
    }
    let study = crate::store::Study::open_read_only(path)?;
    Ok(study
        .codebook()?
        .map(|c| c.scales.iter().map(ScaleSpec::from).collect())
        .unwrap_or_default())
}

/// One item of a scale in the results.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemReport {
    /// The item's dimension.
    pub dimension: String,
    /// Reverse-keyed.
    pub reverse: bool,
    /// Correlation with the sum of the other items (psych's `r.drop`).
    pub item_rest: Option<f64>,
    /// Raw α without this item.
    pub alpha_if_dropped: Option<f64>,
    /// Standardized α without this item.
    pub std_alpha_if_dropped: Option<f64>,
    /// Loading on the one factor of ω.
    pub loading: Option<f64>,
}

/// One scale's reliability, or why it has none.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScaleReport {
    /// The scale's name.
    pub scale: String,
    /// Responses (a rater's answers for one profile) with every item answered: those used.
    pub n: usize,
    /// Responses missing some item, left out.
    pub incomplete: usize,
    /// Cronbach's α (psych's `raw_alpha`).
    pub raw_alpha: Option<f64>,
    /// α from the correlations (psych's `std.alpha`).
    pub std_alpha: Option<f64>,
    /// Mean inter-item correlation.
    pub average_r: Option<f64>,
    /// McDonald's ω total (psych's `omega.tot`).
    pub omega_total: Option<f64>,
    /// Per item, in the scale's order.
    pub items: Vec<ItemReport>,
    /// Why the numbers are missing (a constant item, too few responses).
    pub problem: Option<String>,
    /// 95% percentile bootstrap interval of raw α over responses (with `bootstrap` > 0).
    pub raw_alpha_ci95: Option<[f64; 2]>,
    /// 95% percentile bootstrap interval of ω total.
    pub omega_total_ci95: Option<[f64; 2]>,
    /// Resamples drawn, and those left out for having no reliability (a constant item).
    pub bootstrap: usize,
    /// Bootstrap resamples with no reliability, left out.
    pub bootstrap_failed: usize,
    /// Gold and attention-check profiles left out (a study's; absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_left_out: Option<crate::dataset::KnownLeftOut>,
}

/// The reliability of each scale. `bounds` (min, max) score reverse-keyed items whose
/// dimension has no bounded scale in the data; an unknown item, a nominal item or a
/// reverse-keyed item without bounds is an error.
pub fn reliability(
    ds: &Dataset,
    scales: &[ScaleSpec],
    bounds: Option<(f64, f64)>,
) -> Result<Vec<ScaleReport>> {
    reliability_with(ds, scales, bounds, 0, 0)
}

/// As [`reliability`], with `bootstrap` resamples of the responses (seeded) giving intervals of
/// α and ω; 0 for none.
pub fn reliability_with(
    ds: &Dataset,
    scales: &[ScaleSpec],
    bounds: Option<(f64, f64)>,
    bootstrap: usize,
    seed: u64,
) -> Result<Vec<ScaleReport>> {
    scales
        .iter()
        .map(|s| one_scale(ds, s, bounds, bootstrap, seed))
        .collect()
}

fn one_scale(
    ds: &Dataset,
    spec: &ScaleSpec,
    bounds: Option<(f64, f64)>,
    bootstrap: usize,
    seed: u64,
) -> Result<ScaleReport> {
    let k = spec.items.len();
    let mut index: HashMap<(u32, Option<u32>), usize> = HashMap::new();
    let mut rows: Vec<Vec<Option<f64>>> = Vec::new();
    for (j, item) in spec.items.iter().enumerate() {
        let (d, reverse) = scored_item(ds, spec, item, bounds)?;
        for o in &d.observations {
            let r = *index.entry((o.profile, o.rater)).or_insert_with(|| {
                rows.push(vec![None; k]);
                rows.len() - 1
            });
            rows[r][j] = Some(reverse.map_or(o.value, |s| s - o.value));
        }
    }
    let incomplete = rows
        .iter()
        .filter(|r| r.iter().any(Option::is_none))
        .count();
    let n = rows.len() - incomplete;
    let items = |s: Option<&ScaleReliability>| -> Vec<ItemReport> {
        spec.items
            .iter()
            .enumerate()
            .map(|(j, i)| {
                let it = s.map(|s| &s.items[j]);
                ItemReport {
                    dimension: ds
                        .dimension(&i.dimension)
                        .map_or_else(|| i.dimension.clone(), |d| d.name.clone()),
                    reverse: i.reverse,
                    item_rest: it.map(|x| x.item_rest),
                    alpha_if_dropped: it.and_then(|x| x.alpha_if_dropped),
                    std_alpha_if_dropped: it.and_then(|x| x.std_alpha_if_dropped),
                    loading: it.map(|x| x.loading),
                }
            })
            .collect()
    };
    Ok(match scale_reliability(&rows) {
        Ok(s) => {
            let ci = (bootstrap > 0)
                .then(|| bootstrap_intervals(&rows, bootstrap, seed, super::CI_LEVEL));
            ScaleReport {
                scale: spec.name.clone(),
                n,
                incomplete,
                raw_alpha: Some(s.raw_alpha),
                std_alpha: Some(s.std_alpha),
                average_r: Some(s.average_r),
                omega_total: Some(s.omega_total),
                items: items(Some(&s)),
                problem: None,
                raw_alpha_ci95: ci.as_ref().and_then(|c| c.raw_alpha),
                omega_total_ci95: ci.as_ref().and_then(|c| c.omega_total),
                bootstrap: ci.as_ref().map_or(0, |c| c.resamples),
                bootstrap_failed: ci.as_ref().map_or(0, |c| c.failed),
                known_left_out: ds.known_left_out.present(),
            }
        }
        Err(e) => {
            let problem = match e {
                // A codebook's scale before anyone rated its items: no rows, so no item count.
                _ if rows.is_empty() => "no responses yet: none of its items is rated".to_owned(),
                chameleon_stats::reliability::ReliabilityError::ConstantItem { item } => format!(
                    "item '{}' has the same value in every complete response (no variance)",
                    spec.items[item].dimension
                ),
                other => other.to_string(),
            };
            ScaleReport {
                scale: spec.name.clone(),
                n,
                incomplete,
                raw_alpha: None,
                std_alpha: None,
                average_r: None,
                omega_total: None,
                items: items(None),
                problem: Some(problem),
                raw_alpha_ci95: None,
                omega_total_ci95: None,
                bootstrap: 0,
                bootstrap_failed: 0,
                known_left_out: ds.known_left_out.present(),
            }
        }
    })
}

/// An item's dimension, and `min + max` when it is reverse-keyed (scored `min + max − value`).
fn scored_item<'a>(
    ds: &'a Dataset,
    spec: &ScaleSpec,
    item: &ItemSpec,
    bounds: Option<(f64, f64)>,
) -> Result<(&'a crate::dataset::DimensionData, Option<f64>)> {
    let Some(d) = ds.dimension(&item.dimension) else {
        let known: Vec<&str> = ds.dimensions.iter().map(|d| d.name.as_str()).collect();
        return Err(CoreError::Invalid(format!(
            "scale '{}': '{}' is not a dimension of {} (it has {})",
            quote(&spec.name),
            quote(&item.dimension),
            ds.source,
            crate::checks::list_names(&known)
        )));
    };
    if d.is_nominal() {
        return Err(CoreError::Invalid(format!(
            "scale '{}': item '{}' is nominal; a scale's items need ordered values",
            quote(&spec.name),
            quote(&d.name)
        )));
    }
    let reverse = if item.reverse {
        let (lo, hi) = match (&d.scale, bounds) {
            (_, Some(b)) => b,
            (Some(Scale::Likert { min, max, .. }), None) => (*min as f64, *max as f64),
            (Some(Scale::Continuous { min, max, .. }), None) => (*min, *max),
            _ => {
                return Err(CoreError::Invalid(format!(
                    "scale '{}': item '{}' is reverse-keyed but its scale has no bounds \
                     here: give --min and --max (or import a codebook)",
                    quote(&spec.name),
                    quote(&d.name)
                )))
            }
        };
        Some(lo + hi)
    } else {
        None
    };
    Ok((d, reverse))
}

/// The multilevel reliability of one scale (Shrout & Lane; psych's `mlr`): its items answered
/// in each context (the occasions) by each person, one response per person × context (a
/// self-report, or one rater). Persons missing a cell (an item in a context, or a context)
/// are left out and counted.
#[derive(Debug, Clone, Serialize)]
pub struct MultilevelReport {
    /// The scale's name.
    pub scale: String,
    /// Persons left out for a missing item or context.
    pub incomplete_persons: usize,
    /// The components and coefficients, or `None` with `problem` saying why.
    pub reliability: Option<chameleon_stats::reliability::multilevel::MultilevelReliability>,
    /// Why there is no result.
    pub problem: Option<String>,
    /// Gold and attention-check profiles left out (a study's; absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_left_out: Option<crate::dataset::KnownLeftOut>,
}

/// [`MultilevelReport`] of each scale. Two raters rating one profile is an error: the design
/// has persons, occasions and items, no raters.
pub fn multilevel(
    ds: &Dataset,
    scales: &[ScaleSpec],
    bounds: Option<(f64, f64)>,
) -> Result<Vec<MultilevelReport>> {
    scales
        .iter()
        .map(|s| multilevel_scale(ds, s, bounds))
        .collect()
}

fn multilevel_scale(
    ds: &Dataset,
    spec: &ScaleSpec,
    bounds: Option<(f64, f64)>,
) -> Result<MultilevelReport> {
    let k = spec.items.len();
    let (np, nc) = (ds.persons.len(), ds.contexts.len());
    let mut cells: Vec<Option<f64>> = vec![None; np * nc * k];
    let mut rater_of: HashMap<u32, Option<u32>> = HashMap::new();
    for (j, item) in spec.items.iter().enumerate() {
        let (d, reverse) = scored_item(ds, spec, item, bounds)?;
        for o in &d.observations {
            if let Some(&r) = rater_of.get(&o.profile).filter(|r| **r != o.rater) {
                let key = ds.profiles[o.profile as usize];
                let name = |r: Option<u32>| {
                    r.and_then(|r| ds.raters.get(r as usize))
                        .map_or_else(|| "(none)".to_owned(), |r| r.name.clone())
                };
                return Err(CoreError::Invalid(format!(
                    "scale '{}': {}/{} has responses from '{}' and '{}'; multilevel reliability \
                     takes one response per person and context (a self-report, or one rater's)",
                    quote(&spec.name),
                    quote(&ds.persons[key.person as usize]),
                    quote(&ds.contexts[key.context as usize]),
                    quote(&name(r)),
                    quote(&name(o.rater))
                )));
            }
            rater_of.insert(o.profile, o.rater);
            let key = ds.profiles[o.profile as usize];
            cells[(key.person as usize * nc + key.context as usize) * k + j] =
                Some(reverse.map_or(o.value, |s| s - o.value));
        }
    }
    // Only the contexts the scale was answered in are its occasions.
    let used: Vec<usize> = (0..nc)
        .filter(|&c| (0..np).any(|p| (0..k).any(|j| cells[(p * nc + c) * k + j].is_some())))
        .collect();
    let mut y = Vec::new();
    let mut incomplete_persons = 0;
    for p in 0..np {
        let person: Vec<Vec<Option<f64>>> = used
            .iter()
            .map(|&c| (0..k).map(|j| cells[(p * nc + c) * k + j]).collect())
            .collect();
        if person.iter().flatten().all(Option::is_none) {
            continue;
        }
        if person.iter().flatten().any(Option::is_none) {
            incomplete_persons += 1;
            continue;
        }
        y.push(person);
    }
    let (reliability, problem) =
        match chameleon_stats::reliability::multilevel::multilevel_reliability(&y) {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e.to_string())),
        };
    Ok(MultilevelReport {
        scale: spec.name.clone(),
        incomplete_persons,
        reliability,
        problem,
        known_left_out: ds.known_left_out.present(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(csv: &str) -> Dataset {
        crate::tidy::parse_wide("w.csv", csv.as_bytes(), None)
            .unwrap()
            .file
            .to_dataset("w.csv")
            .unwrap()
    }

    const CSV: &str =
        "person,context,a,b,c\np1,q,1,5,2\np2,q,2,4,2\np3,q,4,2,5\np4,q,5,1,4\np5,q,3,3,NA\n";

    #[test]
    fn reverse_keying_uses_the_bounds_and_incomplete_responses_are_left_out() {
        let d = ds(CSV);
        let spec = ScaleSpec::parse("s=a,-b,c").unwrap();
        assert!(reliability(&d, std::slice::from_ref(&spec), None)
            .unwrap_err()
            .to_string()
            .contains("--min and --max"));
        let r = &reliability(&d, &[spec], Some((1.0, 5.0))).unwrap()[0];
        assert_eq!((r.n, r.incomplete), (4, 1));
        // b reversed is a exactly: their correlation is 1.
        let same =
            &reliability(&d, &[ScaleSpec::parse("t=a,-b").unwrap()], Some((1.0, 5.0))).unwrap()[0];
        assert!((same.std_alpha.unwrap() - 1.0).abs() < 1e-12);
        let unreversed = &reliability(&d, &[ScaleSpec::parse("t=a,b").unwrap()], None).unwrap()[0];
        assert!(unreversed.raw_alpha.is_none(), "{unreversed:?}");
        assert!(unreversed
            .problem
            .as_deref()
            .unwrap()
            .contains("reverse-keyed"));
        assert!(r.raw_alpha.unwrap() > 0.8);
    }

    #[test]
    fn bad_specs_and_degenerate_scales() {
        assert!(ScaleSpec::parse("novalue").is_err());
        assert!(ScaleSpec::parse("s=a,,b").is_err());
        assert!(ScaleSpec::parse("s=a,-A").is_err());
        let d = ds(CSV);
        let e = reliability(&d, &[ScaleSpec::parse("s=a,zz").unwrap()], None).unwrap_err();
        assert!(e.to_string().contains("'zz' is not a dimension"), "{e}");
        let one = &reliability(&d, &[ScaleSpec::parse("s=a").unwrap()], None).unwrap()[0];
        assert!(one.raw_alpha.is_none());
        assert!(one
            .problem
            .as_deref()
            .unwrap()
            .contains("at least two items"));
        let flat = ds("person,context,a,b\np1,q,1,3\np2,q,2,3\np3,q,4,3\n");
        let r = &reliability(&flat, &[ScaleSpec::parse("s=a,b").unwrap()], None).unwrap()[0];
        assert!(r.problem.as_deref().unwrap().contains("item 'b'"), "{r:?}");
        // A codebook's scale whose items nobody rated yet says so (not "0 items").
        let mut unrated = flat.clone();
        for d in &mut unrated.dimensions {
            d.observations.clear();
        }
        let r = &reliability(&unrated, &[ScaleSpec::parse("s=a,b").unwrap()], None).unwrap()[0];
        assert_eq!(
            r.problem.as_deref(),
            Some("no responses yet: none of its items is rated")
        );
    }
}
