//! Data-transfer types of the IPC boundary that are the shell's own (the session, the recent
//! list, the create request); core's types cross as they are (`ts` feature). A dimension
//! carries its display label, computed here once.
//! The TypeScript side is generated from these (see `bindings.rs`), never written by hand.

use chameleon_core::app::start::StudySummary;
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

/// The app's state after opening a study: who rates (once chosen) and what they rate by.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    pub study: StudySummary,
    pub rater: Option<model::Rater>,
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
