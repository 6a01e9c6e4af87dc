//! Stage A's summaries gathered per dimension on the driver, in memory up to a limit and in
//! one spill file per dimension beyond it, so that stage B can take one dimension at a time
//! in person order however the query's output was partitioned and ordered. (A sort of the
//! summaries inside the query would do the same, but merging its spilled runs needs memory
//! in proportion to their number, which a 100M-rating file exhausted at 512 MiB.)

use std::collections::BTreeMap;
use std::io::{Read, Write};

/// A dimension's summaries: the bytes and, in rank order, each person's rank and the range
/// of its summary in them.
pub(crate) type Taken = (Vec<u8>, Vec<(u32, std::ops::Range<usize>)>);

/// Per dimension: records `person (u32), length (u32), summary bytes`.
pub(crate) struct Buckets {
    limit: usize,
    held: usize,
    memory: BTreeMap<String, Vec<u8>>,
    /// Dimensions with a spill file, and its number.
    files: BTreeMap<String, usize>,
    dir: Option<tempfile::TempDir>,
}

impl Buckets {
    /// Holds up to `limit` bytes of summaries in memory.
    pub(crate) fn new(limit: usize) -> Self {
        Buckets {
            limit,
            held: 0,
            memory: BTreeMap::new(),
            files: BTreeMap::new(),
            dir: None,
        }
    }

    pub(crate) fn push(
        &mut self,
        dimension: &str,
        person: u32,
        summary: &[u8],
    ) -> std::io::Result<()> {
        let bucket = match self.memory.get_mut(dimension) {
            Some(b) => b,
            None => self.memory.entry(dimension.to_owned()).or_default(),
        };
        let len = u32::try_from(summary.len())
            .map_err(|_| std::io::Error::other("a person's summary over 4 GiB"))?;
        bucket.extend_from_slice(&person.to_le_bytes());
        bucket.extend_from_slice(&len.to_le_bytes());
        bucket.extend_from_slice(summary);
        self.held += 8 + summary.len();
        if self.held > self.limit {
            self.spill()?;
        }
        Ok(())
    }

    /// Appends every bucket held in memory to its dimension's file.
    fn spill(&mut self) -> std::io::Result<()> {
        if self.dir.is_none() {
            self.dir = Some(
                tempfile::Builder::new()
                    .prefix("chameleon-summaries")
                    .tempdir()?,
            );
        }
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        for (dimension, bytes) in &mut self.memory {
            if bytes.is_empty() {
                continue;
            }
            let n = match self.files.get(dimension) {
                Some(&n) => n,
                None => {
                    let n = self.files.len();
                    self.files.insert(dimension.clone(), n);
                    n
                }
            };
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.path().join(format!("{n}.bin")))?;
            f.write_all(bytes)?;
            bytes.clear();
            bytes.shrink_to_fit();
        }
        self.held = 0;
        Ok(())
    }

    /// The dimensions that have summaries, in name order.
    pub(crate) fn dimensions(&self) -> Vec<String> {
        let mut names: Vec<String> = self.memory.keys().cloned().collect();
        names.extend(
            self.files
                .keys()
                .filter(|d| !self.memory.contains_key(*d))
                .cloned(),
        );
        names.sort();
        names
    }

    /// A dimension's summaries, removed from the buckets: the bytes and, ordered by
    /// `rank[person]`, each person's rank and the range of its summary in them.
    pub(crate) fn take(&mut self, dimension: &str, rank: &[u32]) -> std::io::Result<Taken> {
        let mut bytes = Vec::new();
        if let (Some(n), Some(dir)) = (self.files.remove(dimension), &self.dir) {
            std::fs::File::open(dir.path().join(format!("{n}.bin")))?.read_to_end(&mut bytes)?;
            std::fs::remove_file(dir.path().join(format!("{n}.bin")))?;
        }
        if let Some(held) = self.memory.remove(dimension) {
            self.held -= held.len().min(self.held);
            bytes.extend_from_slice(&held);
        }
        let mut index = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let word = |i: usize| -> std::io::Result<u32> {
                bytes
                    .get(i..i + 4)
                    .and_then(|b| b.try_into().ok())
                    .map(u32::from_le_bytes)
                    .ok_or_else(|| std::io::Error::other("a truncated summary record"))
            };
            let (person, len) = (word(at)?, word(at + 4)? as usize);
            let start = at + 8;
            if start + len > bytes.len() {
                return Err(std::io::Error::other("a truncated summary record"));
            }
            let ranked = rank
                .get(person as usize)
                .copied()
                .ok_or_else(|| std::io::Error::other("a summary of an unknown person"))?;
            index.push((ranked, start..start + len));
            at = start + len;
        }
        index.sort_by_key(|(person, _)| *person);
        Ok((bytes, index))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Spilled or not, a dimension comes back whole and in person order.
    #[test]
    fn summaries_come_back_by_dimension_in_person_order_spilled_or_not() {
        for limit in [usize::MAX, 0, 40] {
            let mut b = Buckets::new(limit);
            let rows = [
                ("d2", 5, "e"),
                ("d1", 3, "ccc"),
                ("d1", 1, "a"),
                ("d2", 0, ""),
                ("d1", 2, "bb"),
            ];
            for (d, p, s) in rows {
                b.push(d, p, s.as_bytes()).unwrap();
            }
            assert_eq!(b.dimensions(), ["d1", "d2"]);
            // Ids as pushed, ranks as taken: the identity except persons 2 and 3 swapped.
            let rank = [0, 1, 3, 2, 4, 5];
            let (bytes, index) = b.take("d1", &rank).unwrap();
            let got: Vec<(u32, &[u8])> =
                index.iter().map(|(p, r)| (*p, &bytes[r.clone()])).collect();
            assert_eq!(
                got,
                [(1, &b"a"[..]), (2, b"ccc"), (3, b"bb")],
                "limit {limit}"
            );
            let (bytes, index) = b.take("d2", &rank).unwrap();
            let got: Vec<(u32, &[u8])> =
                index.iter().map(|(p, r)| (*p, &bytes[r.clone()])).collect();
            assert_eq!(got, [(0, &b""[..]), (5, b"e")], "limit {limit}");
            assert!(b.take("d3", &rank).unwrap().1.is_empty());
        }
    }
}
