//! Field extraction from text, tables and the MRZ. Values are kept whole here for the checks;
//! [`Fields::masked`] is what leaves the pipeline.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};

mod agreement;
mod amounts;
mod dates;
mod invoice;
mod labels;
mod transactions;

pub(crate) use agreement::compact_number;
pub use agreement::mrz_agreement;
pub use amounts::{currency_code, parse_money_number, Money};
pub use dates::{find_dates, month_number, parse_date, parse_date_with, DateOrder, FoundDate};
pub use invoice::{InvoiceFields, MAX_AMOUNTS};
pub use transactions::{
    table_shape, CountryCell, Direction, Party, PartyDetails, TableShape, Transaction,
};

use crate::intake::DocumentText;
use crate::mask;
use crate::mrz::Mrz;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Consent {
    /// An explicit, affirmative statement or a ticked box.
    pub given: bool,
    pub purpose: Option<String>,
    pub date: Option<NaiveDate>,
    pub signed: bool,
    /// The document says how consent can be withdrawn (Art. 7(3)).
    pub withdrawal_explained: bool,
    /// The consent statement is not bundled with other terms in one tick (Art. 7(2)).
    pub separate_from_other_terms: bool,
}

/// What the document prints in its labelled fields, kept apart from the MRZ so that the two
/// can be compared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Printed {
    pub surname: Option<String>,
    pub given_names: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    /// The raw date text when it could not be parsed.
    pub date_of_birth_raw: Option<String>,
    pub document_number: Option<String>,
    pub expiry_date: Option<NaiveDate>,
    /// The raw expiry text when it could not be parsed.
    pub expiry_date_raw: Option<String>,
    pub nationality: Option<String>,
}

/// A financial identifier as written in the document, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundIdentifier {
    pub value: String,
    pub line: usize,
    /// Written after a label (`IBAN:`, `BIC:`, `LEI:`), so it is meant as one even if invalid.
    pub labelled: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub names: Vec<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub nationality: Option<String>,
    pub document_number: Option<String>,
    pub expiry_date: Option<NaiveDate>,
    pub mrz: Option<Mrz>,
    pub card_numbers: Vec<String>,
    /// 1-based line of each card number, in the same order.
    pub card_lines: Vec<usize>,
    pub transactions: Vec<Transaction>,
    pub consent: Option<Consent>,
    pub printed: Printed,
    pub ibans: Vec<FoundIdentifier>,
    pub bics: Vec<FoundIdentifier>,
    pub leis: Vec<FoundIdentifier>,
    /// Postal addresses written after a label (`Address:`, `Service address:`, `Adresse:`, …).
    pub addresses: Vec<String>,
    /// Labelled date of issue (of an identity document or an invoice).
    pub issue_date: Option<NaiveDate>,
    /// Invoice fields, VAT ids and amounts with a currency (text documents only).
    pub invoice: InvoiceFields,
}

/// The most values of one list field shown in a record or an output.
pub const MAX_LISTED: usize = 50;

/// How extracted fields leave the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// Stored, logged, alerted, printed by default: personal data masked.
    Masked,
    /// On the user's own terminal when asked for (`--show-pii`); never stored.
    Clear,
}

impl Fields {
    /// Per field, whether the MRZ and the printed labels agree (empty without an MRZ).
    pub fn mrz_agreement(&self) -> BTreeMap<&'static str, bool> {
        self.mrz
            .as_ref()
            .map(|m| mrz_agreement(m, &self.printed))
            .unwrap_or_default()
    }

    /// The fields as they may be stored and shown: personal data masked.
    pub fn masked(&self) -> BTreeMap<String, serde_json::Value> {
        self.view(Disclosure::Masked)
    }

    /// The fields as a JSON map with the same keys and shapes whatever the disclosure, so that
    /// one schema describes both.
    pub fn view(&self, disclosure: Disclosure) -> BTreeMap<String, serde_json::Value> {
        use serde_json::json;
        let clear = disclosure == Disclosure::Clear;
        let mut out = BTreeMap::new();
        // Lists are cut at MAX_LISTED so that an export of 100,000 rows still makes an audit
        // record that fits a DynamoDB item; the checks see every value, and
        // `truncated_lists` says how many there were.
        let mut truncated = BTreeMap::new();
        let reveal = |value: &str, masked: fn(&str) -> String| {
            if clear {
                value.to_string()
            } else {
                masked(value)
            }
        };
        let mut list = |key: &str, values: Vec<&str>, masked: fn(&str) -> String| {
            if values.is_empty() {
                return;
            }
            if values.len() > MAX_LISTED {
                truncated.insert(key.to_string(), values.len());
            }
            let shown: Vec<String> = values
                .iter()
                .take(MAX_LISTED)
                .map(|v| reveal(v, masked))
                .collect();
            out.insert(key.to_string(), json!(shown));
        };
        // An IBAN is a customer's account; BICs and LEIs identify institutions, public data.
        let public: fn(&str) -> String = str::to_string;
        fn values(ids: &[FoundIdentifier]) -> Vec<&str> {
            ids.iter().map(|i| i.value.as_str()).collect()
        }
        list(
            "names",
            self.names.iter().map(String::as_str).collect(),
            mask::name,
        );
        list(
            "card_numbers",
            self.card_numbers.iter().map(String::as_str).collect(),
            mask::card,
        );
        list("ibans", values(&self.ibans), mask::identifier);
        list(
            "addresses",
            self.addresses.iter().map(String::as_str).collect(),
            mask::address,
        );
        list("bics", values(&self.bics), public);
        list("leis", values(&self.leis), public);
        if let Some(d) = self.date_of_birth {
            let shown = if clear {
                d.to_string()
            } else {
                mask::birth_date(d)
            };
            out.insert("date_of_birth".into(), json!(shown));
        }
        if let Some(n) = &self.nationality {
            out.insert("nationality".into(), json!(n));
        }
        if let Some(n) = &self.document_number {
            out.insert("document_number".into(), json!(reveal(n, mask::identifier)));
        }
        if let Some(d) = self.expiry_date {
            out.insert("expiry_date".into(), json!(d.to_string()));
        }
        if let Some(m) = &self.mrz {
            out.insert(
                "mrz".into(),
                json!({
                    "format": m.format.name(),
                    "document_code": m.document_code,
                    "issuing_state": m.issuing_state,
                    "check_digits_ok": m.all_check_digits_ok(),
                }),
            );
        }
        if !self.transactions.is_empty() {
            // Totals per currency, of the absolute amounts: debits written as negative
            // numbers are money moved all the same.
            let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
            for t in &self.transactions {
                *totals.entry(t.currency.as_str()).or_default() += t.amount.abs();
            }
            let totals: BTreeMap<&str, f64> = totals
                .into_iter()
                .map(|(c, v)| (c, (v * 100.0).round() / 100.0))
                .collect();
            out.insert(
                "transactions".into(),
                json!({"count": self.transactions.len(), "totals": totals}),
            );
        }
        if let Some(c) = &self.consent {
            out.insert(
                "consent".into(),
                json!({
                    "given": c.given,
                    "purpose": c.purpose,
                    "date": c.date.map(|d| d.to_string()),
                    "signed": c.signed,
                    "withdrawal_explained": c.withdrawal_explained,
                    "separate_from_other_terms": c.separate_from_other_terms,
                }),
            );
        }
        if let Some(d) = self.issue_date {
            out.insert("issue_date".into(), json!(d.to_string()));
        }
        let agreement = self.mrz_agreement();
        if !agreement.is_empty() {
            out.insert("mrz_agreement".into(), json!(agreement));
        }
        // Invoice data describe companies and trade, not people: shown as printed.
        let invoice = &self.invoice;
        if let Some(issuer) = &invoice.issuer {
            out.insert("issuer".into(), json!(issuer));
        }
        if let Some(number) = &invoice.invoice_number {
            out.insert("invoice_number".into(), json!(number));
        }
        if let Some(d) = invoice.invoice_date {
            out.insert("invoice_date".into(), json!(d.to_string()));
        }
        if let Some(total) = invoice.total_amount {
            out.insert("total_amount".into(), json!(total));
        }
        if let Some(currency) = &invoice.currency {
            out.insert("currency".into(), json!(currency));
        }
        if !invoice.vat_ids.is_empty() {
            out.insert("vat_ids".into(), json!(invoice.vat_ids));
        }
        if !invoice.amounts.is_empty() {
            out.insert("amounts".into(), json!(invoice.amounts));
        }
        if !truncated.is_empty() {
            out.insert("truncated_lists".into(), json!(truncated));
        }
        out
    }
}

/// Compiles an extraction pattern with ASCII word boundaries. With Unicode ones, the regex
/// crate's fast engine gives up on any text with a non-ASCII character (a bullet, a curly
/// quote) and falls back to its slowest: that made a six-page IRS form cost 60 ms. Every label
/// starts and ends with an ASCII letter or digit, so the matches are the same but next to a
/// non-ASCII letter.
pub(crate) fn compile(pattern: &str) -> Option<Regex> {
    Regex::new(&pattern.replace(r"\b", r"(?-u:\b)")).ok()
}

macro_rules! regex {
    ($name:ident, $re:expr) => {
        static $name: LazyLock<Option<Regex>> = LazyLock::new(|| crate::extract::compile($re));
    };
}

regex!(
    NAME_LABEL,
    r"(?im)^\s*(?:full name|name of (?:applicant|customer|account holder)|customer name|applicant name|account holder|name|nom(?: complet)?|vollständiger name|nombre completo|naam)\s*[:：]\s*(.+?)\s*$"
);
regex!(
    SURNAME_LABEL,
    r"(?im)^\s*(?:surname|last name|family name|nom de famille|nachname|familienname|apellidos?|achternaam|familienaam)\s*[:：]\s*(.+?)\s*$"
);
regex!(
    GIVEN_LABEL,
    r"(?im)^\s*(?:given names?|first names?|forenames?|prénoms?|vornamen?|nombres?|voornamen|voornaam)\s*[:：]\s*(.+?)\s*$"
);
regex!(
    DOB_LABEL,
    r"(?im)^\s*(?:date of birth|birth date|dob|date de naissance|geburtsdatum|fecha de nacimiento|geboortedatum)\s*[:：]\s*(.+?)\s*$"
);
regex!(
    EXPIRY_LABEL,
    r"(?im)^\s*(?:date of expiry|expiry date|expiration date|expires(?: on)?|valid until|valid thru|date d'expiration|expire le|valable jusqu'au|gültig bis|ablaufdatum|fecha de caducidad|válido hasta|valido hasta|geldig tot|vervaldatum)\s*[:：]\s*(.+?)\s*$"
);
regex!(
    NATIONALITY_LABEL,
    r"(?im)^\s*(?:nationality|nationalité|staatsangehörigkeit|nacionalidad|nationaliteit)\s*[:：]\s*(.+?)\s*$"
);
regex!(
    DOCNUM_LABEL,
    r"(?im)^\s*(?:passport (?:no|number)|document (?:no|number)|id (?:no|number)|card (?:no|number)|licen[cs]e (?:no|number)|dl (?:no|number)|n° (?:du )?(?:document|passeport)|numéro (?:du )?(?:document|passeport)|ausweisnummer|passnummer|dokumentennummer|número de (?:documento|pasaporte)|documentnummer|paspoortnummer)\.?\s*[:：]\s*([A-Z0-9<\- ]{5,20})\s*$"
);
regex!(
    ADDRESS_LABEL,
    r"(?im)^\s*(?:(?:residential|home|postal|service|supply|billing|registered|current|permanent|business) address|address(?: line 1)?|adresse(?: de (?:consommation|fourniture|livraison|facturation|domicile))?|anschrift|wohnanschrift|lieferanschrift|lieferadresse|verbrauchsstelle|dirección(?: de suministro)?|direccion(?: de suministro)?|domicilio(?: de suministro)?|adres|vestigingsadres|woonadres|postadres|bezoekadres|leveringsadres)\s*[:：]\s*(.*?)\s*$"
);
regex!(CARD_CANDIDATE, r"\b\d+(?:[ -]\d+)*\b");
regex!(
    PURPOSE_LABEL,
    r"(?im)^\s*(?:purpose(?: of processing)?|finalité|zweck|finalidad|doel)\s*[:：]\s*(.+?)\s*$"
);
regex!(
    CONSENT_DATE_LABEL,
    r"(?im)^\s*(?:date(?: of consent)?|signed on|datum|fecha)\s*[:：]\s*(.+?)\s*$"
);
regex!(
    SIGNATURE_LABEL,
    r"(?im)^\s*(?:signature|signed|signé|unterschrift|firma|handtekening)\s*[:：]\s*(.*?)\s*$"
);
regex!(
    CONSENT_TICK,
    r"(?i)(?:\[\s*[x✓✔]\s*\]|☑|☒)\s*(?:(?:yes|ja|oui|sí|si)\s*,?\s*)?(?:i\s+(?:consent|agree|accept)|j'accepte|je consens|je donne mon consentement|ich willige|ich stimme|ich bin einverstanden|doy mi consentimiento|acepto|consiento|ik geef toestemming|ik ga akkoord|ik stem)"
);
regex!(
    CONSENT_UNTICKED,
    r"(?i)\[\s*\]\s*(?:(?:yes|ja|oui|sí|si)\s*,?\s*)?(?:i\s+(?:consent|agree|accept)|j'accepte|je consens|je donne mon consentement|ich willige|ich stimme|ich bin einverstanden|doy mi consentimiento|acepto|consiento|ik geef toestemming|ik ga akkoord|ik stem)"
);

regex!(
    WITHDRAWAL,
    r"(?i)withdraw|withdrawal|revoke|retirer|retrait de (?:votre|mon) consentement|widerruf|widerrufen|revocar|retirar (?:su|mi) consentimiento|intrekken|intrekking"
);
// A ticked statement, with the indented lines it wraps onto.
regex!(
    TICKED_STATEMENT,
    r"(?m)^[^\n]*(?:\[\s*[x✓✔]\s*\]|☑|☒)[^\n]*(?:\n[ \t]+[^\n]*)*"
);
regex!(
    CONSENT_WORD,
    r"(?i)consent|agree|einwillig|zustimm|consentement|consentimiento|toestemming"
);
regex!(
    CONTRACT_TERMS,
    r"(?i)terms and conditions|terms of (?:service|use)|general terms|conditions générales|agb|allgemeinen geschäftsbedingungen|términos y condiciones|algemene voorwaarden"
);

/// One tick that covers consent and the contract terms together (Art. 7(2) wants them apart).
fn bundled_consent(text: &str) -> bool {
    let (Some(statement), Some(consent), Some(terms)) = (
        TICKED_STATEMENT.as_ref(),
        CONSENT_WORD.as_ref(),
        CONTRACT_TERMS.as_ref(),
    ) else {
        return false;
    };
    statement
        .find_iter(text)
        .any(|m| consent.is_match(m.as_str()) && terms.is_match(m.as_str()))
}

regex!(
    IBAN_LABELLED,
    r"(?m)\b(?i:iban)\s*(?i:no\.?|number|nummer|numéro)?\s*[:：]?\s*([A-Z]{2}[0-9A-Z]{2}(?:[ ]?[0-9A-Z]){8,32})"
);
regex!(
    IBAN_SHAPE,
    r"\b([A-Z]{2}[0-9]{2}(?:[ ]?[0-9A-Z]{4}){2,7}(?:[ ]?[0-9A-Z]{1,4})?)\b"
);
regex!(
    BIC_LABELLED,
    r"(?im)\b(?:bic(?:\s*/\s*swift)?|swift(?:\s*/\s*bic)?|swift code|bic code)\s*[:：]\s*([A-Za-z0-9]{6,14})\b"
);
regex!(
    LEI_LABELLED,
    r"(?im)\blei(?:\s*code)?\s*[:：]\s*([A-Za-z0-9]{18,22})\b"
);

/// 1-based line holding `digits` (with any spacing or dashes between them).
fn line_of_digits(text: &str, digits: &str) -> usize {
    text.lines()
        .position(|line| {
            let compact: String = line.chars().filter(char::is_ascii_digit).collect();
            compact.contains(digits)
        })
        .map_or(0, |i| i + 1)
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// IBANs, BICs and LEIs. A labelled value is kept even when invalid (the check reports it);
/// an unlabelled IBAN-shaped run is kept only when it is a valid IBAN, since invoice and order
/// numbers can have the same shape.
fn financial_identifiers(text: &str, fields: &mut Fields) {
    use crate::identifiers::validate_iban;
    let push = |list: &mut Vec<FoundIdentifier>, value: String, line: usize, labelled: bool| {
        if !list.iter().any(|f| f.value == value) {
            list.push(FoundIdentifier {
                value,
                line,
                labelled,
            });
        }
    };
    let compact = |s: &str| s.split_whitespace().collect::<String>().to_uppercase();
    if let Some(re) = IBAN_LABELLED.as_ref() {
        for c in re.captures_iter(text) {
            if let Some(m) = c.get(1) {
                // Print groups make the next word look like more IBAN: drop whole trailing
                // groups while that reaches the registry length of the country exactly. A
                // typo that lengthens the IBAN itself is left for the check to report.
                let raw = m.as_str();
                let mut groups: Vec<&str> = raw.split(' ').collect();
                let expected = raw.get(..2).and_then(crate::identifiers::iban_length);
                let mut value = compact(raw);
                if let Some(len) = expected {
                    while value.len() > len && groups.len() > 1 {
                        groups.pop();
                        value = compact(&groups.concat());
                    }
                    if value.len() != len {
                        value = compact(raw);
                    }
                }
                push(&mut fields.ibans, value, line_at(text, m.start()), true);
            }
        }
    }
    if let Some(re) = IBAN_SHAPE.as_ref() {
        for c in re.captures_iter(text) {
            if let Some(m) = c.get(1) {
                let value = compact(m.as_str());
                if validate_iban(&value).valid {
                    push(&mut fields.ibans, value, line_at(text, m.start()), false);
                }
            }
        }
    }
    for (re, list) in [
        (&BIC_LABELLED, &mut fields.bics),
        (&LEI_LABELLED, &mut fields.leis),
    ] {
        if let Some(re) = re.as_ref() {
            for c in re.captures_iter(text) {
                if let Some(m) = c.get(1) {
                    push(list, compact(m.as_str()), line_at(text, m.start()), true);
                }
            }
        }
    }
}

fn capture<'a>(re: &LazyLock<Option<Regex>>, text: &'a str) -> Option<&'a str> {
    re.as_ref()?
        .captures(text)?
        .get(1)
        .map(|m| m.as_str())
        .filter(|s| !s.is_empty())
}

/// Extracts what the checks need. `consent_expected` asks for consent fields even when no
/// explicit tick is present (the document was classified as a consent form).
pub fn extract(doc: &DocumentText, mrz: Option<Mrz>, consent_expected: bool) -> Fields {
    let text = doc.text.as_str();
    let mut fields = Fields::default();

    if let Some(m) = &mrz {
        let name = m.full_name();
        if !name.is_empty() {
            fields.names.push(title_case(&name));
        }
        fields.date_of_birth = m.birth_date;
        fields.expiry_date = m.expiry_date;
        fields.nationality = Some(m.nationality.clone()).filter(|n| !n.is_empty());
        fields.document_number = Some(m.document_number.clone()).filter(|n| !n.is_empty());
    }

    let labels = labels::LabelledCells::new(text);
    let licence = labels::eu_licence(text);
    let licence_value = |pick: fn(&labels::LicenceFields) -> &Option<String>| {
        licence.as_ref().and_then(|l| pick(l).clone())
    };
    let labelled = |re: &LazyLock<Option<Regex>>, names: &[&str]| {
        capture(re, text)
            .or_else(|| labels.get(names))
            .map(str::to_string)
    };
    let surname_label =
        labelled(&SURNAME_LABEL, labels::SURNAME).or_else(|| licence_value(|l| &l.surname));
    let given = labelled(&GIVEN_LABEL, labels::GIVEN).or_else(|| licence_value(|l| &l.given_names));
    let plain_name = labelled(&NAME_LABEL, labels::FULL_NAME);
    // Beside a label for the given names, a bare `Name:` / `Nom:` / `Naam:` is the surname.
    let surname = surname_label
        .clone()
        .or_else(|| given.as_ref().and(plain_name.clone()));
    if let Some(name) = &plain_name {
        // `Naam / Surname:` is one label in two languages, not a second name.
        let is_surname_cell = surname_label.as_ref() == Some(name);
        if given.is_none() || (surname_label.is_some() && !is_surname_cell) {
            push_name(&mut fields.names, name);
        }
    }
    if let Some(surname) = &surname {
        let given = given.as_deref().unwrap_or("");
        push_name(&mut fields.names, &format!("{given} {surname}"));
    }
    let printed_dob =
        labelled(&DOB_LABEL, labels::BIRTH_DATE).or_else(|| licence_value(|l| &l.birth));
    let printed_expiry =
        labelled(&EXPIRY_LABEL, labels::EXPIRY_DATE).or_else(|| licence_value(|l| &l.expiry));
    let printed_number = capture(&DOCNUM_LABEL, text)
        .map(|s| s.trim().to_string())
        .or_else(|| {
            labels
                .get(labels::DOCUMENT_NUMBER)
                .and_then(document_number_value)
        })
        .or_else(|| {
            licence_value(|l| &l.number)
                .as_deref()
                .and_then(document_number_value)
        });
    fields.printed = Printed {
        surname,
        given_names: given,
        date_of_birth: printed_dob.as_deref().and_then(parse_date),
        date_of_birth_raw: printed_dob,
        document_number: printed_number,
        expiry_date: printed_expiry.as_deref().and_then(parse_date),
        expiry_date_raw: printed_expiry,
        nationality: labelled(&NATIONALITY_LABEL, labels::NATIONALITY),
    };
    if fields.date_of_birth.is_none() {
        fields.date_of_birth = fields.printed.date_of_birth;
    }
    if fields.expiry_date.is_none() {
        fields.expiry_date = fields.printed.expiry_date;
    }
    if fields.nationality.is_none() {
        fields.nationality = fields.printed.nationality.clone();
    }
    if fields.document_number.is_none() {
        fields.document_number = fields.printed.document_number.clone();
    }
    fields.mrz = mrz;
    fields.issue_date = invoice::issue_date(text)
        .or_else(|| labels.get(labels::ISSUE_DATE).and_then(parse_date))
        .or_else(|| licence_value(|l| &l.issue).as_deref().and_then(parse_date));
    // A table's rows are transactions, read below; invoice labels are looked for in prose.
    if doc.table.is_none() {
        fields.invoice = invoice::invoice_fields(text);
    }
    fields.addresses = addresses(text);
    if let Some(address) = licence_value(|l| &l.address) {
        if !fields.addresses.contains(&address) {
            fields.addresses.push(address);
        }
    }
    fields.card_numbers = card_numbers(text);
    fields.card_lines = fields
        .card_numbers
        .iter()
        .map(|card| line_of_digits(text, card))
        .collect();
    financial_identifiers(text, &mut fields);
    if let Some(table) = &doc.table {
        fields.transactions = transactions::transactions(table);
        // Customers and the other side of every payment are screened alike. A set keeps the
        // de-duplication linear on exports of many rows.
        let mut seen: std::collections::HashSet<String> =
            fields.names.iter().map(|n| n.to_lowercase()).collect();
        for t in &fields.transactions {
            for name in [
                &t.party,
                &t.originator.name,
                &t.beneficiary.name,
                &t.counterparty.name,
            ] {
                let normalised = name.split_whitespace().collect::<Vec<_>>().join(" ");
                let has_letters = normalised.chars().filter(|c| c.is_alphabetic()).count() >= 2;
                if has_letters && seen.insert(normalised.to_lowercase()) {
                    fields.names.push(normalised);
                }
            }
        }
    }
    let ticked = CONSENT_TICK.as_ref().is_some_and(|r| r.is_match(text));
    let unticked = CONSENT_UNTICKED.as_ref().is_some_and(|r| r.is_match(text));
    if consent_expected || ticked || unticked {
        let signature = capture(&SIGNATURE_LABEL, text).map(|s| s.trim());
        fields.consent = Some(Consent {
            given: ticked && !unticked,
            purpose: capture(&PURPOSE_LABEL, text).map(|s| s.to_string()),
            date: capture(&CONSENT_DATE_LABEL, text).and_then(parse_date),
            signed: signature.is_some_and(|s| {
                !s.is_empty() && !s.chars().all(|c| c == '_' || c == '.' || c == ' ')
            }),
            withdrawal_explained: WITHDRAWAL.as_ref().is_some_and(|r| r.is_match(text)),
            separate_from_other_terms: !bundled_consent(text),
        });
    }
    fields
}

/// The most addresses taken from one document.
const MAX_ADDRESSES: usize = 5;

/// Labelled addresses. The value is the rest of the label's line and, when that is empty or
/// the address goes on, the next lines up to a blank line or another label (at most three).
fn addresses(text: &str) -> Vec<String> {
    let Some(re) = ADDRESS_LABEL.as_ref() else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for caps in re.captures_iter(text).take(MAX_ADDRESSES) {
        let (Some(whole), Some(value)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        let mut parts: Vec<&str> = Vec::new();
        if !value.as_str().is_empty() {
            parts.push(value.as_str());
        }
        for line in text[whole.end()..].lines().skip(1).take(3) {
            let line = line.trim();
            // Another label, a blank line or a long sentence ends the address.
            if line.is_empty() || line.contains(':') || line.len() > 80 {
                break;
            }
            // After a value on the label's own line, only a postcode line goes on with it.
            if !value.as_str().is_empty() && !line.chars().any(|c| c.is_ascii_digit()) {
                break;
            }
            parts.push(line);
        }
        let address = parts.join(", ");
        let letters = address.chars().filter(|c| c.is_alphabetic()).count();
        if letters >= 3 && address.len() <= 200 && !out.contains(&address) {
            out.push(address);
        }
    }
    out
}

/// A document number as printed: the first word, or words, of letters, digits and dashes.
fn document_number_value(raw: &str) -> Option<String> {
    let value: String = raw
        .split_whitespace()
        .take_while(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .collect::<Vec<_>>()
        .join(" ");
    let compact = value.chars().filter(char::is_ascii_alphanumeric).count();
    ((5..=20).contains(&compact) && value.chars().any(|c| c.is_ascii_digit())).then_some(value)
}

/// Forms of address printed before a name.
const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "herr", "herrn", "frau", "m", "mme", "mlle", "sr",
    "sra", "srta", "dhr", "mevr", "mw",
];

fn push_name(names: &mut Vec<String>, raw: &str) {
    let mut words: Vec<&str> = raw.split_whitespace().collect();
    while words.len() > 2
        && words
            .first()
            .is_some_and(|w| HONORIFICS.contains(&w.trim_end_matches('.').to_lowercase().as_str()))
    {
        words.remove(0);
    }
    let name: String = words.join(" ");
    if name.chars().filter(|c| c.is_alphabetic()).count() < 2 {
        return;
    }
    let folded = name.to_lowercase();
    if !names.iter().any(|n| n.to_lowercase() == folded) {
        names.push(name);
    }
}

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let lower = w.to_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(f) => f.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// Luhn-valid numbers of 13 to 19 digits with a known card prefix. Digits may be grouped by
/// single spaces or dashes; a run of groups is searched for the longest valid card inside it,
/// so that a quantity or date just before a card number does not hide it.
pub fn card_numbers(text: &str) -> Vec<String> {
    let Some(re) = CARD_CANDIDATE.as_ref() else {
        return Vec::new();
    };
    let mut found: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for m in re.find_iter(text) {
        let groups: Vec<&str> = m
            .as_str()
            .split([' ', '-'])
            .filter(|g| !g.is_empty())
            .collect();
        let longest_card_from = |start: usize| {
            (start + 1..=groups.len()).rev().find_map(|end| {
                let digits: String = groups[start..end].concat();
                ((13..=19).contains(&digits.len())
                    && luhn_valid(&digits)
                    && has_card_prefix(&digits))
                .then_some((end, digits))
            })
        };
        let mut start = 0;
        while start < groups.len() {
            match longest_card_from(start) {
                // A short leading group ("Qty 2 4716-...") belongs to the card only if the
                // card is not complete without it.
                Some(_) if groups[start].len() < 4 && longest_card_from(start + 1).is_some() => {
                    start += 1;
                }
                Some((end, digits)) => {
                    if seen.insert(digits.clone()) {
                        found.push(digits);
                    }
                    start = end;
                }
                None => start += 1,
            }
        }
    }
    found
}

pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// Issuer prefixes of the major networks (Visa, Mastercard, Amex, Discover, JCB, Diners,
/// UnionPay including its 81 range, Maestro), so that IBAN digits or order numbers are not reported as cards.
pub(crate) fn has_card_prefix(d: &str) -> bool {
    let p2: u32 = d.get(..2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let p4: u32 = d.get(..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    d.starts_with('4')
        || (51..=55).contains(&p2)
        || (2221..=2720).contains(&p4)
        || p2 == 34
        || p2 == 37
        || d.starts_with("6011")
        || p2 == 65
        || (3528..=3589).contains(&p4)
        || p2 == 36
        || (300..=305).contains(&(p4 / 10))
        || p2 == 62
        || p2 == 50
        || (56..=69).contains(&p2)
        || (8100..=8171).contains(&p4)
}

/// `12,500.00`, `12.500,00`, `12 500`, `$12,500` -> 12500.0.
pub fn parse_amount(raw: &str) -> Option<f64> {
    let s: String = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',' || *c == '-')
        .collect();
    if !s.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let last_dot = s.rfind('.');
    let last_comma = s.rfind(',');
    let normalised = match (last_dot, last_comma) {
        (Some(d), Some(c)) if c > d => s.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => s.replace(',', ""),
        (None, Some(c)) if s.len() - c - 1 == 3 => s.replace(',', ""),
        (None, Some(_)) => s.replace(',', "."),
        _ => s,
    };
    normalised.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile_with_ascii_boundaries_and_match_beside_non_ascii_text() {
        let re = compile(r"(?i)\btotal\b").expect("compiles");
        assert!(re.is_match("• Total: 12,00 €"));
        assert!(!re.is_match("subtotals"));
    }

    #[test]
    fn amounts_in_both_conventions() {
        assert_eq!(parse_amount("12,500.00"), Some(12500.0));
        assert_eq!(parse_amount("12.500,00"), Some(12500.0));
        assert_eq!(parse_amount("$9,900"), Some(9900.0));
        assert_eq!(parse_amount("9,5"), Some(9.5));
        assert_eq!(parse_amount("n/a"), None);
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(1972, 10, 12);
        assert_eq!(parse_date("12 Oct 1972"), d);
        assert_eq!(parse_date("1972-10-12"), d);
        assert_eq!(parse_date("12.10.1972"), d);
        assert_eq!(parse_date("October 12, 1972"), d);
        assert_eq!(parse_date("31/02/1972"), None);
    }

    #[test]
    fn luhn_cards_only_with_card_prefix() {
        assert_eq!(
            card_numbers("card 4111 1111 1111 1111 and order 1234567812345670"),
            vec!["4111111111111111".to_string()]
        );
        assert!(!luhn_valid("4111111111111112"));
    }
}
