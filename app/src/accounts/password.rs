//! Password hashing: argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane), run on the
//! blocking pool so that a login never stalls the pages rendering beside it.
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

/// OWASP's recommended minimum for argon2id: m = 19 MiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).map_err(|e| {
        tracing::error!(error = %e, "argon2 parameters");
        AppError::Internal
    })?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) for `password`, with a fresh salt.
pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    hasher()?.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| {
        tracing::error!(error = %e, "argon2 hashing");
        AppError::Internal
    })
}

/// Whether `password` matches `phc`. The parameters come from the stored string, so hashes made
/// with older parameters still verify.
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "stored password hash does not parse");
            false
        }
    }
}

/// Password hashing costs 19 MiB and tens of milliseconds of one core, so a crowd of logins must
/// not be able to start them all at once: one hash per core runs, a few more wait their turn, and
/// one address holds at most `PER_ADDRESS` of those places. Beyond that the request is refused
/// at once (503 or 429, with a Retry-After), before any memory is spent.
pub struct Gate {
    running: tokio::sync::Semaphore,
    /// Hashes running or waiting, in all and per address.
    admitted: std::sync::Mutex<(usize, std::collections::HashMap<String, usize>)>,
    capacity: usize,
    per_address: usize,
}

/// How long a request may wait for a hashing turn before it is told the server is busy.
const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
const PER_ADDRESS: usize = 2;

/// A place at the gate: while it lives, its address holds one of the gate's places.
pub struct Turn<'g> {
    gate: &'g Gate,
    address: String,
    _running: tokio::sync::SemaphorePermit<'g>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.gate.leave(&self.address);
    }
}

impl Gate {
    /// `running` hashes at once, `queue` more waiting, at most `per_address` from one address.
    pub fn new(running: usize, queue: usize, per_address: usize) -> Gate {
        Gate {
            running: tokio::sync::Semaphore::new(running.max(1)),
            admitted: Default::default(),
            capacity: running.max(1) + queue,
            per_address: per_address.max(1),
        }
    }

    /// The server's gate: one running hash per core, a queue of four per core.
    pub fn global() -> &'static Gate {
        static GATE: std::sync::OnceLock<Gate> = std::sync::OnceLock::new();
        GATE.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            Gate::new(cores, 4 * cores, PER_ADDRESS)
        })
    }

    fn leave(&self, address: &str) {
        let mut admitted = self.admitted.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        admitted.0 = admitted.0.saturating_sub(1);
        if let Some(n) = admitted.1.get_mut(address) {
            *n -= 1;
            if *n == 0 {
                admitted.1.remove(address);
            }
        }
    }

    /// Waits for a turn to hash for `address`, or refuses at once when the gate is full
    /// (`Busy`) or the address already holds its share (`TooManyAttempts`).
    pub async fn turn(&self, address: &str) -> Result<Turn<'_>, AppError> {
        {
            let mut admitted = self.admitted.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let mine = admitted.1.get(address).copied().unwrap_or(0);
            if mine >= self.per_address {
                return Err(AppError::TooManyAttempts(1));
            }
            if admitted.0 >= self.capacity {
                tracing::warn!(capacity = self.capacity, "password hashing is saturated");
                return Err(AppError::Busy(1));
            }
            admitted.0 += 1;
            *admitted.1.entry(address.to_owned()).or_insert(0) += 1;
        }
        // From here the place is ours; a refusal below gives it back.
        let leave = |e: AppError| {
            self.leave(address);
            e
        };
        match tokio::time::timeout(MAX_WAIT, self.running.acquire()).await {
            Ok(Ok(running)) => Ok(Turn { gate: self, address: address.to_owned(), _running: running }),
            Ok(Err(_)) => Err(leave(AppError::Internal)),
            Err(_) => Err(leave(AppError::Busy(1))),
        }
    }
}

/// Hashes `password` during `turn`.
pub async fn hash(_turn: &Turn<'_>, password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(|e| {
        tracing::error!(error = %e, "hashing task");
        AppError::Internal
    })?
}

/// Verifies `password` against `phc` during `turn`.
pub async fn verify(_turn: &Turn<'_>, password: String, phc: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || verify_blocking(&password, &phc)).await.map_err(|e| {
        tracing::error!(error = %e, "verification task");
        AppError::Internal
    })
}

/// A hash of a password nobody has, verified when the email is unknown so that the answer takes
/// as long as for a real account and timing does not tell the two apart.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_blocking("decoy password, never valid").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let phc = hash_blocking("chè xanh 2026").expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_blocking("chè xanh 2026", &phc));
        assert!(!verify_blocking("che xanh 2026", &phc));
    }

    #[test]
    fn the_same_password_gets_a_different_salt_each_time() {
        let a = hash_blocking("same").expect("hash");
        let b = hash_blocking("same").expect("hash");
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn a_full_gate_answers_busy_and_one_address_cannot_take_every_place() {
        let gate: &'static Gate = Box::leak(Box::new(Gate::new(1, 2, 2)));
        let running = gate.turn("203.0.113.1").await.expect("runs");
        // Two more places, both waiting for the runner.
        let waiting: Vec<_> = ["203.0.113.1", "203.0.113.2"]
            .into_iter()
            .map(|ip| tokio::spawn(async move { gate.turn(ip).await.map(|_| ()) }))
            .collect();
        tokio::task::yield_now().await;
        while gate.admitted.lock().map(|a| a.0).unwrap_or(0) < 3 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.turn("203.0.113.1").await.err(), Some(AppError::TooManyAttempts(1)), "its share");
        assert_eq!(gate.turn("203.0.113.9").await.err(), Some(AppError::Busy(1)), "the queue is full");
        drop(running);
        for w in waiting {
            assert_eq!(w.await.expect("task"), Ok(()), "the queue is served");
        }
        assert_eq!(gate.admitted.lock().map(|a| (a.0, a.1.len())).unwrap_or((9, 9)), (0, 0), "all left");
        assert!(gate.turn("203.0.113.9").await.is_ok(), "free again");
    }

    #[test]
    fn a_malformed_stored_hash_never_verifies() {
        assert!(!verify_blocking("anything", "not a phc string"));
    }
}
