//! The agreement report of one dimension, one statistic family per function. The order of the
//! calls in [`dimension`] is the order of the warnings users read.

use super::AgreementOptions;
use super::{
    AlphaReport, CiAlpha, CiReport, DimensionAgreement, IccDetail, IccFormDetail, IccReport, Notes,
    PairCiReport, PairReport, RaterReport, VarianceComponentsReport,
};
use crate::analysis::{count_distinct, CI_LEVEL};
use crate::dataset::{Dataset, DimensionData};
use crate::model::{Level, Scale};
use chameleon_stats::agreement::{
    self as ag, AgreementError, Categories, KappaWeights, Rating, RatingTable,
};
use chameleon_stats::bootstrap::Control;

/// What every statistic of one dimension reads.
struct Dim<'a> {
    ds: &'a Dataset,
    d: &'a DimensionData,
    table: RatingTable,
    /// A nominal dimension's codes have no order or distance: only the nominal statistics are
    /// reported (ordered alphas, weighted kappas and ICCs would depend on arbitrary codes).
    unordered: bool,
}

impl Dim<'_> {
    fn rater(&self, r: u32) -> String {
        self.ds.raters[r as usize].name.clone()
    }
}

impl Notes<'_> {
    /// [`Notes::take`] for a statistic of ordered scales: `None` without a note on a nominal
    /// dimension (one note says why for all of them).
    fn ordered<T>(
        &mut self,
        unordered: bool,
        what: &str,
        r: Result<T, AgreementError>,
    ) -> Option<T> {
        if unordered {
            None
        } else {
            self.take(what, r)
        }
    }
}

pub(super) fn empty(d: &DimensionData, ratings: usize, level: Level) -> DimensionAgreement {
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
        caution: None,
    }
}

/// The report of dimension `d` and the reasons for its `null`s.
pub(super) fn dimension(
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
    let mut report = empty(d, d.observations.len(), d.effective_level());
    let Some(table) = rating_table(ds, d, &mut report, &mut notes) else {
        return (report, notes.out);
    };
    let scale = scale_of(d, &table, &mut report, &mut notes);
    let level = report.level;
    let unordered =
        matches!(level, Level::Nominal) || matches!(d.scale, Some(Scale::Nominal { .. }));
    let dim = Dim {
        ds,
        d,
        table,
        unordered,
    };
    if unordered {
        notes.out.push(format!(
            "dimension '{}': alpha (ordinal, interval, ratio), the weighted kappas, the ICCs \
             and the raters' leniency, consensus r and drift deviation are null: the dimension \
             is nominal (its codes have no order or distance)",
            d.name
        ));
    }
    report.alpha = alphas(&dim, &mut notes);
    let cats = categories(&dim, &scale, weights, &mut notes);
    report.categories = cats.as_ref().map(|c| c.values().to_vec());
    match &cats {
        Some(c) => kappas(&dim, c, &mut report, &mut notes),
        None => notes.note(
            "fleiss_kappa and the pairwise kappas",
            "the scale is continuous",
        ),
    }
    if !unordered {
        iccs(&dim, &mut report, &mut notes);
    }
    // Within one point only for ordered discrete scales.
    let within_cats = if unordered { None } else { cats.as_ref() };
    if let Some(p) = notes.take(
        "percent_agreement",
        ag::percent_agreement(&dim.table, within_cats),
    ) {
        report.percent_agreement = Some(p.exact);
        report.percent_within_one = p.within_one;
    }
    report.raters_detail = raters(&dim, &mut notes);
    if opts.bootstrap > 0 {
        let fleiss = report.fleiss_kappa;
        report.ci = bootstrap(&dim, cats.as_ref(), opts, fleiss, control, &mut notes);
    }
    (report, notes.out)
}

/// The ratings as the statistics' table, with the counts filled in; `None` (and a note) when
/// there is nothing to agree on.
fn rating_table(
    ds: &Dataset,
    d: &DimensionData,
    report: &mut DimensionAgreement,
    notes: &mut Notes<'_>,
) -> Option<RatingTable> {
    if !ds.has_rater || d.observations.iter().any(|o| o.rater.is_none()) {
        notes.note("every agreement statistic", "the data have no rater column");
        report.units = count_distinct(d.observations.iter().map(|o| o.profile));
        return None;
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
    let table = notes.take("every agreement statistic", RatingTable::new(&rows))?;
    report.units = table.rated_units();
    report.raters = table.active_raters();
    report.pairable_units = table.pairable_units();
    Some(table)
}

/// The codebook's scale; without a codebook the scale is inferred from the values the way the
/// app infers one (`Scale::infer`), and so is the level (a Likert scale is ordinal), and the
/// user is told.
fn scale_of(
    d: &DimensionData,
    table: &RatingTable,
    report: &mut DimensionAgreement,
    notes: &mut Notes<'_>,
) -> Scale {
    if let Some(s) = &d.scale {
        return s.clone();
    }
    let s = Scale::infer(table.distinct_values());
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

/// Alpha at the four levels.
fn alphas(dim: &Dim<'_>, notes: &mut Notes<'_>) -> AlphaReport {
    let a = ag::alpha_all(&dim.table);
    let u = dim.unordered;
    AlphaReport {
        nominal: notes.take("alpha (nominal)", a.nominal),
        ordinal: notes.ordered(u, "alpha (ordinal)", a.ordinal),
        interval: notes.ordered(u, "alpha (interval)", a.interval),
        ratio: notes.ordered(u, "alpha (ratio)", a.ratio),
    }
}

/// The kappas' categories: the scale's points (the observed values when the data leave the
/// scale), `None` for a continuous scale.
fn categories(
    dim: &Dim<'_>,
    scale: &Scale,
    weights: KappaWeights,
    notes: &mut Notes<'_>,
) -> Option<Categories> {
    let points = scale.categories()?;
    let cats = match Categories::from_scale(&dim.table, &points) {
        Ok(c) => c,
        Err(e) => {
            notes.out.push(format!(
                "dimension '{}': {e}; kappas use the observed values as categories",
                dim.d.name
            ));
            Categories::from_data(&dim.table)
        }
    };
    Some(cats.with_weights(weights))
}

/// Fleiss' kappa and Cohen's kappas per rater pair.
fn kappas(
    dim: &Dim<'_>,
    cats: &Categories,
    report: &mut DimensionAgreement,
    notes: &mut Notes<'_>,
) {
    match ag::fleiss_kappa(&dim.table) {
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
                    dim.d.name
                ));
            }
        }
        Err(e) => {
            notes.take::<()>("fleiss_kappa", Err(e));
        }
    }
    let u = dim.unordered;
    for p in ag::cohen_pairs(&dim.table, cats) {
        let (a, b) = (dim.rater(p.a), dim.rater(p.b));
        let what = format!("kappa of {a}–{b}");
        report.pairs.push(PairReport {
            units: p.units,
            kappa: notes.take(&what, p.kappa),
            kappa_linear: notes.ordered(u, &format!("linear {what}"), p.kappa_linear),
            kappa_quadratic: notes.ordered(u, &format!("quadratic {what}"), p.kappa_quadratic),
            a,
            b,
            caution: None,
        });
    }
}

/// ICC: Shrout & Fleiss when every rated unit was rated by every rater, else variance
/// components on all ratings (and Shrout & Fleiss on the complete units as an extra).
fn iccs(dim: &Dim<'_>, report: &mut DimensionAgreement, notes: &mut Notes<'_>) {
    let table = &dim.table;
    let complete = report.raters >= 2
        && (0..table.n_units())
            .all(|u| table.unit(u).0.is_empty() || table.unit(u).0.len() == report.raters);
    let (icc_set, vc) = if complete {
        report.icc_method = "anova";
        (ag::icc_complete(table), None)
    } else {
        let cc = ag::icc_complete(table);
        if cc.units >= 2 {
            // The complete-case forms are an extra: their `null`s are not the dimension's.
            let mut quiet = Notes {
                dim: "",
                out: vec![],
            };
            report.icc_complete_case = Some(detail(&cc, None, &mut quiet));
        }
        match ag::icc_reml(table) {
            Ok((set, vc)) => {
                report.icc_method = "variance-components-reml";
                (set, Some(vc))
            }
            Err(e) => {
                notes.out.push(format!(
                    "dimension '{}': REML variance components failed ({e}); the ICC uses \
                     moment estimates",
                    dim.d.name
                ));
                report.icc_method = "variance-components-moments";
                ag::icc_variance_components(table)
            }
        }
    };
    for w in &icc_set.warnings {
        notes
            .out
            .push(format!("dimension '{}': ICC: {w}", dim.d.name));
    }
    let det = detail(&icc_set, vc, notes);
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

/// Per-rater diagnostics, with the median time per rating from the observations.
fn raters(dim: &Dim<'_>, notes: &mut Notes<'_>) -> Vec<RaterReport> {
    let mut seconds: Vec<Vec<f64>> = vec![Vec::new(); dim.ds.raters.len()];
    for o in &dim.d.observations {
        if let (Some(r), Some(s)) = (o.rater, o.seconds_spent) {
            if s.is_finite() {
                seconds[r as usize].push(s);
            }
        }
    }
    let u = dim.unordered;
    ag::rater_diagnostics(&dim.table)
        .into_iter()
        .map(|r| RaterReport {
            rater: dim.rater(r.rater),
            n: r.n,
            n_shared: r.n_shared,
            leniency: r.leniency.filter(|_| !u),
            consensus_r: notes.ordered(
                u,
                &format!("consensus_r of rater '{}'", dim.rater(r.rater)),
                r.consensus_r,
            ),
            consensus_agreement: r.consensus_agreement,
            drift_early_abs_dev: r.drift_early_abs_dev.filter(|_| !u),
            drift_late_abs_dev: r.drift_late_abs_dev.filter(|_| !u),
            drift_early_agreement: r.drift_early_agreement,
            drift_late_agreement: r.drift_late_agreement,
            median_seconds: median(&mut seconds[r.rater as usize]),
            caution: None,
        })
        .collect()
}

/// Unit-bootstrap intervals of alpha, Fleiss' kappa (when it is defined) and the pairs' kappas.
fn bootstrap(
    dim: &Dim<'_>,
    cats: Option<&Categories>,
    opts: &AgreementOptions,
    fleiss_kappa: Option<f64>,
    control: &Control,
    notes: &mut Notes<'_>,
) -> Option<CiReport> {
    let ci = notes.take(
        "ci",
        ag::bootstrap_with(
            &dim.table,
            cats,
            opts.bootstrap,
            opts.seed,
            CI_LEVEL,
            control,
        ),
    )?;
    let u = dim.unordered;
    Some(CiReport {
        resamples: ci.resamples,
        seed: opts.seed,
        level: ci.level,
        alpha: CiAlpha {
            nominal: ci.alpha_nominal,
            ordinal: ci.alpha_ordinal,
            interval: ci.alpha_interval,
            ratio: ci.alpha_ratio,
        },
        fleiss_kappa: fleiss_kappa.and(ci.fleiss_kappa),
        pairs: ci
            .pairs
            .iter()
            .map(|p| PairCiReport {
                a: dim.rater(p.a),
                b: dim.rater(p.b),
                kappa: p.kappa,
                kappa_linear: p.kappa_linear.filter(|_| !u),
                kappa_quadratic: p.kappa_quadratic.filter(|_| !u),
            })
            .collect(),
        caution: None,
    })
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

pub(super) fn median(xs: &mut [f64]) -> Option<f64> {
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
