//! TypeScript declarations of every IPC type, generated from the Rust types in `dto.rs` and
//! `error.rs` into `ui/src/bindings.ts`. Regenerate with `scripts/app/bindings.sh`
//! (`UPDATE_BINDINGS=1 cargo test -p chameleon-studio bindings`); the test fails when the
//! committed file is stale.

use crate::dto::*;
use crate::error::{AppError, ErrorCode, RowErrorDto};
use chameleon_core::app::analysis::{self as an, jobs, RESAMPLES};
use chameleon_core::app::{annotate, formula, review as rv, team};
use chameleon_core::{assign, model, review, store};
use ts_rs::{Config, TS};

pub const BINDINGS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/bindings.ts");

pub fn typescript() -> String {
    // Ids and counts are far below 2^53: plain numbers on the TypeScript side.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        chameleon_core::app::start::DimensionView::decl(&cfg),
        chameleon_core::app::start::CodebookView::decl(&cfg),
        model::Rater::decl(&cfg),
        chameleon_core::app::start::StudySummary::decl(&cfg),
        chameleon_core::app::start::SessionView::decl(&cfg),
        RecentStudy::decl(&cfg),
        annotate::QueueItem::decl(&cfg),
        annotate::OwnProgress::decl(&cfg),
        annotate::OwnChange::decl(&cfg),
        annotate::OwnRating::decl(&cfg),
        annotate::OwnNotes::decl(&cfg),
        annotate::ProfileView::decl(&cfg),
        annotate::SaveRatingRequest::decl(&cfg),
        annotate::SavedRating::decl(&cfg),
        annotate::ReviewRequest::decl(&cfg),
        CreateStudyRequest::decl(&cfg),
        RowErrorDto::decl(&cfg),
        AppError::decl(&cfg),
        ErrorCode::decl(&cfg),
        model::Level::decl(&cfg),
        model::Anchor::decl(&cfg),
        model::Scale::decl(&cfg),
        model::ProfileText::decl(&cfg),
        model::Profile::decl(&cfg),
        model::RaterKind::decl(&cfg),
        review::Thresholds::decl(&cfg),
        rv::Weights::decl(&cfg),
        rv::IccForm::decl(&cfg),
        rv::AgreementRow::decl(&cfg),
        rv::AgreementTable::decl(&cfg),
        rv::AlphaInterval::decl(&cfg),
        rv::AgreementIntervals::decl(&cfg),
        rv::Pair::decl(&cfg),
        rv::RaterDiagnostics::decl(&cfg),
        rv::AgreementDetail::decl(&cfg),
        rv::RaterAlias::decl(&cfg),
        rv::RaterValue::decl(&cfg),
        rv::DisagreementRow::decl(&cfg),
        rv::Disagreements::decl(&cfg),
        rv::DimensionValues::decl(&cfg),
        rv::ProfileRatings::decl(&cfg),
        rv::Adjudication::decl(&cfg),
        rv::DimensionEdit::decl(&cfg),
        rv::CodebookEdit::decl(&cfg),
        rv::CodebookSaved::decl(&cfg),
        chameleon_core::app::codebook_diff::ChangeKind::decl(&cfg),
        chameleon_core::app::codebook_diff::CodebookChange::decl(&cfg),
        an::ResampleBounds::decl(&cfg),
        an::Method::decl(&cfg),
        an::KindChoice::decl(&cfg),
        an::RaterRequest::decl(&cfg),
        an::RaterCount::decl(&cfg),
        an::AnalysisRequest::decl(&cfg),
        chameleon_core::dataset::KnownLeftOut::decl(&cfg),
        chameleon_core::analysis::raters::Excluded::decl(&cfg),
        chameleon_core::analysis::raters::RaterChoice::decl(&cfg),
        an::RaterPool::decl(&cfg),
        jobs::AnalysisProgress::decl(&cfg),
        an::Shares::decl(&cfg),
        an::DimensionResult::decl(&cfg),
        an::PooledResult::decl(&cfg),
        an::RaterSensitivity::decl(&cfg),
        an::RaterMatrixRow::decl(&cfg),
        an::RaterMatrix::decl(&cfg),
        an::FigureView::decl(&cfg),
        an::TableView::decl(&cfg),
        an::AnalysisResult::decl(&cfg),
        formula::ModelPreset::decl(&cfg),
        formula::FormulaCheck::decl(&cfg),
        formula::ModelComponent::decl(&cfg),
        formula::EffectView::decl(&cfg),
        formula::TermEffectsView::decl(&cfg),
        formula::PersonDisagreement::decl(&cfg),
        formula::ModelBootstrapView::decl(&cfg),
        formula::ModelDimension::decl(&cfg),
        formula::ModelResult::decl(&cfg),
        jobs::LatestAnalysis::decl(&cfg),
        jobs::RunStatus::decl(&cfg),
        jobs::RunOutcome::decl(&cfg),
        an::FigureFormat::decl(&cfg),
        an::ExportRequest::decl(&cfg),
        team::PackageSummary::decl(&cfg),
        assign::AssignmentRow::decl(&cfg),
        team::DesignRequest::decl(&cfg),
        team::TeamOverview::decl(&cfg),
        team::ExportedPackage::decl(&cfg),
        team::MergedPackage::decl(&cfg),
        team::MergeOutcome::decl(&cfg),
        store::AuditEntry::decl(&cfg),
        store::GoldAccuracy::decl(&cfg),
        chameleon_core::analysis::reliability::ItemReport::decl(&cfg),
        chameleon_core::analysis::reliability::ScaleReport::decl(&cfg),
        store::GoldMark::decl(&cfg),
        chameleon_core::app::gold::GoldProfile::decl(&cfg),
        chameleon_core::app::gold::GoldDimension::decl(&cfg),
        chameleon_core::app::gold::GoldView::decl(&cfg),
        chameleon_core::app::gold::GoldRequest::decl(&cfg),
        team::AuditKindCount::decl(&cfg),
        team::AuditTrail::decl(&cfg),
        chameleon_core::app::models::RunRequest::decl(&cfg),
        chameleon_core::app::models::ConnectionCheck::decl(&cfg),
        chameleon_core::app::models::PromptPreview::decl(&cfg),
        chameleon_core::app::models::RunPlan::decl(&cfg),
        chameleon_core::app::models::RunsView::decl(&cfg),
        chameleon_core::models::run::Progress::decl(&cfg),
        chameleon_core::models::run::RunReport::decl(&cfg),
        store::ModelRunSummary::decl(&cfg),
        store::ModelFailure::decl(&cfg),
        chameleon_core::models::analysis::ModelsReport::decl(&cfg),
        chameleon_core::models::analysis::DimensionModels::decl(&cfg),
        chameleon_core::models::analysis::ModelRow::decl(&cfg),
        chameleon_core::analysis::minimum::Caution::decl(&cfg),
        chameleon_core::models::analysis::BetweenModels::decl(&cfg),
        chameleon_core::models::analysis::PairSign::decl(&cfg),
        chameleon_core::models::analysis::ModelSummary::decl(&cfg),
        team::Imported::decl(&cfg),
        team::RatingsShape::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from src-tauri/src/{dto,error}.rs and chameleon-core's `ts` types by scripts/app/bindings.sh. Do not edit.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    // Core's bounds, so the UI checks a form against the same numbers as the CLI and core.
    out.push_str(&format!(
        "/** Bootstrap resample bounds (chameleon_core::app::analysis::RESAMPLES). */\nexport const RESAMPLES: ResampleBounds = {{ min: {}, recommended: {}, max: {} }};\n",
        RESAMPLES.min, RESAMPLES.recommended, RESAMPLES.max
    ));
    // Core's presets, so the picker shows exactly the formulas core and the CLI fit.
    let presets = serde_json::to_string_pretty(&formula::PRESETS).unwrap_or_default();
    out.push_str(&format!(
        "\n/** The model picker's presets (chameleon_core::app::formula::PRESETS). */\nexport const MODEL_PRESETS: ModelPreset[] = {presets};\n"
    ));
    // Event names the shell emits, so a renamed event fails the UI's type check.
    out.push_str(&format!(
        "\n/** A second launch asked to open a study; the payload is its path (src-tauri/src/instance.rs). */\nexport const OPEN_REQUESTED = {:?};\n",
        crate::instance::OPEN_REQUESTED
    ));
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Where the generated command wrappers go: the only file of the UI that calls `invoke`.
pub const COMMANDS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/commands.ts");

/// The command modules' source, read at compile time, so the wrappers follow every change of a
/// command's name, parameters or result.
const COMMAND_SOURCES: [&str; 8] = [
    include_str!("commands/start.rs"),
    include_str!("commands/identity.rs"),
    include_str!("commands/annotate.rs"),
    include_str!("commands/review.rs"),
    include_str!("commands/analysis.rs"),
    include_str!("commands/team.rs"),
    include_str!("commands/models.rs"),
    include_str!("commands/mod.rs"),
];

/// One `#[tauri::command]` as the UI calls it.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub name: String,
    /// (Rust name, TypeScript type), without the injected `State` / `AppHandle`.
    pub params: Vec<(String, String)>,
    pub returns: String,
}

/// A Rust type of a command's signature as TypeScript (the named types are declared by
/// [`typescript`]). `AppResult<T>` is `T`: an error rejects the promise.
pub fn ts_type(rust: &str) -> String {
    let t = rust.trim().trim_start_matches('&').trim();
    let t = t.strip_prefix("mut ").unwrap_or(t).trim();
    if t == "()" {
        return "void".into();
    }
    let (path, inner) = match (t.find('<'), t.rfind('>')) {
        (Some(open), Some(close)) if close > open => (&t[..open], Some(&t[open + 1..close])),
        _ => (t, None),
    };
    let name = path.rsplit("::").next().unwrap_or(path).trim();
    // The first type argument (a lifetime such as `'_` is skipped).
    let arg = inner.and_then(|i| split_top(i).into_iter().find(|a| !a.starts_with('\'')));
    match (name, arg) {
        ("Option", Some(a)) => format!("{} | null", ts_type(&a)),
        ("Vec", Some(a)) => format!("{}[]", ts_type(&a)),
        ("Channel", Some(a)) => format!("Channel<{}>", ts_type(&a)),
        ("AppResult", Some(a)) => ts_type(&a),
        ("String" | "str" | "PathBuf", _) => "string".into(),
        ("bool", _) => "boolean".into(),
        ("i64" | "i32" | "u32" | "u64" | "usize" | "f64", _) => "number".into(),
        (other, _) => other.to_owned(),
    }
}

/// Splits `s` at commas outside `<…>`, `(…)` and `[…]`.
fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0i32);
    for c in s.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The text from just after `open` (an opening bracket at `s[0]`) to its matching close.
fn bracketed(s: &str, open: char, close: char) -> Option<&str> {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(&s[1..i]);
            }
        }
    }
    None
}

/// Every `#[tauri::command]` function of `source`, in order. Comments are dropped first, so a
/// doc comment that names the attribute is no command.
pub fn commands_in(source: &str) -> Vec<Command> {
    let code: String = source
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    for chunk in code.split("#[tauri::command]").skip(1) {
        let Some(start) = chunk.find("fn ") else {
            continue;
        };
        let sig = &chunk[start + 3..];
        let Some(open) = sig.find('(') else { continue };
        let Some(params) = bracketed(&sig[open..], '(', ')') else {
            continue;
        };
        let after = &sig[open + params.len() + 2..];
        // The return type runs to the body's `{` (no type of a signature holds one).
        let ret = after[..after.find('{').unwrap_or(after.len())]
            .trim()
            .trim_start_matches("->")
            .trim();
        let params = split_top(params)
            .into_iter()
            .filter_map(|p| {
                let (n, t) = p.split_once(':')?;
                let ty = ts_type(t);
                // Tauri injects these; the UI does not pass them.
                (!matches!(ty.as_str(), "State" | "AppHandle" | "Window" | "Webview"))
                    .then(|| (n.trim().trim_start_matches("mut ").to_owned(), ty))
            })
            .collect();
        out.push(Command {
            name: sig[..open].trim().to_owned(),
            params,
            returns: if ret.is_empty() {
                "void".into()
            } else {
                ts_type(ret)
            },
        });
    }
    out
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Every command the app registers.
pub fn commands() -> Vec<Command> {
    COMMAND_SOURCES
        .iter()
        .flat_map(|s| commands_in(s))
        .collect()
}

/// One command's typed wrapper. Named arguments: a parameter renamed in Rust renames the key
/// here, and every UI call that still passes the old name stops type-checking.
fn wrapper(c: &Command) -> String {
    let (params, call) = if c.params.is_empty() {
        (
            String::new(),
            format!("invoke<{}>(\"{}\")", c.returns, c.name),
        )
    } else {
        let fields: Vec<String> = c
            .params
            .iter()
            .map(|(n, t)| format!("{}: {t}", camel(n)))
            .collect();
        (
            format!("args: {{ {} }}", fields.join("; ")),
            format!("invoke<{}>(\"{}\", args)", c.returns, c.name),
        )
    };
    format!(
        "\nexport function {}({params}): Promise<{}> {{\n  return {call};\n}}\n",
        camel(&c.name),
        c.returns
    )
}

/// `ui/src/commands.ts`: one typed function per command, the only caller of `invoke`.
pub fn commands_ts() -> String {
    let cmds = commands();
    let mut types: Vec<String> = Vec::new();
    let mut add = |t: &str| {
        for w in t.split(|c: char| !c.is_alphanumeric()) {
            let builtin = ["string", "number", "boolean", "null", "void", "Channel", ""];
            if !builtin.contains(&w) && !types.iter().any(|x| x == w) {
                types.push(w.to_owned());
            }
        }
    };
    for c in &cmds {
        add(&c.returns);
        for (_, t) in &c.params {
            add(t);
        }
    }
    types.sort();
    let mut out = String::from(
        "// Generated from the #[tauri::command] signatures in src-tauri/src/commands by\n\
         // scripts/app/bindings.sh. Do not edit: the only file that calls `invoke`.\n\n\
         import { Channel, invoke } from \"@tauri-apps/api/core\";\n",
    );
    out.push_str(&format!(
        "import type {{ {} }} from \"./bindings\";\n\nexport {{ Channel }};\n",
        types.join(", ")
    ));
    for c in &cmds {
        out.push_str(&wrapper(c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_wrappers_are_up_to_date_and_cover_every_registered_command() {
        let fresh = commands_ts();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(COMMANDS_PATH, &fresh).expect("write ui/src/commands.ts");
        } else {
            let committed = std::fs::read_to_string(COMMANDS_PATH).unwrap_or_default();
            assert!(
                committed == fresh,
                "ui/src/commands.ts is stale: run scripts/app/bindings.sh and commit the result"
            );
        }
        let registered = include_str!("lib.rs");
        let names: Vec<String> = commands().into_iter().map(|c| c.name).collect();
        for n in &names {
            assert!(
                registered.contains(&format!("::{n},")),
                "{n} has a wrapper but is not registered"
            );
        }
        let listed = registered
            .lines()
            .map(str::trim)
            .filter_map(|l| l.strip_prefix("commands::")?.strip_suffix(','))
            .filter(|l| {
                l.rsplit("::")
                    .next()
                    .is_some_and(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            })
            .count();
        assert_eq!(
            listed,
            names.len(),
            "every registered command has a wrapper"
        );
    }

    #[test]
    fn signatures_become_typed_wrappers() {
        let src = "#[tauri::command]\npub async fn review_agreement_detail(\n    state: State<'_, AppState>,\n    dimension: String,\n    weights: Option<Weights>,\n) -> AppResult<AgreementDetail> {\n    todo!()\n}";
        let c = &commands_in(src)[0];
        assert_eq!(c.name, "review_agreement_detail");
        assert_eq!(
            c.params,
            [
                ("dimension".to_owned(), "string".to_owned()),
                ("weights".to_owned(), "Weights | null".to_owned())
            ],
            "the injected state is no parameter"
        );
        assert_eq!(c.returns, "AgreementDetail");
        assert_eq!(
            ts_type("Vec<chameleon_core::assign::AssignmentRow>"),
            "AssignmentRow[]"
        );
        assert_eq!(ts_type("AppResult<Option<Vec<u32>>>"), "number[] | null");
        let unit = "/// Mentions `#[tauri::command]` in a comment.\n#[tauri::command]\npub async fn save_review(\n    state: State<'_, AppState>,\n    request: ReviewRequest,\n) -> AppResult<()> {\n    todo!()\n}";
        let c = &commands_in(unit)[..];
        assert_eq!(c.len(), 1, "a comment naming the attribute is no command");
        assert_eq!(c[0].returns, "void");
        assert_eq!(
            c[0].params,
            [("request".to_owned(), "ReviewRequest".to_owned())]
        );
    }

    #[test]
    fn a_renamed_parameter_renames_the_wrappers_argument() {
        let sig = |p: &str| {
            format!("#[tauri::command]\npub async fn load_profile(state: State<'_, AppState>, {p}: i64) -> AppResult<ProfileView> {{\n}}")
        };
        let before = wrapper(&commands_in(&sig("profile_id"))[0]);
        let after = wrapper(&commands_in(&sig("id"))[0]);
        assert!(
            before.contains("loadProfile(args: { profileId: number })"),
            "{before}"
        );
        assert!(
            after.contains("loadProfile(args: { id: number })"),
            "{after}"
        );
        // So the committed ui/src/commands.ts goes stale (the test above fails) and, once
        // regenerated, `tsc` refuses every caller still passing `profileId`
        // (ui/src/commands.typecheck.ts checks that the wrappers refuse a wrong name).
    }

    #[test]
    fn bindings_are_up_to_date() {
        let fresh = typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(BINDINGS_PATH, &fresh).expect("write ui/src/bindings.ts");
            return;
        }
        let committed = std::fs::read_to_string(BINDINGS_PATH).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/bindings.ts is stale: run scripts/app/bindings.sh and commit the result"
        );
    }
}
