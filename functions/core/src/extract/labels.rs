//! Labelled values of identity documents and forms, by a dictionary of label names rather
//! than one pattern per language: `Naam / Surname: DE VRIES`, `Nazwisko / Surname: NOWAK`,
//! `Né(e) le: 03/11/1995`, `1. Surname: BYRNE`, `Type: P    Code: NLD`. Bilingual labels are
//! split at `/`, so a label known in one of its languages is enough.
//!
//! Also the numbered fields of the EU model driving licence (Directive 2006/126/EC, annex I:
//! 1 surname, 2 other names, 3 date and place of birth, 4a issue, 4b expiry, 4c authority,
//! 5 licence number, 8 address), which cards print with or without labels.

use super::invoice::cells;

pub(crate) const SURNAME: &[&str] = &[
    "surname",
    "last name",
    "family name",
    "nom de famille",
    "nachname",
    "familienname",
    "apellidos",
    "apellido",
    "apelido(s)",
    "apelidos",
    "achternaam",
    "familienaam",
    "nazwisko",
    "cognome",
];
pub(crate) const GIVEN: &[&str] = &[
    "given names",
    "given name",
    "given name(s)",
    "first names",
    "first name",
    "first name(s)",
    "forenames",
    "forename",
    "prénoms",
    "prénom",
    "prénom(s)",
    "vornamen",
    "vorname",
    "nombre",
    "nombres",
    "voornamen",
    "voornaam",
    "imiona",
    "imię",
    "nome",
    "nome(s)",
    "nomes",
];
/// Labels of a whole name; on a document that also labels the given names, the surname.
pub(crate) const FULL_NAME: &[&str] = &[
    "name",
    "full name",
    "nom",
    "nom complet",
    "naam",
    "nombre completo",
    "customer",
    "customer name",
    "account holder",
    "account name",
    "holder",
    "titulaire",
    "titulaire du compte",
    "titulaire du contrat",
    "contract holder",
    "vertragsinhaber",
    "titular del contrato",
    "kontoinhaber",
    "inhaber",
    "titular",
    "titular de la cuenta",
    "rekeninghouder",
    "tenaamstelling",
];
pub(crate) const BIRTH_DATE: &[&str] = &[
    "date of birth",
    "birth date",
    "dob",
    "date and place of birth",
    "date de naissance",
    "date et lieu de naissance",
    "né(e) le",
    "né le",
    "née le",
    "geburtsdatum",
    "geburtstag",
    "geboren am",
    "geburtsdatum und -ort",
    "fecha de nacimiento",
    "fecha y lugar de nacimiento",
    "geboortedatum",
    "geboortedatum en -plaats",
    "data urodzenia",
    "data de nascimento",
    "data di nascita",
];
pub(crate) const EXPIRY_DATE: &[&str] = &[
    "date of expiry",
    "expiry date",
    "expiration date",
    "expires",
    "valid until",
    "date d'expiration",
    "valable jusqu'au",
    "gültig bis",
    "ablaufdatum",
    "fecha de caducidad",
    "válido hasta",
    "valido hasta",
    "fecha de validez",
    "geldig tot",
    "vervaldatum",
    "data ważności",
    "data de validade",
    "scadenza",
    "data di scadenza",
];
pub(crate) const ISSUE_DATE: &[&str] = &[
    "date of issue",
    "issue date",
    "date de délivrance",
    "ausstellungsdatum",
    "fecha de expedición",
    "fecha de emisión",
    "datum van afgifte",
    "data wydania",
    "data de emissão",
    "data di rilascio",
];
pub(crate) const NATIONALITY: &[&str] = &[
    "nationality",
    "country of nationality",
    "citizenship",
    "nationalité",
    "staatsangehörigkeit",
    "nacionalidad",
    "nationaliteit",
    "obywatelstwo",
    "nacionalidade",
    "cittadinanza",
];
pub(crate) const DOCUMENT_NUMBER: &[&str] = &[
    "document no",
    "document no.",
    "document number",
    "passport no",
    "passport no.",
    "passport number",
    "card number",
    "card no",
    "kaartnummer",
    "n° de carte",
    "numéro de carte",
    "kartennummer",
    "id number",
    "id no",
    "licence number",
    "license number",
    "n° du document",
    "n° du passeport",
    "n° de document",
    "numéro du document",
    "numéro du passeport",
    "numéro du permis",
    "documentnummer",
    "paspoortnummer",
    "ausweisnummer",
    "passnummer",
    "dokumentennummer",
    "führerscheinnummer",
    "núm. soporte",
    "número de soporte",
    "número de documento",
    "número de pasaporte",
    "número de permiso",
    "numer dowodu",
    "numer paszportu",
    "n.º documento",
    "número do documento",
];

/// `label: value` cells of a document, labels split into their languages and folded.
pub(crate) struct LabelledCells {
    entries: Vec<(Vec<String>, String)>,
}

/// The most labelled cells kept from one document.
const MAX_ENTRIES: usize = 2_000;

/// Drops an EU licence field number (`1.`, `4a.`) before a label.
fn without_field_number(label: &str) -> &str {
    let trimmed = label.trim_start();
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return trimmed;
    }
    let rest = &trimmed[digits..];
    let rest = rest.strip_prefix(['a', 'b', 'c', 'd']).unwrap_or(rest);
    match rest.strip_prefix('.') {
        Some(after) => after.trim_start(),
        None => trimmed,
    }
}

impl LabelledCells {
    pub(crate) fn new(text: &str) -> Self {
        let mut entries = Vec::new();
        'lines: for line in text.lines() {
            for (a, b) in cells(line) {
                let Some((label, value)) = line[a..b].split_once([':', '：']) else {
                    continue;
                };
                if label.chars().count() > 60 {
                    continue;
                }
                let names = without_field_number(label)
                    .split('/')
                    .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                    .map(|l| l.to_lowercase())
                    .filter(|l| !l.is_empty())
                    .collect();
                entries.push((names, value.trim().to_string()));
                if entries.len() >= MAX_ENTRIES {
                    break 'lines;
                }
            }
        }
        LabelledCells { entries }
    }

    /// The first non-empty value under one of `labels`.
    pub(crate) fn get(&self, labels: &[&str]) -> Option<&str> {
        self.entries
            .iter()
            .find(|(names, value)| {
                !value.is_empty() && names.iter().any(|n| labels.contains(&n.as_str()))
            })
            .map(|(_, value)| value.as_str())
    }
}

/// The numbered fields of an EU model driving licence.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct LicenceFields {
    pub surname: Option<String>,
    pub given_names: Option<String>,
    pub birth: Option<String>,
    pub issue: Option<String>,
    pub expiry: Option<String>,
    pub number: Option<String>,
    pub address: Option<String>,
}

/// The fields when the document prints at least fields 1, 2 and 4b or 5, as the model does.
pub(crate) fn eu_licence(text: &str) -> Option<LicenceFields> {
    let mut fields = LicenceFields::default();
    let mut seen = 0;
    for line in text.lines().take(200) {
        for (a, b) in cells(line) {
            let cell = &line[a..b];
            let Some((number, rest)) = cell.split_once(". ") else {
                continue;
            };
            // `1. Nom: LEFÈVRE` or `1. BAKKER`.
            let value = match rest.split_once(':') {
                Some((_, v)) => v.trim(),
                None => rest.trim(),
            };
            if value.is_empty() {
                continue;
            }
            let slot = match number.trim() {
                "1" => &mut fields.surname,
                "2" => &mut fields.given_names,
                "3" => &mut fields.birth,
                "4a" => &mut fields.issue,
                "4b" => &mut fields.expiry,
                "5" => &mut fields.number,
                "8" => &mut fields.address,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.to_string());
                seen += 1;
            }
        }
    }
    let has_date =
        |v: &Option<String>| v.as_deref().is_some_and(|v| super::parse_date(v).is_some());
    let complete = fields.surname.is_some()
        && fields.given_names.is_some()
        && (fields.expiry.is_some() || fields.number.is_some())
        && (has_date(&fields.birth) || has_date(&fields.expiry));
    (complete && seen >= 3).then_some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilingual_numbered_and_side_by_side_labels() {
        let text = "Nazwisko / Surname: NOWAK\n1. Vorname: JONAS\nType: P    Code: NLD\nNé(e) le: 03/11/1995\nAddress / Adresse:";
        let cells = LabelledCells::new(text);
        assert_eq!(cells.get(SURNAME), Some("NOWAK"));
        assert_eq!(cells.get(GIVEN), Some("JONAS"));
        assert_eq!(cells.get(&["code"]), Some("NLD"));
        assert_eq!(cells.get(BIRTH_DATE), Some("03/11/1995"));
        assert_eq!(cells.get(&["address"]), None);
    }

    #[test]
    fn eu_licence_with_and_without_labels() {
        let bare = "RIJBEWIJS\n1. BAKKER\n2. FLEUR\n3. 03.06.1997 UTRECHT\n4a. 10.06.2016   4b. 10.06.2026\n5. 5123456789\n9. AM B";
        let f = eu_licence(bare).unwrap();
        assert_eq!(f.surname.as_deref(), Some("BAKKER"));
        assert_eq!(f.issue.as_deref(), Some("10.06.2016"));
        assert_eq!(f.expiry.as_deref(), Some("10.06.2026"));
        assert_eq!(f.number.as_deref(), Some("5123456789"));
        let labelled = "1. Nom: LEFÈVRE\n2. Prénoms: THOMAS\n4b. Date d'expiration: 15/09/2029\n5. Numéro du permis: 140944100562";
        assert_eq!(
            eu_licence(labelled).unwrap().given_names.as_deref(),
            Some("THOMAS")
        );
        // A numbered list is not a licence.
        assert_eq!(
            eu_licence("1. Release slipped\n2. Backlog down\n3. Offsite\n5. Hiring"),
            None
        );
    }
}
