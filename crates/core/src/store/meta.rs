//! The study's own name: what the app shows in its header and in Recent. Given by the PI
//! (a rename, audited), else the codebook's `name`, else the file's name.

use super::Study;
use crate::error::{CoreError, Result};
use rusqlite::OptionalExtension;

/// `study_meta` key of the name the PI gave the study.
const NAME_KEY: &str = "name";

/// Longest name accepted (a header, a list entry).
pub const MAX_NAME_CHARS: usize = 120;

impl Study {
    /// The name the PI gave the study, if any.
    pub fn given_name(&self) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM study_meta WHERE key = ?1",
                [NAME_KEY],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The name to show: the given one, else the codebook's `name`, else the file's name
    /// without its extension.
    pub fn display_name(&self) -> Result<String> {
        if let Some(n) = self.given_name()? {
            return Ok(n);
        }
        if let Some(n) = self
            .codebook()?
            .and_then(|c| c.name)
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
        {
            return Ok(n);
        }
        Ok(crate::app::team::study_name(self.path()))
    }

    /// Names the study (the file keeps its name); audited as the PI's action. A blank name, one
    /// longer than [`MAX_NAME_CHARS`] or with control characters is refused.
    pub fn rename(&mut self, name: &str) -> Result<String> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CoreError::Invalid(
                "the study's name cannot be empty".into(),
            ));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(CoreError::Invalid(format!(
                "the study's name is longer than {MAX_NAME_CHARS} characters"
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(CoreError::Invalid(
                "the study's name cannot hold control characters (a line break, a tab)".into(),
            ));
        }
        let before = self.display_name()?;
        let now = self.now();
        let actor = self.actor().to_owned();
        let tx = self.write("renaming the study")?;
        tx.execute(
            "INSERT INTO study_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [NAME_KEY, name],
        )?;
        super::audit::audit(
            &tx,
            now,
            &actor,
            "rename",
            &serde_json::json!({"from": before, "to": name}),
            None,
        )?;
        tx.commit()?;
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_given_else_the_codebooks_else_the_files_and_a_rename_is_audited() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Study::create(&dir.path().join("pilot-3.db")).unwrap();
        assert_eq!(s.display_name().unwrap(), "pilot-3");
        let files = crate::sample::demo(1, 3);
        std::fs::write(dir.path().join("c.toml"), &files.codebook_toml).unwrap();
        s.import_codebook(&dir.path().join("c.toml")).unwrap();
        let from_codebook = s.codebook().unwrap().unwrap().name.unwrap();
        assert_eq!(s.display_name().unwrap(), from_codebook);
        assert!(s.rename("  ").is_err());
        assert!(s.rename("a\nb").is_err());
        assert!(s.rename(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert_eq!(
            s.rename("  Warmth pilot, spring ").unwrap(),
            "Warmth pilot, spring"
        );
        assert_eq!(s.display_name().unwrap(), "Warmth pilot, spring");
        let detail: String = s
            .conn()
            .query_row(
                "SELECT detail FROM audit_log WHERE action = 'rename'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&detail).unwrap();
        assert_eq!(v["from"], from_codebook.as_str());
        assert_eq!(v["to"], "Warmth pilot, spring");
        drop(s);
        let s = Study::open_read_only(&dir.path().join("pilot-3.db")).unwrap();
        assert_eq!(
            s.display_name().unwrap(),
            "Warmth pilot, spring",
            "stored in the file"
        );
    }
}
