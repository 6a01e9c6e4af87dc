//! The PI marks profiles as gold (known values) or as attention checks from the review, and
//! removes the marks; the store audits each as a PI action and the statistics leave marked
//! profiles out ([`crate::dataset::KnownLeftOut`]).

use crate::error::{CoreError, Result};
use crate::model::Scale;
use crate::store::{GoldKind, GoldMark, Study};
use serde::{Deserialize, Serialize};

/// A profile the PI can mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GoldProfile {
    /// The profile.
    pub profile_id: i64,
    /// `person/context`, as the statistics name it.
    pub label: String,
}

/// A dimension whose value can be marked, with the values its scale allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GoldDimension {
    /// The dimension's name (the key).
    pub name: String,
    /// Its label, else its name.
    pub label: String,
    /// Lowest allowed value.
    pub min: f64,
    /// Highest allowed value.
    pub max: f64,
    /// The allowed values when the scale has points or codes; `None` for a continuous scale.
    pub values: Option<Vec<f64>>,
}

/// What the review's gold section shows: the marks, and what can be marked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GoldView {
    /// Every known value, profile by profile.
    pub marks: Vec<GoldMark>,
    /// Every profile of the study.
    pub profiles: Vec<GoldProfile>,
    /// The codebook's dimensions.
    pub dimensions: Vec<GoldDimension>,
}

/// The PI's request to mark a value as known.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GoldRequest {
    /// The profile.
    pub profile_id: i64,
    /// The dimension.
    pub dimension: String,
    /// The known value.
    pub value: f64,
    /// `gold` or `attention`.
    pub kind: String,
}

/// The gold section's view of `study`.
pub fn gold_view(study: &Study) -> Result<GoldView> {
    let mut st = study.conn().prepare(
        "SELECT p.id, pe.name || '/' || c.name FROM profile p
           JOIN person pe ON pe.id = p.person_id JOIN context c ON c.id = p.context_id
          ORDER BY pe.name, c.name",
    )?;
    let profiles = st
        .query_map([], |r| {
            Ok(GoldProfile {
                profile_id: r.get(0)?,
                label: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let dimensions = study
        .codebook()?
        .map(|c| c.dimensions)
        .unwrap_or_default()
        .into_iter()
        .map(|d| {
            let (min, max) = match &d.scale {
                Scale::Likert { min, max, .. } => (*min as f64, *max as f64),
                Scale::Continuous { min, max, .. } => (*min, *max),
                Scale::Nominal { .. } => {
                    let v = d.scale.categories().unwrap_or_default();
                    (
                        v.iter().copied().fold(f64::INFINITY, f64::min),
                        v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    )
                }
            };
            GoldDimension {
                label: d.display_name().to_owned(),
                values: d.scale.categories(),
                name: d.name,
                min,
                max,
            }
        })
        .collect();
    Ok(GoldView {
        marks: study.gold_marks()?,
        profiles,
        dimensions,
    })
}

/// Marks a value as known (the scale checks it) and returns the new view.
pub fn set_gold(study: &mut Study, req: &GoldRequest) -> Result<GoldView> {
    let kind = GoldKind::parse(&req.kind).ok_or_else(|| {
        CoreError::Invalid(format!(
            "'{}' is no kind of known value (gold or attention)",
            req.kind
        ))
    })?;
    study.set_gold(req.profile_id, &req.dimension, req.value, kind)?;
    gold_view(study)
}

/// Removes the marks of a profile (of one dimension, or every one) and returns the new view.
pub fn clear_gold(study: &mut Study, profile_id: i64, dimension: Option<&str>) -> Result<GoldView> {
    study.clear_gold(profile_id, dimension)?;
    gold_view(study)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_set_checked_listed_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let (mut study, _) = crate::app::testing::demo(dir.path());
        let view = gold_view(&study).unwrap();
        assert!(view.marks.is_empty());
        let p = view.profiles[0].clone();
        let d = view.dimensions[0].clone();
        assert!(d.min < d.max);
        let req = GoldRequest {
            profile_id: p.profile_id,
            dimension: d.name.clone(),
            value: d.max,
            kind: "attention".into(),
        };
        let view = set_gold(&mut study, &req).unwrap();
        assert_eq!(view.marks.len(), 1);
        assert_eq!(
            format!("{}/{}", view.marks[0].person, view.marks[0].context),
            p.label
        );
        assert_eq!(view.marks[0].kind, "attention");
        assert_eq!(
            study.dataset().unwrap().known_left_out.attention,
            vec![p.label.clone()]
        );
        // Out of the scale, or an unknown kind: refused, nothing changed.
        let bad = GoldRequest {
            value: d.max + 100.0,
            ..req.clone()
        };
        assert!(set_gold(&mut study, &bad).is_err());
        let bad = GoldRequest {
            kind: "maybe".into(),
            ..req.clone()
        };
        assert!(set_gold(&mut study, &bad).is_err());
        assert_eq!(gold_view(&study).unwrap().marks[0].value, d.max);
        let view = clear_gold(&mut study, p.profile_id, None).unwrap();
        assert!(view.marks.is_empty());
        assert!(study.dataset().unwrap().known_left_out.is_empty());
    }
}
