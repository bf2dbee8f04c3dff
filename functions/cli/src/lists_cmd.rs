//! `compliance lists fetch`: download the official lists, validate them, then replace the
//! installed ones.

use crate::CliError;

#[derive(clap::Args)]
pub struct ListsArgs {}

pub fn run(_args: ListsArgs) -> Result<bool, CliError> {
    Err(CliError::Lists("not built yet".into()))
}
