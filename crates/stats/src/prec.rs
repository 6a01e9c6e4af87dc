//! Named tolerances, kept in one place so tests and docs agree on what "matches" means.

/// Closed-form statistics (alpha, kappa, ICC) against a reference tool on the same data.
pub const EXACT_REL: f64 = 1e-9;

/// Values that a reference file prints with a fixed number of digits (krippendorff, pingouin
/// JSON dumps in `shared/reference`).
pub const REFERENCE_ABS: f64 = 1e-6;

/// Relative difference `|a - b| / max(|b|, floor)`; the floor keeps values near zero from
/// turning a tiny absolute error into a huge relative one.
pub fn rel_diff(a: f64, b: f64, floor: f64) -> f64 {
    (a - b).abs() / b.abs().max(floor)
}

/// Agreement statistics computed through F-distribution quantiles or tails (ICC confidence
/// limits, F-test p-values) against scipy/pingouin: our incomplete beta and its inversion
/// differ from Boost's in the last few digits.
pub const DISTRIBUTION_REL: f64 = 1e-8;

/// Floor for [`rel_diff`] in the agreement tests: statistics near 0 are compared absolutely
/// below this magnitude.
pub const AGREEMENT_FLOOR: f64 = 1e-3;

/// Newton stops on the REML criterion when the predicted decrease `½ g'H⁻¹g` is below this
/// (criterion units; the criterion's own rounding noise is about 1e-12 × its size).
pub const REML_DECREMENT: f64 = 1e-10;

/// Newton's stopping decrement for bootstrap refits: a resample's estimate moves by a standard
/// error, so criterion precision far below 1e-7 buys nothing for a percentile interval.
pub const BOOTSTRAP_DECREMENT: f64 = 1e-7;

/// A relative standard deviation `θ` below this is tried at exactly 0 (a boundary fit).
pub const THETA_BOUNDARY: f64 = 1e-4;

/// Our REML criterion may exceed lme4's by at most this (absolute; it should be lower).
pub const REML_CRIT_SLACK: f64 = 1e-7;

/// Floor of the relative difference between components (variances near 0 compare absolutely).
pub const COMPONENT_FLOOR: f64 = 1e-3;

/// Our REML components against lme4 refitted with a strict optimizer tolerance (bobyqa,
/// `rhoend = 1e-11`): relative, with `COMPONENT_FLOOR`. lme4's default fits are typically
/// 1e-6..5e-5 away from that reference; ours must be much closer.
pub const REML_STRICT_REL: f64 = 2e-6;

/// ICC variance components by REML against lme4 `lmer(value ~ 1 + (1|unit) + (1|rater))`:
/// lme4's own optimizer precision (DESIGN.md: about 5e-4 on a rater component with few levels).
pub const ICC_REML_REL: f64 = 5e-4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rel_diff_uses_floor_near_zero() {
        assert!(
            rel_diff(1e-12, 0.0, 1e-6) < 1e-5,
            "floor must bound tiny denominators"
        );
        assert!((rel_diff(1.1, 1.0, 1e-6) - 0.1).abs() < 1e-12);
    }
}
