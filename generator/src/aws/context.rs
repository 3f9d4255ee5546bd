//! What a failed AWS call's message needs to know beyond the error itself: the endpoint, region
//! and profile the command talks to, and whether the user asked for the full error chain.
//!
//! [`super::AwsTarget::sdk_config`] records the target for the thread it runs on (commands drive
//! their SDK calls on one thread, with a current-thread runtime), so an error raised deep in a
//! deploy can still say "nothing answers at `http://127.0.0.1:1`" or "profile `ci` does not
//! exist" without every function passing the target along.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

/// The target of the AWS calls made on this thread, as far as messages need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallContext {
    /// `--endpoint-url` / `AWS_ENDPOINT_URL`, when set.
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
    /// `--profile` / `AWS_PROFILE`, when set.
    pub profile: Option<String>,
    /// For a named profile: the profiles the config files define (empty when they define none).
    /// `None` when no profile is named or the files could not be read.
    pub known_profiles: Option<Vec<String>>,
}

impl CallContext {
    /// The named profile when the config files do not define it.
    pub fn unknown_profile(&self) -> Option<&str> {
        let profile = self.profile.as_deref()?;
        let known = self.known_profiles.as_ref()?;
        (!known.iter().any(|name| name == profile)).then_some(profile)
    }
}

thread_local! {
    static CURRENT: RefCell<CallContext> = RefCell::new(CallContext::default());
}

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// Records the target of the calls this thread makes from now on.
pub fn remember(context: CallContext) {
    CURRENT.with(|current| *current.borrow_mut() = context);
}

/// The target recorded for this thread (empty when none was).
pub fn current() -> CallContext {
    CURRENT.with(|current| current.borrow().clone())
}

/// `--verbose` (or `RUST_LOG`): AWS errors carry their full source chain for a bug report.
pub fn set_verbose(verbose: bool) {
    VERBOSE.store(verbose, Ordering::Relaxed);
}

pub fn verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// The profiles defined in the shared config and credentials files (`AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE` honoured); `None` when the files cannot be read.
pub async fn defined_profiles() -> Option<Vec<String>> {
    let files = aws_runtime::env_config::file::EnvConfigFiles::default();
    let set = aws_config::profile::load(
        &aws_types::os_shim_internal::Fs::real(),
        &aws_types::os_shim_internal::Env::real(),
        &files,
        None,
    )
    .await
    .ok()?;
    let mut profiles: Vec<String> = set.profiles().map(str::to_owned).collect();
    profiles.sort();
    Some(profiles)
}
