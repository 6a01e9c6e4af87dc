//! The Chameleon Studio domain: model types, the study store, import/export and the analysis
//! orchestration that feeds `chameleon-stats`.
#![forbid(unsafe_code)]

pub mod dataset;
pub mod error;
pub mod model;
pub mod tidy;

pub use error::{CoreError, Result, RowError};
