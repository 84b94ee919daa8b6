//! Where a stack's state lives: a local file or an S3 object. Data only; the aws crate's
//! `StateStore` reads and writes it.
//!
//! On the command line a backend is one text, in the same `--state` flag as a file path:
//! `s3://BUCKET/KEY` (optionally `?region=REGION&kms_key=KEY_ID`) or a path.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// Where the state of a stack is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateBackend {
    /// A file on local disk, locked with an OS lock.
    Local {
        /// The file.
        path: PathBuf,
    },
    /// An object in S3, locked with a conditional write.
    S3(S3Backend),
}

/// A state object in S3: written with server-side encryption, locked by a lock object
/// created with `If-None-Match: *`, every write conditional on the ETag it read. Turn on
/// versioning on the bucket to keep the state's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct S3Backend {
    /// The bucket.
    pub bucket: String,
    /// The state object's key; the lock is `KEY.lock`.
    pub key: String,
    /// The bucket's region (default: the stack's region, else the AWS chain's).
    pub region: Option<String>,
    /// A KMS key (id, ARN or alias) to encrypt the state with (SSE-KMS); default SSE-S3.
    pub kms_key: Option<String>,
}

/// A `--state` text that is not a usable backend.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("state location `{text}`: {problem}")]
pub struct BackendError {
    /// The text as given.
    pub text: String,
    /// What is wrong with it.
    pub problem: String,
}

impl S3Backend {
    /// The state at `s3://bucket/key`.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> S3Backend {
        S3Backend {
            bucket: bucket.into(),
            key: key.into(),
            region: None,
            kms_key: None,
        }
    }

    /// The bucket's region.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> S3Backend {
        self.region = Some(region.into());
        self
    }

    /// Encrypts the state and its lock with this KMS key (SSE-KMS).
    #[must_use]
    pub fn kms_key(mut self, key: impl Into<String>) -> S3Backend {
        self.kms_key = Some(key.into());
        self
    }

    /// The lock object's key.
    pub fn lock_key(&self) -> String {
        format!("{}.lock", self.key)
    }

    /// Checks the bucket name and key as S3 would, naming the field that is wrong.
    pub fn check(&self) -> Result<(), String> {
        let b = &self.bucket;
        let valid_chars = b
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        let ends_ok = b
            .chars()
            .next()
            .zip(b.chars().last())
            .is_some_and(|(f, l)| f.is_ascii_alphanumeric() && l.is_ascii_alphanumeric());
        if !(3..=63).contains(&b.len()) || !valid_chars || !ends_ok || b.contains("..") {
            return Err(format!(
                "bucket `{b}` is not a valid S3 bucket name (3-63 lowercase letters, digits, \
                 `-` and `.`, starting and ending with a letter or digit)"
            ));
        }
        if self.key.is_empty() || self.key.ends_with('/') || self.key.starts_with('/') {
            return Err(format!(
                "key `{}` must name an object (not empty, no leading or trailing `/`)",
                self.key
            ));
        }
        if self.key.len() > 1000 {
            return Err("key is longer than 1000 bytes".to_string());
        }
        for (field, value) in [("region", &self.region), ("kms_key", &self.kms_key)] {
            if value.as_deref().is_some_and(str::is_empty) {
                return Err(format!("{field} is empty"));
            }
        }
        Ok(())
    }
}

impl StateBackend {
    /// A local state file.
    pub fn local(path: impl Into<PathBuf>) -> StateBackend {
        StateBackend::Local { path: path.into() }
    }

    /// Reads `s3://BUCKET/KEY[?region=R&kms_key=K]` or a file path.
    pub fn parse(text: &str) -> Result<StateBackend, BackendError> {
        let err = |problem: String| BackendError {
            text: text.to_string(),
            problem,
        };
        let Some(rest) = text.strip_prefix("s3://") else {
            if text.is_empty() {
                return Err(err("empty: give a file path or s3://BUCKET/KEY".into()));
            }
            if let Some((scheme, _)) = text.split_once("://") {
                return Err(err(format!(
                    "unknown scheme `{scheme}://`: give a file path or s3://BUCKET/KEY"
                )));
            }
            return Ok(StateBackend::local(text));
        };
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let Some((bucket, key)) = location.split_once('/') else {
            return Err(err("no key: write s3://BUCKET/KEY".into()));
        };
        let mut backend = S3Backend::new(bucket, key);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("region", v)) => backend.region = Some(v.to_string()),
                Some(("kms_key", v)) => backend.kms_key = Some(v.to_string()),
                _ => {
                    return Err(err(format!(
                        "unknown setting `{pair}` (known: region=REGION, kms_key=KEY_ID)"
                    )))
                }
            }
        }
        backend.check().map_err(err)?;
        Ok(StateBackend::S3(backend))
    }
}

impl From<S3Backend> for StateBackend {
    fn from(backend: S3Backend) -> StateBackend {
        StateBackend::S3(backend)
    }
}

impl fmt::Display for S3Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

impl fmt::Display for StateBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateBackend::Local { path } => write!(f, "{}", path.display()),
            StateBackend::S3(s3) => s3.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths_and_s3_urls_with_settings() {
        assert_eq!(
            StateBackend::parse("dir/vb.state.json").unwrap(),
            StateBackend::local("dir/vb.state.json")
        );
        assert_eq!(
            StateBackend::parse("s3://team-state/prod/vb.json?region=eu-west-1&kms_key=alias/s")
                .unwrap(),
            StateBackend::S3(
                S3Backend::new("team-state", "prod/vb.json")
                    .region("eu-west-1")
                    .kms_key("alias/s")
            )
        );
        let shown = StateBackend::parse("s3://team-state/vb.json").unwrap();
        assert_eq!(shown.to_string(), "s3://team-state/vb.json");
    }

    #[test]
    fn bad_locations_name_what_is_wrong() {
        for (text, says) in [
            ("s3://Team_State/vb.json", "bucket `Team_State`"),
            ("s3://team-state", "no key"),
            ("s3://team-state/", "key ``"),
            ("s3://team-state/dir/", "key `dir/`"),
            (
                "s3://team-state/vb.json?acl=private",
                "unknown setting `acl=private`",
            ),
            ("s3://team-state/vb.json?region=", "region is empty"),
            ("gs://bucket/key", "unknown scheme `gs://`"),
            ("", "empty"),
        ] {
            let e = StateBackend::parse(text).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains(text), "{text}: {e}");
        }
    }
}
