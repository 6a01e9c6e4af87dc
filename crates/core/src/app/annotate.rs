//! The rating screen and queue: a rater's queue, one profile with this rater's own ratings
//! (never anyone else's: blind coding), saving a rating, and the rater's per-profile notes
//! (flag, note, confidence, time on profile). Every save is committed by the store before the
//! function returns, so a face shows "Saved" only for what is on disk.

use crate::error::{CoreError, Result};
use crate::model::Profile;
use crate::store::{ProfileReview, RatingInput, Study};
use serde::{Deserialize, Serialize};

/// Whether annotators see person ids: hidden unless the codebook shows them, so they are not
/// even sent to the rating screen.
pub fn persons_shown(study: &Study) -> Result<bool> {
    Ok(study.codebook()?.is_some_and(|c| c.show_person_ids))
}

/// One row of the annotator's queue. Only this rater's own progress: blind coding.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct QueueItem {
    /// The profile's id.
    pub profile_id: i64,
    /// The person's name; empty unless the codebook shows person ids.
    pub person: String,
    /// The context's name.
    pub context: String,
    /// Dimensions this rater has rated on the profile.
    pub rated: i64,
    /// Dimensions in the codebook.
    pub total: i64,
    /// Set aside for later by the rater.
    pub flagged: bool,
}

/// How far this rater is with one dimension over their queue (their own ratings only).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OwnProgress {
    /// The dimension's name.
    pub dimension: String,
    /// Profiles of the queue this rater has rated on it.
    pub rated: i64,
    /// Profiles in the queue.
    pub assigned: i64,
}

/// One change of this rater's own rating of a dimension, oldest first (the first one is the
/// rating being given).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OwnChange {
    /// `None` for the first rating.
    pub old_value: Option<f64>,
    /// `None` when the rating was cleared.
    pub new_value: Option<f64>,
    /// Milliseconds since the Unix epoch.
    pub changed_at: i64,
}

/// This rater's own value for one dimension of a profile.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OwnRating {
    /// The dimension's name.
    pub dimension: String,
    /// The value; `null` when not rated or "can't judge".
    pub value: Option<f64>,
    /// The rater marked the dimension "can't judge" (then `value` is `null`).
    pub cant_judge: bool,
}

/// The rater's own notes on a profile: flagged for later, note, confidence, time spent.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OwnNotes {
    /// Set aside for later.
    pub flagged: bool,
    /// The rater's note.
    pub note: Option<String>,
    /// The rater's confidence, 0–1.
    pub confidence: Option<f64>,
    /// Seconds spent on the profile in total.
    pub seconds_spent: f64,
}

/// Everything the rating screen needs for one profile.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    /// Core's profile as stored (its texts shown as text, a URL never as a link); the person
    /// empty unless the codebook shows person ids.
    pub profile: Profile,
    /// This rater's own ratings.
    pub ratings: Vec<OwnRating>,
    /// This rater's own notes.
    pub review: OwnNotes,
}

/// A rating to save.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SaveRatingRequest {
    /// The profile's id.
    pub profile_id: i64,
    /// The dimension's name.
    pub dimension: String,
    /// `null` clears the rating (undo back to empty); history keeps the old value.
    pub value: Option<f64>,
    /// Time on the profile since the last save.
    pub seconds_spent: Option<f64>,
    /// "Can't judge" instead of a value (`value` must then be `null`): stored as such and
    /// left out of every statistic.
    #[serde(default)]
    pub cant_judge: bool,
}

/// What was saved (committed).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SavedRating {
    /// The profile's id.
    pub profile_id: i64,
    /// The dimension's name.
    pub dimension: String,
    /// The value saved.
    pub value: Option<f64>,
    /// Saved as "can't judge".
    pub cant_judge: bool,
}

/// The rater's notes on a profile to save.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReviewRequest {
    /// The profile's id.
    pub profile_id: i64,
    /// Set aside for later.
    pub flagged: bool,
    /// The rater's note.
    pub note: Option<String>,
    /// The rater's confidence, 0–1.
    pub confidence: Option<f64>,
    /// Seconds spent on the profile in total.
    pub seconds_spent: f64,
}

/// The rater's queue (person ids hidden unless the codebook shows them).
pub fn queue(study: &Study, rater_id: i64) -> Result<Vec<QueueItem>> {
    let shown = persons_shown(study)?;
    Ok(study
        .queue(rater_id)?
        .into_iter()
        .map(|q| QueueItem {
            profile_id: q.profile_id,
            person: if shown { q.person } else { String::new() },
            context: q.context,
            rated: q.rated,
            total: q.dimensions,
            flagged: q.flagged,
        })
        .collect())
}

/// How far the rater is with each dimension.
pub fn dimension_progress(study: &Study, rater_id: i64) -> Result<Vec<OwnProgress>> {
    Ok(study
        .dimension_progress(rater_id)?
        .into_iter()
        .map(|d| OwnProgress {
            dimension: d.dimension,
            rated: d.rated,
            assigned: d.assigned,
        })
        .collect())
}

/// Every value this rater has given `dimension` of the profile, oldest first: changes are
/// kept, and the rating screen shows them. Only this rater's own rating (blind coding).
pub fn rating_history(
    study: &Study,
    rater_id: i64,
    profile_id: i64,
    dimension: &str,
) -> Result<Vec<OwnChange>> {
    Ok(study
        .history(profile_id, dimension, rater_id)?
        .into_iter()
        .map(|c| OwnChange {
            old_value: c.old_value,
            new_value: c.new_value,
            changed_at: c.changed_at,
        })
        .collect())
}

/// One profile with this rater's own ratings and notes.
pub fn profile_view(study: &Study, rater_id: i64, profile_id: i64) -> Result<ProfileView> {
    let mut profile = study.profile(profile_id)?;
    if !persons_shown(study)? {
        profile.person = String::new();
    }
    let mut ratings: Vec<OwnRating> = study
        .ratings_of(profile_id, rater_id)?
        .into_iter()
        .map(|r| OwnRating {
            dimension: r.dimension,
            value: Some(r.value),
            cant_judge: false,
        })
        .collect();
    ratings.extend(
        study
            .cant_judge_of(profile_id, rater_id)?
            .into_iter()
            .map(|dimension| OwnRating {
                dimension,
                value: None,
                cant_judge: true,
            }),
    );
    let r = study.profile_review(rater_id, profile_id)?;
    let review = OwnNotes {
        flagged: r.flagged,
        note: r.note,
        confidence: r.confidence,
        seconds_spent: r.seconds_spent,
    };
    Ok(ProfileView {
        profile,
        ratings,
        review,
    })
}

/// Saves a value or "can't judge" (never both), committed before it returns.
pub fn save(study: &mut Study, rater_id: i64, request: SaveRatingRequest) -> Result<SavedRating> {
    if request.cant_judge {
        if request.value.is_some() {
            return Err(CoreError::Invalid(
                "A rating is either a value or \"can't judge\", not both.".into(),
            ));
        }
        study.save_cant_judge(
            request.profile_id,
            &request.dimension,
            rater_id,
            request.seconds_spent,
        )?;
        return Ok(SavedRating {
            profile_id: request.profile_id,
            dimension: request.dimension,
            value: None,
            cant_judge: true,
        });
    }
    study.save_rating(&RatingInput {
        profile_id: request.profile_id,
        dimension: request.dimension.clone(),
        rater_id,
        value: request.value,
        seconds_spent: request.seconds_spent,
        note: None,
        confidence: None,
    })?;
    Ok(SavedRating {
        profile_id: request.profile_id,
        dimension: request.dimension,
        value: request.value,
        cant_judge: false,
    })
}

/// Saves the rater's notes on a profile.
pub fn review(study: &mut Study, rater_id: i64, request: ReviewRequest) -> Result<()> {
    let review = ProfileReview {
        flagged: request.flagged,
        note: request.note,
        confidence: request.confidence,
        seconds_spent: request.seconds_spent,
    };
    study.set_profile_review(rater_id, request.profile_id, &review)
}

/// What changed in the codebook since this rater rated under an older version, one line per
/// change ("Openness: definition").
pub fn codebook_changes(study: &Study, rater_id: i64) -> Result<Vec<String>> {
    Ok(study
        .codebook_changes_for(rater_id)?
        .into_iter()
        .map(|(dimension, what)| format!("{dimension}: {what}"))
        .collect())
}

/// Makes `name` the rater of installation `me` (created with `kind` if new): an empty name
/// is refused, and so is a rater another installation claimed, unless `me` holds the
/// study's PI role (recorded for `me` when no PI is recorded yet).
pub fn choose_rater(
    study: &mut Study,
    me: &crate::store::Claimant,
    name: &str,
    kind: crate::model::RaterKind,
) -> Result<crate::model::Rater> {
    use crate::store::ClaimOutcome;
    let name = name.trim();
    if name.is_empty() {
        return Err(CoreError::Invalid("Enter a name for who is rating.".into()));
    }
    study.ensure_pi(me)?;
    let rater = study.ensure_rater(name, kind)?;
    match study.claim_rater(rater.id, me)? {
        ClaimOutcome::Refused { holder } => {
            return Err(CoreError::Invalid(format!(
                "{} rates in this study from another installation ({holder}). Only the PI can \
                 open their ratings; choose your own name or create a new rater.",
                rater.name
            )))
        }
        ClaimOutcome::AsPi { holder } => {
            tracing::info!(rater = %rater.name, %holder, "the PI opened another installation's rater");
        }
        ClaimOutcome::Claimed | ClaimOutcome::Held => {}
    }
    Ok(rater)
}
