//! The versioned rules file: which checks run on which document types, how severe a failure
//! is, what it leads to, and the parameters. Invalid files are rejected whole, never half-applied.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::classify::DocType;
use crate::error::CoreError;

/// The rules shipped with the product, used when no rules file is configured.
pub const DEFAULT_RULES: &str = include_str!("../../../config/rules.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Kyc,
    Aml,
    Transaction,
    Gdpr,
    Pii,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// What a failed check leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFail {
    ManualReview,
    Rejected,
}

/// The type of a rule parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A float or an integer.
    Number,
    Integer,
    Bool,
    String,
    /// An array of strings.
    StringList,
    /// A table of numbers by name (for example exchange rates by currency).
    NumberTable,
    /// A table of strings by name (for example a pattern per country).
    StringTable,
}

/// One parameter a check accepts in `params`.
#[derive(Debug)]
pub struct ParamSpec {
    pub check: &'static str,
    pub name: &'static str,
    pub kind: ParamKind,
    pub description: &'static str,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub category: Category,
    pub version: String,
    pub description: String,
    pub severity: Severity,
    pub on_fail: OnFail,
    /// Document types (snake_case); empty or `["*"]` means every type.
    #[serde(default)]
    pub applies_to: Vec<String>,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    #[serde(default)]
    pub params: toml::Table,
}

fn enabled_by_default() -> bool {
    true
}

impl Rule {
    pub fn applies_to(&self, doc_type: DocType) -> bool {
        self.applies_to.is_empty()
            || self
                .applies_to
                .iter()
                .any(|t| t == "*" || t == doc_type.as_str())
    }

    pub fn param_f64(&self, key: &str, default: f64) -> f64 {
        match self.params.get(key) {
            Some(toml::Value::Float(f)) => *f,
            Some(toml::Value::Integer(i)) => *i as f64,
            _ => default,
        }
    }

    pub fn param_i64(&self, key: &str, default: i64) -> i64 {
        match self.params.get(key) {
            Some(toml::Value::Integer(i)) => *i,
            _ => default,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    /// Below this confidence a document goes to manual review.
    pub min_confidence: f64,
}

/// Settings shared by the transaction checks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionSettings {
    /// IANA time zone whose calendar days are the institution's business days (cash is
    /// aggregated per business day, 31 CFR 1010.313).
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// US dollars per one unit of each other currency, to convert amounts before thresholds.
    #[serde(default)]
    pub usd_rates: std::collections::BTreeMap<String, f64>,
}

fn default_timezone() -> String {
    "America/New_York".to_string()
}

impl Default for TransactionSettings {
    fn default() -> Self {
        Self {
            timezone: default_timezone(),
            usd_rates: Default::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub version: String,
    pub classification: Classification,
    #[serde(default)]
    pub transactions: TransactionSettings,
    #[serde(rename = "rule")]
    pub rules: Vec<Rule>,
}

impl RuleSet {
    pub fn default_rules() -> Result<Self, CoreError> {
        Self::parse(DEFAULT_RULES, "built-in rules")
    }

    /// Parses and validates a rules file; `origin` names it in error messages.
    pub fn parse(text: &str, origin: &str) -> Result<Self, CoreError> {
        let rules: RuleSet = toml::from_str(text).map_err(|e| CoreError::Rules {
            path: origin.to_string(),
            detail: e.to_string().trim().to_string(),
        })?;
        rules.validate(origin)?;
        Ok(rules)
    }

    fn validate(&self, origin: &str) -> Result<(), CoreError> {
        let fail = |detail: String| CoreError::Rules {
            path: origin.to_string(),
            detail,
        };
        if self.version.trim().is_empty() {
            return Err(fail("`version` is empty".into()));
        }
        if !(0.0..=1.0).contains(&self.classification.min_confidence) {
            return Err(fail(
                "classification.min_confidence must be within 0..1".into(),
            ));
        }
        let mut seen = BTreeSet::new();
        for rule in &self.rules {
            let known = crate::checks::known_checks();
            if !known.contains(&rule.id.as_str()) {
                return Err(fail(format!(
                    "rule `{}` is not a check this version implements ({})",
                    rule.id,
                    known.join(", ")
                )));
            }
            if !seen.insert(rule.id.as_str()) {
                return Err(fail(format!("rule `{}` is defined twice", rule.id)));
            }
            for t in &rule.applies_to {
                if t != "*" && DocType::parse(t).is_none() {
                    return Err(fail(format!(
                        "rule `{}` applies to unknown document type `{t}`",
                        rule.id
                    )));
                }
            }
        }
        Ok(())
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id && r.enabled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_are_valid_and_cover_every_check() {
        let rules = RuleSet::default_rules().unwrap();
        for id in crate::checks::known_checks() {
            assert!(rules.rule(id).is_some(), "default rules lack {id}");
        }
    }

    #[test]
    fn unknown_rule_is_rejected_with_its_name() {
        let text = DEFAULT_RULES.replace("pii.card_numbers", "pii.made_up");
        let err = RuleSet::parse(&text, "r.toml").unwrap_err().to_string();
        assert!(err.contains("pii.made_up"), "{err}");
    }

    #[test]
    fn syntax_error_reports_line() {
        let err = RuleSet::parse("version = \"1\"\n[classification\n", "r.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
