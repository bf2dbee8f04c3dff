//! Customers: whose document an upload is, what a reviewer has cleared for them, and the
//! judgement of the customer as a whole (see [`view`]).
//!
//! A customer id names the bank's own customer record; it is an identifier, not personal data,
//! but it is still validated strictly because it becomes part of storage keys.

pub mod identity;
pub mod view;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use identity::{Identity, IdentityKey};
pub use view::{assess_customer, CustomerDocument, CustomerStatus, CustomerView};

/// The longest customer id accepted.
pub const MAX_CUSTOMER_ID_LEN: usize = 128;

/// Checks a customer id: 1 to 128 characters of ASCII letters, digits and `. _ - : @`.
/// Anything else (slashes, spaces, `#`, control characters) could break a storage key.
pub fn validate_customer_id(raw: &str) -> Result<String, String> {
    let id = raw.trim();
    if id.is_empty() {
        return Err("the customer id is empty".into());
    }
    if id.len() > MAX_CUSTOMER_ID_LEN {
        return Err(format!(
            "the customer id is {} characters long, more than {MAX_CUSTOMER_ID_LEN}",
            id.len()
        ));
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '@')))
    {
        return Err(format!(
            "the customer id contains {bad:?}: only ASCII letters, digits and . _ - : @ are allowed"
        ));
    }
    Ok(id.to_string())
}

/// Where a document's customer id was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerIdSource {
    /// S3 user metadata `x-amz-meta-customer-id`.
    Metadata,
    /// An S3 object tag (by default `customer-id`).
    Tag,
    /// The object key or file path, through the configured pattern.
    KeyPattern,
    /// `compliance scan --customer ID`.
    CommandLine,
}

impl CustomerIdSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerIdSource::Metadata => "metadata",
            CustomerIdSource::Tag => "tag",
            CustomerIdSource::KeyPattern => "key_pattern",
            CustomerIdSource::CommandLine => "command_line",
        }
    }
}

/// What each source says the customer id is, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerClaims {
    pub command_line: Option<String>,
    pub metadata: Option<String>,
    pub tag: Option<String>,
    pub key_pattern: Option<String>,
}

/// The customer a document belongs to, and where that came from; or why none is known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<CustomerIdSource>,
    /// Why no customer id is recorded although a source gave one (invalid, or sources
    /// disagreeing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl CustomerClaims {
    /// One customer id, or none with the reason. Sources that name different customers are a
    /// problem for a reviewer, never settled by precedence: a document filed under the wrong
    /// customer would be judged against someone else's record.
    pub fn resolve(&self) -> CustomerRef {
        let claims = [
            (CustomerIdSource::CommandLine, &self.command_line),
            (CustomerIdSource::Metadata, &self.metadata),
            (CustomerIdSource::Tag, &self.tag),
            (CustomerIdSource::KeyPattern, &self.key_pattern),
        ];
        let mut valid: Vec<(CustomerIdSource, String)> = Vec::new();
        let mut problems = Vec::new();
        for (source, raw) in claims {
            let Some(raw) = raw.as_deref().filter(|r| !r.trim().is_empty()) else {
                continue;
            };
            match validate_customer_id(raw) {
                Ok(id) => valid.push((source, id)),
                Err(e) => problems.push(format!(
                    "{} gives an invalid customer id: {e}",
                    source.as_str()
                )),
            }
        }
        if let Some((first_source, first)) = valid.first() {
            if let Some((other_source, _)) = valid.iter().find(|(_, id)| id != first) {
                return CustomerRef {
                    id: None,
                    source: None,
                    problem: Some(format!(
                        "{} and {} name different customers",
                        first_source.as_str(),
                        other_source.as_str()
                    )),
                };
            }
            return CustomerRef {
                id: Some(first.clone()),
                source: Some(*first_source),
                problem: (!problems.is_empty()).then(|| problems.join("; ")),
            };
        }
        CustomerRef {
            id: None,
            source: None,
            problem: (!problems.is_empty()).then(|| problems.join("; ")),
        }
    }
}

/// A key layout such as `incoming/{customer_id}/{file}`: literal segments, `*` for any one
/// segment, exactly one `{customer_id}`, and optionally `{file}` last for the rest of the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPattern {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Any,
    CustomerId,
    Rest,
}

impl KeyPattern {
    pub fn parse(pattern: &str) -> Result<Self, String> {
        let parts: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
        let mut segments = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            segments.push(match *part {
                "{customer_id}" => Segment::CustomerId,
                "{file}" if last => Segment::Rest,
                "{file}" => return Err(format!("`{{file}}` must be the last segment of `{pattern}`")),
                "*" => Segment::Any,
                "" => return Err(format!("`{pattern}` has an empty segment")),
                literal if literal.contains(['{', '}', '*']) => {
                    return Err(format!(
                        "segment `{literal}` of `{pattern}`: placeholders are whole segments: {{customer_id}}, {{file}} or *"
                    ))
                }
                literal => Segment::Literal(literal.to_string()),
            });
        }
        match segments
            .iter()
            .filter(|s| **s == Segment::CustomerId)
            .count()
        {
            1 => Ok(Self {
                text: pattern.to_string(),
                segments,
            }),
            0 => Err(format!("`{pattern}` has no {{customer_id}} segment")),
            _ => Err(format!(
                "`{pattern}` has more than one {{customer_id}} segment"
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The customer id segment of a key (or relative path) that fits the pattern.
    pub fn customer_id(&self, key: &str) -> Option<String> {
        let parts: Vec<&str> = key.trim_start_matches('/').split('/').collect();
        let ends_with_rest = self.segments.last() == Some(&Segment::Rest);
        let fits = if ends_with_rest {
            parts.len() >= self.segments.len()
        } else {
            parts.len() == self.segments.len()
        };
        if !fits {
            return None;
        }
        let mut id = None;
        for (segment, part) in self.segments.iter().zip(&parts) {
            match segment {
                Segment::Literal(l) if l != part => return None,
                Segment::CustomerId => id = Some(part.to_string()),
                Segment::Rest if part.is_empty() => return None,
                _ => {}
            }
        }
        id
    }
}

/// A reviewer's decision that a sanctions hit on one customer is not that listed party. It
/// suppresses the same list entry for the same customer only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FalsePositive {
    pub customer_id: String,
    /// List id as in the hit (`ofac-sdn`, `un-consolidated`, …).
    pub list: String,
    pub entry_id: String,
    pub reviewer: String,
    pub reason: String,
    pub recorded_at: DateTime<Utc>,
    /// The document whose hit was reviewed, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
}

/// What the checks know about the document's customer.
#[derive(Debug, Clone, Default)]
pub struct CustomerContext {
    pub customer: CustomerRef,
    /// The customer's remembered false positives; empty without a customer id.
    pub false_positives: Vec<FalsePositive>,
}

impl CustomerContext {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn false_positive(&self, list: &str, entry_id: &str) -> Option<&FalsePositive> {
        let id = self.customer.id.as_deref()?;
        self.false_positives
            .iter()
            .find(|fp| fp.customer_id == id && fp.list == list && fp.entry_id == entry_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_ids_are_validated() {
        assert_eq!(validate_customer_id(" C-1001 ").as_deref(), Ok("C-1001"));
        assert!(validate_customer_id("a/b").is_err());
        assert!(validate_customer_id("DOC#1").is_err());
        assert!(validate_customer_id("").is_err());
        assert!(validate_customer_id(&"x".repeat(129)).is_err());
    }

    #[test]
    fn key_patterns_find_the_customer_segment() {
        let p = KeyPattern::parse("incoming/{customer_id}/{file}").unwrap();
        assert_eq!(
            p.customer_id("incoming/C-1/passport.pdf").as_deref(),
            Some("C-1")
        );
        assert_eq!(
            p.customer_id("incoming/C-1/2026/a.pdf").as_deref(),
            Some("C-1")
        );
        assert_eq!(p.customer_id("incoming/a.pdf"), None);
        assert_eq!(p.customer_id("other/C-1/a.pdf"), None);
        let q = KeyPattern::parse("*/{customer_id}/{file}").unwrap();
        assert_eq!(q.customer_id("eu/C-9/a.pdf").as_deref(), Some("C-9"));
        assert!(KeyPattern::parse("incoming/{file}").is_err());
        assert!(KeyPattern::parse("{file}/{customer_id}").is_err());
        assert!(KeyPattern::parse("in-{customer_id}/{file}").is_err());
    }

    #[test]
    fn disagreeing_sources_name_no_customer() {
        let claims = CustomerClaims {
            metadata: Some("C-1".into()),
            key_pattern: Some("C-2".into()),
            ..Default::default()
        };
        let r = claims.resolve();
        assert_eq!(r.id, None);
        assert!(r.problem.unwrap().contains("different customers"));
        let claims = CustomerClaims {
            metadata: Some("C-1".into()),
            key_pattern: Some("C-1".into()),
            ..Default::default()
        };
        assert_eq!(claims.resolve().source, Some(CustomerIdSource::Metadata));
        let invalid = CustomerClaims {
            tag: Some("a b".into()),
            ..Default::default()
        };
        assert!(invalid.resolve().id.is_none());
        assert!(invalid.resolve().problem.is_some());
    }
}
