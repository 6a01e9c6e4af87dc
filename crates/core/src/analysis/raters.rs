//! Rater subsets: which raters an analysis pools. One place for the selection every face
//! applies to a dataset before agreement, decomposition or a report, and the record of the
//! choice (who is in, who is out and why) that is printed with the numbers.
//!
//! A tidy CSV carries no rater kinds: every rater of a CSV counts as human, and the choice
//! says so when a kind is asked for.

use crate::dataset::Dataset;
use crate::error::{CoreError, Result};
use crate::model::RaterKind;
use serde::{Deserialize, Serialize};

/// Fewest ratings (over the analysed dimensions) a rater needs to enter agreement by default.
pub const MIN_RATINGS: usize = super::minimum::RATINGS_PER_RATER.minimum;

/// Which raters to keep. Every given criterion must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RaterSelection {
    /// Only these raters (names as in the data, case-sensitive); `None` = any.
    pub names: Option<Vec<String>>,
    /// Only raters of this kind; `None` = any.
    pub kind: Option<RaterKind>,
    /// Only raters with at least this many ratings; 0 = any.
    pub min_ratings: usize,
    /// A default's minimum, not the person's: when it would leave fewer than two raters
    /// (a pilot), it is not applied and the choice says so, so that a first look still shows
    /// agreement, with cautions on every figure from too few data.
    pub min_is_default: bool,
}

impl RaterSelection {
    /// Every rater (the decomposition's and the report's default).
    pub fn all() -> RaterSelection {
        RaterSelection::default()
    }

    /// Agreement's default: human raters with at least [`MIN_RATINGS`] ratings.
    pub fn agreement_default() -> RaterSelection {
        RaterSelection {
            names: None,
            kind: Some(RaterKind::Human),
            min_ratings: MIN_RATINGS,
            min_is_default: true,
        }
    }

    /// `base` with what the person asked for: naming raters starts from every rater (the
    /// named ones are taken as they are), otherwise each criterion given replaces the base's
    /// (`kind: Some(None)` = any kind; `min_ratings: Some(0)` = any count).
    pub fn overriding(
        base: RaterSelection,
        names: Option<Vec<String>>,
        kind: Option<Option<RaterKind>>,
        min_ratings: Option<usize>,
    ) -> RaterSelection {
        let mut sel = if names.is_some() {
            RaterSelection {
                names,
                ..RaterSelection::all()
            }
        } else {
            base
        };
        if let Some(k) = kind {
            sel.kind = k;
        }
        if let Some(m) = min_ratings {
            sel.min_ratings = m;
            sel.min_is_default = false;
        }
        sel
    }

    /// The selection in words, as printed with the numbers.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(n) = &self.names {
            parts.push(format!("raters {}", n.join(", ")));
        }
        if let Some(k) = self.kind {
            parts.push(format!("kind {}", k.as_str()));
        }
        if self.min_ratings > 0 {
            parts.push(format!("at least {} ratings", self.min_ratings));
        }
        if parts.is_empty() {
            "all raters".into()
        } else {
            parts.join("; ")
        }
    }
}

/// A rater left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Excluded {
    /// The rater's name.
    pub name: String,
    /// Why the rater was left out.
    pub reason: String,
}

/// What a selection did to a dataset (`"raters"` in the CLI's JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RaterChoice {
    /// The selection in words, as printed with the numbers.
    pub selection: String,
    /// The raters analysed.
    pub included: Vec<String>,
    /// The raters left out, each with its reason.
    pub excluded: Vec<Excluded>,
    /// Said once with the numbers (a CSV without kinds, data without raters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub note: Option<String>,
    /// Profiles left out of every statistic because their values are known (gold profiles,
    /// attention checks); absent when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub known_left_out: Option<crate::dataset::KnownLeftOut>,
}

impl RaterChoice {
    /// One or two lines for text output.
    pub fn to_text(&self) -> String {
        format!("Raters: {}", self.summary())
    }

    /// The selection, who is in and who is out (with the note, when there is one).
    pub fn summary(&self) -> String {
        let mut out = format!("{} — {} included", self.selection, self.included.len());
        if !self.excluded.is_empty() {
            let out_list: Vec<String> = self
                .excluded
                .iter()
                .map(|e| format!("{} ({})", e.name, e.reason))
                .collect();
            out.push_str(&format!("; excluded: {}", out_list.join(", ")));
        }
        out.push('\n');
        if let Some(n) = &self.note {
            out.push_str(&format!("Note: {n}\n"));
        }
        if let Some(k) = self.known_left_out.as_ref().and_then(|k| k.sentence()) {
            out.push_str(&format!("Note: {k}\n"));
        }
        out
    }
}

/// Keeps only the ratings of the selected raters in `ds` (the rater table is re-indexed to
/// the raters kept). Names the data do not have, and a selection that leaves no rater, are
/// errors (bad input: the user asked for them).
pub fn select_raters(ds: &mut Dataset, sel: &RaterSelection) -> Result<RaterChoice> {
    if !ds.has_rater || ds.raters.is_empty() {
        let mut choice = choose_raters(&[], false, false, sel, &ds.source)?.1;
        choice.known_left_out = ds.known_left_out.present();
        return Ok(choice);
    }
    let mut counts = vec![0usize; ds.raters.len()];
    for o in ds.dimensions.iter().flat_map(|d| &d.observations) {
        if let Some(r) = o.rater {
            counts[r as usize] += 1;
        }
    }
    let raters: Vec<RaterCount<'_>> = (ds.raters.iter().zip(&counts))
        .map(|(r, &ratings)| RaterCount {
            name: &r.name,
            kind: r.kind,
            ratings,
        })
        .collect();
    let (keep, mut choice) = choose_raters(&raters, true, ds.rater_kinds_known, sel, &ds.source)?;
    choice.known_left_out = ds.known_left_out.present();
    if choice.excluded.is_empty() {
        return Ok(choice);
    }
    let mut new_index = vec![None; ds.raters.len()];
    let mut kept = Vec::with_capacity(choice.included.len());
    for (i, r) in ds.raters.iter().enumerate() {
        if keep[i] {
            new_index[i] = Some(kept.len() as u32);
            kept.push(r.clone());
        }
    }
    ds.raters = kept;
    for d in &mut ds.dimensions {
        d.observations.retain_mut(|o| match o.rater {
            Some(r) => match new_index[r as usize] {
                Some(n) => {
                    o.rater = Some(n);
                    true
                }
                None => false,
            },
            None => true,
        });
    }
    Ok(choice)
}

/// One rater as the selection sees it: its name, kind and ratings over the analysed
/// dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RaterCount<'a> {
    /// The rater's name.
    pub name: &'a str,
    /// Its kind (ignored when the data carry no kinds).
    pub kind: RaterKind,
    /// Its ratings.
    pub ratings: usize,
}

/// The selection rule of [`select_raters`] on rater counts alone, for data that are never
/// held in memory (the query engine counts the ratings per rater): which raters are kept (in
/// the order of `raters`) and the choice. `has_rater` false: data without a rater column.
/// `source` names the data in messages; `known_left_out` is left empty.
pub fn choose_raters(
    raters: &[RaterCount<'_>],
    has_rater: bool,
    kinds_known: bool,
    sel: &RaterSelection,
    source: &str,
) -> Result<(Vec<bool>, RaterChoice)> {
    let selection = sel.describe();
    if !has_rater || raters.is_empty() {
        if sel.names.is_some() {
            return Err(CoreError::Invalid(format!(
                "{source} has no rater column: --raters cannot apply"
            )));
        }
        return Ok((
            vec![true; raters.len()],
            RaterChoice {
                selection,
                included: Vec::new(),
                excluded: Vec::new(),
                note: Some("the data have no rater column: every rating is kept".into()),
                known_left_out: None,
            },
        ));
    }
    if let Some(names) = &sel.names {
        if let Some(missing) = names.iter().find(|n| !raters.iter().any(|r| r.name == *n)) {
            let known: Vec<&str> = raters.iter().map(|r| r.name).collect();
            return Err(CoreError::Invalid(format!(
                "no rater named '{}' in {source} (raters: {})",
                crate::checks::quote(missing),
                known.join(", ")
            )));
        }
    }
    let mut keep = vec![false; raters.len()];
    let mut included = Vec::new();
    let mut excluded = Vec::new();
    let mut notes = Vec::new();
    if sel.kind.is_some() && !kinds_known {
        notes.push("the data carry no rater kinds: every rater counts as human".to_string());
    }
    let passes = |r: &RaterCount<'_>| {
        // Without kinds in the data (a CSV) every rater counts as human.
        let kind = if kinds_known {
            r.kind
        } else {
            RaterKind::Human
        };
        if sel
            .names
            .as_ref()
            .is_some_and(|n| !n.iter().any(|x| x == r.name))
        {
            Err("not listed".to_string())
        } else if sel.kind.is_some_and(|k| k != kind) {
            Err(format!("kind {}", kind.as_str()))
        } else {
            Ok(r.ratings)
        }
    };
    let eligible: Vec<usize> = raters.iter().filter_map(|r| passes(r).ok()).collect();
    let mut min_ratings = sel.min_ratings;
    if sel.min_is_default
        && eligible.iter().filter(|&&n| n >= min_ratings).count() < 2
        && eligible.len() >= 2
    {
        notes.push(format!(
            "fewer than two raters have {min_ratings} ratings: every one is kept, and \
             figures from too few data carry a caution"
        ));
        min_ratings = 0;
    }
    for (i, r) in raters.iter().enumerate() {
        let reason = if let Err(why) = passes(r) {
            Some(why)
        } else if r.ratings < min_ratings {
            Some(format!("{} ratings, fewer than {min_ratings}", r.ratings))
        } else {
            None
        };
        match reason {
            Some(reason) => excluded.push(Excluded {
                name: r.name.to_owned(),
                reason,
            }),
            None => {
                keep[i] = true;
                included.push(r.name.to_owned());
            }
        }
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    if included.is_empty() {
        let why: Vec<String> = excluded
            .iter()
            .map(|e| format!("{} ({})", e.name, e.reason))
            .collect();
        return Err(CoreError::Invalid(format!(
            "the rater selection ({selection}) leaves no rater in {source}: {}{}",
            why.join(", "),
            if sel.min_ratings > 0 {
                "; lower --min-ratings or name the raters with --raters"
            } else {
                ""
            }
        )));
    }
    Ok((
        keep,
        RaterChoice {
            selection,
            included,
            excluded,
            note,
            known_left_out: None,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{DimensionData, Observation, ProfileKey, RaterEntry};

    fn data(kinds_known: bool) -> Dataset {
        let raters = [
            ("ana", RaterKind::Human, 12),
            ("bea", RaterKind::Human, 12),
            ("gpt", RaterKind::Model, 12),
            ("new", RaterKind::Human, 4),
        ];
        let mut observations = Vec::new();
        for (ri, (_, _, n)) in raters.iter().enumerate() {
            for p in 0..*n {
                observations.push(Observation {
                    profile: p,
                    rater: Some(ri as u32),
                    value: f64::from(p % 5),
                    created_at: None,
                    seconds_spent: None,
                });
            }
        }
        Dataset {
            source: "t".into(),
            persons: (0..12).map(|i| format!("p{i}")).collect(),
            contexts: vec!["c".into()],
            profiles: (0..12)
                .map(|i| ProfileKey {
                    person: i,
                    context: 0,
                })
                .collect(),
            raters: raters
                .iter()
                .map(|(n, k, _)| RaterEntry {
                    name: (*n).into(),
                    kind: *k,
                })
                .collect(),
            has_rater: true,
            rater_kinds_known: kinds_known,
            dimensions: vec![DimensionData {
                cant_judge: 0,
                name: "d".into(),
                scale: None,
                level: None,
                observations,
            }],
            known_left_out: Default::default(),
        }
    }

    #[test]
    fn agreement_default_keeps_humans_with_enough_ratings() {
        let mut ds = data(true);
        let c = select_raters(&mut ds, &RaterSelection::agreement_default()).unwrap();
        assert_eq!(c.included, ["ana", "bea"]);
        assert_eq!(c.excluded.len(), 2);
        assert_eq!(c.excluded[0].reason, "kind model");
        assert_eq!(c.excluded[1].reason, "4 ratings, fewer than 10");
        assert_eq!(ds.raters.len(), 2);
        assert_eq!(ds.rating_count(), 24);
        assert!(ds.dimensions[0]
            .observations
            .iter()
            .all(|o| o.rater.is_some_and(|r| r < 2)));
    }

    #[test]
    fn names_are_checked_and_kinds_of_a_csv_are_human() {
        let mut ds = data(true);
        let sel = RaterSelection {
            names: Some(vec!["nobody".into()]),
            ..Default::default()
        };
        assert!(select_raters(&mut ds, &sel).is_err());
        let mut ds = data(false);
        let sel = RaterSelection {
            kind: Some(RaterKind::Human),
            ..Default::default()
        };
        let c = select_raters(&mut ds, &sel).unwrap();
        assert_eq!(c.included.len(), 4);
        assert!(c.note.unwrap().contains("no rater kinds"));
        let sel = RaterSelection {
            names: Some(vec!["gpt".into(), "new".into()]),
            ..Default::default()
        };
        let mut ds = data(true);
        let c = select_raters(&mut ds, &sel).unwrap();
        assert_eq!(c.included, ["gpt", "new"]);
        assert_eq!(ds.raters[1].name, "new");
        assert_eq!(ds.rating_count(), 16);
    }

    #[test]
    fn flags_override_the_default() {
        let d = RaterSelection::agreement_default();
        let named = RaterSelection::overriding(d.clone(), Some(vec!["a".into()]), None, None);
        assert_eq!((named.kind, named.min_ratings), (None, 0));
        let any = RaterSelection::overriding(d.clone(), None, Some(None), None);
        assert_eq!((any.kind, any.min_ratings), (None, MIN_RATINGS));
        let low = RaterSelection::overriding(d, None, None, Some(0));
        assert_eq!((low.kind, low.min_ratings), (Some(RaterKind::Human), 0));
    }

    #[test]
    fn the_default_minimum_gives_way_in_a_pilot() {
        let mut ds = data(true);
        let mut sel = RaterSelection::agreement_default();
        sel.kind = None;
        sel.min_ratings = 13;
        let c = select_raters(&mut ds, &sel).unwrap();
        assert_eq!(
            c.included.len(),
            4,
            "nobody has 13: the default is not applied"
        );
        assert!(c.note.unwrap().contains("fewer than two raters have 13"));
        sel.min_is_default = false;
        assert!(select_raters(&mut data(true), &sel).is_err());
    }

    #[test]
    fn a_selection_leaving_nobody_is_an_error() {
        let mut ds = data(true);
        let sel = RaterSelection {
            min_ratings: 100,
            ..Default::default()
        };
        let e = select_raters(&mut ds, &sel).unwrap_err().to_string();
        assert!(e.contains("leaves no rater"), "{e}");
    }
}
