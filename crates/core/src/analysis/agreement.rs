//! Agreement report per dimension (issue #3): turns a [`Dataset`] into `chameleon-stats`
//! agreement inputs and the results into the report the CLI prints and the app shows.
//!
//! The JSON form is the DESIGN.md contract of `chameleon agreement --json`:
//! `{"dimensions":[{"dimension","units","raters","ratings","alpha":{..},"fleiss_kappa",
//! "icc":{"ICC1",..},"percent_agreement","pairs":[{"a","b","units","kappa","kappa_linear",
//! "kappa_quadratic"}]}]}`. Extra keys are added after those (`level`, `icc_method`, `icc_detail`,
//! `percent_within_one`, `raters_detail`, `ci`, …); none of the contract keys is ever renamed
//! or dropped. A statistic that cannot be computed is `null` and its reason is in
//! [`AgreementRun::warnings`].

use super::count_distinct;
use crate::dataset::{Dataset, DimensionData};
use crate::model::{Level, Scale};
use chameleon_stats::agreement::{
    self as ag, AgreementError, Categories, KappaWeights, Rating, RatingTable,
};
use chameleon_stats::bootstrap::Control;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Options of an agreement run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgreementOptions {
    /// Unit-bootstrap resamples for confidence intervals of alpha and Fleiss' kappa (0 = none).
    pub bootstrap: usize,
    pub seed: u64,
}

impl Default for AgreementOptions {
    fn default() -> Self {
        AgreementOptions {
            bootstrap: 0,
            seed: 1,
        }
    }
}

/// The report and the reasons for every `null` in it.
#[derive(Debug, Clone)]
pub struct AgreementRun {
    pub report: AgreementReport,
    /// One sentence per statistic that is `null`, naming the dimension.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgreementReport {
    pub dimensions: Vec<DimensionAgreement>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlphaReport {
    pub nominal: Option<f64>,
    pub ordinal: Option<f64>,
    pub interval: Option<f64>,
    pub ratio: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IccReport {
    #[serde(rename = "ICC1")]
    pub icc1: Option<f64>,
    #[serde(rename = "ICC2")]
    pub icc2: Option<f64>,
    #[serde(rename = "ICC3")]
    pub icc3: Option<f64>,
    #[serde(rename = "ICC1k")]
    pub icc1k: Option<f64>,
    #[serde(rename = "ICC2k")]
    pub icc2k: Option<f64>,
    #[serde(rename = "ICC3k")]
    pub icc3k: Option<f64>,
}

/// F test and interval of one ICC form (complete designs only).
#[derive(Debug, Clone, Serialize)]
pub struct IccFormDetail {
    pub value: f64,
    #[serde(rename = "F")]
    pub f: Option<f64>,
    /// Degrees of freedom of the F test; `null` for the variance-components ICCs (no test).
    pub df1: Option<f64>,
    pub df2: Option<f64>,
    pub p: Option<f64>,
    pub ci95: Option<[f64; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IccDetail {
    /// Units and raters the ICC was computed on, and the k of the average-measure forms.
    pub units: usize,
    pub raters: usize,
    /// `null` when no ICC form is defined.
    pub k: Option<f64>,
    #[serde(rename = "ICC1")]
    pub icc1: Option<IccFormDetail>,
    #[serde(rename = "ICC2")]
    pub icc2: Option<IccFormDetail>,
    #[serde(rename = "ICC3")]
    pub icc3: Option<IccFormDetail>,
    #[serde(rename = "ICC1k")]
    pub icc1k: Option<IccFormDetail>,
    #[serde(rename = "ICC2k")]
    pub icc2k: Option<IccFormDetail>,
    #[serde(rename = "ICC3k")]
    pub icc3k: Option<IccFormDetail>,
    /// Variance components (unit, rater, residual) when `icc_method` is variance-components.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variance_components: Option<VarianceComponentsReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VarianceComponentsReport {
    pub unit: f64,
    pub rater: f64,
    pub residual: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PairReport {
    pub a: String,
    pub b: String,
    pub units: usize,
    pub kappa: Option<f64>,
    pub kappa_linear: Option<f64>,
    pub kappa_quadratic: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RaterReport {
    pub rater: String,
    pub n: usize,
    pub n_shared: usize,
    pub leniency: Option<f64>,
    pub consensus_r: Option<f64>,
    pub consensus_agreement: Option<f64>,
    pub drift_early_abs_dev: Option<f64>,
    pub drift_late_abs_dev: Option<f64>,
    pub drift_early_agreement: Option<f64>,
    pub drift_late_agreement: Option<f64>,
    pub median_seconds: Option<f64>,
}

/// Bootstrap percentile intervals (only with `--bootstrap N`).
#[derive(Debug, Clone, Serialize)]
pub struct CiReport {
    pub resamples: usize,
    pub seed: u64,
    pub level: f64,
    pub alpha: CiAlpha,
    pub fleiss_kappa: Option<[f64; 2]>,
    /// Cohen's kappas per rater pair, in the order of `pairs`.
    pub pairs: Vec<PairCiReport>,
}

/// Bootstrap intervals of one rater pair's kappas.
#[derive(Debug, Clone, Serialize)]
pub struct PairCiReport {
    pub a: String,
    pub b: String,
    pub kappa: Option<[f64; 2]>,
    pub kappa_linear: Option<[f64; 2]>,
    pub kappa_quadratic: Option<[f64; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CiAlpha {
    pub nominal: Option<[f64; 2]>,
    pub ordinal: Option<[f64; 2]>,
    pub interval: Option<[f64; 2]>,
    pub ratio: Option<[f64; 2]>,
}

/// One dimension's agreement. The first ten fields are the DESIGN.md contract, in its order.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionAgreement {
    pub dimension: String,
    /// Units (profiles) with at least one rating.
    pub units: usize,
    /// Raters with at least one rating.
    pub raters: usize,
    pub ratings: usize,
    pub alpha: AlphaReport,
    pub fleiss_kappa: Option<f64>,
    pub icc: IccReport,
    /// Pairwise exact agreement, percent (0–100).
    pub percent_agreement: Option<f64>,
    pub pairs: Vec<PairReport>,
    // ---- extra keys (not part of the contract) ----
    /// The level of measurement the codebook gives (else the scale's, else interval): the
    /// alpha to read first.
    pub level: Level,
    /// Units with two or more ratings (what alpha, kappa and percent agreement use).
    pub pairable_units: usize,
    /// "classic" (constant ratings per unit) or "generalised" (see docs/agreement.md).
    pub fleiss_form: Option<&'static str>,
    /// "anova" (Shrout & Fleiss on a complete design), "variance-components-reml" (incomplete
    /// design: REML components of unit + rater crossed random effects, the decomposition's
    /// engine) or "variance-components-moments" (the symmetric-sums moment estimator, used when
    /// the REML fit fails); see docs/agreement.md.
    pub icc_method: &'static str,
    pub icc_detail: Option<IccDetail>,
    /// Shrout & Fleiss ICCs on the units rated by every rater, when the design is incomplete but
    /// at least two such units exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icc_complete_case: Option<IccDetail>,
    /// Pairwise agreement within one scale point, percent (ordinal/interval discrete scales).
    pub percent_within_one: Option<f64>,
    /// The categories (scale points) weighted kappas are computed over.
    pub categories: Option<Vec<f64>>,
    pub raters_detail: Vec<RaterReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<CiReport>,
}

/// The caller cancelled an agreement run (its bootstrap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the agreement run was cancelled")]
pub struct Cancelled;

/// Agreement statistics for every dimension of `ds`, in parallel across dimensions.
pub fn agreement(ds: &Dataset, opts: &AgreementOptions) -> AgreementRun {
    let never = AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &never,
    };
    agreement_with(ds, opts, &control).expect("a run nobody can cancel completes")
}

/// [`agreement`] that reports bootstrap progress as `(done, total)` resamples summed over the
/// dimensions (`total` = resamples × dimensions; a dimension whose bootstrap cannot run counts
/// as done) and stops once `control` is cancelled.
pub fn agreement_with(
    ds: &Dataset,
    opts: &AgreementOptions,
    control: &Control,
) -> Result<AgreementRun, Cancelled> {
    agreement_weighted(ds, opts, KappaWeights::Scale, control)
}

/// [`agreement_with`] with the weighted kappas' category distances taken by `weights`
/// (`KappaWeights::Rank` reproduces R psych's `cohen.kappa`; see docs/agreement.md).
pub fn agreement_weighted(
    ds: &Dataset,
    opts: &AgreementOptions,
    weights: KappaWeights,
    control: &Control,
) -> Result<AgreementRun, Cancelled> {
    let per_dim_total = opts.bootstrap as u64;
    let total = per_dim_total * ds.dimensions.len() as u64;
    let done = AtomicU64::new(0);
    let per_dim: Vec<(DimensionAgreement, Vec<String>)> = ds
        .dimensions
        .par_iter()
        .map(|d| {
            let mine = AtomicU64::new(0);
            let progress = |_: u64, _: u64| {
                mine.fetch_add(1, Ordering::Relaxed);
                (control.progress)(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            };
            let dim_control = Control {
                progress: &progress,
                cancel: control.cancel,
            };
            let out = dimension(ds, d, opts, weights, &dim_control);
            let rest = per_dim_total.saturating_sub(mine.load(Ordering::Relaxed));
            if rest > 0 && !control.is_cancelled() {
                (control.progress)(done.fetch_add(rest, Ordering::Relaxed) + rest, total);
            }
            out
        })
        .collect();
    if control.is_cancelled() {
        return Err(Cancelled);
    }
    let mut warnings = Vec::new();
    let mut dimensions = Vec::with_capacity(per_dim.len());
    for (d, w) in per_dim {
        dimensions.push(d);
        warnings.extend(w);
    }
    Ok(AgreementRun {
        report: AgreementReport { dimensions },
        warnings,
    })
}

/// Collects `null` reasons for one dimension.
struct Notes<'a> {
    dim: &'a str,
    out: Vec<String>,
}

impl Notes<'_> {
    fn take<T>(&mut self, what: &str, r: Result<T, AgreementError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.out
                    .push(format!("dimension '{}': {what} is null: {e}", self.dim));
                None
            }
        }
    }
    fn note(&mut self, what: &str, why: &str) {
        self.out
            .push(format!("dimension '{}': {what} is null: {why}", self.dim));
    }
}

fn empty(d: &DimensionData, ratings: usize, level: Level) -> DimensionAgreement {
    DimensionAgreement {
        dimension: d.name.clone(),
        units: 0,
        raters: 0,
        ratings,
        alpha: AlphaReport {
            nominal: None,
            ordinal: None,
            interval: None,
            ratio: None,
        },
        fleiss_kappa: None,
        icc: IccReport {
            icc1: None,
            icc2: None,
            icc3: None,
            icc1k: None,
            icc2k: None,
            icc3k: None,
        },
        percent_agreement: None,
        pairs: Vec::new(),
        level,
        pairable_units: 0,
        fleiss_form: None,
        icc_method: "none",
        icc_detail: None,
        icc_complete_case: None,
        percent_within_one: None,
        categories: None,
        raters_detail: Vec::new(),
        ci: None,
    }
}

fn dimension(
    ds: &Dataset,
    d: &DimensionData,
    opts: &AgreementOptions,
    weights: KappaWeights,
    control: &Control,
) -> (DimensionAgreement, Vec<String>) {
    let mut notes = Notes {
        dim: &d.name,
        out: Vec::new(),
    };
    let level = d.effective_level();
    let mut report = empty(d, d.observations.len(), level);
    if !ds.has_rater || d.observations.iter().any(|o| o.rater.is_none()) {
        notes.note("every agreement statistic", "the data have no rater column");
        report.units = count_distinct(d.observations.iter().map(|o| o.profile));
        return (report, notes.out);
    }
    let rows: Vec<Rating> = d
        .observations
        .iter()
        .map(|o| Rating {
            unit: o.profile,
            rater: o.rater.unwrap_or(0),
            value: o.value,
            time: o.created_at,
        })
        .collect();
    let table = match RatingTable::new(&rows) {
        Ok(t) => t,
        Err(e) => {
            notes.take::<()>("every agreement statistic", Err(e));
            return (report, notes.out);
        }
    };
    report.units = table.rated_units();
    report.raters = table.active_raters();
    report.pairable_units = table.pairable_units();

    // Without a codebook the scale is inferred from the values the way the app infers one
    // (`Scale::infer`), and so is the level (a Likert scale is ordinal); the user is told.
    let values: Vec<f64> = table.distinct_values().to_vec();
    let scale = match &d.scale {
        Some(s) => s.clone(),
        None => {
            let s = Scale::infer(&values);
            if d.level.is_none() {
                report.level = s.default_level();
            }
            notes.out.push(format!(
                "dimension '{}': no codebook gives its scale; {}",
                d.name,
                s.inferred_description()
            ));
            s
        }
    };
    let level = report.level;

    // Alpha at the four levels.
    // A nominal dimension's codes have no order or distance: only the nominal statistics are
    // reported (ordered alphas, weighted kappas and ICCs would depend on arbitrary codes).
    let unordered =
        matches!(level, Level::Nominal) || matches!(d.scale, Some(Scale::Nominal { .. }));
    if unordered {
        notes.out.push(format!(
            "dimension '{}': alpha (ordinal, interval, ratio), the weighted kappas, the ICCs \
             and the raters' leniency, consensus r and drift deviation are null: the dimension \
             is nominal (its codes have no order or distance)",
            d.name
        ));
    }
    let a = ag::alpha_all(&table);
    let ordered = |notes: &mut Notes<'_>, what: &str, r| {
        if unordered {
            None
        } else {
            notes.take(what, r)
        }
    };
    report.alpha = AlphaReport {
        nominal: notes.take("alpha (nominal)", a.nominal),
        ordinal: ordered(&mut notes, "alpha (ordinal)", a.ordinal),
        interval: ordered(&mut notes, "alpha (interval)", a.interval),
        ratio: ordered(&mut notes, "alpha (ratio)", a.ratio),
    };

    // Categories: the codebook's scale, else the inferred one.
    let cats = match scale.categories() {
        Some(points) => match Categories::from_scale(&table, &points) {
            Ok(c) => Some(c),
            Err(e) => {
                notes.out.push(format!(
                    "dimension '{}': {e}; kappas use the observed values as categories",
                    d.name
                ));
                Some(Categories::from_data(&table))
            }
        },
        None => None,
    }
    .map(|c| c.with_weights(weights));
    report.categories = cats.as_ref().map(|c| c.values().to_vec());

    match &cats {
        Some(c) => {
            match ag::fleiss_kappa(&table) {
                Ok(k) => {
                    report.fleiss_kappa = Some(k.value);
                    report.fleiss_form = Some(match k.form {
                        ag::FleissForm::Classic => "classic",
                        _ => "generalised",
                    });
                    if k.form != ag::FleissForm::Classic {
                        notes.out.push(format!(
                            "dimension '{}': units have different numbers of ratings; \
                             fleiss_kappa is the generalised form (see docs/agreement.md)",
                            d.name
                        ));
                    }
                }
                Err(e) => {
                    notes.take::<()>("fleiss_kappa", Err(e));
                }
            }
            for p in ag::cohen_pairs(&table, c) {
                let name = |r: u32| ds.raters[r as usize].name.clone();
                let (a, b) = (name(p.a), name(p.b));
                let what = format!("kappa of {a}–{b}");
                report.pairs.push(PairReport {
                    units: p.units,
                    kappa: notes.take(&what, p.kappa),
                    kappa_linear: ordered(&mut notes, &format!("linear {what}"), p.kappa_linear),
                    kappa_quadratic: ordered(
                        &mut notes,
                        &format!("quadratic {what}"),
                        p.kappa_quadratic,
                    ),
                    a,
                    b,
                });
            }
        }
        None => {
            notes.note(
                "fleiss_kappa and the pairwise kappas",
                "the scale is continuous",
            );
        }
    }

    if !unordered {
        // ICC: Shrout & Fleiss when every rated unit was rated by every rater, else variance
        // components on all ratings (and Shrout & Fleiss on the complete units as an extra).
        let complete = report.raters >= 2
            && (0..table.n_units())
                .all(|u| table.unit(u).0.is_empty() || table.unit(u).0.len() == report.raters);
        let (icc_set, vc) = if complete {
            report.icc_method = "anova";
            (ag::icc_complete(&table), None)
        } else {
            let cc = ag::icc_complete(&table);
            if cc.units >= 2 {
                report.icc_complete_case = Some(detail(
                    &cc,
                    None,
                    &mut Notes {
                        dim: "",
                        out: vec![],
                    },
                ));
            }
            match ag::icc_reml(&table) {
                Ok((set, vc)) => {
                    report.icc_method = "variance-components-reml";
                    (set, Some(vc))
                }
                Err(e) => {
                    notes.out.push(format!(
                        "dimension '{}': REML variance components failed ({e}); the ICC uses \
                         moment estimates",
                        d.name
                    ));
                    report.icc_method = "variance-components-moments";
                    ag::icc_variance_components(&table)
                }
            }
        };
        for w in &icc_set.warnings {
            notes.out.push(format!("dimension '{}': ICC: {w}", d.name));
        }
        let det = detail(&icc_set, vc, &mut notes);
        report.icc = IccReport {
            icc1: det.icc1.as_ref().map(|x| x.value),
            icc2: det.icc2.as_ref().map(|x| x.value),
            icc3: det.icc3.as_ref().map(|x| x.value),
            icc1k: det.icc1k.as_ref().map(|x| x.value),
            icc2k: det.icc2k.as_ref().map(|x| x.value),
            icc3k: det.icc3k.as_ref().map(|x| x.value),
        };
        report.icc_detail = Some(det);
    }

    // Percent agreement; within one point only for ordered discrete scales.
    let within_cats = if unordered { None } else { cats.as_ref() };
    if let Some(p) = notes.take(
        "percent_agreement",
        ag::percent_agreement(&table, within_cats),
    ) {
        report.percent_agreement = Some(p.exact);
        report.percent_within_one = p.within_one;
    }

    // Per-rater diagnostics, with the median time per rating from the observations.
    let mut seconds: Vec<Vec<f64>> = vec![Vec::new(); ds.raters.len()];
    for o in &d.observations {
        if let (Some(r), Some(s)) = (o.rater, o.seconds_spent) {
            if s.is_finite() {
                seconds[r as usize].push(s);
            }
        }
    }
    report.raters_detail = ag::rater_diagnostics(&table)
        .into_iter()
        .map(|r| RaterReport {
            rater: ds.raters[r.rater as usize].name.clone(),
            n: r.n,
            n_shared: r.n_shared,
            leniency: r.leniency.filter(|_| !unordered),
            consensus_r: if unordered {
                None
            } else {
                notes.take(
                    &format!(
                        "consensus_r of rater '{}'",
                        ds.raters[r.rater as usize].name
                    ),
                    r.consensus_r,
                )
            },
            consensus_agreement: r.consensus_agreement,
            drift_early_abs_dev: r.drift_early_abs_dev.filter(|_| !unordered),
            drift_late_abs_dev: r.drift_late_abs_dev.filter(|_| !unordered),
            drift_early_agreement: r.drift_early_agreement,
            drift_late_agreement: r.drift_late_agreement,
            median_seconds: median(&mut seconds[r.rater as usize]),
        })
        .collect();

    if opts.bootstrap > 0 {
        if let Some(ci) = notes.take(
            "ci",
            ag::bootstrap_with(
                &table,
                cats.as_ref(),
                opts.bootstrap,
                opts.seed,
                0.95,
                control,
            ),
        ) {
            report.ci = Some(CiReport {
                resamples: ci.resamples,
                seed: opts.seed,
                level: ci.level,
                alpha: CiAlpha {
                    nominal: ci.alpha_nominal,
                    ordinal: ci.alpha_ordinal,
                    interval: ci.alpha_interval,
                    ratio: ci.alpha_ratio,
                },
                fleiss_kappa: report.fleiss_kappa.and(ci.fleiss_kappa),
                pairs: ci
                    .pairs
                    .iter()
                    .map(|p| PairCiReport {
                        a: ds.raters[p.a as usize].name.clone(),
                        b: ds.raters[p.b as usize].name.clone(),
                        kappa: p.kappa,
                        kappa_linear: p.kappa_linear.filter(|_| !unordered),
                        kappa_quadratic: p.kappa_quadratic.filter(|_| !unordered),
                    })
                    .collect(),
            });
        }
    }
    (report, notes.out)
}

fn detail(
    set: &ag::IccSet,
    vc: Option<ag::VarianceComponents>,
    notes: &mut Notes<'_>,
) -> IccDetail {
    let mut form = |name: &str, r: &Result<ag::IccEstimate, AgreementError>| {
        notes.take(name, r.clone()).map(|e| IccFormDetail {
            value: e.value,
            f: e.f,
            df1: e.df1,
            df2: e.df2,
            p: e.p_value,
            ci95: e.ci95,
        })
    };
    let any_defined = [
        &set.icc1, &set.icc2, &set.icc3, &set.icc1k, &set.icc2k, &set.icc3k,
    ]
    .iter()
    .any(|r| r.is_ok());
    IccDetail {
        units: set.units,
        raters: set.raters,
        k: set.k.filter(|_| any_defined),
        icc1: form("ICC1", &set.icc1),
        icc2: form("ICC2", &set.icc2),
        icc3: form("ICC3", &set.icc3),
        icc1k: form("ICC1k", &set.icc1k),
        icc2k: form("ICC2k", &set.icc2k),
        icc3k: form("ICC3k", &set.icc3k),
        variance_components: vc.map(|v| VarianceComponentsReport {
            unit: v.unit,
            rater: v.rater,
            residual: v.residual,
        }),
    }
}

fn median(xs: &mut [f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(csv: &str) -> Dataset {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.csv");
        std::fs::write(&p, csv).unwrap();
        crate::analysis::input::load_dataset(&p).unwrap()
    }

    #[test]
    fn json_has_exactly_the_contract_keys_first() {
        let ds = load("unit,rater,value\na,x,1\na,y,2\nb,x,3\nb,y,3\nc,x,1\nc,y,1\n");
        let run = agreement(&ds, &AgreementOptions::default());
        let v = serde_json::to_value(&run.report).unwrap();
        let d = &v["dimensions"][0];
        for k in [
            "dimension",
            "units",
            "raters",
            "ratings",
            "alpha",
            "fleiss_kappa",
            "icc",
            "percent_agreement",
            "pairs",
        ] {
            assert!(d.get(k).is_some(), "contract key '{k}' must be present");
        }
        for k in ["nominal", "ordinal", "interval", "ratio"] {
            assert!(d["alpha"].get(k).is_some(), "alpha.{k} must be present");
        }
        for k in ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"] {
            assert!(d["icc"].get(k).is_some(), "icc.{k} must be present");
        }
        for k in [
            "a",
            "b",
            "units",
            "kappa",
            "kappa_linear",
            "kappa_quadratic",
        ] {
            assert!(
                d["pairs"][0].get(k).is_some(),
                "pairs[].{k} must be present"
            );
        }
        assert_eq!(d["units"], 3);
        assert_eq!(d["raters"], 2);
        assert_eq!(d["ratings"], 6);
        assert_eq!(d["icc_method"], "anova");
    }

    #[test]
    fn undefined_statistics_are_null_with_a_reason() {
        let ds = load("unit,rater,value\na,x,2\na,y,2\nb,x,2\nb,y,2\n");
        let run = agreement(&ds, &AgreementOptions::default());
        let d = &run.report.dimensions[0];
        assert_eq!(
            d.alpha.interval, None,
            "all ratings equal: alpha is undefined"
        );
        assert!(
            run.warnings.iter().any(|w| w.contains("alpha (interval)")),
            "the reason must be reported: {:?}",
            run.warnings
        );
        assert_eq!(d.percent_agreement, Some(100.0));
    }

    #[test]
    fn weighted_kappa_takes_categories_from_the_scale() {
        // Raters use only 1, 2 and 5 of a 1..7 Likert scale. Reference: scikit-learn
        // cohen_kappa_score(a, b, labels=[1..7], weights=...) = 0.238095…, 0.28, 0.289473…;
        // with the observed values as labels linear/quadratic would be 0.2307…/0.2222….
        let a = [1, 2, 5, 1, 2, 5, 2, 1];
        let b = [2, 2, 5, 1, 1, 2, 2, 5];
        let mut csv = String::from("unit,rater,value\n");
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            csv.push_str(&format!("u{i},A,{x}\nu{i},B,{y}\n"));
        }
        let mut ds = load(&csv);
        ds.dimensions[0].scale = Some(Scale::Likert {
            min: 1,
            max: 7,
            anchors: vec![],
        });
        let run = agreement(&ds, &AgreementOptions::default());
        let p = &run.report.dimensions[0].pairs[0];
        let close = |x: Option<f64>, y: f64| (x.unwrap() - y).abs() < 1e-12;
        assert!(close(p.kappa, 0.238_095_238_095_238_14), "{p:?}");
        assert!(
            close(p.kappa_linear, 0.28),
            "linear weights over the scale's 7 points: {p:?}"
        );
        assert!(close(p.kappa_quadratic, 0.289_473_684_210_526_3), "{p:?}");
        assert_eq!(
            run.report.dimensions[0].categories.as_ref().map(Vec::len),
            Some(7)
        );
    }

    #[test]
    fn nominal_dimension_reports_only_nominal_statistics() {
        let mut ds = load("unit,rater,value\na,x,1\na,y,2\nb,x,3\nb,y,3\nc,x,1\nc,y,1\n");
        ds.dimensions[0].level = Some(Level::Nominal);
        let run = agreement(&ds, &AgreementOptions::default());
        let d = &run.report.dimensions[0];
        assert!(
            d.alpha.nominal.is_some(),
            "nominal alpha is the statistic of a nominal scale"
        );
        assert!(
            d.alpha.interval.is_none() && d.icc.icc2.is_none(),
            "codes have no distance"
        );
        assert!(d.pairs[0].kappa.is_some() && d.pairs[0].kappa_quadratic.is_none());
        assert!(
            run.warnings.iter().any(|w| w.contains("nominal")),
            "{:?}",
            run.warnings
        );
    }

    #[test]
    fn bipolar_integer_scale_without_codebook_is_ordinal() {
        // A −3..3 semantic differential in a bare ratings file (issue 11, item 17): kappas are
        // computed over the inferred scale's 7 points and the inference is said.
        let mut csv = String::from("unit,rater,value\n");
        let a = [-3, -2, 0, 1, 3, 2, -1, 0];
        let b = [-3, -1, 0, 1, 2, 2, -1, 1];
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            csv.push_str(&format!("u{i},A,{x}\nu{i},B,{y}\n"));
        }
        let run = agreement(&load(&csv), &AgreementOptions::default());
        let d = &run.report.dimensions[0];
        assert!(d.fleiss_kappa.is_some(), "{:?}", run.warnings);
        assert_eq!(d.pairs.len(), 1);
        assert!(d.pairs[0].kappa_quadratic.is_some());
        assert_eq!(d.categories.as_ref().map(Vec::len), Some(7));
        assert_eq!(d.level, Level::Ordinal);
        assert!(
            run.warnings
                .iter()
                .any(|w| w.contains("ordinal Likert scale -3..3")),
            "the inferred scale is said: {:?}",
            run.warnings
        );
    }

    #[test]
    fn rank_weights_match_r_psych_cohen_kappa() {
        // scripts/reference/agreement/psych_kappa.R: categories 1, 3, 5, 6, 7, 8, 10 of a 1..10
        // scale; psych weights by rank among each pair's observed levels (issue 11, item 22).
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../scripts/reference/agreement");
        let ds = crate::analysis::input::load_dataset(&dir.join("psych_kappa.csv")).unwrap();
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("psych_kappa.json")).unwrap())
                .unwrap();
        let never = AtomicBool::new(false);
        let control = Control {
            progress: &|_, _| {},
            cancel: &never,
        };
        let opts = AgreementOptions::default();
        let rank = agreement_weighted(&ds, &opts, KappaWeights::Rank, &control).unwrap();
        let scale = agreement_weighted(&ds, &opts, KappaWeights::Scale, &control).unwrap();
        let pairs = &rank.report.dimensions[0].pairs;
        let want = expected["pairs"].as_array().unwrap();
        assert_eq!(pairs.len(), want.len());
        for (got, want) in pairs.iter().zip(want) {
            assert_eq!(
                (got.a.as_str(), got.b.as_str()),
                (want["a"].as_str().unwrap(), want["b"].as_str().unwrap())
            );
            for (key, value) in [
                ("kappa", got.kappa),
                ("kappa_linear", got.kappa_linear),
                ("kappa_quadratic", got.kappa_quadratic),
            ] {
                let w = want[key].as_f64().unwrap();
                let v = value.unwrap();
                assert!(
                    (v - w).abs() <= 1e-9 * w.abs().max(1e-3),
                    "{}–{} {key}: {v} vs psych {w}",
                    got.a,
                    got.b
                );
            }
        }
        let by_scale = &scale.report.dimensions[0].pairs[0];
        assert!(
            (by_scale.kappa_quadratic.unwrap() - pairs[0].kappa_quadratic.unwrap()).abs() > 1e-3,
            "with gaps in the categories the two weightings differ"
        );
    }

    #[test]
    fn nulls_are_null_and_said() {
        // Issue 11, items 19 and 21. Rotating design: the variance-components ICCs have no F
        // test, so no degrees of freedom; rater z rates 3 everywhere, so its consensus r is 0/0.
        let ds = load(
            "unit,rater,value\na,x,1\na,z,3\nb,y,3\nb,z,3\nc,x,1\nc,y,2\nd,x,4\nd,z,3\n\
             e,y,5\ne,z,3\nf,x,2\nf,y,2\n",
        );
        let run = agreement(&ds, &AgreementOptions::default());
        let d = &run.report.dimensions[0];
        let det = d.icc_detail.as_ref().unwrap();
        let icc2 = det.icc2.as_ref().unwrap();
        assert_eq!((icc2.df1, icc2.df2), (None, None));
        let z = d.raters_detail.iter().find(|r| r.rater == "z").unwrap();
        assert_eq!(z.consensus_r, None);
        assert!(
            run.warnings
                .iter()
                .any(|w| w.contains("consensus_r of rater 'z'") && w.contains("do not vary")),
            "{:?}",
            run.warnings
        );
        // No ICC defined: no k either.
        let ds = load("unit,rater,value\na,x,2\na,y,2\nb,x,2\nb,y,2\n");
        let run = agreement(&ds, &AgreementOptions::default());
        assert_eq!(
            run.report.dimensions[0].icc_detail.as_ref().unwrap().k,
            None
        );
        // Values near ±1e300: overflow, not "all equal" or 0/0.
        let ds = load(
            "unit,rater,value\na,x,1e300\na,y,-1e300\nb,x,-1.5e300\nb,y,1.2e300\nc,x,1e300\nc,y,1.1e300\n",
        );
        let run = agreement(&ds, &AgreementOptions::default());
        let d = &run.report.dimensions[0];
        assert_eq!(d.alpha.interval, None);
        assert!(
            d.alpha.nominal.is_some(),
            "categorical statistics do not overflow"
        );
        let about = |what: &str| {
            run.warnings
                .iter()
                .find(|w| w.contains(&format!("{what} is null")))
                .cloned()
                .unwrap_or_default()
        };
        for what in ["alpha (interval)", "ICC2", "ICC3"] {
            let w = about(what);
            assert!(
                w.contains("too large"),
                "{what}: {w:?} in {:?}",
                run.warnings
            );
        }
    }

    #[test]
    fn rotating_design_uses_variance_components() {
        let ds = load("unit,rater,value\na,x,1\na,y,2\nb,y,3\nb,z,3\nc,x,1\nc,z,2\nd,x,4\nd,y,5\n");
        let run = agreement(
            &ds,
            &AgreementOptions {
                bootstrap: 50,
                seed: 3,
            },
        );
        let d = &run.report.dimensions[0];
        assert_eq!(d.icc_method, "variance-components-reml");
        assert_eq!(d.pairs.len(), 3, "x–y, x–z and y–z share units");
        assert!(d.ci.is_some(), "--bootstrap adds intervals");
    }
}
