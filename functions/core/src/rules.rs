//! The versioned rules file: which checks run on which document types, how severe a failure
//! is, what it leads to, and the parameters. Invalid files are rejected whole, never half-applied:
//! every problem is collected with its line and column, and any problem rejects the file.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::classify::DocType;
use crate::error::CoreError;

/// The rules shipped with the product, used when no rules file is configured.
pub const DEFAULT_RULES: &str = include_str!("../../../config/rules.toml");

/// Largest rules file accepted, in bytes: a rules file is configuration, not data.
pub const MAX_RULES_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Kyc,
    Aml,
    Transaction,
    Gdpr,
    Pii,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Kyc,
        Category::Aml,
        Category::Transaction,
        Category::Gdpr,
        Category::Pii,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Kyc => "kyc",
            Category::Aml => "aml",
            Category::Transaction => "transaction",
            Category::Gdpr => "gdpr",
            Category::Pii => "pii",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The category a rule id names by its prefix: `kyc.…` is KYC, `transaction.…` is
    /// transaction, and so on.
    pub fn of_rule_id(id: &str) -> Option<Category> {
        id.split_once('.')
            .and_then(|(prefix, _)| Category::parse(prefix))
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What a failed check leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnFail {
    ManualReview,
    Rejected,
}

impl OnFail {
    pub const ALL: [OnFail; 2] = [OnFail::ManualReview, OnFail::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            OnFail::ManualReview => "manual_review",
            OnFail::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<OnFail> {
        OnFail::ALL.into_iter().find(|v| v.as_str() == s)
    }
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
    /// A table of strings by name.
    StringTable,
    /// A table of regular expressions by name (for example a document number format per
    /// country), each compiled when the rules are validated.
    PatternTable,
}

impl ParamKind {
    /// What a value of this kind is, for messages: "a number", "an array of strings", …
    pub fn describe(self) -> &'static str {
        match self {
            ParamKind::Number => "a number",
            ParamKind::Integer => "an integer",
            ParamKind::Bool => "true or false",
            ParamKind::String => "a string",
            ParamKind::StringList => "an array of strings",
            ParamKind::NumberTable => "a table of numbers",
            ParamKind::StringTable => "a table of strings",
            ParamKind::PatternTable => "a table of regular expressions",
        }
    }
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

/// Parameter accessors. A validated rule set has every declared parameter of its declared
/// kind, so `None` (or the default) means the parameter was not given.
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

    pub fn param_bool(&self, key: &str, default: bool) -> bool {
        match self.params.get(key) {
            Some(toml::Value::Boolean(b)) => *b,
            _ => default,
        }
    }

    pub fn param_str(&self, key: &str) -> Option<&str> {
        self.params.get(key).and_then(toml::Value::as_str)
    }

    /// A [`ParamKind::StringList`] parameter.
    pub fn param_str_list(&self, key: &str) -> Option<Vec<&str>> {
        let items = self.params.get(key)?.as_array()?;
        Some(items.iter().filter_map(toml::Value::as_str).collect())
    }

    /// A [`ParamKind::NumberTable`] parameter (integers are converted).
    pub fn param_number_table(&self, key: &str) -> Option<BTreeMap<String, f64>> {
        let table = self.params.get(key)?.as_table()?;
        Some(
            table
                .iter()
                .filter_map(|(k, v)| {
                    let n = match v {
                        toml::Value::Float(f) => *f,
                        toml::Value::Integer(i) => *i as f64,
                        _ => return None,
                    };
                    Some((k.clone(), n))
                })
                .collect(),
        )
    }

    /// A [`ParamKind::StringTable`] parameter.
    pub fn param_string_table(&self, key: &str) -> Option<BTreeMap<String, String>> {
        let table = self.params.get(key)?.as_table()?;
        Some(
            table
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect(),
        )
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

/// What a customer needs for onboarding (`[customer]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerSettings {
    /// Each requirement is met by an approved document of one of its types.
    #[serde(default)]
    pub required: Vec<CustomerRequirement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerRequirement {
    /// In plain words, as reviewers read it: `identity document`.
    pub name: String,
    pub types: Vec<DocType>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub version: String,
    pub classification: Classification,
    #[serde(default)]
    pub transactions: TransactionSettings,
    #[serde(default)]
    pub customer: CustomerSettings,
    #[serde(rename = "rule")]
    pub rules: Vec<Rule>,
}

/// One problem of a rules file, at the line and column (both from 1, the column in
/// characters) of the offending key or value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl RuleSet {
    pub fn default_rules() -> Result<Self, CoreError> {
        Self::parse(DEFAULT_RULES, "built-in rules")
    }

    /// Reads, parses and validates a rules file (at most [`MAX_RULES_BYTES`]).
    pub fn from_file(path: &Path) -> Result<Self, CoreError> {
        use std::io::Read;
        let origin = path.display().to_string();
        let unreadable = |e: std::io::Error| CoreError::Rules {
            path: origin.clone(),
            detail: format!("cannot read: {e}"),
        };
        let file = std::fs::File::open(path).map_err(unreadable)?;
        let mut bytes = Vec::new();
        file.take(MAX_RULES_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        Self::parse_bytes(&bytes, &origin)
    }

    /// Parses and validates a rules file given as bytes (for example an S3 object): they must
    /// be UTF-8 and at most [`MAX_RULES_BYTES`].
    pub fn parse_bytes(bytes: &[u8], origin: &str) -> Result<Self, CoreError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Self::parse(text, origin),
            Err(e) => {
                // Locate the first bad byte in the valid text before it.
                let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
                let (line, column) = line_col(valid, valid.len());
                Err(CoreError::RulesInvalid {
                    origin: origin.to_string(),
                    version: None,
                    problems: vec![RuleProblem {
                        line,
                        column,
                        message: "the rules file is not UTF-8 text".into(),
                    }],
                })
            }
        }
    }

    /// Parses and validates a rules file; `origin` names it in error messages. Every problem
    /// is reported ([`CoreError::RulesInvalid`]), each with its line and column.
    pub fn parse(text: &str, origin: &str) -> Result<Self, CoreError> {
        let invalid =
            |version: Option<String>, problems: Vec<RuleProblem>| CoreError::RulesInvalid {
                origin: origin.to_string(),
                version,
                problems,
            };
        if text.len() > MAX_RULES_BYTES {
            return Err(invalid(
                None,
                vec![RuleProblem {
                    line: 1,
                    column: 1,
                    message: format!(
                        "the rules file is over {} bytes, the most a rules file may have",
                        MAX_RULES_BYTES
                    ),
                }],
            ));
        }
        let (version, problems) = check(text);
        if !problems.is_empty() {
            return Err(invalid(version, problems));
        }
        // Every rule of the schema is checked above; the typed parse cannot fail on a file
        // that passed, but if it does the file is still rejected whole, with the position.
        toml::from_str::<RuleSet>(text).map_err(|e| {
            let (line, column) = line_col(text, e.span().map_or(0, |s| s.start));
            invalid(
                version,
                vec![RuleProblem {
                    line,
                    column,
                    message: e.message().trim().to_string(),
                }],
            )
        })
    }

    /// The enabled rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id && r.enabled)
    }
}

/// Line and column (from 1; the column in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}

/// Every problem of a rules file, sorted by position, and its `version` when it has one.
fn check(text: &str) -> (Option<String>, Vec<RuleProblem>) {
    let (document, syntax_errors) = DeTable::parse_recoverable(text);
    let mut checker = Checker {
        problems: Vec::new(),
    };
    for e in &syntax_errors {
        let span = e.span().unwrap_or(0..0);
        checker.report(span, format!("invalid TOML: {}", e.message().trim()));
    }
    // A broken file is judged on its syntax alone: what the parser recovered is a guess.
    let version = if syntax_errors.is_empty() {
        checker.document(document.get_ref())
    } else {
        None
    };
    let mut problems: Vec<(usize, RuleProblem)> = checker
        .problems
        .into_iter()
        .map(|(span, message)| {
            let (line, column) = line_col(text, span.start);
            (
                span.start,
                RuleProblem {
                    line,
                    column,
                    message,
                },
            )
        })
        .collect();
    problems.sort_by_key(|(offset, _)| *offset);
    problems.dedup_by(|a, b| a.1 == b.1);
    (version, problems.into_iter().map(|(_, p)| p).collect())
}

type Value<'i> = Spanned<DeValue<'i>>;

const TOP_LEVEL_KEYS: &str = "version, [classification], [transactions], [customer], [[rule]]";
const RULE_KEYS: [&str; 9] = [
    "id",
    "category",
    "version",
    "description",
    "severity",
    "on_fail",
    "applies_to",
    "enabled",
    "params",
];
/// Required keys of a rule other than `id`, with what they take.
const REQUIRED_RULE_KEYS: [(&str, &str); 5] = [
    ("category", "kyc, aml, transaction, gdpr or pii"),
    ("version", "the rule's version, e.g. \"1.0.0\""),
    ("description", "what the rule checks"),
    ("severity", "low, medium, high or critical"),
    ("on_fail", "manual_review or rejected"),
];

fn a_type(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(..) => "a string",
        DeValue::Integer(..) => "an integer",
        DeValue::Float(..) => "a float",
        DeValue::Boolean(..) => "a boolean",
        DeValue::Datetime(..) => "a datetime",
        DeValue::Array(..) => "an array",
        DeValue::Table(..) => "a table",
    }
}

fn entries<'a, 'i>(
    table: &'a DeTable<'i>,
) -> impl Iterator<Item = (&'a str, Range<usize>, &'a Value<'i>)> {
    table
        .iter()
        .map(|(k, v)| (k.get_ref().as_ref(), k.span(), v))
}

fn find<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a Value<'i>> {
    entries(table)
        .find(|(k, _, _)| *k == key)
        .map(|(_, _, v)| v)
}

fn vocabulary(items: impl IntoIterator<Item = &'static str>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

/// The semantic checks of a syntactically valid rules file, each problem at a byte span.
struct Checker {
    problems: Vec<(Range<usize>, String)>,
}

impl Checker {
    fn report(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems.push((span, message.into()));
    }

    fn string<'v>(&mut self, value: &'v Value<'_>, what: &str) -> Option<&'v str> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            other => {
                self.report(
                    value.span(),
                    format!("{what} must be a string, not {}", a_type(other)),
                );
                None
            }
        }
    }

    fn table<'v, 'i>(&mut self, value: &'v Value<'i>, what: &str) -> Option<&'v DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.report(
                    value.span(),
                    format!("{what} must be a table, not {}", a_type(other)),
                );
                None
            }
        }
    }

    /// A finite number (integer or float), or a problem naming `what`.
    fn number(&mut self, value: &Value<'_>, what: &str) -> Option<f64> {
        match number(value.get_ref()) {
            Ok(n) => Some(n),
            Err(found) => {
                self.report(
                    value.span(),
                    format!("{what} must be a finite number, not {found}"),
                );
                None
            }
        }
    }

    fn document(&mut self, doc: &DeTable<'_>) -> Option<String> {
        let mut version = None;
        let (mut has_version, mut has_classification, mut has_rules) = (false, false, false);
        for (key, key_span, value) in entries(doc) {
            match key {
                "version" => {
                    has_version = true;
                    version = self.version(value);
                }
                "classification" => {
                    has_classification = true;
                    self.classification(value);
                }
                "transactions" => self.transactions(value),
                "customer" => self.customer(value),
                "rule" => {
                    has_rules = true;
                    self.rules(value);
                }
                other => self.report(
                    key_span,
                    format!("unknown top-level key `{other}` (allowed: {TOP_LEVEL_KEYS})"),
                ),
            }
        }
        if !has_version {
            self.report(
                0..0,
                "missing `version`: the rules file needs a version, e.g. version = \"2026.11.0\" (it lands in every audit record)",
            );
        }
        if !has_classification {
            self.report(
                0..0,
                "missing [classification] table with min_confidence (a number from 0 to 1)",
            );
        }
        if !has_rules {
            self.report(
                0..0,
                "no [[rule]] sections: a rules file must define at least one rule",
            );
        }
        version
    }

    fn version(&mut self, value: &Value<'_>) -> Option<String> {
        let version = self.string(value, "`version`")?;
        if version.trim().is_empty() {
            self.report(
                value.span(),
                "`version` is empty: give the rules a version, e.g. \"2026.11.0\" (it lands in every audit record)",
            );
            return None;
        }
        Some(version.to_string())
    }

    fn classification(&mut self, value: &Value<'_>) {
        let Some(table) = self.table(value, "[classification]") else {
            return;
        };
        let mut has_min = false;
        for (key, key_span, value) in entries(table) {
            match key {
                "min_confidence" => {
                    has_min = true;
                    let what = "classification.min_confidence";
                    if let Some(n) = self.number(value, what) {
                        if !(0.0..=1.0).contains(&n) {
                            self.report(
                                value.span(),
                                format!("{what} is {n}: it must be between 0 and 1"),
                            );
                        }
                    }
                }
                other => self.report(
                    key_span,
                    format!("unknown key `{other}` in [classification] (allowed: min_confidence)"),
                ),
            }
        }
        if !has_min {
            self.report(
                value.span(),
                "[classification] lacks min_confidence (a number from 0 to 1)",
            );
        }
    }

    fn customer(&mut self, value: &Value<'_>) {
        let Some(table) = self.table(value, "[customer]") else {
            return;
        };
        for (key, key_span, value) in entries(table) {
            if key != "required" {
                self.report(
                    key_span,
                    format!("unknown key `{key}` in [customer] (allowed: required)"),
                );
                continue;
            }
            let DeValue::Array(items) = value.get_ref() else {
                self.report(
                    value.span(),
                    format!(
                        "customer.required must be an array of tables ([[customer.required]] sections), not {}",
                        a_type(value.get_ref())
                    ),
                );
                continue;
            };
            let mut names: Vec<String> = Vec::new();
            for (n, item) in items.iter().enumerate() {
                let what = format!("customer.required #{}", n + 1);
                let Some(req) = self.table(item, &what) else {
                    continue;
                };
                let (mut has_name, mut has_types) = (false, false);
                for (key, key_span, value) in entries(req) {
                    match key {
                        "name" => {
                            has_name = true;
                            if let Some(name) = self.string(value, &format!("{what}: name")) {
                                if name.trim().is_empty() {
                                    self.report(value.span(), format!("{what}: name is empty"));
                                } else if names.iter().any(|n| n == name) {
                                    self.report(
                                        value.span(),
                                        format!("{what}: `{name}` is required twice"),
                                    );
                                } else {
                                    names.push(name.to_string());
                                }
                            }
                        }
                        "types" => {
                            has_types = true;
                            self.document_types(&what, value);
                        }
                        other => self.report(
                            key_span,
                            format!("{what}: unknown key `{other}` (allowed: name, types)"),
                        ),
                    }
                }
                if !has_name || !has_types {
                    self.report(
                        item.span(),
                        format!("{what} needs a `name` and `types` (document types)"),
                    );
                }
            }
        }
    }

    /// A non-empty array of document type names (no `*`).
    fn document_types(&mut self, what: &str, value: &Value<'_>) {
        let allowed = || vocabulary(DocType::ALL.map(DocType::as_str));
        let DeValue::Array(items) = value.get_ref() else {
            self.report(
                value.span(),
                format!(
                    "{what}: `types` must be an array of document types, not {}",
                    a_type(value.get_ref())
                ),
            );
            return;
        };
        if items.is_empty() {
            self.report(
                value.span(),
                format!("{what}: `types` is empty: name the document types that meet it"),
            );
        }
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(t) if DocType::parse(t).is_some() => {}
                DeValue::String(t) => self.report(
                    item.span(),
                    format!(
                        "{what}: unknown document type `{t}` (allowed: {})",
                        allowed()
                    ),
                ),
                other => self.report(
                    item.span(),
                    format!(
                        "{what}: `types` holds {}; it takes document type names",
                        a_type(other)
                    ),
                ),
            }
        }
    }

    fn transactions(&mut self, value: &Value<'_>) {
        let Some(table) = self.table(value, "[transactions]") else {
            return;
        };
        for (key, key_span, value) in entries(table) {
            match key {
                "timezone" => {
                    let Some(zone) = self.string(value, "transactions.timezone") else {
                        continue;
                    };
                    if !is_iana_zone_name(zone) {
                        self.report(
                            value.span(),
                            format!(
                                "transactions.timezone `{zone}` is not a time zone of the IANA \
                                 database (spelled exactly, e.g. America/New_York, Europe/Berlin, UTC)"
                            ),
                        );
                    }
                }
                "usd_rates" => {
                    let Some(rates) = self.table(value, "transactions.usd_rates") else {
                        continue;
                    };
                    for (currency, currency_span, rate) in entries(rates) {
                        let what = format!("transactions.usd_rates.{currency}");
                        if !is_currency_code(currency) {
                            self.report(
                                currency_span,
                                format!(
                                    "{what}: `{currency}` is not an ISO 4217 currency code \
                                     (three upper-case letters, e.g. EUR)"
                                ),
                            );
                        }
                        if let Some(n) = self.number(rate, &what) {
                            if n <= 0.0 {
                                self.report(
                                    rate.span(),
                                    format!(
                                        "{what} is {n}: a rate is US dollars per unit, a number above 0"
                                    ),
                                );
                            }
                        }
                    }
                }
                other => self.report(
                    key_span,
                    format!(
                        "unknown key `{other}` in [transactions] (allowed: timezone, usd_rates)"
                    ),
                ),
            }
        }
    }

    fn rules(&mut self, value: &Value<'_>) {
        let DeValue::Array(items) = value.get_ref() else {
            self.report(
                value.span(),
                format!(
                    "`rule` must be an array of tables (a [[rule]] section per rule), not {}",
                    a_type(value.get_ref())
                ),
            );
            return;
        };
        if items.is_empty() {
            self.report(
                value.span(),
                "no rules: a rules file must define at least one [[rule]]",
            );
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (n, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::Table(table) => self.rule(n + 1, item.span(), table, &mut seen),
                other => self.report(
                    item.span(),
                    format!(
                        "rule #{} must be a table (a [[rule]] section), not {}",
                        n + 1,
                        a_type(other)
                    ),
                ),
            }
        }
    }

    fn rule(
        &mut self,
        n: usize,
        header: Range<usize>,
        table: &DeTable<'_>,
        seen: &mut BTreeMap<String, usize>,
    ) {
        let known = crate::checks::known_checks();
        let id_value = find(table, "id");
        let id = match id_value.map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => Some(s.as_ref()),
            _ => None,
        };
        let name = match id {
            Some(id) => format!("rule `{id}`"),
            None => format!("rule #{n}"),
        };
        let known_id = id.filter(|id| known.contains(id));
        match (id_value, id) {
            (None, _) => self.report(
                header.clone(),
                format!(
                    "{name}: missing `id` (the check it configures: {})",
                    vocabulary(known.iter().copied())
                ),
            ),
            (Some(value), None) => {
                self.string(value, &format!("{name}: `id`"));
            }
            (Some(value), Some(id)) => {
                if known_id.is_none() {
                    self.report(
                        value.span(),
                        format!(
                            "unknown rule id `{id}`: this build implements {}",
                            vocabulary(known.iter().copied())
                        ),
                    );
                }
                if let Some(first) = seen.get(id) {
                    self.report(
                        value.span(),
                        format!("rule `{id}` is defined twice (first as rule #{first}); each id may appear once"),
                    );
                } else {
                    seen.insert(id.to_string(), n);
                }
            }
        }
        for (key, key_span, value) in entries(table) {
            match key {
                "id" => {}
                "category" => {
                    let Some(text) = self.string(value, &format!("{name}: `category`")) else {
                        continue;
                    };
                    let allowed = vocabulary(Category::ALL.map(Category::as_str));
                    match Category::parse(text) {
                        None => self.report(
                            value.span(),
                            format!("{name}: unknown category `{text}` (allowed: {allowed})"),
                        ),
                        Some(category) => {
                            let expected = id.and_then(Category::of_rule_id);
                            if let Some(expected) = expected.filter(|e| *e != category) {
                                self.report(
                                    value.span(),
                                    format!(
                                        "{name}: category `{category}` does not match the id's prefix: \
                                         a `{expected}.` rule has category `{expected}`"
                                    ),
                                );
                            }
                        }
                    }
                }
                "version" => {
                    if let Some(text) = self.string(value, &format!("{name}: `version`")) {
                        if text.trim().is_empty() {
                            self.report(
                                value.span(),
                                format!(
                                    "{name}: `version` is empty: give the rule a version, e.g. \"1.0.0\" \
                                     (it lands in every check result)"
                                ),
                            );
                        }
                    }
                }
                "description" => {
                    self.string(value, &format!("{name}: `description`"));
                }
                "severity" => {
                    if let Some(text) = self.string(value, &format!("{name}: `severity`")) {
                        if Severity::parse(text).is_none() {
                            self.report(
                                value.span(),
                                format!(
                                    "{name}: unknown severity `{text}` (allowed: {})",
                                    vocabulary(Severity::ALL.map(Severity::as_str))
                                ),
                            );
                        }
                    }
                }
                "on_fail" => {
                    if let Some(text) = self.string(value, &format!("{name}: `on_fail`")) {
                        if OnFail::parse(text).is_none() {
                            self.report(
                                value.span(),
                                format!(
                                    "{name}: unknown on_fail `{text}` (allowed: {})",
                                    vocabulary(OnFail::ALL.map(OnFail::as_str))
                                ),
                            );
                        }
                    }
                }
                "applies_to" => self.applies_to(&name, value),
                "enabled" => {
                    if !matches!(value.get_ref(), DeValue::Boolean(_)) {
                        self.report(
                            value.span(),
                            format!(
                                "{name}: `enabled` must be true or false, not {}",
                                a_type(value.get_ref())
                            ),
                        );
                    }
                }
                "params" => {
                    if let Some(params) = self.table(value, &format!("{name}: `params`")) {
                        // Parameters of an unknown check cannot be judged; its id is reported.
                        if let Some(id) = known_id {
                            self.params(&name, id, params);
                        }
                    }
                }
                other => self.report(
                    key_span,
                    format!(
                        "{name}: unknown key `{other}` (allowed: {})",
                        vocabulary(RULE_KEYS)
                    ),
                ),
            }
        }
        for (key, takes) in REQUIRED_RULE_KEYS {
            if find(table, key).is_none() {
                self.report(header.clone(), format!("{name}: missing `{key}` ({takes})"));
            }
        }
    }

    fn applies_to(&mut self, name: &str, value: &Value<'_>) {
        let DeValue::Array(items) = value.get_ref() else {
            self.report(
                value.span(),
                format!(
                    "{name}: `applies_to` must be an array of document types, not {}",
                    a_type(value.get_ref())
                ),
            );
            return;
        };
        let allowed = || {
            std::iter::once("*")
                .chain(DocType::ALL.map(DocType::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(t) if t == "*" || DocType::parse(t).is_some() => {}
                DeValue::String(t) => self.report(
                    item.span(),
                    format!(
                        "{name}: unknown document type `{t}` in applies_to (allowed: {})",
                        allowed()
                    ),
                ),
                other => self.report(
                    item.span(),
                    format!(
                        "{name}: applies_to holds {}; it takes document type names ({})",
                        a_type(other),
                        allowed()
                    ),
                ),
            }
        }
    }

    fn params(&mut self, name: &str, id: &str, params: &DeTable<'_>) {
        let specs: Vec<&ParamSpec> = crate::checks::param_specs()
            .into_iter()
            .filter(|s| s.check == id)
            .collect();
        for (key, key_span, value) in entries(params) {
            let Some(spec) = specs.iter().find(|s| s.name == key) else {
                let allowed = if specs.is_empty() {
                    "this rule takes no parameters".to_string()
                } else {
                    let list: Vec<String> = specs
                        .iter()
                        .map(|s| format!("{} ({})", s.name, s.kind.describe()))
                        .collect();
                    format!("allowed: {}", list.join(", "))
                };
                self.report(
                    key_span,
                    format!("{name}: unknown parameter `{key}` ({allowed})"),
                );
                continue;
            };
            self.param(name, spec, value);
        }
    }

    fn param(&mut self, name: &str, spec: &ParamSpec, value: &Value<'_>) {
        let what = format!("{name}: parameter `{}`", spec.name);
        let wrong = |found: &str| format!("{what} must be {}, not {found}", spec.kind.describe());
        match spec.kind {
            ParamKind::Number => {
                if let Err(found) = number(value.get_ref()) {
                    self.report(value.span(), wrong(found));
                }
            }
            ParamKind::Integer => {
                if let Err(found) = integer(value.get_ref()) {
                    self.report(value.span(), wrong(found));
                }
            }
            ParamKind::Bool => {
                if !matches!(value.get_ref(), DeValue::Boolean(_)) {
                    self.report(value.span(), wrong(a_type(value.get_ref())));
                }
            }
            ParamKind::String => {
                if !matches!(value.get_ref(), DeValue::String(_)) {
                    self.report(value.span(), wrong(a_type(value.get_ref())));
                }
            }
            ParamKind::StringList => match value.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        if !matches!(item.get_ref(), DeValue::String(_)) {
                            self.report(
                                item.span(),
                                format!(
                                    "{what} must be an array of strings; this item is {}",
                                    a_type(item.get_ref())
                                ),
                            );
                        }
                    }
                }
                other => self.report(value.span(), wrong(a_type(other))),
            },
            ParamKind::NumberTable | ParamKind::StringTable | ParamKind::PatternTable => {
                match value.get_ref() {
                    DeValue::Table(table) => {
                        for (key, _, item) in entries(table) {
                            let found = match (spec.kind, item.get_ref()) {
                                (ParamKind::NumberTable, v) => number(v).err(),
                                (ParamKind::PatternTable, DeValue::String(pattern)) => {
                                    // Anchored as the check anchors it.
                                    regex::Regex::new(&format!("^(?:{pattern})$"))
                                        .err()
                                        .map(|_| "not a valid regular expression")
                                }
                                (_, DeValue::String(_)) => None,
                                (_, other) => Some(a_type(other)),
                            };
                            if let Some(found) = found {
                                self.report(
                                    item.span(),
                                    format!(
                                        "{what} must be {}; `{key}` is {found}",
                                        spec.kind.describe()
                                    ),
                                );
                            }
                        }
                    }
                    other => self.report(value.span(), wrong(a_type(other))),
                }
            }
        }
    }
}

/// A finite number from an integer or a float value, or what was found instead.
fn number(value: &DeValue<'_>) -> Result<f64, &'static str> {
    match value {
        DeValue::Integer(_) => integer(value).map(|i| i as f64),
        DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err("an infinite or not-a-number float"),
        },
        other => Err(a_type(other)),
    }
}

fn integer(value: &DeValue<'_>) -> Result<i64, &'static str> {
    match value {
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map_err(|_| "an integer too large for 64 bits"),
        other => Err(a_type(other)),
    }
}

fn is_currency_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// Whether `s` names a zone of the IANA time zone database (as bundled by `chrono-tz`),
/// spelled exactly, e.g. `America/New_York`.
fn is_iana_zone_name(s: &str) -> bool {
    s.parse::<chrono_tz::Tz>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<RuleProblem> {
        match RuleSet::parse(text, "r.toml") {
            Err(CoreError::RulesInvalid { problems, .. }) => problems,
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => Vec::new(),
        }
    }

    #[test]
    fn default_rules_are_valid_and_cover_every_check() {
        let rules = RuleSet::default_rules().unwrap();
        for id in crate::checks::known_checks() {
            // Defined, though not necessarily enabled (kyc.customer_identified is opt-in).
            assert!(
                rules.rules.iter().any(|r| r.id == id),
                "default rules lack {id}"
            );
        }
    }

    #[test]
    fn unknown_rule_is_rejected_with_its_name() {
        let text = DEFAULT_RULES.replace("pii.card_numbers", "pii.made_up");
        let err = RuleSet::parse(&text, "r.toml").unwrap_err().to_string();
        assert!(err.contains("pii.made_up"), "{err}");
    }

    #[test]
    fn syntax_error_reports_line_and_column() {
        let found = problems("version = \"1\"\n[classification\n");
        assert_eq!((found[0].line, found[0].column), (2, 16), "{found:?}");
        assert!(found[0].message.contains("invalid TOML"), "{found:?}");
        let err = RuleSet::parse("version = \"1\"\n[classification\n", "r.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("r.toml:2:16: invalid TOML"), "{err}");
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a = \"é\"\nbé = 1";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, text.find('=').unwrap()), (1, 3));
        let second = text.rfind('=').unwrap();
        assert_eq!(line_col(text, second), (2, 4));
        assert_eq!(line_col(text, text.len() + 10), (2, 7));
        // Inside a multi-byte character: the character's own column.
        assert_eq!(line_col("é", 1), (1, 1));
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let text = DEFAULT_RULES
            .replacen("severity = \"high\"", "severity = \"urgent\"", 1)
            .replacen("on_fail = \"manual_review\"", "on_fail = \"escalate\"", 1)
            .replacen("min_confidence = 0.5", "min_confidence = 1.5", 1);
        let found = problems(&text);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].message.contains("min_confidence is 1.5"));
        assert!(found[1].message.contains("unknown severity `urgent`"));
        assert!(found[1].message.contains("low, medium, high, critical"));
        assert!(found[2].message.contains("unknown on_fail `escalate`"));
        // Sorted by position.
        assert!(found.windows(2).all(|w| w[0].line <= w[1].line));
    }

    #[test]
    fn numbers_with_underscores_and_radix_are_understood() {
        assert_eq!(
            integer(&DeValue::parse("1_000").unwrap().into_inner()),
            Ok(1000)
        );
        assert_eq!(
            integer(&DeValue::parse("0xff").unwrap().into_inner()),
            Ok(255)
        );
        assert_eq!(
            number(&DeValue::parse("1_000.5").unwrap().into_inner()),
            Ok(1000.5)
        );
        assert!(number(&DeValue::parse("nan").unwrap().into_inner()).is_err());
        assert!(number(&DeValue::parse("-inf").unwrap().into_inner()).is_err());
    }

    #[test]
    fn time_zone_names() {
        for ok in [
            "America/New_York",
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "America/Port-au-Prince",
            "Etc/GMT+5",
            "UTC",
        ] {
            assert!(is_iana_zone_name(ok), "{ok}");
        }
        for bad in [
            "New York",
            "america/new_york",
            "Mars/Olympus",
            "Europe/",
            "",
            "CEST",
        ] {
            assert!(!is_iana_zone_name(bad), "{bad}");
        }
    }

    #[test]
    fn every_param_kind_is_checked() {
        let cases: [(ParamKind, &str, &str, Option<&str>); 14] = [
            (ParamKind::Number, "1", "2.5", Some("\"x\"")),
            (ParamKind::Number, "-3", "1e3", Some("nan")),
            (ParamKind::Integer, "7", "0o17", Some("7.0")),
            (
                ParamKind::Integer,
                "7",
                "-7",
                Some("9_223_372_036_854_775_808"),
            ),
            (ParamKind::Bool, "true", "false", Some("1")),
            (ParamKind::String, "\"a\"", "'b'", Some("[\"a\"]")),
            (ParamKind::StringList, "[]", "[\"a\", \"b\"]", Some("\"a\"")),
            (
                ParamKind::StringList,
                "[\"a\"]",
                "[\"a\"]",
                Some("[\"a\", 1]"),
            ),
            (
                ParamKind::NumberTable,
                "{}",
                "{ A = 1, B = 2.5 }",
                Some("[1]"),
            ),
            (
                ParamKind::NumberTable,
                "{ A = 1 }",
                "{ A = 1 }",
                Some("{ A = \"1\" }"),
            ),
            (ParamKind::StringTable, "{}", "{ A = \"x\" }", Some("\"x\"")),
            (
                ParamKind::StringTable,
                "{ A = \"x\" }",
                "{ A = \"x\" }",
                Some("{ A = 1 }"),
            ),
            (ParamKind::Bool, "true", "true", None),
            (ParamKind::Number, "1", "1", None),
        ];
        for (kind, ok1, ok2, bad) in cases {
            let spec = ParamSpec {
                check: "c",
                name: "p",
                kind,
                description: "",
            };
            for ok in [ok1, ok2] {
                let value = DeValue::parse(ok).unwrap();
                let mut checker = Checker {
                    problems: Vec::new(),
                };
                checker.param("rule `c`", &spec, &value);
                assert!(
                    checker.problems.is_empty(),
                    "{kind:?} {ok}: {:?}",
                    checker.problems
                );
            }
            if let Some(bad) = bad {
                let value = DeValue::parse(bad).unwrap();
                let mut checker = Checker {
                    problems: Vec::new(),
                };
                checker.param("rule `c`", &spec, &value);
                assert_eq!(checker.problems.len(), 1, "{kind:?} {bad}");
                let message = &checker.problems[0].1;
                assert!(message.contains(kind.describe()), "{message}");
                assert!(message.starts_with("rule `c`: parameter `p`"), "{message}");
            }
        }
    }

    #[test]
    fn param_accessors_read_declared_kinds() {
        let text = r#"
            id = "x"
            category = "kyc"
            version = "1"
            description = "d"
            severity = "low"
            on_fail = "rejected"
            [params]
            flag = true
            name = "n"
            list = ["a", "b"]
            rates = { EUR = 1.1, JPY = 1 }
            patterns = { USA = "[0-9]{9}" }
        "#;
        let rule: Rule = toml::from_str(text).unwrap();
        assert!(rule.param_bool("flag", false));
        assert!(rule.param_bool("missing", true));
        assert_eq!(rule.param_str("name"), Some("n"));
        assert_eq!(rule.param_str_list("list"), Some(vec!["a", "b"]));
        let rates = rule.param_number_table("rates").unwrap();
        assert_eq!(rates["EUR"], 1.1);
        assert_eq!(rates["JPY"], 1.0);
        assert_eq!(
            rule.param_string_table("patterns").unwrap()["USA"],
            "[0-9]{9}"
        );
        assert_eq!(rule.param_str("list"), None);
    }
}
