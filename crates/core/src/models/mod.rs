//! Language models as raters: a model run asks an OpenAI-compatible chat-completions endpoint
//! to rate profiles with the codebook, checks every answer against the scales and stores the
//! usable ones as a model rater's ratings, one per sample, with their provenance.
//!
//! Nothing here opens a connection unless a run (or [`endpoint::Client::check`]) is started
//! by the user: building options, rendering prompts and the analyses never touch the network.
//!
//! - [`endpoint`]: the base URL, the blocking HTTP client (ureq on worker threads), retries.
//! - [`prompt`]: the template, its placeholders, the default built from the codebook.
//! - [`schema`]: the `response_format` JSON schema and the checking of answers.
//! - [`run`]: the run itself (concurrency, cancel, resume, one transaction per answer).
//! - [`analysis`]: humans vs models, state sensitivity, sample consistency, models vs models.

pub mod analysis;
pub mod endpoint;
pub mod prompt;
pub mod run;
pub mod schema;

use std::path::PathBuf;

/// Why a model run cannot start or had to stop. Every variant about the server names the
/// endpoint, so the user knows which server was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("endpoint '{url}': {reason}")]
    BadEndpoint { url: String, reason: String },

    #[error("{}line {line}, column {column}: unknown placeholder '{{{{{name}}}}}' (known: {known})", .path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    UnknownPlaceholder {
        path: Option<PathBuf>,
        name: String,
        line: usize,
        column: usize,
        known: String,
    },

    #[error("{}line {line}, column {column}: '{{{{' is not closed by '}}}}'", .path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    UnclosedPlaceholder {
        path: Option<PathBuf>,
        line: usize,
        column: usize,
    },

    #[error("the environment variable {var} holding the API key is not set or empty")]
    MissingApiKey { var: String },

    #[error("{endpoint}: cannot reach the model server ({reason}); is it running?")]
    Unreachable { endpoint: String, reason: String },

    #[error("{endpoint}: the server refused the request with HTTP {status} (check the API key and its environment variable): {body}")]
    Unauthorized {
        endpoint: String,
        status: u16,
        body: String,
    },

    #[error("{endpoint}: the server has no model '{model}'{}", if .available.is_empty() { String::new() } else { format!(" (it has: {})", .available.join(", ")) })]
    UnknownModel {
        endpoint: String,
        model: String,
        available: Vec<String>,
    },

    #[error("{endpoint}: {url} answered HTTP 404 (unknown model, or not an OpenAI-compatible endpoint): {body}")]
    NotFound {
        endpoint: String,
        url: String,
        body: String,
    },

    #[error("{0}")]
    Invalid(String),

    #[error(transparent)]
    Core(#[from] crate::CoreError),
}

impl ModelError {
    /// Whether an argument or file the user gave caused it (the CLI exits with 2): a malformed
    /// URL, a prompt with an unknown placeholder, a model the server does not have, a missing
    /// key variable. A server that is down or refuses the key is not bad input (exit 1).
    pub fn is_bad_input(&self) -> bool {
        match self {
            ModelError::BadEndpoint { .. }
            | ModelError::UnknownPlaceholder { .. }
            | ModelError::UnclosedPlaceholder { .. }
            | ModelError::MissingApiKey { .. }
            | ModelError::UnknownModel { .. }
            | ModelError::Invalid(_) => true,
            ModelError::Core(e) => e.is_bad_input(),
            _ => false,
        }
    }

    /// A stable code for UIs.
    pub fn code(&self) -> &'static str {
        match self {
            ModelError::BadEndpoint { .. } => "bad_endpoint",
            ModelError::UnknownPlaceholder { .. } => "unknown_placeholder",
            ModelError::UnclosedPlaceholder { .. } => "unclosed_placeholder",
            ModelError::MissingApiKey { .. } => "missing_api_key",
            ModelError::Unreachable { .. } => "unreachable",
            ModelError::Unauthorized { .. } => "unauthorized",
            ModelError::UnknownModel { .. } => "unknown_model",
            ModelError::NotFound { .. } => "not_found",
            ModelError::Invalid(_) => "invalid",
            ModelError::Core(e) => e.code(),
        }
    }
}

/// Cuts `s` to at most `max` characters (then `…`), for raw text kept or quoted in messages.
pub(crate) fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_owned(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}
