//! The OFAC SDN CSV set as published: `sdn.csv`, `alt.csv`, `add.csv`, `sdn_comments.csv`.
//!
//! No header; `-0-` (often with a trailing space) as null; CRLF; a trailing 0x1A byte. The
//! columns:
//!
//! - `sdn.csv`: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage,
//!   GRT, Vess_flag, Vess_owner, Remarks
//! - `alt.csv`: ent_num, alt_num, alt_type, alt_name, alt_remarks
//! - `add.csv`: ent_num, add_num, address, city/state/postal, country, add_remarks
//! - `sdn_comments.csv`: ent_num, the rest of a Remarks field too long for its column (it
//!   continues mid-word, so it is appended with no separator)
//!
//! Remarks carry the details as `;`-separated phrases: `DOB 12 Oct 1972`, `alt. DOB 1962 to
//! 1964`, `nationality Iran`, `citizen Syria`, `Passport A1234567 (Iran)`, `Cedula No. 123
//! (Colombia)`, `Vessel Registration Identification IMO 9187629`, … Weak a.k.a.s in the remarks
//! (`a.k.a. 'BNC'`) are not taken as aliases: OFAC's own guidance is not to screen on them
//! alone. The address country is where the party has an address, not its nationality.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use super::{country_code, decode, parse_birth_dates, push_unique, sha256_hex, ListKind};
use crate::error::CoreError;
use crate::screening::{EntityType, IdNumber, ListEntry, ListVersion, SanctionsList};

const NULL: &str = "-0-";

/// The files of one OFAC SDN set; only `sdn` is required.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct OfacParts<'a> {
    pub sdn: &'a [u8],
    pub alt: Option<&'a [u8]>,
    pub add: Option<&'a [u8]>,
    pub comments: Option<&'a [u8]>,
    /// The names of the files as given (sdn, alt, add, comments), for messages.
    pub names: [&'a str; 4],
}

/// The name OFAC gives each part.
pub(super) const PART_NAMES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];

/// Field `i`, trimmed; `None` when empty or `-0-`.
fn value(record: &csv::ByteRecord, i: usize) -> Option<Cow<'_, str>> {
    let v = record.get(i)?.trim_ascii();
    if v.is_empty() || v == NULL.as_bytes() {
        None
    } else {
        Some(decode(v))
    }
}

/// Calls `row` for each record of an OFAC file, reusing one record buffer.
fn each_record(
    bytes: &[u8],
    file: &str,
    mut row: impl FnMut(&csv::ByteRecord),
) -> Result<(), CoreError> {
    let mut reader = csv_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut line = 0usize;
    loop {
        line += 1;
        match reader.read_byte_record(&mut record) {
            Ok(true) => row(&record),
            Ok(false) => return Ok(()),
            Err(e) => return Err(row_error(file, line, &e)),
        }
    }
}

/// OFAC files end with a DOS end-of-file byte (0x1A) that a CSV reader would take as data.
pub(super) fn strip_eof_marker(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !matches!(b, 0x1A | b'\r' | b'\n' | b' ' | b'\t'))
        .map_or(0, |i| i + 1);
    bytes.get(..end).unwrap_or_default()
}

fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(strip_eof_marker(bytes))
}

fn is_number(field: Option<&[u8]>) -> bool {
    field.is_some_and(|v| {
        let v = v.trim_ascii();
        !v.is_empty() && v.len() <= 12 && v.iter().all(u8::is_ascii_digit)
    })
}

fn is_null_or(field: Option<&[u8]>, allowed: &[&str]) -> bool {
    field.is_some_and(|v| {
        let v = v.trim_ascii();
        v.is_empty()
            || v == NULL.as_bytes()
            || allowed.iter().any(|a| v.eq_ignore_ascii_case(a.as_bytes()))
    })
}

/// Which OFAC file this is, from the shape of its first rows: column count, numeric ids and
/// the type column's vocabulary.
pub(super) fn recognise(bytes: &[u8]) -> Option<ListKind> {
    let mut kind = None;
    for record in csv_reader(bytes).byte_records().take(3) {
        let record = record.ok()?;
        let f = |i| record.get(i);
        let this = match record.len() {
            12 if is_number(f(0)) && is_null_or(f(2), &["individual", "vessel", "aircraft"]) => {
                ListKind::OfacSdn
            }
            5 if is_number(f(0)) && is_number(f(1)) && is_null_or(f(2), &["aka", "fka", "nka"]) => {
                ListKind::OfacAlt
            }
            6 if is_number(f(0)) && is_number(f(1)) => ListKind::OfacAdd,
            2 if is_number(f(0)) => ListKind::OfacComments,
            _ => return None,
        };
        if kind.is_some_and(|k| k != this) {
            return None;
        }
        kind = Some(this);
    }
    kind
}

fn row_error(file: &str, line: usize, e: &csv::Error) -> CoreError {
    CoreError::List {
        list: file.into(),
        detail: format!("row {line}: {e}"),
    }
}

/// Parses the SDN set into one list, `ofac_sdn`.
pub(super) fn load(parts: &OfacParts<'_>, source: &str) -> Result<SanctionsList, CoreError> {
    let mut continuations: HashMap<String, String> = HashMap::new();
    if let Some(comments) = parts.comments {
        each_record(comments, parts.names[3], |record| {
            if let (Some(uid), Some(text)) = (value(record, 0), record.get(1)) {
                continuations
                    .entry(uid.into_owned())
                    .or_default()
                    .push_str(&decode(text));
            }
        })?;
    }

    let mut entries = Vec::new();
    let mut by_uid: HashMap<String, usize> = HashMap::new();
    each_record(parts.sdn, parts.names[0], |record| {
        let (Some(uid), Some(name)) = (value(record, 0), value(record, 1)) else {
            return;
        };
        let entity_type = match value(record, 2).as_deref() {
            Some("individual") => EntityType::Individual,
            Some("vessel") => EntityType::Vessel,
            Some("aircraft") => EntityType::Aircraft,
            _ => EntityType::Entity,
        };
        let mut entry = ListEntry::new(uid.clone(), name, entity_type);
        if let Some(programs) = value(record, 3) {
            entry.programs = programs
                .split("] [")
                .map(|s| s.trim_matches(|c| c == '[' || c == ']').trim())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
        }
        if entity_type == EntityType::Vessel {
            if let Some(flag) = value(record, 9).as_deref().and_then(country_code) {
                push_unique(&mut entry.nationalities, flag.to_string());
            }
        }
        // The remarks column is cut at a fixed width; sdn_comments.csv holds the rest.
        let rest = if continuations.is_empty() {
            None
        } else {
            continuations.get(uid.as_ref())
        };
        match (value(record, 11), rest) {
            (remarks, Some(rest)) => {
                apply_remarks(
                    &mut entry,
                    &(remarks.unwrap_or_default().into_owned() + rest),
                );
            }
            (Some(remarks), None) => apply_remarks(&mut entry, &remarks),
            (None, None) => {}
        }
        by_uid.entry(uid.into_owned()).or_insert(entries.len());
        entries.push(entry);
    })?;
    if entries.is_empty() {
        return Err(CoreError::List {
            list: parts.names[0].into(),
            detail: "no entries".into(),
        });
    }

    if let Some(alt) = parts.alt {
        each_record(alt, parts.names[1], |record| {
            if let Some(alias) = value(record, 3) {
                if let Some(entry) = entry_of(&by_uid, &mut entries, record) {
                    if !entry.aliases.iter().any(|a| *a == alias) {
                        entry.aliases.push(alias.into_owned());
                    }
                }
            }
        })?;
    }
    if let Some(add) = parts.add {
        each_record(add, parts.names[2], |record| {
            let line: Vec<Cow<'_, str>> = (2..=4).filter_map(|i| value(record, i)).collect();
            if !line.is_empty() {
                if let Some(entry) = entry_of(&by_uid, &mut entries, record) {
                    push_unique(&mut entry.addresses, line.join(", "));
                }
            }
        })?;
    }

    Ok(SanctionsList {
        version: ListVersion {
            id: "ofac_sdn".into(),
            source: source.into(),
            published: None,
            entries: entries.len(),
            sha256: sha256_hex(
                [Some(parts.sdn), parts.alt, parts.add, parts.comments]
                    .into_iter()
                    .flatten(),
            ),
        },
        entries,
    })
}

/// The entry a row of `alt.csv` or `add.csv` belongs to (its first column).
fn entry_of<'e>(
    by_uid: &HashMap<String, usize>,
    entries: &'e mut [ListEntry],
    record: &csv::ByteRecord,
) -> Option<&'e mut ListEntry> {
    let i = *by_uid.get(value(record, 0)?.as_ref())?;
    entries.get_mut(i)
}

/// Reads the `;`-separated phrases of an SDN Remarks field into the entry.
fn apply_remarks(entry: &mut ListEntry, remarks: &str) {
    for phrase in remarks.split(';') {
        let phrase = phrase.trim();
        let phrase = strip_prefix_ci(phrase, "alt. ").unwrap_or(phrase).trim();
        let phrase = phrase.strip_suffix('.').unwrap_or(phrase).trim_end();
        if let Some(dob) = strip_prefix_ci(phrase, "DOB ") {
            for date in parse_birth_dates(dob) {
                if !entry.birth_dates.contains(&date) {
                    entry.birth_dates.push(date);
                }
            }
        } else if let Some(country) = strip_prefix_ci(phrase, "Nationality of Registration ")
            .or_else(|| strip_prefix_ci(phrase, "nationality "))
            .or_else(|| strip_prefix_ci(phrase, "citizen "))
            .or_else(|| {
                (entry.entity_type == EntityType::Vessel)
                    .then(|| strip_prefix_ci(phrase, "Vessel Flag "))
                    .flatten()
            })
        {
            if let Some(code) = country_code(country) {
                push_unique(&mut entry.nationalities, code.to_string());
            }
        } else if let Some(id) = parse_id_phrase(phrase) {
            if !entry.id_numbers.contains(&id) {
                entry.id_numbers.push(id);
            }
        }
    }
}

pub(super) fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

/// Labels of identity and registration numbers as OFAC writes them in Remarks (and the CSL in
/// its `ids` column). Matched case-insensitively, longest first, followed by a space.
const ID_LABELS: &[&str] = &[
    "Afghan Money Service Provider License Number",
    "Aircraft Manufacturer's Serial Number (MSN)",
    "Aircraft Mode S Transponder Code",
    "Aircraft Serial Identification",
    "Aircraft Tail Number",
    "Birth Certificate Number",
    "BIK (RU)",
    "Branch Unit Number",
    "Business Number",
    "Business Registration Document #",
    "Business Registration Number",
    "C.I.F.",
    "C.R. No.",
    "C.U.I.",
    "C.U.I.P.",
    "C.U.I.T.",
    "C.U.R.P. #",
    "C.U.R.P.",
    "Cartilla de Servicio Militar Nacional",
    "Cedula No.",
    "Certificate of Incorporation Number",
    "Chamber of Commerce Number",
    "Citizen's Card Number",
    "Commercial Registry Number",
    "Company Number",
    "Credencial electoral",
    "D-U-N-S Number",
    "D.N.I.",
    "Diplomatic Passport",
    "Driver's License No.",
    "Dubai Chamber of Commerce Membership No.",
    "Electoral Registry No.",
    "Enterprise Number",
    "File Number",
    "Folio Mercantil No.",
    "Government Gazette Number",
    "I.F.E.",
    "Identification Number",
    "Immigration No.",
    "Italian Fiscal Code",
    "Italian Fiscal Code:",
    "Kenyan ID No.",
    "LE Number",
    "Legal Entity Number",
    "Matricula Mercantil No",
    "MMSI",
    "National Foreign ID Number",
    "National ID No.",
    "National Identification Number",
    "NIT #",
    "Numero de Identidad",
    "Numero Unico de Identificacao Tributaria (NUIT)",
    "Passport",
    "Passport Booklet",
    "Passport Booklet:",
    "Personal ID Card",
    "Pilot License Number",
    "Public Registration Number",
    "R.F.C.",
    "R.F.C. #",
    "Refugee ID Card",
    "Registered Charity No.",
    "Registration ID",
    "Registration Number",
    "Residency Number",
    "RFC",
    "RIF #",
    "RTN",
    "RUC #",
    "SRE Permit No.",
    "SSN",
    "SWIFT/BIC",
    "Tax ID No.",
    "Tazkira National ID Card",
    "Trade License No.",
    "Travel Document Number",
    "Turkish Identification Number",
    "UK Company Number",
    "Unified Social Credit Code (USCC)",
    "United Social Credit Code Certificate (USCCC)",
    "US FEIN",
    "V.A.T. Number",
    "Vessel Registration Identification",
    "VisaNumberID",
];

/// The labels by their lower-cased first letter, longest first.
static LABELS_BY_INITIAL: LazyLock<HashMap<u8, Vec<&'static str>>> = LazyLock::new(|| {
    let mut map: HashMap<u8, Vec<&'static str>> = HashMap::new();
    for &label in ID_LABELS {
        if let Some(&first) = label.as_bytes().first() {
            map.entry(first.to_ascii_lowercase())
                .or_default()
                .push(label);
        }
    }
    for labels in map.values_mut() {
        labels.sort_by_key(|l| std::cmp::Reverse(l.len()));
    }
    map
});

/// The label an identifier phrase starts with, and the rest.
fn split_label(phrase: &str) -> Option<(&'static str, &str)> {
    let first = phrase.as_bytes().first()?.to_ascii_lowercase();
    LABELS_BY_INITIAL.get(&first)?.iter().find_map(|&label| {
        let rest = strip_prefix_ci(phrase, label)?;
        rest.starts_with(' ').then(|| (label, rest.trim()))
    })
}

/// The kind of an identifier as written, lower-cased, without trailing `#` or `:`.
pub(super) fn id_kind(label: &str) -> String {
    label
        .trim()
        .trim_end_matches([':', '#'])
        .trim()
        .to_lowercase()
}

/// `Passport A1234567 (Iran) issued 2001` → passport A1234567, IR.
fn parse_id_phrase(phrase: &str) -> Option<IdNumber> {
    let (label, rest) = split_label(phrase)?;
    id_number(&id_kind(label), rest, None)
}

/// An identifier from a kind and the text after its label: the issuing country in trailing
/// parentheses; `issued …`/`expires …` dropped; `IMO 1234567` read as an IMO number whatever
/// the label. `None` when no number is there.
pub(super) fn id_number(kind: &str, text: &str, country: Option<String>) -> Option<IdNumber> {
    let mut text = text.trim();
    // Cut at the first `issued` or `expires` word.
    let mut offset = 0;
    for word in text.split(' ') {
        if word.eq_ignore_ascii_case("issued") || word.eq_ignore_ascii_case("expires") {
            text = text.get(..offset).unwrap_or(text).trim_end();
            break;
        }
        offset += word.len() + 1;
    }
    let mut country = country;
    if let (Some(open), true) = (text.rfind('('), text.ends_with(')')) {
        let inside = text.get(open + 1..text.len() - 1).unwrap_or_default();
        if let Some(code) = country_code(inside) {
            country.get_or_insert_with(|| code.to_string());
        }
        text = text.get(..open).unwrap_or(text).trim_end();
    }
    let (kind, text) = match strip_prefix_ci(text, "IMO ") {
        Some(rest) => ("imo", rest),
        None => (kind, text),
    };
    let number = number_in(text)?;
    let kind = if kind.is_empty() { "id" } else { kind };
    let id = IdNumber::new(kind, &number, country);
    (id.number.len() >= 2).then_some(id)
}

/// The number in free text (after a label, or a UN document's NUMBER): the tokens with a digit
/// (`660000 73767`), with a short capital prefix that stands before them (`L 191609`,
/// `HRB 26136`, `German travel document A 0139243`), up to the first word after them
/// (`181301-1 Cali` → `181301-1`). A SWIFT/BIC code has no digit: a single
/// token of capitals is taken as it is.
fn number_in(text: &str) -> Option<String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let has_digit = |t: &str| t.bytes().any(|b| b.is_ascii_digit());
    let Some(first) = tokens.iter().position(|t| has_digit(t)) else {
        return match tokens.as_slice() {
            [one] if one.len() >= 6 && one.bytes().all(|b| b.is_ascii_uppercase()) => {
                Some((*one).to_string())
            }
            _ => None,
        };
    };
    let mut number = String::new();
    if let Some(prefix) = first
        .checked_sub(1)
        .and_then(|i| tokens.get(i))
        .filter(|t| {
            t.len() <= 3
                && t.bytes().all(|b| b.is_ascii_uppercase())
                && !matches!(**t, "NO" | "NR" | "ID" | "NUM")
        })
    {
        number.push_str(prefix);
    }
    for token in tokens.iter().skip(first) {
        if !has_digit(token) {
            break;
        }
        let ends_here = token.ends_with(',');
        number.push_str(token.trim_end_matches(','));
        if ends_here {
            break;
        }
    }
    Some(number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screening::BirthDate;

    #[test]
    fn loads_bundled_ofac_sample() {
        let lists = crate::screening::lists::bundled().unwrap();
        let list = &lists[0];
        assert_eq!(list.entries.len(), 17);
        let moreno = list.entries.iter().find(|e| e.id == "15102").unwrap();
        assert_eq!(moreno.entity_type, EntityType::Individual);
        assert_eq!(
            moreno.birth_dates,
            vec![BirthDate {
                year: 1972,
                month: Some(10),
                day: Some(12)
            }]
        );
        let hesa = list.entries.iter().find(|e| e.id == "11195").unwrap();
        assert!(hesa.aliases.contains(&"HESA TRADE CENTER".to_string()));
        assert!(list.entries.iter().any(|e| !e.addresses.is_empty()));
    }

    #[test]
    fn recognises_the_parts_by_shape() {
        let sdn = b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a";
        let alt = b"36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n";
        let add = b"36,25,-0- ,\"Havana\",\"Cuba\",-0- \r\n";
        let comments = b"12300,\"Z S.A.S.; Linked To: R D I S.A.\"\r\n";
        assert_eq!(recognise(sdn), Some(ListKind::OfacSdn));
        assert_eq!(recognise(alt), Some(ListKind::OfacAlt));
        assert_eq!(recognise(add), Some(ListKind::OfacAdd));
        assert_eq!(recognise(comments), Some(ListKind::OfacComments));
        assert_eq!(recognise(b"id,name\r\n1,x\r\n"), None);
        assert_eq!(recognise(b""), None);
        assert_eq!(recognise(b"\x1a"), None);
    }

    fn entry_with(remarks: &str, entity_type: EntityType) -> ListEntry {
        let mut entry = ListEntry::new("1", "X", entity_type);
        apply_remarks(&mut entry, remarks);
        entry
    }

    #[test]
    fn reads_remarks() {
        let e = entry_with(
            "DOB 13 May 1965; alt. DOB 1962 to 1964; alt. DOB Oct 1972; alt. DOB circa 1960; \
             POB Medellin, Colombia; nationality Iran; citizen Korea, North; \
             Cedula No. 7548733 (Colombia); Passport AL720622 (Colombia) issued 01 Jan 2001; \
             Passport L 191609 issued 28 Feb 1996 expires 27 Feb 2001; \
             National ID No. 660000 73767 (Belgium); Tax ID No. 100036386 (Serbia); \
             Matricula Mercantil No 181301-1 Cali (Colombia); Gender Male; a.k.a. 'BNC'; \
             Linked To: BIO FORESTAL S.A.S.",
            EntityType::Individual,
        );
        let year = BirthDate::year;
        assert_eq!(
            e.birth_dates,
            vec![
                BirthDate {
                    year: 1965,
                    month: Some(5),
                    day: Some(13)
                },
                year(1962),
                year(1963),
                year(1964),
                BirthDate {
                    year: 1972,
                    month: Some(10),
                    day: None
                },
                year(1960),
            ]
        );
        assert_eq!(e.nationalities, vec!["IR", "KP"]);
        let ids: Vec<(&str, &str, Option<&str>)> = e
            .id_numbers
            .iter()
            .map(|i| (i.kind.as_str(), i.number.as_str(), i.country.as_deref()))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("cedula no.", "7548733", Some("CO")),
                ("passport", "AL720622", Some("CO")),
                ("passport", "L191609", None),
                ("national id no.", "66000073767", Some("BE")),
                ("tax id no.", "100036386", Some("RS")),
                ("matricula mercantil no", "1813011", Some("CO")),
            ]
        );
        assert!(e.aliases.is_empty(), "weak a.k.a.s are not aliases");
    }

    #[test]
    fn reads_vessel_and_registration_numbers() {
        let e = entry_with(
            "Vessel Registration Identification IMO 9187629; MMSI 572469210; \
             Former Vessel Flag Panama; Vessel Flag Tanzania",
            EntityType::Vessel,
        );
        assert_eq!(e.id_numbers[0], IdNumber::new("imo", "9187629", None));
        assert_eq!(e.id_numbers[1], IdNumber::new("mmsi", "572469210", None));
        assert_eq!(e.nationalities, vec!["TZ"]);
        let e = entry_with(
            "Registration Number 02696754 (United Kingdom); SWIFT/BIC HAVIGB2L; \
             Legal Entity Number 851683897 (Netherlands); Identification Number IMO 5342883; \
             NIT # 800146749-7 (Colombia); Nationality of Registration Virgin Islands, British",
            EntityType::Entity,
        );
        let ids: Vec<(&str, &str)> = e
            .id_numbers
            .iter()
            .map(|i| (i.kind.as_str(), i.number.as_str()))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("registration number", "02696754"),
                ("swift/bic", "HAVIGB2L"),
                ("legal entity number", "851683897"),
                ("imo", "5342883"),
                ("nit", "8001467497"),
            ]
        );
        assert_eq!(e.nationalities, vec!["VG"]);
    }

    #[test]
    fn survives_garbage_remarks() {
        for remarks in [
            "DOB",
            "DOB ; ; ;",
            "DOB 99 Foo 99999999999999999999",
            "DOB 1900 to 9999",
            "Passport",
            "Passport ()",
            "Passport (",
            "Passport ) (",
            "nationality",
            "alt.",
            "é; ü; 日本",
        ] {
            let e = entry_with(remarks, EntityType::Individual);
            assert!(e.birth_dates.len() <= 1, "{remarks}: {:?}", e.birth_dates);
        }
    }
}
