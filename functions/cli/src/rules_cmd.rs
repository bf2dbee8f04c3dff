//! `compliance rules validate FILE` and `compliance rules show [FILE]`: check a rules file
//! before deploying it (every problem, each with its line and column) and print the rules a
//! scan would apply.

use compliance_core::audit::SCHEMA_VERSION;
use std::io::{Read, Write};
use std::path::PathBuf;

use compliance_core::rules::{Rule, RuleSet, MAX_RULES_BYTES};
use compliance_core::CoreError;
use serde_json::{json, Value};

use crate::CliError;

#[derive(clap::Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    command: RulesCommand,
}

#[derive(clap::Subcommand)]
enum RulesCommand {
    /// Check a rules file. Every problem is listed on standard error as FILE:LINE:COLUMN:
    /// message; the exit code is 0 when the file is valid, 1 when it is invalid or unreadable.
    Validate {
        /// The rules file (TOML); `-` reads standard input.
        file: PathBuf,
        /// Print one JSON object {file, valid, version, problems: [{line, column, message}]}.
        #[arg(long)]
        json: bool,
    },
    /// Print the effective rules: version, settings and every rule with its parameters.
    Show {
        /// The rules file (TOML); the built-in rules when omitted.
        #[arg(env = "COMPLIANCE_RULES")]
        file: Option<PathBuf>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: RulesArgs) -> Result<bool, CliError> {
    match args.command {
        RulesCommand::Validate { file, json } => validate(file, json),
        RulesCommand::Show { file, json } => show(file, json),
    }
}

/// The name a file goes by in messages: its path, or `<stdin>` for `-`.
fn display_name(file: &std::path::Path) -> String {
    if file.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        file.display().to_string()
    }
}

fn load(file: &std::path::Path) -> Result<RuleSet, CoreError> {
    if file.as_os_str() != "-" {
        return RuleSet::from_file(file);
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_RULES_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CoreError::Rules {
            path: display_name(file),
            detail: format!("cannot read: {e}"),
        })?;
    RuleSet::parse_bytes(&bytes, &display_name(file))
}

fn write_json(value: &Value) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value).map_err(|e| CliError::Output(e.into()))?;
    writeln!(out)?;
    Ok(())
}

/// Exit 0 when valid; an invalid or unreadable file is an error (exit 1) whose message lists
/// every problem as `FILE:LINE:COLUMN: message`.
fn validate(file: PathBuf, json: bool) -> Result<bool, CliError> {
    let name = display_name(&file);
    match load(&file) {
        Ok(rules) => {
            if json {
                write_json(&json!({
                    "schema_version": SCHEMA_VERSION,
                    "file": name,
                    "valid": true,
                    "version": rules.version,
                    "problems": [],
                }))?;
            } else {
                let enabled = rules.rules.iter().filter(|r| r.enabled).count();
                writeln!(
                    std::io::stdout().lock(),
                    "{name}: valid (version {}, {} rule(s), {enabled} enabled)",
                    rules.version,
                    rules.rules.len()
                )?;
            }
            Ok(true)
        }
        Err(err) => {
            if json {
                let (version, problems) = match &err {
                    CoreError::RulesInvalid {
                        version, problems, ..
                    } => (
                        version.clone(),
                        problems
                            .iter()
                            .map(|p| {
                                json!({ "line": p.line, "column": p.column, "message": p.message })
                            })
                            .collect(),
                    ),
                    CoreError::Rules { detail, .. } => (
                        None,
                        vec![json!({ "line": null, "column": null, "message": detail })],
                    ),
                    other => (
                        None,
                        vec![json!({ "line": null, "column": null, "message": other.to_string() })],
                    ),
                };
                write_json(&json!({
                    "schema_version": SCHEMA_VERSION,
                    "file": name,
                    "valid": false,
                    "version": version,
                    "problems": problems,
                }))?;
            }
            Err(err.into())
        }
    }
}

fn show(file: Option<PathBuf>, json: bool) -> Result<bool, CliError> {
    let (name, rules) = match &file {
        Some(file) => (Some(display_name(file)), load(file)?),
        None => (None, RuleSet::default_rules()?),
    };
    if json {
        write_json(&json!({
            "schema_version": SCHEMA_VERSION,
            "file": name,
            "version": rules.version,
            "classification": { "min_confidence": rules.classification.min_confidence },
            "transactions": {
                "timezone": rules.transactions.timezone,
                "usd_rates": rules.transactions.usd_rates,
            },
            "customer": { "required": rules.customer.required },
            "rules": rules.rules.iter().map(rule_json).collect::<Vec<_>>(),
        }))?;
        return Ok(true);
    }
    let mut out = std::io::stdout().lock();
    let rates: Vec<String> = rules
        .transactions
        .usd_rates
        .iter()
        .map(|(currency, rate)| format!("{currency} {rate}"))
        .collect();
    let settings = [
        (
            "rules",
            name.unwrap_or_else(|| "built-in rules (config/rules.toml)".to_string()),
        ),
        ("version", rules.version.clone()),
        (
            "classification.min_confidence",
            rules.classification.min_confidence.to_string(),
        ),
        ("transactions.timezone", rules.transactions.timezone.clone()),
        (
            "transactions.usd_rates",
            if rates.is_empty() {
                "none".to_string()
            } else {
                rates.join(", ")
            },
        ),
    ];
    for (label, value) in settings {
        writeln!(out, "{label:<31}{value}")?;
    }
    for requirement in &rules.customer.required {
        let types: Vec<&str> = requirement.types.iter().map(|t| t.as_str()).collect();
        writeln!(
            out,
            "{:<31}{}: {}",
            "customer.required",
            requirement.name,
            types.join(" or ")
        )?;
    }
    for rule in &rules.rules {
        writeln!(out)?;
        write_rule(&mut out, rule)?;
    }
    Ok(true)
}

fn rule_json(rule: &Rule) -> Value {
    json!({
        "id": rule.id,
        "category": rule.category,
        "version": rule.version,
        "description": rule.description,
        "severity": rule.severity,
        "on_fail": rule.on_fail,
        "applies_to": rule.applies_to,
        "enabled": rule.enabled,
        "params": serde_json::to_value(&rule.params).unwrap_or(Value::Null),
    })
}

fn write_rule(out: &mut impl Write, rule: &Rule) -> Result<(), CliError> {
    let applies_to = if rule.applies_to.is_empty() || rule.applies_to.iter().any(|t| t == "*") {
        "* (every document type)".to_string()
    } else {
        rule.applies_to.join(", ")
    };
    writeln!(
        out,
        "{}{}",
        rule.id,
        if rule.enabled { "" } else { "  (disabled)" }
    )?;
    writeln!(out, "  version      {}", rule.version)?;
    writeln!(out, "  category     {}", rule.category.as_str())?;
    writeln!(out, "  applies_to   {applies_to}")?;
    writeln!(out, "  severity     {}", rule.severity.as_str())?;
    writeln!(out, "  on_fail      {}", rule.on_fail.as_str())?;
    writeln!(out, "  description  {}", rule.description)?;
    let mut params = Vec::new();
    if let Ok(Value::Object(map)) = serde_json::to_value(&rule.params) {
        for (key, value) in &map {
            flatten(key, value, &mut params);
        }
    }
    if params.is_empty() {
        writeln!(out, "  params       none")?;
    } else {
        writeln!(out, "  params")?;
        for (key, value) in params {
            writeln!(out, "    {key} = {value}")?;
        }
    }
    Ok(())
}

/// Tables become dotted keys, one line per value: `formats.USA = "[0-9]{9}"`.
fn flatten(prefix: &str, value: &Value, into: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, inner) in map {
                flatten(&format!("{prefix}.{key}"), inner, into);
            }
        }
        other => into.push((prefix.to_string(), other.to_string())),
    }
}
