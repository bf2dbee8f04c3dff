//! Inputs found by the cargo-fuzz targets (fuzz/, see fuzz/README.md), minimised, kept here so
//! that the bugs they showed stay fixed in the normal `cargo test` run. Each case names the
//! target and the invariant it broke.

use chrono::NaiveDate;
use compliance_core::mrz;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// fuzz target `mrz`: a birth date is never after today. Born "261231" read on 2026-11-25 was
/// put in 2026 (a year in the future would have been, the month and day were not looked at).
#[test]
fn mrz_birth_date_later_this_year_is_last_century() {
    let today = date(2026, 11, 25);
    let lines = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO2612317F1204159ZE184226B<<<<<18",
    ];
    let parsed = mrz::parse_lines(&lines, today).expect("a TD3 zone");
    assert_eq!(parsed.birth_date, Some(date(1926, 12, 31)));
    assert!(parsed
        .check_digits
        .iter()
        .any(|c| c.field == "birth_date" && c.ok));
    // Today itself and earlier this year stay in this century.
    let born_today = mrz::parse_lines(
        &[lines[0], "L898902C36UTO2611251F1204159ZE184226B<<<<<18"],
        today,
    )
    .expect("a TD3 zone");
    assert_eq!(born_today.birth_date, Some(today));
}

/// fuzz target `mrz`: an expiry date is within 50 years of today, whatever today's century.
#[test]
fn mrz_expiry_date_is_within_fifty_years() {
    let lines = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F0104159ZE184226B<<<<<10",
    ];
    // Read in 2026: 2001. Read in 2080: 2101, not 79 years ago.
    let parsed = mrz::parse_lines(&lines, date(2026, 11, 25)).expect("a TD3 zone");
    assert_eq!(parsed.expiry_date, Some(date(2001, 4, 15)));
    let parsed = mrz::parse_lines(&lines, date(2080, 1, 1)).expect("a TD3 zone");
    assert_eq!(parsed.expiry_date, Some(date(2101, 4, 15)));
}
