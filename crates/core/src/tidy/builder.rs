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
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(buf));
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

/// Interns rows into a [`Dataset`] as they stream by.
#[derive(Default)]
pub(super) struct Builder {
    pub(super) ds: Dataset,
    pub(super) persons: FxMap<String, u32>,
    pub(super) contexts: FxMap<String, u32>,
    pub(super) profiles: FxMap<ProfileKey, u32>,
    pub(super) raters: FxMap<String, u32>,
    pub(super) dims: FxMap<String, usize>,
    /// Per dimension: (profile, rater or u32::MAX, line) of every row, for duplicate checks.
    pub(super) keys: Vec<Vec<(u32, u32, u64)>>,
    /// Per dimension: the text values seen, which become nominal categories.
    pub(super) labels: Vec<Labels>,
    /// The previous row's profile and dimension: files come grouped by profile, so most rows
    /// repeat them and skip the hash lookups.
    pub(super) last_profile: Option<(String, String, u32)>,
    pub(super) last_dimension: Option<(String, usize)>,
    /// The raters of the last few rows (a profile's raters take turns row by row), looked up
    /// by comparison before the hash table; `next_recent` is the slot a miss replaces.
    pub(super) recent_raters: Vec<(String, u32)>,
    pub(super) next_recent: usize,
}

/// How many recent raters [`Builder::push`] remembers.
const RECENT_RATERS: usize = 8;

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
    pub(super) fn push(&mut self, row: &RowRef<'_>) {
        let profile = match &self.last_profile {
            Some((p, c, id)) if p == row.person && c == row.context => *id,
            _ => {
                let person = intern(&mut self.persons, &mut self.ds.persons, row.person);
                let context = intern(&mut self.contexts, &mut self.ds.contexts, row.context);
                let id = self.profile(ProfileKey { person, context });
                self.last_profile = Some((row.person.to_owned(), row.context.to_owned(), id));
                id
            }
        };
        let rater = row.rater.map(|r| self.recent_rater(r));
        let d = match &self.last_dimension {
            Some((name, d)) if name == row.dimension => *d,
            _ => {
                let d = self.dimension(row.dimension);
                self.last_dimension = Some((row.dimension.to_owned(), d));
                d
            }
        };
        self.keys[d].push((profile, rater.unwrap_or(u32::MAX), row.line));
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
        if let Some(value) = value {
            self.ds.dimensions[d].observations.push(Observation {
                profile,
                rater,
                value,
                created_at: row.created_at,
                seconds_spent: row.seconds_spent,
            });
        }
    }

    pub(super) fn profile(&mut self, key: ProfileKey) -> u32 {
        let profiles = &mut self.ds.profiles;
        *self.profiles.entry(key).or_insert_with(|| {
            profiles.push(key);
            (profiles.len() - 1) as u32
        })
    }

    fn recent_rater(&mut self, name: &str) -> u32 {
        if let Some((_, id)) = self.recent_raters.iter().find(|(n, _)| n == name) {
            return *id;
        }
        let id = self.rater(name);
        if self.recent_raters.len() < RECENT_RATERS {
            self.recent_raters.push((name.to_owned(), id));
        } else {
            self.recent_raters[self.next_recent] = (name.to_owned(), id);
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
        self.keys.push(Vec::new());
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
        for ((dim, keys), labels) in part
            .ds
            .dimensions
            .into_iter()
            .zip(part.keys)
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
            self.keys[d].extend(keys.into_iter().map(|(p, r, line)| {
                let r = if r == u32::MAX { r } else { raters[r as usize] };
                (profiles[p as usize], r, line)
            }));
            self.ds.dimensions[d]
                .observations
                .extend(dim.observations.into_iter().map(|o| {
                    Observation {
                        profile: profiles[o.profile as usize],
                        rater: o.rater.map(|r| raters[r as usize]),
                        value: match &recode {
                            Some(codes) => codes
                                .get((o.value as usize).wrapping_sub(1))
                                .copied()
                                .unwrap_or(o.value),
                            None => o.value,
                        },
                        ..o
                    }
                }));
        }
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
        let keys = if has_rater {
            &mut self.keys[..]
        } else {
            &mut []
        };
        for (d, keys) in keys.iter_mut().enumerate() {
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
        // The vectors grew by doubling: up to half of each is spare, held for the whole
        // analysis otherwise (a large allocation shrinks in place).
        for d in &mut self.ds.dimensions {
            d.observations.shrink_to_fit();
        }
        Ok((self.ds, notes))
    }
}
