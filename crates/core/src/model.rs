//! Domain types of a study, in DESIGN.md's vocabulary. They cross boundaries (CLI JSON, Tauri
//! IPC, codebook files), so all of them are serde types.

use serde::{Deserialize, Serialize};

/// Level of measurement of a dimension: decides the distance metric of Krippendorff's alpha and
/// which statistics make sense.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Categories without order.
    Nominal,
    /// Ordered categories (a Likert scale).
    Ordinal,
    /// Equal distances between values.
    Interval,
    /// Equal distances and a true zero.
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
    /// `nominal`, `ordinal`, `interval` or `ratio`.
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
    /// The point's value (a Likert point, a category's code).
    pub value: i64,
    /// What it means.
    pub label: String,
}

/// How a dimension is rated. Deserializing refuses a Likert scale of more than
/// [`MAX_LIKERT_POINTS`] points wherever the scale comes from (a codebook file, a study or a
/// package written by another tool): every consumer may then count its points.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Scale {
    /// Integer points `min..=max` (usually 1..k), some of them labelled.
    Likert {
        /// Lowest point (1 by default).
        #[serde(default = "default_likert_min")]
        min: i64,
        /// Highest point.
        max: i64,
        /// Labelled points.
        #[serde(default)]
        anchors: Vec<Anchor>,
    },
    /// Any real value in `min..=max`.
    Continuous {
        /// Lowest value.
        min: f64,
        /// Highest value.
        max: f64,
        /// Resolution of the slider, when the codebook gives one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<f64>,
    },
    /// Unordered categories, stored by their integer code.
    Nominal {
        /// The categories, each with its code.
        categories: Vec<Anchor>,
    },
}

fn default_likert_min() -> i64 {
    1
}

/// Most points a Likert scale may have (0..=100 is a percentage slider).
pub const MAX_LIKERT_POINTS: u128 = 101;

/// The number of points of `min..=max` without overflow; `None` when `max < min`.
pub fn likert_points(min: i64, max: i64) -> Option<u128> {
    u128::try_from(i128::from(max) - i128::from(min) + 1)
        .ok()
        .filter(|&n| n > 0)
}

/// [`Scale`] as it is written, before its checks.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ScaleRepr {
    Likert {
        #[serde(default = "default_likert_min")]
        min: i64,
        max: i64,
        #[serde(default)]
        anchors: Vec<Anchor>,
    },
    Continuous {
        min: f64,
        max: f64,
        #[serde(default)]
        step: Option<f64>,
    },
    Nominal {
        categories: Vec<Anchor>,
    },
}

// By hand rather than `#[serde(try_from)]`, which ts-rs cannot read (a warning on every build
// of the bindings); the declaration it generates is the same.
impl<'de> Deserialize<'de> for Scale {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scale, D::Error> {
        Scale::try_from(ScaleRepr::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<ScaleRepr> for Scale {
    type Error = String;

    fn try_from(r: ScaleRepr) -> Result<Scale, String> {
        Ok(match r {
            ScaleRepr::Likert { min, max, anchors } => {
                if likert_points(min, max).is_some_and(|n| n > MAX_LIKERT_POINTS) {
                    return Err(too_many_points(min, max));
                }
                Scale::Likert { min, max, anchors }
            }
            ScaleRepr::Continuous { min, max, step } => Scale::Continuous { min, max, step },
            ScaleRepr::Nominal { categories } => Scale::Nominal { categories },
        })
    }
}

fn too_many_points(min: i64, max: i64) -> String {
    format!("a Likert scale has at most {MAX_LIKERT_POINTS} points (got {min}..{max})")
}

impl Scale {
    /// Checks a scale as a codebook gives it; `Err` carries a sentence for the user.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Scale::Likert { min, max, anchors } => {
                match likert_points(*min, *max) {
                    Some(n) if n > MAX_LIKERT_POINTS => return Err(too_many_points(*min, *max)),
                    Some(n) if n >= 2 => {}
                    _ => return Err(format!("a Likert scale needs max > min (got {min}..{max})")),
                }
                if let Some(a) = anchors.iter().find(|a| a.value < *min || a.value > *max) {
                    return Err(format!("anchor {} is outside {min}..{max}", a.value));
                }
                Ok(())
            }
            Scale::Continuous { min, max, step } => {
                if !(min.is_finite() && max.is_finite()) || max <= min {
                    return Err(format!(
                        "a continuous scale needs finite min < max (got {min}..{max})"
                    ));
                }
                if step.is_some_and(|s| !s.is_finite() || s <= 0.0) {
                    return Err("step must be positive".into());
                }
                Ok(())
            }
            Scale::Nominal { categories } => {
                if categories.len() < 2 {
                    return Err("a nominal scale needs at least two categories".into());
                }
                let mut codes = std::collections::HashSet::new();
                if let Some(c) = categories.iter().find(|c| !codes.insert(c.value)) {
                    return Err(format!("category code {} appears twice", c.value));
                }
                Ok(())
            }
        }
    }

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
            // A scale built in code (not deserialized) may be too wide to list: no categories
            // then, rather than a vector of 2^64 points.
            Scale::Likert { min, max, .. } => likert_points(*min, *max)
                .filter(|&n| n <= MAX_LIKERT_POINTS)
                .map(|_| (*min..=*max).map(|v| v as f64).collect()),
            Scale::Nominal { categories } => {
                Some(categories.iter().map(|c| c.value as f64).collect())
            }
            Scale::Continuous { .. } => None,
        }
    }

    /// Most distinct integer values a scale inferred from data may have and still be taken as
    /// Likert points: rating scales (a 1..7 Likert, a −3..3 semantic differential, a 0..10
    /// numeric scale) have at most this many; more values look like a measurement.
    pub const INFER_MAX_POINTS: usize = 15;

    /// A scale that covers observed values, for a dimension first seen in a ratings file:
    /// integer values with at most [`Scale::INFER_MAX_POINTS`] distinct values, whatever their
    /// sign, become a Likert scale over their range (ordinal; the range is at most 101 points,
    /// the Likert bound); anything else a continuous range.
    pub fn infer(values: &[f64]) -> Scale {
        let mut finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if finite.is_empty() {
            return Scale::Continuous {
                min: 0.0,
                max: 0.0,
                step: None,
            };
        }
        finite.sort_by(f64::total_cmp);
        finite.dedup_by(|a, b| a == b);
        let (min, max) = (finite[0], finite[finite.len() - 1]);
        // Bounds are checked in f64 before any cast, so an extreme value cannot wrap.
        let integral = finite.iter().all(|v| v.fract() == 0.0 && v.abs() <= 1e15);
        if integral && finite.len() <= Self::INFER_MAX_POINTS && max > min && max - min <= 100.0 {
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

    /// A phrase for what [`Scale::infer`] made of a dimension's values, for the note that says
    /// so to the user.
    pub fn inferred_description(&self) -> String {
        match self {
            Scale::Likert { min, max, .. } => format!(
                "integer values within {min}..{max}: taken as an ordinal Likert scale \
                 {min}..{max} ({} points)",
                max - min + 1
            ),
            Scale::Continuous { min, max, .. } => format!(
                "values within {}..{} that are not integers with at most {} distinct \
                 values: taken as a continuous (interval) scale",
                chameleon_stats::agreement::compact(*min),
                chameleon_stats::agreement::compact(*max),
                Self::INFER_MAX_POINTS
            ),
            Scale::Nominal { .. } => "taken as nominal categories".to_owned(),
        }
    }
}

/// One rated construct of the codebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    /// The dimension's name (unique, case-insensitive).
    pub name: String,
    /// A longer name shown to annotators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What the dimension means, for annotators.
    #[serde(default)]
    pub definition: String,
    /// How it is rated.
    pub scale: Scale,
    /// Defaults to what the scale implies (Likert → ordinal, continuous → interval,
    /// nominal → nominal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
}

impl Dimension {
    /// The level of measurement: the codebook's, else the scale's.
    pub fn level(&self) -> Level {
        self.level.unwrap_or_else(|| self.scale.default_level())
    }

    /// The label when there is one, else the name.
    pub fn display_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }
}

/// The study's dimensions with their guidelines; its `version` increases with every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Codebook {
    /// The study's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Markdown shown to annotators.
    #[serde(default)]
    pub guidelines: String,
    /// Version of the codebook (1 for the first import).
    #[serde(default)]
    pub version: i64,
    /// The dimensions, in the order annotators see them.
    pub dimensions: Vec<Dimension>,
    /// Annotators see whose profile they rate (`show_person_ids = true`); hidden by default,
    /// so a context is judged without the person's other contexts in mind.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub show_person_ids: bool,
    /// Questionnaire scales scored from items. Each item is one of `dimensions` (rated like
    /// any dimension); a scale's score is computed from them and never stored as a rating.
    /// A codebook file writes a scale as a dimension with `items` (see docs/data-formats.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scales: Vec<ItemScale>,
}

/// A questionnaire scale: a dimension whose score is computed from rated items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScale {
    /// The scale's name (unique among dimensions and scales, case-insensitive).
    pub name: String,
    /// A longer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What the scale measures.
    #[serde(default)]
    pub definition: String,
    /// Its items, each a dimension of the codebook, in order.
    pub items: Vec<ScaleItem>,
    /// How the items make the score.
    #[serde(default)]
    pub scoring: Scoring,
}

/// One item of an [`ItemScale`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScaleItem {
    /// The dimension holding the item's ratings.
    pub name: String,
    /// Keyed negatively: scored `min + max − value` with the item's scale bounds.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reverse: bool,
}

/// How a scale's score is made from its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Scoring {
    /// Mean or sum of the (reverse-keyed) items.
    #[serde(default)]
    pub rule: ScoringRule,
    /// Fewest items a response must answer to be scored; all items when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<usize>,
}

/// Mean or sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScoringRule {
    /// The mean of the answered items.
    #[default]
    Mean,
    /// The sum of the items; with items missing (as `min_items` allows), the answered items'
    /// mean times the number of items, so a skipped item does not lower the score.
    Sum,
}

impl ScoringRule {
    /// `mean` or `sum`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScoringRule::Mean => "mean",
            ScoringRule::Sum => "sum",
        }
    }
}

/// Who produced a rating.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RaterKind {
    /// A person rating by hand.
    Human,
    /// A language model's ratings, imported.
    Model,
    /// A PI's settled value after disagreement; never overwrites raters' ratings.
    Adjudicated,
}

impl RaterKind {
    /// `human`, `model` or `adjudicated`.
    pub fn as_str(self) -> &'static str {
        match self {
            RaterKind::Human => "human",
            RaterKind::Model => "model",
            RaterKind::Adjudicated => "adjudicated",
        }
    }

    /// The kind named `s` (lower case), if any.
    pub fn parse(s: &str) -> Option<RaterKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "human" => Some(RaterKind::Human),
            "model" => Some(RaterKind::Model),
            "adjudicated" => Some(RaterKind::Adjudicated),
            _ => None,
        }
    }
}

/// A rater of the study.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rater {
    /// The rater's id.
    pub id: i64,
    /// The rater's name (unique).
    pub name: String,
    /// Human, model or adjudicated.
    pub kind: RaterKind,
}

/// One piece of a profile's material: a post, a comment, a diary entry.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ProfileText {
    /// The text's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The text itself.
    pub text: String,
    /// When it was written, as the import file gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Where it was found.
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
    /// The profile's id.
    pub id: i64,
    /// The person's name.
    pub person: String,
    /// The context's name.
    pub context: String,
    /// The profile's material, in import order.
    pub texts: Vec<ProfileText>,
}

/// A rating as stored: (profile, dimension, rater) → value, with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// The profile rated.
    pub profile_id: i64,
    /// The dimension's name.
    pub dimension: String,
    /// The rater's name.
    pub rater: String,
    /// The value.
    pub value: f64,
    /// Milliseconds since the Unix epoch, UTC.
    pub created_at: i64,
    /// When it last changed, ms since the Unix epoch, UTC.
    pub updated_at: i64,
    /// Seconds spent on the rating, when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_spent: Option<f64>,
    /// The codebook version it was made under.
    pub codebook_version: i64,
    /// The rater's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The rater's confidence, 0–1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// One edit of a rating: nothing is ever deleted by an edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingChange {
    /// The value before (`None` for a new rating or a cleared one).
    pub old_value: Option<f64>,
    /// `None` when the rating was cleared.
    pub new_value: Option<f64>,
    /// The rater's name.
    pub changed_by: String,
    /// When, ms since the Unix epoch.
    pub changed_at: i64,
    /// What made the change: `annotate`, `import`, `adjudicate`, `package …`.
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
    fn integer_scales_of_any_sign_with_few_values_are_likert() {
        // A bipolar semantic differential −3..3 (issue 11, item 17) and a 0..14 scale.
        assert_eq!(
            Scale::infer(&[-3.0, -1.0, 0.0, 2.0, 3.0]),
            Scale::Likert {
                min: -3,
                max: 3,
                anchors: vec![]
            }
        );
        assert_eq!(Scale::infer(&[-3.0, 3.0]).default_level(), Level::Ordinal);
        assert!(matches!(
            Scale::infer(&[-10.0, 0.0, 20.0]),
            Scale::Likert {
                min: -10,
                max: 20,
                ..
            }
        ));
        let sixteen: Vec<f64> = (0..16).map(f64::from).collect();
        assert!(
            matches!(Scale::infer(&sixteen), Scale::Continuous { .. }),
            "16 distinct values are a measurement, not scale points"
        );
        assert!(matches!(
            Scale::infer(&[0.0, 1000.0]),
            Scale::Continuous { .. }
        ));
        assert!(matches!(
            Scale::infer(&[-9.2e18, 9.2e18]),
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
