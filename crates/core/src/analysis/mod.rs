//! Analysis orchestration: turns a [`Dataset`](crate::dataset::Dataset) into the inputs of
//! `chameleon-stats` and its outputs into the report structures the CLI and app print.

pub mod agreement;
pub mod decompose;
pub mod input;
