//! Percent agreement.

use super::{AgreementError, Categories, RatingTable};

/// Pairwise percent agreement, on a 0–100 scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PercentAgreement {
    /// Mean over pairable units of the share of rating pairs with equal values.
    pub exact: f64,
    /// The same with pairs at most one category apart (only when categories are given).
    pub within_one: Option<f64>,
    /// Pairable units (two or more ratings) the means are over.
    pub units: usize,
}

/// Percent agreement: 100 × the mean over pairable units (m_u ≥ 2) of the proportion of the
/// unit's m_u(m_u − 1)/2 rating pairs that agree — exactly, and (with `cats`, for ordinal
/// scales) within one scale point, i.e. category indices at most 1 apart. With two raters this
/// is the plain share of shared units rated identically; it equals 100 × Fleiss's P̄.
pub fn percent_agreement(
    table: &RatingTable,
    cats: Option<&Categories>,
) -> Result<PercentAgreement, AgreementError> {
    let (mut exact, mut near, mut units) = (0.0, 0.0, 0usize);
    for u in 0..table.n_units {
        let r = table.range(u);
        let m = r.len();
        if m < 2 {
            continue;
        }
        let pairs = (m * (m - 1) / 2) as f64;
        let (mut e, mut w) = (0usize, 0usize);
        for i in r.start..r.end {
            for j in (i + 1)..r.end {
                e += usize::from(table.vix[i] == table.vix[j]);
                if let Some(c) = cats {
                    w += usize::from(c.of_rating[i].abs_diff(c.of_rating[j]) <= 1);
                }
            }
        }
        exact += e as f64 / pairs;
        near += w as f64 / pairs;
        units += 1;
    }
    if units == 0 {
        return Err(AgreementError::NoPairableUnits);
    }
    let nf = units as f64;
    Ok(PercentAgreement {
        exact: 100.0 * exact / nf,
        within_one: cats.map(|_| 100.0 * near / nf),
        units,
    })
}
