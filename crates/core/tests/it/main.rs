//! Integration tests of the study store on real files (one binary, ripgrep-style).

mod fuzz;
mod hostile;
mod hostile_input;
mod imports;
mod models;
mod review;
mod store;
mod team;
mod util;
