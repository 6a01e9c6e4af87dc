//! Questionnaire scales in a codebook file. A file writes a scale as a dimension with `items`
//! (each item a table with its name, text, response scale and `reverse`) and a `scoring`
//! rule; the study stores each item as an ordinary dimension (so annotators, models and
//! imports rate it like any other) and the scale itself in the codebook's `scales`, from
//! which its score is computed. The stored form (flat `dimensions` plus `scales`) is accepted
//! too, so an exported codebook imports back unchanged.

use crate::checks::quote;
use crate::error::RowError;
use crate::model::{Codebook, Dimension, ItemScale, Level, Scale, ScaleItem, Scoring};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

/// A codebook as a file may write it: a dimension may carry items.
#[derive(Deserialize)]
pub(super) struct FileCodebook {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    guidelines: String,
    #[serde(default)]
    version: i64,
    dimensions: Vec<FileDimension>,
    #[serde(default)]
    show_person_ids: bool,
    #[serde(default)]
    scales: Vec<ItemScale>,
}

#[derive(Deserialize)]
struct FileDimension {
    name: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    definition: String,
    /// A plain dimension's scale; for a scale with items, its items' response scale.
    #[serde(default)]
    scale: Option<Scale>,
    #[serde(default)]
    level: Option<Level>,
    #[serde(default)]
    items: Option<Vec<FileItem>>,
    #[serde(default)]
    scoring: Option<Scoring>,
}

#[derive(Deserialize)]
struct FileItem {
    name: String,
    /// The item as the respondent reads it; shown as the dimension's label.
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    definition: Option<String>,
    #[serde(default)]
    scale: Option<Scale>,
    #[serde(default)]
    level: Option<Level>,
    #[serde(default)]
    reverse: bool,
}

/// The line (1-based) of the first occurrence of `needle` in `src`, 1 when absent.
fn line_of(src: &str, needle: &str) -> u64 {
    src.find(needle)
        .map(|i| src[..i].matches('\n').count() as u64 + 1)
        .unwrap_or(1)
}

impl FileCodebook {
    /// The codebook a study stores: items become dimensions in the scale's place, the scale
    /// goes to `scales`. Returns where each scale came from (`dimensions[i]` or `scales[i]`)
    /// for [`validate_scales`]' messages, and the errors found on the way.
    pub(super) fn into_codebook(self, src: &str) -> (Codebook, Vec<String>, Vec<RowError>) {
        let mut errors = Vec::new();
        let mut dimensions = Vec::new();
        let mut scales = Vec::new();
        let mut origins = Vec::new();
        // Items may refer to a dimension defined elsewhere in the file by name alone.
        let plain: HashSet<String> = self
            .dimensions
            .iter()
            .filter(|d| d.items.is_none())
            .map(|d| d.name.trim().to_lowercase())
            .collect();
        for (i, d) in self.dimensions.into_iter().enumerate() {
            let field = format!("dimensions[{i}]");
            let line = line_of(src, &format!("\"{}\"", d.name.trim()));
            let Some(items) = d.items else {
                match d.scale {
                    Some(scale) => dimensions.push(Dimension {
                        name: d.name,
                        label: d.label,
                        definition: d.definition,
                        scale,
                        level: d.level,
                    }),
                    None => errors.push(RowError::new(
                        line,
                        Some(&format!("{field}.scale")),
                        format!("dimension '{}' needs a scale", quote(d.name.trim())),
                    )),
                }
                continue;
            };
            let scale_name = d.name.trim().to_owned();
            let mut scale_items = Vec::new();
            for (j, it) in items.into_iter().enumerate() {
                let item_field = format!("{field}.items[{j}]");
                let item_line = line_of(src, &format!("\"{}\"", it.name.trim()));
                let bare = it.text.is_none()
                    && it.label.is_none()
                    && it.definition.is_none()
                    && it.scale.is_none()
                    && it.level.is_none();
                if bare && plain.contains(&it.name.trim().to_lowercase()) {
                    scale_items.push(ScaleItem {
                        name: it.name.trim().to_owned(),
                        reverse: it.reverse,
                    });
                    continue;
                }
                let Some(scale) = it.scale.or_else(|| d.scale.clone()) else {
                    let message = if it.reverse {
                        format!(
                            "item '{}' of scale '{}' is reverse-keyed but has no response \
                             scale: reverse keying (min + max − value) needs bounds; give the \
                             scale or the item a scale with min and max",
                            quote(it.name.trim()),
                            quote(&scale_name)
                        )
                    } else {
                        format!(
                            "item '{}' of scale '{}' is not in the codebook: give it a response \
                             scale (or the scale one for all its items), or define a dimension \
                             '{}'",
                            quote(it.name.trim()),
                            quote(&scale_name),
                            quote(it.name.trim())
                        )
                    };
                    errors.push(RowError::new(
                        item_line,
                        Some(&format!("{item_field}.scale")),
                        message,
                    ));
                    continue;
                };
                dimensions.push(Dimension {
                    name: it.name.trim().to_owned(),
                    label: it.label.or(it.text),
                    definition: it.definition.unwrap_or_default(),
                    scale,
                    level: it.level,
                });
                scale_items.push(ScaleItem {
                    name: it.name.trim().to_owned(),
                    reverse: it.reverse,
                });
            }
            scales.push(ItemScale {
                name: scale_name,
                label: d.label,
                definition: d.definition,
                items: scale_items,
                scoring: d.scoring.unwrap_or_default(),
            });
            origins.push(field);
        }
        for (i, s) in self.scales.into_iter().enumerate() {
            scales.push(s);
            origins.push(format!("scales[{i}]"));
        }
        let cb = Codebook {
            name: self.name,
            guidelines: self.guidelines,
            version: self.version,
            dimensions,
            show_person_ids: self.show_person_ids,
            scales,
        };
        (cb, origins, errors)
    }
}

/// Checks a codebook's scales against its dimensions: names unique among dimensions and
/// scales, every item a dimension of the codebook with ordered values, no item in two scales,
/// reverse-keyed items bounded, `min_items` within 1..=items. `origins[i]` names scale i's
/// field (`scales[i]` when absent). Names are trimmed.
pub(super) fn validate_scales(cb: &mut Codebook, origins: &[String], src: &str) -> Vec<RowError> {
    let mut errors = Vec::new();
    let dims: HashMap<String, &Dimension> = cb
        .dimensions
        .iter()
        .map(|d| (d.name.trim().to_lowercase(), d))
        .collect();
    let mut scale_names = HashSet::new();
    let mut owner: HashMap<String, String> = HashMap::new();
    for (i, s) in cb.scales.iter_mut().enumerate() {
        s.name = s.name.trim().to_owned();
        let field = origins
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("scales[{i}]"));
        let line = line_of(src, &format!("\"{}\"", s.name));
        let mut err = |line: u64, f: &str, m: String| {
            errors.push(RowError::new(line, Some(f), m));
        };
        if s.name.is_empty() {
            err(line, &field, "a scale needs a name".into());
            continue;
        }
        let key = s.name.to_lowercase();
        if dims.contains_key(&key) || !scale_names.insert(key) {
            err(
                line,
                &field,
                format!(
                    "scale '{}': the name is taken by another dimension or scale",
                    quote(&s.name)
                ),
            );
        }
        if s.items.is_empty() {
            err(
                line,
                &format!("{field}.items"),
                format!("scale '{}' has no items", quote(&s.name)),
            );
        }
        for (j, item) in s.items.iter_mut().enumerate() {
            item.name = item.name.trim().to_owned();
            let f = format!("{field}.items[{j}]");
            let item_line = line_of(src, &format!("\"{}\"", item.name));
            let Some(d) = dims.get(&item.name.to_lowercase()) else {
                err(
                    item_line,
                    &f,
                    format!(
                        "item '{}' of scale '{}' is not a dimension of the codebook",
                        quote(&item.name),
                        quote(&s.name)
                    ),
                );
                continue;
            };
            if let Some(other) = owner.insert(item.name.to_lowercase(), s.name.clone()) {
                err(
                    item_line,
                    &f,
                    if other.eq_ignore_ascii_case(&s.name) {
                        format!(
                            "item '{}' is listed twice in scale '{}'",
                            quote(&item.name),
                            quote(&s.name)
                        )
                    } else {
                        format!(
                            "item '{}' is listed in two scales, '{}' and '{}'",
                            quote(&item.name),
                            quote(&other),
                            quote(&s.name)
                        )
                    },
                );
            }
            if d.level() == Level::Nominal || matches!(d.scale, Scale::Nominal { .. }) {
                err(
                    item_line,
                    &format!("{f}.scale"),
                    format!(
                        "item '{}' of scale '{}' is nominal{}: a scale's items need ordered \
                         values with bounds",
                        quote(&item.name),
                        quote(&s.name),
                        if item.reverse {
                            " and reverse-keyed (min + max − value needs bounds)"
                        } else {
                            ""
                        }
                    ),
                );
            }
        }
        if let Some(m) = s.scoring.min_items {
            if m == 0 || m > s.items.len() {
                err(
                    line,
                    &format!("{field}.scoring.min_items"),
                    format!(
                        "scale '{}': min_items is {m}, it must be within 1..={}",
                        quote(&s.name),
                        s.items.len()
                    ),
                );
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use crate::import::parse_codebook;
    use crate::model::ScoringRule;
    use std::path::Path;

    fn parse(src: &str) -> crate::Result<crate::model::Codebook> {
        parse_codebook("q.toml", Path::new("q.toml"), src.as_bytes())
    }

    fn errors(src: &str) -> Vec<crate::error::RowError> {
        match parse(src) {
            Err(crate::CoreError::Input { errors, .. }) => errors,
            other => panic!("expected input errors, got {other:?}"),
        }
    }

    const BFI: &str = r#"
[[dimensions]]
name = "warmth"
scale = { type = "likert", max = 7 }

[[dimensions]]
name = "extraversion"
label = "Extraversion (BFI-10)"
scale = { type = "likert", min = 1, max = 5 }
scoring = { rule = "sum", min_items = 1 }
items = [
  { name = "e1", text = "is reserved", reverse = true },
  { name = "e2", text = "is outgoing, sociable" },
]
"#;

    #[test]
    fn a_scale_becomes_its_items_as_dimensions_and_a_scale() {
        let cb = parse(BFI).unwrap();
        let names: Vec<&str> = cb.dimensions.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            ["warmth", "e1", "e2"],
            "items take the scale's place"
        );
        assert_eq!(cb.dimensions[1].label.as_deref(), Some("is reserved"));
        assert_eq!(cb.scales.len(), 1);
        let s = &cb.scales[0];
        assert_eq!(s.name, "extraversion");
        assert_eq!(s.scoring.rule, ScoringRule::Sum);
        assert_eq!(s.scoring.min_items, Some(1));
        assert!(s.items[0].reverse && !s.items[1].reverse);
        // The stored form (flat dimensions + scales) reads back as itself.
        let json = serde_json::to_string(&cb).unwrap();
        let back = parse_codebook("c.json", Path::new("c.json"), json.as_bytes()).unwrap();
        assert_eq!(back, cb);
        let toml = toml::to_string_pretty(&cb).unwrap();
        assert_eq!(parse(&toml).unwrap(), cb, "{toml}");
    }

    #[test]
    fn a_codebook_without_items_is_unchanged() {
        let cb =
            parse("[[dimensions]]\nname = \"warmth\"\nscale = { type = \"likert\", max = 7 }\n")
                .unwrap();
        assert!(cb.scales.is_empty());
        assert!(!serde_json::to_string(&cb).unwrap().contains("scales"));
    }

    #[test]
    fn an_item_may_name_a_dimension_defined_elsewhere() {
        let cb = parse(
            r#"
[[dimensions]]
name = "a1"
scale = { type = "likert", max = 5 }
[[dimensions]]
name = "agree"
items = [{ name = "a1", reverse = true }, { name = "a2", scale = { type = "likert", max = 5 } }]
"#,
        )
        .unwrap();
        assert_eq!(cb.dimensions.len(), 2);
        assert_eq!(cb.scales[0].items.len(), 2);
    }

    #[test]
    fn bad_scales_are_refused_naming_the_field() {
        // An item that is nowhere in the codebook.
        let e = errors("[[dimensions]]\nname = \"s\"\nitems = [{ name = \"ghost\" }]\n");
        assert_eq!(e[0].column.as_deref(), Some("dimensions[0].items[0].scale"));
        assert!(e[0].message.contains("not in the codebook"), "{e:?}");
        // A reverse-keyed item without bounds.
        let e = errors("[[dimensions]]\nname = \"s\"\nitems = [{ name = \"x\", text = \"t\", reverse = true }]\n");
        assert!(e[0].message.contains("reverse-keyed"), "{e:?}");
        assert_eq!(e[0].line, 3);
        // A nominal reverse-keyed item has no bounds either.
        let e = errors(
            r#"[[dimensions]]
name = "s"
items = [{ name = "x", reverse = true, scale = { type = "nominal", categories = [{ value = 1, label = "a" }, { value = 2, label = "b" }] } }]
"#,
        );
        assert!(e[0].message.contains("nominal"), "{e:?}");
        // An item in two scales.
        let e = errors(
            r#"[[dimensions]]
name = "x"
scale = { type = "likert", max = 5 }
[[dimensions]]
name = "s1"
items = [{ name = "x" }]
[[dimensions]]
name = "s2"
items = [{ name = "x" }]
"#,
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].message.contains("two scales"), "{e:?}");
        assert_eq!(e[0].column.as_deref(), Some("dimensions[2].items[0]"));
        // A scale named like a dimension, and min_items beyond the items.
        let e = errors(
            r#"[[dimensions]]
name = "x"
scale = { type = "likert", max = 5 }
[[dimensions]]
name = "X"
scoring = { min_items = 3 }
items = [{ name = "y", scale = { type = "likert", max = 5 } }]
"#,
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e.iter().any(|e| e.message.contains("taken")), "{e:?}");
        assert!(e.iter().any(|e| e.message.contains("min_items")), "{e:?}");
    }
}
