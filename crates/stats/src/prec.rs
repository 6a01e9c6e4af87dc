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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rel_diff_uses_floor_near_zero() {
        assert!(rel_diff(1e-12, 0.0, 1e-6) < 1e-5, "floor must bound tiny denominators");
        assert!((rel_diff(1.1, 1.0, 1e-6) - 0.1).abs() < 1e-12);
    }
}
