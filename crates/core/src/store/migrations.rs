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

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(V1)])
}

/// The schema version this build writes (`PRAGMA user_version` after migrating).
pub fn latest_version() -> i64 {
    1
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(
            super::migrations().validate().is_ok(),
            "every migration must apply to an empty db"
        );
    }
}
