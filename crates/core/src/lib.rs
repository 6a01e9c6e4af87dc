//! The Chameleon Studio domain: model types, the study store, import/export and the analysis
//! orchestration that feeds `chameleon-stats`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod analysis;
// The use-case layer is being reshaped by the rest of issue #13 (the typed command surface):
// its public items get their docs with that change.
#[allow(missing_docs)]
pub mod app;
pub mod assign;
pub mod checks;
pub mod dataset;
pub mod error;
pub mod export;
pub mod import;
pub mod model;
// Model raters (the models work, merged while issue #13 turned `missing_docs` on): its public
// items get their docs from that work.
#[allow(missing_docs)]
pub mod models;
pub mod report;
pub mod review;
pub mod sample;
pub mod store;
pub mod tidy;

pub use error::{CoreError, Result, RowError};
pub use import::{ImportReport, RatingsImportOptions};
pub use store::Study;
