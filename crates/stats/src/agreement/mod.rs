//! Inter-rater agreement statistics (issue #3).
//!
//! Input is a [`RatingTable`]: ratings `(unit, rater, value)` with dense indices, at most one
//! rating per unit and rater, missing ratings simply absent. Every estimator takes the table and
//! returns a plain value or a typed [`AgreementError`]; none panics or returns NaN on input a
//! user can produce. Formulas, conventions for degenerate inputs and tolerances are collected in
//! `docs/agreement.md`.

mod alpha;
mod boot;
mod error;
pub mod fdist;
mod icc;
mod kappa;
mod kendall;
mod percent;
mod raters;
mod table;

pub use alpha::{alpha, alpha_all, AlphaSet, Metric, UnitValues};
pub use boot::{bootstrap, bootstrap_with, BootstrapCi, PairCi};
pub use error::{compact, AgreementError};
pub use icc::{
    icc_complete, icc_reml, icc_variance_components, variance_components, IccEstimate, IccSet,
    VarianceComponents,
};
pub use kappa::{cohen_pairs, fleiss_kappa, CohenPair, FleissForm, FleissKappa};
pub use kendall::{kendall_w, KendallW};
pub use percent::{percent_agreement, PercentAgreement};
pub use raters::{rater_diagnostics, RaterDiagnostics};
pub use table::{Categories, KappaWeights, Rating, RatingTable};
