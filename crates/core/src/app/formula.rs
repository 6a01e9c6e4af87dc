//! The analysis screen's variance-components models (issue #12): the presets a PI picks from,
//! the formula field's check as it is typed, and a fit's components, shares and ranked
//! conditional modes as the view shows them. The fit itself is
//! [`crate::analysis::decompose::PreparedModel`]'s, the same as `chameleon decompose --model`.

use crate::analysis::decompose::{
    prepare_model, DimensionEffects, LevelEffect, ModelBootstrapMethod, PreparedModel,
};
use crate::dataset::Dataset;
use crate::error::{CoreError, Result};
use crate::report::ReportData;
use serde::{Deserialize, Serialize};

/// One preset of the model picker: the paper's designs, in lme4 syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ModelPreset {
    pub id: &'static str,
    pub name: &'static str,
    pub formula: &'static str,
    /// One sentence on what the model separates.
    pub description: &'static str,
}

pub const PRESETS: [ModelPreset; 4] = [
    ModelPreset {
        id: "person",
        name: "Person / profile (nested)",
        formula: "value ~ 1 + (1|person) + (1|person:context)",
        description: "The default decomposition: trait (person) and state (person × context), \
                      each context nested in its person.",
    },
    ModelPreset {
        id: "contexts",
        name: "With context effects",
        formula: "value ~ 1 + (1|person) + (1|context) + (1|person:context)",
        description: "Contexts shared by persons: a context's own pull (its norms, its topic) \
                      is separated from the person-in-context state.",
    },
    ModelPreset {
        id: "g-study",
        name: "G-study with raters",
        formula: "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)",
        description: "Adds the raters' leniency: how much of the variance is who rated.",
    },
    ModelPreset {
        id: "model-raters",
        name: "Models as raters (rater × person)",
        formula: "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) \
                  + (1|rater:person)",
        description: "Each rater's own view of each person: raters (or language models) that \
                      favour or penalise the same persons differently.",
    },
];

/// The formula field's verdict on what is typed: the normalised formula and its terms, or
/// why it cannot be fitted to this study's data (`error`, shown under the field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct FormulaCheck {
    pub formula: String,
    pub terms: Vec<String>,
    pub error: Option<String>,
}

/// Checks `text` against every dimension of `ds` as a run would (unknown factor, unsupported
/// term, one level, a term the design cannot separate).
pub fn check(ds: &Dataset, text: &str) -> FormulaCheck {
    match prepare_model(ds, text) {
        Ok(m) => FormulaCheck {
            formula: m.formula().text.clone(),
            terms: m.formula().terms.iter().map(|t| t.label.clone()).collect(),
            error: None,
        },
        Err(e) => FormulaCheck {
            formula: text.trim().to_owned(),
            terms: Vec::new(),
            error: Some(match e {
                CoreError::Invalid(m) => m,
                other => other.to_string(),
            }),
        },
    }
}

/// One variance component of a fitted model: a term as written, or `residual`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ModelComponent {
    pub term: String,
    pub variance: f64,
    pub share: f64,
    /// Levels of the term (`null` for the residual).
    pub levels: Option<u32>,
    /// 95 % bootstrap interval of the share, where the run computed one.
    pub share_ci: Option<Vec<f64>>,
    /// 95 % bootstrap interval of the variance.
    #[serde(default)]
    pub variance_ci: Option<Vec<f64>>,
    /// 95 % profile-likelihood interval of the standard deviation.
    #[serde(default)]
    pub sd_ci: Option<Vec<f64>>,
}

/// How a fit's bootstrap intervals were made (the `"bootstrap"` object of the CLI's JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ModelBootstrapView {
    /// `parametric` (as lme4's `bootMer`) or `person-cluster`.
    pub method: String,
    pub resamples: u32,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: u64,
    /// Resamples whose refit failed, left out of the intervals.
    pub failed: u32,
}

/// One level's conditional mode with its conditional SD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EffectView {
    pub level: String,
    pub mode: f64,
    pub sd: f64,
}

/// The conditional modes of one term, ranked (highest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TermEffectsView {
    pub term: String,
    pub effects: Vec<EffectView>,
}

/// One person as the raters of a `rater:person` term see them: how far apart the raters'
/// own views of the person lie (the spread of the person's `rater:person` modes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PersonDisagreement {
    pub person: String,
    /// Raters with a mode for this person.
    pub raters: u32,
    /// Highest mode minus lowest mode.
    pub spread: f64,
    /// The rater who places the person highest, with the mode and its conditional SD.
    pub highest: EffectView,
    /// The rater who places the person lowest.
    pub lowest: EffectView,
}

/// One dimension's fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ModelDimension {
    pub dimension: String,
    pub components: Vec<ModelComponent>,
    pub intercept: f64,
    pub intercept_se: f64,
    pub reml_criterion: f64,
    pub converged: bool,
    /// Terms estimated at 0.
    pub boundary: Vec<String>,
    /// Conditional modes of the terms with effects: contexts, raters (leniency), and each
    /// rater's view of each person (`rater:person`, levels `rater:person`).
    pub effects: Vec<TermEffectsView>,
    /// With a `rater:person` term: the persons ranked by how much the raters disagree about
    /// them (largest spread first).
    #[serde(default)]
    pub disagreement: Vec<PersonDisagreement>,
    /// The bootstrap behind `shareCi` and `varianceCi`, when one ran.
    #[serde(default)]
    pub bootstrap: Option<ModelBootstrapView>,
    /// `sdCi` holds profile-likelihood intervals.
    #[serde(default)]
    pub profile_ci: bool,
    pub warnings: Vec<String>,
}

/// A formula fitted (REML) to every analysed dimension it applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ModelResult {
    pub formula: String,
    pub dimensions: Vec<ModelDimension>,
}

/// Checks `text` against `ds` before a run, so a bad formula fails before anything is computed.
pub fn prepare(ds: &Dataset, text: &str) -> Result<PreparedModel> {
    prepare_model(ds, text)
}

/// The view of a report's formula model: the `"model"` objects of its decomposition (fitted
/// with their intervals by [`crate::report::compute_with_model`], as `chameleon decompose
/// --model` and `chameleon report --model` fit them) and the ranked conditional modes of its
/// context, rater and rater:person terms. `None` when the report fits no formula.
pub fn view(data: &ReportData) -> Option<ModelResult> {
    let section = data.model.as_ref()?;
    let effects: Vec<&DimensionEffects> = section
        .context_effects
        .iter()
        .chain(&section.rater_effects)
        .collect();
    let dimensions = data
        .decomposition
        .dimensions
        .iter()
        .filter_map(|d| {
            let m = d.model.as_ref()?;
            let pair = |v: Option<[f64; 2]>| v.map(|v| v.to_vec());
            let components = m
                .components
                .0
                .iter()
                .map(|(term, variance)| ModelComponent {
                    term: term.clone(),
                    variance: *variance,
                    share: m.shares.get(term).unwrap_or(f64::NAN),
                    levels: m.levels.get(term).map(|n| n as u32),
                    share_ci: pair(m.shares_ci95.as_ref().and_then(|ci| ci.get(term).flatten())),
                    variance_ci: pair(
                        m.components_ci95
                            .as_ref()
                            .and_then(|ci| ci.get(term).flatten()),
                    ),
                    sd_ci: pair(m.sd_ci95.as_ref().and_then(|ci| ci.get(term))),
                })
                .collect();
            let mine: Vec<&DimensionEffects> = effects
                .iter()
                .copied()
                .filter(|e| e.dimension == d.dimension)
                .collect();
            let disagreement = mine
                .iter()
                .find(|e| is_rater_person(&e.term))
                .map(|e| disagreement(&e.levels))
                .unwrap_or_default();
            Some(ModelDimension {
                dimension: d.dimension.clone(),
                components,
                intercept: m.intercept,
                intercept_se: m.intercept_se,
                reml_criterion: m.reml_criterion.or(m.deviance).unwrap_or(f64::NAN),
                converged: m.converged,
                boundary: m.boundary.clone(),
                effects: mine
                    .iter()
                    .map(|e| TermEffectsView {
                        term: e.term.clone(),
                        effects: e.levels.iter().map(effect_view).collect(),
                    })
                    .collect(),
                disagreement,
                bootstrap: m.bootstrap.as_ref().map(|b| ModelBootstrapView {
                    method: match b.method {
                        ModelBootstrapMethod::Parametric => "parametric".into(),
                        ModelBootstrapMethod::PersonCluster => "person-cluster".into(),
                    },
                    resamples: b.resamples as u32,
                    seed: b.seed,
                    failed: b.failed as u32,
                }),
                profile_ci: m.sd_ci95.is_some(),
                warnings: m.warnings.clone(),
            })
        })
        .collect();
    Some(ModelResult {
        formula: section.formula.clone(),
        dimensions,
    })
}

/// `rater:person` as written either way round.
fn is_rater_person(term: &str) -> bool {
    matches!(term, "rater:person" | "person:rater")
}

/// Persons ranked by the spread of their `rater:person` modes (levels `rater:person`).
fn disagreement(levels: &[LevelEffect]) -> Vec<PersonDisagreement> {
    let mut by_person: Vec<(&str, Vec<EffectView>)> = Vec::new();
    for l in levels {
        let [rater, person] = l.names.as_slice() else {
            continue;
        };
        let person = person.as_str();
        let e = EffectView {
            level: rater.clone(),
            mode: l.mode,
            sd: l.sd,
        };
        match by_person.iter_mut().find(|(p, _)| *p == person) {
            Some((_, v)) => v.push(e),
            None => by_person.push((person, vec![e])),
        }
    }
    let mut out: Vec<PersonDisagreement> = by_person
        .into_iter()
        .filter(|(_, v)| v.len() >= 2)
        .filter_map(|(person, v)| {
            let hi = v.iter().max_by(|a, b| a.mode.total_cmp(&b.mode))?.clone();
            let lo = v.iter().min_by(|a, b| a.mode.total_cmp(&b.mode))?.clone();
            Some(PersonDisagreement {
                person: person.to_owned(),
                raters: v.len() as u32,
                spread: hi.mode - lo.mode,
                highest: hi,
                lowest: lo,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.spread
            .total_cmp(&a.spread)
            .then_with(|| a.person.cmp(&b.person))
    });
    out
}

fn effect_view(e: &LevelEffect) -> EffectView {
    EffectView {
        level: e.level.clone(),
        mode: e.mode,
        sd: e.sd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Control;

    fn demo() -> Dataset {
        let dir = tempfile::tempdir().expect("temp dir");
        let (study, _) = crate::app::testing::demo(dir.path());
        study.dataset().expect("dataset")
    }

    #[test]
    fn every_preset_fits_the_demo_study_and_a_bad_term_is_named() {
        let ds = demo();
        for p in PRESETS {
            let c = check(&ds, p.formula);
            assert_eq!(c.error, None, "{}: {:?}", p.id, c.error);
            assert!(c.terms.contains(&"person".to_owned()), "{}", p.id);
        }
        let bad = check(&ds, "value ~ 1 + (1|person) + (1|subreddit)");
        let msg = bad.error.expect("an unknown factor is refused");
        assert!(msg.contains("subreddit"), "{msg}");
        let slope = check(&ds, "value ~ 1 + (x|person)");
        assert!(slope
            .error
            .expect("a slope is refused")
            .contains("(x|person)"));
    }

    #[test]
    fn the_fit_is_the_cli_models_and_context_effects_are_ranked_with_sds() {
        let ds = demo();
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let control = Control {
            progress: &|_, _| {},
            cancel: &cancel,
        };
        let model = prepare(&ds, PRESETS[1].formula).expect("a valid preset");
        let data = crate::report::compute_with_model(
            &ds,
            &crate::report::ReportOptions::new(chrono::Utc::now()),
            Some((
                &model,
                crate::report::ReportModelOptions {
                    ml: false,
                    profile_ci: false,
                },
            )),
            &control,
        )
        .expect("report");
        let report = &data.decomposition;
        let view = view(&data).expect("a model view");
        let first = &view.dimensions[0];
        let reported = report.dimensions[0].model.as_ref().expect("model object");
        let ctx = first
            .components
            .iter()
            .find(|c| c.term == "context")
            .expect("context component");
        assert_eq!(Some(ctx.variance), reported.components.get("context"));
        assert_eq!(ctx.levels, Some(3), "the demo's three shared contexts");
        let total: f64 = first.components.iter().map(|c| c.share).sum();
        assert!((total - 1.0).abs() < 1e-9, "shares sum to 1: {total}");
        let effects = &first.effects[0];
        assert_eq!(effects.term, "context");
        assert_eq!(effects.effects.len(), 3);
        assert!(
            effects.effects.windows(2).all(|w| w[0].mode >= w[1].mode),
            "ranked"
        );
        // A context term at the boundary (variance 0) has modes and SDs of exactly 0.
        let positive = ctx.variance > 0.0;
        assert!(
            effects
                .effects
                .iter()
                .all(|e| e.sd.is_finite() && (e.sd > 0.0) == positive),
            "{:?} at context variance {}",
            effects.effects,
            ctx.variance
        );
        assert!(
            view.dimensions.iter().any(|d| d
                .components
                .iter()
                .any(|c| c.term == "context" && c.variance > 0.0)),
            "the demo's contexts pull some dimension: {:?}",
            view.dimensions
                .iter()
                .map(|d| (&d.dimension, &d.components))
                .collect::<Vec<_>>()
        );
    }
}
