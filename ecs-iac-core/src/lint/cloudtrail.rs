//! CloudTrail checks: trails without log file validation or in one region only.

use super::{LintRule, Lx};
use crate::requests::cloudtrail::CreateTrail;
use crate::resources::*;

impl Lx<'_> {
    /// A trail: log file validation and multi-region recording.
    pub(super) fn trail(&mut self, t: &Trail) {
        if !t.validates_log_files() {
            self.emit(
                LintRule::TrailNoLogValidation,
                "",
                CreateTrail::FIELD.enable_log_file_validation,
                format!("trail `{}` does not validate its log files", t.trail_name()),
            );
        }
        if !t.is_multi_region() {
            self.emit(
                LintRule::TrailSingleRegion,
                "",
                CreateTrail::FIELD.is_multi_region_trail,
                format!("trail `{}` records one region only", t.trail_name()),
            );
        }
    }
}
