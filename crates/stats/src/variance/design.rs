//! The crossed random-effects design and its profiled REML criterion.
//!
//! Model (lme4 notation): `value ~ 1 + (1|person) + (1|person:context) + (1|rater)`, any of
//! the three random terms optional. Following Bates et al. (2015, *J. Stat. Softw.* 67(1),
//! "Fitting linear mixed-effects models using lme4"), the random effects are `u = Λθ v` with
//! `v ~ N(0, σ² I)` and `θ = (θ_P, θ_S, θ_R)` the ratios of each term's standard deviation to
//! the residual one. With `W = [X, Z Λθ]` and `C = W'W + diag(0, I)`, the profiled REML
//! criterion (lme4's `REMLcrit`) is
//!
//! ```text
//! d(θ) = log|C| + (n − 1) · (1 + log(2π · pwrss / (n − 1)))
//! pwrss = y'y − ŵ'W'y,   ŵ = C⁻¹ W'y
//! ```
//!
//! `C` has an arrow structure: persons are independent given the intercept and the rater
//! effects. Each person's block (its own effect and one effect per profile) is eliminated in
//! closed form (the profile block is diagonal), leaving a dense Schur complement over the
//! intercept and the raters (1 + R rows), factored with nalgebra. One evaluation is O(ratings)
//! plus O(R³); persons are reduced in fixed chunks combined in a fixed order, so the result is
//! bit-identical whatever the number of threads.
//!
//! Person weights (multiplicities) make a person-cluster bootstrap resample an evaluation of the
//! same design: a person drawn `m` times contributes `m` identical independent blocks.

use super::VarianceError;
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

/// One rating: who was rated (`person`, `profile` = person in a context), by whom, and the value.
/// `profile` ids must be unique across persons (a profile belongs to one person).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rating {
    /// The person.
    pub person: u32,
    /// The profile (person in one context).
    pub profile: u32,
    /// The rater.
    pub rater: u32,
    /// The value.
    pub value: f64,
}

/// Which random terms the model has besides the residual.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    /// `(1|person)`: the between-person (trait) variance.
    pub person: bool,
    /// `(1|person:context)`: the profile (state) variance.
    pub person_context: bool,
    /// `(1|rater)`: rater leniency, crossed with persons.
    pub rater: bool,
}

impl Terms {
    /// The full rater-level model of the decomposition.
    pub const RATER_LEVEL: Terms = Terms {
        person: true,
        person_context: true,
        rater: true,
    };
    /// `score ~ 1 + (1|person)`: the profile-level model (one observation per profile).
    pub const PERSON_ONLY: Terms = Terms {
        person: true,
        person_context: false,
        rater: false,
    };

    pub(crate) fn mask(&self) -> [bool; 3] {
        [self.person, self.person_context, self.rater]
    }
}

#[derive(Debug, Clone)]
pub(super) struct PersonBlock {
    /// Original person id (index into bootstrap weights).
    pub(super) id: u32,
    pub(super) profiles: (u32, u32),
    pub(super) raters: (u32, u32),
    pub(super) n: f64,
    pub(super) sum: f64,
    pub(super) sumsq: f64,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct ProfileBlock {
    pub(super) cells: (u32, u32),
    pub(super) n: f64,
    pub(super) sum: f64,
    pub(super) sumsq: f64,
}

/// Ratings of one profile by one rater: `rater` is the index into the person's rater list.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cell {
    pub(super) local: u32,
    pub(super) n: f64,
    pub(super) sum: f64,
    pub(super) sumsq: f64,
}

/// Counts and sums of one rater within one person.
#[derive(Debug, Clone, Copy)]
pub(super) struct PersonRater {
    pub(super) rater: u32,
    pub(super) n: f64,
    pub(super) sum: f64,
    pub(super) sumsq: f64,
}

/// A compressed design: sufficient statistics per person, profile and (profile, rater) cell.
/// Values are stored centred on their mean, which leaves REML unchanged and keeps `pwrss`
/// free of cancellation.
#[derive(Debug, Clone)]
pub struct Design {
    pub(super) terms: Terms,
    pub(super) persons: Vec<PersonBlock>,
    pub(super) profiles: Vec<ProfileBlock>,
    pub(super) cells: Vec<Cell>,
    pub(super) person_raters: Vec<PersonRater>,
    /// Number of rater ids (max id + 1); the dense block has `1 + n_raters` rows when the
    /// rater term is on.
    pub(super) n_raters: usize,
    pub(super) n_rater_levels: usize,
    pub(super) n_profiles: usize,
    pub(super) n_ratings: usize,
    pub(super) max_person_id: u32,
    pub(super) centre: f64,
    /// Distinct profile sizes (ratings per profile) and, per profile, its size's index.
    pub(super) sizes: Vec<f64>,
    pub(super) profile_size: Vec<u16>,
    /// Per person block, its signature (multiset of profile sizes); per signature, the size
    /// indices present (ascending) and how many profiles of each.
    pub(super) person_sig: Vec<u32>,
    pub(super) sigs: Vec<(Vec<u16>, Vec<f64>)>,
}

/// Indices of `ratings` ordered by (person, profile, rater, value); no sort when already in
/// order. A cell's replicate values are summed in value order, as the engine's summaries sum
/// them (crates/engine/src/udaf.rs), so that neither depends on the order of the rows.
pub(crate) fn sort_order(ratings: &[Rating]) -> Vec<u32> {
    let key = |r: &Rating| (r.person, r.profile, r.rater, value_key(r.value));
    if ratings.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
        return (0..ratings.len() as u32).collect();
    }
    // Grouped by profile already (the usual case): order raters within each short run.
    let pkey = |r: &Rating| (r.person, r.profile);
    if ratings.windows(2).all(|w| pkey(&w[0]) <= pkey(&w[1])) {
        let mut order: Vec<u32> = (0..ratings.len() as u32).collect();
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len() && pkey(&ratings[end]) == pkey(&ratings[start]) {
                end += 1;
            }
            order[start..end].sort_unstable_by_key(|&i| {
                let r = &ratings[i as usize];
                (r.rater, value_key(r.value))
            });
            start = end;
        }
        return order;
    }
    let mut keyed: Vec<(u32, u32, u32, u64, u32)> = ratings
        .iter()
        .enumerate()
        .map(|(i, r)| (r.person, r.profile, r.rater, value_key(r.value), i as u32))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|k| k.4).collect()
}

/// A key whose order is `f64::total_cmp`'s.
fn value_key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

/// The mean rounded to 24 significant bits: the centre of a design's values. The REML fit
/// does not depend on the centre (it only keeps the sums of squares free of cancellation);
/// the rounding absorbs the last-bit differences of a mean summed in another order (the
/// engine's, over partitions), so that every path centres on the same number and gives the
/// same bits.
pub fn stable_centre(mean: f64) -> f64 {
    if mean == 0.0 || !mean.is_finite() {
        return mean;
    }
    let q = (mean.abs().log2().floor() - 23.0).exp2();
    (mean / q).round() * q
}

pub(super) type Signatures = (Vec<f64>, Vec<u16>, Vec<u32>, Vec<(Vec<u16>, Vec<f64>)>);

/// Groups profiles by size and persons by the multiset of their profile sizes. Without a
/// person:context term, profiles do not enter the model and each person counts as one profile
/// of its total size. Also used by the engine's summaries (partial.rs).
pub(super) fn signatures(
    persons: &[PersonBlock],
    profiles: &[ProfileBlock],
    person_context: bool,
) -> Signatures {
    if !person_context {
        let mut size_of: std::collections::BTreeMap<u64, u16> = Default::default();
        for p in persons {
            let next = size_of.len() as u16;
            size_of.entry(p.n.to_bits()).or_insert(next);
        }
        let mut sizes = vec![0.0; size_of.len()];
        for (bits, &i) in &size_of {
            sizes[i as usize] = f64::from_bits(*bits);
        }
        let person_sig: Vec<u32> = persons
            .iter()
            .map(|p| size_of[&p.n.to_bits()] as u32)
            .collect();
        let sigs = (0..sizes.len())
            .map(|i| (vec![i as u16], vec![1.0]))
            .collect();
        return (sizes, vec![0; profiles.len()], person_sig, sigs);
    }
    let mut size_of: std::collections::BTreeMap<u64, u16> = std::collections::BTreeMap::new();
    for p in profiles {
        let next = size_of.len() as u16;
        size_of.entry(p.n.to_bits()).or_insert(next);
    }
    let mut sizes = vec![0.0; size_of.len()];
    for (bits, &i) in &size_of {
        sizes[i as usize] = f64::from_bits(*bits);
    }
    let profile_size: Vec<u16> = profiles.iter().map(|p| size_of[&p.n.to_bits()]).collect();
    let mut table: std::collections::HashMap<Vec<(u16, u32)>, u32> = Default::default();
    let mut sigs = Vec::new();
    let mut person_sig = Vec::with_capacity(persons.len());
    let mut key: Vec<(u16, u32)> = Vec::new();
    for p in persons {
        key.clear();
        for q in p.profiles.0..p.profiles.1 {
            let s = profile_size[q as usize];
            match key.iter_mut().find(|(k, _)| *k == s) {
                Some(e) => e.1 += 1,
                None => key.push((s, 1)),
            }
        }
        key.sort_unstable();
        let id = match table.get(key.as_slice()) {
            Some(&id) => id,
            None => {
                let id = table.len() as u32;
                table.insert(key.clone(), id);
                sigs.push((
                    key.iter().map(|k| k.0).collect(),
                    key.iter().map(|k| k.1 as f64).collect(),
                ));
                id
            }
        };
        person_sig.push(id);
    }
    (sizes, profile_size, person_sig, sigs)
}

/// Persons per reduction chunk: fixed, so sums are combined in the same order on any pool.
const CHUNK: usize = 256;

/// What one evaluation of the criterion yields.
#[derive(Debug, Clone, Copy)]
pub struct Evaluation {
    /// The REML criterion at these parameters.
    pub criterion: f64,
    /// Penalised residual sum of squares; `σ̂² = pwrss / (n − 1)`.
    pub pwrss: f64,
    /// Weighted number of ratings.
    pub n: f64,
    /// The estimated intercept μ.
    pub intercept: f64,
}

struct Acc {
    s: Vec<f64>,
    rhs: Vec<f64>,
    logdet: f64,
    quad: f64,
    yy: f64,
    n: f64,
}

impl Acc {
    fn new(g: usize) -> Self {
        Acc {
            s: vec![0.0; g * g],
            rhs: vec![0.0; g],
            logdet: 0.0,
            quad: 0.0,
            yy: 0.0,
            n: 0.0,
        }
    }
    fn add(&mut self, o: &Acc) {
        for (a, b) in self.s.iter_mut().zip(&o.s) {
            *a += b;
        }
        for (a, b) in self.rhs.iter_mut().zip(&o.rhs) {
            *a += b;
        }
        self.logdet += o.logdet;
        self.quad += o.quad;
        self.yy += o.yy;
        self.n += o.n;
    }
}

impl Design {
    /// Builds the design. Errors on empty input or a non-finite value.
    pub fn new(ratings: &[Rating], terms: Terms) -> Result<Design, VarianceError> {
        if ratings.is_empty() {
            return Err(VarianceError::Empty);
        }
        if ratings.iter().any(|r| !r.value.is_finite()) {
            return Err(VarianceError::NonFinite);
        }
        let centre =
            stable_centre(ratings.iter().map(|r| r.value).sum::<f64>() / ratings.len() as f64);
        let order = sort_order(ratings);
        let n_raters = ratings
            .iter()
            .map(|r| r.rater as usize + 1)
            .max()
            .unwrap_or(0);
        let mut rater_seen = vec![false; n_raters];
        // A one-way design (person term only) never reads cells or per-person rater sums.
        let slim = !terms.rater && !terms.person_context;
        let cap = if slim { 0 } else { ratings.len() };
        let mut persons = Vec::new();
        let mut profiles = Vec::with_capacity(ratings.len());
        let mut cells: Vec<Cell> = Vec::with_capacity(cap);
        let mut person_raters: Vec<PersonRater> = Vec::with_capacity(cap);
        let mut local_of = vec![u32::MAX; n_raters];
        let mut i = 0;
        while i < order.len() {
            let first = ratings[order[i] as usize];
            let person = first.person;
            let pr_start = person_raters.len();
            let prof_start = profiles.len();
            let (mut pn, mut ps, mut pss) = (0.0, 0.0, 0.0);
            while i < order.len() && ratings[order[i] as usize].person == person {
                let profile = ratings[order[i] as usize].profile;
                let cell_start = cells.len();
                let (mut cn, mut cs, mut css) = (0.0, 0.0, 0.0);
                while i < order.len() {
                    let r = ratings[order[i] as usize];
                    if r.person != person || r.profile != profile {
                        break;
                    }
                    let y = r.value - centre;
                    rater_seen[r.rater as usize] = true;
                    cn += 1.0;
                    cs += y;
                    css += y * y;
                    pss += y * y;
                    i += 1;
                    if slim {
                        continue;
                    }
                    let local = if local_of[r.rater as usize] == u32::MAX {
                        local_of[r.rater as usize] = (person_raters.len() - pr_start) as u32;
                        person_raters.push(PersonRater {
                            rater: r.rater,
                            n: 0.0,
                            sum: 0.0,
                            sumsq: 0.0,
                        });
                        local_of[r.rater as usize]
                    } else {
                        local_of[r.rater as usize]
                    };
                    let pr = &mut person_raters[pr_start + local as usize];
                    pr.n += 1.0;
                    pr.sum += y;
                    pr.sumsq += y * y;
                    let same_cell =
                        cells.len() > cell_start && cells.last().is_some_and(|c| c.local == local);
                    match cells.last_mut() {
                        Some(c) if same_cell => {
                            c.n += 1.0;
                            c.sum += y;
                            c.sumsq += y * y;
                        }
                        _ => cells.push(Cell {
                            local,
                            n: 1.0,
                            sum: y,
                            sumsq: y * y,
                        }),
                    }
                }
                profiles.push(ProfileBlock {
                    cells: (cell_start as u32, cells.len() as u32),
                    n: cn,
                    sum: cs,
                    sumsq: css,
                });
                pn += cn;
                ps += cs;
            }
            for pr in &person_raters[pr_start..] {
                local_of[pr.rater as usize] = u32::MAX;
            }
            persons.push(PersonBlock {
                id: person,
                profiles: (prof_start as u32, profiles.len() as u32),
                raters: (pr_start as u32, person_raters.len() as u32),
                n: pn,
                sum: ps,
                sumsq: pss,
            });
        }
        let max_person_id = persons.iter().map(|p| p.id).max().unwrap_or(0);
        persons.shrink_to_fit();
        profiles.shrink_to_fit();
        cells.shrink_to_fit();
        person_raters.shrink_to_fit();
        let (sizes, profile_size, person_sig, sigs) =
            signatures(&persons, &profiles, terms.person_context);
        Ok(Design {
            sizes,
            profile_size,
            person_sig,
            sigs,
            terms,
            n_profiles: profiles.len(),
            persons,
            profiles,
            cells,
            person_raters,
            n_raters,
            n_rater_levels: rater_seen.iter().filter(|&&s| s).count(),
            n_ratings: ratings.len(),
            max_person_id,
            centre,
        })
    }

    /// The random terms of the model.
    pub fn terms(&self) -> Terms {
        self.terms
    }
    /// Persons in the design.
    pub fn n_persons(&self) -> usize {
        self.persons.len()
    }
    /// Profiles in the design.
    pub fn n_profiles(&self) -> usize {
        self.n_profiles
    }
    /// Ratings in the design.
    pub fn n_ratings(&self) -> usize {
        self.n_ratings
    }
    /// Raters with at least one rating.
    pub fn n_rater_levels(&self) -> usize {
        self.n_rater_levels
    }
    /// Largest person id + 1: the length a bootstrap weight vector must have.
    pub fn person_id_bound(&self) -> usize {
        self.max_person_id as usize + 1
    }
    /// Original person ids present, in block order.
    pub fn person_ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.persons.iter().map(|p| p.id)
    }
    /// True when at least one person was seen in two or more profiles.
    pub fn has_within_person_replication(&self) -> bool {
        self.persons
            .iter()
            .any(|p| p.profiles.1 - p.profiles.0 >= 2)
    }
    /// True when at least one profile holds two or more ratings.
    pub fn has_within_profile_replication(&self) -> bool {
        self.profiles.iter().any(|p| p.n >= 2.0)
    }
    /// Weighted count of ratings and of the sum of squares around the stored centre.
    pub fn total_variance(&self) -> f64 {
        let n = self.n_ratings as f64;
        let (s, ss) = self
            .persons
            .iter()
            .fold((0.0, 0.0), |(s, ss), p| (s + p.sum, ss + p.sumsq));
        if n < 2.0 {
            return 0.0;
        }
        (ss - s * s / n) / (n - 1.0)
    }

    /// Profiled REML criterion at `theta` (entries of absent terms are ignored), with optional
    /// per-person weights indexed by original person id. `parallel` reduces persons on rayon
    /// (fixed chunks, fixed combine order). `None` when the criterion is not defined (no
    /// residual variation left, or a singular fixed-effect block).
    pub fn evaluate(
        &self,
        theta: [f64; 3],
        weights: Option<&[f64]>,
        parallel: bool,
    ) -> Option<Evaluation> {
        let mask = self.terms.mask();
        let tp = if mask[0] { theta[0] } else { 0.0 };
        let ts = if mask[1] { theta[1] } else { 0.0 };
        let tr = if mask[2] { theta[2] } else { 0.0 };
        let g = if mask[2] { 1 + self.n_raters } else { 1 };
        let chunk_acc = |chunk: &[PersonBlock]| -> Acc {
            let mut acc = Acc::new(g);
            let mut w = vec![0.0; g];
            let mut idx: Vec<usize> = Vec::with_capacity(g);
            for p in chunk {
                let m = match weights {
                    Some(ws) => ws.get(p.id as usize).copied().unwrap_or(0.0),
                    None => 1.0,
                };
                if m == 0.0 {
                    continue;
                }
                self.person_block(p, m, [tp, ts, tr], g, &mut acc, &mut w, &mut idx);
            }
            acc
        };
        let acc = if parallel && self.persons.len() > CHUNK {
            let parts: Vec<Acc> = self.persons.par_chunks(CHUNK).map(chunk_acc).collect();
            let mut it = parts.into_iter();
            let mut acc = it.next()?;
            for part in it {
                acc.add(&part);
            }
            acc
        } else {
            let mut acc = Acc::new(g);
            for c in self.persons.chunks(CHUNK) {
                acc.add(&chunk_acc(c));
            }
            acc
        };
        self.finish(acc, g, mask[2])
    }

    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn person_block(
        &self,
        p: &PersonBlock,
        m: f64,
        [tp, ts, tr]: [f64; 3],
        g: usize,
        acc: &mut Acc,
        w: &mut [f64],
        idx: &mut Vec<usize>,
    ) {
        let rater_term = g > 1;
        let prs = &self.person_raters[p.raters.0 as usize..p.raters.1 as usize];
        // Global index of local slot j: 0 = intercept, j>0 = rater prs[j-1].
        idx.clear();
        idx.push(0);
        if rater_term {
            idx.extend(prs.iter().map(|r| 1 + r.rater as usize));
        }
        let k = idx.len();
        // Fixed-effect and rater rows get the person's own cross-products.
        let s = &mut acc.s;
        s[0] += m * p.n;
        acc.rhs[0] += m * p.sum;
        acc.yy += m * p.sumsq;
        acc.n += m * p.n;
        if rater_term {
            for (j, r) in prs.iter().enumerate() {
                let gi = idx[j + 1];
                s[gi] += m * tr * r.n;
                s[gi * g] += m * tr * r.n;
                s[gi * g + gi] += m * tr * tr * r.n;
                acc.rhs[gi] += m * tr * r.sum;
            }
        }
        // The person's row towards the global block, its pivot and its right-hand side.
        w[0] = tp * p.n;
        if rater_term {
            for (j, r) in prs.iter().enumerate() {
                w[j + 1] = tp * tr * r.n;
            }
        }
        let mut a = tp * tp * p.n + 1.0;
        let mut rho = tp * p.sum;
        let mut logdet = 0.0;
        let mut quad = 0.0;
        if ts != 0.0 {
            for prof in &self.profiles[p.profiles.0 as usize..p.profiles.1 as usize] {
                let d = ts * ts * prof.n + 1.0;
                let inv = 1.0 / d;
                let e = tp * ts * prof.n;
                let rc = ts * prof.sum;
                logdet += d.ln();
                quad += rc * rc * inv;
                a -= e * e * inv;
                rho -= e * rc * inv;
                let f = e * inv;
                // g_c = [ts n_c, ts tr n_{c,r}...]: sparse over the profile's cells.
                let g0 = ts * prof.n;
                w[0] -= f * g0;
                s[0] -= m * g0 * g0 * inv;
                acc.rhs[0] -= m * g0 * rc * inv;
                if rater_term {
                    let cells = &self.cells[prof.cells.0 as usize..prof.cells.1 as usize];
                    for c in cells {
                        let gc = ts * tr * c.n;
                        let gi = idx[c.local as usize + 1];
                        w[c.local as usize + 1] -= f * gc;
                        s[gi] -= m * g0 * gc * inv;
                        s[gi * g] -= m * g0 * gc * inv;
                        acc.rhs[gi] -= m * gc * rc * inv;
                        for c2 in cells {
                            let gj = idx[c2.local as usize + 1];
                            s[gi * g + gj] -= m * gc * ts * tr * c2.n * inv;
                        }
                    }
                }
            }
        }
        logdet += a.ln();
        quad += rho * rho / a;
        let inv_a = 1.0 / a;
        for i in 0..k {
            let wi = w[i] * inv_a * m;
            acc.rhs[idx[i]] -= wi * rho;
            let row = idx[i] * g;
            for j in 0..k {
                s[row + idx[j]] -= wi * w[j];
            }
        }
        acc.logdet += m * logdet;
        acc.quad += m * quad;
    }

    fn finish(&self, mut acc: Acc, g: usize, rater_term: bool) -> Option<Evaluation> {
        if rater_term {
            for r in 1..g {
                acc.s[r * g + r] += 1.0;
            }
        }
        let s = DMatrix::from_row_slice(g, g, &acc.s);
        let chol = s.cholesky()?;
        let l = chol.l_dirty();
        let mut logdet = acc.logdet;
        for i in 0..g {
            logdet += 2.0 * l[(i, i)].ln();
        }
        let rhs = DVector::from_column_slice(&acc.rhs);
        let sol = chol.solve(&rhs);
        let quad = acc.quad + rhs.dot(&sol);
        let pwrss = acc.yy - quad;
        let dof = acc.n - 1.0;
        if pwrss.is_nan() || pwrss <= 0.0 || dof <= 0.0 || !logdet.is_finite() {
            return None;
        }
        let criterion = logdet + dof * (1.0 + (2.0 * std::f64::consts::PI * pwrss / dof).ln());
        Some(Evaluation {
            criterion,
            pwrss,
            n: acc.n,
            intercept: self.centre + sol[0],
        })
    }
}

/// Within-group sums for the method of moments: for each grouping, the number of unordered
/// pairs of ratings in the same group and the sum of their squared differences.
#[derive(Debug, Clone, Copy, Default)]
pub struct PairSums {
    /// Over all ratings: [pairs, sum of squared differences].
    pub all: [f64; 2],
    /// Within persons.
    pub person: [f64; 2],
    /// Within raters.
    pub rater: [f64; 2],
    /// Within person × rater.
    pub person_rater: [f64; 2],
    /// Within profiles.
    pub profile: [f64; 2],
    /// Within profile × rater.
    pub profile_rater: [f64; 2],
}

fn pair_add(acc: &mut [f64; 2], m: f64, n: f64, s: f64, ss: f64) {
    // Sum over unordered pairs of (y_i - y_j)^2 is n*ss - s^2.
    acc[0] += m * n * (n - 1.0) / 2.0;
    acc[1] += m * (n * ss - s * s);
}

impl Design {
    /// Pair counts and squared-difference sums per grouping, with optional person weights.
    pub fn pair_sums(&self, weights: Option<&[f64]>) -> PairSums {
        let mut out = PairSums::default();
        let mut rater = vec![[0.0f64; 3]; self.n_raters];
        let mut all = [0.0f64; 3];
        for p in &self.persons {
            let m = match weights {
                Some(ws) => ws.get(p.id as usize).copied().unwrap_or(0.0),
                None => 1.0,
            };
            if m == 0.0 {
                continue;
            }
            pair_add(&mut out.person, m, p.n, p.sum, p.sumsq);
            all[0] += m * p.n;
            all[1] += m * p.sum;
            all[2] += m * p.sumsq;
            for r in &self.person_raters[p.raters.0 as usize..p.raters.1 as usize] {
                pair_add(&mut out.person_rater, m, r.n, r.sum, r.sumsq);
                let t = &mut rater[r.rater as usize];
                t[0] += m * r.n;
                t[1] += m * r.sum;
                t[2] += m * r.sumsq;
            }
            for prof in &self.profiles[p.profiles.0 as usize..p.profiles.1 as usize] {
                pair_add(&mut out.profile, m, prof.n, prof.sum, prof.sumsq);
                for c in &self.cells[prof.cells.0 as usize..prof.cells.1 as usize] {
                    pair_add(&mut out.profile_rater, m, c.n, c.sum, c.sumsq);
                }
            }
        }
        for t in &rater {
            if t[0] > 0.0 {
                pair_add(&mut out.rater, 1.0, t[0], t[1], t[2]);
            }
        }
        pair_add(&mut out.all, 1.0, all[0], all[1], all[2]);
        out
    }

    /// Per-person `(n, sum, sum of squares)` with weights, for the one-way ANOVA.
    pub(crate) fn person_sums(&self, weights: Option<&[f64]>) -> Vec<(f64, f64, f64, f64)> {
        self.persons
            .iter()
            .filter_map(|p| {
                let m = match weights {
                    Some(ws) => ws.get(p.id as usize).copied().unwrap_or(0.0),
                    None => 1.0,
                };
                (m != 0.0).then_some((m, p.n, p.sum, p.sumsq))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn centres_absorb_last_bit_differences() {
        let m = 4.123_456_789_f64;
        let next = f64::from_bits(m.to_bits() + 1);
        assert_eq!(stable_centre(m), stable_centre(next));
        assert!((stable_centre(m) - m).abs() < 1e-6 * m);
        assert_eq!(stable_centre(0.0), 0.0);
        assert_eq!(stable_centre(-2.5), -2.5);
    }

    #[test]
    fn value_keys_order_as_total_cmp() {
        let mut vs = [3.5, -0.0, 0.0, -7.25, 1e-300, -1e300, f64::INFINITY, -2.0];
        let mut by_key = vs;
        vs.sort_by(f64::total_cmp);
        by_key.sort_by_key(|&v| value_key(v));
        assert_eq!(vs.map(f64::to_bits), by_key.map(f64::to_bits));
    }

    /// Replicates in a cell come out in value order whatever the rows' order, on each of
    /// `sort_order`'s three paths (sorted, grouped by profile, neither).
    #[test]
    fn replicates_are_ordered_by_value() {
        let r = |person, profile, rater, value| Rating {
            person,
            profile,
            rater,
            value,
        };
        let values = |rs: &[Rating]| -> Vec<f64> {
            sort_order(rs)
                .iter()
                .map(|&i| rs[i as usize].value)
                .collect()
        };
        let grouped = [
            r(0, 0, 1, 5.0),
            r(0, 0, 0, 2.0),
            r(0, 0, 1, 3.0),
            r(1, 1, 0, 4.0),
        ];
        assert_eq!(values(&grouped), [2.0, 3.0, 5.0, 4.0]);
        let shuffled = [
            r(1, 1, 0, 4.0),
            r(0, 0, 1, 5.0),
            r(0, 0, 0, 2.0),
            r(0, 0, 1, 3.0),
        ];
        assert_eq!(values(&shuffled), [2.0, 3.0, 5.0, 4.0]);
        let sorted = [r(0, 0, 0, 2.0), r(0, 0, 1, 3.0), r(0, 0, 1, 5.0)];
        assert_eq!(sort_order(&sorted), [0, 1, 2]);
    }
}
