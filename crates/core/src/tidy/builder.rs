//! Interning rows into a [`Dataset`] as they stream by: duplicate checks, text values as
//! nominal categories.

use super::*;
use crate::checks::quote;
use crate::dataset::{Dataset, DimensionData, Observation, ProfileKey, RaterEntry};
use crate::error::{CoreError, Result, RowError};
use crate::model::{Anchor, Level, RaterKind, Scale};
use std::collections::HashMap;

/// The multiply-rotate hash rustc uses for its own tables: several times faster than SipHash
/// on short ids, and the keys here come from one local file, not from an adversary.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            self.write_u64(le_word(chunk));
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Interns rows into a [`Dataset`] as they stream by. The dataset's dimensions get their
/// names here but no observations: the ratings are gathered in [`Column`]s (16 bytes a row
/// rather than an observation's 56 and a duplicate key's 16) and turned into observations
/// once, at [`Builder::finish`], at their final size.
pub(super) struct Builder {
    pub(super) ds: Dataset,
    pub(super) persons: FxMap<String, u32>,
    pub(super) contexts: FxMap<String, u32>,
    pub(super) profiles: FxMap<ProfileKey, u32>,
    pub(super) raters: FxMap<String, u32>,
    pub(super) dims: FxMap<String, usize>,
    /// Per dimension: every row, missing ratings included (for the duplicate check).
    pub(super) columns: Vec<Column>,
    /// Keep every row's line, which only a duplicate's message needs. A builder without them
    /// finds duplicates all the same, and its caller reads the file again with lines to name
    /// them ([`Builder::unlocated_duplicates`]).
    pub(super) keep_lines: bool,
    /// [`Builder::unlocated_duplicates`] found none.
    pub(super) duplicates_checked: bool,
    /// Per dimension: the text values seen, which become nominal categories.
    pub(super) labels: Vec<Labels>,
    /// The previous row's profile and dimension: files come grouped by profile, so most rows
    /// repeat them and skip the hash lookups (compared by the names in the tables).
    pub(super) last_profile: Option<u32>,
    pub(super) last_dimension: Option<usize>,
    /// The raters of the last few rows (a profile's raters take turns row by row), looked up
    /// by comparison before the hash table; `next_recent` is the slot a miss replaces.
    pub(super) recent_raters: Vec<u32>,
    pub(super) next_recent: usize,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new(true)
    }
}

/// How many recent raters [`Builder::push`] remembers.
const RECENT_RATERS: usize = 8;

/// Up to this many raters or dimensions, [`Builder::push`] finds one by comparing names.
const FEW: usize = 24;

/// One dimension's rows as columns, in file order. An optional column stays empty until a
/// row has a value for it, and then holds one entry per row.
#[derive(Default)]
pub(super) struct Column {
    pub(super) profile: Vec<u32>,
    /// `u32::MAX`: no rater.
    pub(super) rater: Vec<u32>,
    /// NaN: a missing rating (every value read is finite).
    pub(super) value: Vec<f64>,
    pub(super) created_at: Vec<Option<i64>>,
    pub(super) seconds_spent: Vec<Option<f64>>,
    /// Empty unless the builder keeps lines.
    pub(super) line: Vec<u64>,
}

/// Pushes `v` onto an optional column of `len` rows so far: nothing while it has never had a
/// value, else padded with `none` up to the row.
fn push_optional<T: Copy>(col: &mut Vec<T>, len: usize, v: Option<T>, none: T) {
    match v {
        Some(v) => {
            col.resize(len, none);
            col.push(v);
        }
        None if !col.is_empty() => col.push(none),
        None => {}
    }
}

impl Column {
    fn len(&self) -> usize {
        self.profile.len()
    }

    fn push(
        &mut self,
        profile: u32,
        rater: Option<u32>,
        value: f64,
        row: &RowRef<'_>,
        lines: bool,
    ) {
        let n = self.len();
        self.profile.push(profile);
        push_optional(&mut self.rater, n, rater, u32::MAX);
        self.value.push(value);
        push_optional(&mut self.created_at, n, row.created_at.map(Some), None);
        push_optional(
            &mut self.seconds_spent,
            n,
            row.seconds_spent.map(Some),
            None,
        );
        if lines {
            self.line.push(row.line);
        }
    }

    /// Pads the optional columns to the rows (a column may end before the last rows).
    fn pad(&mut self) {
        let n = self.len();
        if !self.rater.is_empty() {
            self.rater.resize(n, u32::MAX);
        }
        if !self.created_at.is_empty() {
            self.created_at.resize(n, None);
        }
        if !self.seconds_spent.is_empty() {
            self.seconds_spent.resize(n, None);
        }
    }

    /// The observations: the rows with a rating, in file order.
    fn observations(&self) -> Vec<Observation> {
        let kept = self.value.iter().filter(|v| !v.is_nan()).count();
        let mut out = Vec::with_capacity(kept);
        for (i, (&profile, &value)) in self.profile.iter().zip(&self.value).enumerate() {
            if value.is_nan() {
                continue;
            }
            out.push(Observation {
                profile,
                rater: self.rater.get(i).copied().filter(|&r| r != u32::MAX),
                value,
                created_at: self.created_at.get(i).copied().flatten(),
                seconds_spent: self.seconds_spent.get(i).copied().flatten(),
            });
        }
        out
    }

    /// Two rows with one profile and one rater. Files list a profile's ratings together, so
    /// each profile's rows are checked among themselves in one pass; a profile coming back
    /// later in the dimension sends the whole dimension to a sort.
    pub(super) fn has_duplicates(&self, n_profiles: usize) -> bool {
        if self.rater.is_empty() {
            return false;
        }
        let mut done = vec![false; n_profiles];
        let mut run: Vec<u32> = Vec::new();
        let mut i = 0;
        while i < self.len() {
            let p = self.profile[i];
            let mut j = i + 1;
            while j < self.len() && self.profile[j] == p {
                j += 1;
            }
            if std::mem::replace(&mut done[p as usize], true) {
                return self.has_duplicates_sorted();
            }
            run.clear();
            run.extend_from_slice(&self.rater[i..j]);
            run.sort_unstable();
            if run.windows(2).any(|w| w[0] == w[1]) {
                return true;
            }
            i = j;
        }
        false
    }

    pub(super) fn has_duplicates_sorted(&self) -> bool {
        let mut keys: Vec<u64> = (self.profile.iter().zip(&self.rater))
            .map(|(&p, &r)| (u64::from(p) << 32) | u64::from(r))
            .collect();
        keys.sort_unstable();
        keys.windows(2).any(|w| w[0] == w[1])
    }
}

/// Text values of one dimension in a file without a codebook: categories numbered 1, 2, … in
/// the order first seen (case-insensitive, the first spelling names the category). A dimension
/// mixing text and numbers is an error: a number there is not a category code one can trust.
#[derive(Default)]
pub(super) struct Labels {
    pub(super) names: Vec<String>,
    pub(super) codes: FxMap<String, u32>,
    /// Line and text of the first text value.
    pub(super) first_text: Option<(u64, String)>,
    pub(super) first_number: Option<u64>,
}

impl Labels {
    pub(super) fn code(&mut self, label: &str) -> u32 {
        let key = label.to_lowercase();
        if let Some(&c) = self.codes.get(&key) {
            return c;
        }
        self.names.push(label.to_owned());
        let c = self.names.len() as u32;
        self.codes.insert(key, c);
        c
    }
}

/// `a == b` for the ids of a ratings file, eight bytes at a time in line: most rows compare a
/// few short ids with the previous row's, and a call to `memcmp` for each cost more than the
/// comparison.
#[inline]
pub(super) fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i + 8 <= a.len() {
        if le_word(&a[i..i + 8]) != le_word(&b[i..i + 8]) {
            return false;
        }
        i += 8;
    }
    a[i..].iter().zip(&b[i..]).all(|(x, y)| x == y)
}

pub(super) fn intern(map: &mut FxMap<String, u32>, table: &mut Vec<String>, s: &str) -> u32 {
    if let Some(&i) = map.get(s) {
        return i;
    }
    table.push(s.to_owned());
    let i = (table.len() - 1) as u32;
    map.insert(s.to_owned(), i);
    i
}

impl Builder {
    /// A builder keeping lines for duplicate messages (`keep_lines`) or not.
    pub(super) fn new(keep_lines: bool) -> Builder {
        Builder {
            ds: Dataset::default(),
            persons: FxMap::default(),
            contexts: FxMap::default(),
            profiles: FxMap::default(),
            raters: FxMap::default(),
            dims: FxMap::default(),
            columns: Vec::new(),
            keep_lines,
            duplicates_checked: false,
            labels: Vec::new(),
            last_profile: None,
            last_dimension: None,
            recent_raters: Vec::new(),
            next_recent: 0,
        }
    }

    pub(super) fn push(&mut self, row: &RowRef<'_>) {
        let same_profile = self.last_profile.filter(|&id| {
            let k = self.ds.profiles[id as usize];
            same(&self.ds.persons[k.person as usize], row.person)
                && same(&self.ds.contexts[k.context as usize], row.context)
        });
        let profile = match same_profile {
            Some(id) => id,
            None => {
                let person = intern(&mut self.persons, &mut self.ds.persons, row.person);
                let context = intern(&mut self.contexts, &mut self.ds.contexts, row.context);
                let id = self.profile(ProfileKey { person, context });
                self.last_profile = Some(id);
                id
            }
        };
        let rater = row.rater.map(|r| self.recent_rater(r));
        let same_dimension =
            (self.last_dimension).filter(|&d| same(&self.ds.dimensions[d].name, row.dimension));
        let d = match same_dimension {
            Some(d) => d,
            None => {
                let d = self.dimension(row.dimension);
                self.last_dimension = Some(d);
                d
            }
        };
        let labels = &mut self.labels[d];
        let value = match (row.value, row.label) {
            (Some(v), _) => {
                labels.first_number.get_or_insert(row.line);
                Some(v)
            }
            (None, Some(t)) => {
                labels
                    .first_text
                    .get_or_insert_with(|| (row.line, t.to_owned()));
                Some(f64::from(labels.code(t)))
            }
            (None, None) => None,
        };
        let lines = self.keep_lines;
        self.columns[d].push(profile, rater, value.unwrap_or(f64::NAN), row, lines);
    }

    pub(super) fn profile(&mut self, key: ProfileKey) -> u32 {
        let profiles = &mut self.ds.profiles;
        *self.profiles.entry(key).or_insert_with(|| {
            profiles.push(key);
            (profiles.len() - 1) as u32
        })
    }

    fn recent_rater(&mut self, name: &str) -> u32 {
        let raters = &self.ds.raters;
        // A file's few raters (the usual case) are found by comparison, like its dimensions.
        if raters.len() <= FEW {
            if let Some(id) = raters.iter().position(|r| same(&r.name, name)) {
                return id as u32;
            }
            return self.rater(name);
        }
        if let Some(&id) =
            (self.recent_raters.iter()).find(|&&id| same(&raters[id as usize].name, name))
        {
            return id;
        }
        let id = self.rater(name);
        if self.recent_raters.len() < RECENT_RATERS {
            self.recent_raters.push(id);
        } else {
            self.recent_raters[self.next_recent] = id;
            self.next_recent = (self.next_recent + 1) % RECENT_RATERS;
        }
        id
    }

    pub(super) fn rater(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.raters.get(name) {
            return i;
        }
        self.ds.raters.push(RaterEntry {
            name: name.to_owned(),
            kind: RaterKind::Human,
        });
        let i = (self.ds.raters.len() - 1) as u32;
        self.raters.insert(name.to_owned(), i);
        i
    }

    /// Dimension names are case-insensitive; the first spelling seen names the dimension.
    pub(super) fn dimension(&mut self, name: &str) -> usize {
        // A file's few dimensions take turns row by row: comparing names beats hashing them,
        // starting after the previous row's (they often come in the same order for each
        // profile).
        let dims = &self.ds.dimensions;
        if dims.len() <= FEW {
            let after = self.last_dimension.map_or(0, |d| d + 1);
            let turn = (after..dims.len()).chain(0..after.min(dims.len()));
            if let Some(d) = turn.into_iter().find(|&d| same(&dims[d].name, name)) {
                return d;
            }
        }
        if let Some(&d) = self.dims.get(name) {
            return d;
        }
        let lower = name.to_lowercase();
        if let Some(&d) = self.dims.get(&lower) {
            return d;
        }
        self.ds.dimensions.push(DimensionData {
            cant_judge: 0,
            name: name.to_owned(),
            scale: None,
            level: None,
            observations: Vec::new(),
        });
        self.columns.push(Column::default());
        self.labels.push(Labels::default());
        let d = self.ds.dimensions.len() - 1;
        self.dims.insert(lower, d);
        self.dims.insert(name.to_owned(), d);
        d
    }

    /// Appends what `part` built from the rows that follow this builder's rows in the file:
    /// the tables come out in the order one builder fed every row would have made them.
    pub(super) fn absorb(&mut self, part: Builder) {
        let persons: Vec<u32> = (part.ds.persons.iter())
            .map(|p| intern(&mut self.persons, &mut self.ds.persons, p))
            .collect();
        let contexts: Vec<u32> = (part.ds.contexts.iter())
            .map(|c| intern(&mut self.contexts, &mut self.ds.contexts, c))
            .collect();
        let profiles: Vec<u32> = (part.ds.profiles.iter())
            .map(|k| {
                self.profile(ProfileKey {
                    person: persons[k.person as usize],
                    context: contexts[k.context as usize],
                })
            })
            .collect();
        let raters: Vec<u32> = (part.ds.raters.iter())
            .map(|r| self.rater(&r.name))
            .collect();
        for ((dim, mut col), labels) in part
            .ds
            .dimensions
            .into_iter()
            .zip(part.columns)
            .zip(part.labels)
        {
            let d = self.dimension(&dim.name);
            // The part numbered its categories from 1 too: renumber them in this file's order.
            // With numbers in the dimension the file is refused anyway, so values stay as they are.
            let recode: Option<Vec<f64>> =
                (!labels.names.is_empty() && labels.first_number.is_none()).then(|| {
                    let mine = &mut self.labels[d];
                    labels
                        .names
                        .iter()
                        .map(|n| f64::from(mine.code(n)))
                        .collect()
                });
            let mine = &mut self.labels[d];
            if mine.first_text.is_none() {
                mine.first_text = labels.first_text;
            }
            if mine.first_number.is_none() {
                mine.first_number = labels.first_number;
            }
            col.pad();
            let mine = &mut self.columns[d];
            mine.pad();
            let n = mine.len();
            mine.profile
                .extend(col.profile.iter().map(|&p| profiles[p as usize]));
            if !col.rater.is_empty() {
                mine.rater.resize(n, u32::MAX);
                mine.rater.extend(col.rater.iter().map(|&r| match r {
                    u32::MAX => r,
                    r => raters[r as usize],
                }));
            }
            mine.value.extend(col.value.iter().map(|&v| {
                match &recode {
                    // A missing rating (NaN) stays missing.
                    Some(codes) if !v.is_nan() => codes
                        .get((v as usize).wrapping_sub(1))
                        .copied()
                        .unwrap_or(v),
                    _ => v,
                }
            }));
            if !col.created_at.is_empty() {
                mine.created_at.resize(n, None);
                mine.created_at.extend_from_slice(&col.created_at);
            }
            if !col.seconds_spent.is_empty() {
                mine.seconds_spent.resize(n, None);
                mine.seconds_spent.extend_from_slice(&col.seconds_spent);
            }
            mine.line.extend_from_slice(&col.line);
        }
    }

    /// A fast builder's check before [`Builder::finish`]: true when some profile was rated
    /// twice by one rater on a dimension, whose message needs the lines this builder did not
    /// keep (the caller reads the file again with them). A builder keeping lines never says so.
    pub(super) fn unlocated_duplicates(&mut self, has_rater: bool) -> bool {
        if self.keep_lines || !has_rater {
            return false;
        }
        let n_profiles = self.ds.profiles.len();
        let found = self.columns.iter_mut().any(|c| {
            c.pad();
            c.has_duplicates(n_profiles)
        });
        self.duplicates_checked = !found;
        found
    }

    /// Text values on a dimension that also holds numbers, one error per dimension.
    pub(super) fn label_errors(&self) -> Vec<RowError> {
        let mut errors = Vec::new();
        for (dim, labels) in self.ds.dimensions.iter().zip(&self.labels) {
            if let (Some((line, text)), Some(number)) = (&labels.first_text, labels.first_number) {
                errors.push(RowError::new(
                    *line,
                    Some("value"),
                    format!(
                        "expected a number, found '{}': dimension '{}' holds numbers (line \
                         {number}), and text categories need every value of a dimension to \
                         be text",
                        quote(text),
                        quote(&dim.name)
                    ),
                ));
            }
        }
        errors
    }

    /// The dataset and its notes for stderr, or every duplicate and mixed dimension as errors.
    pub(super) fn finish(mut self, name: &str, has_rater: bool) -> Result<(Dataset, Vec<String>)> {
        let mut errors = self.label_errors();
        let mut notes = Vec::new();
        for (dim, labels) in self.ds.dimensions.iter_mut().zip(&self.labels) {
            if labels.first_text.is_none() || labels.first_number.is_some() {
                continue;
            }
            let categories: Vec<Anchor> = (labels.names.iter().enumerate())
                .map(|(i, n)| Anchor {
                    value: i as i64 + 1,
                    label: n.clone(),
                })
                .collect();
            let listed: Vec<String> = (categories.iter())
                .map(|c| format!("{} = {}", c.value, c.label))
                .collect();
            notes.push(format!(
                "dimension '{}': text values taken as {} nominal categories, numbered in the \
                 order first seen: {}",
                quote(&dim.name),
                categories.len(),
                crate::checks::list_names(&listed)
            ));
            dim.scale = Some(Scale::Nominal { categories });
            dim.level = Some(Level::Nominal);
        }
        // Without a rater column, two rows for one person × context are replicate
        // observations (ids repeating across studies, as in psychTools' msqR), as lme4 reads
        // them (issue #12); with raters, a rater rating a profile twice stays an error.
        if has_rater
            && !self.keep_lines
            && !self.duplicates_checked
            && self.unlocated_duplicates(has_rater)
        {
            return Err(CoreError::Invalid(format!(
                "{name}: duplicate ratings, read without the lines to name them"
            )));
        }
        let located = has_rater && self.keep_lines;
        for (d, col) in self.columns.iter_mut().enumerate().filter(|_| located) {
            col.pad();
            let mut keys: Vec<(u32, u32, u64)> = (col.profile.iter().zip(&col.rater))
                .zip(&col.line)
                .map(|((&p, &r), &line)| (p, r, line))
                .collect();
            keys.sort_unstable();
            for w in keys.windows(2) {
                if w[0].0 == w[1].0 && w[0].1 == w[1].1 {
                    let key = self.ds.profiles[w[1].0 as usize];
                    let who = self
                        .ds
                        .raters
                        .get(w[1].1 as usize)
                        .map(|r| format!(" by rater '{}'", quote(&r.name)))
                        .unwrap_or_default();
                    errors.push(RowError::new(
                        w[1].2,
                        None,
                        format!(
                            "duplicate rating: {}/{}{} on '{}' was already given on line {}",
                            quote(&self.ds.persons[key.person as usize]),
                            quote(&self.ds.contexts[key.context as usize]),
                            who,
                            quote(&self.ds.dimensions[d].name),
                            w[0].2
                        ),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(CoreError::input(name, errors));
        }
        self.ds.source = name.to_owned();
        self.ds.has_rater = has_rater;
        // Each dimension's columns give way to its observations, made at their final size.
        for (d, mut col) in self.ds.dimensions.iter_mut().zip(self.columns) {
            col.pad();
            d.observations = col.observations();
        }
        Ok((self.ds, notes))
    }
}
