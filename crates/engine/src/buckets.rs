//! Stage A's summaries gathered per dimension on the driver, in memory up to a limit and in
//! one spill file per dimension beyond it, so that stage B can take one dimension at a time
//! however the query's output was partitioned and ordered (and put its persons in order). (A sort of the
//! summaries inside the query would do the same, but merging its spilled runs needs memory
//! in proportion to their number, which a 100M-rating file exhausted at 512 MiB.)

use std::collections::BTreeMap;
use std::io::{Read, Write};

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

    /// Once every summary is pushed: when some were spilled already, spills the rest too, so
    /// that stage B, taking one dimension at a time, does not also hold up to the limit of
    /// the others' bytes. Small data, never spilled, stay in memory.
    pub(crate) fn finish(&mut self) -> std::io::Result<()> {
        if self.dir.is_some() && self.held > 0 {
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

    /// A dimension's summaries, removed from the buckets and passed to `each(person, bytes)`
    /// one record at a time, in the order they were pushed (the spill file's, then those
    /// held in memory): never the dimension's bytes at once, which at 100M ratings would be
    /// as large as the summaries decoded from them. `io` turns a read error into `each`'s.
    pub(crate) fn drain<E, F>(
        &mut self,
        dimension: &str,
        io: fn(std::io::Error) -> E,
        mut each: F,
    ) -> Result<(), E>
    where
        F: FnMut(u32, &[u8]) -> Result<(), E>,
    {
        if let (Some(n), Some(dir)) = (self.files.remove(dimension), &self.dir) {
            let path = dir.path().join(format!("{n}.bin"));
            let file = std::fs::File::open(&path).map_err(io)?;
            let mut file = std::io::BufReader::with_capacity(1 << 20, file);
            let mut record = Vec::new();
            while let Some(person) = read_record(&mut file, &mut record).map_err(io)? {
                each(person, &record)?;
            }
            drop(file);
            std::fs::remove_file(&path).map_err(io)?;
        }
        if let Some(held) = self.memory.remove(dimension) {
            self.held -= held.len().min(self.held);
            let mut rest = &held[..];
            let mut record = Vec::new();
            while let Some(person) = read_record(&mut rest, &mut record).map_err(io)? {
                each(person, &record)?;
            }
        }
        Ok(())
    }
}

/// The next `person, length, bytes` record into `record`; `None` at the end.
fn read_record(from: &mut impl Read, record: &mut Vec<u8>) -> std::io::Result<Option<u32>> {
    let mut head = [0u8; 8];
    match from.read_exact(&mut head[..1]) {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        r => r?,
    }
    let truncated = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => std::io::Error::other("a truncated summary record"),
        _ => e,
    };
    from.read_exact(&mut head[1..]).map_err(truncated)?;
    let person = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
    let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
    record.clear();
    record.resize(len, 0);
    from.read_exact(record).map_err(truncated)?;
    Ok(Some(person))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Spilled or not, a dimension comes back whole, once.
    #[test]
    fn summaries_come_back_by_dimension_in_person_order_spilled_or_not() {
        for limit in [usize::MAX, 0, 25] {
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
            b.finish().unwrap();
            // Unspilled data stay in memory (5 records of 8 + 7 bytes); once spilled, none does
            // (at 25, the last two records are held until `finish`).
            assert_eq!(
                b.held,
                if limit == usize::MAX { 47 } else { 0 },
                "limit {limit}"
            );
            assert_eq!(b.dimensions(), ["d1", "d2"]);
            let drained = |b: &mut Buckets, d: &str| {
                let mut got: Vec<(u32, Vec<u8>)> = Vec::new();
                b.drain(
                    d,
                    |e| e,
                    |p, bytes| {
                        got.push((p, bytes.to_vec()));
                        Ok(())
                    },
                )
                .unwrap();
                got.sort();
                got
            };
            let d1 = drained(&mut b, "d1");
            assert_eq!(
                d1,
                [
                    (1, b"a".to_vec()),
                    (2, b"bb".to_vec()),
                    (3, b"ccc".to_vec())
                ],
                "limit {limit}"
            );
            let d2 = drained(&mut b, "d2");
            assert_eq!(d2, [(0, Vec::new()), (5, b"e".to_vec())], "limit {limit}");
            assert!(drained(&mut b, "d1").is_empty(), "taken once");
            assert!(drained(&mut b, "d3").is_empty());
        }
    }

    #[test]
    fn a_truncated_record_is_an_error_not_an_end() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&7u32.to_le_bytes());
        bytes.extend_from_slice(&3u32.to_le_bytes());
        bytes.extend_from_slice(b"abc");
        let mut record = Vec::new();
        assert_eq!(read_record(&mut &bytes[..], &mut record).unwrap(), Some(7));
        assert_eq!(record, b"abc");
        assert_eq!(read_record(&mut &b""[..], &mut record).unwrap(), None);
        for cut in [1, 6, 9] {
            let e = read_record(&mut &bytes[..cut], &mut record).unwrap_err();
            assert!(e.to_string().contains("truncated"), "cut at {cut}: {e}");
        }
    }
}
