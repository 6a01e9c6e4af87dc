//! The Chameleon Studio domain: model types, the study store, import/export and the analysis
//! orchestration that feeds `chameleon-stats`.
#![forbid(unsafe_code)]

pub mod analysis;
pub mod app;
pub mod assign;
pub mod checks;
pub mod dataset;
pub mod error;
pub mod export;
pub mod import;
pub mod model;
pub mod models;
pub mod report;
pub mod review;
pub mod sample;
pub mod store;
pub mod tidy;

pub use error::{CoreError, Result, RowError};
pub use import::{ImportReport, RatingsImportOptions};
pub use store::Study;
