//! `compliance screen` and `compliance match`.

use crate::CliError;

#[derive(clap::Args)]
pub struct ScreenArgs {}

#[derive(clap::Args)]
pub struct MatchArgs {}

pub fn screen(_args: ScreenArgs) -> Result<bool, CliError> {
    Err(CliError::Usage("not built yet".into()))
}

pub fn match_pairs(_args: MatchArgs) -> Result<bool, CliError> {
    Err(CliError::Usage("not built yet".into()))
}
