//! Analyses of model raters (every rater of kind model: run by [`super::run`] or imported,
//! e.g. reward-model scores), per dimension:
//!
//! - **humans vs each model**: Krippendorff's α at the dimension's level and ICC(A,1)
//!   (Shrout & Fleiss ICC2) between the model and the human consensus (the mean of the human
//!   ratings of a profile; the most frequent category on nominal dimensions), with percentile
//!   intervals from resampling profiles;
//! - **state sensitivity**: the model's state (within-person) share at the profile level next
//!   to the humans' on the same profiles, and their ratio (how much of the state humans see
//!   the model carries), with a person-cluster bootstrap interval; a ratio below the
//!   threshold flags the model state-blind;
//! - **sample consistency**: α among a model's own k samples;
//! - **models disagreeing about persons**: the `rater:person` share among the model raters
//!   (the formula engine, `value ~ 1 + (1|person) + (1|person:context) + (1|rater) +
//!   (1|rater:person)`), the sign agreement of per-person effects between pairs of models,
//!   and Kendall's W across models.
//!
//! Every statistic is computed by `chameleon-stats` (alpha, ICC, the profile-level REML
//! decomposition, the mixed-model engine, Kendall's W); this module selects the data.

use crate::analysis::minimum::{self, Caution};
use crate::dataset::{Dataset, DimensionData};
use crate::error::{CoreError, Result};
use crate::model::{Level, RaterKind};
use crate::store::{ModelSamples, Study};
use chameleon_stats::agreement::{self as ag, Metric, RatingTable};
use chameleon_stats::bootstrap::{percentile_interval, ResampleRng};
use chameleon_stats::variance::mixed::{Criterion, FitOptions, Model, Observation};
use chameleon_stats::variance::{decompose, DecomposeOptions, Method, Rating as VRating};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A model carrying less than this share of the humans' state share is flagged state-blind.
pub const DEFAULT_BLIND_RATIO: f64 = 0.5;

/// The formula whose `rater:person` share says how much model raters disagree about persons.
pub const MODELS_FORMULA: &str =
    "value ~ 1 + (1|person) + (1|person:context) + (1|rater) + (1|rater:person)";

/// Checked options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelAnalysisOptions {
    /// Bootstrap resamples (0: no intervals).
    pub resamples: usize,
    pub seed: u64,
    pub blind_ratio: f64,
    pub samples: ModelSamples,
}

impl ModelAnalysisOptions {
    pub fn new(
        resamples: usize,
        seed: u64,
        blind_ratio: f64,
        samples: ModelSamples,
    ) -> Result<ModelAnalysisOptions> {
        // The same resample bounds as every other analysis.
        crate::app::analysis::AnalysisOptions::new(
            resamples,
            seed,
            crate::app::analysis::Method::Reml,
        )?;
        if !(blind_ratio.is_finite() && (0.0..=1.0).contains(&blind_ratio)) {
            return Err(CoreError::Invalid(format!(
                "--blind-ratio: {blind_ratio} is out of range (0 to 1)"
            )));
        }
        Ok(ModelAnalysisOptions {
            resamples,
            seed,
            blind_ratio,
            samples,
        })
    }
}

impl Default for ModelAnalysisOptions {
    fn default() -> Self {
        ModelAnalysisOptions {
            resamples: 0,
            seed: 1,
            blind_ratio: DEFAULT_BLIND_RATIO,
            samples: ModelSamples::Mean,
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModelsReport {
    pub humans: Vec<String>,
    pub models: Vec<String>,
    pub blind_ratio: f64,
    pub resamples: usize,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: u64,
    /// `"mean"` or `"sample N"`.
    pub samples: String,
    pub dimensions: Vec<DimensionModels>,
    pub summary: Vec<ModelSummary>,
    pub notes: Vec<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DimensionModels {
    pub dimension: String,
    pub level: String,
    pub models: Vec<ModelRow>,
    pub between_models: Option<BetweenModels>,
}

/// One model on one dimension. A statistic that cannot be computed is `None`, with the reason
/// in `notes`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct ModelRow {
    pub model: String,
    /// Profiles rated by the model and by at least one human.
    pub profiles: usize,
    pub alpha: Option<f64>,
    pub alpha_ci: Option<[f64; 2]>,
    pub icc: Option<f64>,
    pub icc_ci: Option<[f64; 2]>,
    pub model_state_share: Option<f64>,
    pub human_state_share: Option<f64>,
    pub state_ratio: Option<f64>,
    pub state_ratio_ci: Option<[f64; 2]>,
    pub state_blind: Option<bool>,
    /// Samples per profile of a model run (the most any profile has); `None` for imported ones.
    pub samples: Option<u32>,
    pub sample_alpha: Option<f64>,
    pub sample_alpha_ci: Option<[f64; 2]>,
    /// Set when α and ICC rest on fewer shared profiles than
    /// [`minimum::UNITS_FOR_AGREEMENT`] asks or have a degenerate interval: every face shows
    /// the message instead of them.
    pub agreement_caution: Option<Caution>,
    /// Set when the state shares rest on fewer persons with two profiles than
    /// [`minimum::PERSONS_WITH_TWO_CONTEXTS`] asks (the model is then not judged state-blind)
    /// or the ratio's interval is degenerate.
    pub state_caution: Option<Caution>,
    /// Set when the sample α rests on too few profiles with two or more samples.
    pub sample_caution: Option<Caution>,
    pub notes: Vec<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BetweenModels {
    pub models: Vec<String>,
    pub formula: String,
    pub rater_person_share: Option<f64>,
    /// Set when the share rests on fewer persons rated by two or more models than
    /// [`minimum::PERSONS_WITH_TWO_RATERS`] asks: shown instead of it.
    pub caution: Option<Caution>,
    /// Each term's share of the variance, the residual included.
    pub shares: BTreeMap<String, f64>,
    pub sign_agreement: Vec<PairSign>,
    pub kendall_w: Option<f64>,
    /// Profiles rated by every model (Kendall's W is computed on them).
    pub kendall_units: usize,
    pub notes: Vec<String>,
}

/// How often two models put a person on the same side of their own mean.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PairSign {
    pub a: String,
    pub b: String,
    /// Persons both models rated whose effects are both non-zero.
    pub persons: usize,
    pub agreement: Option<f64>,
}

/// One model over the dimensions: state-blind when it is in at least half of the dimensions
/// where it could be judged.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModelSummary {
    pub model: String,
    pub judged: usize,
    pub blind_in: usize,
    pub mean_state_ratio: Option<f64>,
    pub state_blind: bool,
}

/// One sample rating of a model on a profile of the dataset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleValue {
    pub rater: u32,
    pub profile: u32,
    pub sample: u32,
    pub value: f64,
}

/// What the model-rater analyses read from a study: its dataset with the model values
/// `samples` says (every dimension, every rater) and the per-sample ratings of its runs.
#[derive(Debug, Clone)]
pub struct ModelRaterData {
    pub dataset: Dataset,
    /// Per dimension name, the per-sample ratings of model runs.
    pub samples: HashMap<String, Vec<SampleValue>>,
}

/// The analyses on a study: its dataset with the model values `opts.samples` says and the
/// per-sample ratings of its model runs.
pub fn analyse_study(study: &Study, opts: &ModelAnalysisOptions) -> Result<ModelsReport> {
    let input = read_study(study, opts.samples)?;
    Ok(analyse(&input.dataset, &input.samples, opts))
}

/// [`ModelRaterData`] of `study` when it has a rater of kind model, else `None` (a study
/// without one gets no model-raters section).
pub fn model_rater_data(study: &Study, samples: ModelSamples) -> Result<Option<ModelRaterData>> {
    let input = read_study(study, samples)?;
    Ok(input
        .dataset
        .raters
        .iter()
        .any(|r| r.kind == RaterKind::Model)
        .then_some(input))
}

/// The report's model-raters section (`chameleon report` and the app's report alike): the
/// analyses with the report's resamples and seed, the default threshold and the samples'
/// mean, only `dimensions` (all when empty, matched ignoring case); `None` without model
/// raters.
pub fn report_section(
    input: &ModelRaterData,
    resamples: usize,
    seed: u64,
    dimensions: &[String],
) -> Result<Option<ModelsReport>> {
    let opts = ModelAnalysisOptions::new(resamples, seed, DEFAULT_BLIND_RATIO, ModelSamples::Mean)?;
    let mut r = analyse(&input.dataset, &input.samples, &opts);
    if r.models.is_empty() {
        return Ok(None);
    }
    if !dimensions.is_empty() {
        r.dimensions.retain(|x| {
            dimensions
                .iter()
                .any(|w| w.eq_ignore_ascii_case(&x.dimension))
        });
    }
    Ok(Some(r))
}

fn read_study(study: &Study, samples_of: ModelSamples) -> Result<ModelRaterData> {
    let ds = study.dataset_for(false, samples_of)?;
    let mut profile_index: HashMap<(String, String), u32> = HashMap::new();
    for (i, p) in ds.profiles.iter().enumerate() {
        profile_index.insert(
            (
                ds.persons[p.person as usize].clone(),
                ds.contexts[p.context as usize].clone(),
            ),
            i as u32,
        );
    }
    let rater_index: HashMap<&str, u32> = ds
        .raters
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.as_str(), i as u32))
        .collect();
    let mut keys: HashMap<i64, Option<u32>> = HashMap::new();
    let mut samples: HashMap<String, Vec<SampleValue>> = HashMap::new();
    for s in study.model_sample_ratings()? {
        let profile = match keys.get(&s.profile_id) {
            Some(p) => *p,
            None => {
                let p = study.profile(s.profile_id)?;
                let ix = profile_index.get(&(p.person, p.context)).copied();
                keys.insert(s.profile_id, ix);
                ix
            }
        };
        let (Some(profile), Some(&rater)) = (profile, rater_index.get(s.rater.as_str())) else {
            continue;
        };
        samples.entry(s.dimension).or_default().push(SampleValue {
            rater,
            profile,
            sample: s.sample,
            value: s.value,
        });
    }
    Ok(ModelRaterData {
        dataset: ds,
        samples,
    })
}

/// The analyses on a dataset; `samples` holds, per dimension name, the per-sample ratings of
/// model runs (empty for imported model ratings).
pub fn analyse(
    ds: &Dataset,
    samples: &HashMap<String, Vec<SampleValue>>,
    opts: &ModelAnalysisOptions,
) -> ModelsReport {
    let kind = |r: u32| ds.raters[r as usize].kind;
    let humans: Vec<u32> = (0..ds.raters.len() as u32)
        .filter(|&r| kind(r) == RaterKind::Human)
        .collect();
    let models: Vec<u32> = (0..ds.raters.len() as u32)
        .filter(|&r| kind(r) == RaterKind::Model)
        .collect();
    let mut notes = Vec::new();
    if models.is_empty() {
        notes.push("the data have no model rater (kind model)".into());
    }
    if humans.is_empty() {
        notes.push("the data have no human rater: nothing to compare the models with".into());
    }
    let dimensions: Vec<DimensionModels> = ds
        .dimensions
        .iter()
        .map(|d| {
            dimension(
                ds,
                d,
                &humans,
                &models,
                samples.get(&d.name).map_or(&[][..], |v| &v[..]),
                opts,
            )
        })
        .collect();
    let summary = models
        .iter()
        .map(|&m| {
            let name = &ds.raters[m as usize].name;
            let rows: Vec<&ModelRow> = dimensions
                .iter()
                .flat_map(|d| d.models.iter().filter(|r| &r.model == name))
                .collect();
            let judged: Vec<bool> = rows.iter().filter_map(|r| r.state_blind).collect();
            let ratios: Vec<f64> = rows.iter().filter_map(|r| r.state_ratio).collect();
            let blind_in = judged.iter().filter(|b| **b).count();
            ModelSummary {
                model: name.clone(),
                judged: judged.len(),
                blind_in,
                mean_state_ratio: (!ratios.is_empty())
                    .then(|| ratios.iter().sum::<f64>() / ratios.len() as f64),
                state_blind: !judged.is_empty() && 2 * blind_in >= judged.len(),
            }
        })
        .collect();
    ModelsReport {
        humans: humans
            .iter()
            .map(|&r| ds.raters[r as usize].name.clone())
            .collect(),
        models: models
            .iter()
            .map(|&r| ds.raters[r as usize].name.clone())
            .collect(),
        blind_ratio: opts.blind_ratio,
        resamples: opts.resamples,
        seed: opts.seed,
        samples: match opts.samples {
            ModelSamples::Mean => "mean".into(),
            ModelSamples::One(i) => format!("sample {i}"),
        },
        dimensions,
        summary,
        notes,
    }
}

fn metric(level: Level) -> Metric {
    match level {
        Level::Nominal => Metric::Nominal,
        Level::Ordinal => Metric::Ordinal,
        Level::Interval => Metric::Interval,
        Level::Ratio => Metric::Ratio,
    }
}

/// The human consensus of each profile: the mean, or the most frequent category (lowest code
/// among ties) on a nominal dimension.
fn consensus(d: &DimensionData, humans: &[u32]) -> BTreeMap<u32, f64> {
    let mut by: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for o in &d.observations {
        if o.rater.is_some_and(|r| humans.contains(&r)) {
            by.entry(o.profile).or_default().push(o.value);
        }
    }
    let nominal = d.is_nominal();
    by.into_iter()
        .map(|(p, v)| {
            let c = if nominal {
                let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
                for x in &v {
                    *counts.entry(x.round() as i64).or_default() += 1;
                }
                let best = counts.values().copied().max().unwrap_or(0);
                counts
                    .into_iter()
                    .find(|(_, n)| *n == best)
                    .map_or(v[0], |(c, _)| c as f64)
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            };
            (p, c)
        })
        .collect()
}

/// A statistic of (consensus, model) pairs.
type PairStat<'a> = dyn Fn(&[(f64, f64)]) -> Option<f64> + Sync + 'a;

/// Statistic on pairs `(a, b)` and its percentile interval from resampling the pairs.
fn with_ci(
    pairs: &[(f64, f64)],
    opts: &ModelAnalysisOptions,
    stream: u64,
    stat: &PairStat<'_>,
) -> (Option<f64>, Option<[f64; 2]>) {
    let point = stat(pairs);
    if point.is_none() || opts.resamples == 0 || pairs.len() < 2 {
        return (point, None);
    }
    let draws: Vec<f64> = (0..opts.resamples as u64)
        .into_par_iter()
        .map(|b| {
            let mut rng = ResampleRng::new(opts.seed ^ stream.rotate_left(17), b);
            let idx = rng.resample_indices(pairs.len());
            let res: Vec<(f64, f64)> = idx.iter().map(|&i| pairs[i]).collect();
            stat(&res).unwrap_or(f64::NAN)
        })
        .collect();
    (point, percentile_interval(&draws, 0.95))
}

fn two_rater_table(pairs: &[(f64, f64)]) -> Option<RatingTable> {
    let mut r = Vec::with_capacity(pairs.len() * 2);
    for (u, (a, b)) in pairs.iter().enumerate() {
        r.push(ag::Rating::new(u as u32, 0, *a));
        r.push(ag::Rating::new(u as u32, 1, *b));
    }
    RatingTable::new(&r).ok()
}

/// Profile-level state share of one score per profile (or several ratings per profile,
/// averaged), REML.
fn state_share(rows: &[VRating]) -> std::result::Result<f64, String> {
    let prepared = chameleon_stats::variance::decompose::Prepared::new(rows, false)
        .map_err(|e| e.to_string())?;
    let d = decompose(
        &prepared,
        rows,
        &DecomposeOptions {
            method: Method::Reml,
            parallel: false,
        },
    );
    d.profile_level
        .map(|p| p.state_share)
        .ok_or_else(|| d.warnings.join("; "))
}

fn dimension(
    ds: &Dataset,
    d: &DimensionData,
    humans: &[u32],
    models: &[u32],
    samples: &[SampleValue],
    opts: &ModelAnalysisOptions,
) -> DimensionModels {
    let level = d.effective_level();
    let nominal = d.is_nominal();
    let cons = consensus(d, humans);
    let name_of = |r: u32| ds.raters[r as usize].name.clone();
    let mut model_values: BTreeMap<u32, BTreeMap<u32, f64>> = BTreeMap::new();
    for o in &d.observations {
        if let Some(r) = o.rater.filter(|r| models.contains(r)) {
            model_values
                .entry(r)
                .or_default()
                .insert(o.profile, o.value);
        }
    }
    let mut rows = Vec::new();
    for (mi, &m) in models.iter().enumerate() {
        let Some(values) = model_values.get(&m) else {
            continue;
        };
        let mut row = ModelRow {
            model: name_of(m),
            ..Default::default()
        };
        let stream = (mi as u64 + 1) * 1_000_003 + fnv(&d.name);
        let pairs: Vec<(f64, f64)> = values
            .iter()
            .filter_map(|(p, v)| cons.get(p).map(|c| (*c, *v)))
            .collect();
        row.profiles = pairs.len();
        let met = metric(level);
        let alpha = |p: &[(f64, f64)]| two_rater_table(p).and_then(|t| ag::alpha(&t, met).ok());
        (row.alpha, row.alpha_ci) = with_ci(&pairs, opts, stream, &alpha);
        if row.alpha.is_none() && !pairs.is_empty() {
            if let Some(Err(e)) = two_rater_table(&pairs).map(|t| ag::alpha(&t, met)) {
                row.notes.push(format!("alpha: {e}"));
            }
        }
        if pairs.is_empty() {
            row.notes
                .push("no profile rated by this model and by a human".into());
        }
        if !nominal && !pairs.is_empty() {
            let icc = |p: &[(f64, f64)]| {
                two_rater_table(p).and_then(|t| ag::icc_complete(&t).icc2.ok().map(|e| e.value))
            };
            (row.icc, row.icc_ci) = with_ci(&pairs, opts, stream + 1, &icc);
            state(ds, d, humans, values, opts, stream + 2, &mut row);
        }
        if row.alpha.is_some() || row.icc.is_some() {
            row.agreement_caution = minimum::first([
                minimum::UNITS_FOR_AGREEMENT.check(pairs.len()),
                minimum::degenerate_interval(row.alpha_ci),
                minimum::degenerate_interval(row.icc_ci),
            ]);
        }
        sample_consistency(d, m, samples, level, opts, stream + 3, &mut row);
        rows.push(row);
    }
    let between =
        (!nominal && model_values.len() >= 2).then(|| between_models(ds, &model_values, &name_of));
    DimensionModels {
        dimension: d.name.clone(),
        level: level.as_str().to_owned(),
        models: rows,
        between_models: between,
    }
}

fn state(
    ds: &Dataset,
    d: &DimensionData,
    humans: &[u32],
    values: &BTreeMap<u32, f64>,
    opts: &ModelAnalysisOptions,
    stream: u64,
    row: &mut ModelRow,
) {
    // Per person: the shared profiles, with the model's score and the humans' ratings.
    let mut human: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for o in &d.observations {
        if o.rater.is_some_and(|r| humans.contains(&r)) && values.contains_key(&o.profile) {
            human.entry(o.profile).or_default().push(o.value);
        }
    }
    let mut persons: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for p in human.keys() {
        persons
            .entry(ds.profiles[*p as usize].person)
            .or_default()
            .push(*p);
    }
    let persons: Vec<Vec<u32>> = persons.into_values().collect();
    let shares = |draw: &[usize]| -> std::result::Result<(f64, f64), String> {
        let (mut m_rows, mut h_rows) = (Vec::new(), Vec::new());
        let mut profile = 0u32;
        for (pi, &i) in draw.iter().enumerate() {
            for &p in &persons[i] {
                m_rows.push(VRating {
                    person: pi as u32,
                    profile,
                    rater: 0,
                    value: values[&p],
                });
                for &v in &human[&p] {
                    h_rows.push(VRating {
                        person: pi as u32,
                        profile,
                        rater: 0,
                        value: v,
                    });
                }
                profile += 1;
            }
        }
        let ms = state_share(&m_rows).map_err(|e| format!("model: {e}"))?;
        let hs = state_share(&h_rows).map_err(|e| format!("humans: {e}"))?;
        Ok((ms, hs))
    };
    let all: Vec<usize> = (0..persons.len()).collect();
    match shares(&all) {
        Err(e) => row.notes.push(format!("state share: {e}")),
        Ok((ms, hs)) => {
            row.model_state_share = Some(ms);
            row.human_state_share = Some(hs);
            if hs > 0.0 {
                let ratio = ms / hs;
                row.state_ratio = Some(ratio);
                row.state_blind = Some(ratio < opts.blind_ratio);
            } else {
                row.notes
                    .push("the humans' state share is 0 on these profiles: no ratio".into());
            }
        }
    }
    let two = persons.iter().filter(|p| p.len() >= 2).count();
    if row.model_state_share.is_some() {
        row.state_caution = minimum::PERSONS_WITH_TWO_CONTEXTS.check(two);
        if row.state_caution.is_some() {
            // A verdict from a handful of persons would flag (or clear) a model on noise.
            row.state_blind = None;
        }
    }
    if row.state_ratio.is_some() && opts.resamples > 0 && persons.len() >= 2 {
        let draws: Vec<f64> = (0..opts.resamples as u64)
            .into_par_iter()
            .map(|b| {
                let mut rng = ResampleRng::new(opts.seed ^ stream.rotate_left(17), b);
                let idx = rng.resample_indices(persons.len());
                match shares(&idx) {
                    Ok((m, h)) if h > 0.0 => m / h,
                    _ => f64::NAN,
                }
            })
            .collect();
        row.state_ratio_ci = percentile_interval(&draws, 0.95);
        if row.state_caution.is_none() {
            row.state_caution = minimum::degenerate_interval(row.state_ratio_ci);
        }
    }
}

fn sample_consistency(
    d: &DimensionData,
    model: u32,
    samples: &[SampleValue],
    level: Level,
    opts: &ModelAnalysisOptions,
    stream: u64,
    row: &mut ModelRow,
) {
    let mine: Vec<&SampleValue> = samples.iter().filter(|s| s.rater == model).collect();
    if mine.is_empty() {
        return;
    }
    let mut by: BTreeMap<u32, Vec<(u32, f64)>> = BTreeMap::new();
    for s in &mine {
        by.entry(s.profile).or_default().push((s.sample, s.value));
    }
    row.samples = by.values().map(|v| v.len() as u32).max();
    if row.samples < Some(2) {
        return;
    }
    let units: Vec<Vec<(u32, f64)>> = by.into_values().collect();
    let repeated = units.iter().filter(|u| u.len() >= 2).count();
    let met = metric(level);
    let stat = |u: &[&Vec<(u32, f64)>]| -> Option<f64> {
        let mut r = Vec::new();
        for (i, v) in u.iter().enumerate() {
            for (s, x) in v.iter() {
                r.push(ag::Rating::new(i as u32, *s, *x));
            }
        }
        RatingTable::new(&r)
            .ok()
            .and_then(|t| ag::alpha(&t, met).ok())
    };
    let refs: Vec<&Vec<(u32, f64)>> = units.iter().collect();
    row.sample_alpha = stat(&refs);
    if row.sample_alpha.is_none() {
        row.notes.push(format!(
            "sample consistency: alpha is undefined for {} (all samples equal?)",
            d.name
        ));
    }
    if row.sample_alpha.is_some() && opts.resamples > 0 && units.len() >= 2 {
        let draws: Vec<f64> = (0..opts.resamples as u64)
            .into_par_iter()
            .map(|b| {
                let mut rng = ResampleRng::new(opts.seed ^ stream.rotate_left(17), b);
                let idx = rng.resample_indices(units.len());
                let res: Vec<&Vec<(u32, f64)>> = idx.iter().map(|&i| &units[i]).collect();
                stat(&res).unwrap_or(f64::NAN)
            })
            .collect();
        row.sample_alpha_ci = percentile_interval(&draws, 0.95);
    }
    if row.sample_alpha.is_some() {
        row.sample_caution = minimum::first([
            minimum::UNITS_FOR_AGREEMENT.check(repeated),
            minimum::degenerate_interval(row.sample_alpha_ci),
        ]);
    }
}

fn between_models(
    ds: &Dataset,
    values: &BTreeMap<u32, BTreeMap<u32, f64>>,
    name_of: &dyn Fn(u32) -> String,
) -> BetweenModels {
    let raters: Vec<u32> = values.keys().copied().collect();
    let mut notes = Vec::new();
    // rater:person share.
    let rows: Vec<Observation> = values
        .iter()
        .enumerate()
        .flat_map(|(ri, (_, v))| {
            v.iter().map(move |(p, x)| {
                let key = ds.profiles[*p as usize];
                Observation {
                    person: key.person,
                    context: key.context,
                    rater: ri as u32,
                    value: *x,
                }
            })
        })
        .collect();
    let mut shares = BTreeMap::new();
    let mut rater_person_share = None;
    match chameleon_stats::variance::formula::parse(MODELS_FORMULA)
        .map_err(|e| e.to_string())
        .and_then(|f| Model::new(&f, &rows, true).map_err(|e| e.to_string()))
        .and_then(|m| {
            m.fit(Criterion::Reml, &FitOptions::default())
                .map_err(|e| e.to_string())
        }) {
        Ok(fit) => {
            for t in &fit.terms {
                shares.insert(t.label.clone(), t.share);
                if t.kind == chameleon_stats::variance::formula::TermKind::RaterPerson {
                    rater_person_share = Some(t.share);
                }
            }
            shares.insert("residual".into(), fit.residual_share);
            notes.extend(fit.warnings);
        }
        Err(e) => notes.push(format!("{MODELS_FORMULA}: {e}")),
    }
    // Per-person effects: a person's mean score over the model's own mean.
    let effects: Vec<BTreeMap<u32, f64>> = raters
        .iter()
        .map(|r| {
            let v = &values[r];
            let mean = v.values().sum::<f64>() / v.len() as f64;
            let mut by: BTreeMap<u32, (f64, usize)> = BTreeMap::new();
            for (p, x) in v {
                let e = by.entry(ds.profiles[*p as usize].person).or_default();
                e.0 += x;
                e.1 += 1;
            }
            by.into_iter()
                .map(|(p, (s, n))| (p, s / n as f64 - mean))
                .collect()
        })
        .collect();
    let mut sign_agreement = Vec::new();
    for i in 0..raters.len() {
        for j in i + 1..raters.len() {
            let (mut same, mut n) = (0usize, 0usize);
            for (p, a) in &effects[i] {
                if let Some(b) = effects[j].get(p) {
                    if *a != 0.0 && *b != 0.0 {
                        n += 1;
                        same += usize::from((*a > 0.0) == (*b > 0.0));
                    }
                }
            }
            sign_agreement.push(PairSign {
                a: name_of(raters[i]),
                b: name_of(raters[j]),
                persons: n,
                agreement: (n > 0).then(|| same as f64 / n as f64),
            });
        }
    }
    // Kendall's W across models, on the profiles every model rated.
    let mut r = Vec::new();
    for (ri, v) in values.values().enumerate() {
        for (p, x) in v {
            r.push(ag::Rating::new(*p, ri as u32, *x));
        }
    }
    let (kendall_w, kendall_units) = match RatingTable::new(&r).map(|t| ag::kendall_w(&t)) {
        Ok(Ok(w)) => (Some(w.w), w.units),
        Ok(Err(e)) | Err(e) => {
            notes.push(format!("Kendall's W: {e}"));
            (None, 0)
        }
    };
    let mut models_of: BTreeMap<u32, usize> = BTreeMap::new();
    for v in values.values() {
        let persons: std::collections::BTreeSet<u32> =
            v.keys().map(|p| ds.profiles[*p as usize].person).collect();
        for p in persons {
            *models_of.entry(p).or_default() += 1;
        }
    }
    let shared = models_of.values().filter(|n| **n >= 2).count();
    let caution = rater_person_share.and(minimum::PERSONS_WITH_TWO_RATERS.check(shared));
    BetweenModels {
        models: raters.iter().map(|&r| name_of(r)).collect(),
        formula: MODELS_FORMULA.into(),
        rater_person_share,
        caution,
        shares,
        sign_agreement,
        kendall_w,
        kendall_units,
        notes,
    }
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RaterKind;
    use crate::RatingsImportOptions;

    /// The demo study with only `persons`' ratings, humans and the imported model alike.
    fn demo_of(dir: &std::path::Path, persons: &[&str]) -> Study {
        let files = crate::sample::demo(2024, 36);
        let keep = |csv: &str| -> String {
            csv.lines()
                .enumerate()
                .filter(|(i, l)| *i == 0 || persons.iter().any(|p| l.starts_with(&format!("{p},"))))
                .map(|(_, l)| format!("{l}\n"))
                .collect()
        };
        let put = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).expect("write a demo file");
            p
        };
        let mut study = Study::create(&dir.join("few.chameleon")).expect("study");
        study
            .import_profiles(&put("profiles.jsonl", &files.profiles_jsonl))
            .expect("profiles");
        study
            .import_codebook(&put("codebook.toml", &files.codebook_toml))
            .expect("codebook");
        study
            .import_ratings(
                &put("ratings.csv", &keep(&files.ratings_csv)),
                &Default::default(),
            )
            .expect("ratings");
        study
            .import_ratings(
                &put("model.csv", &keep(&files.model_ratings_csv)),
                &RatingsImportOptions {
                    rater_kind: RaterKind::Model,
                },
            )
            .expect("model ratings");
        study
    }

    #[test]
    fn a_three_profile_model_study_gives_cautions_not_results_issue_14() {
        let dir = tempfile::tempdir().expect("temp dir");
        let study = demo_of(dir.path(), &["u001"]);
        let opts = ModelAnalysisOptions::new(50, 1, DEFAULT_BLIND_RATIO, ModelSamples::Mean)
            .expect("options");
        let r = analyse_study(&study, &opts).expect("analyses");
        assert_eq!(r.models, ["model-gpt"]);
        let rows: Vec<&ModelRow> = r.dimensions.iter().flat_map(|d| &d.models).collect();
        assert!(!rows.is_empty());
        for m in &rows {
            assert_eq!(m.profiles, 3, "{m:?}");
            assert!(m.alpha.is_some(), "{m:?}");
            let c = m.agreement_caution.as_ref().expect("α/ICC caution");
            assert_eq!((c.rule, c.n, c.minimum), ("units", Some(3), Some(10)));
            assert_eq!(c.message, "too few data (n = 3)");
        }

        // Two persons in three contexts each: state shares exist but rest on two persons; the
        // model is not judged state-blind on them.
        let dir = tempfile::tempdir().expect("temp dir");
        let study = demo_of(dir.path(), &["u001", "u002"]);
        let r = analyse_study(&study, &opts).expect("analyses");
        let judged: Vec<&ModelRow> = r
            .dimensions
            .iter()
            .flat_map(|d| &d.models)
            .filter(|m| m.model_state_share.is_some())
            .collect();
        assert!(!judged.is_empty(), "{:?}", r.dimensions);
        for m in &judged {
            let c = m.state_caution.as_ref().expect("state caution");
            assert_eq!(
                (c.rule, c.message.as_str()),
                ("persons_with_two_contexts", "too few data (n = 2)")
            );
            assert_eq!(m.state_blind, None, "not judged on two persons: {m:?}");
        }
        assert!(
            r.summary.iter().all(|s| s.judged == 0 && !s.state_blind),
            "{:?}",
            r.summary
        );

        // The full demo: no caution on the counts, and its state-blind model is judged.
        let dir = tempfile::tempdir().expect("temp dir");
        let (full, _) = crate::app::testing::demo(dir.path());
        let r = analyse_study(&full, &ModelAnalysisOptions::default()).expect("analyses");
        for m in r.dimensions.iter().flat_map(|d| &d.models) {
            assert!(m.agreement_caution.is_none(), "{m:?}");
            assert!(m.state_caution.is_none(), "{m:?}");
        }
        assert!(r.summary.iter().any(|s| s.judged > 0), "{:?}", r.summary);
    }
}
