//! Kendall's coefficient of concordance W (Kendall & Babington Smith 1939), with the
//! correction for ties, on the units every rater rated.
//!
//! Each rater's values over the n complete units are ranked (mid-ranks for ties); with R_i the
//! rank sum of unit i over the m raters and S = Σ (R_i − m(n+1)/2)²,
//! W = 12 S / (m²(n³ − n) − m Σ_j T_j), T_j = Σ_groups (t³ − t) over rater j's tie groups.
//! W = χ²_F / (m(n − 1)) with χ²_F Friedman's tie-corrected statistic, which is how the
//! reference values are computed (scipy.stats.friedmanchisquare, an independent
//! implementation; `scripts/reference/models/kendall_w.py`).

use super::{AgreementError, RatingTable};

/// W and what it was computed on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KendallW {
    pub w: f64,
    /// Units rated by every rater.
    pub units: usize,
    pub raters: usize,
}

/// Kendall's W over the raters present in `table`, on its complete units. Errors: fewer than
/// 2 raters or 2 complete units; [`AgreementError::NoVariation`] when every rater gives all
/// units the same value.
pub fn kendall_w(table: &RatingTable) -> Result<KendallW, AgreementError> {
    let mut present = vec![false; table.n_raters];
    for &r in &table.rater {
        present[r as usize] = true;
    }
    let raters: Vec<u32> = (0..table.n_raters as u32)
        .filter(|&r| present[r as usize])
        .collect();
    let m = raters.len();
    if m < 2 {
        return Err(AgreementError::TooFewRaters {
            needed: 2,
            found: m,
        });
    }
    // Complete units: one value per present rater (raters ascend within a unit).
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); m];
    for u in 0..table.n_units {
        let (a, b) = (table.offsets[u], table.offsets[u + 1]);
        if b - a != m {
            continue;
        }
        for (j, i) in (a..b).enumerate() {
            columns[j].push(table.value[i]);
        }
    }
    let n = columns[0].len();
    if n < 2 {
        return Err(AgreementError::TooFewUnits {
            needed: 2,
            found: n,
        });
    }
    let mut rank_sums = vec![0.0; n];
    let mut ties = 0.0;
    for col in &columns {
        let (ranks, t) = mid_ranks(col);
        ties += t;
        for (s, r) in rank_sums.iter_mut().zip(ranks) {
            *s += r;
        }
    }
    let (mf, nf) = (m as f64, n as f64);
    let mean = mf * (nf + 1.0) / 2.0;
    let s: f64 = rank_sums.iter().map(|r| (r - mean).powi(2)).sum();
    let denom = mf * mf * (nf * nf * nf - nf) - mf * ties;
    if denom <= 0.0 {
        return Err(AgreementError::NoVariation);
    }
    Ok(KendallW {
        w: 12.0 * s / denom,
        units: n,
        raters: m,
    })
}

/// Mid-ranks (1-based) of `v` and Σ (t³ − t) over its tie groups.
fn mid_ranks(v: &[f64]) -> (Vec<f64>, f64) {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut ranks = vec![0.0; v.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && v[order[j]] == v[order[i]] {
            j += 1;
        }
        let r = (i + j + 1) as f64 / 2.0;
        for &k in &order[i..j] {
            ranks[k] = r;
        }
        let t = (j - i) as f64;
        ties += t * t * t - t;
        i = j;
    }
    (ranks, ties)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::Rating;

    fn table(cols: &[&[f64]]) -> RatingTable {
        let mut r = Vec::new();
        for (j, c) in cols.iter().enumerate() {
            for (u, &v) in c.iter().enumerate() {
                r.push(Rating::new(u as u32, j as u32, v));
            }
        }
        RatingTable::new(&r).unwrap()
    }

    #[test]
    fn identical_rankings_give_one_and_reversed_pairs_zero() {
        let w = kendall_w(&table(&[&[1.0, 2.0, 3.0, 4.0], &[10.0, 20.0, 30.0, 40.0]])).unwrap();
        assert!((w.w - 1.0).abs() < 1e-12, "{w:?}");
        let w = kendall_w(&table(&[&[1.0, 2.0, 3.0, 4.0], &[4.0, 3.0, 2.0, 1.0]])).unwrap();
        assert!(w.w.abs() < 1e-12, "{w:?}");
        assert_eq!(
            kendall_w(&table(&[&[2.0, 2.0], &[5.0, 5.0]])),
            Err(AgreementError::NoVariation)
        );
        assert!(kendall_w(&table(&[&[1.0, 2.0]])).is_err());
    }
}
