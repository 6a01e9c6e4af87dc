//! TypeScript declarations of every IPC type, generated from the Rust types in `dto.rs` and
//! `error.rs` into `ui/src/bindings.ts`. Regenerate with `scripts/app/bindings.sh`
//! (`UPDATE_BINDINGS=1 cargo test -p chameleon-studio bindings`); the test fails when the
//! committed file is stale.

use crate::commands::analysis::{
    AnalysisMethodDto, AnalysisOptionsDto, AnalysisProgressDto, AnalysisResultDto,
    AnalysisStateDto, DimensionResultDto, ExportRequest, FigureDto, PooledResultDto,
    RaterSensitivityDto, RunOutcomeDto, SharesDto, TableDto,
};
use crate::commands::review::*;
use crate::commands::team::*;
use crate::dto::*;
use crate::error::{AppError, RowErrorDto};
use ts_rs::{Config, TS};

pub const BINDINGS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/bindings.ts");

pub fn typescript() -> String {
    // Ids and counts are far below 2^53: plain numbers on the TypeScript side.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        AnchorDto::decl(&cfg),
        ScaleDto::decl(&cfg),
        DimensionDto::decl(&cfg),
        CodebookDto::decl(&cfg),
        ProfileTextDto::decl(&cfg),
        ProfileDto::decl(&cfg),
        RaterKindDto::decl(&cfg),
        RaterDto::decl(&cfg),
        StudySummary::decl(&cfg),
        SessionDto::decl(&cfg),
        RecentStudy::decl(&cfg),
        QueueEntryDto::decl(&cfg),
        DimensionProgressDto::decl(&cfg),
        RatingChangeDto::decl(&cfg),
        OwnRating::decl(&cfg),
        ReviewDto::decl(&cfg),
        ProfileView::decl(&cfg),
        SaveRatingRequest::decl(&cfg),
        SavedRating::decl(&cfg),
        ReviewRequest::decl(&cfg),
        CreateStudyRequest::decl(&cfg),
        RowErrorDto::decl(&cfg),
        AppError::decl(&cfg),
        ThresholdsDto::decl(&cfg),
        AgreementRowDto::decl(&cfg),
        AgreementTableDto::decl(&cfg),
        AlphaIntervalDto::decl(&cfg),
        AgreementIntervalsDto::decl(&cfg),
        PairDto::decl(&cfg),
        RaterDiagnosticsDto::decl(&cfg),
        AgreementDetailDto::decl(&cfg),
        RaterValueDto::decl(&cfg),
        DisagreementDto::decl(&cfg),
        DisagreementsDto::decl(&cfg),
        DimensionValuesDto::decl(&cfg),
        ProfileRatingsDto::decl(&cfg),
        AdjudicateRequest::decl(&cfg),
        AnchorEditDto::decl(&cfg),
        ScaleEditDto::decl(&cfg),
        DimensionEditDto::decl(&cfg),
        CodebookEditDto::decl(&cfg),
        CodebookSavedDto::decl(&cfg),
        AnalysisMethodDto::decl(&cfg),
        AnalysisOptionsDto::decl(&cfg),
        AnalysisProgressDto::decl(&cfg),
        SharesDto::decl(&cfg),
        DimensionResultDto::decl(&cfg),
        PooledResultDto::decl(&cfg),
        RaterSensitivityDto::decl(&cfg),
        FigureDto::decl(&cfg),
        TableDto::decl(&cfg),
        AnalysisResultDto::decl(&cfg),
        AnalysisStateDto::decl(&cfg),
        RunOutcomeDto::decl(&cfg),
        ExportRequest::decl(&cfg),
        PackageInfoDto::decl(&cfg),
        AssignmentRowDto::decl(&cfg),
        DesignRequest::decl(&cfg),
        TeamOverview::decl(&cfg),
        ExportedPackage::decl(&cfg),
        MergeReportDto::decl(&cfg),
        MergeOutcome::decl(&cfg),
        AuditEntryDto::decl(&cfg),
        AuditKindCount::decl(&cfg),
        AuditTrail::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from src-tauri/src/{dto,error}.rs by scripts/app/bindings.sh. Do not edit.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_are_up_to_date() {
        let fresh = typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(BINDINGS_PATH, &fresh).expect("write ui/src/bindings.ts");
            return;
        }
        let committed = std::fs::read_to_string(BINDINGS_PATH).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/bindings.ts is stale: run scripts/app/bindings.sh and commit the result"
        );
    }
}
