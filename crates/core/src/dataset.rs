//! The in-memory snapshot every analysis runs on: ratings of one or more dimensions, with
//! persons, contexts, profiles and raters interned to dense indices.
//!
//! A dataset comes either from a tidy long CSV file ([`crate::tidy`]) or from a study
//! ([`crate::store::Study::dataset`]); the statistics never know which.

use crate::model::{Level, RaterKind, Scale};
use serde::Serialize;

/// One rating in a dimension. Indices point into the owning [`Dataset`]'s tables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// Index into [`Dataset::profiles`]; the unit of agreement statistics.
    pub profile: u32,
    /// Index into [`Dataset::raters`]; `None` when the data carry no rater column.
    pub rater: Option<u32>,
    /// The rating's value.
    pub value: f64,
    /// When the rating was made (ms since the Unix epoch), when known.
    pub created_at: Option<i64>,
    /// Seconds the rater spent, when recorded.
    pub seconds_spent: Option<f64>,
}

/// All ratings of one dimension.
#[derive(Debug, Clone)]
pub struct DimensionData {
    /// The dimension's name.
    pub name: String,
    /// The dimension's scale when a codebook defines it (a study), else `None`.
    pub scale: Option<Scale>,
    /// The level of measurement the codebook gives, else `None`.
    pub level: Option<Level>,
    /// Its ratings.
    pub observations: Vec<Observation>,
    /// Ratings marked "can't judge": never an observation, counted so reports can say how many
    /// were left out.
    pub cant_judge: usize,
}

impl DimensionData {
    /// The level to report first: the codebook's, else the scale's, else interval.
    pub fn effective_level(&self) -> Level {
        self.level
            .or_else(|| self.scale.as_ref().map(Scale::default_level))
            .unwrap_or(Level::Interval)
    }

    /// Categories without order: no mean, no variance, so no decomposition, drift or
    /// distribution on a numeric axis.
    pub fn is_nominal(&self) -> bool {
        self.effective_level() == Level::Nominal
            || matches!(self.scale, Some(Scale::Nominal { .. }))
    }
}

/// A rater of the dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterEntry {
    /// The rater's name.
    pub name: String,
    /// Human, model or adjudicated.
    pub kind: RaterKind,
}

/// One person in one context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProfileKey {
    /// Index into [`Dataset::persons`].
    pub person: u32,
    /// Index into [`Dataset::contexts`].
    pub context: u32,
}

/// The analysis snapshot: names interned once, ratings per dimension as indices into them.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Where the data came from (a path), for messages and reports.
    pub source: String,
    /// Person names.
    pub persons: Vec<String>,
    /// Context names.
    pub contexts: Vec<String>,
    /// Profiles (person × context).
    pub profiles: Vec<ProfileKey>,
    /// Raters.
    pub raters: Vec<RaterEntry>,
    /// False when the input has no rater column: only the profile level can be computed.
    pub has_rater: bool,
    /// True when the raters' kinds come from the data (a study); a tidy CSV has no kinds and
    /// every rater is human.
    pub rater_kinds_known: bool,
    /// The dimensions, in codebook (or file) order.
    pub dimensions: Vec<DimensionData>,
    /// Profiles whose values are known (gold profiles, attention checks): their ratings test
    /// the raters, so they never enter a statistic; named here so every output can say so.
    pub known_left_out: KnownLeftOut,
}

/// The profiles a study's statistics leave out because their values are known, by kind, each
/// named `person/context`. A profile with any attention check counts as one; else as gold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnownLeftOut {
    /// Gold profiles left out.
    pub gold: Vec<String>,
    /// Attention-check profiles left out.
    pub attention: Vec<String>,
}

impl KnownLeftOut {
    /// True when no profile was left out.
    pub fn is_empty(&self) -> bool {
        self.gold.is_empty() && self.attention.is_empty()
    }

    /// A copy when any profile was left out (for outputs that omit the field otherwise).
    pub fn present(&self) -> Option<KnownLeftOut> {
        (!self.is_empty()).then(|| self.clone())
    }

    /// Profiles left out, of both kinds.
    pub fn len(&self) -> usize {
        self.gold.len() + self.attention.len()
    }

    /// The sentence printed with the numbers ("2 gold profiles and 1 attention check left
    /// out of the statistics: ..."); `None` when there are none.
    pub fn sentence(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = Vec::new();
        if !self.gold.is_empty() {
            parts.push(count(self.gold.len(), "gold profile", "gold profiles"));
        }
        if !self.attention.is_empty() {
            parts.push(count(
                self.attention.len(),
                "attention check",
                "attention checks",
            ));
        }
        let names: Vec<&str> = self
            .gold
            .iter()
            .chain(&self.attention)
            .map(String::as_str)
            .collect();
        Some(format!(
            "{} left out of the statistics: {}",
            parts.join(" and "),
            names.join(", ")
        ))
    }
}

impl Dataset {
    /// The dimension with this name, if any.
    pub fn dimension(&self, name: &str) -> Option<&DimensionData> {
        self.dimensions
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
    }

    /// Keeps only the named dimension (case-insensitive); an error naming the dimensions there
    /// are when it is absent (bad input: the user asked for it).
    pub fn only_dimension(&mut self, name: &str) -> crate::Result<()> {
        if self.retain_dimension(name) {
            return Ok(());
        }
        Err(crate::CoreError::Invalid(format!(
            "no dimension named '{}' in {}",
            crate::checks::quote(name),
            self.source
        )))
    }

    /// Keeps only the named dimension (case-insensitive); `false` when it is absent.
    pub fn retain_dimension(&mut self, name: &str) -> bool {
        self.dimensions
            .retain(|d| d.name.eq_ignore_ascii_case(name));
        !self.dimensions.is_empty()
    }

    /// A label for a profile, `person/context`.
    pub fn profile_label(&self, profile: u32) -> String {
        let key = self.profiles[profile as usize];
        format!(
            "{}/{}",
            self.persons[key.person as usize], self.contexts[key.context as usize]
        )
    }

    /// Ratings marked "can't judge", over every dimension.
    pub fn cant_judge_count(&self) -> usize {
        self.dimensions.iter().map(|d| d.cant_judge).sum()
    }

    /// Ratings over all dimensions.
    pub fn rating_count(&self) -> usize {
        self.dimensions.iter().map(|d| d.observations.len()).sum()
    }

    /// A stable hash of the data an analysis sees (names, values, structure), used to cache
    /// results and to print in reports. Order of observations matters: both loaders produce
    /// them in a canonical order.
    pub fn content_hash(&self) -> String {
        let mut h = blake3::Hasher::new();
        let mut put = |s: &str| {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        for p in &self.persons {
            put(p);
        }
        put("\u{1}contexts");
        for c in &self.contexts {
            put(c);
        }
        put("\u{1}raters");
        for r in &self.raters {
            put(&r.name);
            put(r.kind.as_str());
        }
        let mut h2 = h;
        for k in &self.profiles {
            h2.update(&k.person.to_le_bytes());
            h2.update(&k.context.to_le_bytes());
        }
        for d in &self.dimensions {
            h2.update(d.name.as_bytes());
            h2.update(&[0xff]);
            for o in &d.observations {
                h2.update(&o.profile.to_le_bytes());
                h2.update(&o.rater.map(|r| r as i64).unwrap_or(-1).to_le_bytes());
                h2.update(&o.value.to_bits().to_le_bytes());
            }
            // Only when there are any, so data without them hashes as it always did.
            if d.cant_judge > 0 {
                h2.update(b"\xfecant_judge");
                h2.update(&(d.cant_judge as u64).to_le_bytes());
            }
        }
        // The same: a profile marked gold changes what the outputs say even without ratings.
        if !self.known_left_out.is_empty() {
            h2.update(b"\xfeknown");
            for n in self
                .known_left_out
                .gold
                .iter()
                .chain(&self.known_left_out.attention)
            {
                h2.update(&(n.len() as u64).to_le_bytes());
                h2.update(n.as_bytes());
            }
            h2.update(&(self.known_left_out.gold.len() as u64).to_le_bytes());
        }
        h2.finalize().to_hex().to_string()
    }
}
