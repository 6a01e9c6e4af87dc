//! The study schema as an ordered list of forward migrations. A shipped migration is never
//! edited: changes come as a new entry at the end.

use rusqlite_migration::{Migrations, M};

/// `PRAGMA application_id` of a study file ("CHML"), so any other SQLite file is refused.
pub const APPLICATION_ID: i32 = 0x4348_4D4C;

const V1: &str = r#"
CREATE TABLE study_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE person (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE context (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE profile (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES person(id),
  context_id INTEGER NOT NULL REFERENCES context(id),
  UNIQUE (person_id, context_id)
) STRICT;

-- A profile's material; content_hash keeps re-imports from adding a text twice.
CREATE TABLE profile_text (
  id INTEGER PRIMARY KEY,
  profile_id INTEGER NOT NULL REFERENCES profile(id),
  position INTEGER NOT NULL,
  title TEXT,
  body TEXT NOT NULL,
  created_at TEXT,
  url TEXT,
  metadata TEXT,
  content_hash TEXT NOT NULL,
  UNIQUE (profile_id, content_hash)
) STRICT;

-- Every codebook the study has had; ratings point at the version they were made under.
CREATE TABLE codebook_version (
  version INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  content TEXT NOT NULL
) STRICT;

CREATE TABLE dimension (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  position INTEGER NOT NULL,
  label TEXT,
  definition TEXT NOT NULL DEFAULT '',
  scale TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('nominal', 'ordinal', 'interval', 'ratio')),
  inferred INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE rater (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('human', 'model', 'adjudicated')),
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE rating (
  id INTEGER PRIMARY KEY,
  profile_id INTEGER NOT NULL REFERENCES profile(id),
  dimension_id INTEGER NOT NULL REFERENCES dimension(id),
  rater_id INTEGER NOT NULL REFERENCES rater(id),
  -- NULL once a rater cleared (undid) it; the history keeps every earlier value.
  value REAL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  seconds_spent REAL,
  codebook_version INTEGER NOT NULL,
  note TEXT,
  confidence REAL,
  UNIQUE (profile_id, dimension_id, rater_id)
) STRICT;
-- "all ratings of dimension D"
CREATE INDEX rating_by_dimension ON rating (dimension_id, rater_id);
-- "what has rater X rated", for the next-unrated query
CREATE INDEX rating_by_rater ON rating (rater_id, profile_id);

-- Append-only: an edit adds a row here, nothing is deleted.
CREATE TABLE rating_history (
  id INTEGER PRIMARY KEY,
  rating_id INTEGER NOT NULL REFERENCES rating(id),
  old_value REAL,
  new_value REAL,
  changed_by INTEGER NOT NULL REFERENCES rater(id),
  changed_at INTEGER NOT NULL,
  source TEXT
) STRICT;
CREATE INDEX rating_history_by_rating ON rating_history (rating_id);

-- Which profiles a rater is to rate, in queue order.
CREATE TABLE assignment (
  rater_id INTEGER NOT NULL REFERENCES rater(id),
  profile_id INTEGER NOT NULL REFERENCES profile(id),
  position INTEGER NOT NULL,
  PRIMARY KEY (rater_id, profile_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX assignment_queue ON assignment (rater_id, position);

-- Per rater and profile: skipped/flagged for later, the optional note and confidence.
CREATE TABLE profile_review (
  rater_id INTEGER NOT NULL REFERENCES rater(id),
  profile_id INTEGER NOT NULL REFERENCES profile(id),
  flagged INTEGER NOT NULL DEFAULT 0,
  note TEXT,
  confidence REAL,
  seconds_spent REAL NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (rater_id, profile_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE import_log (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  source TEXT NOT NULL,
  at INTEGER NOT NULL,
  summary TEXT NOT NULL
) STRICT;
"#;

/// Team workflow: assignment designs, annotator packages, merges, and the audit trail.
const V2: &str = r#"
CREATE TABLE assignment_design (
  id INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  params TEXT NOT NULL
) STRICT;

-- Packages written for annotators; the checksum covers what the annotator must not change.
CREATE TABLE package_export (
  package_id TEXT PRIMARY KEY,
  rater_id INTEGER NOT NULL REFERENCES rater(id),
  created_at INTEGER NOT NULL,
  checksum TEXT NOT NULL,
  path TEXT NOT NULL
) STRICT;

CREATE TABLE package_merge (
  id INTEGER PRIMARY KEY,
  package_id TEXT NOT NULL REFERENCES package_export(package_id),
  merged_at INTEGER NOT NULL,
  added INTEGER NOT NULL,
  updated INTEGER NOT NULL
) STRICT;

-- Append-only: who did what, when, from which package.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL,
  package_id TEXT
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#;

/// Model runs (issue 14): a language model rating profiles through an OpenAI-compatible
/// endpoint. Each sample's answer is a row of `model_rating`; the model rater's row in `rating`
/// holds the samples' summary on the scale (median, or the mode for nominal dimensions), so
/// exports and merges see an ordinary rating.
const V3: &str = r#"
-- A prompt template, stored once whatever the number of runs that used it.
CREATE TABLE model_prompt (
  hash TEXT PRIMARY KEY,
  template TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE model_run (
  id INTEGER PRIMARY KEY,
  rater_id INTEGER NOT NULL REFERENCES rater(id),
  endpoint TEXT NOT NULL,
  model TEXT NOT NULL,
  prompt_hash TEXT NOT NULL REFERENCES model_prompt(hash),
  temperature REAL NOT NULL,
  samples INTEGER NOT NULL,
  seed INTEGER,
  max_tokens INTEGER,
  dimensions TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  -- 'interrupted': found still 'running' when the next run of its rater started (killed).
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'cancelled', 'failed', 'interrupted'))
) STRICT;

-- One answered request (one profile, one sample) with what the server said.
CREATE TABLE model_request (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES model_run(id),
  profile_id INTEGER NOT NULL REFERENCES profile(id),
  sample INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  raw_response TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX model_request_by_run ON model_request (run_id);

-- One sample's rating of one dimension: the rater's rating proper is the samples' summary.
CREATE TABLE model_rating (
  id INTEGER PRIMARY KEY,
  rater_id INTEGER NOT NULL REFERENCES rater(id),
  profile_id INTEGER NOT NULL REFERENCES profile(id),
  dimension_id INTEGER NOT NULL REFERENCES dimension(id),
  sample INTEGER NOT NULL,
  value REAL NOT NULL,
  request_id INTEGER NOT NULL REFERENCES model_request(id),
  UNIQUE (rater_id, profile_id, dimension_id, sample)
) STRICT;
CREATE INDEX model_rating_by_request ON model_rating (request_id);

-- An answer that was not usable after its retries: never a rating, kept with its raw text.
CREATE TABLE model_failure (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES model_run(id),
  profile_id INTEGER NOT NULL REFERENCES profile(id),
  -- NULL when the whole answer was unusable (not JSON, an HTTP error).
  dimension_id INTEGER REFERENCES dimension(id),
  sample INTEGER NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX model_failure_by_run ON model_failure (run_id);
"#;

/// The annotator's side (issue 15): "can't judge" stored as such, identity claims, and gold
/// profiles with known values.
const V4: &str = r#"
-- A rating row with value NULL and cant_judge = 1: the rater looked and could not judge the
-- dimension. No statistic reads it (they read values); reports count it.
ALTER TABLE rating ADD COLUMN cant_judge INTEGER NOT NULL DEFAULT 0 CHECK (cant_judge IN (0, 1));

-- Who claimed a rater's identity in this study: the installation that first rated as them.
-- Another installation takes it over only in the PI role, and that is audited.
CREATE TABLE rater_claim (
  rater_id INTEGER PRIMARY KEY REFERENCES rater(id),
  claimed_by TEXT NOT NULL,
  claimed_label TEXT NOT NULL,
  claimed_at INTEGER NOT NULL
) STRICT;

-- Known values of gold profiles ('gold') and attention checks ('attention').
CREATE TABLE gold_value (
  profile_id INTEGER NOT NULL REFERENCES profile(id),
  dimension_id INTEGER NOT NULL REFERENCES dimension(id),
  value REAL NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('gold', 'attention')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (profile_id, dimension_id)
) STRICT, WITHOUT ROWID;
"#;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(V1), M::up(V2), M::up(V3), M::up(V4)])
}

/// The schema version this build writes (`PRAGMA user_version` after migrating).
pub fn latest_version() -> i64 {
    4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_1_study_is_migrated_forward_with_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let mut c = rusqlite::Connection::open(&path).unwrap();
            c.pragma_update(None, "application_id", APPLICATION_ID)
                .unwrap();
            Migrations::new(vec![M::up(V1)]).to_latest(&mut c).unwrap();
            c.execute_batch(
                "INSERT INTO study_meta VALUES ('study_id', 'old');
                 INSERT INTO person (name) VALUES ('p1');
                 INSERT INTO context (name) VALUES ('c1');
                 INSERT INTO profile (person_id, context_id) VALUES (1, 1);",
            )
            .unwrap();
        }
        let s = crate::store::Study::open(&path).unwrap();
        let info = s.info().unwrap();
        assert_eq!(
            info.schema_version,
            latest_version(),
            "opening migrates forward"
        );
        assert_eq!(
            (info.profiles, info.study_id.as_str()),
            (1, "old"),
            "data survives the migration"
        );
        assert!(s.audit_log().unwrap().is_empty(), "the new tables exist");
    }

    #[test]
    fn migrations_are_valid() {
        assert!(
            super::migrations().validate().is_ok(),
            "every migration must apply to an empty db"
        );
    }
}
