//! The local state file: read with clear errors, written atomically (temp file, fsync,
//! rename), guarded by an exclusive OS lock (`flock` on Unix, `LockFileEx` on Windows,
//! through `std::fs::File::try_lock`) on a lock file that names its holder. The kernel
//! releases the lock when its holder dies, so a killed apply never leaves a stale lock and
//! there is no takeover to race.

use super::{parse_state, prepare_write, LockInfo, Replace, StateStoreError};
use ecs_iac_core::State;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A state file on local disk.
#[derive(Debug, Clone)]
pub(super) struct LocalStore {
    path: PathBuf,
}

impl LocalStore {
    pub(super) fn new(path: PathBuf) -> LocalStore {
        LocalStore { path }
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn lock_path(&self) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push(".lock");
        PathBuf::from(p)
    }

    fn io(&self, source: io::Error) -> StateStoreError {
        StateStoreError::Io {
            location: self.location(),
            source,
        }
    }

    /// The file's text; `None` when there is no file.
    pub(super) fn read(&self) -> Result<Option<String>, StateStoreError> {
        match fs::read_to_string(&self.path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io(e)),
        }
    }

    /// Takes the exclusive lock. Fails at once, naming the holder (pid, host, start time,
    /// command), when another process holds it. The lock is the OS's, on the lock file:
    /// it dies with its holder, so a lock file left by a killed process is simply taken.
    pub(super) fn lock(&self) -> Result<LocalLock, StateStoreError> {
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
                        location: self.location(),
                        holder: if holder.is_empty() {
                            "another process".to_string()
                        } else {
                            holder
                        },
                        advice: format!(
                            "wait for it to finish (the lock in {} is released when that process ends)",
                            path.display()
                        ),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(self.io(e)),
            }
            if !same_file(&file, &path) {
                continue;
            }
            let info = LockInfo::for_this_process();
            let mut file = file;
            file.set_len(0).map_err(|e| self.io(e))?;
            file.write_all(format!("{info}\n").as_bytes())
                .map_err(|e| self.io(e))?;
            file.sync_all().map_err(|e| self.io(e))?;
            return Ok(LocalLock {
                lock: path,
                file,
                store: self.clone(),
                info,
            });
        }
        Err(self.io(io::Error::other(
            "the lock file kept being replaced while taking the lock",
        )))
    }
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

/// Holding the local lock. Released on drop.
#[derive(Debug)]
pub(super) struct LocalLock {
    lock: PathBuf,
    /// The locked file: the OS lock lives as long as it is open.
    file: File,
    store: LocalStore,
    info: LockInfo,
}

impl LocalLock {
    pub(super) fn info(&self) -> &LockInfo {
        &self.info
    }

    pub(super) fn location(&self) -> String {
        self.store.location()
    }

    pub(super) fn load(&self, stack: &str) -> Result<State, StateStoreError> {
        parse_state(&self.location(), stack, self.store.read()?.as_deref())
    }

    /// Writes `state` atomically: checks the file it replaces (never overwriting one that
    /// is corrupt, newer or of another lineage), writes a temp file, fsyncs it, renames it
    /// over the old file and fsyncs the directory.
    pub(super) fn save(&self, state: &mut State, replace: Replace) -> Result<(), StateStoreError> {
        let path = &self.store.path;
        let current = self.load(&state.stack)?;
        prepare_write(&self.location(), &current, state, replace)?;
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
        sync_parent(path);
        Ok(())
    }

    /// Moves the file aside to `FILE.migrated` (after `state migrate`).
    pub(super) fn remove(&self) -> Result<(), StateStoreError> {
        let path = &self.store.path;
        if !path.exists() {
            return Ok(());
        }
        let mut aside = path.clone().into_os_string();
        aside.push(".migrated");
        fs::rename(path, PathBuf::from(aside)).map_err(|e| self.store.io(e))?;
        sync_parent(path);
        Ok(())
    }
}

/// Fsyncs the directory holding `path`, so a rename survives a crash.
fn sync_parent(path: &Path) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

impl Drop for LocalLock {
    fn drop(&mut self) {
        // Deleted while still locked, then unlocked: a process that opened this file in
        // between sees that it is no longer the file at the path and looks again.
        let _ = fs::remove_file(&self.lock);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(store: &LocalStore, stack: &str) -> Result<State, StateStoreError> {
        parse_state(&store.location(), stack, store.read()?.as_deref())
    }

    #[test]
    fn missing_file_is_empty_state_and_save_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path().join("s.state.json"));
        let mut state = load(&store, "demo").unwrap();
        assert_eq!(state.serial, 0);
        let lock = store.lock().unwrap();
        lock.save(&mut state, Replace::Forward).unwrap();
        lock.save(&mut state, Replace::Forward).unwrap();
        let read = load(&store, "demo").unwrap();
        assert_eq!(read.serial, 2);
        assert_eq!(read.lineage.len(), 32);
        assert_eq!(read, state);
    }

    #[test]
    fn second_lock_fails_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path().join("s.state.json"));
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
        let store = LocalStore::new(dir.path().join("s.state.json"));
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
        let store = LocalStore::new(dir.path().join("s.state.json"));
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
                        let mut state = load(&store, "demo").unwrap();
                        held.save(&mut state, Replace::Forward).unwrap();
                        Some(state.serial)
                    })
                })
                .collect();
            let won: Vec<u64> = racers
                .into_iter()
                .filter_map(|r| r.join().unwrap())
                .collect();
            assert_eq!(won, [round + 1], "round {round}: exactly one proceeds");
            assert_eq!(load(&store, "demo").unwrap().serial, round + 1);
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
        let store = LocalStore::new(path.clone());
        for text in ["{ broken", r#"{"format_version": 7}"#] {
            fs::write(&path, text).unwrap();
            let err = load(&store, "demo").unwrap_err().to_string();
            assert!(err.contains("s.state.json"), "{err}");
            let lock = store.lock().unwrap();
            assert!(lock
                .save(&mut State::empty("demo"), Replace::Forward)
                .is_err());
            drop(lock);
            assert_eq!(fs::read_to_string(&path).unwrap(), text);
        }
    }
}
