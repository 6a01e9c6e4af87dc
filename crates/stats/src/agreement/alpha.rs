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
//! Every path reads the units through one view, a run of (value, multiplicity) entries per
//! unit: a [`RatingTable`] as one entry per rating in table order (so its sums are those of a
//! direct computation), a [`UnitValues`] (the query engine's per-unit summaries) as one entry
//! per distinct value.
//!
//! Tested against the Python `krippendorff` package (0.7) on Krippendorff's 2011 example and on
//! seeded generated data (`tests/fixtures/agreement`), to `prec::EXACT_REL`.

use super::{AgreementError, RatingTable};
use crate::fxhash::FxHashMap;

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
    AlphaUnits::new(table, want).alpha(table, weights, &mut AlphaScratch::default())
}

/// Reliability data as each unit's distinct values with their multiplicities: what alpha
/// reads of a unit, so that a unit's ratings need not be kept one by one (the query engine
/// gathers them so, out of core). [`UnitValues::alpha_all`] and [`alpha_all`] run the same
/// computation; a [`RatingTable`] is the special case of every multiplicity 1.
#[derive(Debug, Clone, Default)]
pub struct UnitValues {
    /// `offsets[u]..offsets[u + 1]` are unit `u`'s entries.
    offsets: Vec<usize>,
    vix: Vec<u32>,
    value: Vec<f64>,
    count: Vec<u32>,
    distinct: Vec<f64>,
}

impl UnitValues {
    /// The units, each as `(value, multiplicity)` pairs (any order; a value may repeat).
    /// Errors on a non-finite value ([`AgreementError::NonFiniteValue`], with the unit's
    /// position and rater 0: the ratings' raters are not known here).
    pub fn new<'a, I>(units: I) -> Result<UnitValues, AgreementError>
    where
        I: IntoIterator<Item = &'a [(f64, u32)]>,
    {
        let mut out = UnitValues {
            offsets: vec![0],
            ..UnitValues::default()
        };
        for (u, unit) in units.into_iter().enumerate() {
            for &(v, c) in unit {
                if !v.is_finite() {
                    return Err(AgreementError::NonFiniteValue {
                        unit: u as u32,
                        rater: 0,
                        value: v,
                    });
                }
                if c > 0 {
                    // -0.0 and 0.0 are one rating value, as in a table.
                    out.value.push(if v == 0.0 { 0.0 } else { v });
                    out.count.push(c);
                }
            }
            out.offsets.push(out.value.len());
        }
        let mut distinct = out.value.clone();
        distinct.sort_unstable_by(f64::total_cmp);
        distinct.dedup();
        out.vix = out
            .value
            .iter()
            .map(|v| distinct.partition_point(|d| d < v) as u32)
            .collect();
        out.distinct = distinct;
        Ok(out)
    }

    /// Number of units.
    pub fn n_units(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Units with at least one rating.
    pub fn rated_units(&self) -> usize {
        (0..self.n_units())
            .filter(|&u| self.view().m(u) >= 1)
            .count()
    }

    /// Units with two or more ratings (the pairable units of Krippendorff).
    pub fn pairable_units(&self) -> usize {
        (0..self.n_units())
            .filter(|&u| self.view().m(u) >= 2)
            .count()
    }

    /// Number of ratings (the sum of the multiplicities).
    pub fn n_ratings(&self) -> u64 {
        self.count.iter().map(|&c| u64::from(c)).sum()
    }

    /// The sorted distinct values.
    pub fn distinct_values(&self) -> &[f64] {
        &self.distinct
    }

    /// Alpha at all four levels, the computation of [`alpha_all`].
    pub fn alpha_all(&self) -> AlphaSet {
        let view = self.view();
        AlphaUnits::build(&view, [true; 4]).alpha_view(&view, None, &mut AlphaScratch::default())
    }

    fn view(&self) -> Units<'_> {
        Units {
            offsets: &self.offsets,
            vix: &self.vix,
            value: &self.value,
            count: Some(&self.count),
            distinct: &self.distinct,
        }
    }
}

/// What alpha reads of reliability data: per unit a run of entries, each a value (and its
/// index among the sorted distinct values) with a multiplicity. A [`RatingTable`] is read with
/// one entry per rating, in table order, so its numbers are those of a direct computation.
#[derive(Clone, Copy)]
struct Units<'a> {
    offsets: &'a [usize],
    vix: &'a [u32],
    value: &'a [f64],
    /// `None`: every multiplicity is 1.
    count: Option<&'a [u32]>,
    distinct: &'a [f64],
}

impl<'a> Units<'a> {
    fn of_table(table: &'a RatingTable) -> Units<'a> {
        Units {
            offsets: &table.offsets,
            vix: &table.vix,
            value: &table.value,
            count: None,
            distinct: &table.distinct,
        }
    }

    fn n_units(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    fn range(&self, u: usize) -> std::ops::Range<usize> {
        self.offsets[u]..self.offsets[u + 1]
    }

    /// Multiplicity of entry `i`.
    fn n(&self, i: usize) -> f64 {
        self.count.map_or(1.0, |c| f64::from(c[i]))
    }

    /// Ratings of unit `u`.
    fn m(&self, u: usize) -> usize {
        let r = self.range(u);
        match self.count {
            None => r.len(),
            Some(c) => c[r].iter().map(|&x| x as usize).sum(),
        }
    }

    fn overflow(&self) -> AgreementError {
        let largest = match (self.distinct.first(), self.distinct.last()) {
            (Some(lo), Some(hi)) => lo.abs().max(hi.abs()),
            _ => 0.0,
        };
        AgreementError::Overflow { largest }
    }
}

/// The parts of alpha's observed disagreement that do not depend on the units' weights, per
/// pairable unit, computed once so that a bootstrap resample only weighs them (all four levels
/// read the same pass). Only the ordinal part depends on the resample (through the mid-ranks);
/// it and the margins are read per *pattern*: units whose entries are the same sequence of
/// (value index, multiplicity) give the same numbers in the same order, so a pattern's
/// centred sum of mid-ranks is each of its units' bit for bit, and the margins are sums of
/// whole numbers (exact in any grouping). With a scale of a few points most units share a
/// few dozen patterns, so a resample reads each rating once per pattern instead of twice.
pub(crate) struct AlphaUnits {
    want: [bool; 4],
    ratio_ok: Result<(), AgreementError>,
    /// Pairable units (two or more ratings), ascending.
    unit: Vec<u32>,
    /// Ratings of the unit.
    m: Vec<f64>,
    /// Σ (x − mean)² of the unit's values (interval).
    int: Vec<f64>,
    /// Σ over the unit's pairs of the ratio δ² (ratio; 0 when not wanted or not defined).
    rat: Vec<f64>,
    /// m² − Σ_c n_uc² (nominal).
    nom: Vec<f64>,
    /// The unit's pattern.
    pat: Vec<u32>,
    /// Pattern p's entries are `pat_vix[pat_at[p]..pat_at[p + 1]]` with multiplicities
    /// `pat_n` (the first of its units' entries, in their order).
    pat_at: Vec<u32>,
    pat_vix: Vec<u32>,
    pat_n: Vec<f64>,
    /// Units of each pattern: its weight when every unit counts once.
    pat_units: Vec<u32>,
    /// Row `p · TERM_WEIGHTS + w`: what a unit of pattern p counted w times adds to the
    /// interval, (as a factor of its centred mid-ranks) the ordinal, the ratio and the
    /// nominal numerators, each the very product the direct computation forms, so that a
    /// resample adds up table entries in unit order instead of dividing and multiplying per
    /// unit. Empty when the patterns are too many for the table to pay.
    terms: Vec<[f64; 4]>,
}

/// Weights `0..TERM_WEIGHTS` are read from [`AlphaUnits::terms`]; a unit drawn more often
/// (about 1 in 10^13 of a bootstrap's draws) is computed directly.
const TERM_WEIGHTS: usize = 16;

/// Patterns beyond this many (continuous values) are computed directly: the table would
/// cost more to build and to read than it saves.
const MAX_TERM_PATTERNS: usize = 4096;

/// Scratch space of [`AlphaUnits::alpha`] (its contents on entry do not matter), reused from
/// resample to resample.
#[derive(Default)]
pub(crate) struct AlphaScratch {
    margin: Vec<f64>,
    rank: Vec<f64>,
    /// Each pattern's weight in this resample.
    weight: Vec<f64>,
    /// Each pattern's Σ n (rank − mean)².
    ord: Vec<f64>,
}

impl AlphaUnits {
    /// The weight-free parts of the levels flagged in `want` (order of [`Metric::ALL`]).
    pub(crate) fn new(table: &RatingTable, want: [bool; 4]) -> AlphaUnits {
        AlphaUnits::build(&Units::of_table(table), want)
    }

    fn build(units: &Units<'_>, want: [bool; 4]) -> AlphaUnits {
        let [want_nom, _, want_int, want_rat] = want;
        let ratio_ok = match units.distinct.first() {
            _ if !want_rat => Err(AgreementError::NoVariation),
            Some(&min) if min < 0.0 => Err(AgreementError::NegativeForRatio { value: min }),
            _ => Ok(()),
        };
        let mut a = AlphaUnits {
            want,
            ratio_ok,
            unit: Vec::new(),
            m: Vec::new(),
            int: Vec::new(),
            rat: Vec::new(),
            nom: Vec::new(),
            pat: Vec::new(),
            pat_at: vec![0],
            pat_vix: Vec::new(),
            pat_n: Vec::new(),
            pat_units: Vec::new(),
            terms: Vec::new(),
        };
        let mut counts: Vec<(u32, f64)> = Vec::new();
        let mut ns: Vec<f64> = Vec::new();
        let mut patterns: FxHashMap<Vec<(u32, u64)>, u32> = FxHashMap::default();
        let mut key: Vec<(u32, u64)> = Vec::new();
        for u in 0..units.n_units() {
            let m = units.m(u);
            if m < 2 {
                continue;
            }
            let r = units.range(u);
            let vals = &units.value[r.clone()];
            ns.clear();
            ns.extend(r.clone().map(|i| units.n(i)));
            a.unit.push(u as u32);
            key.clear();
            key.extend(r.clone().map(|i| (units.vix[i], units.n(i).to_bits())));
            let p = match patterns.get(&key[..]) {
                Some(&p) => p,
                None => {
                    let p = a.pat_units.len() as u32;
                    patterns.insert(key.clone(), p);
                    a.pat_vix.extend(key.iter().map(|e| e.0));
                    a.pat_n.extend(key.iter().map(|e| f64::from_bits(e.1)));
                    a.pat_at.push(a.pat_vix.len() as u32);
                    a.pat_units.push(0);
                    p
                }
            };
            a.pat_units[p as usize] += 1;
            a.pat.push(p);
            a.m.push(m as f64);
            a.int.push(if want_int {
                centred_ss(vals.iter().copied().zip(ns.iter().copied()))
            } else {
                0.0
            });
            let mut s = 0.0;
            if a.ratio_ok.is_ok() {
                for i in 0..vals.len() {
                    for j in (i + 1)..vals.len() {
                        s += ns[i] * ns[j] * ratio_delta2(vals[i], vals[j]);
                    }
                }
            }
            a.rat.push(s);
            let mut same = 0.0;
            if want_nom {
                counts.clear();
                counts.extend(r.clone().map(|i| (units.vix[i], units.n(i))));
                counts.sort_unstable_by_key(|c| c.0);
                let mut k = 0;
                while k < counts.len() {
                    let mut run = counts[k].1;
                    k += 1;
                    while k < counts.len() && counts[k].0 == counts[k - 1].0 {
                        run += counts[k].1;
                        k += 1;
                    }
                    same += run * run;
                }
            }
            a.nom.push((m * m) as f64 - same);
        }
        a
    }

    /// With [`AlphaUnits::terms`] for the many evaluations of a bootstrap (one evaluation
    /// would spend more on the table than it saves).
    pub(crate) fn for_resamples(mut self) -> AlphaUnits {
        if self.pat_units.len() <= MAX_TERM_PATTERNS {
            self.terms = self.term_table();
        }
        self
    }

    /// [`AlphaUnits::terms`], from each pattern's first unit (its units' parts are the same
    /// bits: they read the same entries in the same order).
    fn term_table(&self) -> Vec<[f64; 4]> {
        let [want_nom, want_ord, want_int, _] = self.want;
        let mut first = vec![usize::MAX; self.pat_units.len()];
        for (j, &p) in self.pat.iter().enumerate().rev() {
            first[p as usize] = j;
        }
        let mut terms = Vec::with_capacity(first.len() * TERM_WEIGHTS);
        for &j in &first {
            terms.push([0.0; 4]);
            for w in 1..TERM_WEIGHTS {
                let [ti, to, tr, tn] = self.unit_terms(j, w as f64);
                terms.push([
                    if want_int { ti } else { 0.0 },
                    if want_ord { to } else { 0.0 },
                    if self.ratio_ok.is_ok() { tr } else { 0.0 },
                    if want_nom { tn } else { 0.0 },
                ]);
            }
        }
        terms
    }

    /// What pairable unit j counted `wu` times adds: the interval, the ordinal's factor, the
    /// ratio and the nominal numerator terms.
    #[inline]
    fn unit_terms(&self, j: usize, wu: f64) -> [f64; 4] {
        let m = self.m[j];
        let scale = wu / (m - 1.0);
        [
            scale * 2.0 * m * self.int[j],
            scale * 2.0 * m,
            scale * 2.0 * self.rat[j],
            scale * self.nom[j],
        ]
    }

    /// Alpha with unit `u` counted `weights[u]` times, or once.
    pub(crate) fn alpha(
        &self,
        table: &RatingTable,
        weights: Option<&[u32]>,
        sc: &mut AlphaScratch,
    ) -> AlphaSet {
        self.alpha_view(&Units::of_table(table), weights, sc)
    }

    fn alpha_view(
        &self,
        units: &Units<'_>,
        weights: Option<&[u32]>,
        sc: &mut AlphaScratch,
    ) -> AlphaSet {
        let [want_nom, want_ord, want_int, _] = self.want;
        let v = units.distinct.len();
        let AlphaScratch {
            margin,
            rank,
            weight,
            ord,
        } = sc;
        weight.clear();
        match weights {
            None => weight.extend(self.pat_units.iter().map(|&k| f64::from(k))),
            Some(ws) => {
                weight.resize(self.pat_units.len(), 0.0);
                for (&u, &p) in self.unit.iter().zip(&self.pat) {
                    weight[p as usize] += f64::from(ws[u as usize]);
                }
            }
        }
        let entries = |p: usize| self.pat_at[p] as usize..self.pat_at[p + 1] as usize;
        // Margins n_c over pairable units.
        margin.clear();
        margin.resize(v, 0.0);
        for (p, &wp) in weight.iter().enumerate() {
            if wp == 0.0 {
                continue;
            }
            for i in entries(p) {
                margin[self.pat_vix[i] as usize] += wp * self.pat_n[i];
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
        ord.clear();
        ord.resize(self.pat_units.len(), 0.0);
        if want_ord {
            for (p, &wp) in weight.iter().enumerate() {
                if wp != 0.0 {
                    ord[p] = centred_ss(
                        entries(p).map(|i| (rank[self.pat_vix[i] as usize], self.pat_n[i])),
                    );
                }
            }
        }

        // Observed disagreement numerators Σ_u Σ_{i≠j} δ²_ij / (m_u − 1).
        let (mut do_nom, mut do_ord, mut do_int, mut do_rat) = (0.0, 0.0, 0.0, 0.0);
        // Every term is ≥ 0 and a zero weight's row is +0.0, so adding it changes no bit:
        // the table's sums are the direct ones.
        let tw = if self.terms.is_empty() {
            0
        } else {
            TERM_WEIGHTS
        };
        for (j, &u) in self.unit.iter().enumerate() {
            let p = self.pat[j] as usize;
            let wu = weights.map_or(1, |w| w[u as usize]) as usize;
            if wu < tw {
                let t = &self.terms[p * tw + wu];
                do_int += t[0];
                do_ord += t[1] * ord[p];
                do_rat += t[2];
                do_nom += t[3];
                continue;
            }
            if wu == 0 {
                continue;
            }
            let [ti, to, tr, tn] = self.unit_terms(j, wu as f64);
            if want_int {
                do_int += ti;
            }
            if want_ord {
                do_ord += to * ord[p];
            }
            if ratio_ok.is_ok() {
                do_rat += tr;
            }
            if want_nom {
                do_nom += tn;
            }
        }

        // Expected disagreement numerators Σ_ck n_c n_k δ²_ck.
        let de_nom = n * n - margin.iter().map(|x| x * x).sum::<f64>();
        let de_int = 2.0 * n * weighted_centred_ss(units.distinct, margin);
        let de_ord = 2.0 * n * weighted_centred_ss(rank, margin);
        let finish = |d_o: f64, d_e: f64| -> Result<f64, AgreementError> {
            // A non-finite sum is an overflow of the squared differences (values near ±1e154
            // and beyond), not an absence of variation.
            if !d_e.is_finite() || !d_o.is_finite() {
                Err(units.overflow())
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
                    .map(|k| margin[k] * ratio_delta2(units.distinct[c], units.distinct[k]))
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

/// Σ n (x − mean)² over `(x, n)` (value, multiplicity), two-pass for accuracy. With every
/// n = 1 the operations are those of the plain sum over the values (1 · x = x exactly).
fn centred_ss(xs: impl Iterator<Item = (f64, f64)> + Clone) -> f64 {
    let (mut s, mut k) = (0.0, 0.0);
    for (x, n) in xs.clone() {
        s += n * x;
        k += n;
    }
    let mean = s / k;
    xs.map(|(x, n)| n * (x - mean) * (x - mean)).sum()
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

    /// Each unit of `t` as (value, multiplicity) pairs: one entry per rating in table order,
    /// or merged by value (sorted), units in reverse order.
    fn unit_values(t: &RatingTable, merged: bool) -> UnitValues {
        let mut units: Vec<Vec<(f64, u32)>> = (0..t.n_units())
            .map(|u| {
                let (_, vals) = t.unit(u);
                if !merged {
                    return vals.iter().map(|&v| (v, 1)).collect();
                }
                let mut out: Vec<(f64, u32)> = Vec::new();
                let mut sorted = vals.to_vec();
                sorted.sort_by(f64::total_cmp);
                for v in sorted {
                    match out.last_mut() {
                        Some(last) if last.0 == v => last.1 += 1,
                        _ => out.push((v, 1)),
                    }
                }
                out
            })
            .collect();
        if merged {
            units.reverse();
        }
        UnitValues::new(units.iter().map(Vec::as_slice)).unwrap()
    }

    #[test]
    fn unit_values_are_the_table_computation() {
        let mut rows = Vec::new();
        for u in 0..40u32 {
            for r in 0..4u32 {
                if (u + r) % 5 == 0 {
                    continue; // missing ratings, and units of one rating
                }
                let v = f64::from((u * 7 + r * 3) % 6) * 0.75 + f64::from(u % 3);
                rows.push((u, r, v));
            }
        }
        rows.push((41, 0, 2.0)); // a unit of one rating: not pairable
        let t = table(&rows);
        let want = alpha_all(&t);
        let same = unit_values(&t, false);
        assert_eq!(
            same.alpha_all(),
            want,
            "one entry per rating: the same bits"
        );
        assert_eq!(same.pairable_units(), t.pairable_units());
        assert_eq!(same.rated_units(), t.rated_units());
        assert_eq!(same.n_ratings(), t.n_ratings() as u64);
        assert_eq!(same.distinct_values(), t.distinct_values());
        let merged = unit_values(&t, true).alpha_all();
        for m in Metric::ALL {
            let (a, b) = (
                *want.get(m).as_ref().unwrap(),
                *merged.get(m).as_ref().unwrap(),
            );
            assert!((a - b).abs() <= 1e-14 * a.abs(), "{m:?}: {a} vs {b}");
        }
        // Degenerate inputs give the table's errors.
        let one = table(&[(0, 0, 3.0), (0, 1, 3.0)]);
        assert_eq!(unit_values(&one, true).alpha_all(), alpha_all(&one));
        let none = table(&[(0, 0, 3.0), (1, 1, 4.0)]);
        assert_eq!(unit_values(&none, true).alpha_all(), alpha_all(&none));
        let neg = table(&[(0, 0, -1.0), (0, 1, 3.0), (1, 0, 2.0)]);
        assert_eq!(unit_values(&neg, true).alpha_all(), alpha_all(&neg));
        assert!(matches!(
            UnitValues::new([&[(f64::NAN, 1)][..]]),
            Err(AgreementError::NonFiniteValue { .. })
        ));
    }

    #[test]
    fn a_unit_counted_w_times_is_the_unit_repeated_w_times() {
        // Few values, so many units share a pattern; the same values in another order are
        // another pattern; units of one rating and units drawn 0 times are among them.
        let mut rows = Vec::new();
        for u in 0..30u32 {
            for r in 0..3u32 {
                if (u * 5 + r) % 11 == 3 {
                    continue;
                }
                rows.push((u, r, f64::from((u + r * (u % 2 + 1)) % 3 + 1)));
            }
        }
        let t = table(&rows);
        let weights: Vec<u32> = (0..30u32).map(|u| (u * 7 + 3) % 4).collect();
        let mut repeated = Vec::new();
        for &(u, r, v) in &rows {
            for k in 0..weights[u as usize] {
                repeated.push((1000 * k + u, r, v));
            }
        }
        let want = alpha_all(&table(&repeated));
        let got = alpha_weighted(&t, Some(&weights), [true; 4]);
        for m in Metric::ALL {
            let (a, b) = (
                *want.get(m).as_ref().unwrap(),
                *got.get(m).as_ref().unwrap(),
            );
            assert!((a - b).abs() <= 1e-12 * a.abs(), "{m:?}: {a} vs {b}");
        }
        let patterns = AlphaUnits::new(&t, [true; 4]).pat_units.len();
        assert!(patterns < t.pairable_units() / 2, "{patterns} patterns");
        // Every unit counted once is the plain computation, bit for bit.
        let ones = vec![1u32; 30];
        assert_eq!(alpha_weighted(&t, Some(&ones), [true; 4]), alpha_all(&t));
        // The term table gives the direct computation's bits, also for weights beyond it.
        let with_table = AlphaUnits::new(&t, [true; 4]).for_resamples();
        assert!(!with_table.terms.is_empty());
        let mut direct = AlphaUnits::new(&t, [true; 4]);
        direct.terms.clear();
        let heavy: Vec<u32> = (0..30u32)
            .map(|u| [0, 1, 3, 16, 40][u as usize % 5])
            .collect();
        for ws in [None, Some(&weights[..]), Some(&heavy[..])] {
            let (a, b) = (
                with_table.alpha(&t, ws, &mut AlphaScratch::default()),
                direct.alpha(&t, ws, &mut AlphaScratch::default()),
            );
            for m in Metric::ALL {
                assert_eq!(
                    a.get(m).as_ref().map(|x| x.to_bits()),
                    b.get(m).as_ref().map(|x| x.to_bits()),
                    "{m:?}"
                );
            }
        }
    }
}
