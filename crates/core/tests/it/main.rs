//! Integration tests of the study store on real files (one binary, ripgrep-style).

mod imports;
mod store;
mod team;
mod util;
