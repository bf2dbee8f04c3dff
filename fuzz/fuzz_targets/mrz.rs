//! ICAO 9303 machine-readable zones: `mrz::find` over free text and `mrz::parse_lines` over
//! the lines given exactly. The first two bytes pick "today" (any day of 2000-2099), the rest
//! is the text.
//!
//! Beyond "no panic": every check digit the parser reports agrees with `mrz::check_digit`
//! computed here from the printed lines; a birth date is never after today and an expiry date
//! never more than 50 years away; the dates read back as printed; the names hold no filler;
//! and `find` finds exactly what `parse_lines` parses when the lines are a clean zone.

#![no_main]

use chrono::{Datelike, Duration, NaiveDate};
use compliance_core::mrz::{self, Mrz, MrzFormat};
use libfuzzer_sys::fuzz_target;

fn digit_ok(data: &str, printed: u8) -> bool {
    mrz::check_digit(data) == Some(printed)
}

fn at(line: &str, i: usize) -> u8 {
    line.as_bytes()[i]
}

/// The check digits recomputed from the lines, by field (the document number where it does
/// not overflow into the optional data).
fn expected_digits(format: MrzFormat, lines: &[&str]) -> Vec<(&'static str, bool)> {
    match format {
        MrzFormat::Td3 => {
            let l2 = lines[1];
            let composite = [&l2[0..10], &l2[13..20], &l2[21..43]].concat();
            let optional = if at(l2, 42) == b'<' {
                l2[28..42].bytes().all(|b| b == b'<')
            } else {
                digit_ok(&l2[28..42], at(l2, 42))
            };
            vec![
                ("document_number", digit_ok(&l2[0..9], at(l2, 9))),
                ("birth_date", digit_ok(&l2[13..19], at(l2, 19))),
                ("expiry_date", digit_ok(&l2[21..27], at(l2, 27))),
                ("personal_number", optional),
                ("composite", digit_ok(&composite, at(l2, 43))),
            ]
        }
        MrzFormat::Td2 => {
            let l2 = lines[1];
            let composite = [&l2[0..10], &l2[13..20], &l2[21..35]].concat();
            let mut digits = vec![
                ("birth_date", digit_ok(&l2[13..19], at(l2, 19))),
                ("expiry_date", digit_ok(&l2[21..27], at(l2, 27))),
                ("composite", digit_ok(&composite, at(l2, 35))),
            ];
            if at(l2, 9) != b'<' {
                digits.push(("document_number", digit_ok(&l2[0..9], at(l2, 9))));
            }
            digits
        }
        MrzFormat::Td1 => {
            let (l1, l2) = (lines[0], lines[1]);
            let composite = [&l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]].concat();
            let mut digits = vec![
                ("birth_date", digit_ok(&l2[0..6], at(l2, 6))),
                ("expiry_date", digit_ok(&l2[8..14], at(l2, 14))),
                ("composite", digit_ok(&composite, at(l2, 29))),
            ];
            if at(l1, 14) != b'<' {
                digits.push(("document_number", digit_ok(&l1[5..14], at(l1, 14))));
            }
            digits
        }
    }
}

fn check(mrz: &Mrz, today: NaiveDate) {
    for name in [&mrz.surname, &mrz.given_names, &mrz.document_number] {
        assert!(!name.contains('<'), "filler left in {name:?}");
    }
    for (raw, date) in [
        (&mrz.birth_date_raw, mrz.birth_date),
        (&mrz.expiry_date_raw, mrz.expiry_date),
    ] {
        if let Some(date) = date {
            assert_eq!(&date.format("%y%m%d").to_string(), raw);
        }
    }
    if let Some(birth) = mrz.birth_date {
        assert!(birth <= today, "born {birth}, after today {today}");
    }
    if let Some(expiry) = mrz.expiry_date {
        assert!(
            (expiry.year() - today.year()).abs() <= 50,
            "expires {expiry}, today {today}"
        );
    }
    assert_eq!(
        mrz.all_check_digits_ok(),
        mrz.failed_check_digits().is_empty()
    );
}

fn is_zone_line(line: &str) -> bool {
    line.bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<')
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let days = i64::from(u16::from_le_bytes([data[0], data[1]])) % 36_525;
    let Some(today) = NaiveDate::from_ymd_opt(2000, 1, 1).map(|d| d + Duration::days(days)) else {
        return;
    };
    let text = String::from_utf8_lossy(&data[2..]);

    if let Some(found) = mrz::find(&text, today) {
        check(&found, today);
    }

    let lines: Vec<&str> = text.lines().take(4).collect();
    if let Some(parsed) = mrz::parse_lines(&lines, today) {
        check(&parsed, today);
        for (field, ok) in expected_digits(parsed.format, &lines) {
            let reported = parsed.check_digits.iter().find(|c| c.field == field);
            assert_eq!(reported.map(|c| c.ok), Some(ok), "check digit of {field}");
        }
        // A clean zone (MRZ characters only, some filler) is found in text as it is parsed.
        if lines.iter().all(|l| is_zone_line(l)) && lines.iter().any(|l| l.contains('<')) {
            assert_eq!(mrz::find(&lines.join("\n"), today).as_ref(), Some(&parsed));
        }
    }
});
