//! Gold profiles and attention checks: profiles whose value on a dimension is known (a gold
//! standard, or an attention check whose answer the material states), and each rater's
//! accuracy on them, for the PI's review.

use super::Study;
use crate::error::{CoreError, Result, RowError};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::path::Path;

/// What a known value is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GoldKind {
    /// A gold-standard value (an expert's, a consensus).
    Gold,
    /// An attention check: the material itself tells the answer.
    Attention,
}

impl GoldKind {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            GoldKind::Gold => "gold",
            GoldKind::Attention => "attention",
        }
    }

    /// The kind named `s` (`gold`, `attention`; blank is gold).
    pub fn parse(s: &str) -> Option<GoldKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "gold" => Some(GoldKind::Gold),
            "attention" | "attention_check" | "check" => Some(GoldKind::Attention),
            _ => None,
        }
    }
}

/// One rater's accuracy on the known values of one kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoldAccuracy {
    /// The rater.
    pub rater: String,
    /// `gold` or `attention`.
    pub kind: String,
    /// Known values there are of this kind.
    pub items: i64,
    /// How many of them the rater rated (a value; "can't judge" is not one).
    pub rated: i64,
    /// Of those, how many equal the known value.
    pub exact: i64,
    /// `exact / rated`; `None` before the rater rated any.
    pub accuracy: Option<f64>,
    /// Mean absolute difference from the known value; `None` before the rater rated any.
    pub mean_abs_error: Option<f64>,
}

impl Study {
    /// Marks the value of `dimension` on a profile as known (replacing an earlier one), after
    /// checking it against the dimension's scale; audited as a PI action.
    pub fn set_gold(
        &mut self,
        profile_id: i64,
        dimension: &str,
        value: f64,
        kind: GoldKind,
    ) -> Result<()> {
        let now = self.now();
        let actor = self.actor().to_owned();
        let tx = self.write("marking a gold value")?;
        let label = profile_label(&tx, profile_id)?;
        put_gold(&tx, profile_id, dimension, value, kind, now).map_err(CoreError::Invalid)?;
        super::audit::audit(
            &tx,
            now,
            &actor,
            "gold",
            &serde_json::json!({"profile": label, "dimension": dimension, "value": value, "kind": kind.as_str()}),
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Imports known values from a CSV with the columns `person,context,dimension,value` and
    /// an optional `kind` (`gold` or `attention`). All or nothing: any bad row refuses the
    /// file with every bad row's line and column.
    pub fn import_gold(&mut self, path: &Path) -> Result<usize> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| CoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(bytes.as_slice());
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| CoreError::input(&name, vec![RowError::new(1, None, e.to_string())]))?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let col = |n: &str| headers.iter().position(|h| h == n);
        let (Some(pc), Some(cc), Some(dc), Some(vc)) = (
            col("person"),
            col("context"),
            col("dimension"),
            col("value"),
        ) else {
            return Err(CoreError::input(
                &name,
                vec![RowError::new(
                    1,
                    None,
                    "the header needs the columns person, context, dimension and value",
                )],
            ));
        };
        let kc = col("kind");
        let now = self.now();
        let actor = self.actor().to_owned();
        let tx = self.write("importing gold values")?;
        let mut errors = Vec::new();
        let mut n = 0;
        for (i, rec) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    errors.push(RowError::new(line, None, e.to_string()));
                    continue;
                }
            };
            let get = |c: usize| rec.get(c).unwrap_or("").trim();
            let profile: Option<i64> = tx
                .query_row(
                    "SELECT p.id FROM profile p JOIN person pe ON pe.id = p.person_id
                       JOIN context c ON c.id = p.context_id WHERE pe.name = ?1 AND c.name = ?2",
                    params![get(pc), get(cc)],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(profile) = profile else {
                errors.push(RowError::new(
                    line,
                    Some("person"),
                    format!("no profile of '{}' in '{}'", get(pc), get(cc)),
                ));
                continue;
            };
            let Ok(value) = get(vc).parse::<f64>() else {
                errors.push(RowError::new(line, Some("value"), "not a number"));
                continue;
            };
            let kind = match kc.map(get).map(GoldKind::parse) {
                None => GoldKind::Gold,
                Some(Some(k)) => k,
                Some(None) => {
                    errors.push(RowError::new(
                        line,
                        Some("kind"),
                        "the kind is gold or attention",
                    ));
                    continue;
                }
            };
            match put_gold(&tx, profile, get(dc), value, kind, now) {
                Ok(()) => n += 1,
                Err(m) => errors.push(RowError::new(line, Some("dimension"), m)),
            }
        }
        if !errors.is_empty() {
            return Err(CoreError::input(&name, errors));
        }
        super::audit::audit(
            &tx,
            now,
            &actor,
            "gold",
            &serde_json::json!({"imported": n, "file": name}),
            None,
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Per rater (humans and models, by name) and kind, how they did on the known values.
    pub fn gold_accuracy(&self) -> Result<Vec<GoldAccuracy>> {
        let mut st = self.conn().prepare(
            "WITH items AS (SELECT kind, COUNT(*) AS n FROM gold_value GROUP BY kind)
             SELECT t.name, g.kind, items.n, COUNT(r.value),
                    SUM(CASE WHEN r.value = g.value THEN 1 ELSE 0 END),
                    AVG(ABS(r.value - g.value))
               FROM gold_value g JOIN items ON items.kind = g.kind
               JOIN rating r ON r.profile_id = g.profile_id AND r.dimension_id = g.dimension_id
               JOIN rater t ON t.id = r.rater_id
              WHERE r.value IS NOT NULL AND t.kind IN ('human', 'model')
              GROUP BY t.id, g.kind ORDER BY t.name, g.kind",
        )?;
        let rows = st
            .query_map([], |r| {
                let rated: i64 = r.get(3)?;
                let exact: i64 = r.get::<_, Option<i64>>(4)?.unwrap_or(0);
                Ok(GoldAccuracy {
                    rater: r.get(0)?,
                    kind: r.get(1)?,
                    items: r.get(2)?,
                    rated,
                    exact,
                    accuracy: (rated > 0).then(|| exact as f64 / rated as f64),
                    mean_abs_error: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Removes the known values of a profile (of one dimension, or all of them); audited as a
    /// PI action. The number of values removed (0 when it had none).
    pub fn clear_gold(&mut self, profile_id: i64, dimension: Option<&str>) -> Result<usize> {
        let now = self.now();
        let actor = self.actor().to_owned();
        let tx = self.write("removing a gold mark")?;
        let label = profile_label(&tx, profile_id)?;
        let n = match dimension {
            Some(d) => tx.execute(
                "DELETE FROM gold_value WHERE profile_id = ?1
                   AND dimension_id = (SELECT id FROM dimension WHERE name = ?2)",
                params![profile_id, d],
            )?,
            None => tx.execute("DELETE FROM gold_value WHERE profile_id = ?1", [profile_id])?,
        };
        if n > 0 {
            super::audit::audit(
                &tx,
                now,
                &actor,
                "gold",
                &serde_json::json!({"removed": n, "profile": label, "dimension": dimension}),
                None,
            )?;
        }
        tx.commit()?;
        Ok(n)
    }

    /// Every known value, profile by profile (for the PI's list of marks).
    pub fn gold_marks(&self) -> Result<Vec<GoldMark>> {
        let mut st = self.conn().prepare(
            "SELECT g.profile_id, pe.name, c.name, d.name, g.value, g.kind
               FROM gold_value g JOIN profile p ON p.id = g.profile_id
               JOIN person pe ON pe.id = p.person_id JOIN context c ON c.id = p.context_id
               JOIN dimension d ON d.id = g.dimension_id
              ORDER BY pe.name, c.name, d.position, d.id",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(GoldMark {
                    profile_id: r.get(0)?,
                    person: r.get(1)?,
                    context: r.get(2)?,
                    dimension: r.get(3)?,
                    value: r.get(4)?,
                    kind: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The profiles the statistics leave out because their values are known, named
    /// `person/context` (the dataset's profile label), gold and attention checks apart.
    pub fn known_left_out(&self) -> Result<crate::dataset::KnownLeftOut> {
        let mut st = self.conn().prepare_cached(
            "SELECT pe.name || '/' || c.name, MAX(g.kind = 'attention')
               FROM gold_value g JOIN profile p ON p.id = g.profile_id
               JOIN person pe ON pe.id = p.person_id JOIN context c ON c.id = p.context_id
              GROUP BY g.profile_id ORDER BY pe.name, c.name",
        )?;
        let mut out = crate::dataset::KnownLeftOut::default();
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
        for row in rows {
            let (name, attention) = row?;
            if attention {
                out.attention.push(name);
            } else {
                out.gold.push(name);
            }
        }
        Ok(out)
    }

    /// How many known values the study has (gold and attention checks together).
    pub fn gold_count(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT COUNT(*) FROM gold_value", [], |r| r.get(0))?)
    }
}

/// One known value of a profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GoldMark {
    /// The profile.
    pub profile_id: i64,
    /// Its person.
    pub person: String,
    /// Its context.
    pub context: String,
    /// The dimension whose value is known.
    pub dimension: String,
    /// The known value.
    pub value: f64,
    /// `gold` or `attention`.
    pub kind: String,
}

/// `person/context` of a profile, for the audit trail; an error naming it when absent.
fn profile_label(conn: &rusqlite::Connection, profile_id: i64) -> Result<String> {
    conn.query_row(
        "SELECT pe.name || '/' || c.name FROM profile p JOIN person pe ON pe.id = p.person_id
           JOIN context c ON c.id = p.context_id WHERE p.id = ?1",
        [profile_id],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| CoreError::Invalid(format!("no profile {profile_id}")))
}

/// Stores one known value; the error is the sentence for the user.
fn put_gold(
    conn: &rusqlite::Connection,
    profile_id: i64,
    dimension: &str,
    value: f64,
    kind: GoldKind,
    now: i64,
) -> std::result::Result<(), String> {
    let dim: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, scale FROM dimension WHERE name = ?1",
            [dimension],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| e.to_string())?;
    let Some((dim_id, scale)) = dim else {
        return Err(format!("no dimension named '{dimension}'"));
    };
    let scale: crate::model::Scale =
        serde_json::from_str(&scale).map_err(|e| format!("stored scale is unreadable: {e}"))?;
    scale
        .check(value)
        .map_err(|m| format!("{dimension}: {m}"))?;
    conn.execute(
        "INSERT INTO gold_value (profile_id, dimension_id, value, kind, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (profile_id, dimension_id) DO UPDATE SET value = ?3, kind = ?4, created_at = ?5",
        params![profile_id, dim_id, value, kind.as_str(), now],
    )
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => format!("no profile {profile_id}"),
        _ => e.to_string(),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RaterKind;
    use crate::store::RatingInput;

    #[test]
    fn accuracy_on_gold_and_attention_checks_per_rater() {
        let dir = tempfile::tempdir().unwrap();
        let files = crate::sample::demo(3, 4);
        let mut s = Study::create(&dir.path().join("s.db")).unwrap();
        std::fs::write(dir.path().join("p.jsonl"), &files.profiles_jsonl).unwrap();
        std::fs::write(dir.path().join("c.toml"), &files.codebook_toml).unwrap();
        s.import_profiles(&dir.path().join("p.jsonl")).unwrap();
        s.import_codebook(&dir.path().join("c.toml")).unwrap();
        let ids: Vec<i64> = s
            .conn()
            .prepare("SELECT id FROM profile ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let (person, context): (String, String) = s
            .conn()
            .query_row(
                "SELECT pe.name, c.name FROM profile p JOIN person pe ON pe.id = p.person_id
                   JOIN context c ON c.id = p.context_id WHERE p.id = ?1",
                [ids[1]],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        s.set_gold(ids[0], "openness", 4.0, GoldKind::Gold).unwrap();
        let csv = dir.path().join("gold.csv");
        std::fs::write(
            &csv,
            format!(
                "person,context,dimension,value,kind\n{person},{context},openness,2,attention\n"
            ),
        )
        .unwrap();
        assert_eq!(s.import_gold(&csv).unwrap(), 1);
        // A bad file changes nothing and names its line and column.
        std::fs::write(
            &csv,
            format!("person,context,dimension,value\n{person},{context},openness,9\nnobody,x,openness,1\n"),
        )
        .unwrap();
        let err = s.import_gold(&csv).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("line 3"), "{err}");
        assert_eq!(s.gold_count().unwrap(), 2);
        assert!(s
            .set_gold(ids[0], "openness", 99.0, GoldKind::Gold)
            .is_err());

        let ana = s.ensure_rater("ana", RaterKind::Human).unwrap().id;
        let bob = s.ensure_rater("bob", RaterKind::Human).unwrap().id;
        let rate = |s: &mut Study, p: i64, r: i64, v: f64| {
            s.save_rating(&RatingInput {
                profile_id: p,
                dimension: "openness".into(),
                rater_id: r,
                value: Some(v),
                seconds_spent: None,
                note: None,
                confidence: None,
            })
            .unwrap();
        };
        rate(&mut s, ids[0], ana, 4.0);
        rate(&mut s, ids[1], ana, 3.0);
        rate(&mut s, ids[0], bob, 1.0);
        s.save_cant_judge(ids[1], "openness", bob, None).unwrap();
        let acc = s.gold_accuracy().unwrap();
        let row = |r: &str, k: &str| acc.iter().find(|a| a.rater == r && a.kind == k).cloned();
        let a = row("ana", "gold").unwrap();
        assert_eq!(
            (a.items, a.rated, a.exact, a.accuracy),
            (1, 1, 1, Some(1.0))
        );
        let a = row("ana", "attention").unwrap();
        assert_eq!((a.rated, a.exact, a.mean_abs_error), (1, 0, Some(1.0)));
        let b = row("bob", "gold").unwrap();
        assert_eq!((b.exact, b.mean_abs_error), (0, Some(3.0)));
        assert!(
            row("bob", "attention").is_none(),
            "can't judge is no answer"
        );
    }

    #[test]
    fn gold_and_attention_profiles_stay_out_of_the_statistics_and_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let files = crate::sample::demo(3, 4);
        let mut s = Study::create(&dir.path().join("s.db")).unwrap();
        std::fs::write(dir.path().join("p.jsonl"), &files.profiles_jsonl).unwrap();
        std::fs::write(dir.path().join("c.toml"), &files.codebook_toml).unwrap();
        std::fs::write(dir.path().join("r.csv"), &files.ratings_csv).unwrap();
        s.import_profiles(&dir.path().join("p.jsonl")).unwrap();
        s.import_codebook(&dir.path().join("c.toml")).unwrap();
        s.import_ratings(&dir.path().join("r.csv"), &Default::default())
            .unwrap();
        let before = s.dataset().unwrap();
        assert!(before.known_left_out.is_empty());
        let (gold, attention) = (0u32, 1u32);
        let id_of = |ds: &crate::dataset::Dataset, p: u32| -> i64 {
            let k = ds.profiles[p as usize];
            s.conn()
                .query_row(
                    "SELECT p.id FROM profile p JOIN person pe ON pe.id = p.person_id
                       JOIN context c ON c.id = p.context_id WHERE pe.name = ?1 AND c.name = ?2",
                    [
                        &ds.persons[k.person as usize],
                        &ds.contexts[k.context as usize],
                    ],
                    |r| r.get(0),
                )
                .unwrap()
        };
        let (g, a) = (id_of(&before, gold), id_of(&before, attention));
        let (gl, al) = (before.profile_label(gold), before.profile_label(attention));
        let on = |ds: &crate::dataset::Dataset, label: &str| -> usize {
            ds.dimensions
                .iter()
                .flat_map(|d| &d.observations)
                .filter(|o| ds.profile_label(o.profile) == label)
                .count()
        };
        assert!(on(&before, &gl) > 0 && on(&before, &al) > 0);
        s.set_gold(g, "openness", 3.0, GoldKind::Gold).unwrap();
        s.set_gold(a, "openness", 1.0, GoldKind::Attention).unwrap();
        let ds = s.dataset().unwrap();
        // No rating of either profile, of any dimension, is analysed.
        assert_eq!((on(&ds, &gl), on(&ds, &al)), (0, 0));
        assert_eq!(
            ds.rating_count(),
            before.rating_count() - on(&before, &gl) - on(&before, &al)
        );
        assert_eq!(ds.known_left_out.gold, vec![gl.clone()]);
        assert_eq!(ds.known_left_out.attention, vec![al.clone()]);
        assert_ne!(ds.content_hash(), before.content_hash());
        let said = ds.known_left_out.sentence().unwrap();
        assert!(
            said.starts_with("1 gold profile and 1 attention check left out") && said.contains(&gl),
            "{said}"
        );
        // The rater choice every output prints carries it.
        let mut pooled = ds.clone();
        let choice = crate::analysis::raters::select_raters(
            &mut pooled,
            &crate::analysis::raters::RaterSelection::all(),
        )
        .unwrap();
        assert!(choice.summary().contains(&said), "{}", choice.summary());
        // Accuracy is still computed on them, and removing the marks brings them back.
        assert!(!s.gold_accuracy().unwrap().is_empty());
        assert_eq!(s.gold_marks().unwrap().len(), 2);
        assert_eq!(s.clear_gold(g, None).unwrap(), 1);
        assert_eq!(s.clear_gold(a, Some("openness")).unwrap(), 1);
        let after = s.dataset().unwrap();
        assert_eq!(after.rating_count(), before.rating_count());
        assert_eq!(after.content_hash(), before.content_hash());
        let audit: i64 = s
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'gold'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audit, 4);
    }
}
