use thiserror::Error;

use crate::rules::RuleProblem;

/// Errors of the domain. Document problems are not errors (they become `unreadable`
/// decisions); these are configuration and port failures.
#[derive(Debug, Error)]
pub enum CoreError {
    #[error("rules file {path}: {detail}")]
    Rules { path: String, detail: String },
    /// A rules file with problems: rejected whole, nothing of it applied. Displayed as a
    /// summary line, then one `ORIGIN:LINE:COLUMN: message` line per problem.
    #[error("{}", rules_invalid(.origin, .problems))]
    RulesInvalid {
        origin: String,
        /// The file's `version`, when it has a readable one.
        version: Option<String>,
        problems: Vec<RuleProblem>,
    },
    #[error("sanctions list {list}: {detail}")]
    List { list: String, detail: String },
    #[error(transparent)]
    Port(#[from] crate::ports::PortError),
}

fn rules_invalid(origin: &str, problems: &[RuleProblem]) -> String {
    let mut text = format!(
        "rules file {origin} is invalid and was not applied ({} problem{}):",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        text.push_str(&format!(
            "\n{origin}:{}:{}: {}",
            p.line, p.column, p.message
        ));
    }
    text
}
