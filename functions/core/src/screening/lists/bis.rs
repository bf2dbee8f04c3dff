//! The BIS Denied Persons List: tab-separated, every field quoted, a header
//! `"Name" "Street_Address" "City" "State" "Country" "Postal_Code" "Effective_Date"
//! "Expiration_Date" "Standard_Order" "Last_Update" "Action" "FR_Citation"`.
//!
//! One row per address: rows with the same name and effective date are one denial, so they
//! make one entry with several addresses. The list does not say whether a party is a person or a
//! company: a company marker in the name (`LTD`, `LLC`, `INC`, `CORP`, `S.A.`, `CO.`, `TRADING`,
//! …) makes it an entity, anything else a person. Names carry their nicknames and other names
//! inline (`PEARL (A.K.A. NEI-CHIEN CHU) LI`, `IHSAN MEDHAT "SAMMY" ELASHI`,
//! `FUYI SUN A/K/A FRANK SUN`): the name without them, and the other name when it is one (after
//! `A.K.A.`, or a company's), become aliases. The address country is not a nationality.
//! Entry ids are `dpl-` and 12 hex
//! digits of the SHA-256 of name and effective date, stable across downloads. The publication
//! date is the latest `Last_Update` that is not in the future (the real file has one dated 3017).

use std::collections::HashMap;

use super::{decode, guess_entity_type, push_unique, sha256_hex, stable_id, strip_bom};
use crate::error::CoreError;
use crate::screening::{EntityType, ListEntry, ListVersion, SanctionsList};

const HEADER: [&str; 7] = [
    "name",
    "street_address",
    "city",
    "state",
    "country",
    "postal_code",
    "effective_date",
];

fn header_names(line: &[u8]) -> Vec<String> {
    decode(line)
        .split('\t')
        .map(|h| h.trim().trim_matches('"').trim().to_lowercase())
        .collect()
}

pub(super) fn recognise(header_line: &[u8]) -> bool {
    let names = header_names(strip_bom(header_line));
    names.len() >= HEADER.len()
        && names.iter().zip(HEADER).all(|(n, h)| n == h)
        && names.iter().any(|n| n == "last_update")
}

fn error(detail: String) -> CoreError {
    CoreError::List {
        list: "bis_dpl".into(),
        detail,
    }
}

pub(super) fn load(bytes: &[u8], source: &str) -> Result<SanctionsList, CoreError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(true)
        .flexible(true)
        .from_reader(strip_bom(bytes));
    let header: Vec<String> = reader
        .byte_headers()
        .map_err(|e| error(format!("header: {e}")))?
        .iter()
        .map(|h| decode(h).trim().to_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let [name_col, street, city, state, country, postal, effective, last_update] = [
        "name",
        "street_address",
        "city",
        "state",
        "country",
        "postal_code",
        "effective_date",
        "last_update",
    ]
    .map(col);
    let today = chrono::Utc::now().date_naive();
    let mut latest: Option<chrono::NaiveDate> = None;
    let mut entries: Vec<ListEntry> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for record in reader.byte_records() {
        let record = record.map_err(|e| error(e.to_string()))?;
        let get = |c: Option<usize>| -> String {
            c.and_then(|c| record.get(c))
                .map(|v| decode(v).split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default()
        };
        let name = get(name_col);
        if name.is_empty() {
            continue;
        }
        if let Ok(date) = chrono::NaiveDate::parse_from_str(&get(last_update), "%Y-%m-%d") {
            if date <= today && latest.is_none_or(|l| date > l) {
                latest = Some(date);
            }
        }
        let id = stable_id("dpl-", &[&name, &get(effective)]);
        let address: Vec<String> = [street, city, state, postal, country]
            .into_iter()
            .map(get)
            .filter(|v| !v.is_empty())
            .collect();
        let index = match by_id.get(&id) {
            Some(&i) => i,
            None => {
                let entity_type = guess_entity_type(&name);
                let mut entry = ListEntry::new(id.clone(), name.clone(), entity_type);
                entry.programs.push("Denied Persons List".into());
                for alias in inline_aliases(&name, entity_type) {
                    push_unique(&mut entry.aliases, alias);
                }
                by_id.insert(id, entries.len());
                entries.push(entry);
                entries.len() - 1
            }
        };
        if let Some(entry) = entries.get_mut(index) {
            push_unique(&mut entry.addresses, address.join(", "));
        }
    }
    if entries.is_empty() {
        return Err(error("no entries".into()));
    }
    Ok(SanctionsList {
        version: ListVersion {
            id: "bis_dpl".into(),
            source: source.into(),
            published: latest.map(|d| d.to_string()),
            entries: entries.len(),
            sha256: sha256_hex([bytes]),
        },
        entries,
    })
}

/// The other names a BIS name carries inline: both sides of ` A/K/A `; the name without its
/// parenthesised or quoted part; and, for a company or after `A.K.A.`, the parenthesised part
/// when it is a name of its own (two words or more). A person's parenthesised given names
/// (`SAMMY (IHSAN MEDHAT) ELASHI`) are not a name on their own.
fn inline_aliases(name: &str, entity_type: EntityType) -> Vec<String> {
    let mut aliases = Vec::new();
    for marker in [" A/K/A ", " AKA ", " A.K.A. "] {
        if let Some((before, after)) = name.split_once(marker) {
            aliases.extend(
                [before, after]
                    .map(|s| s.trim().to_string())
                    .into_iter()
                    .filter(|s| !s.is_empty() && !s.contains(['(', '"'])),
            );
            return aliases;
        }
    }
    let mut rest = name;
    let mut outer = String::new();
    let mut inner = Vec::new();
    while let Some(open) = rest.find(['(', '"']) {
        let closing = if rest.get(open..open + 1) == Some("(") {
            ')'
        } else {
            '"'
        };
        let Some(len) = rest.get(open + 1..).and_then(|r| r.find(closing)) else {
            break;
        };
        outer.push_str(rest.get(..open).unwrap_or_default());
        outer.push(' ');
        inner.push(rest.get(open + 1..open + 1 + len).unwrap_or_default());
        rest = rest.get(open + len + 2..).unwrap_or_default();
    }
    if inner.is_empty() {
        return aliases;
    }
    outer.push_str(rest);
    let tidy = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let outer = tidy(&outer);
    if !outer.is_empty() && outer != name {
        aliases.push(outer);
    }
    for part in inner {
        let part = part.trim();
        let marked = ["A.K.A.", "AKA", "F.K.A.", "FKA", "D.B.A.", "DBA"]
            .iter()
            .find_map(|p| super::ofac::strip_prefix_ci(part, p));
        let own_name = marked.is_some() || entity_type != EntityType::Individual;
        let part = tidy(marked.unwrap_or(part).trim_start_matches([':', ' ']));
        if own_name && part.split_whitespace().count() >= 2 {
            aliases.push(part);
        }
    }
    aliases
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"\n\
\"ABDULAH AL NASSER\"\t\"605 TRAIL LAKE DRIVE\"\t\"RICHARDSON\"\t\"TX\"\t\"US\"\t\"75081\"\t\"03/04/2002\"\t\"06/29/2056\"\t\"Y\"\t\"2006-07-11\"\t\"50 YEAR DENIAL\"\t\"67 F.R. 56530\"\n\
\"ABDULAH AL NASSER\"\t\"908 AUDELIA ROAD\"\t\"RICHARDSON\"\t\"TX\"\t\"US\"\t\"75081\"\t\"03/04/2002\"\t\"06/29/2056\"\t\"Y\"\t\"2006-07-11\"\t\"50 YEAR DENIAL\"\t\"67 F.R. 56530\"\n\
\" SHUTTLE LONG CO, LTD.\"\t\"\"\t\"TAIPEI\"\t\"\"\t\"TW\"\t\"\"\t\"01/01/2010\"\t\"\"\t\"Y\"\t\"3017-08-22\"\t\"\"\t\"\"\n\
\"PEARL (A.K.A. NEI-CHIEN CHU) LI\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"\"\t\"01/01/2010\"\t\"\"\t\"Y\"\t\"2010-01-05\"\t\"\"\t\"\"\n";

    #[test]
    fn reads_denials_merging_addresses() {
        assert!(recognise(super::super::first_line(SMALL.as_bytes())));
        let list = load(SMALL.as_bytes(), "t").unwrap();
        assert_eq!(list.entries.len(), 3);
        assert_eq!(list.version.published.as_deref(), Some("2010-01-05"));
        let nasser = &list.entries[0];
        assert!(nasser.id.starts_with("dpl-"));
        assert_eq!(nasser.entity_type, EntityType::Individual);
        assert_eq!(
            nasser.addresses,
            vec![
                "605 TRAIL LAKE DRIVE, RICHARDSON, TX, 75081, US",
                "908 AUDELIA ROAD, RICHARDSON, TX, 75081, US"
            ]
        );
        assert!(nasser.nationalities.is_empty());
        let shuttle = &list.entries[1];
        assert_eq!(shuttle.name, "SHUTTLE LONG CO, LTD.");
        assert_eq!(shuttle.entity_type, EntityType::Entity);
        assert_eq!(list.entries[2].aliases, vec!["PEARL LI", "NEI-CHIEN CHU"]);
    }

    #[test]
    fn inline_aliases_of_real_names() {
        let person = |n| inline_aliases(n, EntityType::Individual);
        let company = |n| inline_aliases(n, EntityType::Entity);
        assert_eq!(
            person("IHSAN MEDHAT \"SAMMY\" ELASHI"),
            vec!["IHSAN MEDHAT ELASHI"]
        );
        assert_eq!(person("AFSHIN (SEAN) NAGHIBI"), vec!["AFSHIN NAGHIBI"]);
        assert_eq!(person("SAMMY (IHSAN MEDHAT) ELASHI"), vec!["SAMMY ELASHI"]);
        assert_eq!(
            person("PEARL (A.K.A. NEI-CHIEN CHU) LI"),
            vec!["PEARL LI", "NEI-CHIEN CHU"]
        );
        assert_eq!(
            person("FUYI SUN A/K/A FRANK SUN"),
            vec!["FUYI SUN", "FRANK SUN"]
        );
        assert_eq!(
            company("ASMAT (APPLIED SYSTEMS METHODS AND TECHNOLOGY)"),
            vec!["ASMAT", "APPLIED SYSTEMS METHODS AND TECHNOLOGY"]
        );
        assert_eq!(
            company("C.I.C. ELECTRONICS (HK) LIMITED"),
            vec!["C.I.C. ELECTRONICS LIMITED"]
        );
        assert!(person("JIM ROJAS").is_empty());
        assert!(person("BROKEN (NAME").is_empty());
        assert!(person("\"\"").is_empty());
        assert_eq!(person("(SEAN) NAGHIBI"), vec!["NAGHIBI"]);
    }
}
