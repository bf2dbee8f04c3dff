//! ICAO Doc 9303 machine-readable zones: finding them in text, parsing TD1, TD2 and TD3, and
//! verifying every check digit (part 3, section 4.9: weights 7-3-1, `<` counts as zero).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum MrzFormat {
    Td1,
    Td2,
    Td3,
}

impl MrzFormat {
    pub fn name(self) -> &'static str {
        match self {
            MrzFormat::Td1 => "TD1",
            MrzFormat::Td2 => "TD2",
            MrzFormat::Td3 => "TD3",
        }
    }
}

/// One check digit as printed and as computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDigit {
    pub field: &'static str,
    pub ok: bool,
}

/// A parsed MRZ. Dates are kept as printed (YYMMDD) and as calendar dates when they are valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mrz {
    pub format: MrzFormat,
    pub document_code: String,
    pub issuing_state: String,
    pub surname: String,
    pub given_names: String,
    pub document_number: String,
    pub nationality: String,
    pub birth_date_raw: String,
    pub birth_date: Option<NaiveDate>,
    pub sex: char,
    pub expiry_date_raw: String,
    pub expiry_date: Option<NaiveDate>,
    pub check_digits: Vec<CheckDigit>,
}

impl Mrz {
    pub fn all_check_digits_ok(&self) -> bool {
        self.check_digits.iter().all(|c| c.ok)
    }

    pub fn failed_check_digits(&self) -> Vec<&'static str> {
        self.check_digits
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.field)
            .collect()
    }

    pub fn full_name(&self) -> String {
        if self.given_names.is_empty() {
            self.surname.clone()
        } else {
            format!("{} {}", self.given_names, self.surname)
        }
    }
}

fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The ICAO 9303 check digit of `data`, or `None` if it holds a character outside the MRZ set.
pub fn check_digit(data: &str) -> Option<u8> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (i, b) in data.bytes().enumerate() {
        sum += char_value(b)? * WEIGHTS[i % 3];
    }
    Some(b'0' + (sum % 10) as u8)
}

fn digit_matches(data: &str, printed: u8) -> bool {
    check_digit(data) == Some(printed)
}

/// Optional-data fields that are entirely filler may carry `<` instead of `0` as check digit.
fn optional_digit_matches(data: &str, printed: u8) -> bool {
    if printed == b'<' {
        return data.bytes().all(|b| b == b'<');
    }
    digit_matches(data, printed)
}

/// A line that could belong to an MRZ. A line may lack any `<` filler (a full optional-data
/// field), so the filler is required of the zone as a whole, not of each line.
fn is_mrz_line(line: &str) -> bool {
    line.len() >= 30
        && line
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<')
}

/// Finds the first MRZ in free text. OCR and PDF extraction sometimes insert spaces, so spaces
/// inside a candidate line are removed before its length is judged.
pub fn find(text: &str, today: NaiveDate) -> Option<Mrz> {
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.trim().replace(' ', ""))
        .filter(|l| !l.is_empty())
        .collect();
    for i in 0..lines.len() {
        let len = lines[i].len();
        if !is_mrz_line(&lines[i]) {
            continue;
        }
        let next_same = |k: usize| {
            lines
                .get(i + k)
                .is_some_and(|l| l.len() == len && is_mrz_line(l))
        };
        let has_filler = |n: usize| {
            lines[i..(i + n).min(lines.len())]
                .iter()
                .any(|l| l.contains('<'))
        };
        let parsed = match len {
            44 if next_same(1) && has_filler(2) => parse_td3(&lines[i], &lines[i + 1], today),
            36 if next_same(1) && has_filler(2) => parse_td2(&lines[i], &lines[i + 1], today),
            30 if next_same(1) && next_same(2) && has_filler(3) => {
                parse_td1(&lines[i], &lines[i + 1], &lines[i + 2], today)
            }
            _ => None,
        };
        if parsed.is_some() {
            return parsed;
        }
    }
    None
}

/// Parses MRZ lines given exactly (for example from a test vector).
pub fn parse_lines(lines: &[&str], today: NaiveDate) -> Option<Mrz> {
    if !lines.iter().all(|l| l.is_ascii()) {
        return None;
    }
    match lines {
        [a, b] if a.len() == 44 && b.len() == 44 => parse_td3(a, b, today),
        [a, b] if a.len() == 36 && b.len() == 36 => parse_td2(a, b, today),
        [a, b, c] if a.len() == 30 && b.len() == 30 && c.len() == 30 => parse_td1(a, b, c, today),
        _ => None,
    }
}

fn clean(field: &str) -> String {
    field
        .trim_end_matches('<')
        .replace('<', " ")
        .trim()
        .to_string()
}

fn split_names(field: &str) -> (String, String) {
    let field = field.trim_end_matches('<');
    match field.split_once("<<") {
        Some((surname, given)) => (clean(surname), clean(given)),
        None => (clean(field), String::new()),
    }
}

fn parse_date(raw: &str, is_birth: bool, today: NaiveDate) -> Option<NaiveDate> {
    if raw.len() != 6 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = raw[0..2].parse().ok()?;
    let mm: u32 = raw[2..4].parse().ok()?;
    let dd: u32 = raw[4..6].parse().ok()?;
    // Two-digit years, in today's century or the one before or after it: a birth date is the
    // latest such date that is not after today (a year is not enough: born "261231" read on
    // 2026-11-25 is 1926); an expiry date is within 50 years of today, either way.
    let century = today.year() - today.year().rem_euclid(100);
    if is_birth {
        return [century + yy, century + yy - 100]
            .into_iter()
            .filter_map(|year| NaiveDate::from_ymd_opt(year, mm, dd))
            .find(|date| *date <= today);
    }
    let mut year = century + yy;
    if year > today.year() + 50 {
        year -= 100;
    } else if year <= today.year() - 50 {
        year += 100;
    }
    NaiveDate::from_ymd_opt(year, mm, dd)
}

fn byte(line: &str, i: usize) -> u8 {
    line.as_bytes().get(i).copied().unwrap_or(b'?')
}

fn parse_td3(l1: &str, l2: &str, today: NaiveDate) -> Option<Mrz> {
    if l1.len() != 44 || l2.len() != 44 {
        return None;
    }
    let (surname, given_names) = split_names(&l1[5..44]);
    let composite: String = [&l2[0..10], &l2[13..20], &l2[21..43]].concat();
    let check_digits = vec![
        CheckDigit {
            field: "document_number",
            ok: digit_matches(&l2[0..9], byte(l2, 9)),
        },
        CheckDigit {
            field: "birth_date",
            ok: digit_matches(&l2[13..19], byte(l2, 19)),
        },
        CheckDigit {
            field: "expiry_date",
            ok: digit_matches(&l2[21..27], byte(l2, 27)),
        },
        CheckDigit {
            field: "personal_number",
            ok: optional_digit_matches(&l2[28..42], byte(l2, 42)),
        },
        CheckDigit {
            field: "composite",
            ok: digit_matches(&composite, byte(l2, 43)),
        },
    ];
    Some(Mrz {
        format: MrzFormat::Td3,
        document_code: clean(&l1[0..2]),
        issuing_state: clean(&l1[2..5]),
        surname,
        given_names,
        document_number: clean(&l2[0..9]),
        nationality: clean(&l2[10..13]),
        birth_date_raw: l2[13..19].to_string(),
        birth_date: parse_date(&l2[13..19], true, today),
        sex: char::from(byte(l2, 20)),
        expiry_date_raw: l2[21..27].to_string(),
        expiry_date: parse_date(&l2[21..27], false, today),
        check_digits,
    })
}

/// Document numbers longer than nine characters overflow into the optional data: the check
/// digit position then holds `<`, and the optional field carries the rest of the number
/// followed by the real check digit (ICAO 9303 part 5, 4.2.4 note j).
fn document_number_with_overflow(number: &str, printed: u8, optional: &str) -> (String, bool) {
    if printed != b'<' {
        return (clean(number), digit_matches(number, printed));
    }
    let overflow = optional.split('<').next().unwrap_or("");
    if overflow.is_empty() {
        return (clean(number), false);
    }
    let (rest, digit) = overflow.split_at(overflow.len() - 1);
    let full = format!("{number}{rest}");
    let ok = digit_matches(&full, digit.as_bytes()[0]);
    (clean(&full), ok)
}

fn parse_td2(l1: &str, l2: &str, today: NaiveDate) -> Option<Mrz> {
    if l1.len() != 36 || l2.len() != 36 {
        return None;
    }
    let (surname, given_names) = split_names(&l1[5..36]);
    let (document_number, number_ok) =
        document_number_with_overflow(&l2[0..9], byte(l2, 9), &l2[28..35]);
    let composite: String = [&l2[0..10], &l2[13..20], &l2[21..35]].concat();
    let check_digits = vec![
        CheckDigit {
            field: "document_number",
            ok: number_ok,
        },
        CheckDigit {
            field: "birth_date",
            ok: digit_matches(&l2[13..19], byte(l2, 19)),
        },
        CheckDigit {
            field: "expiry_date",
            ok: digit_matches(&l2[21..27], byte(l2, 27)),
        },
        CheckDigit {
            field: "composite",
            ok: digit_matches(&composite, byte(l2, 35)),
        },
    ];
    Some(Mrz {
        format: MrzFormat::Td2,
        document_code: clean(&l1[0..2]),
        issuing_state: clean(&l1[2..5]),
        surname,
        given_names,
        document_number,
        nationality: clean(&l2[10..13]),
        birth_date_raw: l2[13..19].to_string(),
        birth_date: parse_date(&l2[13..19], true, today),
        sex: char::from(byte(l2, 20)),
        expiry_date_raw: l2[21..27].to_string(),
        expiry_date: parse_date(&l2[21..27], false, today),
        check_digits,
    })
}

fn parse_td1(l1: &str, l2: &str, l3: &str, today: NaiveDate) -> Option<Mrz> {
    if l1.len() != 30 || l2.len() != 30 || l3.len() != 30 {
        return None;
    }
    let (surname, given_names) = split_names(l3);
    let (document_number, number_ok) =
        document_number_with_overflow(&l1[5..14], byte(l1, 14), &l1[15..30]);
    let composite: String = [&l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]].concat();
    let check_digits = vec![
        CheckDigit {
            field: "document_number",
            ok: number_ok,
        },
        CheckDigit {
            field: "birth_date",
            ok: digit_matches(&l2[0..6], byte(l2, 6)),
        },
        CheckDigit {
            field: "expiry_date",
            ok: digit_matches(&l2[8..14], byte(l2, 14)),
        },
        CheckDigit {
            field: "composite",
            ok: digit_matches(&composite, byte(l2, 29)),
        },
    ];
    Some(Mrz {
        format: MrzFormat::Td1,
        document_code: clean(&l1[0..2]),
        issuing_state: clean(&l1[2..5]),
        surname,
        given_names,
        document_number,
        nationality: clean(&l2[15..18]),
        birth_date_raw: l2[0..6].to_string(),
        birth_date: parse_date(&l2[0..6], true, today),
        sex: char::from(byte(l2, 7)),
        expiry_date_raw: l2[8..14].to_string(),
        expiry_date: parse_date(&l2[8..14], false, today),
        check_digits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    #[test]
    fn icao_specimen_td3_parses_with_valid_digits() {
        let mrz = parse_lines(
            &[
                "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
            ],
            today(),
        )
        .unwrap();
        assert!(mrz.all_check_digits_ok(), "{:?}", mrz.check_digits);
        assert_eq!(mrz.surname, "ERIKSSON");
        assert_eq!(mrz.given_names, "ANNA MARIA");
        assert_eq!(mrz.document_number, "L898902C3");
        assert_eq!(mrz.birth_date, NaiveDate::from_ymd_opt(1974, 8, 12));
        assert_eq!(mrz.expiry_date, NaiveDate::from_ymd_opt(2012, 4, 15));
    }

    #[test]
    fn altered_digit_is_detected() {
        let mrz = parse_lines(
            &[
                "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO7408132F1204159ZE184226B<<<<<10",
            ],
            today(),
        )
        .unwrap();
        assert_eq!(mrz.failed_check_digits(), vec!["birth_date", "composite"]);
    }

    #[test]
    fn td1_overflowing_document_number() {
        // ICAO 9303 part 5, appendix: a 12-character document number.
        let mrz = parse_lines(
            &[
                "I<UTOD23145890<7349<<<<<<<<<<<",
                "3407127M9507122UTO<<<<<<<<<<<2",
                "STEVENSON<<PETER<JOHN<<<<<<<<<",
            ],
            today(),
        )
        .unwrap();
        assert_eq!(mrz.document_number, "D23145890734");
        assert!(mrz.all_check_digits_ok(), "{:?}", mrz.check_digits);
    }

    #[test]
    fn finds_mrz_inside_text_with_spaces() {
        let text = "PASSPORT\nSurname ERIKSSON\nP<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<< 10\n";
        let mrz = find(text, today()).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td3);
        assert!(mrz.all_check_digits_ok());
    }
}
