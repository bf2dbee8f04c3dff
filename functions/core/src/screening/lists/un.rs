//! The UN Security Council consolidated list, XML (`CONSOLIDATED_LIST` with `INDIVIDUALS` and
//! `ENTITIES`), read with a streaming reader: no document tree, bounded depth and text, and a
//! clear error (never a panic) on malformed or truncated XML.
//!
//! - name: FIRST_NAME SECOND_NAME THIRD_NAME FOURTH_NAME; NAME_ORIGINAL_SCRIPT and every
//!   non-empty ALIAS_NAME are aliases (all qualities, `Good`, `Low`, `a.k.a.`, `f.k.a.`: the
//!   entry model has no place for the quality);
//! - id: REFERENCE_NUMBER (`CDi.001`), else DATAID; programs: UN_LIST_TYPE;
//! - birth dates: TYPE_OF_DATE `EXACT`/`APPROXIMATELY` with DATE or YEAR, `BETWEEN` with
//!   FROM_YEAR/TO_YEAR (each year);
//! - nationalities: NATIONALITY/VALUE resolved to alpha-2;
//! - documents: TYPE_OF_DOCUMENT, NUMBER, ISSUING_COUNTRY (else COUNTRY_OF_ISSUE);
//! - addresses: STREET, CITY, STATE_PROVINCE, ZIP_CODE, COUNTRY on one line;
//! - published: the date part of the root's `dateGenerated`.

use quick_xml::events::Event;
use quick_xml::Reader;

use super::{
    country_code, ofac::id_number, parse_birth_dates, parse_partial_date, push_unique, sha256_hex,
    stable_id,
};
use crate::error::CoreError;
use crate::screening::{BirthDate, EntityType, ListEntry, ListVersion, SanctionsList};

const ROOT: &[u8] = b"CONSOLIDATED_LIST";
/// The real list nests five deep; anything much deeper is not this format.
const MAX_DEPTH: usize = 32;
/// Text kept per element; longer text (comments) is cut.
const MAX_TEXT: usize = 16 * 1024;

/// Whether the first element is `CONSOLIDATED_LIST`, or the file breaks off before that element
/// could be read but starts it (so that loading reports the truncation, not a stranger).
pub(super) fn recognise(bytes: &[u8]) -> bool {
    let mut reader = Reader::from_reader(bytes);
    for _ in 0..64 {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => return e.local_name().as_ref() == ROOT,
            Ok(Event::Eof) => return false,
            Err(_) => {
                let head = bytes.get(..bytes.len().min(4096)).unwrap_or_default();
                return head
                    .windows(ROOT.len() + 1)
                    .any(|w| w.first() == Some(&b'<') && w.get(1..) == Some(ROOT));
            }
            Ok(_) => {}
        }
    }
    false
}

#[derive(Default)]
struct Record {
    data_id: String,
    reference: String,
    names: [String; 4],
    original_script: String,
    list_type: String,
    entry: Option<ListEntry>,
    alias: String,
    dob: DateOfBirth,
    document: Document,
    address: Vec<String>,
}

#[derive(Default)]
struct DateOfBirth {
    kind: String,
    date: String,
    year: String,
    from_year: String,
    to_year: String,
}

#[derive(Default)]
struct Document {
    kind: String,
    kind2: String,
    number: String,
    issuing_country: String,
    country_of_issue: String,
}

fn error(detail: String) -> CoreError {
    CoreError::List {
        list: "un_sc".into(),
        detail,
    }
}

pub(super) fn load(bytes: &[u8], source: &str) -> Result<SanctionsList, CoreError> {
    let mut reader = Reader::from_reader(bytes);
    let mut stack = NameStack::default();
    let mut text = String::new();
    let mut published = None;
    let mut seen_root = false;
    let mut record: Option<Record> = None;
    let mut entries = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| {
            let at = reader.error_position();
            match e {
                // Every syntax error quick-xml reports is input ending inside markup.
                quick_xml::Error::Syntax(e) => error(format!(
                    "truncated or malformed XML at byte {at} of {}: {e}",
                    bytes.len()
                )),
                e => error(format!("malformed XML at byte {at}: {e}")),
            }
        })?;
        match event {
            Event::Start(e) => {
                let local = e.local_name();
                let name = local.as_ref();
                if stack.depth == 0 {
                    if name != ROOT {
                        return Err(error(format!(
                            "root element is <{}>, not <CONSOLIDATED_LIST>",
                            String::from_utf8_lossy(name)
                        )));
                    }
                    seen_root = true;
                    published = date_generated(&e);
                }
                if stack.depth >= MAX_DEPTH {
                    return Err(error(format!(
                        "elements nested more than {MAX_DEPTH} deep at byte {}",
                        reader.buffer_position()
                    )));
                }
                if matches!(name, b"INDIVIDUAL" | b"ENTITY")
                    && matches!(stack.top(), b"INDIVIDUALS" | b"ENTITIES")
                {
                    record = Some(Record::default());
                }
                stack.push(name);
                text.clear();
            }
            Event::Empty(_) if stack.depth == 0 => {
                return Err(error(
                    "the document is an empty element, not a consolidated list".into(),
                ));
            }
            Event::End(_) => {
                if !stack.pop() {
                    return Err(error("closing tag without an opening tag".into()));
                }
                let (name, parent) = (stack.popped(), stack.top());
                if let Some(rec) = record.as_mut() {
                    if matches!(name, b"INDIVIDUAL" | b"ENTITY")
                        && matches!(parent, b"INDIVIDUALS" | b"ENTITIES")
                    {
                        let individual = name == b"INDIVIDUAL";
                        if let Some(entry) = record.take().and_then(|r| finish(r, individual)) {
                            entries.push(entry);
                        }
                    } else {
                        field(rec, parent, name, text.trim());
                    }
                }
                text.clear();
            }
            Event::Text(t) if record.is_some() => {
                let t = t.decode().map_err(|e| {
                    error(format!("text at byte {}: {e}", reader.buffer_position()))
                })?;
                push_text(&mut text, &t);
            }
            Event::CData(t) if record.is_some() => {
                let t = t.decode().map_err(|e| {
                    error(format!("text at byte {}: {e}", reader.buffer_position()))
                })?;
                push_text(&mut text, &t);
            }
            Event::GeneralRef(r) if record.is_some() => {
                let resolved = resolve_reference(&r)
                    .map_err(|e| error(format!("{e} at byte {}", reader.buffer_position())))?;
                push_text(&mut text, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(error("no <CONSOLIDATED_LIST> element".into()));
    }
    if stack.depth > 0 {
        return Err(error(format!(
            "truncated: the file ends inside <{}> ({} entries read)",
            String::from_utf8_lossy(stack.top()),
            entries.len()
        )));
    }
    if entries.is_empty() {
        return Err(error("no entries".into()));
    }
    Ok(SanctionsList {
        version: ListVersion {
            id: "un_sc".into(),
            source: source.into(),
            published,
            entries: entries.len(),
            sha256: sha256_hex([bytes]),
        },
        entries,
    })
}

/// `&amp;`, `&#x43;` and the other predefined or character references.
fn resolve_reference(r: &quick_xml::events::BytesRef<'_>) -> Result<String, String> {
    let name = r.decode().map_err(|e| e.to_string())?;
    match r.resolve_char_ref() {
        Ok(Some(c)) => Ok(c.to_string()),
        Ok(None) => quick_xml::escape::resolve_predefined_entity(&name)
            .map(str::to_string)
            .ok_or_else(|| format!("unknown entity &{name};")),
        Err(e) => Err(format!("bad character reference &{name};: {e}")),
    }
}

/// The names of the open elements, with their buffers kept for reuse: no allocation per element
/// once the first entry has been read.
#[derive(Default)]
struct NameStack {
    names: Vec<Vec<u8>>,
    depth: usize,
}

impl NameStack {
    fn push(&mut self, name: &[u8]) {
        match self.names.get_mut(self.depth) {
            Some(slot) => {
                slot.clear();
                slot.extend_from_slice(name);
            }
            None => self.names.push(name.to_vec()),
        }
        self.depth += 1;
    }

    /// Closes the innermost element; false when none is open.
    fn pop(&mut self) -> bool {
        let open = self.depth > 0;
        self.depth = self.depth.saturating_sub(1);
        open
    }

    /// The innermost open element (empty at the top level).
    fn top(&self) -> &[u8] {
        self.depth
            .checked_sub(1)
            .and_then(|i| self.names.get(i))
            .map_or(&[], Vec::as_slice)
    }

    /// The element just closed by [`pop`](Self::pop).
    fn popped(&self) -> &[u8] {
        self.names.get(self.depth).map_or(&[], Vec::as_slice)
    }
}

fn push_text(buffer: &mut String, text: &str) {
    if buffer.len() + text.len() <= MAX_TEXT {
        buffer.push_str(text);
    }
}

fn date_generated(root: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    let attr = root.try_get_attribute("dateGenerated").ok().flatten()?;
    let value = attr.unescape_value().ok()?;
    let value = value.trim();
    let date = value
        .get(..10)
        .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
    Some(date.unwrap_or(value).to_string()).filter(|v| !v.is_empty())
}

/// Stores the text of an element that has just closed.
fn field(rec: &mut Record, parent: &[u8], name: &[u8], value: &str) {
    let entry = rec
        .entry
        .get_or_insert_with(|| ListEntry::new(String::new(), String::new(), EntityType::Entity));
    match (parent, name) {
        (b"INDIVIDUAL" | b"ENTITY", tag) => match tag {
            b"DATAID" => rec.data_id = value.into(),
            b"REFERENCE_NUMBER" => rec.reference = value.into(),
            b"FIRST_NAME" => rec.names[0] = value.into(),
            b"SECOND_NAME" => rec.names[1] = value.into(),
            b"THIRD_NAME" => rec.names[2] = value.into(),
            b"FOURTH_NAME" => rec.names[3] = value.into(),
            b"NAME_ORIGINAL_SCRIPT" => rec.original_script = value.into(),
            b"UN_LIST_TYPE" => rec.list_type = value.into(),
            b"INDIVIDUAL_ALIAS" | b"ENTITY_ALIAS" => {
                let alias = std::mem::take(&mut rec.alias);
                push_unique(&mut entry.aliases, alias);
            }
            b"INDIVIDUAL_DATE_OF_BIRTH" => {
                let dob = std::mem::take(&mut rec.dob);
                for date in birth_dates(&dob) {
                    if !entry.birth_dates.contains(&date) {
                        entry.birth_dates.push(date);
                    }
                }
            }
            b"INDIVIDUAL_DOCUMENT" => {
                let doc = std::mem::take(&mut rec.document);
                let kind = [&doc.kind, &doc.kind2]
                    .into_iter()
                    .map(|k| k.trim())
                    .find(|k| !k.is_empty())
                    .unwrap_or("id")
                    .to_lowercase();
                let country = [&doc.issuing_country, &doc.country_of_issue]
                    .into_iter()
                    .find_map(|c| country_code(c))
                    .map(str::to_string);
                if let Some(id) = id_number(&kind, &doc.number, country) {
                    if !entry.id_numbers.contains(&id) {
                        entry.id_numbers.push(id);
                    }
                }
            }
            b"INDIVIDUAL_ADDRESS" | b"ENTITY_ADDRESS" => {
                let parts = std::mem::take(&mut rec.address);
                push_unique(&mut entry.addresses, parts.join(", "));
            }
            _ => {}
        },
        (b"NATIONALITY", b"VALUE") => {
            if let Some(code) = country_code(value) {
                push_unique(&mut entry.nationalities, code.to_string());
            }
        }
        (b"INDIVIDUAL_ALIAS" | b"ENTITY_ALIAS", b"ALIAS_NAME") => rec.alias = value.into(),
        (b"INDIVIDUAL_DATE_OF_BIRTH", tag) => match tag {
            b"TYPE_OF_DATE" => rec.dob.kind = value.into(),
            b"DATE" => rec.dob.date = value.into(),
            b"YEAR" => rec.dob.year = value.into(),
            b"FROM_YEAR" => rec.dob.from_year = value.into(),
            b"TO_YEAR" => rec.dob.to_year = value.into(),
            _ => {}
        },
        (b"INDIVIDUAL_DOCUMENT", tag) => match tag {
            b"TYPE_OF_DOCUMENT" => rec.document.kind = value.into(),
            b"TYPE_OF_DOCUMENT2" => rec.document.kind2 = value.into(),
            b"NUMBER" => rec.document.number = value.into(),
            b"ISSUING_COUNTRY" => rec.document.issuing_country = value.into(),
            b"COUNTRY_OF_ISSUE" => rec.document.country_of_issue = value.into(),
            _ => {}
        },
        (
            b"INDIVIDUAL_ADDRESS" | b"ENTITY_ADDRESS",
            b"STREET" | b"CITY" | b"STATE_PROVINCE" | b"ZIP_CODE" | b"COUNTRY",
        ) if !value.is_empty() => rec.address.push(value.to_string()),
        _ => {}
    }
}

fn birth_dates(dob: &DateOfBirth) -> Vec<BirthDate> {
    if dob.kind.trim().eq_ignore_ascii_case("BETWEEN")
        || (!dob.from_year.is_empty() && !dob.to_year.is_empty())
    {
        return parse_birth_dates(&format!("{} to {}", dob.from_year, dob.to_year));
    }
    [&dob.date, &dob.year]
        .into_iter()
        .find_map(|d| parse_partial_date(d))
        .into_iter()
        .collect()
}

fn finish(rec: Record, individual: bool) -> Option<ListEntry> {
    let mut entry = rec
        .entry
        .unwrap_or_else(|| ListEntry::new(String::new(), String::new(), EntityType::Entity));
    let name = rec
        .names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        return None;
    }
    entry.id = [rec.reference.trim(), rec.data_id.trim()]
        .into_iter()
        .find(|id| !id.is_empty())
        .map_or_else(|| stable_id("un-", &[&name]), str::to_string);
    entry.entity_type = if individual {
        EntityType::Individual
    } else {
        EntityType::Entity
    };
    push_unique(&mut entry.programs, rec.list_type.trim().to_string());
    push_unique(&mut entry.aliases, rec.original_script.trim().to_string());
    entry.aliases.retain(|a| *a != name);
    entry.name = name;
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>6908555</DATAID>
      <FIRST_NAME>SADDAM</FIRST_NAME>
      <SECOND_NAME>HUSSEIN</SECOND_NAME>
      <THIRD_NAME>AL-TIKRITI </THIRD_NAME>
      <UN_LIST_TYPE>Iraq</UN_LIST_TYPE>
      <REFERENCE_NUMBER>IQi.001</REFERENCE_NUMBER>
      <NAME_ORIGINAL_SCRIPT>صدام حسين التكريتي</NAME_ORIGINAL_SCRIPT>
      <NATIONALITY><VALUE>Iraq</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Abu Ali</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS><CITY>Baghdad</CITY><COUNTRY>Iraq</COUNTRY></INDIVIDUAL_ADDRESS>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1937-04-28</DATE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1936</FROM_YEAR><TO_YEAR>1937</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>CAR passport no. D0000 0898</NUMBER><ISSUING_COUNTRY>Iran (Islamic Republic of)</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <DATAID>1</DATAID>
      <FIRST_NAME>A &amp; B TRADING &#x43;O</FIRST_NAME>
      <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
      <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME><![CDATA[A&B]]></ALIAS_NAME></ENTITY_ALIAS>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"#;

    #[test]
    fn reads_individuals_and_entities() {
        assert!(recognise(SMALL.as_bytes()));
        let list = load(SMALL.as_bytes(), "test").unwrap();
        assert_eq!(list.version.published.as_deref(), Some("2026-02-27"));
        let [saddam, entity] = list.entries.as_slice() else {
            panic!("{:?}", list.entries)
        };
        assert_eq!(saddam.id, "IQi.001");
        assert_eq!(saddam.name, "SADDAM HUSSEIN AL-TIKRITI");
        assert_eq!(saddam.aliases, vec!["Abu Ali", "صدام حسين التكريتي"]);
        assert_eq!(saddam.programs, vec!["Iraq"]);
        assert_eq!(saddam.nationalities, vec!["IQ"]);
        assert_eq!(saddam.addresses, vec!["Baghdad, Iraq"]);
        assert_eq!(
            saddam.birth_dates,
            vec![
                BirthDate {
                    year: 1937,
                    month: Some(4),
                    day: Some(28)
                },
                BirthDate::year(1936),
                BirthDate::year(1937)
            ]
        );
        assert_eq!(saddam.id_numbers.len(), 1);
        assert_eq!(saddam.id_numbers[0].number, "D00000898");
        assert_eq!(saddam.id_numbers[0].country.as_deref(), Some("IR"));
        assert_eq!(entity.id, "1");
        assert_eq!(entity.entity_type, EntityType::Entity);
        assert_eq!(entity.name, "A & B TRADING CO");
        assert_eq!(entity.aliases, vec!["A&B"]);
    }

    #[test]
    fn malformed_xml_is_an_error_not_a_panic() {
        let cut = SMALL.len() / 2;
        for (bytes, expected) in [
            (&SMALL.as_bytes()[..cut], "truncated"),
            (
                b"<CONSOLIDATED_LIST><INDIVIDUALS></ENTITIES>".as_slice(),
                "malformed",
            ),
            (b"<OTHER/>".as_slice(), "empty element"),
            (b"<OTHER></OTHER>".as_slice(), "root element"),
            (b"".as_slice(), "no <CONSOLIDATED_LIST>"),
            (
                b"<CONSOLIDATED_LIST></CONSOLIDATED_LIST>".as_slice(),
                "no entries",
            ),
            (
                b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&bogus;</FIRST_NAME>"
                    .as_slice(),
                "unknown entity",
            ),
        ] {
            let err = load(bytes, "test").unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        }
        let deep = "<CONSOLIDATED_LIST>".to_string() + &"<A>".repeat(100);
        assert!(load(deep.as_bytes(), "t")
            .unwrap_err()
            .to_string()
            .contains("nested"));
    }
}
