//! Data-transfer types of the IPC boundary that are the shell's own (the recent-studies list,
//! the create request); core's types cross as they are (`ts` feature).
//! The TypeScript side is generated from these (see `bindings.rs`), never written by hand.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
