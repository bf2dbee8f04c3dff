//! CSV and TSV exports. Banks and spreadsheets write `,`, `;` (where the comma is the decimal
//! separator), tabs or `|`; the delimiter is the one that splits the first lines into the same
//! number of fields, counted outside quotes. Quoting itself is the csv crate's.

use std::borrow::Cow;

use super::{truncate, DocumentText, Format, IntakeLimits, Table, Unreadable};

const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Lines looked at to choose the delimiter.
const SNIFF_LINES: usize = 20;

pub fn read_csv(text: &str, limits: &IntakeLimits) -> Result<DocumentText, Unreadable> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(&e))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        if rows.len() >= limits.max_csv_rows {
            return Err(Unreadable::Malformed {
                format: "CSV".into(),
                detail: format!("more than {} rows", limits.max_csv_rows),
            });
        }
        let record = record.map_err(|e| csv_error(&e))?;
        // Spreadsheets end exports with empty rows (`,,,`); they are not transactions.
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows.push(record.iter().map(|f| f.trim().to_string()).collect());
    }
    let table = Table { headers, rows };
    Ok(truncate(
        Format::Csv,
        Cow::Borrowed(text),
        None,
        Some(table),
        limits,
    ))
}

/// The delimiter that gives the first lines the most consistent field count: every sampled
/// line split alike beats a header that merely contains the character.
fn delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(SNIFF_LINES)
        .collect();
    let Some(header) = lines.first() else {
        return b',';
    };
    CANDIDATES
        .iter()
        .copied()
        .max_by_key(|&d| {
            let in_header = count_outside_quotes(header, d);
            let consistent = lines
                .iter()
                .filter(|l| count_outside_quotes(l, d) == in_header)
                .count();
            // Candidates absent from the header lose; then agreement, then how many fields.
            (in_header > 0, consistent, in_header)
        })
        .unwrap_or(b',')
}

/// Quoted fields may hold the delimiter (`"1,250.00"`); a field spanning lines only makes a
/// line disagree, which the majority absorbs.
fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    line.bytes()
        .filter(|&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == delimiter && !quoted
        })
        .count()
}

fn csv_error(e: &csv::Error) -> Unreadable {
    let detail = match e.position() {
        Some(p) => format!("record {} (line {})", p.record(), p.line()),
        None => "unreadable record".to_string(),
    };
    Unreadable::Malformed {
        format: "CSV".into(),
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_that_splits_lines_alike() {
        assert_eq!(delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(
            delimiter("Datum;Betrag;Verwendungszweck\n02.01.2026;1.250,00;\"Miete, Januar\"\n"),
            b';'
        );
        assert_eq!(
            delimiter("date\tamount\tmemo\n2026-01-02\t1,250.00\tRent, Jan\n"),
            b'\t'
        );
        assert_eq!(delimiter("date|amount\n2026-01-02|10\n"), b'|');
        // Commas inside quotes do not count.
        assert_eq!(
            delimiter("name;amount\n\"Doe, Jane\";\"1,5\"\n\"Roe, Rick\";\"2,5\"\n"),
            b';'
        );
        assert_eq!(delimiter(""), b',');
    }
}
