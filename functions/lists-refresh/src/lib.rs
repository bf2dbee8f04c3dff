//! Sanctions list refresh, shared by `compliance lists fetch` and the scheduled Lambda.
//!
//! - [`fetch`]: the sources and their official URLs, the URL policy (HTTPS, or HTTP to a
//!   loopback address), downloads (a timeout, a size cap per file, retries with backoff on 5xx
//!   and 429 honouring `Retry-After`), per-source validation, the comparison with the installed
//!   version ([`check_update`](compliance_core::screening::lists::update::check_update)), the
//!   final load of the whole new set, the manifest, and the installation into a folder or under
//!   an S3 prefix (`previous/` kept, `manifest.json` written last). Any failure, of any source,
//!   and nothing is replaced. [`fetch::Fetcher::refresh`] returns a [`fetch::Outcome`]:
//!   installed, unchanged, rejected or failed.
//! - [`lambda`]: the function an EventBridge Scheduler schedule invokes daily: the refresh under
//!   `LISTS_S3_URI`, a `lists_refresh` alert on the alert topic when nothing could be installed,
//!   and a re-screening start message when new lists were installed.

pub mod fetch;
pub mod lambda;

pub use fetch::{
    select, FetchOptions, Fetcher, Installed, ListReport, Log, Outcome, Problem, ProblemKind,
    Selected, Stage, Target, Unchanged, UsageError,
};
pub use lambda::{Config, ListsRefresh, RefreshError, RefreshResponse};
