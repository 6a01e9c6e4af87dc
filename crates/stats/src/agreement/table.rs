//! Reliability data in unit-major (CSR) layout, with every value mapped to its index among the
//! sorted distinct values once, so all estimators work on small integer indices.

use super::AgreementError;

/// One rating: `unit` and `rater` are dense indices chosen by the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rating {
    /// Dense unit index.
    pub unit: u32,
    /// Dense rater index.
    pub rater: u32,
    /// The value (finite).
    pub value: f64,
    /// When the rating was made (any monotone clock), for drift diagnostics.
    pub time: Option<i64>,
}

impl Rating {
    /// A rating without a time.
    pub fn new(unit: u32, rater: u32, value: f64) -> Self {
        Rating {
            unit,
            rater,
            value,
            time: None,
        }
    }
}

/// Ratings grouped by unit (units in index order, raters ascending within a unit).
#[derive(Debug, Clone)]
pub struct RatingTable {
    pub(crate) n_units: usize,
    pub(crate) n_raters: usize,
    /// `offsets[u]..offsets[u + 1]` are unit `u`'s ratings.
    pub(crate) offsets: Vec<usize>,
    pub(crate) rater: Vec<u32>,
    pub(crate) value: Vec<f64>,
    /// Rating times in table order; empty when no rating has a time.
    pub(crate) time: Vec<Option<i64>>,
    /// Index of each rating's value in `distinct`.
    pub(crate) vix: Vec<u32>,
    /// Sorted distinct values.
    pub(crate) distinct: Vec<f64>,
}

impl RatingTable {
    /// Builds the table. Unit and rater indices need not be contiguous: the table spans
    /// `0..=max`. Errors on non-finite values and on two ratings of one unit by one rater.
    pub fn new(ratings: &[Rating]) -> Result<Self, AgreementError> {
        let (mut n_units, mut n_raters, mut timed) = (0usize, 0usize, false);
        for r in ratings {
            if !r.value.is_finite() {
                return Err(AgreementError::NonFiniteValue {
                    unit: r.unit,
                    rater: r.rater,
                    value: r.value,
                });
            }
            n_units = n_units.max(r.unit as usize + 1);
            n_raters = n_raters.max(r.rater as usize + 1);
            timed |= r.time.is_some();
        }
        // Counting sort by unit (O(N + units)) straight into the columns, then raters sorted
        // within each (small) unit by insertion sort.
        let mut offsets = vec![0usize; n_units + 1];
        for r in ratings {
            offsets[r.unit as usize + 1] += 1;
        }
        for u in 0..n_units {
            offsets[u + 1] += offsets[u];
        }
        let mut next: Vec<usize> = offsets[..n_units].to_vec();
        let n = ratings.len();
        let mut rater = vec![0u32; n];
        let mut value = vec![0f64; n];
        let mut time: Vec<Option<i64>> = if timed { vec![None; n] } else { Vec::new() };
        for r in ratings {
            let slot = next[r.unit as usize];
            next[r.unit as usize] += 1;
            rater[slot] = r.rater;
            value[slot] = r.value;
            if timed {
                time[slot] = r.time;
            }
        }
        for u in 0..n_units {
            let (lo, hi) = (offsets[u], offsets[u + 1]);
            for i in (lo + 1)..hi {
                let mut j = i;
                while j > lo && rater[j - 1] > rater[j] {
                    rater.swap(j - 1, j);
                    value.swap(j - 1, j);
                    if timed {
                        time.swap(j - 1, j);
                    }
                    j -= 1;
                }
            }
            for i in (lo + 1)..hi {
                if rater[i - 1] == rater[i] {
                    return Err(AgreementError::DuplicateRating {
                        unit: u as u32,
                        rater: rater[i],
                    });
                }
            }
        }
        let (distinct, vix) = index_values(&value);
        Ok(RatingTable {
            n_units,
            n_raters,
            offsets,
            rater,
            value,
            time,
            vix,
            distinct,
        })
    }

    /// When rating `i` (in table order) was made, if known.
    pub(crate) fn time_of(&self, i: usize) -> Option<i64> {
        self.time.get(i).copied().flatten()
    }

    /// Number of unit slots (`max unit index + 1`), including units without ratings.
    pub fn n_units(&self) -> usize {
        self.n_units
    }

    /// Number of rater slots (`max rater index + 1`).
    pub fn n_raters(&self) -> usize {
        self.n_raters
    }

    /// Number of ratings.
    pub fn n_ratings(&self) -> usize {
        self.value.len()
    }

    /// The sorted distinct values.
    pub fn distinct_values(&self) -> &[f64] {
        &self.distinct
    }

    /// Ratings of unit `u` as (rater, value) slices.
    pub fn unit(&self, u: usize) -> (&[u32], &[f64]) {
        let r = self.offsets[u]..self.offsets[u + 1];
        (&self.rater[r.clone()], &self.value[r])
    }

    pub(crate) fn range(&self, u: usize) -> std::ops::Range<usize> {
        self.offsets[u]..self.offsets[u + 1]
    }

    /// The largest absolute value, for [`AgreementError::Overflow`].
    pub fn largest_magnitude(&self) -> f64 {
        match (self.distinct.first(), self.distinct.last()) {
            (Some(lo), Some(hi)) => lo.abs().max(hi.abs()),
            _ => 0.0,
        }
    }

    /// [`AgreementError::Overflow`] for these values.
    pub(crate) fn overflow(&self) -> AgreementError {
        AgreementError::Overflow {
            largest: self.largest_magnitude(),
        }
    }

    /// True when the centred sum of squares of all values is not finite: every variance-based
    /// statistic (interval alpha, ICCs, variance components, correlations) would overflow.
    pub fn squares_overflow(&self) -> bool {
        let n = self.value.len().max(1) as f64;
        // The mean of v/n cannot overflow where the plain sum would.
        let mean = self.value.iter().map(|v| v / n).sum::<f64>();
        let ss: f64 = self.value.iter().map(|v| (v - mean) * (v - mean)).sum();
        !ss.is_finite() || !mean.is_finite()
    }

    /// Units with at least one rating.
    pub fn rated_units(&self) -> usize {
        (0..self.n_units)
            .filter(|&u| !self.range(u).is_empty())
            .count()
    }

    /// Units with two or more ratings (the pairable units of Krippendorff).
    pub fn pairable_units(&self) -> usize {
        (0..self.n_units)
            .filter(|&u| self.range(u).len() >= 2)
            .count()
    }

    /// Raters with at least one rating.
    pub fn active_raters(&self) -> usize {
        let mut seen = vec![false; self.n_raters];
        for &r in &self.rater {
            seen[r as usize] = true;
        }
        seen.into_iter().filter(|&s| s).count()
    }
}

/// Sorted distinct values and, for each input value, its index among them. Distinct values
/// are found by a linear scan while there are few of them (rating scales) and by hashing beyond
/// that (O(N) either way); only the distinct values are sorted (O(V log V)).
fn index_values(values: &[f64]) -> (Vec<f64>, Vec<u32>) {
    use std::collections::HashMap;
    const LINEAR: usize = 24;
    // -0.0 and 0.0 are the same rating value.
    let key = |v: f64| if v == 0.0 { 0u64 } else { v.to_bits() };
    let mut keys: Vec<u64> = Vec::new();
    let mut hashed: Option<HashMap<u64, u32>> = None;
    let mut raw = Vec::with_capacity(values.len());
    // Integer values in -1024..=1024 (every rating scale) are looked up directly.
    const SMALL: i64 = 1024;
    let mut small = vec![u32::MAX; (2 * SMALL + 1) as usize];
    for &v in values {
        let k = key(v);
        let direct =
            (v.fract() == 0.0 && v.abs() <= SMALL as f64).then(|| (v as i64 + SMALL) as usize);
        if let Some(slot) = direct {
            if small[slot] != u32::MAX {
                raw.push(small[slot]);
                continue;
            }
        }
        let id = match &mut hashed {
            None => match keys.iter().position(|&x| x == k) {
                Some(i) => i as u32,
                None => {
                    keys.push(k);
                    if keys.len() > LINEAR {
                        hashed = Some(
                            keys.iter()
                                .enumerate()
                                .map(|(i, &x)| (x, i as u32))
                                .collect(),
                        );
                    }
                    keys.len() as u32 - 1
                }
            },
            Some(map) => {
                let n = keys.len() as u32;
                *map.entry(k).or_insert_with(|| {
                    keys.push(k);
                    n
                })
            }
        };
        if let Some(slot) = direct {
            small[slot] = id;
        }
        raw.push(id);
    }
    let distinct: Vec<f64> = keys.iter().map(|&k| f64::from_bits(k)).collect();
    let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| distinct[a as usize].total_cmp(&distinct[b as usize]));
    let mut rank = vec![0u32; distinct.len()];
    for (pos, &id) in order.iter().enumerate() {
        rank[id as usize] = pos as u32;
    }
    let sorted: Vec<f64> = order.iter().map(|&id| distinct[id as usize]).collect();
    (
        sorted,
        raw.into_iter().map(|id| rank[id as usize]).collect(),
    )
}

/// An ordered list of categories (a scale's points) and each rating's index in it.
#[derive(Debug, Clone)]
pub struct Categories {
    pub(crate) values: Vec<f64>,
    /// Category index of each rating of the table it was made for.
    pub(crate) of_rating: Vec<u32>,
    /// How the weighted kappas measure the distance between two categories.
    pub(crate) weights: KappaWeights,
}

/// The distance between two categories in the weighted kappas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KappaWeights {
    /// By position on the scale: `|i − j|` over the scale's points in order, so an unused point
    /// still counts (for integer Likert points, the difference of the values). The default.
    #[default]
    Scale,
    /// By rank among the categories the rater pair actually used on its shared units, as R
    /// psych's `cohen.kappa` computes them (its factor levels): a category nobody in the pair
    /// used does not count, so 1, 3, 5 are as far apart as 1, 2, 3.
    Rank,
}

impl Categories {
    /// Categories in the given order (e.g. a Likert scale's points `1..=k`, or a nominal
    /// scale's codes). Every rating must be one of them.
    pub fn from_scale(table: &RatingTable, order: &[f64]) -> Result<Self, AgreementError> {
        if order.iter().any(|v| !v.is_finite()) {
            return Err(AgreementError::BadCategories);
        }
        let mut sorted: Vec<(f64, u32)> = order
            .iter()
            .enumerate()
            .map(|(i, &v)| (v, i as u32))
            .collect();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        if sorted.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(AgreementError::BadCategories);
        }
        let mut map = Vec::with_capacity(table.distinct.len());
        for &v in &table.distinct {
            match sorted.binary_search_by(|p| p.0.total_cmp(&v)) {
                Ok(pos) => map.push(sorted[pos].1),
                Err(_) => return Err(AgreementError::NotACategory { value: v }),
            }
        }
        let of_rating = table.vix.iter().map(|&i| map[i as usize]).collect();
        Ok(Categories {
            values: order.to_vec(),
            of_rating,
            weights: KappaWeights::Scale,
        })
    }

    /// The observed distinct values in ascending order.
    pub fn from_data(table: &RatingTable) -> Self {
        Categories {
            values: table.distinct.clone(),
            of_rating: table.vix.clone(),
            weights: KappaWeights::Scale,
        }
    }

    /// The same categories with the weighted kappas' distances taken by `weights`.
    pub fn with_weights(mut self, weights: KappaWeights) -> Self {
        self.weights = weights;
        self
    }

    /// How the weighted kappas measure the distance of two categories.
    pub fn weights(&self) -> KappaWeights {
        self.weights
    }

    /// Number of categories.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True without categories.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The categories' values, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_unit_and_indexes_values() {
        let t = RatingTable::new(&[
            Rating::new(1, 0, 3.0),
            Rating::new(0, 1, 1.0),
            Rating::new(0, 0, 3.0),
        ])
        .unwrap();
        assert_eq!(
            t.unit(0),
            (&[0u32, 1][..], &[3.0, 1.0][..]),
            "raters sorted within unit"
        );
        assert_eq!(t.distinct_values(), &[1.0, 3.0]);
        assert_eq!(t.pairable_units(), 1);
    }

    #[test]
    fn many_distinct_values_are_indexed_in_order() {
        let rows: Vec<Rating> = (0..200)
            .map(|i| Rating::new(i / 2, i % 2, ((i * 37) % 101) as f64 - 50.0))
            .collect();
        let t = RatingTable::new(&rows).unwrap();
        assert_eq!(
            t.distinct_values().len(),
            101,
            "hash path keeps every distinct value"
        );
        assert!(
            t.distinct_values().windows(2).all(|w| w[0] < w[1]),
            "ascending"
        );
        for (i, &v) in t.value.iter().enumerate() {
            assert_eq!(
                t.distinct[t.vix[i] as usize], v,
                "index points at the value"
            );
        }
        // Non-integers take the linear-scan path, then the hash path beyond 24 values.
        let rows: Vec<Rating> = (0..300)
            .map(|i| Rating::new(i / 3, i % 3, ((i * 53) % 97) as f64 * 0.37))
            .collect();
        let t = RatingTable::new(&rows).unwrap();
        assert_eq!(t.distinct_values().len(), 97);
        assert!(
            t.distinct_values().windows(2).all(|w| w[0] < w[1]),
            "ascending"
        );
        for (i, &v) in t.value.iter().enumerate() {
            assert_eq!(
                t.distinct[t.vix[i] as usize], v,
                "index points at the value"
            );
        }
        let z = RatingTable::new(&[Rating::new(0, 0, -0.0), Rating::new(0, 1, 0.0)]).unwrap();
        assert_eq!(z.distinct_values().len(), 1, "-0 and 0 are one value");
    }

    #[test]
    fn rejects_duplicates_and_nan() {
        let dup = RatingTable::new(&[Rating::new(0, 0, 1.0), Rating::new(0, 0, 2.0)]);
        assert!(matches!(dup, Err(AgreementError::DuplicateRating { .. })));
        let nan = RatingTable::new(&[Rating::new(0, 0, f64::NAN)]);
        assert!(matches!(nan, Err(AgreementError::NonFiniteValue { .. })));
    }

    #[test]
    fn scale_categories_must_cover_values() {
        let t = RatingTable::new(&[Rating::new(0, 0, 2.0), Rating::new(0, 1, 9.0)]).unwrap();
        assert!(matches!(
            Categories::from_scale(&t, &[1.0, 2.0, 3.0]),
            Err(AgreementError::NotACategory { .. })
        ));
        let c = Categories::from_scale(&t, &[9.0, 2.0]).unwrap();
        assert_eq!(
            c.of_rating,
            vec![1, 0],
            "order follows the scale, not the data"
        );
    }
}
