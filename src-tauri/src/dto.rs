//! Data-transfer types of the IPC boundary. They mirror `chameleon_core::model` in the shape the
//! UI wants (camelCase, no internal fields) and are converted from the domain types here, once.
//! The TypeScript side is generated from these (see `bindings.rs`), never written by hand.

use chameleon_core::model;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnchorDto {
    pub value: i64,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ScaleDto {
    Likert {
        min: i64,
        max: i64,
        anchors: Vec<AnchorDto>,
    },
    Continuous {
        min: f64,
        max: f64,
        step: Option<f64>,
    },
    Nominal {
        categories: Vec<AnchorDto>,
    },
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DimensionDto {
    pub name: String,
    /// What the UI shows: the label, or the name when there is none.
    pub label: String,
    pub definition: String,
    pub scale: ScaleDto,
    pub level: model::Level,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CodebookDto {
    pub name: Option<String>,
    /// Markdown, shown to annotators as plain text.
    pub guidelines: String,
    pub version: i64,
    pub dimensions: Vec<DimensionDto>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileTextDto {
    pub title: Option<String>,
    pub text: String,
    pub created_at: Option<String>,
    /// Shown as text, never as a link.
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDto {
    pub id: i64,
    pub person: String,
    pub context: String,
    pub texts: Vec<ProfileTextDto>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RaterKindDto {
    Human,
    Model,
    Adjudicated,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RaterDto {
    pub id: i64,
    pub name: String,
    pub kind: RaterKindDto,
}

/// What the start screen shows about an open study.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StudySummary {
    pub path: String,
    /// The file name without extension.
    pub name: String,
    pub profiles: i64,
    pub dimensions: i64,
    pub raters: i64,
}

/// The app's state after opening a study: who rates (once chosen) and what they rate by.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    pub study: StudySummary,
    pub rater: Option<RaterDto>,
    pub codebook: Option<CodebookDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecentStudy {
    pub path: String,
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub last_opened: i64,
    /// The rater last chosen in this study, preselected next time.
    #[serde(default)]
    pub last_rater: Option<String>,
    /// Whether the file is still there.
    #[serde(default)]
    pub exists: bool,
}

/// One row of the annotator's queue. Only this rater's own progress: blind coding.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntryDto {
    pub profile_id: i64,
    pub person: String,
    pub context: String,
    pub rated: i64,
    pub total: i64,
    pub flagged: bool,
}

/// How far this rater is with one dimension over their queue (their own ratings only).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DimensionProgressDto {
    pub dimension: String,
    pub rated: i64,
    pub assigned: i64,
}

/// One change of this rater's own rating of a dimension, oldest first (the first one is the
/// rating being given).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RatingChangeDto {
    /// `None` for the first rating.
    pub old_value: Option<f64>,
    /// `None` when the rating was cleared.
    pub new_value: Option<f64>,
    /// Milliseconds since the Unix epoch.
    pub changed_at: i64,
}

/// This rater's own value for one dimension of a profile.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OwnRating {
    pub dimension: String,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDto {
    pub flagged: bool,
    pub note: Option<String>,
    pub confidence: Option<f64>,
    pub seconds_spent: f64,
}

/// Everything the rating screen needs for one profile.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub profile: ProfileDto,
    pub ratings: Vec<OwnRating>,
    pub review: ReviewDto,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveRatingRequest {
    pub profile_id: i64,
    pub dimension: String,
    /// `null` clears the rating (undo back to empty); history keeps the old value.
    pub value: Option<f64>,
    pub seconds_spent: Option<f64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedRating {
    pub profile_id: i64,
    pub dimension: String,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRequest {
    pub profile_id: i64,
    pub flagged: bool,
    pub note: Option<String>,
    pub confidence: Option<f64>,
    pub seconds_spent: f64,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateStudyRequest {
    /// Where the new study file goes; `null` = the app's data directory, named after the profiles.
    pub path: Option<String>,
    pub profiles_path: String,
    pub codebook_path: String,
}

// ---- conversions from the domain ----

impl From<&model::Anchor> for AnchorDto {
    fn from(a: &model::Anchor) -> Self {
        AnchorDto {
            value: a.value,
            label: a.label.clone(),
        }
    }
}

impl From<&model::Scale> for ScaleDto {
    fn from(s: &model::Scale) -> Self {
        match s {
            model::Scale::Likert { min, max, anchors } => ScaleDto::Likert {
                min: *min,
                max: *max,
                anchors: anchors.iter().map(AnchorDto::from).collect(),
            },
            model::Scale::Continuous { min, max, step } => ScaleDto::Continuous {
                min: *min,
                max: *max,
                step: *step,
            },
            model::Scale::Nominal { categories } => ScaleDto::Nominal {
                categories: categories.iter().map(AnchorDto::from).collect(),
            },
        }
    }
}

impl From<&model::Dimension> for DimensionDto {
    fn from(d: &model::Dimension) -> Self {
        DimensionDto {
            name: d.name.clone(),
            label: d.display_name().to_owned(),
            definition: d.definition.clone(),
            scale: ScaleDto::from(&d.scale),
            level: d.level(),
        }
    }
}

impl From<&model::Codebook> for CodebookDto {
    fn from(c: &model::Codebook) -> Self {
        CodebookDto {
            name: c.name.clone(),
            guidelines: c.guidelines.clone(),
            version: c.version,
            dimensions: c.dimensions.iter().map(DimensionDto::from).collect(),
        }
    }
}

impl From<model::Profile> for ProfileDto {
    fn from(p: model::Profile) -> Self {
        ProfileDto {
            id: p.id,
            person: p.person,
            context: p.context,
            texts: p
                .texts
                .into_iter()
                .map(|t| ProfileTextDto {
                    title: t.title,
                    text: t.text,
                    created_at: t.created_at,
                    url: t.url,
                })
                .collect(),
        }
    }
}

impl From<model::RaterKind> for RaterKindDto {
    fn from(k: model::RaterKind) -> Self {
        match k {
            model::RaterKind::Human => RaterKindDto::Human,
            model::RaterKind::Model => RaterKindDto::Model,
            model::RaterKind::Adjudicated => RaterKindDto::Adjudicated,
        }
    }
}

impl From<RaterKindDto> for model::RaterKind {
    fn from(k: RaterKindDto) -> Self {
        match k {
            RaterKindDto::Human => model::RaterKind::Human,
            RaterKindDto::Model => model::RaterKind::Model,
            RaterKindDto::Adjudicated => model::RaterKind::Adjudicated,
        }
    }
}

impl From<&model::Rater> for RaterDto {
    fn from(r: &model::Rater) -> Self {
        RaterDto {
            id: r.id,
            name: r.name.clone(),
            kind: r.kind.into(),
        }
    }
}
