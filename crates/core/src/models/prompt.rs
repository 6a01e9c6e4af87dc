//! Prompt templates: plain text with `{{placeholder}}`s, checked once before a run, rendered
//! per profile. The default template is built from the codebook.

use super::ModelError;
use crate::model::{Codebook, Dimension, Profile, Scale};
use std::fmt::Write as _;
use std::path::Path;

/// Every placeholder a template may use, with what it becomes.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("guidelines", "the codebook's guidelines"),
    (
        "dimensions",
        "each rated dimension: name, label, definition, scale and anchors",
    ),
    (
        "dimension_names",
        "the rated dimensions' names, comma-separated",
    ),
    ("context", "the profile's context"),
    ("person", "the profile's person id (pseudonymous)"),
    ("texts", "the profile's texts, numbered, with their titles"),
    (
        "answer_format",
        "the instruction to answer with one JSON object, listing each key and its allowed values",
    ),
];

/// The template used when the user gives none.
pub const DEFAULT_TEMPLATE: &str =
    "You are rating material for a psychology study. The material below \
is what one person wrote in one context. Rate what this material, in this context, shows about the \
person, following the guidelines and the definitions.

# Guidelines

{{guidelines}}

# Dimensions

{{dimensions}}

# Material

Context: {{context}}

{{texts}}

# Your answer

{{answer_format}}
";

/// A checked template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    text: String,
}

impl Template {
    /// Checks that every `{{…}}` names a known placeholder; an unknown one is an error naming
    /// it with its line and column (1-based, in characters).
    pub fn parse(text: &str, path: Option<&Path>) -> Result<Template, ModelError> {
        for piece in pieces(text) {
            match piece {
                Piece::Text(_) => {}
                Piece::Placeholder { name, line, column } => {
                    if !PLACEHOLDERS.iter().any(|(p, _)| *p == name) {
                        return Err(ModelError::UnknownPlaceholder {
                            path: path.map(Path::to_path_buf),
                            name: super::cut(name, 100),
                            line,
                            column,
                            known: PLACEHOLDERS
                                .iter()
                                .map(|(p, _)| *p)
                                .collect::<Vec<_>>()
                                .join(", "),
                        });
                    }
                }
                Piece::Unclosed { line, column } => {
                    return Err(ModelError::UnclosedPlaceholder {
                        path: path.map(Path::to_path_buf),
                        line,
                        column,
                    })
                }
            }
        }
        Ok(Template {
            text: text.to_owned(),
        })
    }

    pub fn default_template() -> Template {
        Template {
            text: DEFAULT_TEMPLATE.to_owned(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The prompt for one profile, on the dimensions `dims` of `codebook`.
    pub fn render(&self, codebook: &Codebook, dims: &[&Dimension], profile: &Profile) -> String {
        let mut out = String::with_capacity(self.text.len() + 1024);
        for piece in pieces(&self.text) {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Placeholder { name, .. } => match name {
                    "guidelines" => out.push_str(codebook.guidelines.trim()),
                    "dimensions" => out.push_str(&dimensions_text(dims)),
                    "dimension_names" => out.push_str(
                        &dims
                            .iter()
                            .map(|d| d.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    "context" => out.push_str(&profile.context),
                    "person" => out.push_str(&profile.person),
                    "texts" => out.push_str(&texts_text(profile)),
                    "answer_format" => out.push_str(&answer_format(dims)),
                    _ => {}
                },
                // Checked at parse time; a template never reaches here unclosed.
                Piece::Unclosed { .. } => {}
            }
        }
        out
    }
}

enum Piece<'a> {
    Text(&'a str),
    Placeholder {
        name: &'a str,
        line: usize,
        column: usize,
    },
    Unclosed {
        line: usize,
        column: usize,
    },
}

/// Splits a template into text and `{{name}}` pieces (whitespace inside the braces allowed).
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = 0usize;
    while let Some(off) = text[rest..].find("{{") {
        let open = rest + off;
        out.push(Piece::Text(&text[rest..open]));
        let (line, column) = position(text, open);
        match text[open + 2..].find("}}") {
            Some(len) => {
                out.push(Piece::Placeholder {
                    name: text[open + 2..open + 2 + len].trim(),
                    line,
                    column,
                });
                rest = open + 2 + len + 2;
            }
            None => {
                out.push(Piece::Unclosed { line, column });
                return out;
            }
        }
    }
    out.push(Piece::Text(&text[rest..]));
    out
}

fn position(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn scale_text(s: &Scale) -> String {
    match s {
        Scale::Likert { min, max, anchors } => {
            let mut t = format!("an integer from {min} to {max}");
            if !anchors.is_empty() {
                let a: Vec<String> = anchors
                    .iter()
                    .map(|a| format!("{} = {}", a.value, a.label))
                    .collect();
                let _ = write!(t, " ({})", a.join("; "));
            }
            t
        }
        Scale::Continuous { min, max, .. } => format!("a number from {min} to {max}"),
        Scale::Nominal { categories } => {
            let c: Vec<String> = categories
                .iter()
                .map(|c| format!("{} = {}", c.value, c.label))
                .collect();
            format!("the code of one category: {}", c.join("; "))
        }
    }
}

fn dimensions_text(dims: &[&Dimension]) -> String {
    let mut out = String::new();
    for (i, d) in dims.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "## {}", d.name);
        if let Some(l) = &d.label {
            if l != &d.name {
                let _ = writeln!(out, "Label: {l}");
            }
        }
        if !d.definition.trim().is_empty() {
            let _ = writeln!(out, "Definition: {}", d.definition.trim());
        }
        let _ = writeln!(out, "Answer: {}", scale_text(&d.scale));
    }
    out.trim_end().to_owned()
}

fn texts_text(p: &Profile) -> String {
    let mut out = String::new();
    for (i, t) in p.texts.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "--- Text {} ---", i + 1);
        if let Some(title) = &t.title {
            let _ = writeln!(out, "Title: {title}");
        }
        let _ = writeln!(out, "{}", t.text.trim_end());
    }
    out.trim_end().to_owned()
}

fn answer_format(dims: &[&Dimension]) -> String {
    let mut out = String::from(
        "Answer with one JSON object and nothing else (no explanation, no code fence), with \
         exactly these keys:\n",
    );
    for d in dims {
        let _ = writeln!(out, "- \"{}\": {}", d.name, scale_text(&d.scale));
    }
    out.trim_end().to_owned()
}

/// Reads a template file (only a regular file, as every input) and checks it.
pub fn read_template(path: &Path) -> Result<Template, ModelError> {
    let bytes = crate::checks::read_input_file(path)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        ModelError::Core(crate::CoreError::NotReadable {
            path: path.to_path_buf(),
            reason: format!("not UTF-8 text: {e}"),
        })
    })?;
    Template::parse(&text, Some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_placeholder_is_named_with_its_line_and_column() {
        let e = Template::parse("Rate {{texts}}.\n  and {{mood}} too", None).unwrap_err();
        match &e {
            ModelError::UnknownPlaceholder {
                name, line, column, ..
            } => assert_eq!((name.as_str(), *line, *column), ("mood", 2, 7)),
            other => panic!("{other}"),
        }
        assert!(e.is_bad_input());
        assert!(e.to_string().contains("'{{mood}}'"), "{e}");
        let e = Template::parse("ok {{texts}} then {{ broken", None).unwrap_err();
        assert!(
            matches!(
                e,
                ModelError::UnclosedPlaceholder {
                    line: 1,
                    column: 19,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn the_default_prompt_holds_guidelines_definitions_anchors_and_texts() {
        let cb = crate::sample::demo_codebook();
        let dims: Vec<&Dimension> = cb.dimensions.iter().collect();
        let p = Profile {
            id: 1,
            person: "u001".into(),
            context: "r/gaming".into(),
            texts: vec![crate::model::ProfileText {
                title: Some("Hello".into()),
                text: "I love {{texts}} raids with friends".into(),
                ..Default::default()
            }],
        };
        let out = Template::default_template().render(&cb, &dims, &p);
        assert!(out.contains(cb.guidelines.trim()));
        for d in &cb.dimensions {
            assert!(out.contains(&d.definition), "{}", d.name);
            assert!(out.contains(&format!("- \"{}\": ", d.name)), "{}", d.name);
        }
        assert!(out.contains("1 = very low; 5 = very high"), "{out}");
        assert!(out.contains("Context: r/gaming"));
        assert!(
            out.contains("I love {{texts}} raids with friends"),
            "a profile's text is inserted as it is, never expanded"
        );
        assert!(
            !out.contains("u001"),
            "the default prompt does not show the person id"
        );
    }
}
