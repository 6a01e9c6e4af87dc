//! Events the shell sends to the UI. App-wide changes go out as one coalesced event.

use crate::dto::StudySummary;
use tauri::{AppHandle, Emitter};

/// A study was opened, created or changed by an import; the UI refreshes what depends on it.
pub const STUDY_CHANGED: &str = "study-changed";

pub fn study_changed(app: &AppHandle, summary: &StudySummary) {
    if let Err(e) = app.emit(STUDY_CHANGED, summary) {
        tracing::warn!(error = %e, "could not emit {STUDY_CHANGED}");
    }
}
