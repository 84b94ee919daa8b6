//! The local state file: read with clear errors, written atomically (temp file, fsync,
//! rename), guarded by an exclusive lock file that names its holder.

use ecs_iac_core::{State, StateError};
use std::collections::hash_map::RandomState;
use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Errors of the state store. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum StateStoreError {
    /// Reading or writing failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The file is corrupt, from a newer version or from another stack. It is left as is.
    #[error("state file {path}: {source}; the file was left untouched")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: StateError,
    },
    /// Another process holds the lock.
    #[error("state file {path} is locked by {holder}; wait for it to finish, or remove {lock} if that process is gone")]
    Locked {
        /// The state file.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// What the lock file says about its holder.
        holder: String,
    },
}

/// A state file on local disk.
#[derive(Debug, Clone)]
pub struct StateStore {
    path: PathBuf,
}

impl StateStore {
    /// The store at `path`.
    pub fn new(path: impl Into<PathBuf>) -> StateStore {
        StateStore { path: path.into() }
    }

    /// The default path for a stack: `<stack>.state.json` in the working directory.
    pub fn default_path(stack: &str) -> PathBuf {
        PathBuf::from(format!("{stack}.state.json"))
    }

    /// The state file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock_path(&self) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push(".lock");
        PathBuf::from(p)
    }

    fn io(&self, source: io::Error) -> StateStoreError {
        StateStoreError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Reads the state of `stack`; a missing file is an empty state.
    pub fn load(&self, stack: &str) -> Result<State, StateStoreError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(State::empty(stack)),
            Err(e) => return Err(self.io(e)),
        };
        let invalid = |source| StateStoreError::Invalid {
            path: self.path.clone(),
            source,
        };
        let state = State::from_json(&text).map_err(invalid)?;
        state.check_stack(stack).map_err(invalid)?;
        Ok(state)
    }

    /// Takes the exclusive lock. Fails at once, naming the holder, when it is taken. A
    /// lock left by a process of this host that no longer runs (killed with `kill -9`,
    /// say) is taken over.
    pub fn lock(&self) -> Result<StateLock, StateStoreError> {
        let lock = self.lock_path();
        match self.try_lock(&lock) {
            Err(StateStoreError::Locked { holder, .. }) if holder_is_gone(&holder) => {
                tracing::warn!(lock = %lock.display(), %holder, "taking over a lock whose process is gone");
                let _ = fs::remove_file(&lock);
                self.try_lock(&lock)
            }
            other => other,
        }
    }

    fn try_lock(&self, lock: &Path) -> Result<StateLock, StateStoreError> {
        match OpenOptions::new().write(true).create_new(true).open(lock) {
            Ok(mut file) => {
                let holder = format!(
                    "pid {} on {} since {} (unix seconds)\n",
                    std::process::id(),
                    host_name(),
                    unix_seconds()
                );
                file.write_all(holder.as_bytes()).map_err(|e| self.io(e))?;
                file.sync_all().map_err(|e| self.io(e))?;
                Ok(StateLock {
                    lock: lock.to_path_buf(),
                    store: self.clone(),
                })
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let holder = fs::read_to_string(lock)
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                let holder = if holder.is_empty() {
                    "another process".to_string()
                } else {
                    holder
                };
                Err(StateStoreError::Locked {
                    path: self.path.clone(),
                    lock: lock.to_path_buf(),
                    holder,
                })
            }
            Err(e) => Err(self.io(e)),
        }
    }
}

fn host_name() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown-host".into())
}

/// Whether a lock holder line (`pid N on HOST since …`) names a process of this host
/// that has exited. Only decidable where `/proc` exists; elsewhere the lock is kept.
fn holder_is_gone(holder: &str) -> bool {
    let mut words = holder.split_whitespace();
    let (Some("pid"), Some(pid), Some("on"), Some(host)) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    host == host_name()
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Proof of holding the state lock; writes go through it. Released on drop.
#[derive(Debug)]
pub struct StateLock {
    lock: PathBuf,
    store: StateStore,
}

impl StateLock {
    /// Writes `state` atomically: bumps the serial, gives a new state a lineage, writes a
    /// temp file, fsyncs it, renames it over the old file and fsyncs the directory. An
    /// existing file that is corrupt or from a newer version is never overwritten.
    pub fn save(&self, state: &mut State) -> Result<(), StateStoreError> {
        let path = &self.store.path;
        if path.exists() {
            self.store.load(&state.stack)?;
        }
        if state.lineage.is_empty() {
            state.lineage = new_lineage();
        }
        state.serial += 1;
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let io = |e| self.store.io(e);
        {
            let mut file = File::create(&tmp).map_err(io)?;
            file.write_all(state.to_json().as_bytes()).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        fs::rename(&tmp, path).map_err(io)?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.lock);
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A random 128-bit id in hex.
fn new_lineage() -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_empty_state_and_save_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path().join("s.state.json"));
        let mut state = store.load("demo").unwrap();
        assert_eq!(state.serial, 0);
        let lock = store.lock().unwrap();
        lock.save(&mut state).unwrap();
        lock.save(&mut state).unwrap();
        let read = store.load("demo").unwrap();
        assert_eq!(read.serial, 2);
        assert_eq!(read.lineage.len(), 32);
        assert_eq!(read, state);
    }

    #[test]
    fn second_lock_fails_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path().join("s.state.json"));
        let held = store.lock().unwrap();
        let err = store.lock().unwrap_err().to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(held);
        assert!(store.lock().is_ok());
    }

    #[test]
    fn a_lock_left_by_a_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path().join("s.state.json"));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let lock = dir.path().join("s.state.json.lock");
        fs::write(
            &lock,
            format!("pid {dead} on {} since 0 (unix seconds)\n", host_name()),
        )
        .unwrap();
        let held = store.lock().expect("the stale lock is taken over");
        assert!(fs::read_to_string(&lock)
            .unwrap()
            .starts_with(&format!("pid {}", std::process::id())));
        drop(held);
        // A live holder (this process) keeps its lock.
        fs::write(
            &lock,
            format!(
                "pid {} on {} since 0 (unix seconds)\n",
                std::process::id(),
                host_name()
            ),
        )
        .unwrap();
        assert!(store.lock().is_err());
    }

    #[test]
    fn corrupt_or_future_files_are_reported_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.state.json");
        let store = StateStore::new(&path);
        for text in ["{ broken", r#"{"format_version": 7}"#] {
            fs::write(&path, text).unwrap();
            let err = store.load("demo").unwrap_err().to_string();
            assert!(err.contains("s.state.json"), "{err}");
            let lock = store.lock().unwrap();
            assert!(lock.save(&mut State::empty("demo")).is_err());
            drop(lock);
            assert_eq!(fs::read_to_string(&path).unwrap(), text);
        }
    }
}
