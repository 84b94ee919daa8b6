//! Where the state is kept, behind one interface: a local file (`local`: atomic writes
//! under an OS lock) or an S3 object (`s3`: a lock object created with a conditional
//! write, every state write conditional on the ETag it read).
//!
//! The same guarantees hold for both: lineage and serial are checked on read and write, a
//! state of another stack is refused, a corrupt or newer state is never overwritten, and a
//! second writer fails at once, naming the holder.

mod local;
mod s3;

use crate::config::EngineConfig;
use ecs_iac_core::{S3Backend, State, StateBackend, StateError};
use serde::{Deserialize, Serialize};
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Errors of the state store. Each names the state's location.
#[derive(Debug, thiserror::Error)]
pub enum StateStoreError {
    /// Reading or writing a local file failed.
    #[error("state {location}: {source}")]
    Io {
        /// The state's location.
        location: String,
        /// The OS error.
        source: io::Error,
    },
    /// A call to S3 failed.
    #[error("state {location}: {action} failed: {message}")]
    S3 {
        /// The state's location.
        location: String,
        /// What was being done (`reading the state`, `taking the lock`, ...).
        action: &'static str,
        /// AWS's error code and message, with what to do when it is a known problem.
        message: String,
        /// The SDK error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The state is corrupt, from a newer version or from another stack. It is left as is.
    #[error("state {location}: {source}; it was left untouched")]
    Invalid {
        /// The state's location.
        location: String,
        /// What is wrong.
        source: StateError,
    },
    /// Another process holds the lock.
    #[error("state {location} is locked by {holder}; {advice}")]
    Locked {
        /// The state's location.
        location: String,
        /// Who holds the lock.
        holder: String,
        /// What to do: wait, or `force-unlock` when the holder is gone.
        advice: String,
    },
    /// The state changed since this run read it: another writer took over (its lock was
    /// forced away). This run's state was not written there; it was saved locally.
    #[error(
        "state {location} was changed by another writer since this run read it (was this run's \
         lock forced away?); nothing was overwritten. This run's state (serial {serial}) was \
         saved to {errored}: compare it with `state pull`, and `state push` it if it is the one \
         to keep"
    )]
    Conflict {
        /// The state's location.
        location: String,
        /// The serial of the state this run could not write.
        serial: u64,
        /// The local file holding it.
        errored: PathBuf,
    },
    /// `force-unlock` with an ID that is not the lock's.
    #[error("state {location}: {problem}")]
    Unlock {
        /// The state's location.
        location: String,
        /// Why nothing was unlocked.
        problem: String,
    },
    /// `state push` or `state migrate` refused a state.
    #[error("state {location}: refused: {reason}")]
    Refused {
        /// The state's location.
        location: String,
        /// Why.
        reason: String,
    },
    /// The backend cannot do this (a local file has no history or lock ID).
    #[error("state {location}: {what}")]
    Unsupported {
        /// The state's location.
        location: String,
        /// What cannot be done, and what to use instead.
        what: &'static str,
    },
}

/// Who holds a lock: written into the lock when it is taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// A random ID; `force-unlock` needs it.
    pub id: String,
    /// The process id.
    pub pid: u32,
    /// The host name.
    pub host: String,
    /// The user (`$USER`), if known.
    pub user: Option<String>,
    /// The command line.
    pub command: String,
    /// When the lock was taken (HTTP date).
    pub created: String,
    /// The ecs-iac version that took it.
    pub version: String,
}

impl LockInfo {
    /// A lock held by this process, now.
    pub fn for_this_process() -> LockInfo {
        let command: Vec<String> = std::env::args().collect();
        LockInfo {
            id: random_id(),
            pid: std::process::id(),
            host: host_name(),
            user: std::env::var("USER").ok().filter(|u| !u.is_empty()),
            command: command.join(" "),
            created: httpdate::fmt_http_date(SystemTime::now()),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

impl fmt::Display for LockInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {} on {}", self.pid, self.host)?;
        if let Some(user) = &self.user {
            write!(f, " as {user}")?;
        }
        write!(
            f,
            " since {} running `{}` (lock ID {})",
            self.created, self.command, self.id
        )
    }
}

/// One version of the state in a versioned bucket, newest first in [`StateStore::history`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateVersion {
    /// S3's version id (for `state pull --version`).
    pub version_id: String,
    /// When it was written (RFC 3339).
    pub last_modified: Option<String>,
    /// Its size in bytes.
    pub size: i64,
    /// Whether it is the current state.
    pub latest: bool,
    /// Its serial, when it is a readable state.
    pub serial: Option<u64>,
    /// Its lineage, when it is a readable state.
    pub lineage: Option<String>,
}

/// Where a stack's state is kept: a local file or an S3 object.
#[derive(Debug, Clone)]
pub struct StateStore {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Local(local::LocalStore),
    S3(Box<s3::S3Store>),
}

/// Proof of holding the state's lock; every write goes through it. Release it with
/// [`StateLock::release`]; a local lock is also released when it is dropped (and when its
/// process dies), an S3 lock dropped unreleased stays until `force-unlock`.
#[derive(Debug)]
pub struct StateLock {
    inner: LockInner,
}

#[derive(Debug)]
enum LockInner {
    Local(local::LocalLock),
    S3(Box<s3::S3Lock>),
}

impl StateStore {
    /// The state file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> StateStore {
        StateStore {
            backend: Backend::Local(local::LocalStore::new(path.into())),
        }
    }

    /// The state object in S3, reached with `config`'s endpoint and credentials; its region
    /// is the backend's, else `config`'s.
    pub fn s3(backend: S3Backend, config: &EngineConfig) -> StateStore {
        StateStore {
            backend: Backend::S3(Box::new(s3::S3Store::new(backend, config.clone()))),
        }
    }

    /// The store for `backend`; S3 is reached with `config`.
    pub fn open(backend: &StateBackend, config: &EngineConfig) -> StateStore {
        match backend {
            StateBackend::Local { path } => StateStore::new(path.clone()),
            StateBackend::S3(s3) => StateStore::s3(s3.clone(), config),
        }
    }

    /// The default path for a stack: `<stack>.state.json` in the working directory.
    pub fn default_path(stack: &str) -> PathBuf {
        PathBuf::from(format!("{stack}.state.json"))
    }

    /// Where the state is: the file path or `s3://bucket/key`.
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Local(l) => l.location(),
            Backend::S3(s) => s.location(),
        }
    }

    /// The local file, for a local store.
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Local(l) => Some(l.path()),
            Backend::S3(_) => None,
        }
    }

    /// Reads the state of `stack`; no state yet is an empty state.
    pub async fn load(&self, stack: &str) -> Result<State, StateStoreError> {
        let text = self.pull(None).await?;
        parse_state(&self.location(), stack, text.as_deref())
    }

    /// The state's text as stored (`None` when there is none); `version` picks an older
    /// version of an S3 state in a versioned bucket.
    pub async fn pull(&self, version: Option<&str>) -> Result<Option<String>, StateStoreError> {
        match &self.backend {
            Backend::Local(l) => {
                if version.is_some() {
                    return Err(self.unsupported(NO_HISTORY));
                }
                l.read()
            }
            Backend::S3(s) => Ok(s.read(version).await?.map(|o| o.text)),
        }
    }

    /// The outputs another stack's state here records, to use as inputs
    /// ([`ecs_iac_core::StackOutputs`]). Reads without taking the lock (the state is
    /// always replaced whole); no state, or one of another stack, is an error.
    pub async fn outputs(
        &self,
        stack: &str,
    ) -> Result<ecs_iac_core::StackOutputs, StateStoreError> {
        let location = self.location();
        let Some(text) = self.pull(None).await? else {
            return Err(StateStoreError::Io {
                location,
                source: io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no state of stack `{stack}` here: apply that stack first (or pass its state)"),
                ),
            });
        };
        let state = parse_state(&location, stack, Some(&text))?;
        Ok(ecs_iac_core::StackOutputs::from_state(&state, location))
    }

    /// Takes the exclusive lock. Fails at once, naming the holder, when another process
    /// holds it.
    pub async fn lock(&self) -> Result<StateLock, StateStoreError> {
        let inner = match &self.backend {
            Backend::Local(l) => LockInner::Local(l.lock()?),
            Backend::S3(s) => LockInner::S3(Box::new(s.lock().await?)),
        };
        Ok(StateLock { inner })
    }

    /// Removes a lock whose holder is gone, only when `lock_id` is its ID. Returns what the
    /// lock said. A local lock is the OS's and dies with its holder: nothing to force.
    pub async fn force_unlock(&self, lock_id: &str) -> Result<LockInfo, StateStoreError> {
        match &self.backend {
            Backend::Local(_) => Err(self.unsupported(
                "a local state file's lock is the operating system's and is released when \
                 its holder ends: there is no lock to force",
            )),
            Backend::S3(s) => s.force_unlock(lock_id).await,
        }
    }

    /// The state's versions, newest first (S3 with versioning on).
    pub async fn history(&self) -> Result<Vec<StateVersion>, StateStoreError> {
        match &self.backend {
            Backend::Local(_) => Err(self.unsupported(NO_HISTORY)),
            Backend::S3(s) => s.history().await,
        }
    }

    /// Moves the state of `stack` from here to `to` under both locks: `to` must hold no
    /// state yet (or this state's lineage at an older serial). Afterwards this location
    /// no longer holds it (a local file is renamed to `FILE.migrated`; an S3 object is
    /// deleted, which a versioned bucket keeps as history). Returns the state as written.
    pub async fn migrate(&self, stack: &str, to: &StateStore) -> Result<State, StateStoreError> {
        if self.location() == to.location() {
            return Err(StateStoreError::Refused {
                location: to.location(),
                reason: "the state is already here".to_string(),
            });
        }
        let from_lock = self.lock().await?;
        let result = async {
            let to_lock = to.lock().await?;
            let moved = async {
                let source = from_lock.load(stack).await?;
                let existing = to_lock.load(stack).await?;
                let same_lineage = existing.lineage == source.lineage;
                if existing.serial > 0 && !(same_lineage && existing.serial < source.serial) {
                    return Err(StateStoreError::Refused {
                        location: to.location(),
                        reason: format!(
                            "it already holds a state of `{stack}` (serial {}, lineage {}); \
                             remove it, or push to it with `state push`",
                            existing.serial, existing.lineage
                        ),
                    });
                }
                let mut state = source;
                to_lock.save(&mut state).await?;
                from_lock.remove().await?;
                Ok(state)
            }
            .await;
            let released = to_lock.release().await;
            let state = moved?;
            released?;
            Ok(state)
        }
        .await;
        let released = from_lock.release().await;
        let state = result?;
        released?;
        Ok(state)
    }

    fn unsupported(&self, what: &'static str) -> StateStoreError {
        StateStoreError::Unsupported {
            location: self.location(),
            what,
        }
    }
}

const NO_HISTORY: &str = "a local state file keeps no history: use an S3 backend on a bucket \
                          with versioning on";

impl StateLock {
    /// The lock's ID (what `force-unlock` needs).
    pub fn id(&self) -> &str {
        match &self.inner {
            LockInner::Local(l) => &l.info().id,
            LockInner::S3(s) => &s.info().id,
        }
    }

    /// The state of `stack` as it is under this lock (for S3: as read when the lock was
    /// taken; later writes go only through this lock).
    pub async fn load(&self, stack: &str) -> Result<State, StateStoreError> {
        match &self.inner {
            LockInner::Local(l) => l.load(stack),
            LockInner::S3(s) => s.load(stack),
        }
    }

    /// Writes `state`: bumps the serial, gives a new state a lineage. A corrupt, newer or
    /// foreign state is never overwritten; for S3 neither is one another writer changed.
    pub async fn save(&self, state: &mut State) -> Result<(), StateStoreError> {
        self.write(state, Replace::Forward).await
    }

    async fn write(&self, state: &mut State, replace: Replace) -> Result<(), StateStoreError> {
        match &self.inner {
            LockInner::Local(l) => l.save(state, replace),
            LockInner::S3(s) => s.save(state, replace).await,
        }
    }

    /// Replaces the state with `incoming` (`state push`), refusing another stack, another
    /// lineage, an older serial, or the same serial with other content, unless `force`.
    /// Returns the state as written.
    pub async fn push(
        &self,
        stack: &str,
        incoming: State,
        force: bool,
    ) -> Result<State, StateStoreError> {
        let location = self.location();
        let refuse = |reason: String| StateStoreError::Refused {
            location: location.clone(),
            reason: format!("{reason} (pass --force to push it anyway)"),
        };
        incoming
            .check_stack(stack)
            .map_err(|source| StateStoreError::Invalid {
                location: location.clone(),
                source,
            })?;
        let current = self.load(stack).await?;
        if !force && current.serial > 0 {
            if current.lineage != incoming.lineage {
                return Err(refuse(format!(
                    "its lineage {} is not the stored state's {}: it is another state",
                    incoming.lineage, current.lineage
                )));
            }
            if incoming.serial < current.serial {
                return Err(refuse(format!(
                    "its serial {} is older than the stored state's {}: newer changes would be lost",
                    incoming.serial, current.serial
                )));
            }
            if incoming.serial == current.serial && incoming != current {
                return Err(refuse(format!(
                    "it has the stored state's serial {} but other content",
                    current.serial
                )));
            }
        }
        let mut state = incoming;
        state.serial = state.serial.max(current.serial);
        let replace = if force {
            Replace::Anything
        } else {
            Replace::Forward
        };
        self.write(&mut state, replace).await?;
        Ok(state)
    }

    /// Releases the lock.
    pub async fn release(self) -> Result<(), StateStoreError> {
        match self.inner {
            LockInner::Local(l) => {
                drop(l);
                Ok(())
            }
            LockInner::S3(s) => s.release().await,
        }
    }

    /// Takes the state away from this location (after a migration).
    async fn remove(&self) -> Result<(), StateStoreError> {
        match &self.inner {
            LockInner::Local(l) => l.remove(),
            LockInner::S3(s) => s.remove().await,
        }
    }

    fn location(&self) -> String {
        match &self.inner {
            LockInner::Local(l) => l.location(),
            LockInner::S3(s) => s.location(),
        }
    }
}

/// Whether a write may replace a state of another lineage or a newer serial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Replace {
    /// Only the same lineage, not older (every save).
    Forward,
    /// Anything of the same stack (`state push --force`).
    Anything,
}

/// Parses a stored state of `stack` (`None`: no state yet, an empty one).
fn parse_state(location: &str, stack: &str, text: Option<&str>) -> Result<State, StateStoreError> {
    let Some(text) = text else {
        return Ok(State::empty(stack));
    };
    let invalid = |source| StateStoreError::Invalid {
        location: location.to_string(),
        source,
    };
    let state = State::from_json(text).map_err(invalid)?;
    state.check_stack(stack).map_err(invalid)?;
    Ok(state)
}

/// Checks that `state` may replace the stored `current` (same lineage unless the stored
/// one has none, not older, unless `replace` allows anything), gives a new state a
/// lineage and bumps the serial.
fn prepare_write(
    location: &str,
    current: &State,
    state: &mut State,
    replace: Replace,
) -> Result<(), StateStoreError> {
    if replace == Replace::Forward && current.serial > 0 && !current.lineage.is_empty() {
        if state.lineage.is_empty() {
            // A state built afresh (`state recover`) continues the stored one's history.
            state.lineage = current.lineage.clone();
            state.serial = state.serial.max(current.serial);
        }
        if state.lineage != current.lineage || state.serial < current.serial {
            return Err(StateStoreError::Refused {
                location: location.to_string(),
                reason: format!(
                    "this run's state (lineage {}, serial {}) would overwrite a newer or other \
                     state (lineage {}, serial {})",
                    state.lineage, state.serial, current.lineage, current.serial
                ),
            });
        }
    }
    if state.lineage.is_empty() {
        state.lineage = random_id();
    }
    state.serial += 1;
    Ok(())
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A random 128-bit id in hex.
fn random_id() -> String {
    let part = || {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        h.write_u32(std::process::id());
        h.finish()
    };
    format!("{:016x}{:016x}", part(), part())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown-host".into())
}
