//! Integration tests of the study store on real files (one binary, ripgrep-style).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod columnar;
mod fuzz;
mod hostile;
mod hostile_input;
mod imports;
mod models;
mod review;
mod store;
mod team;
mod util;
