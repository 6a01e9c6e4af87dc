//! lme4 random-intercept formulas over the factors `person`, `context` and `rater` (issue #12).
//!
//! Supported: `RESPONSE ~ 1 + (1|g) + …` where each `g` is one of `person`, `context`,
//! `rater` or a two-way interaction of two of them (`person:context`, `rater:person`,
//! `rater:context`; either order), and lme4's nesting shorthand `(1|a/b)` for
//! `(1|a) + (1|a:b)`. The intercept may be left implicit, as in lme4. Whitespace is ignored.
//! Everything else is refused with a [`FormulaError`] that names the term and the reason.

use serde::Serialize;

/// A grouping factor of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Factor {
    /// The person rated.
    Person,
    /// The context of a profile.
    Context,
    /// Who rated.
    Rater,
}

impl Factor {
    /// The factor's name in formulas (`person`, `context`, `rater`).
    pub fn as_str(self) -> &'static str {
        match self {
            Factor::Person => "person",
            Factor::Context => "context",
            Factor::Rater => "rater",
        }
    }

    fn parse(s: &str) -> Option<Factor> {
        match s {
            "person" => Some(Factor::Person),
            "context" => Some(Factor::Context),
            "rater" => Some(Factor::Rater),
            _ => None,
        }
    }
}

/// The six random-intercept terms the engine fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    /// `(1|person)`: trait.
    Person,
    /// `(1|context)`: shared context effects.
    Context,
    /// `(1|person:context)`: state.
    PersonContext,
    /// `(1|rater)`: leniency.
    Rater,
    /// `(1|rater:person)`: a rater's view of a person.
    RaterPerson,
    /// `(1|rater:context)`: a rater's view of a context.
    RaterContext,
}

impl TermKind {
    /// Every term, in the engine's order.
    pub const ALL: [TermKind; 6] = [
        TermKind::Person,
        TermKind::Context,
        TermKind::PersonContext,
        TermKind::Rater,
        TermKind::RaterPerson,
        TermKind::RaterContext,
    ];

    /// The canonical lme4 spelling.
    pub fn canonical(self) -> &'static str {
        match self {
            TermKind::Person => "person",
            TermKind::Context => "context",
            TermKind::PersonContext => "person:context",
            TermKind::Rater => "rater",
            TermKind::RaterPerson => "rater:person",
            TermKind::RaterContext => "rater:context",
        }
    }

    /// The factors whose combination defines the term's levels.
    pub fn factors(self) -> &'static [Factor] {
        match self {
            TermKind::Person => &[Factor::Person],
            TermKind::Context => &[Factor::Context],
            TermKind::PersonContext => &[Factor::Person, Factor::Context],
            TermKind::Rater => &[Factor::Rater],
            TermKind::RaterPerson => &[Factor::Rater, Factor::Person],
            TermKind::RaterContext => &[Factor::Rater, Factor::Context],
        }
    }

    /// Terms whose levels each belong to one person: eliminated person by person.
    pub fn nested_in_person(self) -> bool {
        matches!(
            self,
            TermKind::Person | TermKind::PersonContext | TermKind::RaterPerson
        )
    }

    fn from_factors(a: Factor, b: Option<Factor>) -> Option<TermKind> {
        use Factor::*;
        let Some(b) = b else {
            return Some(match a {
                Person => TermKind::Person,
                Context => TermKind::Context,
                Rater => TermKind::Rater,
            });
        };
        let mut pair = [a, b];
        pair.sort();
        match pair {
            [Person, Context] => Some(TermKind::PersonContext),
            [Person, Rater] => Some(TermKind::RaterPerson),
            [Context, Rater] => Some(TermKind::RaterContext),
            _ => None,
        }
    }
}

/// One random-intercept term: its kind and its spelling in the formula (whitespace removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// Which term.
    pub kind: TermKind,
    /// As written in the formula.
    pub label: String,
}

/// A parsed formula: the response name and the random terms in the order written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Formula {
    /// The formula as given, whitespace normalised to lme4's `deparse` style.
    pub text: String,
    /// The response's name (left of `~`).
    pub response: String,
    /// The random terms, in the order written.
    pub terms: Vec<Term>,
}

impl Formula {
    /// True when the formula has a term of this kind.
    pub fn has(&self, kind: TermKind) -> bool {
        self.terms.iter().any(|t| t.kind == kind)
    }

    /// The factors the formula uses.
    pub fn factors(&self) -> Vec<Factor> {
        let mut f: Vec<Factor> = self
            .terms
            .iter()
            .flat_map(|t| t.kind.factors().iter().copied())
            .collect();
        f.sort();
        f.dedup();
        f
    }
}

/// Why a formula is refused. Every variant names the offending term as written.
// The variants' fields are the values their messages name.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormulaError {
    #[error("formula '{formula}': expected 'RESPONSE ~ 1 + (1|GROUP) + ...' ({reason})")]
    Syntax { formula: String, reason: String },
    #[error(
        "term '{term}': unknown factor '{factor}' (the factors are person, context and rater)"
    )]
    UnknownFactor { term: String, factor: String },
    #[error("term '{term}': random slopes are not supported, only random intercepts (1|group)")]
    RandomSlope { term: String },
    #[error("term '{term}': '||' (uncorrelated random effects) is not supported; write (1|group)")]
    DoubleBar { term: String },
    #[error("term '{term}': interactions of more than two factors are not supported")]
    ThreeWay { term: String },
    #[error("term '{term}': a factor interacted with itself is not a term")]
    SelfInteraction { term: String },
    #[error("term '{term}': fixed effects other than the intercept are not supported")]
    FixedEffect { term: String },
    #[error("term '{term}': the model needs its intercept ('0 +' and '- 1' are not supported)")]
    NoIntercept { term: String },
    #[error("term '{term}': duplicate of '{first}'")]
    Duplicate { term: String, first: String },
    #[error("formula '{formula}': no random term; add at least one (1|group)")]
    NoRandomTerm { formula: String },
}

/// Splits `s` on `sep` at parenthesis depth 0.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, ch) in s.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + ch.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '.' || c == '_')
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '_')
}

/// Parses a formula. Pure: checks against the data are [`super::mixed::check_design`]'s.
pub fn parse(formula: &str) -> Result<Formula, FormulaError> {
    let compact: String = formula.chars().filter(|c| !c.is_whitespace()).collect();
    let syntax = |reason: &str| FormulaError::Syntax {
        formula: formula.trim().to_string(),
        reason: reason.to_string(),
    };
    let sides: Vec<&str> = compact.split('~').collect();
    if sides.len() != 2 {
        return Err(syntax("one '~' between the response and the terms"));
    }
    let (response, rhs) = (sides[0], sides[1]);
    if !is_name(response) {
        return Err(syntax("the response must be a column name, e.g. value"));
    }
    if rhs.is_empty() {
        return Err(syntax("nothing after '~'"));
    }
    let mut depth = 0i32;
    for ch in rhs.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return Err(syntax("unbalanced parentheses"));
        }
    }
    if depth != 0 {
        return Err(syntax("unbalanced parentheses"));
    }
    // '- 1' removes the intercept; split on '-' at depth 0 first so it is recognised.
    let minus = split_top(rhs, '-');
    if minus.len() > 1 {
        return Err(FormulaError::NoIntercept {
            term: format!("-{}", minus[1..].join("-")),
        });
    }
    let mut terms: Vec<Term> = Vec::new();
    let mut push = |t: Term| -> Result<(), FormulaError> {
        if let Some(first) = terms.iter().find(|o| o.kind == t.kind) {
            return Err(FormulaError::Duplicate {
                term: t.label,
                first: first.label.clone(),
            });
        }
        terms.push(t);
        Ok(())
    };
    for piece in split_top(rhs, '+') {
        if piece.is_empty() {
            return Err(syntax("an empty term between '+' signs"));
        }
        if piece == "1" {
            continue;
        }
        if piece == "0" {
            return Err(FormulaError::NoIntercept { term: "0".into() });
        }
        let Some(inner) = piece.strip_prefix('(').and_then(|p| p.strip_suffix(')')) else {
            return Err(FormulaError::FixedEffect { term: piece.into() });
        };
        if inner.contains("||") {
            return Err(FormulaError::DoubleBar { term: piece.into() });
        }
        let bar: Vec<&str> = inner.split('|').collect();
        if bar.len() == 1 {
            return Err(FormulaError::FixedEffect { term: piece.into() });
        }
        if bar.len() != 2 {
            return Err(FormulaError::Syntax {
                formula: formula.trim().to_string(),
                reason: format!("term '{piece}': one '|' per random term"),
            });
        }
        let (lhs, group) = (bar[0], bar[1]);
        if lhs != "1" {
            return Err(FormulaError::RandomSlope { term: piece.into() });
        }
        let factor = |name: &str| {
            Factor::parse(name).ok_or_else(|| FormulaError::UnknownFactor {
                term: piece.into(),
                factor: name.into(),
            })
        };
        if let Some((a, b)) = group.split_once('/') {
            if b.contains('/') || a.contains(':') || b.contains(':') {
                return Err(FormulaError::ThreeWay { term: piece.into() });
            }
            let (fa, fb) = (factor(a)?, factor(b)?);
            if fa == fb {
                return Err(FormulaError::SelfInteraction { term: piece.into() });
            }
            for (kind, label) in [
                (TermKind::from_factors(fa, None), a.to_string()),
                (TermKind::from_factors(fa, Some(fb)), format!("{a}:{b}")),
            ] {
                let kind = kind.ok_or_else(|| syntax("unreachable factor pair"))?;
                push(Term { kind, label })?;
            }
            continue;
        }
        let names: Vec<&str> = group.split(':').collect();
        if names.iter().any(|n| n.is_empty() || !is_name(n)) {
            return Err(FormulaError::Syntax {
                formula: formula.trim().to_string(),
                reason: format!("term '{piece}': the grouping must be factor names joined by ':'"),
            });
        }
        if names.len() > 2 {
            return Err(FormulaError::ThreeWay { term: piece.into() });
        }
        let fa = factor(names[0])?;
        let fb = names.get(1).map(|n| factor(n)).transpose()?;
        if fb == Some(fa) {
            return Err(FormulaError::SelfInteraction { term: piece.into() });
        }
        let kind = TermKind::from_factors(fa, fb).ok_or_else(|| syntax("unknown factor pair"))?;
        push(Term {
            kind,
            label: group.to_string(),
        })?;
    }
    if terms.is_empty() {
        return Err(FormulaError::NoRandomTerm {
            formula: formula.trim().to_string(),
        });
    }
    let mut text = format!("{response} ~ 1");
    for t in &terms {
        text += &format!(" + (1 | {})", t.label);
    }
    Ok(Formula {
        text,
        response: response.to_string(),
        terms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(f: &str) -> Vec<TermKind> {
        parse(f).unwrap().terms.iter().map(|t| t.kind).collect()
    }

    #[test]
    fn parses_every_supported_term_in_any_spelling() {
        use TermKind::*;
        assert_eq!(
            kinds("value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:person) + (1|rater:context)"),
            vec![Person, Context, PersonContext, Rater, RaterPerson, RaterContext]
        );
        let f =
            parse("  score~( 1 | context : person )+(1|person:rater)+(1 |context:rater)").unwrap();
        assert_eq!(f.response, "score");
        assert_eq!(
            f.terms.iter().map(|t| t.kind).collect::<Vec<_>>(),
            vec![PersonContext, RaterPerson, RaterContext]
        );
        assert_eq!(
            f.terms[0].label, "context:person",
            "the label is as written"
        );
        assert_eq!(
            f.text,
            "score ~ 1 + (1 | context:person) + (1 | person:rater) + (1 | context:rater)"
        );
        assert_eq!(kinds("y ~ (1|person/context)"), vec![Person, PersonContext]);
    }

    #[test]
    fn refuses_unsupported_terms_naming_them() {
        let err = |f: &str| parse(f).unwrap_err();
        assert!(matches!(err("value ~ 1 + (1|subject)"),
            FormulaError::UnknownFactor { term, factor } if term == "(1|subject)" && factor == "subject"));
        assert!(
            matches!(err("value ~ 1 + (day|person)"), FormulaError::RandomSlope { term } if term == "(day|person)")
        );
        assert!(matches!(
            err("value ~ 1 + (1||person)"),
            FormulaError::DoubleBar { .. }
        ));
        assert!(matches!(err("value ~ 1 + (1|person:context:rater)"),
            FormulaError::ThreeWay { term } if term == "(1|person:context:rater)"));
        assert!(matches!(err("value ~ 1 + age + (1|person)"),
            FormulaError::FixedEffect { term } if term == "age"));
        assert!(matches!(
            err("value ~ 0 + (1|person)"),
            FormulaError::NoIntercept { .. }
        ));
        assert!(matches!(
            err("value ~ (1|person) - 1"),
            FormulaError::NoIntercept { .. }
        ));
        assert!(
            matches!(err("value ~ 1 + (1|person:context) + (1|context:person)"),
            FormulaError::Duplicate { term, first } if term == "context:person" && first == "person:context")
        );
        assert!(matches!(
            err("value ~ 1 + (1|person:person)"),
            FormulaError::SelfInteraction { .. }
        ));
        assert!(matches!(
            err("value ~ 1"),
            FormulaError::NoRandomTerm { .. }
        ));
        assert!(matches!(
            err("value ~ 1 + (1|person"),
            FormulaError::Syntax { .. }
        ));
        assert!(matches!(err("(1|person)"), FormulaError::Syntax { .. }));
        let msg = err("value ~ 1 + (x|rater)").to_string();
        assert!(msg.contains("(x|rater)") && msg.contains("slopes"), "{msg}");
    }
}
