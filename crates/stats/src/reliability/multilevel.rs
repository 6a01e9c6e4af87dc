//! Multilevel reliability of items answered on several occasions by each person (Shrout &
//! Lane, 2012; psych's `multilevel.reliability`/`mlr` with its default `aov = TRUE`).
//!
//! The data are a complete persons × occasions × items array with one value per cell. The
//! three-way crossed ANOVA without replication gives mean squares for person (p), time (t),
//! item (i), p×t, p×i, t×i and the residual (the p×t×i interaction); the variance components
//! are psych's expected-mean-square solutions, e.g. σ²_p = (MS_p − MS_pt − MS_pi + MS_e)/(t·m).
//! With n persons, t occasions and m items:
//!
//! - R1F = (σ²_p + σ²_pi/m) / (σ²_p + σ²_pi/m + σ²_e/m): one occasion, fixed occasions
//!   (Shrout & Lane's R1F; psych does not report it);
//! - RkF = (σ²_p + σ²_pi/m) / (σ²_p + σ²_pi/m + σ²_e/(t·m)): the average of the occasions;
//! - R1R = (σ²_p + σ²_pi/m) / (σ²_p + σ²_pi/m + σ²_t + σ²_pt + σ²_e/m): one random occasion;
//! - RkR = (σ²_p + σ²_pi/m) / (σ²_p + σ²_pi/m + (σ²_t + σ²_pt)/t + σ²_e/(t·m));
//! - Rc = σ²_pt / (σ²_pt + σ²_e/m): the reliability of change within a person.
//!
//! Components are reported as estimated, negative ones too (as psych does, with a warning
//! there); checked against psych on `scripts/reference/reliability/psych_multilevel.R`.

/// What makes a multilevel reliability undefined.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // the variants' fields: each message names them
pub enum MultilevelError {
    /// At least two persons, two occasions and two items are needed.
    #[error(
        "multilevel reliability needs at least 2 persons, 2 occasions and 2 items, found \
         {persons}, {occasions} and {items}"
    )]
    TooSmall {
        persons: usize,
        occasions: usize,
        items: usize,
    },
    /// A cell is missing: the ANOVA estimates need every person to answer every item on
    /// every occasion.
    #[error(
        "person {person}, occasion {occasion}, item {item}: no value (the design must be complete)"
    )]
    Missing {
        person: usize,
        occasion: usize,
        item: usize,
    },
    /// The array is not persons × occasions × items.
    #[error("person {person}: expected {occasions} occasions of {items} items")]
    Ragged {
        person: usize,
        occasions: usize,
        items: usize,
    },
    /// A coefficient's denominator is zero (no variance at all).
    #[error("the data have no variance: the reliabilities are undefined")]
    NoVariance,
}

/// The variance components and coefficients of a multilevel reliability.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MultilevelReliability {
    /// Persons.
    pub n_persons: usize,
    /// Occasions (psych's time).
    pub n_occasions: usize,
    /// Items.
    pub n_items: usize,
    /// Variance components, psych's order: person, time, item, person×time, person×item,
    /// time×item, residual.
    pub components: MultilevelComponents,
    /// One occasion, occasions fixed.
    pub r1f: f64,
    /// The average of the occasions, fixed.
    pub rkf: f64,
    /// One occasion, random.
    pub r1r: f64,
    /// The average of the occasions, random.
    pub rkr: f64,
    /// Change within persons.
    pub rc: f64,
}

/// Variance components of the persons × occasions × items design.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MultilevelComponents {
    /// σ²_person.
    pub person: f64,
    /// σ²_time.
    pub time: f64,
    /// σ²_item.
    pub item: f64,
    /// σ²_person×time.
    pub person_time: f64,
    /// σ²_person×item.
    pub person_item: f64,
    /// σ²_time×item.
    pub time_item: f64,
    /// σ²_residual (the three-way interaction, confounded with error).
    pub residual: f64,
}

impl MultilevelComponents {
    /// Their sum, psych's `Total`.
    pub fn total(&self) -> f64 {
        self.person
            + self.time
            + self.item
            + self.person_time
            + self.person_item
            + self.time_item
            + self.residual
    }
}

/// Multilevel reliability of `y[person][occasion][item]` (items already reverse-scored).
///
/// ```
/// use chameleon_stats::reliability::multilevel::multilevel_reliability;
/// let y: Vec<Vec<Vec<Option<f64>>>> = (0..4)
///     .map(|p| (0..3).map(|t| (0..2).map(|i| Some((p * 2 + t * (p % 2) + i) as f64)).collect()).collect())
///     .collect();
/// let r = multilevel_reliability(&y).unwrap();
/// assert!(r.rkf > 0.0 && r.rkf <= 1.0);
/// ```
pub fn multilevel_reliability(
    y: &[Vec<Vec<Option<f64>>>],
) -> Result<MultilevelReliability, MultilevelError> {
    let n = y.len();
    let t = y.first().map_or(0, Vec::len);
    let m = y.first().and_then(|p| p.first()).map_or(0, Vec::len);
    if n < 2 || t < 2 || m < 2 {
        return Err(MultilevelError::TooSmall {
            persons: n,
            occasions: t,
            items: m,
        });
    }
    let mut x = vec![0.0; n * t * m];
    for (p, occasions) in y.iter().enumerate() {
        if occasions.len() != t || occasions.iter().any(|o| o.len() != m) {
            return Err(MultilevelError::Ragged {
                person: p,
                occasions: t,
                items: m,
            });
        }
        for (o, items) in occasions.iter().enumerate() {
            for (i, v) in items.iter().enumerate() {
                match v {
                    Some(v) if v.is_finite() => x[(p * t + o) * m + i] = *v,
                    _ => {
                        return Err(MultilevelError::Missing {
                            person: p,
                            occasion: o,
                            item: i,
                        })
                    }
                }
            }
        }
    }
    let at = |p: usize, o: usize, i: usize| x[(p * t + o) * m + i];
    let (nf, tf, mf) = (n as f64, t as f64, m as f64);
    let g = x.iter().sum::<f64>() / (nf * tf * mf);
    let mut mp = vec![0.0; n];
    let mut mt = vec![0.0; t];
    let mut mi = vec![0.0; m];
    let mut mpt = vec![0.0; n * t];
    let mut mpi = vec![0.0; n * m];
    let mut mti = vec![0.0; t * m];
    for p in 0..n {
        for o in 0..t {
            for i in 0..m {
                let v = at(p, o, i);
                mp[p] += v / (tf * mf);
                mt[o] += v / (nf * mf);
                mi[i] += v / (nf * tf);
                mpt[p * t + o] += v / mf;
                mpi[p * m + i] += v / tf;
                mti[o * m + i] += v / nf;
            }
        }
    }
    let sq = |v: f64| v * v;
    let ss_p: f64 = tf * mf * mp.iter().map(|&v| sq(v - g)).sum::<f64>();
    let ss_t: f64 = nf * mf * mt.iter().map(|&v| sq(v - g)).sum::<f64>();
    let ss_i: f64 = nf * tf * mi.iter().map(|&v| sq(v - g)).sum::<f64>();
    let (mut ss_pt, mut ss_pi, mut ss_ti, mut ss_e) = (0.0, 0.0, 0.0, 0.0);
    for p in 0..n {
        for o in 0..t {
            ss_pt += mf * sq(mpt[p * t + o] - mp[p] - mt[o] + g);
        }
        for i in 0..m {
            ss_pi += tf * sq(mpi[p * m + i] - mp[p] - mi[i] + g);
        }
    }
    for o in 0..t {
        for i in 0..m {
            ss_ti += nf * sq(mti[o * m + i] - mt[o] - mi[i] + g);
        }
    }
    for p in 0..n {
        for o in 0..t {
            for i in 0..m {
                ss_e += sq(
                    at(p, o, i) - mpt[p * t + o] - mpi[p * m + i] - mti[o * m + i]
                        + mp[p]
                        + mt[o]
                        + mi[i]
                        - g,
                );
            }
        }
    }
    let ms_p = ss_p / (nf - 1.0);
    let ms_t = ss_t / (tf - 1.0);
    let ms_i = ss_i / (mf - 1.0);
    let ms_pt = ss_pt / ((nf - 1.0) * (tf - 1.0));
    let ms_pi = ss_pi / ((nf - 1.0) * (mf - 1.0));
    let ms_ti = ss_ti / ((tf - 1.0) * (mf - 1.0));
    let ms_e = ss_e / ((nf - 1.0) * (tf - 1.0) * (mf - 1.0));
    let c = MultilevelComponents {
        person: (ms_p - ms_pt - ms_pi + ms_e) / (tf * mf),
        time: (ms_t - ms_pt - ms_ti + ms_e) / (nf * mf),
        item: (ms_i - ms_pi - ms_ti + ms_e) / (nf * tf),
        person_time: (ms_pt - ms_e) / mf,
        person_item: (ms_pi - ms_e) / tf,
        time_item: (ms_ti - ms_e) / nf,
        residual: ms_e,
    };
    let signal = c.person + c.person_item / mf;
    let ratio = |num: f64, den: f64| {
        if den == 0.0 || !den.is_finite() {
            Err(MultilevelError::NoVariance)
        } else {
            Ok(num / den)
        }
    };
    let e = c.residual;
    Ok(MultilevelReliability {
        n_persons: n,
        n_occasions: t,
        n_items: m,
        r1f: ratio(signal, signal + e / mf)?,
        rkf: ratio(signal, signal + e / (tf * mf))?,
        r1r: ratio(signal, signal + c.time + c.person_time + e / mf)?,
        rkr: ratio(
            signal,
            signal + c.time / tf + c.person_time / tf + e / (tf * mf),
        )?,
        rc: ratio(c.person_time, c.person_time + e / mf)?,
        components: c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_or_small_designs_are_errors() {
        let cell = |v| vec![vec![Some(v), Some(v + 1.0)]; 2];
        assert!(matches!(
            multilevel_reliability(&[cell(1.0)]),
            Err(MultilevelError::TooSmall { persons: 1, .. })
        ));
        let mut y = vec![cell(1.0), cell(2.0)];
        y[1][1][0] = None;
        assert_eq!(
            multilevel_reliability(&y),
            Err(MultilevelError::Missing {
                person: 1,
                occasion: 1,
                item: 0
            })
        );
        let flat = vec![vec![vec![Some(3.0); 2]; 2]; 3];
        assert_eq!(
            multilevel_reliability(&flat),
            Err(MultilevelError::NoVariance)
        );
    }
}
