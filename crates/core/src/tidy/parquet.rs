//! Parquet reading and writing for [`super::arrow`]: record batches in and out, with the
//! codecs pandas/pyarrow, R arrow and polars write (snappy, zstd, lz4, gzip).

use crate::error::{CoreError, Result, RowError};
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
