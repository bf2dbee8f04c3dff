//! Whether a freshly downloaded list may replace the installed one.
//!
//! A list that parses can still be wrong: a download cut short, an error page that happens to
//! look like a list, a publisher's bad day. Before `compliance lists fetch` replaces anything
//! it asks [`check_update`], which rejects a list with fewer entries than a minimum or one that
//! shrank by more than a fraction of the installed version. Sanctions lists grow and shrink a
//! little with every publication; they do not lose a tenth of their entries overnight.
//!
//! [`unconfirmed`] is the reader's side of the manifest: the lists a `manifest.json` names
//! that were not loaded with the exact content it records (an update still being written).
//!
//! Pure: no I/O.

use std::fmt;

use super::{Manifest, ManifestList};
use crate::screening::{ListVersion, SanctionsList};

/// What a replacement list must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdatePolicy {
    /// Fewer entries than this and the list is rejected, installed version or not.
    pub min_entries: usize,
    /// Largest accepted loss of entries against the installed version, as a fraction of its
    /// entries (0.1: a list of 1,000 may drop to 900, not to 899). 1.0 accepts any shrinkage.
    pub max_shrink: f64,
}

impl UpdatePolicy {
    pub const DEFAULT_MIN_ENTRIES: usize = 10;
    pub const DEFAULT_MAX_SHRINK: f64 = 0.10;
}

impl Default for UpdatePolicy {
    fn default() -> Self {
        Self {
            min_entries: Self::DEFAULT_MIN_ENTRIES,
            max_shrink: Self::DEFAULT_MAX_SHRINK,
        }
    }
}

/// Why a list was not accepted.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// Fewer entries than [`UpdatePolicy::min_entries`].
    TooFewEntries { entries: usize, minimum: usize },
    /// Lost more than [`UpdatePolicy::max_shrink`] of the installed version's entries.
    Shrank {
        previous: usize,
        entries: usize,
        max_shrink: f64,
    },
    /// The installed version is of another list: the caller paired them wrongly.
    OtherList { installed: String },
    /// The version says one number of entries, the list holds another.
    CountMismatch { declared: usize, loaded: usize },
}

/// A list that must not replace the installed one, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateRejected {
    /// The list id (`ofac_sdn`, `un_sc`, …).
    pub list: String,
    pub reason: Rejection,
}

fn percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::TooFewEntries { entries, minimum } => write!(
                f,
                "only {entries} entries, fewer than the minimum of {minimum}"
            ),
            Rejection::Shrank {
                previous,
                entries,
                max_shrink,
            } => write!(
                f,
                "shrank from {previous} to {entries} entries (-{}), more than the {} allowed",
                percent(shrinkage(*previous, *entries)),
                percent(*max_shrink)
            ),
            Rejection::OtherList { installed } => {
                write!(f, "compared with another list ({installed})")
            }
            Rejection::CountMismatch { declared, loaded } => {
                write!(f, "declares {declared} entries but holds {loaded}")
            }
        }
    }
}

impl fmt::Display for UpdateRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.list, self.reason)
    }
}

impl std::error::Error for UpdateRejected {}

/// The fraction of `previous` entries lost (0 when the list did not shrink).
pub fn shrinkage(previous: usize, entries: usize) -> f64 {
    if previous == 0 || entries >= previous {
        0.0
    } else {
        (previous - entries) as f64 / previous as f64
    }
}

/// Accepts `new` as the replacement of `previous` (the installed version, `None` when the list
/// is not installed yet) or says why not. A `max_shrink` outside 0..=1 (or NaN) is read as 0:
/// the strictest reading of a policy that makes no sense.
pub fn check_update(
    previous: Option<&ListVersion>,
    new: &SanctionsList,
    policy: &UpdatePolicy,
) -> Result<(), UpdateRejected> {
    let reject = |reason| {
        Err(UpdateRejected {
            list: new.version.id.clone(),
            reason,
        })
    };
    let entries = new.entries.len();
    if new.version.entries != entries {
        return reject(Rejection::CountMismatch {
            declared: new.version.entries,
            loaded: entries,
        });
    }
    if entries < policy.min_entries {
        return reject(Rejection::TooFewEntries {
            entries,
            minimum: policy.min_entries,
        });
    }
    let Some(previous) = previous else {
        return Ok(());
    };
    if previous.id != new.version.id {
        return reject(Rejection::OtherList {
            installed: previous.id.clone(),
        });
    }
    let max_shrink = if (0.0..=1.0).contains(&policy.max_shrink) {
        policy.max_shrink
    } else {
        0.0
    };
    if shrinkage(previous.entries, entries) > max_shrink {
        return reject(Rejection::Shrank {
            previous: previous.entries,
            entries,
            max_shrink,
        });
    }
    Ok(())
}

/// The lists `manifest` names that are not among `lists` with the entry count and SHA-256 it
/// records: empty when the files read are exactly the set the manifest was written for. A
/// reader that finds some is reading while an update is being written (or after one failed
/// half-way) and should read again or fall back to the previous set.
pub fn unconfirmed<'m>(manifest: &'m Manifest, lists: &[SanctionsList]) -> Vec<&'m ManifestList> {
    manifest
        .lists
        .iter()
        .filter(|m| {
            !lists.iter().any(|l| {
                l.version.id == m.id && l.version.sha256 == m.sha256 && l.entries.len() == m.entries
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screening::{EntityType, ListEntry};

    fn list(id: &str, entries: usize) -> SanctionsList {
        SanctionsList {
            version: ListVersion {
                id: id.into(),
                source: "test".into(),
                published: None,
                entries,
                sha256: format!("{id}-{entries}"),
            },
            entries: (0..entries)
                .map(|i| ListEntry::new(i.to_string(), format!("NAME {i}"), EntityType::Entity))
                .collect(),
        }
    }

    #[test]
    fn a_first_install_needs_only_the_minimum() {
        let policy = UpdatePolicy::default();
        assert_eq!(check_update(None, &list("ofac_sdn", 10), &policy), Ok(()));
        let err = check_update(None, &list("ofac_sdn", 9), &policy).unwrap_err();
        assert_eq!(
            err.reason,
            Rejection::TooFewEntries {
                entries: 9,
                minimum: 10
            }
        );
        assert_eq!(
            err.to_string(),
            "ofac_sdn: only 9 entries, fewer than the minimum of 10"
        );
    }

    #[test]
    fn shrinkage_up_to_the_fraction_is_accepted() {
        let policy = UpdatePolicy::default();
        let installed = list("ofac_sdn", 1000).version;
        for n in [900, 1000, 1500] {
            assert_eq!(
                check_update(Some(&installed), &list("ofac_sdn", n), &policy),
                Ok(()),
                "{n}"
            );
        }
        let err = check_update(Some(&installed), &list("ofac_sdn", 899), &policy).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ofac_sdn: shrank from 1000 to 899 entries (-10.1%), more than the 10% allowed"
        );
    }

    #[test]
    fn a_sharp_drop_is_rejected_and_a_looser_policy_accepts_it() {
        let installed = list("un_sc", 1003).version;
        let truncated = list("un_sc", 17);
        let err = check_update(Some(&installed), &truncated, &UpdatePolicy::default()).unwrap_err();
        assert!(matches!(
            err.reason,
            Rejection::Shrank {
                previous: 1003,
                entries: 17,
                ..
            }
        ));
        assert!(err.to_string().contains("(-98.3%)"), "{err}");
        let loose = UpdatePolicy {
            min_entries: 1,
            max_shrink: 1.0,
        };
        assert_eq!(check_update(Some(&installed), &truncated, &loose), Ok(()));
    }

    #[test]
    fn a_nonsensical_fraction_is_read_strictly() {
        let installed = list("ofac_sdn", 100).version;
        for max_shrink in [f64::NAN, -0.5, 7.0] {
            let policy = UpdatePolicy {
                min_entries: 1,
                max_shrink,
            };
            assert!(check_update(Some(&installed), &list("ofac_sdn", 99), &policy).is_err());
            assert!(check_update(Some(&installed), &list("ofac_sdn", 100), &policy).is_ok());
        }
    }

    #[test]
    fn other_list_and_inconsistent_counts_are_rejected() {
        let policy = UpdatePolicy::default();
        let err = check_update(
            Some(&list("un_sc", 100).version),
            &list("ofac_sdn", 100),
            &policy,
        )
        .unwrap_err();
        assert_eq!(
            err.reason,
            Rejection::OtherList {
                installed: "un_sc".into()
            }
        );
        let mut lying = list("ofac_sdn", 50);
        lying.version.entries = 5000;
        let err = check_update(None, &lying, &policy).unwrap_err();
        assert_eq!(
            err.reason,
            Rejection::CountMismatch {
                declared: 5000,
                loaded: 50
            }
        );
    }

    #[test]
    fn a_manifest_is_confirmed_only_by_the_exact_lists() {
        let ofac = list("ofac_sdn", 20);
        let un = list("un_sc", 30);
        let entry = |l: &SanctionsList| ManifestList {
            id: l.version.id.clone(),
            source: "https://example.org".into(),
            published: None,
            fetched_at: "2026-11-26T00:00:00Z".into(),
            files: vec![],
            entries: l.entries.len(),
            sha256: l.version.sha256.clone(),
        };
        let manifest = Manifest {
            lists: vec![entry(&ofac), entry(&un)],
        };
        assert!(unconfirmed(&manifest, &[ofac.clone(), un.clone()]).is_empty());
        let mut changed = ofac.clone();
        changed.version.sha256 = "other".into();
        let missing: Vec<&str> = unconfirmed(&manifest, &[changed, un.clone()])
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        assert_eq!(missing, ["ofac_sdn"]);
        let missing: Vec<&str> = unconfirmed(&manifest, &[un])
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        assert_eq!(missing, ["ofac_sdn"]);
    }
}
