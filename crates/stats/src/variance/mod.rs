//! Variance components and the state–trait decomposition (issue #4).
//!
//! - [`design`]: the crossed design `value ~ 1 + (1|person) + (1|person:context) + (1|rater)`
//!   (any term optional) and its profiled REML criterion, O(ratings) per evaluation.
//! - [`reml`]: REML fits ([`fit_reml`]), including [`fit_unit_rater`] for a
//!   variance-components ICC on incomplete unit × rater designs.
//! - [`anova`]: closed-form method-of-moments estimators (may go negative; flagged).
//! - [`decompose()`]: the per-dimension decomposition (profile level, rater level, shares,
//!   reliability, LST coefficients, per-rater state sensitivity) and its person-cluster
//!   bootstrap.
//!
//! The formulas are in `docs/decomposition.md`; the reference implementation is R's lme4
//! (`lmer`, REML), checked against committed fixtures in `tests/decompose.rs`.

pub mod anova;
pub mod decompose;
pub mod design;
pub mod formula;
// Edited by the general-model work (issue #13 helpers h10/h11); documented with it.
#[allow(missing_docs)]
pub mod mixed;
pub mod optimize;
pub mod partial;
pub mod reml;
pub mod suff;

pub use anova::{fit_moments, MomentsFit};
pub use decompose::{
    bootstrap_decomposition, bootstrap_weighted, decompose, BootstrapOptions, BootstrapResult,
    DecomposeOptions, Decomposition, Method, PersonWeights,
};
pub use design::{Design, Rating, Terms};
pub use reml::{fit_reml, fit_unit_rater, FitOptions, RemlFit};

use serde::Serialize;

/// Variance components of the crossed model. Components of terms a model does not have are 0.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Components {
    /// σ²_P (trait).
    pub person: f64,
    /// σ²_S (state, person × context).
    pub person_context: f64,
    /// σ²_R (rater leniency).
    pub rater: f64,
    /// σ²_E (residual: disagreement and error).
    pub residual: f64,
}

impl Components {
    /// σ²_P + σ²_S + σ²_R + σ²_E.
    pub fn total(&self) -> f64 {
        self.person + self.person_context + self.rater + self.residual
    }
}

/// Why a variance-components fit has no answer for these data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum VarianceError {
    /// No ratings at all.
    #[error("no ratings")]
    Empty,
    /// A rating is NaN or infinite.
    #[error("a rating is not a finite number")]
    NonFinite,
    /// Every rating has the same value.
    #[error("all ratings are equal: there is no variance to decompose")]
    ConstantValues,
    /// Fewer than two persons.
    #[error("fewer than two persons: the person variance is not identifiable")]
    TooFewPersons,
    #[error(
        "no person was observed in two or more contexts: state and trait variance cannot be \
         separated"
    )]
    /// No person seen in two contexts.
    NoWithinPersonReplication,
    /// No profile rated twice.
    #[error("no profile has two or more ratings: state and residual variance cannot be separated")]
    NoWithinProfileReplication,
    /// Fewer than two raters where a rater term is needed.
    #[error("fewer than two raters: the rater variance is not identifiable")]
    SingleRater,
    /// The criterion is undefined at the starting values.
    #[error("the REML criterion is not defined at the starting values")]
    Undefined,
    /// The values are so large that their sums of squares leave the range of f64.
    #[error(
        "the values are too large to decompose: their sums of squares overflow (values near \
         ±1e154 or beyond); rescale the values (e.g. divide them by a power of ten)"
    )]
    Overflow,
    /// The moment equations have no unique solution.
    #[error("the moment equations are singular for this design")]
    SingularMoments,
    /// The caller cancelled (a bootstrap).
    #[error("cancelled")]
    Cancelled,
}
