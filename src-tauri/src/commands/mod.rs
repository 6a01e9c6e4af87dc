//! Tauri commands, grouped by screen. Each is a thin adapter: take the DTO, call
//! `chameleon_core` on a blocking thread (via `AppState::run`), convert the result or the error.

pub mod analysis;
pub mod annotate;
pub mod identity;
pub mod models;
pub mod review;
pub mod start;
pub mod team;
