//! Parquet reading and writing for [`super::arrow`]: record batches in and out, with the
//! codecs pandas/pyarrow, R arrow and polars write (snappy, zstd, lz4, gzip).

use crate::error::{CoreError, Result, RowError};
use arrow_array::builder::ArrayBuilder as _;
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// Reads every row group of a Parquet file.
pub(super) fn read_batches(
    name: &str,
    file: std::fs::File,
) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let bad = |e: String| {
        CoreError::input(
            name,
            vec![RowError::new(
                1,
                None,
                format!("not a readable Parquet file: {e}"),
            )],
        )
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(e.to_string()))?;
    let schema = builder.schema().clone();
    let reader = builder.build().map_err(|e| bad(e.to_string()))?;
    let batches = reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad(e.to_string()))?;
    Ok((schema, batches))
}

/// One batch as a Parquet file, snappy-compressed as pandas writes by default.
pub(super) fn write_batch(batch: &RecordBatch) -> std::result::Result<Vec<u8>, String> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut out = Vec::new();
    let mut w =
        ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).map_err(|e| e.to_string())?;
    w.write(batch).map_err(|e| e.to_string())?;
    w.close().map_err(|e| e.to_string())?;
    Ok(out)
}

/// Rows per row group of [`TidyParquetWriter`]: large enough for the readers' scans, small
/// enough that a batch of builders stays a few tens of MiB.
const ROWS_PER_GROUP: usize = 1 << 20;

/// Streams tidy ratings (`person,context,rater,dimension` as text, `value` as a double) into
/// a Parquet file on a plain writer, one row group at a time, so a file of any size is
/// written in bounded memory. The encoder writes into a buffer that is drained to `out`
/// after each row group, because it needs a `Send` writer and `out` need not be one.
pub struct TidyParquetWriter<'w> {
    out: &'w mut dyn std::io::Write,
    writer: ArrowWriter<Vec<u8>>,
    schema: SchemaRef,
    ids: [arrow_array::builder::StringBuilder; 4],
    values: arrow_array::builder::Float64Builder,
    group_rows: usize,
}

impl<'w> TidyParquetWriter<'w> {
    /// A writer of the tidy columns onto `out`.
    pub fn new(out: &'w mut dyn std::io::Write) -> std::io::Result<Self> {
        Self::with_group_rows(out, ROWS_PER_GROUP)
    }

    /// A writer whose row groups hold `group_rows` rows (tests: many groups in a small file).
    pub(crate) fn with_group_rows(
        out: &'w mut dyn std::io::Write,
        group_rows: usize,
    ) -> std::io::Result<Self> {
        use arrow_schema::{DataType, Field, Schema};
        let text = |name| Field::new(name, DataType::Utf8, false);
        let schema = std::sync::Arc::new(Schema::new(vec![
            text("person"),
            text("context"),
            text("rater"),
            text("dimension"),
            Field::new("value", DataType::Float64, false),
        ]));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(group_rows))
            .build();
        let writer =
            ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props)).map_err(io_error)?;
        Ok(TidyParquetWriter {
            out,
            writer,
            schema,
            ids: std::array::from_fn(|_| arrow_array::builder::StringBuilder::new()),
            values: arrow_array::builder::Float64Builder::new(),
            group_rows,
        })
    }

    /// Appends one rating; `ids` writes the four id columns (person, context, rater,
    /// dimension) into the builders handed to it, each with `write!`, so no string is
    /// allocated per row.
    pub fn push(
        &mut self,
        ids: impl FnOnce(&mut [arrow_array::builder::StringBuilder; 4]) -> std::fmt::Result,
        value: f64,
    ) -> std::io::Result<()> {
        ids(&mut self.ids).map_err(|e| std::io::Error::other(e.to_string()))?;
        for b in &mut self.ids {
            b.append_value("");
        }
        self.values.append_value(value);
        if self.values.len() >= self.group_rows {
            self.write_batch()?;
        }
        Ok(())
    }

    fn write_batch(&mut self) -> std::io::Result<()> {
        use arrow_array::ArrayRef;
        if self.values.is_empty() {
            return Ok(());
        }
        let mut columns: Vec<ArrayRef> = self
            .ids
            .iter_mut()
            .map(|b| std::sync::Arc::new(b.finish()) as ArrayRef)
            .collect();
        columns.push(std::sync::Arc::new(self.values.finish()));
        let batch = RecordBatch::try_new(self.schema.clone(), columns).map_err(io_error)?;
        self.writer.write(&batch).map_err(io_error)?;
        self.drain()
    }

    /// Moves what the encoder has written so far to `out`.
    fn drain(&mut self) -> std::io::Result<()> {
        self.writer.sync()?;
        let bytes = std::mem::take(self.writer.inner_mut());
        self.out.write_all(&bytes)
    }

    /// Writes the last row group and the footer.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.write_batch()?;
        self.writer.finish().map_err(io_error)?;
        self.drain()?;
        self.out.flush()
    }
}

fn io_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}
