use chameleon_core::Study;
use rusqlite::types::ValueRef;
use std::path::{Path, PathBuf};

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).expect("write fixture file");
        p
    }

    /// A study with the demo codebook and a handful of profiles.
    pub fn demo_study(&self, persons: usize) -> (PathBuf, Study) {
        let files = chameleon_core::sample::demo(3, persons);
        let p = self.path("study.db");
        let mut s = Study::create(&p).expect("create study");
        s.import_profiles(&self.write("profiles.jsonl", &files.profiles_jsonl))
            .expect("profiles");
        s.import_codebook(&self.write("codebook.toml", &files.codebook_toml))
            .expect("codebook");
        self.write("ratings.csv", &files.ratings_csv);
        (p, s)
    }
}

/// Every row of every table, as sorted text: equal dumps mean an unchanged study.
pub fn dump(path: &Path) -> String {
    let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open for dump");
    let mut tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.sort();
    let mut out = String::new();
    let v: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    out.push_str(&format!("user_version {v}\n"));
    for t in tables {
        let mut st = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = st.column_count();
        let mut rows: Vec<String> = st
            .query_map([], |r| {
                let mut s = String::new();
                for i in 0..n {
                    match r.get_ref(i)? {
                        ValueRef::Null => s.push_str("NULL|"),
                        ValueRef::Integer(x) => s.push_str(&format!("{x}|")),
                        ValueRef::Real(x) => s.push_str(&format!("{x}|")),
                        ValueRef::Text(x) => {
                            s.push_str(&format!("{}|", String::from_utf8_lossy(x)))
                        }
                        ValueRef::Blob(x) => s.push_str(&format!("{x:?}|")),
                    }
                }
                Ok(s)
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        out.push_str(&format!(
            "== {t} ({} rows)\n{}\n",
            rows.len(),
            rows.join("\n")
        ));
    }
    out
}
