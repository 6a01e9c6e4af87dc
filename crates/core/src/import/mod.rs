//! Imports into a study: profiles (CSV/JSONL), a codebook (JSON/TOML), ratings (tidy CSV).
//! Each import is one transaction: it succeeds whole or changes nothing, and reports every bad
//! row with its line and column.

mod codebook;
mod profiles;
mod questionnaire;
mod ratings;

pub use codebook::parse_codebook;
pub use profiles::{parse_profiles, ProfileRow};
pub use ratings::RatingsImportOptions;

use serde::Serialize;

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ImportReport {
    /// What was imported: `profiles`, `codebook` or `ratings`.
    pub kind: String,
    /// The file it came from.
    pub source: String,
    /// Rows new to the study.
    pub added: usize,
    /// Rows that changed stored ones.
    pub updated: usize,
    /// Rows equal to stored ones.
    pub unchanged: usize,
    /// Things the user should know that did not stop the import (created dimensions, raters,
    /// ignored columns).
    pub notices: Vec<String>,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} added, {} updated, {} unchanged ({})",
            self.kind, self.added, self.updated, self.unchanged, self.source
        )
    }
}

/// Reads a file whole once it is known to be a regular file of bounded size.
pub(crate) fn read_file(path: &std::path::Path) -> crate::Result<Vec<u8>> {
    crate::checks::read_input_file(path)
}

pub(crate) fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
