//! The one error shape that crosses IPC: `{code, message, rows}`. The UI switches on `code`
//! (stable strings, from `CoreError::code()` or the app's own below), shows `message`, and lists
//! `rows` (line-numbered problems of an import file) when there are any.

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

#[derive(Debug, Clone, Serialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct AppError {
    pub code: String,
    pub message: String,
    /// For `bad_input`: every bad row of the file, with its line number.
    pub rows: Vec<RowErrorDto>,
    /// For `bad_input`: the file the rows belong to.
    pub path: Option<String>,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        AppError {
            code: code.to_owned(),
            message: message.into(),
            rows: Vec::new(),
            path: None,
        }
    }

    /// No study is open (the UI goes back to the start screen).
    pub fn no_study() -> Self {
        AppError::new("no_study", "No study is open.")
    }

    /// No rater chosen yet (the UI asks who is rating).
    pub fn no_rater() -> Self {
        AppError::new("no_rater", "Choose who is rating first.")
    }

    pub fn internal(message: impl Into<String>) -> Self {
        AppError::new("internal", message)
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
            code: e.code().to_owned(),
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
