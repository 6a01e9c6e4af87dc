//! One module per verb. Each has an `Args`/`Command` type and a `run` function.

pub mod agreement;
pub mod debug;
pub mod decompose;
pub mod export;
pub mod import;
pub mod info;
pub mod report;
pub mod review;
pub mod sample;
pub mod study;
pub mod team;

use chameleon_core::CoreError;
use std::process::ExitCode;

/// Prints an error once, on stderr, and picks the exit code: 2 for bad input (a file or an
/// argument the user can fix), 1 for anything else.
pub fn report_error(e: &anyhow::Error) -> ExitCode {
    eprintln!("error: {e:#}");
    let bad_input = e.chain().any(|c| {
        c.downcast_ref::<CoreError>()
            .is_some_and(CoreError::is_bad_input)
    });
    ExitCode::from(if bad_input { 2 } else { 1 })
}
