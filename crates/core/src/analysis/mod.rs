//! Analysis orchestration: turns a [`Dataset`](crate::dataset::Dataset) into the inputs of
//! `chameleon-stats` and its outputs into the report structures the CLI and app print.

pub mod agreement;
// Being extended with the general models (issue #13 helpers h10/h11): documented with them.
#[allow(missing_docs)]
pub mod decompose;
pub mod input;
pub mod minimum;
pub mod raters;
pub mod reliability;
pub mod scales;

/// How Cohen's kappa weights disagreements: by scale position, or by rank (R psych).
pub use chameleon_stats::agreement::KappaWeights;
/// Progress and cancellation of a bootstrap, and the error a cancelled one ends with: the
/// faces reach them through core, never through `chameleon-stats`.
pub use chameleon_stats::bootstrap::Control;
pub use chameleon_stats::variance::VarianceError;

/// Confidence level of every bootstrap interval core reports (agreement and decomposition).
pub const CI_LEVEL: f64 = 0.95;

/// How many different values `it` yields.
pub(crate) fn count_distinct(it: impl Iterator<Item = u32>) -> usize {
    let mut v: Vec<u32> = it.collect();
    v.sort_unstable();
    v.dedup();
    v.len()
}
