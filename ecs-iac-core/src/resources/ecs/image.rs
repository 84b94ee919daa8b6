//! Container images: a full reference, or a tag of an ECR repository of the stack.

use crate::lower::{NodeBuilder, ACCOUNT_ID};
use crate::resources::ecr::Repository;
use crate::stack::Ref;

/// A container image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Image {
    /// A full image reference, e.g. `public.ecr.aws/nginx/nginx:1.27`.
    Uri(String),
    /// An image in this account's ECR, in the stack's region.
    Ecr {
        /// Repository name.
        repository: String,
        /// Tag.
        tag: String,
    },
    /// An image of a repository of the stack ([`Image::from_repository`]).
    Repository {
        /// The repository.
        repository: Ref<Repository>,
        /// Tag.
        tag: String,
    },
}

/// An image by full reference.
pub fn image(reference: impl Into<String>) -> Image {
    Image::Uri(reference.into())
}

impl Image {
    /// An image in this account's ECR registry.
    pub fn ecr(repository: impl Into<String>, tag: impl Into<String>) -> Image {
        Image::Ecr {
            repository: repository.into(),
            tag: tag.into(),
        }
    }

    /// The image with `tag` of `repository`: its URI follows the repository's
    /// (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:TAG`), and the task depends on it.
    pub fn from_repository(repository: &Ref<Repository>, tag: impl Into<String>) -> Image {
        Image::Repository {
            repository: repository.clone(),
            tag: tag.into(),
        }
    }

    /// Pulled from a private ECR repository (so the task needs an execution role).
    pub(crate) fn is_private_ecr(&self) -> bool {
        matches!(self, Image::Ecr { .. } | Image::Repository { .. })
    }

    pub(super) fn render(&self, n: &mut NodeBuilder<'_>, path: &str, region: &str) -> String {
        match self {
            Image::Uri(u) => u.clone(),
            Image::Repository { repository, tag } => {
                format!("{}:{tag}", n.attr(path, repository, "uri"))
            }
            Image::Ecr { repository, tag } => {
                format!("{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{repository}:{tag}")
            }
        }
    }
}
