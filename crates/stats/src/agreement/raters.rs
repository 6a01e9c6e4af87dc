//! Per-rater diagnostics.

use super::{AgreementError, RatingTable};

/// How one rater relates to the others on the units they share.
#[derive(Debug, Clone, PartialEq)]
pub struct RaterDiagnostics {
    /// The rater's index.
    pub rater: u32,
    /// Ratings made.
    pub n: usize,
    /// Ratings on units that someone else also rated.
    pub n_shared: usize,
    /// Leniency: mean of (own value − mean of the other raters on the unit); positive = rates
    /// higher than colleagues. `None` without shared units.
    pub leniency: Option<f64>,
    /// Pearson correlation of own values with the leave-one-out consensus (mean of the other
    /// raters on the unit). An error says why it is undefined: fewer than 3 shared units
    /// ([`AgreementError::TooFewUnits`]), the rater's own values or the consensus constant
    /// ([`AgreementError::Constant`]), sums of squares overflowing ([`AgreementError::Overflow`]).
    pub consensus_r: Result<f64, AgreementError>,
    /// Percent (0–100) of pairs with another rater on a shared unit rated identically.
    pub consensus_agreement: Option<f64>,
    /// Mean |own − consensus| over the rater's first and last third of shared ratings by time
    /// (`None` unless every shared rating has a time and there are at least 6).
    pub drift_early_abs_dev: Option<f64>,
    /// The same over the last third.
    pub drift_late_abs_dev: Option<f64>,
    /// Percent exact agreement with the other raters, first and last third.
    pub drift_early_agreement: Option<f64>,
    /// The same over the last third.
    pub drift_late_agreement: Option<f64>,
}

struct Shared {
    value: f64,
    consensus: f64,
    agree: usize,
    pairs: usize,
    time: Option<i64>,
}

/// Diagnostics for every rater with at least one rating, ordered by rater index. Leave-one-out
/// consensus as in the "item–rest" logic of reliability analysis; drift compares the earliest
/// and latest thirds of a rater's shared ratings (ties in time keep unit order).
pub fn rater_diagnostics(table: &RatingTable) -> Vec<RaterDiagnostics> {
    let mut shared: Vec<Vec<Shared>> = (0..table.n_raters).map(|_| Vec::new()).collect();
    let mut count = vec![0usize; table.n_raters];
    for u in 0..table.n_units {
        let r = table.range(u);
        let m = r.len();
        let sum: f64 = table.value[r.clone()].iter().sum();
        for i in r.clone() {
            let rater = table.rater[i] as usize;
            count[rater] += 1;
            if m < 2 {
                continue;
            }
            let agree = r
                .clone()
                .filter(|&j| j != i && table.vix[j] == table.vix[i])
                .count();
            shared[rater].push(Shared {
                value: table.value[i],
                consensus: (sum - table.value[i]) / (m as f64 - 1.0),
                agree,
                pairs: m - 1,
                time: table.time_of(i),
            });
        }
    }
    (0..table.n_raters)
        .filter(|&r| count[r] > 0)
        .map(|r| {
            let s = &mut shared[r];
            let ns = s.len();
            let leniency =
                (ns > 0).then(|| s.iter().map(|x| x.value - x.consensus).sum::<f64>() / ns as f64);
            let pct = |xs: &[Shared]| {
                let pairs: usize = xs.iter().map(|x| x.pairs).sum();
                (pairs > 0).then(|| {
                    100.0 * xs.iter().map(|x| x.agree).sum::<usize>() as f64 / pairs as f64
                })
            };
            let mad = |xs: &[Shared]| {
                (!xs.is_empty()).then(|| {
                    xs.iter()
                        .map(|x| (x.value - x.consensus).abs())
                        .sum::<f64>()
                        / xs.len() as f64
                })
            };
            let consensus_agreement = pct(s);
            let consensus_r =
                pearson(s.iter().map(|x| (x.value, x.consensus))).map_err(|e| match e {
                    Undefined::TooFew(found) => AgreementError::TooFewUnits { needed: 3, found },
                    Undefined::OwnConstant => AgreementError::Constant {
                        what: "the rater's own ratings on shared units",
                    },
                    Undefined::ConsensusConstant => AgreementError::Constant {
                        what: "the other raters' consensus on the shared units",
                    },
                    Undefined::Overflow => table.overflow(),
                });
            let (mut e_dev, mut l_dev, mut e_agr, mut l_agr) = (None, None, None, None);
            if ns >= 6 && s.iter().all(|x| x.time.is_some()) {
                s.sort_by_key(|x| x.time);
                let third = ns / 3;
                e_dev = mad(&s[..third]);
                l_dev = mad(&s[ns - third..]);
                e_agr = pct(&s[..third]);
                l_agr = pct(&s[ns - third..]);
            }
            RaterDiagnostics {
                rater: r as u32,
                n: count[r],
                n_shared: ns,
                leniency,
                consensus_r,
                consensus_agreement,
                drift_early_abs_dev: e_dev,
                drift_late_abs_dev: l_dev,
                drift_early_agreement: e_agr,
                drift_late_agreement: l_agr,
            }
        })
        .collect()
}

/// Why [`pearson`] is undefined.
enum Undefined {
    TooFew(usize),
    OwnConstant,
    ConsensusConstant,
    Overflow,
}

fn pearson(xy: impl Iterator<Item = (f64, f64)> + Clone) -> Result<f64, Undefined> {
    let n = xy.clone().count();
    if n < 3 {
        return Err(Undefined::TooFew(n));
    }
    let nf = n as f64;
    let (sx, sy) = xy.clone().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / nf, sy / nf);
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (x, y) in xy {
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
        sxy += (x - mx) * (y - my);
    }
    if !(sxx.is_finite() && syy.is_finite() && sxy.is_finite()) {
        Err(Undefined::Overflow)
    } else if sxx <= 0.0 {
        Err(Undefined::OwnConstant)
    } else if syy <= 0.0 {
        Err(Undefined::ConsensusConstant)
    } else {
        Ok(sxy / (sxx * syy).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::Rating;

    #[test]
    fn lenient_rater_has_positive_leniency() {
        let mut rows = Vec::new();
        for u in 0..9u32 {
            let base = (u % 5) as f64;
            rows.push(Rating {
                unit: u,
                rater: 0,
                value: base,
                time: Some(u as i64),
            });
            rows.push(Rating {
                unit: u,
                rater: 1,
                value: base,
                time: Some(u as i64),
            });
            rows.push(Rating {
                unit: u,
                rater: 2,
                value: base + 1.0,
                time: Some(u as i64),
            });
        }
        let t = RatingTable::new(&rows).unwrap();
        let d = rater_diagnostics(&t);
        assert_eq!(d.len(), 3);
        assert!(
            (d[2].leniency.unwrap() - 1.0).abs() < 1e-12,
            "rater 2 rates one point higher"
        );
        assert!((d[0].leniency.unwrap() + 0.5).abs() < 1e-12);
        assert_eq!(d[2].consensus_agreement, Some(0.0));
        assert_eq!(
            d[0].drift_early_agreement,
            Some(50.0),
            "drift needs times and 6 ratings"
        );
    }

    #[test]
    fn consensus_r_says_why_it_is_undefined() {
        // Rater 0 gives 3 to every unit: its correlation with the consensus is 0/0.
        let mut rows = Vec::new();
        for u in 0..5u32 {
            rows.push(Rating::new(u, 0, 3.0));
            rows.push(Rating::new(u, 1, (u % 4) as f64));
            rows.push(Rating::new(u, 2, (u % 3) as f64));
        }
        rows.push(Rating::new(5, 3, 1.0));
        rows.push(Rating::new(5, 1, 1.0));
        let t = RatingTable::new(&rows).unwrap();
        let d = rater_diagnostics(&t);
        assert!(
            matches!(d[0].consensus_r, Err(AgreementError::Constant { .. })),
            "{:?}",
            d[0].consensus_r
        );
        assert!(d[1].consensus_r.is_ok());
        assert_eq!(
            d[3].consensus_r,
            Err(AgreementError::TooFewUnits {
                needed: 3,
                found: 1
            })
        );
    }
}
