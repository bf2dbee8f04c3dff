//! Dates as documents print them: ISO, numeric with `/`, `.` or `-`, and with month names in
//! English, French, German, Spanish and Dutch (`3 August 2014`, `August 3, 2014`, `3. März 2014`,
//! `3 de agosto de 2014`, `29 maart 2014`, `1er août 2014`).

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

/// Which number comes first in an ambiguous numeric date such as `03/08/2014`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// The European and ICAO convention, and the default.
    #[default]
    DayFirst,
    /// The United States convention.
    MonthFirst,
}

/// Month names and abbreviations of the five languages, folded to lower case. A word that is
/// a month in one language is the same month in every other, so one table serves all.
const MONTH_WORDS: &[(&str, u32)] = &[
    // English
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // French
    ("janvier", 1),
    ("février", 2),
    ("fevrier", 2),
    ("mars", 3),
    ("avril", 4),
    ("mai", 5),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("decembre", 12),
    ("janv", 1),
    ("févr", 2),
    ("fevr", 2),
    ("avr", 4),
    ("juil", 7),
    ("déc", 12),
    // German
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("maerz", 3),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("mär", 3),
    ("mrz", 3),
    ("okt", 10),
    ("dez", 12),
    // Spanish
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("ene", 1),
    ("abr", 4),
    ("ago", 8),
    ("dic", 12),
    // Dutch
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
    ("mrt", 3),
];

/// The month a word names, if any (`Aug.`, `août`, `März`, `maart`).
pub fn month_number(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.').to_lowercase();
    MONTH_WORDS
        .iter()
        .find(|(name, _)| *name == word)
        .map(|(_, m)| *m)
}

macro_rules! regex {
    ($name:ident, $re:expr) => {
        static $name: LazyLock<Option<Regex>> = LazyLock::new(|| crate::extract::compile($re));
    };
}

// A time may follow directly (`2014-08-03T10:00:00Z`).
regex!(ISO, r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?:T|\b)");
regex!(YEAR_FIRST, r"\b(\d{4})([./])(\d{1,2})[./](\d{1,2})\b");
regex!(NUMERIC, r"\b(\d{1,2})([./-])(\d{1,2})[./-](\d{4})\b");
// `3 August 2014`, `3. März 2014`, `3rd of August, 2014`, `3 de agosto de 2014`, `1er août 2014`.
regex!(
    DAY_MONTH_YEAR,
    r"(?i)\b(\d{1,2})(?:st|nd|rd|th|er|e)?\.?\s+(?:of\s+|de\s+)?(\p{L}{3,10})\.?,?\s+(?:de\s+)?(\d{4})\b"
);
// `August 3, 2014`, `Aug 3 , 2014`, `Jan 1, 2022`.
regex!(
    MONTH_DAY_YEAR,
    r"(?i)\b(\p{L}{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(\d{4})\b"
);

/// A date found in text, with its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundDate {
    pub date: NaiveDate,
    pub start: usize,
    pub end: usize,
}

fn ymd(year: &str, month: u32, day: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year.parse().ok()?, month, day.parse().ok()?)
}

/// Day and month of a numeric date. A number above 12 can only be the day; when both could be
/// either, the document's convention decides.
fn numeric(first: &str, second: &str, year: &str, order: DateOrder) -> Option<NaiveDate> {
    let a: u32 = first.parse().ok()?;
    let b: u32 = second.parse().ok()?;
    let y: i32 = year.parse().ok()?;
    let (day, month) = if a > 12 {
        (a, b)
    } else if b > 12 {
        (b, a)
    } else {
        match order {
            DateOrder::DayFirst => (a, b),
            DateOrder::MonthFirst => (b, a),
        }
    };
    NaiveDate::from_ymd_opt(y, month, day)
}

/// Every date in `text`, in order of position; overlapping matches keep the first.
pub fn find_dates(text: &str, order: DateOrder) -> Vec<FoundDate> {
    let mut found: Vec<FoundDate> = Vec::new();
    let mut push = |date: Option<NaiveDate>, m: regex::Match<'_>| {
        if let Some(date) = date {
            let overlaps = found.iter().any(|f| m.start() < f.end && f.start < m.end());
            if !overlaps {
                found.push(FoundDate {
                    date,
                    start: m.start(),
                    end: m.end(),
                });
            }
        }
    };
    let group = |c: &regex::Captures<'_>, i: usize| c.get(i).map_or("", |m| m.as_str()).to_string();
    if let Some(re) = ISO.as_ref() {
        for c in re.captures_iter(text) {
            let month = group(&c, 2).parse().unwrap_or(0);
            if let Some(m) = c.get(0) {
                push(ymd(&group(&c, 1), month, &group(&c, 3)), m);
            }
        }
    }
    if let Some(re) = YEAR_FIRST.as_ref() {
        for c in re.captures_iter(text) {
            let month = group(&c, 3).parse().unwrap_or(0);
            if let Some(m) = c.get(0) {
                push(ymd(&group(&c, 1), month, &group(&c, 4)), m);
            }
        }
    }
    if let Some(re) = NUMERIC.as_ref() {
        for c in re.captures_iter(text) {
            if let Some(m) = c.get(0) {
                push(
                    numeric(&group(&c, 1), &group(&c, 3), &group(&c, 4), order),
                    m,
                );
            }
        }
    }
    if let Some(re) = DAY_MONTH_YEAR.as_ref() {
        for c in re.captures_iter(text) {
            if let (Some(m), Some(month)) = (c.get(0), month_number(&group(&c, 2))) {
                push(ymd(&group(&c, 3), month, &group(&c, 1)), m);
            }
        }
    }
    if let Some(re) = MONTH_DAY_YEAR.as_ref() {
        for c in re.captures_iter(text) {
            if let (Some(m), Some(month)) = (c.get(0), month_number(&group(&c, 1))) {
                push(ymd(&group(&c, 3), month, &group(&c, 2)), m);
            }
        }
    }
    found.sort_by_key(|f| f.start);
    found
}

/// The first date in `raw`, day first when ambiguous.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    parse_date_with(raw, DateOrder::DayFirst)
}

/// The first date in `raw` under the given convention for ambiguous numeric dates.
pub fn parse_date_with(raw: &str, order: DateOrder) -> Option<NaiveDate> {
    find_dates(raw, order).first().map(|f| f.date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn formats_and_languages() {
        let aug3 = d(2014, 8, 3);
        for raw in [
            "2014-08-03",
            "03.08.2014",
            "3.8.2014",
            "03/08/2014",
            "03-08-2014",
            "2014/08/03",
            "3 August 2014",
            "3rd of August, 2014",
            "August 3, 2014",
            "August 3 , 2014",
            "Aug. 3, 2014",
            "3 août 2014",
            "3. August 2014",
            "3 de agosto de 2014",
            "3 augustus 2014",
            "2014-08-03T10:00:00Z",
        ] {
            assert_eq!(parse_date(raw), aug3, "{raw}");
        }
        assert_eq!(parse_date("1er août 2014"), d(2014, 8, 1));
        assert_eq!(parse_date("29 maart 2014"), d(2014, 3, 29));
        assert_eq!(parse_date("12. März 2020"), d(2020, 3, 12));
        assert_eq!(parse_date("15 décembre 2023"), d(2023, 12, 15));
        assert_eq!(parse_date("5 mei 2021"), d(2021, 5, 5));
        assert_eq!(parse_date("Jan 1, 2022"), d(2022, 1, 1));
    }

    #[test]
    fn day_and_month_rule() {
        // A number above 12 can only be the day, whichever side it is on.
        assert_eq!(parse_date("25/10/2026"), d(2026, 10, 25));
        assert_eq!(parse_date("10/25/2026"), d(2026, 10, 25));
        // Ambiguous: the convention decides.
        assert_eq!(parse_date("03/08/2014"), d(2014, 8, 3));
        assert_eq!(
            parse_date_with("03/08/2014", DateOrder::MonthFirst),
            d(2014, 3, 8)
        );
    }

    #[test]
    fn not_dates() {
        for raw in [
            "31/02/1972",
            "42183017",
            "3 apples 2014",
            "page 1 of 2",
            "",
            "13/13/2020",
        ] {
            assert_eq!(parse_date(raw), None, "{raw}");
        }
    }

    #[test]
    fn finds_dates_in_order() {
        let text = "Order Date: 15-10-2015\nInvoice Date: 20 October 2015, due 2015-11-19";
        let dates: Vec<NaiveDate> = find_dates(text, DateOrder::DayFirst)
            .into_iter()
            .map(|f| f.date)
            .collect();
        assert_eq!(
            dates,
            vec![
                d(2015, 10, 15).unwrap(),
                d(2015, 10, 20).unwrap(),
                d(2015, 11, 19).unwrap()
            ]
        );
    }
}
