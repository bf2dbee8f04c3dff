//! Shapes shared by the test binaries.

use serde::Deserialize;

/// One `it(...)` block of validator.js's tests, as extracted into the fixtures: the validator,
/// its arguments, and the values it accepts and rejects.
#[derive(Debug, Deserialize)]
pub struct Group {
    pub validator: String,
    pub it: String,
    #[serde(default)]
    pub args: Option<serde_json::Value>,
    #[serde(default)]
    pub valid: Vec<String>,
    #[serde(default)]
    pub invalid: Vec<String>,
}
