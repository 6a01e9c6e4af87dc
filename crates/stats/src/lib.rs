//! Pure statistics for Chameleon Studio.
//!
//! Nothing here knows about files, SQLite or the UI: inputs are plain slices and structs,
//! outputs are plain structs. Every estimator documents its formula, its source and the
//! reference implementation it is tested against.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod agreement;
pub mod bootstrap;
pub mod disagreement;
mod fxhash;
pub mod prec;
pub mod reliability;
pub mod variance;
