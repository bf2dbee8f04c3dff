//! Query string parameters: every one validated, unknown ones refused (a misspelt filter
//! would otherwise silently widen the answer). Errors are messages for a 400.

use aws_lambda_events::query_map::QueryMap;
use chrono::{DateTime, Utc};
use compliance_core::audit::Decision;
use compliance_core::classify::DocType;
use compliance_core::customer::{validate_customer_id, IdentityKey};
use compliance_core::query::{PageRequest, RecordQuery, MAX_PAGE};

/// The longest cursor accepted (ours are far shorter).
const MAX_CURSOR_CHARS: usize = 4096;
/// The longest check id or name accepted.
const MAX_CHECK_ID_CHARS: usize = 100;
const MAX_NAME_CHARS: usize = 300;

const RECORD_FILTERS: [&str; 7] = [
    "decision",
    "doc_type",
    "customer_id",
    "name",
    "check_id",
    "since",
    "until",
];

/// `limit` and `cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageParams {
    pub request: PageRequest,
}

impl PageParams {
    /// The page parameters; any parameter neither a page one nor in `filters` is refused.
    pub fn parse(params: &QueryMap, filters: &[&str]) -> Result<Self, String> {
        for (name, _) in params.iter() {
            if name != "limit" && name != "cursor" && !filters.contains(&name) {
                let mut known = vec!["limit", "cursor"];
                known.extend_from_slice(filters);
                return Err(format!(
                    "unknown parameter `{name}`; known: {}",
                    known.join(", ")
                ));
            }
        }
        let limit = match single(params, "limit")? {
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| format!("limit must be a whole number from 1 to {MAX_PAGE}"))?,
            None => 0,
        };
        let cursor = single(params, "cursor")?;
        if cursor.is_some_and(|c| c.is_empty() || c.len() > MAX_CURSOR_CHARS) {
            return Err("invalid cursor: pass back the `next` of the previous page".into());
        }
        Ok(Self {
            request: PageRequest {
                limit,
                cursor: cursor.map(str::to_string),
            },
        })
    }
}

/// The one value of a parameter; given twice is refused (API Gateway joins repeats with a
/// comma, which no value here may contain except a name).
fn single<'a>(params: &'a QueryMap, name: &str) -> Result<Option<&'a str>, String> {
    match params.all(name).as_deref() {
        None | Some([]) => Ok(None),
        Some([one]) => Ok(Some(one.trim())),
        Some(_) => Err(format!("`{name}` is given more than once")),
    }
}

/// A time as RFC 3339, or a date (`YYYY-MM-DD`, midnight UTC).
pub fn parse_time(name: &str, text: &str) -> Result<DateTime<Utc>, String> {
    compliance_core::query::parse_time(text).ok_or_else(|| {
        format!("`{name}` must be an RFC 3339 time (2026-11-26T04:30:00Z) or a date (2026-11-26)")
    })
}

/// The query and page of `GET /records`. A name needs the identity key: its words are
/// printed with it, never searched in clear.
pub fn records_query(
    params: &QueryMap,
    identity_key: Option<&IdentityKey>,
) -> Result<(RecordQuery, PageRequest), String> {
    let page = PageParams::parse(params, &RECORD_FILTERS)?;
    let mut query = RecordQuery::default();
    if let Some(text) = single(params, "decision")? {
        query.decision = Some(Decision::parse(text).ok_or_else(|| {
            format!(
                "unknown decision `{text}`; one of {}",
                Decision::ALL.map(Decision::as_str).join(", ")
            )
        })?);
    }
    if let Some(text) = single(params, "doc_type")? {
        query.doc_type = Some(DocType::parse(text).ok_or_else(|| {
            format!(
                "unknown doc_type `{text}`; one of {}",
                DocType::ALL.map(DocType::as_str).join(", ")
            )
        })?);
    }
    if let Some(text) = single(params, "customer_id")? {
        query.customer_id = Some(validate_customer_id(text)?);
    }
    if let Some(text) = single(params, "check_id")? {
        let well_formed = !text.is_empty()
            && text.len() <= MAX_CHECK_ID_CHARS
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !well_formed {
            return Err(format!(
                "check_id must be a check id such as aml.sanctions_screening (letters, digits, `.`, `_`, `-`; at most {MAX_CHECK_ID_CHARS})"
            ));
        }
        query.check_id = Some(text.to_string());
    }
    // API Gateway splits values at commas; a name may hold one ("Lindqvist, Anna"), so its
    // pieces are joined back (the words are what is searched, in any order).
    if let Some(pieces) = params.all("name") {
        let name = pieces.join(",");
        let Some(key) = identity_key else {
            return Err(
                "this deployment has no identity key (IDENTITY_KEY_SECRET_ARN), so records cannot be found by name"
                    .into(),
            );
        };
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(format!("`name` is longer than {MAX_NAME_CHARS} characters"));
        }
        query = query.with_name(&name, key);
        if query.name_words.is_empty() {
            return Err("`name` has no words to search for".into());
        }
    }
    if let Some(text) = single(params, "since")? {
        query.since = Some(parse_time("since", text)?);
    }
    if let Some(text) = single(params, "until")? {
        query.until = Some(parse_time("until", text)?);
    }
    if let (Some(since), Some(until)) = (query.since, query.until) {
        if since >= until {
            return Err("`since` must be before `until`".into());
        }
    }
    Ok((query, page.request))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn params(pairs: &[(&str, &str)]) -> QueryMap {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry((*k).to_string())
                .or_default()
                .push((*v).to_string());
        }
        QueryMap::from(map)
    }

    #[test]
    fn every_parameter_is_validated() {
        let ok = records_query(
            &params(&[
                ("decision", "manual_review"),
                ("doc_type", "passport"),
                ("since", "2026-11-01"),
                ("until", "2026-11-26T04:30:00Z"),
                ("limit", "10"),
            ]),
            None,
        );
        let (query, page) = ok.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(query.decision, Some(Decision::ManualReview));
        assert_eq!(query.doc_type, Some(DocType::Passport));
        assert_eq!(page.limit, 10);

        for bad in [
            &[("decision", "maybe")][..],
            &[("doc_type", "novel")],
            &[("customer_id", "not valid")],
            &[("check_id", "a b")],
            &[("since", "yesterday")],
            &[("since", "2026-11-02"), ("until", "2026-11-01")],
            &[("limit", "0")],
            &[("limit", "1001")],
            &[("limit", "ten")],
            &[("name", "Anna Lindqvist")],
            &[("customer", "C-1")],
            &[("decision", "approved"), ("decision", "rejected")],
        ] {
            assert!(records_query(&params(bad), None).is_err(), "{bad:?}");
        }
    }
}
