//! ECR checks: repositories without scan on push or with mutable tags.

use super::{LintRule, Lx};
use crate::requests::ecr::{CreateRepository, ImageScanningConfiguration};
use crate::resources::*;

impl Lx<'_> {
    /// A repository of the stack: scanning and tag mutability.
    pub(super) fn repository(&mut self, r: &Repository) {
        if !r.scans_on_push() {
            self.emit(
                LintRule::RepositoryNoScanOnPush,
                "",
                format!(
                    "{}.{}",
                    CreateRepository::FIELD.image_scanning_configuration,
                    ImageScanningConfiguration::FIELD.scan_on_push
                ),
                format!(
                    "repository `{}` does not scan images on push",
                    r.get_repository_name()
                ),
            );
        }
        if r.get_tag_mutability() == TagMutability::Mutable {
            self.emit(
                LintRule::RepositoryMutableTags,
                "",
                CreateRepository::FIELD.image_tag_mutability,
                format!(
                    "repository `{}` has mutable tags: pushing `1.4.2` again replaces the image tasks run",
                    r.get_repository_name()
                ),
            );
        }
    }
}
