//! The one error type of the agreement estimators.

/// A number for a message: plain when short, in exponent form when its digits would run on
/// (1e300 printed in full is 301 characters).
pub fn compact(v: f64) -> String {
    if v != 0.0 && !(1e-6..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Why an agreement statistic cannot be computed for these data. The CLI prints the message and
/// reports the statistic as `null`.
// The variants' fields are the values their messages name.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AgreementError {
    /// A rating is NaN or infinite.
    #[error("unit {unit}, rater {rater}: value {value} is not a finite number")]
    NonFiniteValue { unit: u32, rater: u32, value: f64 },
    /// The same rater rated the same unit twice.
    #[error("unit {unit}, rater {rater}: more than one rating")]
    DuplicateRating { unit: u32, rater: u32 },
    /// No unit has two or more ratings, so nothing can be compared.
    #[error("no unit has two or more ratings (nothing is pairable)")]
    NoPairableUnits,
    /// Every pairable rating has the same value (or, for kappa, chance agreement is 1): the
    /// statistic is 0/0 and undefined.
    #[error("all pairable ratings fall in one category: agreement is undefined (0/0)")]
    NoVariation,
    /// Too few units for this statistic.
    #[error("needs at least {needed} units, found {found}")]
    TooFewUnits { needed: usize, found: usize },
    /// Too few raters for this statistic.
    #[error("needs at least {needed} raters, found {found}")]
    TooFewRaters { needed: usize, found: usize },
    /// The ratio metric needs non-negative values.
    #[error("the ratio metric needs non-negative values, found {}", compact(*value))]
    NegativeForRatio { value: f64 },
    /// A value is not one of the scale's categories.
    #[error("value {value} is not one of the scale's categories")]
    NotACategory { value: f64 },
    /// The categories given for the scale are not finite and distinct.
    #[error("the scale's categories must be finite and distinct")]
    BadCategories,
    /// A model fit (REML variance components) failed; the message says why.
    #[error("variance components: {0}")]
    Estimation(String),
    /// A parameter (e.g. a confidence level) is out of range.
    #[error("invalid parameter: {0}")]
    InvalidParameter(&'static str),
    /// The values are so large that the statistic's sums of squares leave the range of f64
    /// (about ±1.8e308): the result would be infinite or 0/0, not a property of the data.
    #[error(
        "the values are too large to compute this statistic: its sums of squares overflow \
         (the largest |value| is {largest:e}); rescale the values (e.g. divide them by a power of ten)"
    )]
    Overflow { largest: f64 },
    /// A correlation with a rater whose values (or whose consensus) do not vary is 0/0.
    #[error("{what} do not vary: the correlation is undefined (0/0)")]
    Constant { what: &'static str },
    /// The design cannot tell this statistic's components apart; the message says why.
    #[error("not identified: {0}")]
    NotIdentified(&'static str),
    /// The caller asked a bootstrap to stop.
    #[error("cancelled")]
    Cancelled,
}
