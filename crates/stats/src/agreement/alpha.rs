//! Krippendorff's alpha through the coincidence matrix.
//!
//! alpha = 1 − D_o / D_e = 1 − (n − 1) · Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck, where
//! o_ck = Σ_u (number of c–k pairs of values in unit u) / (m_u − 1) over pairable units
//! (m_u ≥ 2 ratings), n_c = Σ_k o_ck and n = Σ_c n_c (Krippendorff 2011, "Computing
//! Krippendorff's Alpha-Reliability"; Hayes & Krippendorff 2007). Metrics δ²:
//! nominal `[c ≠ k]`; ordinal `(Σ_{g=c..k} n_g − (n_c + n_k)/2)²` over the ranks of the observed
//! values; interval `(c − k)²`; ratio `((c − k)/(c + k))²`.
//!
//! The matrix is never formed: D_o is summed inside each unit (O(m_u) for nominal, interval and
//! ordinal, O(m_u²) for ratio), D_e from the margins n_c (O(V), or O(V²) for ratio, V distinct
//! values). Ordinal equals the interval metric applied to the mid-ranks
//! `R_c = Σ_{g<c} n_g + n_c / 2`, which is what makes it O(V).
//!
//! Tested against the Python `krippendorff` package (0.7) on Krippendorff's 2011 example and on
//! seeded generated data (`tests/fixtures/agreement`), to `prec::EXACT_REL`.

use super::{AgreementError, RatingTable};

/// Level of measurement, i.e. the difference function of alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Categories are equal or not.
    Nominal,
    /// Differences by rank among the values used.
    Ordinal,
    /// Squared differences.
    Interval,
    /// Squared relative differences (non-negative values).
    Ratio,
}

impl Metric {
    /// The four levels, nominal first.
    pub const ALL: [Metric; 4] = [
        Metric::Nominal,
        Metric::Ordinal,
        Metric::Interval,
        Metric::Ratio,
    ];
}

/// Alpha at the four levels.
#[derive(Debug, Clone, PartialEq)]
pub struct AlphaSet {
    /// Nominal alpha.
    pub nominal: Result<f64, AgreementError>,
    /// Ordinal alpha.
    pub ordinal: Result<f64, AgreementError>,
    /// Interval alpha.
    pub interval: Result<f64, AgreementError>,
    /// Ratio alpha.
    pub ratio: Result<f64, AgreementError>,
}

impl AlphaSet {
    /// Alpha at level `m`.
    pub fn get(&self, m: Metric) -> &Result<f64, AgreementError> {
        match m {
            Metric::Nominal => &self.nominal,
            Metric::Ordinal => &self.ordinal,
            Metric::Interval => &self.interval,
            Metric::Ratio => &self.ratio,
        }
    }
}

/// Krippendorff's alpha at one level. Errors: [`AgreementError::NoPairableUnits`] when no unit
/// has two ratings; [`AgreementError::NoVariation`] when all pairable values are equal
/// (D_e = 0, alpha is 0/0); [`AgreementError::NegativeForRatio`] for the ratio metric on
/// negative values.
///
/// ```
/// use chameleon_stats::agreement::{alpha, Metric, Rating, RatingTable};
/// // Two raters give every unit the same value: alpha is 1.
/// let ratings: Vec<Rating> = [(0, 1.0), (1, 2.0), (2, 3.0)]
///     .iter()
///     .flat_map(|&(unit, v)| [Rating::new(unit, 0, v), Rating::new(unit, 1, v)])
///     .collect();
/// let table = RatingTable::new(&ratings)?;
/// assert_eq!(alpha(&table, Metric::Interval)?, 1.0);
/// # Ok::<(), chameleon_stats::agreement::AgreementError>(())
/// ```
pub fn alpha(table: &RatingTable, metric: Metric) -> Result<f64, AgreementError> {
    let want = Metric::ALL.map(|m| m == metric);
    alpha_weighted(table, None, want).get(metric).clone()
}

/// Alpha at all four levels, sharing one pass over the data.
pub fn alpha_all(table: &RatingTable) -> AlphaSet {
    alpha_weighted(table, None, [true; 4])
}

/// Alpha with each unit counted `weights[u]` times (a bootstrap resample), or once; only the
/// levels flagged in `want` (order of [`Metric::ALL`]) are computed, the others are left as
/// [`AgreementError::NoVariation`] placeholders the public functions never return.
pub(crate) fn alpha_weighted(
    table: &RatingTable,
    weights: Option<&[u32]>,
    want: [bool; 4],
) -> AlphaSet {
    AlphaUnits::new(table, want).alpha(table, weights, &mut Vec::new(), &mut Vec::new())
}

/// The parts of alpha's observed disagreement that do not depend on the units' weights, per
/// pairable unit, computed once so that a bootstrap resample only weighs them (all four levels
/// read the same pass). Only the ordinal part depends on the resample (through the mid-ranks).
pub(crate) struct AlphaUnits {
    want: [bool; 4],
    ratio_ok: Result<(), AgreementError>,
    /// Pairable units (two or more ratings), ascending.
    unit: Vec<u32>,
    /// Their ratings `start..start + m` in table order.
    start: Vec<u32>,
    m: Vec<f64>,
    /// Σ (x − mean)² of the unit's values (interval).
    int: Vec<f64>,
    /// Σ over the unit's pairs of the ratio δ² (ratio; 0 when not wanted or not defined).
    rat: Vec<f64>,
    /// m² − Σ_c n_uc² (nominal).
    nom: Vec<f64>,
}

impl AlphaUnits {
    /// The weight-free parts of the levels flagged in `want` (order of [`Metric::ALL`]).
    pub(crate) fn new(table: &RatingTable, want: [bool; 4]) -> AlphaUnits {
        let [want_nom, _, want_int, want_rat] = want;
        let ratio_ok = match table.distinct.first() {
            _ if !want_rat => Err(AgreementError::NoVariation),
            Some(&min) if min < 0.0 => Err(AgreementError::NegativeForRatio { value: min }),
            _ => Ok(()),
        };
        let pairable = (0..table.n_units).filter(|&u| table.range(u).len() >= 2);
        let mut a = AlphaUnits {
            want,
            ratio_ok,
            unit: Vec::new(),
            start: Vec::new(),
            m: Vec::new(),
            int: Vec::new(),
            rat: Vec::new(),
            nom: Vec::new(),
        };
        let mut counts: Vec<u32> = Vec::new();
        for u in pairable {
            let r = table.range(u);
            let m = r.len();
            let vals = &table.value[r.clone()];
            a.unit.push(u as u32);
            a.start.push(r.start as u32);
            a.m.push(m as f64);
            a.int.push(if want_int {
                centred_ss(vals.iter().copied())
            } else {
                0.0
            });
            let mut s = 0.0;
            if a.ratio_ok.is_ok() {
                for i in 0..m {
                    for j in (i + 1)..m {
                        s += ratio_delta2(vals[i], vals[j]);
                    }
                }
            }
            a.rat.push(s);
            let mut same = 0.0;
            if want_nom {
                counts.clear();
                counts.extend_from_slice(&table.vix[r]);
                counts.sort_unstable();
                let mut run = 1.0f64;
                for k in 1..=m {
                    if k < m && counts[k] == counts[k - 1] {
                        run += 1.0;
                    } else {
                        same += run * run;
                        run = 1.0;
                    }
                }
            }
            a.nom.push((m * m) as f64 - same);
        }
        a
    }

    /// Alpha with unit `u` counted `weights[u]` times, or once; `margin` and `rank` are
    /// scratch space (their contents on entry do not matter).
    pub(crate) fn alpha(
        &self,
        table: &RatingTable,
        weights: Option<&[u32]>,
        margin: &mut Vec<f64>,
        rank: &mut Vec<f64>,
    ) -> AlphaSet {
        let [want_nom, want_ord, want_int, _] = self.want;
        let v = table.distinct.len();
        let w = |u: u32| weights.map_or(1.0, |w| w[u as usize] as f64);
        // Margins n_c over pairable units.
        margin.clear();
        margin.resize(v, 0.0);
        for (j, &u) in self.unit.iter().enumerate() {
            let wu = w(u);
            if wu == 0.0 {
                continue;
            }
            let s = self.start[j] as usize;
            for &i in &table.vix[s..s + self.m[j] as usize] {
                margin[i as usize] += wu;
            }
        }
        let n: f64 = margin.iter().sum();
        if n == 0.0 {
            let e = Err(AgreementError::NoPairableUnits);
            return AlphaSet {
                nominal: e.clone(),
                ordinal: e.clone(),
                interval: e.clone(),
                ratio: e,
            };
        }
        // Mid-ranks of the values for the ordinal metric.
        rank.clear();
        rank.resize(v, 0.0);
        let mut below = 0.0;
        for c in 0..v {
            rank[c] = below + margin[c] / 2.0;
            below += margin[c];
        }
        let ratio_ok = self.ratio_ok.clone();

        // Observed disagreement numerators Σ_u Σ_{i≠j} δ²_ij / (m_u − 1).
        let (mut do_nom, mut do_ord, mut do_int, mut do_rat) = (0.0, 0.0, 0.0, 0.0);
        for (j, &u) in self.unit.iter().enumerate() {
            let wu = w(u);
            if wu == 0.0 {
                continue;
            }
            let m = self.m[j];
            let scale = wu / (m - 1.0);
            if want_int {
                do_int += scale * 2.0 * m * self.int[j];
            }
            if want_ord {
                let s = self.start[j] as usize;
                let idx = &table.vix[s..s + m as usize];
                do_ord += scale * 2.0 * m * centred_ss(idx.iter().map(|&i| rank[i as usize]));
            }
            if ratio_ok.is_ok() {
                do_rat += scale * 2.0 * self.rat[j];
            }
            if want_nom {
                do_nom += scale * self.nom[j];
            }
        }

        // Expected disagreement numerators Σ_ck n_c n_k δ²_ck.
        let de_nom = n * n - margin.iter().map(|x| x * x).sum::<f64>();
        let de_int = 2.0 * n * weighted_centred_ss(&table.distinct, margin);
        let de_ord = 2.0 * n * weighted_centred_ss(rank, margin);
        let finish = |d_o: f64, d_e: f64| -> Result<f64, AgreementError> {
            // A non-finite sum is an overflow of the squared differences (values near ±1e154
            // and beyond), not an absence of variation.
            if !d_e.is_finite() || !d_o.is_finite() {
                Err(table.overflow())
            } else if d_e <= 0.0 {
                Err(AgreementError::NoVariation)
            } else {
                Ok(1.0 - (n - 1.0) * d_o / d_e)
            }
        };
        let ratio = ratio_ok.and_then(|()| {
            let mut de = 0.0;
            for c in 0..v {
                if margin[c] == 0.0 {
                    continue;
                }
                let row: f64 = (c + 1..v)
                    .map(|k| margin[k] * ratio_delta2(table.distinct[c], table.distinct[k]))
                    .sum();
                de += 2.0 * margin[c] * row;
            }
            finish(do_rat, de)
        });
        AlphaSet {
            nominal: finish(do_nom, de_nom),
            ordinal: finish(do_ord, de_ord),
            interval: finish(do_int, de_int),
            ratio,
        }
    }
}

/// Σ (x − mean)², two-pass for accuracy.
fn centred_ss(xs: impl Iterator<Item = f64> + Clone) -> f64 {
    let (mut s, mut k) = (0.0, 0.0);
    for x in xs.clone() {
        s += x;
        k += 1.0;
    }
    let mean = s / k;
    xs.map(|x| (x - mean) * (x - mean)).sum()
}

/// Σ_c w_c (x_c − mean_w)².
fn weighted_centred_ss(x: &[f64], w: &[f64]) -> f64 {
    let n: f64 = w.iter().sum();
    let mean = x.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / n;
    x.iter()
        .zip(w)
        .map(|(x, w)| w * (x - mean) * (x - mean))
        .sum()
}

/// Ratio metric ((a − b)/(a + b))², with 0 for a = b (including 0 and 0).
fn ratio_delta2(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        // Halved first (exact in binary) so that a + b cannot overflow near f64::MAX.
        let d = (0.5 * a - 0.5 * b) / (0.5 * a + 0.5 * b);
        d * d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::Rating;

    fn table(rows: &[(u32, u32, f64)]) -> RatingTable {
        let r: Vec<Rating> = rows.iter().map(|&(u, r, v)| Rating::new(u, r, v)).collect();
        RatingTable::new(&r).unwrap()
    }

    #[test]
    fn perfect_agreement_is_one() {
        let t = table(&[
            (0, 0, 1.0),
            (0, 1, 1.0),
            (1, 0, 2.0),
            (1, 1, 2.0),
            (2, 0, 5.0),
        ]);
        for m in Metric::ALL {
            assert_eq!(
                alpha(&t, m),
                Ok(1.0),
                "{m:?}: identical pairs must give alpha 1"
            );
        }
    }

    #[test]
    fn degenerate_inputs_are_typed_errors() {
        let one_value = table(&[(0, 0, 3.0), (0, 1, 3.0), (1, 0, 3.0), (1, 1, 3.0)]);
        assert_eq!(
            alpha(&one_value, Metric::Interval),
            Err(AgreementError::NoVariation)
        );
        let unpairable = table(&[(0, 0, 3.0), (1, 1, 4.0)]);
        assert_eq!(
            alpha(&unpairable, Metric::Nominal),
            Err(AgreementError::NoPairableUnits)
        );
        let empty = RatingTable::new(&[]).unwrap();
        assert_eq!(
            alpha(&empty, Metric::Ordinal),
            Err(AgreementError::NoPairableUnits)
        );
        let negative = table(&[(0, 0, -1.0), (0, 1, 3.0)]);
        assert!(matches!(
            alpha(&negative, Metric::Ratio),
            Err(AgreementError::NegativeForRatio { .. })
        ));
    }
}
