//! Variance components of lme4 random-intercept formulas over `person`, `context`, `rater`
//! and their two-way interactions (issue #12), by REML or ML.
//!
//! - [`super::formula`] parses the formula (pure).
//! - [`Model::new`] checks it against the data ([`check_design`]: factors present, two or
//!   more levels per term, every term separable from the others and from the residual) and
//!   compresses the rows into cells.
//! - [`eval`] evaluates lme4's profiled criterion (`REMLcrit()` / `deviance()`): terms nested
//!   in person are eliminated person by person, the crossed terms and the intercept form a
//!   dense Schur complement.
//! - [`Model::fit`] minimises it over `θ ≥ 0` with the Newton method of [`optim`].
//!
//! Model, algorithm and tolerances: `docs/decomposition.md`.

mod bootstrap;
mod dense;
mod effects;
mod eval;
mod grad;
mod moments;
mod optim;
mod profile;

pub use bootstrap::{
    person_cluster_bootstrap, BootstrapMethod, ModelBootstrap, ModelBootstrapOptions,
};
pub use effects::{Effect, TermEffects};
pub use eval::Evaluation;
pub use profile::{ProfileIntervals, SdInterval, PROFILE_Z95};

use super::formula::{Factor, Formula, FormulaError, TermKind};
use crate::prec;
use optim::{minimize, Options};
use serde::Serialize;
use std::sync::Arc;

use crate::fxhash::FxHashMap as HashMap;

/// One observation (row): who was rated in which context, by whom, and the value. Repeated
/// rows with the same ids are replicate observations, as in lme4.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub person: u32,
    pub context: u32,
    /// Ignored when the data have no rater column.
    pub rater: u32,
    pub value: f64,
}

/// Why a model cannot be fitted to these data. Variants about a term name it as written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error(transparent)]
    Formula(#[from] FormulaError),
    #[error("term '{term}': the data have no {factor} column")]
    AbsentFactor { term: String, factor: &'static str },
    #[error("term '{term}': {levels} level in the data; a variance needs two or more")]
    SingleLevel { term: String, levels: usize },
    #[error(
        "term '{term}': cannot be separated from {other}: both group the observations the same \
         way ({levels} levels)"
    )]
    Inseparable {
        term: String,
        other: String,
        levels: usize,
    },
    #[error("no observations")]
    Empty,
    #[error("an observation is not a finite number")]
    NonFinite,
    #[error("all observations are equal: there is no variance to decompose")]
    ConstantValues,
    #[error("the criterion is not defined at the starting values")]
    Undefined,
    #[error("cancelled")]
    Cancelled,
}

/// Estimation criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    /// Restricted maximum likelihood: lme4's default, `REMLcrit()`.
    Reml,
    /// Maximum likelihood: `lmer(..., REML = FALSE)`, `deviance()`.
    Ml,
}

/// Options of [`Model::fit`].
#[derive(Debug, Clone, Default)]
pub struct FitOptions {
    /// Starting `θ` per term (formula order); default the moment estimates
    /// (Henderson's Method I, `mixed/moments.rs`), all 1 (lme4's start) where they give no
    /// positive residual.
    pub start: Option<Vec<f64>>,
    /// Newton's stopping decrement; default [`prec::REML_DECREMENT`].
    pub decrement_tol: Option<f64>,
}

/// One term's estimate.
#[derive(Debug, Clone, Serialize)]
pub struct TermEstimate {
    /// As written in the formula.
    pub label: String,
    pub kind: TermKind,
    pub variance: f64,
    pub sd: f64,
    /// lme4's `θ`: the term's standard deviation over the residual one.
    pub theta: f64,
    pub share: f64,
    pub levels: usize,
}

/// A fitted model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelFit {
    pub formula: String,
    pub criterion_kind: Criterion,
    pub terms: Vec<TermEstimate>,
    pub residual: f64,
    pub residual_share: f64,
    pub intercept: f64,
    pub intercept_se: f64,
    /// `REMLcrit()` (REML) or `deviance()` (ML).
    pub criterion: f64,
    pub converged: bool,
    /// Labels of the terms estimated at exactly 0.
    pub boundary: Vec<String>,
    pub warnings: Vec<String>,
    pub observations: usize,
    /// Newton iterations.
    pub iterations: usize,
    /// Reductions of the design: criterion evaluations, a reduction with derivatives
    /// counting as one.
    pub evaluations: usize,
}

impl ModelFit {
    pub fn theta(&self) -> Vec<f64> {
        self.terms.iter().map(|t| t.theta).collect()
    }
}

/// A cell: the replicate observations of one (person, context, rater). The sum of their
/// centred values is kept apart ([`Model::sums`]), so that models of other values on the
/// same design share their cells.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell {
    pub(crate) n: f64,
    /// Per formula term: the term's index — local to the person block for terms nested in
    /// person, global (into the Schur complement) for crossed terms.
    pub(crate) idx: [u32; 6],
    /// Per crossed term: the position of its global index in the person's list of touched
    /// global indices (the intercept is always position 0).
    pub(crate) pos: [u32; 6],
}

/// The cells of one person.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub(crate) cells: (u32, u32),
    /// Number of nested effects (person, its profiles, its raters) in this block.
    pub(crate) m: u32,
    /// Range in [`Model::touched`]: the global indices this person's cells reach.
    pub(crate) touched: (u32, u32),
    /// Range in [`Model::nested`]: what each local nested effect is.
    pub(crate) nested: (u32, u32),
}

/// Persons whose blocks are identical but for the observed values (same cells, counts and
/// crossed levels): `A`, `B` and their factors depend on `θ` and the counts only, and the
/// values enter the criterion through sums and sums of products, so one elimination serves
/// them all. Designs where every person sees the same contexts (the context check of a plain
/// decomposition, balanced studies) collapse to a handful of signatures.
#[derive(Debug, Clone)]
pub(crate) struct Signature {
    /// The first person's block: cells (values replaced by the group's sums), touched list
    /// and nested effects.
    pub(crate) block: Block,
    pub(crate) count: f64,
    /// The cells are in [`Model::sig_cells`] (two or more persons); else the one person's
    /// own in [`Model::cells`] (no copy: most persons of a shared-context design are alone).
    pub(crate) pooled: bool,
    /// Range in [`Model::sig_r2`] of `Σ_p r_p r_p'` (`m × m`, `r_p` the person's unscaled
    /// value sums per nested effect); empty when `count` is 1.
    pub(crate) r2: (u32, u32),
}

/// A formula checked against and compressed from the data.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) formula: Formula,
    pub(crate) kinds: Vec<TermKind>,
    pub(crate) levels: Vec<usize>,
    pub(crate) cells: Arc<[Cell]>,
    /// Per cell, the sum of its centred values.
    pub(crate) sums: Vec<f64>,
    pub(crate) blocks: Vec<Block>,
    pub(crate) touched: Vec<u32>,
    /// Size of the global block: crossed levels + 1 (the intercept, last).
    pub(crate) g: usize,
    /// Per global index, the term (formula position) it belongs to; the intercept has none.
    pub(crate) global_term: Vec<usize>,
    pub(crate) n: f64,
    pub(crate) yy: f64,
    pub(crate) centre: f64,
    /// Per crossed term, the original ids of each level in global order (one id, or two for
    /// interactions in [`TermKind::factors`] order).
    pub(crate) level_ids: Vec<Vec<[u32; 2]>>,
    /// Per block-local nested effect: its term and level ids.
    pub(crate) nested: Vec<(u32, [u32; 2])>,
    /// The blocks grouped by [`Signature`]; [`Model::reduce`] works on these.
    pub(crate) signatures: Vec<Signature>,
    /// Cells of the pooled signatures, and their value sums over the group's persons.
    pub(crate) sig_cells: Arc<[Cell]>,
    pub(crate) sig_sums: Vec<f64>,
    pub(crate) sig_r2: Vec<f64>,
    /// Per block, its signature.
    pub(crate) sig_of: Vec<u32>,
    /// The crossed part of the unscaled `Z'Z` (global index pairs, both orders, and the
    /// intercept) and of `Z'y`, summed over all cells.
    pub(crate) cross: Vec<(u32, u32, f64)>,
    pub(crate) cross_rhs: Vec<(u32, f64)>,
    /// The rows' cell keys and cell order, kept by [`Model::new_reusable`] so that
    /// [`Model::with_values`] can take another response on the same design.
    pub(crate) row_cells: Option<Arc<RowCells>>,
    /// Whether the rows' rater ids were used (cells per rater).
    pub(crate) has_rater: bool,
}

/// Where each row of a model's data went: its cell key (person, context, rater; rater 0
/// without a rater column) and the row order that lists the cells' rows run by run.
#[derive(Debug)]
pub(crate) struct RowCells {
    keys: Vec<[u32; 3]>,
    /// Empty when the rows were in cell order already.
    order: Vec<u32>,
}

/// The cell of row `o`: (person, context, rater), rater 0 without a rater column.
fn cell_key(o: &Observation, has_rater: bool) -> [u32; 3] {
    [o.person, o.context, if has_rater { o.rater } else { 0 }]
}

/// The centre of the values and their sum of squares about it; an error when they are all
/// equal.
fn centred(rows: &[Observation]) -> Result<(f64, f64), ModelError> {
    let n = rows.len() as f64;
    let centre = rows.iter().map(|r| r.value).sum::<f64>() / n;
    let yy: f64 = rows.iter().map(|r| (r.value - centre).powi(2)).sum();
    if yy <= 0.0 {
        return Err(ModelError::ConstantValues);
    }
    Ok((centre, yy))
}

/// The row order that groups `rows` into cells, persons ascending, then contexts, then
/// raters, rows of a cell in their own order; empty when `rows` are in that order already.
/// Rows usually come person by person (a file or a store lists a person's profiles
/// together), and person ids are dense: a counting sort by person and a short sort of each
/// person's rows give the full sort's order at a fraction of its cost.
fn cell_order(rows: &[Observation], has_rater: bool) -> Vec<u32> {
    if rows.is_sorted_by_key(|o| cell_key(o, has_rater)) {
        return Vec::new();
    }
    let by_index = |i: u32| (cell_key(&rows[i as usize], has_rater), i);
    let persons = rows
        .iter()
        .map(|o| o.person as usize + 1)
        .max()
        .unwrap_or(0);
    if persons > 2 * rows.len() + (1 << 18) {
        let mut order: Vec<u32> = (0..rows.len() as u32).collect();
        order.sort_unstable_by_key(|&i| by_index(i));
        return order;
    }
    let mut start = vec![0u32; persons + 1];
    for o in rows {
        start[o.person as usize + 1] += 1;
    }
    for p in 0..persons {
        start[p + 1] += start[p];
    }
    let mut next = start.clone();
    let mut order = vec![0u32; rows.len()];
    for (i, o) in rows.iter().enumerate() {
        let slot = &mut next[o.person as usize];
        order[*slot as usize] = i as u32;
        *slot += 1;
    }
    for p in 0..persons {
        let run = &mut order[start[p] as usize..start[p + 1] as usize];
        if !run.is_sorted_by_key(|&i| by_index(i)) {
            run.sort_unstable_by_key(|&i| by_index(i));
        }
    }
    order
}

/// Level ids of `kind` for row `o`.
fn key(kind: TermKind, o: &Observation) -> [u32; 2] {
    let f = |x: Factor| match x {
        Factor::Person => o.person,
        Factor::Context => o.context,
        Factor::Rater => o.rater,
    };
    let fs = kind.factors();
    [f(fs[0]), fs.get(1).map(|&x| f(x)).unwrap_or(0)]
}

/// Numbers the levels of one term in order of first appearance: a dense table over the ids
/// when they span few enough (the ids are a data set's dense indices, so they usually do),
/// else a hash map.
enum LevelIndex {
    Dense {
        stride: usize,
        slots: Vec<u32>,
        len: u32,
    },
    Sparse(HashMap<[u32; 2], u32>),
}

impl LevelIndex {
    fn new(kind: TermKind, rows: &[Observation]) -> LevelIndex {
        let fs = kind.factors();
        let span = |f: Factor| {
            rows.iter()
                .map(|o| match f {
                    Factor::Person => o.person,
                    Factor::Context => o.context,
                    Factor::Rater => o.rater,
                })
                .max()
                .map_or(0, |m| m as usize + 1)
        };
        let a = span(fs[0]);
        let b = fs.get(1).map_or(1, |&f| span(f));
        // A table up to twice the rows plus 256k slots: zeroing it costs less than hashing.
        match a.checked_mul(b) {
            Some(size) if size <= 2 * rows.len() + (1 << 18) => LevelIndex::Dense {
                stride: b,
                slots: vec![u32::MAX; size],
                len: 0,
            },
            _ => LevelIndex::Sparse(HashMap::default()),
        }
    }

    /// The index of `kind`'s levels in `rows` numbered in id order, and their ids.
    fn sorted(kind: TermKind, rows: &[Observation]) -> (LevelIndex, Vec<[u32; 2]>) {
        let mut map = LevelIndex::new(kind, rows);
        let keys = match &mut map {
            LevelIndex::Dense { stride, slots, len } => {
                for o in rows {
                    let k = key(kind, o);
                    slots[k[0] as usize * *stride + k[1] as usize] = 0;
                }
                let mut keys = Vec::new();
                for (i, slot) in slots.iter_mut().enumerate() {
                    if *slot == 0 {
                        *slot = *len;
                        *len += 1;
                        let b = if kind.factors().len() == 2 {
                            i % *stride
                        } else {
                            0
                        };
                        keys.push([(i / *stride) as u32, b as u32]);
                    }
                }
                keys
            }
            LevelIndex::Sparse(_) => {
                let mut keys: Vec<[u32; 2]> = rows.iter().map(|o| key(kind, o)).collect();
                keys.sort_unstable();
                keys.dedup();
                for &k in &keys {
                    map.level(k);
                }
                keys
            }
        };
        (map, keys)
    }

    fn len(&self) -> usize {
        match self {
            LevelIndex::Dense { len, .. } => *len as usize,
            LevelIndex::Sparse(map) => map.len(),
        }
    }

    /// The level of `k`, numbered next when new.
    #[inline]
    fn level(&mut self, k: [u32; 2]) -> u32 {
        match self {
            LevelIndex::Dense { stride, slots, len } => {
                let slot = &mut slots[k[0] as usize * *stride + k[1] as usize];
                if *slot == u32::MAX {
                    *slot = *len;
                    *len += 1;
                }
                *slot
            }
            LevelIndex::Sparse(map) => {
                let next = map.len() as u32;
                *map.entry(k).or_insert(next)
            }
        }
    }
}

/// Checks that `formula` can be fitted to `rows`: every factor present, every term with two
/// or more levels, and no term grouping the observations exactly as another term does or as
/// the residual does (each level one observation) — such a pair's variances are not separately
/// identifiable (lme4 refuses the latter: "number of levels of each grouping factor must be <
/// number of observations"). Returns each term's number of levels.
pub fn check_design(
    formula: &Formula,
    rows: &[Observation],
    has_rater: bool,
) -> Result<Vec<usize>, ModelError> {
    if rows.is_empty() {
        return Err(ModelError::Empty);
    }
    if rows.iter().any(|r| !r.value.is_finite()) {
        return Err(ModelError::NonFinite);
    }
    for t in &formula.terms {
        if !has_rater && t.kind.factors().contains(&Factor::Rater) {
            return Err(ModelError::AbsentFactor {
                term: t.label.clone(),
                factor: "rater",
            });
        }
    }
    let mut ids: Vec<Vec<u32>> = Vec::with_capacity(formula.terms.len());
    let mut levels = Vec::with_capacity(formula.terms.len());
    for t in &formula.terms {
        let mut map = LevelIndex::new(t.kind, rows);
        let v: Vec<u32> = rows.iter().map(|o| map.level(key(t.kind, o))).collect();
        if map.len() < 2 {
            return Err(ModelError::SingleLevel {
                term: t.label.clone(),
                levels: map.len(),
            });
        }
        levels.push(map.len());
        ids.push(v);
    }
    for (i, t) in formula.terms.iter().enumerate() {
        if levels[i] == rows.len() {
            return Err(ModelError::Inseparable {
                term: t.label.clone(),
                other: "the residual (each level has one observation)".into(),
                levels: levels[i],
            });
        }
        for j in 0..i {
            if levels[i] != levels[j] {
                continue;
            }
            // As many levels: the same grouping when each level of one meets a single level
            // of the other.
            let mut partner = vec![u32::MAX; levels[i]];
            let same = ids[i].iter().zip(&ids[j]).all(|(&a, &b)| {
                let p = &mut partner[a as usize];
                if *p == u32::MAX {
                    *p = b;
                }
                *p == b
            });
            if same {
                return Err(ModelError::Inseparable {
                    term: t.label.clone(),
                    other: format!("'{}'", formula.terms[j].label),
                    levels: levels[i],
                });
            }
        }
    }
    Ok(levels)
}

impl Model {
    /// Checks `formula` against `rows` ([`check_design`]) and compresses the rows.
    pub fn new(
        formula: &Formula,
        rows: &[Observation],
        has_rater: bool,
    ) -> Result<Model, ModelError> {
        Model::build(formula, rows, has_rater, false)
    }

    /// [`Model::new`], keeping where each row went so that [`Model::with_values`] can build
    /// the models of other responses on the same rows (the dimensions of a study where every
    /// rater rates every profile on every dimension) without checking and compressing the
    /// design again. Costs 16 bytes per row.
    pub fn new_reusable(
        formula: &Formula,
        rows: &[Observation],
        has_rater: bool,
    ) -> Result<Model, ModelError> {
        Model::build(formula, rows, has_rater, true)
    }

    /// The model of `rows` when they have this model's design — the same persons, contexts
    /// and raters row by row as the rows it was built from by [`Model::new_reusable`] — and
    /// other values: equal to `Model::new(formula, rows, has_rater)`, bit for bit, with only
    /// the value sums redone. `None` when the design differs or was not kept.
    pub fn with_values(&self, rows: &[Observation]) -> Option<Result<Model, ModelError>> {
        let kept = self.row_cells.as_ref()?;
        let same = rows.len() == kept.keys.len()
            && (rows.iter().zip(&kept.keys)).all(|(o, k)| cell_key(o, self.has_rater) == *k);
        if !same {
            return None;
        }
        if rows.iter().any(|r| !r.value.is_finite()) {
            return Some(Err(ModelError::NonFinite));
        }
        let (centre, yy) = match centred(rows) {
            Ok(c) => c,
            Err(e) => return Some(Err(e)),
        };
        let mut sums = Vec::with_capacity(self.cells.len());
        let mut next = 0usize;
        for c in self.cells.iter() {
            let mut cs = 0.0;
            for _ in 0..c.n as usize {
                let i = if kept.order.is_empty() {
                    next
                } else {
                    kept.order[next] as usize
                };
                cs += rows[i].value - centre;
                next += 1;
            }
            sums.push(cs);
        }
        // The design's summaries as they are; the value sums redone below.
        let mut model = Model {
            sums,
            n: rows.len() as f64,
            yy,
            centre,
            ..self.clone()
        };
        model.summarise_values();
        Some(Ok(model))
    }

    fn build(
        formula: &Formula,
        rows: &[Observation],
        has_rater: bool,
        keep_rows: bool,
    ) -> Result<Model, ModelError> {
        let levels = check_design(formula, rows, has_rater)?;
        let n = rows.len() as f64;
        let (centre, yy) = centred(rows)?;
        let kinds: Vec<TermKind> = formula.terms.iter().map(|t| t.kind).collect();
        let rater = |o: &Observation| if has_rater { o.rater } else { 0 };
        // Row order within a cell is kept (the index breaks ties), as a stable sort would;
        // readers often give the rows in this order already.
        let cell_rows = cell_order(rows, has_rater);
        let in_order = cell_rows.is_empty();
        let order: Vec<u32> = if in_order {
            (0..rows.len() as u32).collect()
        } else {
            cell_rows
        };
        // Global indices of the crossed terms' levels, the intercept last.
        // Per crossed term: its levels numbered in id order, and where they start.
        let mut global_maps: Vec<Option<(LevelIndex, u32)>> = Vec::with_capacity(kinds.len());
        let mut level_ids: Vec<Vec<[u32; 2]>> = vec![Vec::new(); kinds.len()];
        let mut global_term = Vec::new();
        for (t, &kind) in kinds.iter().enumerate() {
            if kind.nested_in_person() {
                global_maps.push(None);
                continue;
            }
            let (map, keys) = LevelIndex::sorted(kind, rows);
            global_maps.push(Some((map, global_term.len() as u32)));
            global_term.extend(std::iter::repeat_n(t, keys.len()));
            level_ids[t] = keys;
        }
        let g = global_term.len() + 1;
        let intercept = (g - 1) as u32;
        let mut cells: Vec<Cell> = Vec::new();
        let mut sums: Vec<f64> = Vec::new();
        let mut blocks: Vec<Block> = Vec::new();
        let mut touched: Vec<u32> = Vec::new();
        let mut nested: Vec<(u32, [u32; 2])> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let person = rows[order[i] as usize].person;
            let cell_start = cells.len();
            let touched_start = touched.len();
            let nested_start = nested.len();
            touched.push(intercept);
            // A person has a handful of nested effects: a linear search of its own list
            // beats a hash map per person and term.
            let mut m = 0u32;
            while i < order.len() && rows[order[i] as usize].person == person {
                let first = rows[order[i] as usize];
                let (mut cn, mut cs) = (0.0, 0.0);
                while i < order.len() {
                    let o = &rows[order[i] as usize];
                    if o.person != person || o.context != first.context || rater(o) != rater(&first)
                    {
                        break;
                    }
                    cn += 1.0;
                    cs += o.value - centre;
                    i += 1;
                }
                sums.push(cs);
                let mut cell = Cell {
                    n: cn,
                    idx: [u32::MAX; 6],
                    pos: [u32::MAX; 6],
                };
                for (t, &kind) in kinds.iter().enumerate() {
                    let k = key(kind, &first);
                    if kind.nested_in_person() {
                        let own = &nested[nested_start..];
                        let e = match own.iter().position(|&(tt, kk)| tt == t as u32 && kk == k) {
                            Some(e) => e as u32,
                            None => {
                                nested.push((t as u32, k));
                                m += 1;
                                m - 1
                            }
                        };
                        cell.idx[t] = e;
                    } else {
                        let gi = match &mut global_maps[t] {
                            Some((map, first)) => *first + map.level(k),
                            None => u32::MAX,
                        };
                        cell.idx[t] = gi;
                        let list = &mut touched[touched_start..];
                        let p = match list.iter().position(|&x| x == gi) {
                            Some(p) => p,
                            None => {
                                touched.push(gi);
                                touched.len() - 1 - touched_start
                            }
                        };
                        cell.pos[t] = p as u32;
                    }
                }
                cells.push(cell);
            }
            blocks.push(Block {
                cells: (cell_start as u32, cells.len() as u32),
                m,
                touched: (touched_start as u32, touched.len() as u32),
                nested: (nested_start as u32, nested.len() as u32),
            });
        }
        let mut model = Model {
            formula: formula.clone(),
            kinds,
            levels,
            cells: cells.into(),
            sums,
            blocks,
            touched,
            g,
            global_term,
            n,
            yy,
            centre,
            level_ids,
            nested,
            signatures: Vec::new(),
            sig_cells: Arc::new([]),
            sig_sums: Vec::new(),
            sig_r2: Vec::new(),
            sig_of: Vec::new(),
            cross: Vec::new(),
            cross_rhs: Vec::new(),
            row_cells: None,
            has_rater,
        };
        if keep_rows {
            model.row_cells = Some(Arc::new(RowCells {
                keys: rows.iter().map(|o| cell_key(o, has_rater)).collect(),
                order: if in_order { Vec::new() } else { order },
            }));
        }
        model.summarise_design();
        Ok(model)
    }

    /// Builds the summaries of the design (the crossed part of `Z'Z`, the signatures) and
    /// then those of the values.
    fn summarise_design(&mut self) {
        self.sum_crossed_pairs();
        self.sum_crossed_rhs();
        self.group_signatures(true);
    }

    /// Rebuilds every summary that holds response sums (the crossed right-hand side and the
    /// per-signature sums) on the design's own: after the cells' sums change, as a simulated
    /// bootstrap sample or another dimension's values ([`Model::with_values`]) do.
    pub(crate) fn summarise_values(&mut self) {
        self.sum_crossed_rhs();
        self.sum_signatures();
    }

    /// The crossed global indices of a cell, the intercept first.
    fn crossed_of(&self, c: &Cell, gi: &mut Vec<u32>) {
        gi.clear();
        gi.push((self.g - 1) as u32);
        for (t, kind) in self.kinds.iter().enumerate() {
            if !kind.nested_in_person() {
                gi.push(c.idx[t]);
            }
        }
    }

    /// Fills [`Model::cross`].
    fn sum_crossed_pairs(&mut self) {
        // Dense as the global block itself (the reduction allocates g × g anyway); each
        // entry still sums its cells in cell order.
        let g = self.g;
        let mut pairs: Vec<f64> = vec![0.0; g * g];
        let mut gi: Vec<u32> = Vec::with_capacity(7);
        for c in self.cells.iter() {
            self.crossed_of(c, &mut gi);
            for &a in &gi {
                for &b in &gi {
                    pairs[a as usize * g + b as usize] += c.n;
                }
            }
        }
        // Memory order for the scatter. A pair is present when a cell has it (n ≥ 1 each).
        self.cross = pairs
            .iter()
            .enumerate()
            .filter(|&(_, &w)| w != 0.0)
            .map(|(i, &w)| ((i / g) as u32, (i % g) as u32, w))
            .collect();
    }

    /// Fills [`Model::cross_rhs`].
    fn sum_crossed_rhs(&mut self) {
        let mut sums: Vec<f64> = vec![0.0; self.g];
        let mut gi: Vec<u32> = Vec::with_capacity(7);
        for (c, &sum) in self.cells.iter().zip(&self.sums) {
            self.crossed_of(c, &mut gi);
            for &a in &gi {
                sums[a as usize] += sum;
            }
        }
        self.cross_rhs = sums
            .into_iter()
            .enumerate()
            .filter(|&(_, v)| v != 0.0)
            .map(|(i, v)| (i as u32, v))
            .collect();
    }

    /// Fills [`Model::signatures`] (grouped by identical blocks when `group`, else one per
    /// person: the reference the grouping is tested against) and their sums.
    pub(crate) fn group_signatures(&mut self, group: bool) {
        let mut index: HashMap<Vec<u64>, usize> =
            HashMap::with_capacity_and_hasher(self.blocks.len(), Default::default());
        let mut sigs: Vec<Signature> = Vec::new();
        let mut sig_cells: Vec<Cell> = Vec::new();
        let mut key: Vec<u64> = Vec::new();
        let mut sig_of = Vec::with_capacity(self.blocks.len());
        for (b, block) in self.blocks.iter().enumerate() {
            let cells = &self.cells[block.cells.0 as usize..block.cells.1 as usize];
            let touched = &self.touched[block.touched.0 as usize..block.touched.1 as usize];
            key.clear();
            if group {
                key.push(u64::from(block.m));
                key.push(touched.len() as u64);
                key.extend(touched.iter().map(|&t| u64::from(t)));
                // Slots past the formula's terms are unused (the same in every cell).
                let terms = self.kinds.len();
                for c in cells {
                    key.push(c.n.to_bits());
                    key.extend(c.idx[..terms].iter().zip(&c.pos[..terms]).map(|(&i, &p)| {
                        // Crossed indices are already in `touched`; nested ones are local.
                        (u64::from(i) << 32) | u64::from(p)
                    }));
                }
            } else {
                key.push(b as u64);
            }
            match index.get(&key) {
                Some(&s) => {
                    sig_of.push(s as u32);
                    let sig = &mut sigs[s];
                    if !sig.pooled {
                        // The cells' layout; their sums are filled by `sum_signatures`.
                        let (a, b) = sig.block.cells;
                        let start = sig_cells.len() as u32;
                        sig_cells.extend_from_slice(&self.cells[a as usize..b as usize]);
                        sig.block.cells = (start, sig_cells.len() as u32);
                        sig.pooled = true;
                    }
                    sig.count += 1.0;
                }
                None => {
                    sig_of.push(sigs.len() as u32);
                    index.insert(key.clone(), sigs.len());
                    sigs.push(Signature {
                        block: block.clone(),
                        count: 1.0,
                        pooled: false,
                        r2: (0, 0),
                    });
                }
            }
        }
        let mut r2_len = 0usize;
        for sig in sigs.iter_mut().filter(|s| s.pooled) {
            let m = sig.block.m as usize;
            sig.r2 = (r2_len as u32, (r2_len + m * m) as u32);
            r2_len += m * m;
        }
        self.signatures = sigs;
        self.sig_sums = vec![0.0; sig_cells.len()];
        self.sig_cells = sig_cells.into();
        self.sig_r2 = vec![0.0; r2_len];
        self.sig_of = sig_of;
        self.sum_signatures();
    }

    /// The value sums of the pooled signatures: their cells' sums over the group's persons
    /// and `Σ_p r_p r_p'`, persons in block order.
    fn sum_signatures(&mut self) {
        let mut seen = vec![false; self.signatures.len()];
        self.sig_r2.fill(0.0);
        // One person's unscaled nested sums.
        let mut r: Vec<f64> = Vec::new();
        for (block, &s) in self.blocks.iter().zip(&self.sig_of) {
            let sig = &self.signatures[s as usize];
            if !sig.pooled {
                continue;
            }
            let range = block.cells.0 as usize..block.cells.1 as usize;
            let (cells, sums) = (&self.cells[range.clone()], &self.sums[range]);
            let start = sig.block.cells.0 as usize;
            let out = &mut self.sig_sums[start..start + cells.len()];
            if std::mem::replace(&mut seen[s as usize], true) {
                for (o, sum) in out.iter_mut().zip(sums) {
                    *o += sum;
                }
            } else {
                out.copy_from_slice(sums);
            }
            let m = block.m as usize;
            r.clear();
            r.resize(m, 0.0);
            for (c, &sum) in cells.iter().zip(sums) {
                for (t, kind) in self.kinds.iter().enumerate() {
                    if kind.nested_in_person() {
                        r[c.idx[t] as usize] += sum;
                    }
                }
            }
            let out = &mut self.sig_r2[sig.r2.0 as usize..sig.r2.1 as usize];
            for i in 0..m {
                for j in 0..m {
                    out[i * m + j] += r[i] * r[j];
                }
            }
        }
    }

    pub fn formula(&self) -> &Formula {
        &self.formula
    }

    /// Number of levels per term (formula order).
    pub fn levels(&self) -> &[usize] {
        &self.levels
    }

    pub fn n_observations(&self) -> usize {
        self.n as usize
    }

    /// Fits the model: minimises the criterion over `θ ≥ 0`. Terms whose `θ` ends below
    /// [`prec::THETA_BOUNDARY`] are tried at exactly 0 and kept there when no worse.
    pub fn fit(&self, criterion: Criterion, opts: &FitOptions) -> Result<ModelFit, ModelError> {
        let k = self.kinds.len();
        let x0: Vec<f64> = match &opts.start {
            Some(s) if s.len() == k => s.iter().map(|v| v.abs()).collect(),
            // lme4 starts at θ = 1; moment estimates are an iteration or two closer.
            _ => self.moment_start().unwrap_or_else(|| vec![1.0; k]),
        };
        let decrement_tol = opts.decrement_tol.unwrap_or(prec::REML_DECREMENT);
        // Every evaluation made, so the report's one at the optimum is not computed again.
        let seen: std::cell::RefCell<Vec<(Vec<f64>, Evaluation)>> = Default::default();
        let remember = |x: &[f64], e: &Evaluation| seen.borrow_mut().push((x.to_vec(), *e));
        let f = |x: &[f64]| {
            let e = self.evaluate(x, criterion)?;
            remember(x, &e);
            Some(e.criterion)
        };
        let derivs = |x: &[f64]| {
            let (d, e) = self.derivatives_with(x, criterion)?;
            remember(x, &e);
            Some((d.value, d.gradient, d.hessian))
        };
        let min = minimize(
            f,
            derivs,
            &x0,
            Options {
                decrement_tol,
                max_iter: 200,
                step_rel: 1e-4,
                step_min: 1e-5,
                finish: 1e4 * decrement_tol,
            },
        )
        .ok_or(ModelError::Undefined)?;
        let mut theta = min.x.clone();
        let mut best = min.value;
        let mut evaluations = min.evaluations;
        for i in 0..k {
            if theta[i] > 0.0 && theta[i] < prec::THETA_BOUNDARY {
                let mut t = theta.clone();
                t[i] = 0.0;
                evaluations += 1;
                if let Some(e) = self.evaluate(&t, criterion) {
                    remember(&t, &e);
                    if e.criterion <= best + decrement_tol {
                        theta = t;
                        best = best.min(e.criterion);
                    }
                }
            }
        }
        // The criterion is even in each θ_k (a sign flips the effects, exactly), so an
        // evaluation at −θ_k is the one at θ_k.
        let known = seen
            .borrow()
            .iter()
            .rev()
            .find(|(x, _)| x.iter().zip(&theta).all(|(a, b)| a.abs() == *b))
            .map(|(_, e)| *e);
        let (e, extra) = match known {
            Some(e) => (e, 0),
            None => (
                self.evaluate(&theta, criterion)
                    .ok_or(ModelError::Undefined)?,
                1,
            ),
        };
        Ok(self.summarise(
            &theta,
            &e,
            criterion,
            min.converged,
            min.iterations,
            evaluations + extra,
        ))
    }

    /// The fit's report at `theta` from its evaluation.
    fn summarise(
        &self,
        theta: &[f64],
        e: &Evaluation,
        criterion: Criterion,
        converged: bool,
        iterations: usize,
        evaluations: usize,
    ) -> ModelFit {
        let sigma2 = e.sigma2;
        let variances: Vec<f64> = theta.iter().map(|t| t * t * sigma2).collect();
        let total: f64 = variances.iter().sum::<f64>() + sigma2;
        let share = |v: f64| if total > 0.0 { v / total } else { 0.0 };
        let terms: Vec<TermEstimate> = self
            .formula
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| TermEstimate {
                label: t.label.clone(),
                kind: t.kind,
                variance: variances[i],
                sd: variances[i].sqrt(),
                theta: theta[i],
                share: share(variances[i]),
                levels: self.levels[i],
            })
            .collect();
        let boundary: Vec<String> = terms
            .iter()
            .filter(|t| t.theta == 0.0)
            .map(|t| t.label.clone())
            .collect();
        let mut warnings = Vec::new();
        for b in &boundary {
            warnings.push(format!(
                "term '{b}': estimated at 0 (boundary fit; the data show no variance for it)"
            ));
        }
        if !converged {
            warnings.push(
                "the optimiser stopped before its convergence test passed; the estimates may \
                 not be at the optimum"
                    .into(),
            );
        }
        ModelFit {
            formula: self.formula.text.clone(),
            criterion_kind: criterion,
            terms,
            residual: sigma2,
            residual_share: share(sigma2),
            intercept: e.intercept,
            intercept_se: e.intercept_se,
            criterion: e.criterion,
            converged,
            boundary,
            warnings,
            observations: self.n as usize,
            iterations,
            evaluations,
        }
    }
}

#[cfg(test)]
mod tests;
