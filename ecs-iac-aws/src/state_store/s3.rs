//! The state as an S3 object, as Terraform's S3 backend keeps it with `use_lockfile`:
//!
//! - the lock is the object `KEY.lock`, created with `If-None-Match: *`, so of two
//!   writers exactly one creates it; its body ([`LockInfo`]) names the holder and a lock
//!   ID, and `force-unlock` deletes it only with that ID (and only the version it read,
//!   `If-Match` on its ETag);
//! - every state write is conditional on the ETag this lock read or last wrote
//!   (`If-Match`, or `If-None-Match: *` while there is no state), so a writer that lost
//!   its lock can never overwrite a newer state: it stops and leaves its state in a local
//!   file instead;
//! - the state and the lock are written with server-side encryption (SSE-S3, or SSE-KMS
//!   with the backend's key); on a versioned bucket every write is a version (`history`).

use super::{parse_state, prepare_write, LockInfo, Replace, StateStoreError, StateVersion};
use crate::config::EngineConfig;
use crate::error::ProviderError;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_sdk_s3::Client;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use ecs_iac_core::{S3Backend, State};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// A state object in S3.
#[derive(Debug, Clone)]
pub(super) struct S3Store {
    backend: S3Backend,
    config: EngineConfig,
    /// Made on first use, inside the caller's runtime.
    client: Arc<OnceCell<Option<Client>>>,
}

/// An object's text and ETag.
pub(super) struct Object {
    pub(super) text: String,
    pub(super) etag: Option<String>,
}

/// What a failed call means here.
enum Failure {
    /// A condition did not hold (412), or a concurrent conditional write won (409).
    Condition,
    /// The key (or version) does not exist.
    Missing,
    /// Anything else.
    Other(StateStoreError),
}

impl S3Store {
    pub(super) fn new(backend: S3Backend, config: EngineConfig) -> S3Store {
        S3Store {
            backend,
            config,
            client: Arc::new(OnceCell::new()),
        }
    }

    pub(super) fn location(&self) -> String {
        self.backend.to_string()
    }

    /// The S3 client, made on first use. Fails when no region is known: S3 needs one.
    async fn client(&self) -> Result<&Client, StateStoreError> {
        let client = self
            .client
            .get_or_init(|| async {
                let mut config = self.config.clone();
                if let Some(region) = &self.backend.region {
                    config.region = Some(region.clone());
                }
                let sdk = config.sdk_config(None, config.max_attempts).await;
                sdk.region()?;
                // A custom endpoint (an emulator, a VPC endpoint) is reached by path.
                Some(Client::from_conf(
                    aws_sdk_s3::config::Builder::from(&sdk)
                        .force_path_style(sdk.endpoint_url().is_some())
                        .build(),
                ))
            })
            .await;
        client.as_ref().ok_or_else(|| {
            self.other(
                "connecting",
                "no region for the state bucket: add `?region=REGION` to the location, \
                 `S3Backend::region`, pin the stack's region, or set AWS_REGION"
                    .into(),
            )
        })
    }

    /// Classifies a failed call; `action` says what was being done.
    fn failure<E>(
        &self,
        action: &'static str,
        operation: &str,
        err: SdkError<E, HttpResponse>,
    ) -> Failure
    where
        E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let status = err.raw_response().map(|r| r.status().as_u16());
        let error = ProviderError::from_sdk(&self.location(), operation, err);
        if matches!(status, Some(412 | 409))
            || error.is(&["PreconditionFailed", "ConditionalRequestConflict"])
        {
            return Failure::Condition;
        }
        if status == Some(404) && !error.is(&["NoSuchBucket"])
            || error.is(&["NoSuchKey", "NoSuchVersion", "NotFound"])
        {
            return Failure::Missing;
        }
        let hint = if error.is(&["NoSuchBucket"]) {
            format!(
                "; create the bucket `{}` first (turn on versioning to keep the state's history)",
                self.backend.bucket
            )
        } else {
            String::new()
        };
        Failure::Other(StateStoreError::S3 {
            location: self.location(),
            action,
            message: format!("{}{hint}", error.aws_message()),
            source: Box::new(error),
        })
    }

    fn other(&self, action: &'static str, message: String) -> StateStoreError {
        StateStoreError::S3 {
            location: self.location(),
            action,
            message: message.clone(),
            source: message.into(),
        }
    }

    /// Reads `key` (a version of it); `None` when it does not exist.
    async fn get(
        &self,
        key: &str,
        version: Option<&str>,
        action: &'static str,
    ) -> Result<Option<Object>, StateStoreError> {
        let answer = self
            .client()
            .await?
            .get_object()
            .bucket(&self.backend.bucket)
            .key(key)
            .set_version_id(version.map(str::to_string))
            .send()
            .await;
        let out = match answer {
            Ok(out) => out,
            Err(e) => {
                return match self.failure(action, "s3:GetObject", e) {
                    Failure::Missing if version.is_none() => Ok(None),
                    Failure::Missing => Err(self.other(
                        action,
                        format!(
                            "there is no version `{}` of {key}",
                            version.unwrap_or_default()
                        ),
                    )),
                    Failure::Condition => Err(self.other(action, "unexpected 412".into())),
                    Failure::Other(e) => Err(e),
                }
            }
        };
        let etag = out.e_tag().map(str::to_string);
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| self.other(action, format!("reading the body of {key}: {e}")))?
            .into_bytes();
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| self.other(action, format!("{key} is not UTF-8 text")))?;
        Ok(Some(Object { text, etag }))
    }

    /// The state's text (or one version of it); `None` when there is none.
    pub(super) async fn read(
        &self,
        version: Option<&str>,
    ) -> Result<Option<Object>, StateStoreError> {
        self.get(&self.backend.key, version, "reading the state")
            .await
    }

    /// A put of `body` at `key` with the backend's encryption.
    async fn put(
        &self,
        key: &str,
        body: String,
    ) -> Result<aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder, StateStoreError>
    {
        let put = self
            .client()
            .await?
            .put_object()
            .bucket(&self.backend.bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(body.into_bytes()));
        Ok(match &self.backend.kms_key {
            Some(key) => put
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(key),
            None => put.server_side_encryption(ServerSideEncryption::Aes256),
        })
    }

    /// The lock as it is now: who holds it and its ETag; `None` when nobody does.
    async fn current_lock(
        &self,
    ) -> Result<Option<(Result<LockInfo, String>, Option<String>)>, StateStoreError> {
        let key = self.backend.lock_key();
        let Some(object) = self.get(&key, None, "reading the lock").await? else {
            return Ok(None);
        };
        let info = serde_json::from_str::<LockInfo>(&object.text).map_err(|e| {
            format!(
                "an unreadable lock object s3://{}/{key} ({e}); delete it by hand if no run holds it",
                self.backend.bucket
            )
        });
        Ok(Some((info, object.etag)))
    }

    /// Takes the lock: creates the lock object only if there is none. Fails at once,
    /// naming the holder, when there is one.
    pub(super) async fn lock(&self) -> Result<S3Lock, StateStoreError> {
        let info = LockInfo::for_this_process();
        let body = serde_json::to_string_pretty(&info)
            .map_err(|e| self.other("taking the lock", e.to_string()))?;
        for _ in 0..5 {
            let answer = self
                .put(&self.backend.lock_key(), body.clone())
                .await?
                .if_none_match("*")
                .send()
                .await;
            match answer {
                Ok(out) => {
                    let lock = S3Lock {
                        store: self.clone(),
                        info,
                        lock_etag: out.e_tag().map(str::to_string),
                        stored: Mutex::new(Stored::default()),
                        released: false,
                    };
                    // What the state is when the lock is taken: later writes are
                    // conditional on it.
                    let object = self.read(None).await;
                    match object {
                        Ok(object) => {
                            *lock
                                .stored
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner) = Stored {
                                etag: object.as_ref().and_then(|o| o.etag.clone()),
                                text: object.map(|o| o.text),
                            };
                            return Ok(lock);
                        }
                        Err(e) => {
                            let _ = lock.release().await;
                            return Err(e);
                        }
                    }
                }
                Err(e) => match self.failure("taking the lock", "s3:PutObject", e) {
                    Failure::Condition => {}
                    Failure::Missing => {
                        return Err(self.other("taking the lock", "the bucket answered 404".into()))
                    }
                    Failure::Other(e) => return Err(e),
                },
            }
            match self.current_lock().await? {
                Some((Ok(holder), _)) => {
                    return Err(StateStoreError::Locked {
                        location: self.location(),
                        advice: format!(
                            "wait for it to finish; if that run is gone (killed, or its machine \
                             lost), remove the lock with `force-unlock {}`",
                            holder.id
                        ),
                        holder: holder.to_string(),
                    })
                }
                Some((Err(unreadable), _)) => {
                    return Err(StateStoreError::Locked {
                        location: self.location(),
                        holder: unreadable,
                        advice: "nothing was changed".to_string(),
                    })
                }
                // Released between our attempt and the read: try again.
                None => continue,
            }
        }
        Err(self.other(
            "taking the lock",
            "the lock kept being taken and released by others; try again".into(),
        ))
    }

    /// Deletes the lock if `lock_id` is its ID.
    pub(super) async fn force_unlock(&self, lock_id: &str) -> Result<LockInfo, StateStoreError> {
        let unlock = |problem: String| StateStoreError::Unlock {
            location: self.location(),
            problem,
        };
        let Some((info, etag)) = self.current_lock().await? else {
            return Err(unlock("it is not locked: nothing to unlock".into()));
        };
        let info = info.map_err(unlock)?;
        if info.id != lock_id {
            return Err(unlock(format!(
                "the lock's ID is {}, not {lock_id}: nothing was unlocked (it is held by {info})",
                info.id
            )));
        }
        self.delete(
            &self.backend.lock_key(),
            etag.as_deref(),
            "removing the lock",
        )
        .await
        .map_err(|e| match e {
            None => unlock("the lock changed while it was being removed: look again".into()),
            Some(e) => e,
        })?;
        Ok(info)
    }

    /// Deletes `key`, only the version with `etag` when given. `Err(None)`: the ETag no
    /// longer matches.
    async fn delete(
        &self,
        key: &str,
        etag: Option<&str>,
        action: &'static str,
    ) -> Result<(), Option<StateStoreError>> {
        let answer = self
            .client()
            .await
            .map_err(Some)?
            .delete_object()
            .bucket(&self.backend.bucket)
            .key(key)
            .set_if_match(etag.map(str::to_string))
            .send()
            .await;
        match answer {
            Ok(_) => Ok(()),
            Err(e) => match self.failure(action, "s3:DeleteObject", e) {
                Failure::Missing => Ok(()),
                Failure::Condition => Err(None),
                Failure::Other(e) => Err(Some(e)),
            },
        }
    }

    /// The state's versions, newest first, each with its serial and lineage.
    pub(super) async fn history(&self) -> Result<Vec<StateVersion>, StateStoreError> {
        let action = "listing the state's versions";
        let mut versions = Vec::new();
        let (mut key_marker, mut version_marker) = (None, None);
        loop {
            let answer = self
                .client()
                .await?
                .list_object_versions()
                .bucket(&self.backend.bucket)
                .prefix(&self.backend.key)
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await;
            let page = match answer {
                Ok(page) => page,
                Err(e) => {
                    return Err(match self.failure(action, "s3:ListObjectVersions", e) {
                        Failure::Other(e) => e,
                        _ => self.other(action, "the bucket answered 404 or 412".into()),
                    })
                }
            };
            for v in page.versions() {
                if v.key() != Some(self.backend.key.as_str()) {
                    continue;
                }
                versions.push(StateVersion {
                    version_id: v.version_id().unwrap_or("null").to_string(),
                    last_modified: v.last_modified().map(|t| t.to_string()),
                    size: v.size().unwrap_or(0),
                    latest: v.is_latest().unwrap_or(false),
                    serial: None,
                    lineage: None,
                });
            }
            if !page.is_truncated().unwrap_or(false) {
                break;
            }
            key_marker = page.next_key_marker().map(str::to_string);
            version_marker = page.next_version_id_marker().map(str::to_string);
            if key_marker.is_none() {
                break;
            }
        }
        // S3 lists a key's versions newest first.
        for v in &mut versions {
            if let Some(object) = self.read(Some(&v.version_id)).await? {
                if let Ok(state) = State::from_json(&object.text) {
                    v.serial = Some(state.serial);
                    v.lineage = Some(state.lineage);
                }
            }
        }
        Ok(versions)
    }
}

/// What the state object holds, as far as this lock knows: written only through it.
#[derive(Debug, Default, Clone)]
struct Stored {
    etag: Option<String>,
    text: Option<String>,
}

/// Holding the S3 lock.
#[derive(Debug)]
pub(super) struct S3Lock {
    store: S3Store,
    info: LockInfo,
    lock_etag: Option<String>,
    stored: Mutex<Stored>,
    released: bool,
}

impl S3Lock {
    pub(super) fn info(&self) -> &LockInfo {
        &self.info
    }

    pub(super) fn location(&self) -> String {
        self.store.location()
    }

    fn stored(&self) -> Stored {
        self.stored
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(super) fn load(&self, stack: &str) -> Result<State, StateStoreError> {
        parse_state(&self.location(), stack, self.stored().text.as_deref())
    }

    /// Writes `state` if the object is still the one this lock read or last wrote.
    pub(super) async fn save(
        &self,
        state: &mut State,
        replace: Replace,
    ) -> Result<(), StateStoreError> {
        let stored = self.stored();
        let current = parse_state(&self.location(), &state.stack, stored.text.as_deref())?;
        prepare_write(&self.location(), &current, state, replace)?;
        let body = state.to_json();
        let put = self
            .store
            .put(&self.store.backend.key, body.clone())
            .await?;
        let put = match &stored.etag {
            Some(etag) => put.if_match(etag),
            None => put.if_none_match("*"),
        };
        let etag = match put.send().await {
            Ok(out) => out.e_tag().map(str::to_string),
            Err(e) => match self.store.failure("writing the state", "s3:PutObject", e) {
                Failure::Condition => {
                    // A retried write whose first attempt landed fails its condition
                    // against itself: that is success.
                    match self.store.read(None).await? {
                        Some(object) if object.text == body => object.etag,
                        _ => return Err(self.conflict(state)),
                    }
                }
                Failure::Missing => {
                    return Err(self
                        .store
                        .other("writing the state", "the bucket answered 404".into()))
                }
                Failure::Other(e) => return Err(e),
            },
        };
        *self
            .stored
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Stored {
            etag,
            text: Some(body),
        };
        Ok(())
    }

    /// Leaves `state` in a local file and says so: the stored state was changed by
    /// another writer.
    fn conflict(&self, state: &State) -> StateStoreError {
        let errored = PathBuf::from(format!(
            "{}.errored.{}.state.json",
            state.stack,
            super::unix_seconds()
        ));
        if let Err(e) = std::fs::write(&errored, state.to_json()) {
            return StateStoreError::Io {
                location: self.location(),
                source: std::io::Error::new(
                    e.kind(),
                    format!(
                        "the state was changed by another writer, and this run's state could \
                         not be saved to {}: {e}",
                        errored.display()
                    ),
                ),
            };
        }
        StateStoreError::Conflict {
            location: self.location(),
            serial: state.serial,
            errored,
        }
    }

    /// Deletes the state object (after `state migrate`); a versioned bucket keeps it as
    /// history.
    pub(super) async fn remove(&self) -> Result<(), StateStoreError> {
        let etag = self.stored().etag;
        self.store
            .delete(
                &self.store.backend.key,
                etag.as_deref(),
                "removing the state",
            )
            .await
            .map_err(|e| {
                e.unwrap_or_else(|| {
                    self.store.other(
                        "removing the state",
                        "it was changed by another writer; nothing was removed".into(),
                    )
                })
            })
    }

    /// Deletes the lock object, only if it is still this lock's.
    pub(super) async fn release(mut self) -> Result<(), StateStoreError> {
        self.released = true;
        match self
            .store
            .delete(
                &self.store.backend.lock_key(),
                self.lock_etag.as_deref(),
                "releasing the lock",
            )
            .await
        {
            Ok(()) => Ok(()),
            Err(Some(e)) => Err(e),
            Err(None) => Err(StateStoreError::Unlock {
                location: self.location(),
                problem: format!(
                    "this run's lock (ID {}) was removed by `force-unlock` and another run holds \
                     the lock now; it was left alone",
                    self.info.id
                ),
            }),
        }
    }
}

impl Drop for S3Lock {
    /// A lock dropped without [`S3Lock::release`] (a panic, an early return): deleted in the
    /// background when a runtime is at hand; otherwise it stays until `force-unlock`.
    fn drop(&mut self) {
        if self.released {
            return;
        }
        tracing::warn!(
            lock_id = %self.info.id,
            "the state lock of {} was not released; if it remains, remove it with `force-unlock {}`",
            self.location(),
            self.info.id
        );
        let (Ok(runtime), Some(client)) = (
            tokio::runtime::Handle::try_current(),
            self.store.client.get().cloned().flatten(),
        ) else {
            return;
        };
        let (bucket, key, etag) = (
            self.store.backend.bucket.clone(),
            self.store.backend.lock_key(),
            self.lock_etag.clone(),
        );
        runtime.spawn(async move {
            let _ = client
                .delete_object()
                .bucket(bucket)
                .key(key)
                .set_if_match(etag)
                .send()
                .await;
        });
    }
}
