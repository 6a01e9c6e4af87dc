//! Domain types of a study, in DESIGN.md's vocabulary. They cross boundaries (CLI JSON, Tauri
//! IPC, codebook files), so all of them are serde types.

use serde::{Deserialize, Serialize};

/// Level of measurement of a dimension: decides the distance metric of Krippendorff's alpha and
/// which statistics make sense.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Nominal,
    Ordinal,
    Interval,
    Ratio,
}

impl std::str::FromStr for Level {
    type Err = crate::CoreError;
    fn from_str(s: &str) -> Result<Level, crate::CoreError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nominal" => Ok(Level::Nominal),
            "ordinal" => Ok(Level::Ordinal),
            "interval" => Ok(Level::Interval),
            "ratio" => Ok(Level::Ratio),
            other => Err(crate::CoreError::Invalid(format!(
                "Unknown level of measurement '{other}'."
            ))),
        }
    }
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Nominal => "nominal",
            Level::Ordinal => "ordinal",
            Level::Interval => "interval",
            Level::Ratio => "ratio",
        }
    }
}

/// A labelled point of a scale (a Likert anchor or a nominal category).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anchor {
    pub value: i64,
    pub label: String,
}

/// How a dimension is rated.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Scale {
    /// Integer points `min..=max` (usually 1..k), some of them labelled.
    Likert {
        #[serde(default = "default_likert_min")]
        min: i64,
        max: i64,
        #[serde(default)]
        anchors: Vec<Anchor>,
    },
    /// Any real value in `min..=max`.
    Continuous {
        min: f64,
        max: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<f64>,
    },
    /// Unordered categories, stored by their integer code.
    Nominal { categories: Vec<Anchor> },
}

fn default_likert_min() -> i64 {
    1
}

impl Scale {
    /// The level a scale implies when the codebook does not say.
    pub fn default_level(&self) -> Level {
        match self {
            Scale::Likert { .. } => Level::Ordinal,
            Scale::Continuous { .. } => Level::Interval,
            Scale::Nominal { .. } => Level::Nominal,
        }
    }

    /// Checks a value against the scale; `Err` carries a sentence for the user.
    pub fn check(&self, value: f64) -> Result<(), String> {
        if !value.is_finite() {
            return Err(format!("{value} is not a finite number"));
        }
        match self {
            Scale::Likert { min, max, .. } => {
                if value.fract() != 0.0 || value < *min as f64 || value > *max as f64 {
                    Err(format!(
                        "{value} is not a point of the Likert scale {min}..{max}"
                    ))
                } else {
                    Ok(())
                }
            }
            Scale::Continuous { min, max, .. } => {
                if value < *min || value > *max {
                    Err(format!("{value} is outside the range {min}..{max}"))
                } else {
                    Ok(())
                }
            }
            Scale::Nominal { categories } => {
                if categories.iter().any(|c| c.value as f64 == value) {
                    Ok(())
                } else {
                    let codes: Vec<String> =
                        categories.iter().map(|c| c.value.to_string()).collect();
                    Err(format!(
                        "{value} is not one of the categories {}",
                        codes.join(", ")
                    ))
                }
            }
        }
    }

    /// The ordered category codes of a discrete scale (Likert points or nominal codes);
    /// `None` for a continuous scale. Weighted kappas take their category order from here,
    /// not from the data.
    pub fn categories(&self) -> Option<Vec<f64>> {
        match self {
            Scale::Likert { min, max, .. } => Some((*min..=*max).map(|v| v as f64).collect()),
            Scale::Nominal { categories } => {
                Some(categories.iter().map(|c| c.value as f64).collect())
            }
            Scale::Continuous { .. } => None,
        }
    }

    /// A scale that covers observed values, for a dimension first seen in a ratings file:
    /// integers within 1..=11 (or 0..=10) become a Likert scale over their range, anything else
    /// a continuous range.
    pub fn infer(values: &[f64]) -> Scale {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if finite.is_empty() {
            return Scale::Continuous {
                min: 0.0,
                max: 0.0,
                step: None,
            };
        }
        let integral = finite.iter().all(|v| v.fract() == 0.0);
        if integral && min >= 0.0 && max <= 11.0 && max > min {
            Scale::Likert {
                min: min as i64,
                max: max as i64,
                anchors: Vec::new(),
            }
        } else {
            Scale::Continuous {
                min,
                max,
                step: None,
            }
        }
    }
}

/// One rated construct of the codebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default)]
    pub definition: String,
    pub scale: Scale,
    /// Defaults to what the scale implies (Likert → ordinal, continuous → interval,
    /// nominal → nominal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

impl Dimension {
    pub fn level(&self) -> Level {
        self.level.unwrap_or_else(|| self.scale.default_level())
    }

    pub fn display_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }
}

/// The study's dimensions with their guidelines; its `version` increases with every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Codebook {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Markdown shown to annotators.
    #[serde(default)]
    pub guidelines: String,
    #[serde(default)]
    pub version: i64,
    pub dimensions: Vec<Dimension>,
}

/// Who produced a rating.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RaterKind {
    Human,
    Model,
    /// A PI's settled value after disagreement; never overwrites raters' ratings.
    Adjudicated,
}

impl RaterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RaterKind::Human => "human",
            RaterKind::Model => "model",
            RaterKind::Adjudicated => "adjudicated",
        }
    }

    pub fn parse(s: &str) -> Option<RaterKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "human" => Some(RaterKind::Human),
            "model" => Some(RaterKind::Model),
            "adjudicated" => Some(RaterKind::Adjudicated),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rater {
    pub id: i64,
    pub name: String,
    pub kind: RaterKind,
}

/// One piece of a profile's material: a post, a comment, a diary entry.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ProfileText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Extra columns of the import file, kept as they came.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// One person seen in one context: the unit an annotator rates.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub id: i64,
    pub person: String,
    pub context: String,
    pub texts: Vec<ProfileText>,
}

/// A rating as stored: (profile, dimension, rater) → value, with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub profile_id: i64,
    pub dimension: String,
    pub rater: String,
    pub value: f64,
    /// Milliseconds since the Unix epoch, UTC.
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_spent: Option<f64>,
    pub codebook_version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// One edit of a rating: nothing is ever deleted by an edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingChange {
    pub old_value: Option<f64>,
    /// `None` when the rating was cleared.
    pub new_value: Option<f64>,
    pub changed_by: String,
    pub changed_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likert_check_rejects_off_scale_and_fractional_values() {
        let s = Scale::Likert {
            min: 1,
            max: 5,
            anchors: vec![],
        };
        assert!(s.check(3.0).is_ok());
        assert!(s.check(6.0).is_err(), "6 is above a 1..5 scale");
        assert!(s.check(2.5).is_err(), "Likert points are integers");
        assert!(s.check(f64::NAN).is_err());
    }

    #[test]
    fn scale_inference() {
        assert_eq!(
            Scale::infer(&[1.0, 3.0, 7.0]),
            Scale::Likert {
                min: 1,
                max: 7,
                anchors: vec![]
            }
        );
        assert!(matches!(
            Scale::infer(&[0.5, 20.0]),
            Scale::Continuous { .. }
        ));
    }

    #[test]
    fn codebook_parses_from_toml_and_json() {
        let toml_src = r#"
guidelines = "Rate what the text shows."
[[dimensions]]
name = "extraversion"
definition = "Outgoing, energetic."
scale = { type = "likert", max = 5, anchors = [{ value = 1, label = "not at all" }] }
"#;
        let cb: Codebook = toml::from_str(toml_src).unwrap();
        assert_eq!(cb.dimensions[0].level(), Level::Ordinal);
        let json = serde_json::to_string(&cb).unwrap();
        let back: Codebook = serde_json::from_str(&json).unwrap();
        assert_eq!(cb, back, "codebook must round-trip through JSON");
    }
}
