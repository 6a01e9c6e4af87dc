//! Typed errors of the domain layer. The CLI and the app turn them into messages; the `code`
//! lets a UI switch on the kind without parsing English.

use std::path::PathBuf;

/// Longest message a [`RowError`] keeps; call sites quote user data with
/// [`crate::checks::quote`], this is the backstop.
const MAX_MESSAGE_CHARS: usize = 1000;

/// One problem in an input file, located by line (1-based, header is line 1) and column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RowError {
    /// Line of the file (1 = the header of a CSV).
    pub line: u64,
    /// Column name (CSV) or field (JSON), when the problem is in one field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What is wrong, for the user.
    pub message: String,
}

impl RowError {
    /// A message quotes what it found: the column name and the message are cut to a bounded
    /// length here too, so no input (a 50 MB field, a header of a million columns) is echoed
    /// whole, whatever the call site quoted.
    pub fn new(line: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        let message: String = message.into();
        let message = match message.char_indices().nth(MAX_MESSAGE_CHARS) {
            None => message,
            Some((cut, _)) => format!("{}…", &message[..cut]),
        };
        RowError {
            line,
            column: column.map(crate::checks::quote),
            message,
        }
    }
}

impl RowError {
    /// As displayed for a columnar file (Parquet, Arrow), where line r + 1 is row r and line 1
    /// the schema (see `tidy::arrow`).
    fn by_row(&self) -> String {
        let at = match (self.line, &self.column) {
            (0 | 1, None) => String::new(),
            (0 | 1, Some(c)) => format!("column '{c}': "),
            (l, None) => format!("row {}: ", l - 1),
            (l, Some(c)) => format!("row {}, column '{c}': ", l - 1),
        };
        format!("{at}{}", self.message)
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column '{}': {}", self.line, c, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// "1 problem", "3 problems".
fn problems(n: usize) -> String {
    if n == 1 {
        "1 problem".to_owned()
    } else {
        format!("{n} problems")
    }
}

/// Everything core can fail with; the message is what a user reads.
// Each variant is described by its `#[error]` message (what a user reads); the fields are the
// values that message names.
#[allow(missing_docs)]
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// The input file has problems; nothing was written.
    #[error("{path}: {} found, nothing was changed:\n{}", problems(.errors.len()), render_rows(.path, .errors))]
    Input { path: String, errors: Vec<RowError> },

    #[error("{path}: not a Chameleon study (it is not an SQLite database made by this app)")]
    NotAStudy { path: PathBuf },

    #[error("{path}: this study uses schema version {found}, newer than this app supports ({supported}); update Chameleon Studio to open it")]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("{path}: the study is locked by another program; close it there and try again")]
    Locked { path: PathBuf },

    #[error("{path}: the study is read-only; {action} needs write access")]
    ReadOnly { path: PathBuf, action: String },

    #[error("{path}: the file is damaged or truncated")]
    Damaged { path: PathBuf },

    #[error("{path}: no such study")]
    NoSuchStudy { path: PathBuf },

    #[error("{path}: a file already exists there")]
    AlreadyExists { path: PathBuf },

    #[error("{0}")]
    Invalid(String),

    /// An input file that cannot be read as one: missing, a directory, a FIFO, a device, a
    /// symbolic-link loop, too large. Reported before anything is read.
    #[error("{path}: {reason}")]
    NotReadable { path: PathBuf, reason: String },

    /// A study or package holds a value this app cannot use (written by another tool or
    /// tampered with), e.g. a Likert scale of 2^64 points.
    #[error("{}the study holds a value this app cannot use: {message}", .path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    StoredValue {
        path: Option<PathBuf>,
        message: String,
    },
    /// The open file is an annotator package, where the PI's team tools do not apply.
    #[error("This file is {rater}'s annotator package: {action} happens in the PI's study.")]
    Package { rater: String, action: String },

    #[error("There are no ratings to analyse yet.")]
    NoRatings,

    #[error("the analysis failed: {0}")]
    AnalysisFailed(String),

    /// A run id (chosen by the caller) that a running job already uses.
    #[error("analysis run {0} is already running")]
    AlreadyRunning(u32),

    /// A computed result asked for by its key is no longer kept.
    #[error("That analysis result is no longer available; run the analysis again.")]
    ResultGone,

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),

    #[error("migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
}

fn render_rows(path: &str, errors: &[RowError]) -> String {
    const SHOWN: usize = 50;
    let mut out: Vec<String> = errors
        .iter()
        .take(SHOWN)
        .map(|e| {
            if crate::tidy::counts_rows(path) {
                format!("  {path}: {}", e.by_row())
            } else {
                format!("  {path}: {e}")
            }
        })
        .collect();
    if errors.len() > SHOWN {
        out.push(format!("  … and {} more", errors.len() - SHOWN));
    }
    out.join("\n")
}

impl CoreError {
    /// A stable machine-readable code for UIs.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Input { .. } => "bad_input",
            CoreError::NotAStudy { .. } => "not_a_study",
            CoreError::NewerSchema { .. } => "newer_schema",
            CoreError::Locked { .. } => "locked",
            CoreError::ReadOnly { .. } => "read_only",
            CoreError::NoSuchStudy { .. } => "no_such_study",
            CoreError::Damaged { .. } => "damaged",
            CoreError::AlreadyExists { .. } => "already_exists",
            CoreError::Invalid(_) => "invalid",
            CoreError::NotReadable { .. } => "not_readable",
            CoreError::StoredValue { .. } => "stored_value",
            CoreError::Package { .. } => "package",
            CoreError::NoRatings => "no_ratings",
            CoreError::AnalysisFailed(_) => "analysis_failed",
            CoreError::AlreadyRunning(_) => "already_running",
            CoreError::ResultGone => "not_found",
            CoreError::Io { .. } => "io",
            CoreError::Sqlite(_) => "database",
            CoreError::Migration(_) => "migration",
        }
    }

    /// Whether the user's input (a file, an argument) caused it: the CLI exits with 2.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            CoreError::Input { .. }
                | CoreError::NotAStudy { .. }
                | CoreError::NewerSchema { .. }
                | CoreError::NoSuchStudy { .. }
                | CoreError::Damaged { .. }
                | CoreError::AlreadyExists { .. }
                | CoreError::Invalid(_)
                | CoreError::NotReadable { .. }
                | CoreError::StoredValue { .. }
                | CoreError::Package { .. }
                | CoreError::NoRatings
        ) || matches!(self, CoreError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }

    /// Names the study file in a [`CoreError::StoredValue`] raised where the path was unknown.
    pub fn in_file(self, path: &std::path::Path) -> Self {
        match self {
            CoreError::StoredValue {
                path: None,
                message,
            } => CoreError::StoredValue {
                path: Some(path.to_owned()),
                message,
            },
            other => other,
        }
    }

    /// Bad input in the file at `path`, with every problem found.
    pub fn input(path: impl Into<String>, errors: Vec<RowError>) -> Self {
        CoreError::Input {
            path: path.into(),
            errors,
        }
    }
}

/// A value that SQLite holds but that does not convert (a scale that fails its checks, a level
/// that is not one) came from the file, not from a fault of this program: it is bad input.
impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::FromSqlConversionFailure(_, _, cause) => CoreError::StoredValue {
                path: None,
                message: cause.to_string(),
            },
            other => CoreError::Sqlite(other),
        }
    }
}

/// Core's result type.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;
