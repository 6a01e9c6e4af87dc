//! What a new codebook version changes against the stored one, dimension by dimension: shown
//! to the PI before a save (who confirms or cancels) and, named only, to annotators who rated
//! under an older version.

use crate::model::{Anchor, Codebook, Dimension, Scale};
use serde::Serialize;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// A dimension the stored codebook lacks.
    Added,
    /// A stored dimension the new codebook lacks.
    Removed,
    /// The dimension's label.
    Label,
    /// The dimension's definition.
    Definition,
    /// The scale's type or range, or the level of measurement.
    Scale,
    /// The anchor labels (a Likert scale's) or the categories (a nominal one's).
    Anchors,
    /// The study's name (no dimension).
    Name,
    /// The guidelines (no dimension).
    Guidelines,
}

impl ChangeKind {
    /// The word shown to annotators ("Openness: definition").
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "new dimension",
            ChangeKind::Removed => "removed",
            ChangeKind::Label => "label",
            ChangeKind::Definition => "definition",
            ChangeKind::Scale => "scale",
            ChangeKind::Anchors => "anchors",
            ChangeKind::Name => "name",
            ChangeKind::Guidelines => "guidelines",
        }
    }
}

/// One change, with what it was and what it becomes, as text for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CodebookChange {
    /// The dimension's label (its name without one); `None` for the study's name and guidelines.
    pub dimension: Option<String>,
    /// What changed.
    pub kind: ChangeKind,
    /// Before (absent for an added dimension).
    pub before: Option<String>,
    /// After (absent for a removed dimension).
    pub after: Option<String>,
}

/// The changes from `old` to `new`, in `new`'s dimension order (removed dimensions last);
/// dimensions are matched by name, case-insensitively, as the store matches them. Empty when
/// saving `new` would make no new version.
pub fn codebook_diff(old: &Codebook, new: &Codebook) -> Vec<CodebookChange> {
    let mut out = Vec::new();
    let study = |kind, before: String, after: String| CodebookChange {
        dimension: None,
        kind,
        before: Some(before),
        after: Some(after),
    };
    if old.name != new.name {
        out.push(study(
            ChangeKind::Name,
            old.name.clone().unwrap_or_default(),
            new.name.clone().unwrap_or_default(),
        ));
    }
    if old.guidelines.trim() != new.guidelines.trim() {
        out.push(study(
            ChangeKind::Guidelines,
            old.guidelines.clone(),
            new.guidelines.clone(),
        ));
    }
    for d in &new.dimensions {
        let Some(o) = old
            .dimensions
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(&d.name))
        else {
            out.push(CodebookChange {
                dimension: Some(d.display_name().to_owned()),
                kind: ChangeKind::Added,
                before: None,
                after: Some(scale_text(d)),
            });
            continue;
        };
        out.extend(dimension_diff(o, d));
    }
    for o in &old.dimensions {
        if !new
            .dimensions
            .iter()
            .any(|d| d.name.eq_ignore_ascii_case(&o.name))
        {
            out.push(CodebookChange {
                dimension: Some(o.display_name().to_owned()),
                kind: ChangeKind::Removed,
                before: Some(scale_text(o)),
                after: None,
            });
        }
    }
    out
}

/// The changes of one dimension present in both versions.
pub fn dimension_diff(o: &Dimension, d: &Dimension) -> Vec<CodebookChange> {
    let mut out = Vec::new();
    let mut push = |kind, before: String, after: String| {
        out.push(CodebookChange {
            dimension: Some(d.display_name().to_owned()),
            kind,
            before: Some(before),
            after: Some(after),
        })
    };
    if o.label != d.label {
        push(
            ChangeKind::Label,
            o.label.clone().unwrap_or_default(),
            d.label.clone().unwrap_or_default(),
        );
    }
    if o.definition != d.definition {
        push(
            ChangeKind::Definition,
            o.definition.clone(),
            d.definition.clone(),
        );
    }
    if scale_text(o) != scale_text(d) {
        push(ChangeKind::Scale, scale_text(o), scale_text(d));
    }
    if anchors_of(&o.scale) != anchors_of(&d.scale) {
        push(
            ChangeKind::Anchors,
            anchors_text(anchors_of(&o.scale)),
            anchors_text(anchors_of(&d.scale)),
        );
    }
    out
}

/// "Likert 1–5, ordinal", "continuous 0–100, interval", "nominal, 3 categories, nominal".
fn scale_text(d: &Dimension) -> String {
    let n = chameleon_stats::agreement::compact;
    let scale = match &d.scale {
        Scale::Likert { min, max, .. } => format!("Likert {min}–{max}"),
        Scale::Continuous { min, max, step } => match step {
            Some(s) => format!("continuous {}–{} by {}", n(*min), n(*max), n(*s)),
            None => format!("continuous {}–{}", n(*min), n(*max)),
        },
        Scale::Nominal { categories } => format!("nominal, {} categories", categories.len()),
    };
    format!("{scale}, {}", d.level().as_str())
}

fn anchors_of(s: &Scale) -> &[Anchor] {
    match s {
        Scale::Likert { anchors, .. } => anchors,
        Scale::Nominal { categories } => categories,
        Scale::Continuous { .. } => &[],
    }
}

/// "1 = never, 5 = always"; "none" without any.
fn anchors_text(a: &[Anchor]) -> String {
    if a.is_empty() {
        return "none".into();
    }
    a.iter()
        .map(|x| format!("{} = {}", x.value, x.label))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Level;

    fn dim(name: &str, scale: Scale) -> Dimension {
        Dimension {
            name: name.into(),
            label: None,
            definition: format!("{name} is…"),
            scale,
            level: None,
        }
    }

    fn likert(min: i64, max: i64, anchors: &[(i64, &str)]) -> Scale {
        Scale::Likert {
            min,
            max,
            anchors: anchors
                .iter()
                .map(|(v, l)| Anchor {
                    value: *v,
                    label: (*l).into(),
                })
                .collect(),
        }
    }

    fn codebook(dimensions: Vec<Dimension>) -> Codebook {
        Codebook {
            name: Some("pilot".into()),
            guidelines: "# Rate".into(),
            version: 1,
            dimensions,
            show_person_ids: false,
            scales: Vec::new(),
        }
    }

    #[test]
    fn nothing_changed_is_no_change() {
        let a = codebook(vec![dim("warmth", likert(1, 5, &[(1, "cold")]))]);
        let mut b = a.clone();
        b.version = 7;
        b.guidelines = "# Rate\n".into();
        assert_eq!(codebook_diff(&a, &b), vec![]);
    }

    #[test]
    fn every_kind_of_change_is_named_with_before_and_after() {
        let old = codebook(vec![
            dim("warmth", likert(1, 5, &[(1, "cold"), (5, "warm")])),
            dim("mood", likert(1, 7, &[])),
            dim("gone", likert(1, 3, &[])),
        ]);
        let mut warmth = dim("Warmth", likert(1, 7, &[(1, "cold"), (7, "warm")]));
        warmth.label = Some("Warmth (felt)".into());
        warmth.definition = "How warm.".into();
        let mut mood = dim("mood", likert(1, 7, &[]));
        mood.level = Some(Level::Interval);
        let mut new = codebook(vec![
            warmth,
            mood,
            dim(
                "topic",
                Scale::Nominal {
                    categories: vec![
                        Anchor {
                            value: 1,
                            label: "a".into(),
                        },
                        Anchor {
                            value: 2,
                            label: "b".into(),
                        },
                    ],
                },
            ),
        ]);
        new.name = Some("main".into());
        let changes = codebook_diff(&old, &new);
        type Row<'a> = (
            Option<&'a str>,
            ChangeKind,
            Option<&'a str>,
            Option<&'a str>,
        );
        let got: Vec<Row> = changes
            .iter()
            .map(|c| {
                (
                    c.dimension.as_deref(),
                    c.kind,
                    c.before.as_deref(),
                    c.after.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (None, ChangeKind::Name, Some("pilot"), Some("main")),
                (
                    Some("Warmth (felt)"),
                    ChangeKind::Label,
                    Some(""),
                    Some("Warmth (felt)")
                ),
                (
                    Some("Warmth (felt)"),
                    ChangeKind::Definition,
                    Some("warmth is…"),
                    Some("How warm.")
                ),
                (
                    Some("Warmth (felt)"),
                    ChangeKind::Scale,
                    Some("Likert 1–5, ordinal"),
                    Some("Likert 1–7, ordinal")
                ),
                (
                    Some("Warmth (felt)"),
                    ChangeKind::Anchors,
                    Some("1 = cold, 5 = warm"),
                    Some("1 = cold, 7 = warm")
                ),
                (
                    Some("mood"),
                    ChangeKind::Scale,
                    Some("Likert 1–7, ordinal"),
                    Some("Likert 1–7, interval")
                ),
                (
                    Some("topic"),
                    ChangeKind::Added,
                    None,
                    Some("nominal, 2 categories, nominal")
                ),
                (
                    Some("gone"),
                    ChangeKind::Removed,
                    Some("Likert 1–3, ordinal"),
                    None
                ),
            ]
        );
    }
}
