//! Minimum-n rules: below these counts a statistic is too unstable to present as a result.
//! Every face reads the same rules; a value that fails one keeps its number (for
//! reproducibility) but carries a [`Caution`] that the faces show instead of the value
//! ("too few data (n = 3)"). Degenerate intervals (a zero-width [1, 1]) and shares at a
//! boundary (0 % or 100 %, a variance estimated at zero) are flagged the same way.

use serde::Serialize;

/// One named rule: the statistic it guards and the fewest of `what` it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The rule's name in JSON (`"caution": {"rule": ...}`).
    pub name: &'static str,
    /// What is counted, for messages.
    pub what: &'static str,
    /// The least n at which the statistic is shown as a result.
    pub minimum: usize,
}

/// Units (profiles) with two or more ratings behind Krippendorff's α, Fleiss' κ and the ICCs.
pub const UNITS_FOR_AGREEMENT: Rule = Rule {
    name: "units",
    what: "units with two or more ratings",
    minimum: 10,
};

/// Units two raters share behind their pairwise Cohen's κ.
pub const UNITS_PER_PAIR: Rule = Rule {
    name: "units_per_pair",
    what: "shared units",
    minimum: 10,
};

/// Persons seen in two or more contexts: the decomposition separates trait from state only
/// through them.
pub const PERSONS_WITH_TWO_CONTEXTS: Rule = Rule {
    name: "persons_with_two_contexts",
    what: "persons with two or more contexts",
    minimum: 10,
};

/// Ratings of one rater behind a per-rater figure (leniency, drift, κ, state sensitivity);
/// also the default `--min-ratings` of agreement ([`super::raters::MIN_RATINGS`]).
pub const RATINGS_PER_RATER: Rule = Rule {
    name: "ratings_per_rater",
    what: "ratings",
    minimum: 10,
};

/// Clusters a bootstrap resamples (units for agreement, persons for the decomposition): with
/// fewer, a percentile interval reflects the few clusters more than the uncertainty.
pub const CLUSTERS_FOR_INTERVAL: Rule = Rule {
    name: "clusters_for_interval",
    what: "resampled clusters",
    minimum: 20,
};

/// Persons rated by two or more raters: a `rater:person` component (raters' own views of a
/// person) is separated from the residual only through them.
pub const PERSONS_WITH_TWO_RATERS: Rule = Rule {
    name: "persons_with_two_raters",
    what: "persons rated by two or more raters",
    minimum: 10,
};

/// Why a value is not presented as a result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Caution {
    /// The rule's name (`units`, `persons_with_two_contexts`, …).
    pub rule: &'static str,
    /// The count found (absent for a degenerate interval or a boundary share).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The rule's minimum, when the caution is about a count.
    pub minimum: Option<usize>,
    /// What the faces print where the value would be.
    pub message: String,
}

impl Rule {
    /// `None` when `n` meets the rule.
    pub fn check(&self, n: usize) -> Option<Caution> {
        (n < self.minimum).then(|| Caution {
            rule: self.name,
            n: Some(n),
            minimum: Some(self.minimum),
            message: format!("too few data (n = {n})"),
        })
    }
}

/// How close to each other an interval's bounds (or a share to 0 or 1) count as equal.
const DEGENERATE: f64 = 1e-9;

/// A zero-width interval ([1, 1]): every resample gave the same value, which says more about
/// the data's size than about the uncertainty.
pub fn degenerate_interval(ci: Option<[f64; 2]>) -> Option<Caution> {
    let [lo, hi] = ci?;
    ((hi - lo).abs() < DEGENERATE).then(|| Caution {
        rule: "degenerate_interval",
        n: None,
        minimum: None,
        message: format!("degenerate interval [{lo:.3}, {hi:.3}]"),
    })
}

/// A share of 0 % or 100 %: a variance component estimated at its boundary (zero), not a
/// finding that the other component is absent.
pub fn boundary_share(share: Option<f64>) -> Option<Caution> {
    let s = share?;
    (!(DEGENERATE..=1.0 - DEGENERATE).contains(&s)).then(|| Caution {
        rule: "boundary_share",
        n: None,
        minimum: None,
        message: format!(
            "boundary fit ({:.0} %): a variance estimated at zero",
            100.0 * s
        ),
    })
}

/// The first caution that applies, in the order given.
pub fn first(cautions: impl IntoIterator<Item = Option<Caution>>) -> Option<Caution> {
    cautions.into_iter().flatten().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_flag_counts_below_their_minimum() {
        let c = PERSONS_WITH_TWO_CONTEXTS.check(3).unwrap();
        assert_eq!(c.rule, "persons_with_two_contexts");
        assert_eq!((c.n, c.minimum), (Some(3), Some(10)));
        assert_eq!(c.message, "too few data (n = 3)");
        assert!(PERSONS_WITH_TWO_CONTEXTS.check(10).is_none());
        assert!(RATINGS_PER_RATER.check(4).is_some());
    }

    #[test]
    fn degenerate_intervals_and_boundary_shares() {
        assert!(degenerate_interval(Some([1.0, 1.0])).is_some());
        assert!(degenerate_interval(Some([0.8, 0.97])).is_none());
        assert!(degenerate_interval(None).is_none());
        assert!(boundary_share(Some(1.0)).is_some());
        assert!(boundary_share(Some(0.0)).is_some());
        assert!(boundary_share(Some(0.95)).is_none());
    }
}
