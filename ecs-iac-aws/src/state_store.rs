//! The local state file: read with clear errors, written atomically (temp file, fsync,
//! rename), guarded by an exclusive OS lock (`flock` on Unix, `LockFileEx` on Windows,
//! through `std::fs::File::try_lock`) on a lock file that names its holder. The kernel
//! releases the lock when its holder dies, so a killed apply never leaves a stale lock and
//! there is no takeover to race.

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
    #[error("state file {path} is locked by {holder}; wait for it to finish (the lock in {lock} is released when that process ends)")]
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

    /// The outputs another stack's state at this path records, to use as inputs
    /// ([`ecs_iac_core::StackOutputs`]). Reads without taking the lock (the file is
    /// always replaced whole); a missing file, or one of another stack, is an error.
    pub fn outputs(&self, stack: &str) -> Result<ecs_iac_core::StackOutputs, StateStoreError> {
        if !self.path.exists() {
            return Err(self.io(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no state of stack `{stack}` here: apply that stack first (or pass its state file)"),
            )));
        }
        let state = self.load(stack)?;
        Ok(ecs_iac_core::StackOutputs::from_state(
            &state,
            self.path.display().to_string(),
        ))
    }

    /// Takes the exclusive lock. Fails at once, naming the holder (pid, host, start time,
    /// command), when another process holds it. The lock is the OS's, on the lock file:
    /// it dies with its holder, so a lock file left by a killed process is simply taken.
    pub fn lock(&self) -> Result<StateLock, StateStoreError> {
        let path = self.lock_path();
        // The holder deletes the lock file when it releases the lock; a process that
        // opened the old file just before may win the lock on that deleted file. It must
        // not count: look again until the locked file is the one at `path`.
        for _ in 0..100 {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| self.io(e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    let holder = fs::read_to_string(&path)
                        .unwrap_or_default()
                        .trim()
                        .to_string();
                    return Err(StateStoreError::Locked {
                        path: self.path.clone(),
                        lock: path,
                        holder: if holder.is_empty() {
                            "another process".to_string()
                        } else {
                            holder
                        },
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(self.io(e)),
            }
            if !same_file(&file, &path) {
                continue;
            }
            let mut file = file;
            file.set_len(0).map_err(|e| self.io(e))?;
            file.write_all(holder().as_bytes())
                .map_err(|e| self.io(e))?;
            file.sync_all().map_err(|e| self.io(e))?;
            return Ok(StateLock {
                lock: path,
                file,
                store: self.clone(),
            });
        }
        Err(self.io(io::Error::other(
            "the lock file kept being replaced while taking the lock",
        )))
    }
}

/// What the lock file says about its holder: pid, host, start time and command.
fn holder() -> String {
    let command: Vec<String> = std::env::args().collect();
    format!(
        "pid {} on {} since {} running `{}`\n",
        std::process::id(),
        host_name(),
        httpdate::fmt_http_date(SystemTime::now()),
        command.join(" ")
    )
}

/// Whether the open `file` is the file now at `path` (it was not deleted or replaced).
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// Whether the open `file` is the file now at `path` (elsewhere a locked file cannot be
/// deleted, so it always is).
#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

fn host_name() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown-host".into())
}

/// Proof of holding the state lock; writes go through it. Released on drop.
#[derive(Debug)]
pub struct StateLock {
    lock: PathBuf,
    /// The locked file: the OS lock lives as long as it is open.
    file: File,
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
        tmp.push(format!(".{}.tmp", std::process::id()));
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
        // Deleted while still locked, then unlocked: a process that opened this file in
        // between sees that it is no longer the file at the path and looks again.
        let _ = fs::remove_file(&self.lock);
        let _ = self.file.unlock();
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
    fn a_lock_file_left_by_a_dead_process_is_no_lock() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path().join("s.state.json"));
        let lock = dir.path().join("s.state.json.lock");
        fs::write(&lock, "pid 1 on elsewhere since long ago\n").unwrap();
        let held = store.lock().expect("a lock file nobody locks is free");
        let holder = fs::read_to_string(&lock).unwrap();
        assert!(
            holder.starts_with(&format!("pid {} on ", std::process::id())),
            "{holder}"
        );
        assert!(holder.contains(" GMT running `"), "{holder}");
        drop(held);
        assert!(!lock.exists(), "released locks leave no file");
    }

    #[test]
    fn of_two_racing_lockers_exactly_one_proceeds_and_writes_never_interleave() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path().join("s.state.json"));
        let lock = dir.path().join("s.state.json.lock");
        for round in 0..50u64 {
            // A lock file a killed run left behind, as the race was first seen.
            fs::write(&lock, "pid 999999 on this host since before\n").unwrap();
            let (start, tried) = (
                std::sync::Arc::new(std::sync::Barrier::new(2)),
                std::sync::Arc::new(std::sync::Barrier::new(2)),
            );
            let racers: Vec<_> = (0..2)
                .map(|_| {
                    let (store, start, tried) = (store.clone(), start.clone(), tried.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        let held = store.lock();
                        // The winner holds the lock until the other has tried.
                        tried.wait();
                        let held = held.ok()?;
                        let mut state = store.load("demo").unwrap();
                        held.save(&mut state).unwrap();
                        Some(state.serial)
                    })
                })
                .collect();
            let won: Vec<u64> = racers
                .into_iter()
                .filter_map(|r| r.join().unwrap())
                .collect();
            assert_eq!(won, [round + 1], "round {round}: exactly one proceeds");
            assert_eq!(store.load("demo").unwrap().serial, round + 1);
        }
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
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
