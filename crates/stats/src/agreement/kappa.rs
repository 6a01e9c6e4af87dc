//! Fleiss' kappa over all raters and Cohen's kappa for every pair of raters.

use super::{AgreementError, Categories, KappaWeights, RatingTable};

/// Which form of Fleiss' kappa was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FleissForm {
    /// Every pairable unit has the same number of ratings: Fleiss (1971) exactly.
    Classic,
    /// Pairable units have different numbers of ratings: the generalised form (see
    /// [`fleiss_kappa`]).
    Generalised,
}

/// Fleiss' kappa and the form it was computed in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FleissKappa {
    /// The estimate.
    pub value: f64,
    /// Classic (equal ratings per unit) or generalised.
    pub form: FleissForm,
    /// Units used (those with two or more ratings).
    pub units: usize,
}

/// Fleiss' kappa (Fleiss 1971, "Measuring nominal scale agreement among many raters"):
/// κ = (P̄ − P̄_e)/(1 − P̄_e) with P_u = Σ_c n_uc (n_uc − 1) / (m_u (m_u − 1)), P̄ the mean of P_u
/// over units and P̄_e = Σ_c p_c², p_c the share of ratings in category c.
///
/// When every rated unit has the same number m ≥ 2 of ratings this is Fleiss' statistic
/// exactly ([`FleissForm::Classic`]; tested against statsmodels' `fleiss_kappa` to
/// `prec::EXACT_REL`). Otherwise ([`FleissForm::Generalised`]) it is Gwet's form for missing
/// ratings (Gwet 2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 2; R `irrCAC`
/// `fleiss.kappa.raw`): P̄ is the mean of P_u over units with m_u ≥ 2 (each with its own m_u)
/// and p_c the mean over all rated units of n_uc / m_u; tested against the Python port
/// `irrCAC` (`CAC.fleiss`) to `prec::EXACT_REL`.
/// [`AgreementError::NoVariation`] when P̄_e = 1 (a single category).
pub fn fleiss_kappa(table: &RatingTable) -> Result<FleissKappa, AgreementError> {
    fleiss_weighted(table, None)
}

pub(crate) fn fleiss_weighted(
    table: &RatingTable,
    weights: Option<&[u32]>,
) -> Result<FleissKappa, AgreementError> {
    FleissUnits::new(table).kappa(table, weights, &mut Vec::new())
}

/// The weight-free parts of Fleiss' kappa per rated unit, computed once so that a bootstrap
/// resample only weighs them.
pub(crate) struct FleissUnits {
    /// Rated units, ascending, and their numbers of ratings.
    unit: Vec<u32>,
    m: Vec<u32>,
    /// Σ_c n_uc (n_uc − 1).
    same: Vec<f64>,
    /// `runs[runs_at[j]..runs_at[j + 1]]`: unit j's categories (ascending) and their counts.
    runs_at: Vec<u32>,
    runs: Vec<(u32, f64)>,
    /// When every rated unit has the same number of ratings m ≥ 2 (the classic design).
    one_size: Option<OneSize>,
}

/// The quotients a unit of m ratings counted w < [`SIZE_WEIGHTS`] times adds, indexed by
/// their whole-number numerators: k / m (w times a category's count) and k / (m (m − 1))
/// (w times the unit's agreeing pairs). They are the divisions the direct computation makes,
/// so reading them gives its bits without a division per unit and resample.
struct OneSize {
    m: f64,
    per_rating: Vec<f64>,
    per_pair: Vec<f64>,
}

/// Weights `0..SIZE_WEIGHTS` are read from [`OneSize`]; more often drawn units are computed.
const SIZE_WEIGHTS: usize = 16;

impl FleissUnits {
    pub(crate) fn new(table: &RatingTable) -> FleissUnits {
        let mut f = FleissUnits {
            unit: Vec::new(),
            m: Vec::new(),
            same: Vec::new(),
            runs_at: vec![0],
            runs: Vec::new(),
            one_size: None,
        };
        let mut idx: Vec<u32> = Vec::new();
        for u in 0..table.n_units {
            let r = table.range(u);
            let m = r.len();
            if m == 0 {
                continue;
            }
            idx.clear();
            idx.extend_from_slice(&table.vix[r]);
            idx.sort_unstable();
            let mut same = 0.0;
            let mut start = 0;
            for k in 1..=m {
                if k == m || idx[k] != idx[start] {
                    let c = (k - start) as f64;
                    same += c * (c - 1.0);
                    f.runs.push((idx[start], c));
                    start = k;
                }
            }
            f.unit.push(u as u32);
            f.m.push(m as u32);
            f.same.push(same);
            f.runs_at.push(f.runs.len() as u32);
        }
        f
    }

    /// With [`OneSize`]'s quotients for the many evaluations of a bootstrap (one evaluation
    /// would spend more on the tables than it saves).
    pub(crate) fn for_resamples(mut self) -> FleissUnits {
        let f = &mut self;
        if let Some(&m) = f.m.first() {
            // Up to 64 ratings per unit: 16 · 64 · 63 quotients at most.
            if (2..=64).contains(&m) && f.m.iter().all(|&x| x == m) {
                let mf = f64::from(m);
                let m = m as usize;
                f.one_size = Some(OneSize {
                    m: mf,
                    per_rating: (0..SIZE_WEIGHTS * m).map(|k| k as f64 / mf).collect(),
                    per_pair: (0..SIZE_WEIGHTS * m * (m - 1))
                        .map(|k| k as f64 / (mf * (mf - 1.0)))
                        .collect(),
                });
            }
        }
        self
    }

    /// Fleiss' kappa with unit `u` counted `weights[u]` times, or once; `p` is scratch space.
    pub(crate) fn kappa(
        &self,
        table: &RatingTable,
        weights: Option<&[u32]>,
        p: &mut Vec<f64>,
    ) -> Result<FleissKappa, AgreementError> {
        p.clear();
        p.resize(table.distinct.len(), 0.0);
        // P̄ over pairable units; p_c over every rated unit (Gwet's form; equal to Fleiss' when
        // every rated unit has the same number m ≥ 2 of ratings).
        let (mut p_bar, mut n_pairable, mut n_rated, mut n_used) = (0.0f64, 0.0f64, 0.0f64, 0usize);
        let mut sizes = None::<u32>;
        let mut constant = true;
        if let Some(one) = &self.one_size {
            // Every term is ≥ 0 and a zero weight's is +0.0: adding it changes no bit, so no
            // branch on the weight is needed.
            for (j, &u) in self.unit.iter().enumerate() {
                let wi = weights.map_or(1, |w| w[u as usize]) as usize;
                let runs = &self.runs[self.runs_at[j] as usize..self.runs_at[j + 1] as usize];
                let wu = wi as f64;
                if wi < SIZE_WEIGHTS {
                    for &(cat, c) in runs {
                        p[cat as usize] += one.per_rating[wi * c as usize];
                    }
                    p_bar += one.per_pair[wi * self.same[j] as usize];
                } else {
                    for &(cat, c) in runs {
                        p[cat as usize] += wu * c / one.m;
                    }
                    p_bar += wu * self.same[j] / (one.m * (one.m - 1.0));
                }
                n_rated += wu;
                n_pairable += wu;
                n_used += usize::from(wi != 0);
            }
        } else {
            for (j, &u) in self.unit.iter().enumerate() {
                let m = self.m[j];
                let wu = weights.map_or(1.0, |w| w[u as usize] as f64);
                if wu == 0.0 {
                    continue;
                }
                match sizes {
                    None => sizes = Some(m),
                    Some(s) if s != m => constant = false,
                    _ => {}
                }
                let mf = m as f64;
                let runs = &self.runs[self.runs_at[j] as usize..self.runs_at[j + 1] as usize];
                for &(cat, c) in runs {
                    p[cat as usize] += wu * c / mf;
                }
                n_rated += wu;
                if m >= 2 {
                    n_used += 1;
                    p_bar += wu * self.same[j] / (mf * (mf - 1.0));
                    n_pairable += wu;
                }
            }
        }
        if n_pairable == 0.0 {
            return Err(AgreementError::NoPairableUnits);
        }
        p_bar /= n_pairable;
        let p_e: f64 = p.iter().map(|x| (x / n_rated) * (x / n_rated)).sum();
        if 1.0 - p_e <= f64::EPSILON {
            return Err(AgreementError::NoVariation);
        }
        let form = if constant {
            FleissForm::Classic
        } else {
            FleissForm::Generalised
        };
        Ok(FleissKappa {
            value: (p_bar - p_e) / (1.0 - p_e),
            form,
            units: n_used,
        })
    }
}

/// Cohen's kappa of one pair of raters on their shared units.
#[derive(Debug, Clone, PartialEq)]
pub struct CohenPair {
    /// Rater indices, `a < b`.
    pub a: u32,
    /// Second rater index.
    pub b: u32,
    /// Units both raters rated.
    pub units: usize,
    /// Unweighted kappa.
    pub kappa: Result<f64, AgreementError>,
    /// Linearly weighted kappa.
    pub kappa_linear: Result<f64, AgreementError>,
    /// Quadratically weighted kappa.
    pub kappa_quadratic: Result<f64, AgreementError>,
}

/// A pair's accumulated counts (sums of integer weights, so exact and order-free in f64).
struct PairAcc<'a> {
    n: f64,
    agree: f64,
    lin: f64,
    quad: f64,
    ma: &'a [f64],
    mb: &'a [f64],
}

/// Cohen's kappa (Cohen 1960) and weighted kappa (Cohen 1968) for every pair of raters that
/// share at least one unit, each on that pair's own shared units matched by unit index (never
/// by position): κ_w = 1 − Σ_ij w_ij o_ij / Σ_ij w_ij e_ij with o the pair's joint
/// proportions, e_ij = o_i· o_·j and disagreement weights w_ij = [i ≠ j] (unweighted),
/// |i − j| (linear), (i − j)² (quadratic) on category *indices* in `cats` order (the scale's
/// points, so unused categories still count in the distances).
///
/// Tested against scikit-learn's `cohen_kappa_score(a, b, labels=cats, weights=…)` to
/// `prec::EXACT_REL`. [`AgreementError::NoVariation`] when the expected disagreement is 0 (both
/// raters used one and the same category). Pairs are ordered by (a, b).
pub fn cohen_pairs(table: &RatingTable, cats: &Categories) -> Vec<CohenPair> {
    let mut out = Vec::new();
    PairUnits::new(table, cats).pairs(None, &mut PairScratch::default(), |_, p| out.extend(p));
    out
}

/// The pairs of raters of every pairable unit with their categories, found once, so that a
/// bootstrap resample only adds up its units' weights into each pair's counts.
pub(crate) struct PairUnits {
    q: usize,
    rank: bool,
    /// Rater pairs sharing a unit, ascending by (a, b); a pair's index is its slot.
    keys: Vec<(u32, u32)>,
    /// Pairable units, ascending, and `occ[occ_at[j]..occ_at[j + 1]]` their pairs, each as
    /// its cell in `cells`.
    unit: Vec<u32>,
    occ_at: Vec<u32>,
    occ: Vec<u32>,
    /// The distinct (slot, category of a, category of b) cells, ordered by slot, and
    /// `cells_at[slot]..cells_at[slot + 1]` each slot's.
    cells: Vec<(u32, u32)>,
    cells_at: Vec<u32>,
}

/// Per-resample accumulators of [`PairUnits::pairs`], reused across resamples.
#[derive(Default)]
pub(crate) struct PairScratch {
    ma: Vec<f64>,
    mb: Vec<f64>,
    joint: Vec<f64>,
}

impl PairUnits {
    pub(crate) fn new(table: &RatingTable, cats: &Categories) -> PairUnits {
        let rank = cats.weights == KappaWeights::Rank;
        let mut raw: Vec<((u32, u32), u32, u32)> = Vec::new();
        let mut unit = Vec::new();
        let mut occ_at = vec![0u32];
        for u in 0..table.n_units {
            let r = table.range(u);
            if r.len() < 2 {
                continue;
            }
            let raters = &table.rater[r.clone()];
            let ci = &cats.of_rating[r];
            for i in 0..raters.len() {
                for j in (i + 1)..raters.len() {
                    raw.push(((raters[i], raters[j]), ci[i], ci[j]));
                }
            }
            unit.push(u as u32);
            occ_at.push(raw.len() as u32);
        }
        let (keys, slot) = pair_slots(raw.iter().map(|o| o.0), table.n_raters);
        let full: Vec<(u32, u32, u32)> = raw
            .iter()
            .zip(slot)
            .map(|(&(_, x, y), slot)| (slot, x, y))
            .collect();
        let mut distinct = full.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let mut cells_at = vec![0u32; keys.len() + 1];
        for &(s, _, _) in &distinct {
            cells_at[s as usize + 1] += 1;
        }
        for s in 0..keys.len() {
            cells_at[s + 1] += cells_at[s];
        }
        let occ = full
            .iter()
            .map(|o| distinct.binary_search(o).unwrap_or_default() as u32)
            .collect();
        let cells = distinct.iter().map(|&(_, x, y)| (x, y)).collect();
        PairUnits {
            q: cats.len(),
            rank,
            keys,
            unit,
            occ_at,
            occ,
            cells,
            cells_at,
        }
    }

    /// The rater pairs, in slot order (ascending by (a, b)).
    pub(crate) fn keys(&self) -> &[(u32, u32)] {
        &self.keys
    }

    /// Every pair's kappas with unit `u` counted `weights[u]` times, or once, passed to
    /// `out(slot, …)` in slot order; `None` for a pair without a shared unit of weight > 0.
    pub(crate) fn pairs(
        &self,
        weights: Option<&[u32]>,
        sc: &mut PairScratch,
        mut out: impl FnMut(usize, Option<CohenPair>),
    ) {
        let q = self.q;
        // A resample's weight goes to each of its units' cells once; a pair's counts are then
        // read off its cells. Every sum is of whole numbers, exact in f64 in any order, so this
        // gives the bits a pass adding up each occurrence's counts gave.
        sc.joint.clear();
        sc.joint.resize(self.cells.len(), 0.0);
        for (j, &u) in self.unit.iter().enumerate() {
            // A zero weight adds +0.0 to counts ≥ 0, which changes no bit: no branch on it.
            let w = weights.map_or(1.0, |w| w[u as usize] as f64);
            for &cell in &self.occ[self.occ_at[j] as usize..self.occ_at[j + 1] as usize] {
                sc.joint[cell as usize] += w;
            }
        }
        for (s, &(a, b)) in self.keys.iter().enumerate() {
            let r = self.cells_at[s] as usize..self.cells_at[s + 1] as usize;
            let (mut n, mut agree, mut lin, mut quad) = (0.0, 0.0, 0.0, 0.0);
            for v in [&mut sc.ma, &mut sc.mb] {
                v.clear();
                v.resize(q, 0.0);
            }
            for (&(x, y), &w) in self.cells[r.clone()].iter().zip(&sc.joint[r.clone()]) {
                let (x, y) = (x as usize, y as usize);
                let d = x.abs_diff(y) as f64;
                n += w;
                agree += if x == y { w } else { 0.0 };
                lin += w * d;
                quad += w * d * d;
                sc.ma[x] += w;
                sc.mb[y] += w;
            }
            if n == 0.0 {
                out(s, None);
                continue;
            }
            let acc = PairAcc {
                n,
                agree,
                lin,
                quad,
                ma: &sc.ma,
                mb: &sc.mb,
            };
            let pair = if self.rank {
                let joint = self.cells[r.clone()].iter().zip(&sc.joint[r]);
                let (lin, quad, ma, mb) = by_rank(&acc, joint);
                finish_pair(
                    a,
                    b,
                    &PairAcc {
                        lin,
                        quad,
                        ma: &ma,
                        mb: &mb,
                        ..acc
                    },
                )
            } else {
                finish_pair(a, b, &acc)
            };
            out(s, Some(pair));
        }
    }
}

/// Below this many rater pairs (n_raters²), [`pair_slots`] numbers them in a table indexed by
/// the pair (4 bytes each) rather than by sorting the occurrences.
const DENSE_PAIRS: usize = 1 << 20;

/// The distinct rater pairs of `pairs` (each `(a, b)` with `a < b < n_raters`) ascending, and
/// each occurrence's index among them: slots in (a, b) order without hashing (issue #19: the
/// hashed map was a sixth of `chameleon agreement`'s instructions).
fn pair_slots(
    pairs: impl Iterator<Item = (u32, u32)> + Clone,
    n_raters: usize,
) -> (Vec<(u32, u32)>, Vec<u32>) {
    if n_raters.saturating_mul(n_raters) <= DENSE_PAIRS {
        let at = |(a, b): (u32, u32)| a as usize * n_raters + b as usize;
        let mut slot = vec![u32::MAX; n_raters * n_raters];
        for p in pairs.clone() {
            slot[at(p)] = 0;
        }
        let mut keys = Vec::new();
        for (i, s) in slot.iter_mut().enumerate() {
            if *s == 0 {
                *s = keys.len() as u32;
                keys.push(((i / n_raters) as u32, (i % n_raters) as u32));
            }
        }
        let of = pairs.map(|p| slot[at(p)]).collect();
        return (keys, of);
    }
    let mut keys: Vec<(u32, u32)> = pairs.clone().collect();
    keys.sort_unstable();
    keys.dedup();
    let of = pairs
        .map(|p| keys.binary_search(&p).unwrap_or_default() as u32)
        .collect();
    (keys, of)
}

/// The pair's distances and margins over only the categories it used, renumbered by rank (R
/// psych's factor levels of the two columns): (linear, quadratic, margins of a, of b).
fn by_rank<'a>(
    acc: &PairAcc<'_>,
    joint: impl Iterator<Item = (&'a (u32, u32), &'a f64)>,
) -> (f64, f64, Vec<f64>, Vec<f64>) {
    let mut rank = vec![u32::MAX; acc.ma.len()];
    let mut used = 0u32;
    for (i, r) in rank.iter_mut().enumerate() {
        if acc.ma[i] + acc.mb[i] > 0.0 {
            *r = used;
            used += 1;
        }
    }
    let keep = |m: &[f64]| -> Vec<f64> {
        m.iter()
            .zip(&rank)
            .filter(|(_, &r)| r != u32::MAX)
            .map(|(&x, _)| x)
            .collect()
    };
    let (mut lin, mut quad) = (0.0, 0.0);
    for (&(x, y), &w) in joint {
        if w == 0.0 {
            continue;
        }
        let d = rank[x as usize].abs_diff(rank[y as usize]) as f64;
        lin += w * d;
        quad += w * d * d;
    }
    (lin, quad, keep(acc.ma), keep(acc.mb))
}

fn finish_pair(a: u32, b: u32, acc: &PairAcc<'_>) -> CohenPair {
    let n = acc.n;
    // Expected disagreement sums Σ_ij ma_i mb_j w_ij (exact in f64 for integer counts < 2^53).
    let e_unw = n * n - acc.ma.iter().zip(acc.mb).map(|(x, y)| x * y).sum::<f64>();
    let (mut s0a, mut s1a) = (0.0, 0.0); // Σ_{i<j} ma_i, Σ_{i<j} i·ma_i
    let (tot_a, tot_ia): (f64, f64) = acc
        .ma
        .iter()
        .enumerate()
        .fold((0.0, 0.0), |(s, t), (i, &x)| (s + x, t + i as f64 * x));
    let mut e_lin = 0.0;
    for (j, &mbj) in acc.mb.iter().enumerate() {
        let jf = j as f64;
        // Σ_i ma_i |i − j| = Σ_{i<j} ma_i (j − i) + Σ_{i≥j} ma_i (i − j)
        let below = jf * s0a - s1a;
        let above = (tot_ia - s1a) - jf * (tot_a - s0a);
        e_lin += mbj * (below + above);
        s0a += acc.ma[j];
        s1a += jf * acc.ma[j];
    }
    let moments = |m: &[f64]| {
        m.iter().enumerate().fold((0.0, 0.0), |(s1, s2), (i, &x)| {
            let i = i as f64;
            (s1 + i * x, s2 + i * i * x)
        })
    };
    let (a1, a2) = moments(acc.ma);
    let (b1, b2) = moments(acc.mb);
    let e_quad = a2 * n + n * b2 - 2.0 * a1 * b1;
    // Observed sums are over n pairs, expected over n² cells: κ = 1 − n·Σo / Σe.
    let k = |obs: f64, exp: f64| {
        if exp <= 0.0 {
            Err(AgreementError::NoVariation)
        } else {
            Ok(1.0 - n * obs / exp)
        }
    };
    CohenPair {
        a,
        b,
        units: n as usize,
        kappa: k(n - acc.agree, e_unw),
        kappa_linear: k(acc.lin, e_lin),
        kappa_quadratic: k(acc.quad, e_quad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::Rating;

    #[test]
    fn pair_slots_number_pairs_in_order_by_either_path_issue19() {
        let pairs = [(3u32, 7u32), (0, 1), (3, 7), (1, 2), (0, 1), (0, 9)];
        let want_keys = vec![(0, 1), (0, 9), (1, 2), (3, 7)];
        let want_slots = vec![3, 0, 3, 2, 0, 1];
        // 10 raters: the dense table; 2,000 raters (4M pairs): the sorted distinct pairs.
        for n in [10, 2000] {
            let (keys, slots) = pair_slots(pairs.iter().copied(), n);
            assert_eq!(keys, want_keys, "pairs ascending by (a, b) with {n} raters");
            assert_eq!(slots, want_slots, "each occurrence's slot with {n} raters");
        }
    }

    #[test]
    fn cohen_textbook_and_rotation() {
        // 2×2 table 20/5/10/15: po = .7, pe = .5, κ = .4 (Cohen's classic example).
        let mut rows = Vec::new();
        let cells = [
            (1.0, 1.0, 20),
            (1.0, 0.0, 5),
            (0.0, 1.0, 10),
            (0.0, 0.0, 15),
        ];
        let mut u = 0;
        for (x, y, c) in cells {
            for _ in 0..c {
                rows.push(Rating::new(u, 0, x));
                rows.push(Rating::new(u, 1, y));
                u += 1;
            }
        }
        let t = RatingTable::new(&rows).unwrap();
        let pairs = cohen_pairs(&t, &Categories::from_data(&t));
        assert_eq!(pairs.len(), 1);
        assert!(
            (pairs[0].kappa.clone().unwrap() - 0.4).abs() < 1e-12,
            "{pairs:?}"
        );
        assert_eq!(pairs[0].units, 50);
    }

    #[test]
    fn rank_weights_ignore_categories_the_pair_did_not_use() {
        // Values 1, 3, 5 on a 1..5 scale: by scale position 1–3 is 2 apart, by rank 1 apart.
        let a = [1.0, 3.0, 5.0, 1.0, 3.0, 5.0, 3.0];
        let b = [1.0, 5.0, 5.0, 3.0, 3.0, 1.0, 3.0];
        let rows: Vec<Rating> = a
            .iter()
            .zip(&b)
            .enumerate()
            .flat_map(|(u, (&x, &y))| [Rating::new(u as u32, 0, x), Rating::new(u as u32, 1, y)])
            .collect();
        let t = RatingTable::new(&rows).unwrap();
        let points = [1.0, 2.0, 3.0, 4.0, 5.0];
        let scale = Categories::from_scale(&t, &points).unwrap();
        let ranked = Categories::from_scale(&t, &points)
            .unwrap()
            .with_weights(KappaWeights::Rank);
        let compact = Categories::from_data(&t);
        let s = &cohen_pairs(&t, &scale)[0];
        let r = &cohen_pairs(&t, &ranked)[0];
        let c = &cohen_pairs(&t, &compact)[0];
        assert_eq!(s.kappa, r.kappa, "unweighted kappa has no distances");
        // With only 1, 3, 5 used, ranks equal the compacted observed categories.
        assert_eq!(r.kappa_linear, c.kappa_linear);
        assert_eq!(r.kappa_quadratic, c.kappa_quadratic);
        // Equally spaced used points: scale distances are twice the rank ones, and kappa is
        // invariant to scaling the weights.
        let close = |x: &Result<f64, AgreementError>, y: &Result<f64, AgreementError>| {
            (x.clone().unwrap() - y.clone().unwrap()).abs() < 1e-12
        };
        assert!(close(&s.kappa_linear, &r.kappa_linear));
    }

    #[test]
    fn single_category_is_no_variation() {
        let t = RatingTable::new(&[Rating::new(0, 0, 2.0), Rating::new(0, 1, 2.0)]).unwrap();
        let p = cohen_pairs(&t, &Categories::from_data(&t));
        assert_eq!(p[0].kappa, Err(AgreementError::NoVariation));
        assert_eq!(fleiss_kappa(&t), Err(AgreementError::NoVariation));
    }

    #[test]
    fn one_size_quotients_give_the_direct_computation_s_bits() {
        let rows: Vec<Rating> = (0..50u32)
            .flat_map(|u| (0..3u32).map(move |r| Rating::new(u, r, f64::from((u * r + u) % 4))))
            .collect();
        let t = RatingTable::new(&rows).unwrap();
        let quick = FleissUnits::new(&t).for_resamples();
        assert!(quick.one_size.is_some(), "every unit has three ratings");
        let mut direct = FleissUnits::new(&t);
        direct.one_size = None;
        let heavy: Vec<u32> = (0..50u32)
            .map(|u| [0, 1, 2, 15, 16, 41][u as usize % 6])
            .collect();
        let light: Vec<u32> = (0..50u32).map(|u| (u * 7 + 1) % 3).collect();
        for ws in [None, Some(&light[..]), Some(&heavy[..])] {
            let (a, b) = (
                quick.kappa(&t, ws, &mut Vec::new()).unwrap(),
                direct.kappa(&t, ws, &mut Vec::new()).unwrap(),
            );
            assert_eq!(a.value.to_bits(), b.value.to_bits(), "{ws:?}");
            assert_eq!((a.form, a.units), (b.form, b.units));
        }
        // Units of different sizes take the direct computation.
        let mut uneven = rows.clone();
        uneven.pop();
        let u = RatingTable::new(&uneven).unwrap();
        assert!(FleissUnits::new(&u).for_resamples().one_size.is_none());
    }
}
