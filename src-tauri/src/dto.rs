//! Data-transfer types of the IPC boundary that are the shell's own (the session, the rating
//! screen's requests and views); core's types cross as they are (`ts` feature). A dimension
//! carries its display label, computed here once.
//! The TypeScript side is generated from these (see `bindings.rs`), never written by hand.

use chameleon_core::model;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DimensionDto {
    pub name: String,
    /// What the UI shows: the label, or the name when there is none.
    pub label: String,
    pub definition: String,
    pub scale: model::Scale,
    pub level: model::Level,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CodebookDto {
    pub name: Option<String>,
    /// Markdown, shown to annotators rendered into text nodes (never HTML).
    pub guidelines: String,
    pub version: i64,
    pub dimensions: Vec<DimensionDto>,
    /// Annotators see person ids (hidden by default).
    pub show_person_ids: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RaterDto {
    pub id: i64,
    pub name: String,
    pub kind: model::RaterKind,
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
    /// The rater marked the dimension "can't judge" (then `value` is `null`).
    pub cant_judge: bool,
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
    /// Core's profile as stored (its texts shown as text, a URL never as a link).
    pub profile: model::Profile,
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
    /// "Can't judge" instead of a value (`value` must then be `null`): stored as such and
    /// left out of every statistic.
    #[serde(default)]
    pub cant_judge: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedRating {
    pub profile_id: i64,
    pub dimension: String,
    pub value: Option<f64>,
    pub cant_judge: bool,
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

impl From<&model::Dimension> for DimensionDto {
    fn from(d: &model::Dimension) -> Self {
        DimensionDto {
            name: d.name.clone(),
            label: d.display_name().to_owned(),
            definition: d.definition.clone(),
            scale: d.scale.clone(),
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
            show_person_ids: c.show_person_ids,
        }
    }
}

impl From<&model::Rater> for RaterDto {
    fn from(r: &model::Rater) -> Self {
        RaterDto {
            id: r.id,
            name: r.name.clone(),
            kind: r.kind,
        }
    }
}
