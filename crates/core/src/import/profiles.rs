//! Profiles import: CSV (`person,context,text` + optional `title,created_at,url`, any other
//! column kept as metadata) or JSONL (one object per line with the same fields, or a `texts`
//! array). Rows with the same person and context append texts to one profile; a text already
//! in the profile is not added again, so re-importing a file changes nothing.

use super::{file_name, ImportReport};
use crate::checks::{quote, MAX_RECORD_BYTES};
use crate::error::{CoreError, Result, RowError};
use crate::model::ProfileText;
use crate::store::Study;
use crate::tidy::{FxMap, LineCounter};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

/// One text of a profiles file, validated, with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileRow {
    /// Line of the file the row starts on.
    pub line: u64,
    /// The person.
    pub person: String,
    /// The context.
    pub context: String,
    /// The text of the row.
    pub text: ProfileText,
}

/// A quoted field of a profiles file (a text) may span at most this many lines: posts have
/// paragraphs, but a field of this many lines is a closing quote gone missing.
pub const MAX_QUOTED_LINES: u64 = 100_000;

/// Parses a profiles file (CSV or JSONL, told apart as [`Study::import_profiles`] does) without
/// a study: every row, or every problem with its line. `name` is used in messages.
pub fn parse_profiles(name: &str, path_hint: &Path, bytes: &[u8]) -> Result<Vec<ProfileRow>> {
    let rows = if is_jsonl(path_hint, bytes) {
        parse_jsonl(bytes)
    } else {
        parse_csv(bytes)
    }
    .map_err(|errors| CoreError::input(name, errors))?;
    if rows.is_empty() {
        return Err(CoreError::input(
            name,
            vec![RowError::new(2, None, "the file holds no profiles")],
        ));
    }
    Ok(rows)
}

fn is_jsonl(path: &Path, bytes: &[u8]) -> bool {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("jsonl" | "ndjson" | "json") => true,
        Some("csv" | "tsv" | "txt") => false,
        _ => bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'),
    }
}

fn parse_csv(bytes: &[u8]) -> std::result::Result<Vec<ProfileRow>, Vec<RowError>> {
    if bytes.contains(&b'"') {
        crate::tidy::check_quotes(bytes, MAX_QUOTED_LINES).map_err(|e| vec![e])?;
    }
    let mut lines = LineCounter::new(bytes);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![RowError::new(
                1,
                None,
                format!("malformed CSV header: {e}"),
            )])
        }
    };
    if header.is_empty() || header.iter().all(|f| f.is_empty()) {
        return Err(vec![RowError::new(
            1,
            None,
            "the file is empty: a header line is required",
        )]);
    }
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase())
        .collect();
    let find = |n: &str| names.iter().position(|x| x == n);
    let (person, context, text) = (find("person"), find("context"), find("text"));
    let mut errors = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(names.len());
    for (i, n) in names.iter().enumerate() {
        if let Some(&first) = seen.get(n.as_str()).filter(|_| !n.is_empty()) {
            errors.push(RowError::new(
                1,
                Some(n),
                format!(
                    "column '{}' appears twice in the header (fields {} and {})",
                    quote(n),
                    first + 1,
                    i + 1
                ),
            ));
        }
        seen.entry(n).or_insert(i);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (col, idx) in [("person", person), ("context", context), ("text", text)] {
        if idx.is_none() {
            errors.push(RowError::new(
                1,
                Some(col),
                format!("required column '{col}' is missing"),
            ));
        }
    }
    let (Some(person), Some(context), Some(text)) = (person, context, text) else {
        return Err(errors);
    };
    let (title, created, url) = (find("title"), find("created_at"), find("url"));
    let known = [Some(person), Some(context), Some(text), title, created, url];
    let mut rows = Vec::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| lines.line_at(p.byte())).unwrap_or(0);
                errors.push(RowError::new(line, None, format!("malformed CSV: {e}")));
                if errors.len() > 1000 {
                    break;
                }
                continue;
            }
        }
        let line = rec.position().map(|p| lines.line_at(p.byte())).unwrap_or(0);
        if rec.len() == 1 && rec.get(0).is_some_and(<[u8]>::is_empty) {
            continue;
        }
        if let Some(e) = crate::tidy::oversized(&rec, line, &names) {
            errors.push(e);
            continue;
        }
        if rec.len() != names.len() {
            errors.push(RowError::new(
                line,
                None,
                format!(
                    "expected {} fields as in the header, found {}",
                    names.len(),
                    rec.len()
                ),
            ));
            continue;
        }
        let mut fields = Vec::with_capacity(rec.len());
        let mut bad = false;
        for (i, raw) in rec.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(s) => fields.push(s),
                Err(_) => {
                    errors.push(RowError::new(
                        line,
                        Some(&names[i]),
                        "the field is not valid UTF-8 text",
                    ));
                    bad = true;
                    fields.push("");
                }
            }
        }
        if bad {
            continue;
        }
        let opt = |i: Option<usize>| {
            i.map(|i| fields[i].trim())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let mut metadata = Map::new();
        for (i, f) in fields.iter().enumerate() {
            if !known.contains(&Some(i)) && !f.is_empty() {
                metadata.insert(names[i].clone(), Value::String((*f).to_owned()));
            }
        }
        let row = ProfileRow {
            line,
            person: fields[person].trim().to_owned(),
            context: fields[context].trim().to_owned(),
            text: ProfileText {
                title: opt(title),
                text: fields[text].to_owned(),
                created_at: opt(created),
                url: opt(url),
                metadata,
            },
        };
        if check_row(&row, &mut errors) {
            rows.push(row);
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn check_row(row: &ProfileRow, errors: &mut Vec<RowError>) -> bool {
    let mut ok = true;
    for (col, v) in [("person", &row.person), ("context", &row.context)] {
        if v.is_empty() {
            errors.push(RowError::new(
                row.line,
                Some(col),
                format!("'{col}' is empty"),
            ));
            ok = false;
        }
    }
    if row.text.text.trim().is_empty() {
        errors.push(RowError::new(row.line, Some("text"), "'text' is empty"));
        ok = false;
    }
    ok
}

fn json_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn text_from_object(
    obj: &Map<String, Value>,
    line: u64,
    errors: &mut Vec<RowError>,
) -> Option<ProfileText> {
    let mut t = ProfileText::default();
    for (k, v) in obj {
        match k.to_ascii_lowercase().as_str() {
            "person" | "context" | "texts" => {}
            "text" => match v {
                Value::String(s) => t.text = s.clone(),
                _ => {
                    errors.push(RowError::new(line, Some("text"), "'text' must be a string"));
                    return None;
                }
            },
            "title" => t.title = json_string(v).filter(|s| !s.is_empty()),
            "created_at" => t.created_at = json_string(v).filter(|s| !s.is_empty()),
            "url" => t.url = json_string(v).filter(|s| !s.is_empty()),
            _ => {
                t.metadata.insert(k.clone(), v.clone());
            }
        }
    }
    Some(t)
}

fn parse_jsonl(bytes: &[u8]) -> std::result::Result<Vec<ProfileRow>, Vec<RowError>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(vec![RowError::new(1, None, "the file is empty")]);
    }
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = i as u64 + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.len() > MAX_RECORD_BYTES {
            errors.push(RowError::new(
                line,
                None,
                format!(
                    "the line holds {} bytes; a line may hold at most {MAX_RECORD_BYTES}",
                    raw.len()
                ),
            ));
            continue;
        }
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Ok(text) = std::str::from_utf8(raw) else {
            errors.push(RowError::new(
                line,
                None,
                "the line is not valid UTF-8 text",
            ));
            continue;
        };
        let obj = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(o)) => o,
            Ok(_) => {
                errors.push(RowError::new(line, None, "expected a JSON object"));
                continue;
            }
            Err(e) => {
                errors.push(RowError::new(
                    line,
                    None,
                    format!("invalid JSON at column {}: {e}", e.column()),
                ));
                continue;
            }
        };
        let get = |k: &str| {
            obj.iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| v)
        };
        let person = get("person").and_then(json_string).unwrap_or_default();
        let context = get("context").and_then(json_string).unwrap_or_default();
        let texts: Vec<ProfileText> = match get("texts") {
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::Object(o) => {
                            if let Some(t) = text_from_object(o, line, &mut errors) {
                                out.push(t);
                            }
                        }
                        Value::String(s) => out.push(ProfileText {
                            text: s.clone(),
                            ..Default::default()
                        }),
                        _ => errors.push(RowError::new(
                            line,
                            Some("texts"),
                            "each text must be an object or a string",
                        )),
                    }
                }
                out
            }
            Some(_) => {
                errors.push(RowError::new(
                    line,
                    Some("texts"),
                    "'texts' must be an array",
                ));
                continue;
            }
            None => text_from_object(&obj, line, &mut errors)
                .into_iter()
                .collect(),
        };
        if texts.is_empty() {
            errors.push(RowError::new(line, Some("text"), "the profile has no text"));
            continue;
        }
        for text in texts {
            let row = ProfileRow {
                line,
                person: person.clone(),
                context: context.clone(),
                text,
            };
            if check_row(&row, &mut errors) {
                rows.push(row);
            }
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn text_hash(t: &ProfileText) -> String {
    let mut h = blake3::Hasher::new();
    for part in [
        t.title.as_deref(),
        Some(t.text.as_str()),
        t.created_at.as_deref(),
        t.url.as_deref(),
    ] {
        let s = part.unwrap_or("\u{0}");
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    }
    h.finalize().to_hex()[..32].to_string()
}

/// A `(id, name UNIQUE)` table's lookup and insert.
struct NameTable {
    select: &'static str,
    insert: &'static str,
}

const PERSON: NameTable = NameTable {
    select: "SELECT id FROM person WHERE name = ?1",
    insert: "INSERT INTO person (name) VALUES (?1)",
};

const CONTEXT: NameTable = NameTable {
    select: "SELECT id FROM context WHERE name = ?1",
    insert: "INSERT INTO context (name) VALUES (?1)",
};

/// Id of the named row in a `(id, name UNIQUE)` table, inserting it when absent; `known_new`
/// when the caller knows it is absent (no lookup).
fn intern(
    conn: &Connection,
    table: &NameTable,
    name: &str,
    cache: &mut FxMap<String, i64>,
    known_new: bool,
) -> Result<i64> {
    if let Some(&id) = cache.get(name) {
        return Ok(id);
    }
    let id: Option<i64> = match known_new {
        true => None,
        false => conn
            .prepare_cached(table.select)?
            .query_row([name], |r| r.get(0))
            .optional()?,
    };
    let id = match id {
        Some(id) => id,
        None => {
            conn.prepare_cached(table.insert)?.execute([name])?;
            conn.last_insert_rowid()
        }
    };
    cache.insert(name.to_owned(), id);
    Ok(id)
}

/// Id of the profile of `person` in `context`, creating it (and them) when absent. One
/// interner makes all of its transaction's persons, contexts and profiles.
pub(crate) struct ProfileInterner {
    persons: FxMap<String, i64>,
    contexts: FxMap<String, i64>,
    profiles: FxMap<(i64, i64), (i64, bool)>,
    /// Whether the person, context and profile tables were empty when first used: then what
    /// the maps above lack is not in the table either, and is inserted without a lookup (the
    /// study a lab imports its ratings into first has none).
    empty: Option<[bool; 3]>,
    pub created: usize,
}

impl ProfileInterner {
    pub(crate) fn new() -> Self {
        ProfileInterner {
            persons: FxMap::default(),
            contexts: FxMap::default(),
            profiles: FxMap::default(),
            empty: None,
            created: 0,
        }
    }

    fn empty(&mut self, conn: &Connection) -> Result<[bool; 3]> {
        if let Some(e) = self.empty {
            return Ok(e);
        }
        let e = conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM person), NOT EXISTS (SELECT 1 FROM context),
                    NOT EXISTS (SELECT 1 FROM profile)",
            [],
            |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?]),
        )?;
        self.empty = Some(e);
        Ok(e)
    }

    pub(crate) fn get(&mut self, conn: &Connection, person: &str, context: &str) -> Result<i64> {
        let [no_persons, no_contexts, no_profiles] = self.empty(conn)?;
        let p = intern(conn, &PERSON, person, &mut self.persons, no_persons)?;
        let c = intern(conn, &CONTEXT, context, &mut self.contexts, no_contexts)?;
        if let Some(&(id, _)) = self.profiles.get(&(p, c)) {
            return Ok(id);
        }
        let id: Option<i64> = match no_profiles {
            true => None,
            false => conn
                .prepare_cached("SELECT id FROM profile WHERE person_id = ?1 AND context_id = ?2")?
                .query_row(params![p, c], |r| r.get(0))
                .optional()?,
        };
        let (id, new) = match id {
            Some(id) => (id, false),
            None => {
                conn.prepare_cached("INSERT INTO profile (person_id, context_id) VALUES (?1, ?2)")?
                    .execute(params![p, c])?;
                self.created += 1;
                (conn.last_insert_rowid(), true)
            }
        };
        self.profiles.insert((p, c), (id, new));
        Ok(id)
    }
}

impl Study {
    /// Imports profiles from a CSV or JSONL file (all or nothing).
    pub fn import_profiles(&mut self, path: &Path) -> Result<ImportReport> {
        let input = crate::tidy::Input::read(path)?;
        // A columnar file arrives as CSV: sniff nothing from its name.
        let hint = if input.is_columnar() {
            Path::new("profiles.csv")
        } else {
            path
        };
        let mut rows = parse_profiles(&path.display().to_string(), hint, &input.bytes)
            .map_err(|e| input.relabel(e))?;
        for row in &mut rows {
            row.line = input.line(row.line);
        }
        self.prepare_bulk_write("import profiles")?.take()?;
        let now = self.now();
        let actor = self.actor().to_owned();
        let tx = self.write("importing profiles")?;
        let mut report = ImportReport {
            kind: "profiles".into(),
            source: file_name(path),
            ..Default::default()
        };
        let mut interner = ProfileInterner::new();
        let mut next_pos: HashMap<i64, i64> = HashMap::new();
        for row in &rows {
            let pid = interner.get(&tx, &row.person, &row.context)?;
            let pos = match next_pos.get(&pid) {
                Some(&p) => p,
                None => tx
                    .prepare_cached("SELECT COALESCE(MAX(position), -1) + 1 FROM profile_text WHERE profile_id = ?1")?
                    .query_row([pid], |r| r.get(0))?,
            };
            let t = &row.text;
            let meta = if t.metadata.is_empty() {
                None
            } else {
                Some(Value::Object(t.metadata.clone()).to_string())
            };
            let inserted = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO profile_text
                       (profile_id, position, title, body, created_at, url, metadata, content_hash)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    pid,
                    pos,
                    t.title,
                    t.text,
                    t.created_at,
                    t.url,
                    meta,
                    text_hash(t)
                ])?;
            if inserted == 1 {
                report.added += 1;
                next_pos.insert(pid, pos + 1);
            } else {
                report.unchanged += 1;
                next_pos.insert(pid, pos);
            }
        }
        if interner.created > 0 {
            report
                .notices
                .push(format!("{} new profile(s)", interner.created));
        }
        if report.added > 0 {
            log_import(&tx, &actor, "profiles", &report, now)?;
        }
        tx.commit()?;
        Ok(report)
    }
}

pub(crate) fn log_import(
    conn: &Connection,
    actor: &str,
    kind: &str,
    report: &ImportReport,
    now: i64,
) -> Result<()> {
    crate::store::audit::audit(
        conn,
        now,
        actor,
        &format!("import-{kind}"),
        &serde_json::json!({"file": report.source, "added": report.added, "updated": report.updated,
                            "unchanged": report.unchanged}),
        None,
    )?;
    conn.execute(
        "INSERT INTO import_log (kind, source, at, summary) VALUES (?1, ?2, ?3, ?4)",
        params![kind, report.source, now, report.to_string()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_metadata_and_lines() {
        let src =
            b"person,context,text,title,subreddit\np1,c1,\"hello\nthere\",T,r/x\np1,c1,second,,\n";
        let rows = parse_csv(src).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].text.metadata.get("subreddit"),
            Some(&Value::String("r/x".into()))
        );
        assert_eq!(
            rows[1].line, 4,
            "the quoted newline pushes the second row to line 4"
        );
    }

    #[test]
    fn jsonl_errors_name_lines() {
        let src = b"{\"person\":\"p\",\"context\":\"c\",\"text\":\"t\"}\n{broken\n{\"person\":\"p\",\"context\":\"c\"}\n";
        let e = parse_jsonl(src).unwrap_err();
        assert_eq!(e.iter().map(|x| x.line).collect::<Vec<_>>(), vec![2, 3]);
    }
}
