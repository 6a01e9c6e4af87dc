//! The one error shape that crosses IPC: `{code, message, rows}`. The UI switches on `code`
//! (an [`ErrorCode`]: `CoreError::code()`'s names and the app's own), shows `message`, and
//! lists `rows` (line-numbered problems of an import file) when there are any.

use chameleon_core::{CoreError, RowError};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowErrorDto {
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

/// Every code an error can carry over IPC (a union in TypeScript the UI can switch on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadInput,
    NotAStudy,
    NewerSchema,
    Locked,
    ReadOnly,
    NoSuchStudy,
    Damaged,
    AlreadyExists,
    Invalid,
    Package,
    NoRatings,
    AnalysisFailed,
    Io,
    Database,
    Migration,
    /// A run id in use (core's analysis jobs; the shell's model run slot).
    AlreadyRunning,
    /// An analysis result no longer kept.
    NotFound,
    /// The app's own: no study open, no rater chosen.
    NoStudy,
    NoRater,
    Internal,
}

impl ErrorCode {
    /// The code of a core error (by `CoreError::code()`, so a new core code that is not
    /// listed here shows up as `internal` and in the test below).
    pub fn of(e: &CoreError) -> ErrorCode {
        match e.code() {
            "bad_input" => ErrorCode::BadInput,
            "not_a_study" => ErrorCode::NotAStudy,
            "newer_schema" => ErrorCode::NewerSchema,
            "locked" => ErrorCode::Locked,
            "read_only" => ErrorCode::ReadOnly,
            "no_such_study" => ErrorCode::NoSuchStudy,
            "damaged" => ErrorCode::Damaged,
            "already_exists" => ErrorCode::AlreadyExists,
            "invalid" => ErrorCode::Invalid,
            "package" => ErrorCode::Package,
            "no_ratings" => ErrorCode::NoRatings,
            "analysis_failed" => ErrorCode::AnalysisFailed,
            "already_running" => ErrorCode::AlreadyRunning,
            "not_found" => ErrorCode::NotFound,
            "io" => ErrorCode::Io,
            "database" => ErrorCode::Database,
            "migration" => ErrorCode::Migration,
            _ => ErrorCode::Internal,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadInput => "bad_input",
            ErrorCode::NotAStudy => "not_a_study",
            ErrorCode::NewerSchema => "newer_schema",
            ErrorCode::Locked => "locked",
            ErrorCode::ReadOnly => "read_only",
            ErrorCode::NoSuchStudy => "no_such_study",
            ErrorCode::Damaged => "damaged",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::Invalid => "invalid",
            ErrorCode::Package => "package",
            ErrorCode::NoRatings => "no_ratings",
            ErrorCode::AnalysisFailed => "analysis_failed",
            ErrorCode::Io => "io",
            ErrorCode::Database => "database",
            ErrorCode::Migration => "migration",
            ErrorCode::NoStudy => "no_study",
            ErrorCode::NoRater => "no_rater",
            ErrorCode::AlreadyRunning => "already_running",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Internal => "internal",
        }
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[derive(Debug, Clone, Serialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// For `bad_input`: every bad row of the file, with its line number.
    pub rows: Vec<RowErrorDto>,
    /// For `bad_input`: the file the rows belong to.
    pub path: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            rows: Vec::new(),
            path: None,
        }
    }

    /// No study is open (the UI goes back to the start screen).
    pub fn no_study() -> Self {
        AppError::new(ErrorCode::NoStudy, "No study is open.")
    }

    /// No rater chosen yet (the UI asks who is rating).
    pub fn no_rater() -> Self {
        AppError::new(ErrorCode::NoRater, "Choose who is rating first.")
    }

    pub fn internal(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::Internal, message)
    }
}

impl From<&RowError> for RowErrorDto {
    fn from(e: &RowError) -> Self {
        RowErrorDto {
            line: e.line,
            column: e.column.clone(),
            message: e.message.clone(),
        }
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        let (rows, path) = match &e {
            CoreError::Input { path, errors } => (
                errors.iter().map(RowErrorDto::from).collect(),
                Some(path.clone()),
            ),
            _ => (Vec::new(), None),
        };
        AppError {
            code: ErrorCode::of(&e),
            message: e.to_string(),
            rows,
            path,
        }
    }
}

impl From<tauri::Error> for AppError {
    fn from(e: tauri::Error) -> Self {
        AppError::internal(e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_has_its_own_error_code() {
        let errors = [
            CoreError::input("f", vec![]),
            CoreError::NotAStudy { path: "p".into() },
            CoreError::Invalid("x".into()),
            CoreError::Package {
                rater: "r".into(),
                action: "a".into(),
            },
            CoreError::NoRatings,
            CoreError::AnalysisFailed("x".into()),
            CoreError::AlreadyRunning(1),
            CoreError::ResultGone,
        ];
        for e in &errors {
            assert_eq!(ErrorCode::of(e).as_str(), e.code(), "{e}");
        }
    }

    #[test]
    fn input_errors_keep_their_line_numbers_across_ipc() {
        let e = CoreError::input(
            "profiles.jsonl",
            vec![
                RowError::new(3, Some("text"), "missing"),
                RowError::new(7, None, "bad json"),
            ],
        );
        let app = AppError::from(e);
        assert_eq!(app.code, "bad_input", "the UI switches on this code");
        assert_eq!(app.rows.len(), 2, "every bad row must reach the UI");
        assert_eq!(app.rows[0].line, 3);
        assert_eq!(app.path.as_deref(), Some("profiles.jsonl"));
        let json = serde_json::to_value(&app).unwrap();
        assert_eq!(json["rows"][1]["line"], 7);
        assert!(
            json["message"].as_str().unwrap().contains("line 3"),
            "message names the line"
        );
    }
}
