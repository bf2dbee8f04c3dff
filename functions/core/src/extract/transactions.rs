//! Transactions from tabular documents (CSV exports, JSON arrays of objects).
//!
//! Columns are found by meaning: a header is compared after transliteration to ASCII, lower
//! case and with every run of other characters turned into one `_` (`Beneficiary IBAN`,
//! `beneficiary-iban` and `Bénéficiaire IBAN` all become `beneficiary_iban` /
//! `beneficiaire_iban`). Names are recognised in English and, where easy, French, German,
//! Spanish and Dutch.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

use super::{parse_amount, parse_date};
use crate::intake::Table;

/// Which way the money went, seen from the institution's customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Deposits, incoming transfers, credits.
    In,
    /// Withdrawals, outgoing transfers, debits.
    Out,
}

/// One side of a funds transfer, stored only when the export gives any of it: most rows of a
/// large export name no originator or beneficiary, and three empty sides cost 360 bytes a row
/// (36 MB on 100,000 rows). Reads see an empty [`Party`] when nothing was given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PartyDetails(Option<Box<Party>>);

static NO_PARTY: Party = Party {
    name: String::new(),
    address: String::new(),
    account: String::new(),
    iban: String::new(),
    bic: String::new(),
};

impl PartyDetails {
    pub fn new(party: Party) -> Self {
        let given = [
            &party.name,
            &party.address,
            &party.account,
            &party.iban,
            &party.bic,
        ]
        .iter()
        .any(|v| !v.is_empty());
        Self(given.then(|| Box::new(party)))
    }
}

impl std::ops::Deref for PartyDetails {
    type Target = Party;

    fn deref(&self) -> &Party {
        self.0.as_deref().unwrap_or(&NO_PARTY)
    }
}

/// One side of a funds transfer as the export writes it. Empty strings mean "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub address: String,
    /// Account number or IBAN: the first one given when the export has several columns.
    pub account: String,
    /// The IBAN when a column named as one holds it (it may also be `account`).
    pub iban: String,
    /// BIC (SWIFT code) of the party's institution.
    pub bic: String,
}

/// A country as written in a column of the row (code or name, not yet resolved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryCell {
    /// The column's normalised header, e.g. `beneficiary_country`.
    pub column: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    /// 1-based number of the data row (the header is not counted).
    pub row: usize,
    /// The calendar date as written: a plain date, or the local date of a timestamp in the
    /// offset it was written with. A plain date is the business day as is; for a timestamp,
    /// the business day is [`Transaction::business_day`] in the institution's time zone.
    pub date: Option<NaiveDate>,
    /// When the date column holds a timestamp with a UTC offset (RFC 3339, or
    /// `YYYY-MM-DD HH:MM:SS+HH:MM`).
    pub timestamp: Option<DateTime<FixedOffset>>,
    /// The institution's customer (account holder or the person conducting the transaction).
    pub party: String,
    /// The customer's account.
    pub account: String,
    /// The customer's address.
    pub address: String,
    /// As written (a debit may be negative); 0 when `amount_missing`.
    pub amount: f64,
    /// The row is a transaction (it has a type) but its amount is empty or unreadable.
    pub amount_missing: bool,
    /// ISO 4217 code, upper case; `USD` when the export gives none.
    pub currency: String,
    /// The type, method or channel as written (or the description when there is none).
    pub kind: String,
    pub direction: Option<Direction>,
    /// Originator (ordering customer, sender, payer) as written in its own columns.
    pub originator: PartyDetails,
    /// Beneficiary (recipient, payee) as written in its own columns.
    pub beneficiary: PartyDetails,
    /// The other side, when the export does not say whether it sent or received.
    pub counterparty: PartyDetails,
    pub countries: Vec<CountryCell>,
}

impl Transaction {
    /// Cash (currency), as opposed to cards, cheques, transfers.
    pub fn is_cash(&self) -> bool {
        let k = fold(&self.kind);
        if has_word(&k, &["non cash", "noncash", "cashier", "cashiers"]) {
            return false;
        }
        has_word(
            &k,
            &[
                "cash",
                "atm",
                "especes",
                "bargeld",
                "efectivo",
                "contant",
                "contanten",
            ],
        ) || k.contains("bargeld")
            || k.contains("bareinzahlung")
            || k.contains("barauszahlung")
    }

    /// Withdrawals and other cash paid out, as opposed to deposits (cash in).
    pub fn is_cash_out(&self) -> bool {
        self.direction == Some(Direction::Out)
    }

    /// Deposits, incoming transfers, credits; false when the export does not say.
    pub fn is_incoming(&self) -> bool {
        self.direction == Some(Direction::In)
    }

    /// Funds transfers in the sense of 31 CFR 1010.100(w): wires, SWIFT, SEPA credit transfers,
    /// book transfers. Card payments and ACH (EFTA-governed) transfers are not.
    pub fn is_funds_transfer(&self) -> bool {
        let k = fold(&self.kind);
        if has_word(&k, &["ach", "card", "carte", "karte", "tarjeta", "kaart"]) {
            return false;
        }
        has_word(
            &k,
            &[
                "wire",
                "wires",
                "swift",
                "fedwire",
                "chips",
                "transfer",
                "transfers",
                "remittance",
                "telegraphic",
                "sepa",
                "mt103",
                "virement",
                "uberweisung",
                "ueberweisung",
                "transferencia",
                "overboeking",
                "overschrijving",
            ],
        ) || k.contains("uberweisung")
            || k.contains("ueberweisung")
    }

    /// The business day in `zone`: a timestamp converted to the zone, a plain date as is.
    pub fn business_day<Z: TimeZone>(&self, zone: &Z) -> Option<NaiveDate> {
        self.timestamp
            .map(|t| t.with_timezone(zone).date_naive())
            .or(self.date)
    }
}

// Column names, normalised (see `normalise_header`), in order of preference.
const AMOUNT: &[&str] = &[
    "amount",
    "amount_usd",
    "transaction_amount",
    "amt",
    "value",
    "betrag",
    "montant",
    "importe",
    "monto",
    "bedrag",
];
const CREDIT: &[&str] = &[
    "credit",
    "credit_amount",
    "paid_in",
    "money_in",
    "deposit",
    "deposits",
    "haben",
    "gutschrift",
    "haber",
    "abono",
    "bij",
];
const DEBIT: &[&str] = &[
    "debit",
    "debit_amount",
    "paid_out",
    "money_out",
    "withdrawal",
    "withdrawals",
    "soll",
    "lastschrift",
    "debe",
    "cargo",
    "af",
];
const DATE: &[&str] = &[
    "date",
    "transaction_date",
    "timestamp",
    "date_time",
    "datetime",
    "execution_date",
    "booking_date",
    "posting_date",
    "value_date",
    "created_at",
    "datum",
    "buchungsdatum",
    "valutadatum",
    "ausfuhrungsdatum",
    "date_operation",
    "date_d_execution",
    "date_valeur",
    "fecha",
    "fecha_operacion",
    "fecha_valor",
    "transactiedatum",
    "boekdatum",
];
const PARTY: &[&str] = &[
    "customer",
    "customer_name",
    "client",
    "client_name",
    "name",
    "account_holder",
    "account_name",
    "holder",
    "kunde",
    "kundenname",
    "kontoinhaber",
    "titulaire",
    "nom_client",
    "cliente",
    "titular",
    "klant",
    "rekeninghouder",
];
const ACCOUNT: &[&str] = &[
    "account",
    "account_number",
    "account_no",
    "acct",
    "customer_account",
    "konto",
    "kontonummer",
    "compte",
    "numero_de_compte",
    "cuenta",
    "numero_de_cuenta",
    "rekening",
    "rekeningnummer",
];
const ADDRESS: &[&str] = &[
    "address",
    "customer_address",
    "client_address",
    "adresse",
    "adresse_client",
    "anschrift",
    "direccion",
    "domicilio",
    "adres",
];
const CURRENCY: &[&str] = &[
    "currency",
    "ccy",
    "cur",
    "currency_code",
    "wahrung",
    "waehrung",
    "devise",
    "moneda",
    "divisa",
    "valuta",
];
const KIND: &[&str] = &[
    "type",
    "transaction_type",
    "method",
    "channel",
    "payment_method",
    "payment_type",
    "kind",
    "instrument",
    "typ",
    "art",
    "buchungsart",
    "transaktionsart",
    "type_de_transaction",
    "type_d_operation",
    "nature",
    "moyen_de_paiement",
    "tipo",
    "tipo_de_transaccion",
    "tipo_de_operacion",
    "medio_de_pago",
    "soort",
    "transactietype",
    "betaalwijze",
];
const DESCRIPTION: &[&str] = &[
    "description",
    "details",
    "memo",
    "narrative",
    "libelle",
    "verwendungszweck",
    "buchungstext",
    "concepto",
    "omschrijving",
];
const DIRECTION: &[&str] = &[
    "direction",
    "dr_cr",
    "cr_dr",
    "debit_credit",
    "credit_debit",
    "d_c",
    "c_d",
    "in_out",
    "flow",
    "sens",
    "richtung",
    "soll_haben",
    "sentido",
    "richting",
    "af_bij",
];
const ORIGINATOR: &[&str] = &[
    "originator",
    "originator_name",
    "ordering_customer",
    "ordering_customer_name",
    "ordering_party",
    "orderer",
    "sender",
    "sender_name",
    "payer",
    "payer_name",
    "remitter",
    "remitter_name",
    "transmitter",
    "debtor",
    "debtor_name",
    "donneur_d_ordre",
    "emetteur",
    "auftraggeber",
    "ordenante",
    "remitente",
    "opdrachtgever",
];
const ORIGINATOR_ADDRESS: &[&str] = &[
    "originator_address",
    "ordering_customer_address",
    "sender_address",
    "payer_address",
    "remitter_address",
    "debtor_address",
    "adresse_donneur_d_ordre",
    "adresse_emetteur",
    "auftraggeber_adresse",
    "direccion_ordenante",
    "adres_opdrachtgever",
];
const ORIGINATOR_ACCOUNT: &[&str] = &[
    "originator_account",
    "originator_account_number",
    "originator_iban",
    "ordering_customer_account",
    "ordering_account",
    "sender_account",
    "sender_iban",
    "payer_account",
    "payer_iban",
    "remitter_account",
    "debtor_account",
    "debtor_iban",
    "compte_donneur_d_ordre",
    "iban_donneur_d_ordre",
    "auftraggeber_konto",
    "auftraggeber_iban",
    "cuenta_ordenante",
    "iban_ordenante",
    "rekening_opdrachtgever",
    "iban_opdrachtgever",
];
const ORIGINATOR_BIC: &[&str] = &[
    "originator_bic",
    "originator_swift",
    "sender_bic",
    "ordering_bank_bic",
    "debtor_bic",
    "bic_donneur_d_ordre",
    "auftraggeber_bic",
    "bic_ordenante",
];
const BENEFICIARY: &[&str] = &[
    "beneficiary",
    "beneficiary_name",
    "recipient",
    "recipient_name",
    "payee",
    "payee_name",
    "creditor",
    "creditor_name",
    "beneficiaire",
    "nom_beneficiaire",
    "empfanger",
    "empfaenger",
    "zahlungsempfanger",
    "beneficiario",
    "destinatario",
    "begunstigde",
    "ontvanger",
];
const BENEFICIARY_ADDRESS: &[&str] = &[
    "beneficiary_address",
    "recipient_address",
    "payee_address",
    "creditor_address",
    "adresse_beneficiaire",
    "empfanger_adresse",
    "empfaenger_adresse",
    "direccion_beneficiario",
    "adres_begunstigde",
];
const BENEFICIARY_ACCOUNT: &[&str] = &[
    "beneficiary_account",
    "beneficiary_account_number",
    "beneficiary_iban",
    "recipient_account",
    "recipient_iban",
    "payee_account",
    "payee_iban",
    "creditor_account",
    "creditor_iban",
    "compte_beneficiaire",
    "iban_beneficiaire",
    "empfanger_konto",
    "empfanger_iban",
    "empfaenger_iban",
    "cuenta_beneficiario",
    "iban_beneficiario",
    "rekening_begunstigde",
    "iban_begunstigde",
];
const BENEFICIARY_BIC: &[&str] = &[
    "beneficiary_bic",
    "beneficiary_swift",
    "beneficiary_bank_bic",
    "recipient_bic",
    "payee_bic",
    "creditor_bic",
    "bic_beneficiaire",
    "empfanger_bic",
    "bic_beneficiario",
    "bic_begunstigde",
];
const COUNTERPARTY: &[&str] = &[
    "counterparty",
    "counterparty_name",
    "counter_party",
    "other_party",
    "contrepartie",
    "gegenpartei",
    "contraparte",
    "tegenpartij",
];
const COUNTERPARTY_ADDRESS: &[&str] = &["counterparty_address", "adresse_contrepartie"];
const COUNTERPARTY_ACCOUNT: &[&str] = &[
    "counterparty_account",
    "counterparty_iban",
    "iban",
    "counter_account",
    "compte_contrepartie",
    "gegenkonto",
    "cuenta_contraparte",
    "tegenrekening",
];
const COUNTERPARTY_BIC: &[&str] = &["counterparty_bic", "bic", "swift", "swift_bic", "bic_swift"];
const COUNTRY: &[&str] = &[
    "country",
    "country_code",
    "counterparty_country",
    "beneficiary_country",
    "recipient_country",
    "payee_country",
    "originator_country",
    "sender_country",
    "payer_country",
    "destination_country",
    "origin_country",
    "beneficiary_bank_country",
    "originator_bank_country",
    "bank_country",
    "pays",
    "pays_beneficiaire",
    "pays_contrepartie",
    "pays_donneur_d_ordre",
    "land",
    "empfangerland",
    "empfaengerland",
    "land_empfanger",
    "pais",
    "pais_beneficiario",
    "pais_destino",
    "land_begunstigde",
    "land_tegenpartij",
];

/// `Beneficiary IBAN` -> `beneficiary_iban`, `Währung` -> `wahrung`, `Date/Time` -> `date_time`.
fn normalise_header(header: &str) -> String {
    let ascii = any_ascii::any_ascii(header).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// A header that ends in an ISO 4217 code (`bedrag_eur`): its stem and the currency.
fn header_currency(header: &str) -> Option<(&str, String)> {
    let (stem, code) = header.rsplit_once('_')?;
    let code = code.to_ascii_uppercase();
    (code.len() == 3 && super::currency_code(&code).is_some()).then_some((stem, code))
}

/// Which kinds of transaction columns a table has, for the classifier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableShape {
    /// An amount, or debit and credit columns.
    pub amount: bool,
    pub date: bool,
    /// A customer, originator, beneficiary or counterparty.
    pub party: bool,
    /// A transaction type or a direction.
    pub kind: bool,
    pub currency: bool,
}

/// The transaction columns a table's headers name, in any of the languages read.
pub fn table_shape(table: &Table) -> TableShape {
    let cols = Columns {
        headers: table.headers.iter().map(|h| normalise_header(h)).collect(),
    };
    let has = |names: &[&str]| cols.find(names).is_some();
    TableShape {
        amount: has(AMOUNT) || has(CREDIT) || has(DEBIT),
        date: has(DATE),
        party: has(PARTY)
            || has(ORIGINATOR)
            || has(BENEFICIARY)
            || has(COUNTERPARTY)
            || has(COUNTERPARTY_ACCOUNT),
        kind: has(KIND) || has(DIRECTION),
        currency: has(CURRENCY) || cols.headers.iter().any(|h| header_currency(h).is_some()),
    }
}

/// The table's columns by normalised header.
struct Columns {
    headers: Vec<String>,
}

impl Columns {
    /// The first of `names` that heads a column; a header may add its currency
    /// (`Bedrag (EUR)` is `bedrag`).
    fn find(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.headers.iter().position(|h| h == n))
            .or_else(|| {
                names.iter().find_map(|n| {
                    self.headers
                        .iter()
                        .position(|h| header_currency(h).is_some_and(|(stem, _)| stem == *n))
                })
            })
    }

    /// Every column whose header is one of `names`, in table order.
    fn all(&self, names: &[&str]) -> Vec<usize> {
        (0..self.headers.len())
            .filter(|&i| names.contains(&self.headers[i].as_str()))
            .collect()
    }
}

/// Where one side of a transfer is written. A field may have several columns (an account
/// number and an IBAN): the first non-empty one, in table order, is taken.
struct PartyColumns {
    name: Vec<usize>,
    address: Vec<usize>,
    account: Vec<usize>,
    bic: Vec<usize>,
}

impl PartyColumns {
    fn new(
        cols: &Columns,
        name: &[&str],
        address: &[&str],
        account: &[&str],
        bic: &[&str],
    ) -> Self {
        Self {
            name: cols.all(name),
            address: cols.all(address),
            account: cols.all(account),
            bic: cols.all(bic),
        }
    }

    fn read(&self, cols: &Columns, row: &[String]) -> PartyDetails {
        let first = |columns: &[usize]| {
            columns
                .iter()
                .map(|&c| cell(row, Some(c)))
                .find(|v| !v.is_empty())
                .unwrap_or_default()
        };
        let ibans: Vec<usize> = self
            .account
            .iter()
            .copied()
            .filter(|&c| cols.headers[c].split('_').any(|w| w == "iban"))
            .collect();
        PartyDetails::new(Party {
            name: first(&self.name),
            address: first(&self.address),
            account: first(&self.account),
            iban: first(&ibans),
            bic: first(&self.bic),
        })
    }
}

fn cell(row: &[String], col: Option<usize>) -> String {
    col.and_then(|c| row.get(c))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

pub fn transactions(table: &Table) -> Vec<Transaction> {
    let cols = Columns {
        headers: table.headers.iter().map(|h| normalise_header(h)).collect(),
    };
    let amount_col = cols.find(AMOUNT);
    let credit_col = cols.find(CREDIT);
    let debit_col = cols.find(DEBIT);
    if amount_col.is_none() && credit_col.is_none() && debit_col.is_none() {
        return Vec::new();
    }
    let date_col = cols.find(DATE);
    let originator_col = cols.find(ORIGINATOR);
    // The customer; an export of outgoing payments may name only the originator.
    let party_col = cols.find(PARTY).or(originator_col);
    let account_col = cols.find(ACCOUNT);
    let address_col = cols.find(ADDRESS);
    let currency_col = cols.find(CURRENCY);
    // `Bedrag (EUR)`: the currency of every amount without one of its own.
    let header_default = [amount_col, credit_col, debit_col]
        .into_iter()
        .flatten()
        .find_map(|i| header_currency(&cols.headers[i]).map(|(_, c)| c));
    let kind_col = cols.find(KIND);
    let description_col = cols.find(DESCRIPTION);
    let direction_col = cols.find(DIRECTION);
    let originator = PartyColumns::new(
        &cols,
        ORIGINATOR,
        ORIGINATOR_ADDRESS,
        ORIGINATOR_ACCOUNT,
        ORIGINATOR_BIC,
    );
    let beneficiary = PartyColumns::new(
        &cols,
        BENEFICIARY,
        BENEFICIARY_ADDRESS,
        BENEFICIARY_ACCOUNT,
        BENEFICIARY_BIC,
    );
    let counterparty = PartyColumns::new(
        &cols,
        COUNTERPARTY,
        COUNTERPARTY_ADDRESS,
        COUNTERPARTY_ACCOUNT,
        COUNTERPARTY_BIC,
    );
    let country_cols = cols.all(COUNTRY);

    table
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| {
            let kind = {
                let k = cell(row, kind_col);
                if k.is_empty() {
                    cell(row, description_col)
                } else {
                    k
                }
            };
            let (amount, amount_cell, column_direction) =
                read_amount(row, amount_col, credit_col, debit_col);
            // A row with neither an amount nor a type is not a transaction (a blank line, a
            // note); a typed row whose amount is missing is kept, so that the checks can say so.
            if amount.is_none() && kind.is_empty() {
                return None;
            }
            let date_text = cell(row, date_col);
            let timestamp = parse_timestamp(&date_text);
            let date = timestamp
                .map(|t| t.date_naive())
                .or_else(|| parse_date(&date_text));
            let currency = {
                let c = normalise_currency(&cell(row, currency_col));
                if c.is_empty() {
                    currency_in(&amount_cell)
                        .or_else(|| header_default.clone())
                        .unwrap_or_else(|| "USD".to_string())
                } else {
                    c
                }
            };
            let direction = direction_from_cell(&cell(row, direction_col))
                .or(column_direction)
                .or_else(|| direction_from_kind(&kind))
                .or_else(|| amount.filter(|a| *a < 0.0).map(|_| Direction::Out));
            let countries = country_cols
                .iter()
                .filter_map(|&c| {
                    let value = cell(row, Some(c));
                    (!value.is_empty()).then(|| CountryCell {
                        column: cols.headers[c].clone(),
                        value,
                    })
                })
                .collect();
            Some(Transaction {
                row: i + 1,
                date,
                timestamp,
                party: cell(row, party_col),
                account: cell(row, account_col),
                address: cell(row, address_col),
                amount: amount.unwrap_or(0.0),
                amount_missing: amount.is_none(),
                currency,
                kind,
                direction,
                originator: originator.read(&cols, row),
                beneficiary: beneficiary.read(&cols, row),
                counterparty: counterparty.read(&cols, row),
                countries,
            })
        })
        .collect()
}

/// The amount, the cell it was read from (for a currency written beside it) and the direction
/// implied by separate credit/debit columns.
fn read_amount(
    row: &[String],
    amount_col: Option<usize>,
    credit_col: Option<usize>,
    debit_col: Option<usize>,
) -> (Option<f64>, String, Option<Direction>) {
    if amount_col.is_some() {
        let raw = cell(row, amount_col);
        return (parse_amount(&raw), raw, None);
    }
    let credit = cell(row, credit_col);
    if let Some(v) = parse_amount(&credit).filter(|v| *v != 0.0) {
        return (Some(v.abs()), credit, Some(Direction::In));
    }
    let debit = cell(row, debit_col);
    if let Some(v) = parse_amount(&debit).filter(|v| *v != 0.0) {
        return (Some(-v.abs()), debit, Some(Direction::Out));
    }
    (None, String::new(), None)
}

/// RFC 3339 (`2026-10-02T23:30:00Z`, `2026-10-03T01:30:00+02:00`) and the same with a space
/// (`2026-10-02 19:30:00-04:00`, also `+0200` offsets, fractions of a second, no seconds). A
/// date or a date and time without an offset is not a timestamp: its date is taken as is.
pub fn parse_timestamp(raw: &str) -> Option<DateTime<FixedOffset>> {
    let s = raw.trim();
    if s.len() < 16 {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    // The date-time separator only: `UTC` has a `T` too.
    let mut s = match (s.get(..10), s.get(10..11), s.get(11..)) {
        (Some(date), Some("T" | "t"), Some(rest)) => format!("{date} {rest}"),
        _ => s.to_string(),
    };
    for utc in [" UTC", " GMT", "Z", "z"] {
        if let Some(stripped) = s.strip_suffix(utc) {
            s = format!("{}+00:00", stripped.trim_end());
            break;
        }
    }
    const FORMATS: [&str; 8] = [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f %:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M%:z",
        "%Y-%m-%d %H:%M %:z",
        "%Y-%m-%d %H:%M%z",
        "%Y-%m-%d %H:%M %z",
    ];
    FORMATS
        .iter()
        .find_map(|f| DateTime::parse_from_str(&s, f).ok())
}

/// `usd`, `US$`, `$` -> `USD`; `€` -> `EUR`; `£` -> `GBP`. Anything else upper-cased as is.
fn normalise_currency(raw: &str) -> String {
    let c = raw.trim();
    match c {
        "$" | "US$" | "US $" | "USD$" => "USD".to_string(),
        "€" => "EUR".to_string(),
        "£" => "GBP".to_string(),
        _ => c.to_uppercase(),
    }
}

/// A currency written in the amount cell itself: `EUR 9,500.00`, `9.500,00 €`, `$12,000`.
fn currency_in(amount_cell: &str) -> Option<String> {
    if amount_cell.contains('€') {
        return Some("EUR".into());
    }
    if amount_cell.contains('£') {
        return Some("GBP".into());
    }
    let letters: String = amount_cell
        .chars()
        .filter(|c| c.is_alphabetic() || c.is_whitespace())
        .collect();
    if let Some(code) = letters
        .split_whitespace()
        .find(|w| w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase()))
    {
        return Some(code.to_string());
    }
    amount_cell.contains('$').then(|| "USD".into())
}

fn direction_from_cell(raw: &str) -> Option<Direction> {
    let v = fold(raw);
    let v = v.as_str();
    const IN: &[&str] = &[
        "in",
        "incoming",
        "inbound",
        "credit",
        "cr",
        "c",
        "received",
        "receipt",
        "deposit",
        "h",
        "haben",
        "eingang",
        "gutschrift",
        "credito",
        "entrada",
        "ingreso",
        "bij",
        "ontvangen",
    ];
    const OUT: &[&str] = &[
        "out",
        "outgoing",
        "outbound",
        "debit",
        "dr",
        "d",
        "sent",
        "paid",
        "withdrawal",
        "s",
        "soll",
        "ausgang",
        "lastschrift",
        "debito",
        "salida",
        "egreso",
        "af",
        "betaald",
    ];
    if IN.contains(&v) {
        Some(Direction::In)
    } else if OUT.contains(&v) {
        Some(Direction::Out)
    } else {
        None
    }
}

fn direction_from_kind(kind: &str) -> Option<Direction> {
    let k = fold(kind);
    let out = has_word(
        &k,
        &[
            "withdrawal",
            "withdraw",
            "atm",
            "outgoing",
            "outbound",
            "sent",
            "paid out",
            "cash out",
            "retrait",
            "auszahlung",
            "barauszahlung",
            "abhebung",
            "retiro",
            "opname",
            "uitgaand",
        ],
    );
    let inward = has_word(
        &k,
        &[
            "deposit",
            "incoming",
            "inbound",
            "received",
            "paid in",
            "cash in",
            "versement",
            "depot",
            "einzahlung",
            "bareinzahlung",
            "deposito",
            "ingreso",
            "storting",
            "inkomend",
            "entrant",
            "recu",
        ],
    );
    match (inward, out) {
        (true, false) => Some(Direction::In),
        (false, true) => Some(Direction::Out),
        _ => None,
    }
}

/// ASCII, lower case, words separated by single spaces: `Dépôt  espèces` -> `depot especes`.
pub(crate) fn fold(raw: &str) -> String {
    let ascii = any_ascii::any_ascii(raw).to_lowercase();
    ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the folded text contains one of the (folded) phrases on word boundaries.
fn has_word(folded: &str, phrases: &[&str]) -> bool {
    let padded = format!(" {folded} ");
    phrases.iter().any(|p| padded.contains(&format!(" {p} ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Table {
        let mut lines = csv.lines();
        let headers = lines
            .next()
            .unwrap_or_default()
            .split(',')
            .map(|h| h.trim().to_lowercase())
            .collect();
        let rows = lines
            .map(|l| l.split(',').map(|c| c.trim().to_string()).collect())
            .collect();
        Table { headers, rows }
    }

    #[test]
    fn timestamps_with_offsets_and_plain_dates() {
        let t = parse_timestamp("2026-10-03T01:30:00+02:00").expect("rfc 3339");
        assert_eq!(t.to_rfc3339(), "2026-10-03T01:30:00+02:00");
        let t = parse_timestamp("2026-10-02 19:30:00-04:00").expect("space");
        assert_eq!(t.to_rfc3339(), "2026-10-02T19:30:00-04:00");
        let t = parse_timestamp("2026-10-02 23:30:00.250Z").expect("fraction, Z");
        assert_eq!(t.offset().local_minus_utc(), 0);
        assert!(parse_timestamp("2026-10-02 23:30 +0100").is_some());
        assert!(parse_timestamp("2026-10-02 23:30 UTC").is_some());
        assert_eq!(parse_timestamp("2026-10-02"), None);
        assert_eq!(parse_timestamp("2026-10-02 23:30:00"), None);
        assert_eq!(parse_timestamp("not a date at all"), None);
    }

    #[test]
    fn business_day_converts_timestamps_only() {
        let ny = chrono_tz::America::New_York;
        let t = transactions(&table(
            "date,customer,amount,type\n\
             2026-10-03T01:30:00+02:00,A B,100,cash deposit\n\
             2026-10-03,A B,100,cash deposit\n\
             2026-10-03 01:30:00,A B,100,cash deposit",
        ));
        let day = |d| NaiveDate::from_ymd_opt(2026, 10, d);
        assert_eq!(t[0].date, day(3));
        assert_eq!(t[0].business_day(&ny), day(2));
        assert_eq!(t[1].business_day(&ny), day(3));
        assert_eq!(t[2].timestamp, None);
        assert_eq!(t[2].business_day(&ny), day(3));
    }

    #[test]
    fn columns_found_by_meaning_in_several_languages() {
        let t = transactions(&table(
            "Datum,Auftraggeber,Auftraggeber IBAN,Empfänger,Empfänger IBAN,Betrag,Währung,Art,Land\n\
             2026-10-01,Jonas Weber,DE89370400440532013000,Lina Roth,DE02120300000000202051,3500.00,EUR,Überweisung,DE",
        ));
        assert_eq!(t.len(), 1);
        let t = &t[0];
        assert_eq!(t.originator.name, "Jonas Weber");
        assert_eq!(t.party, "Jonas Weber");
        assert_eq!(t.originator.account, "DE89370400440532013000");
        assert_eq!(t.beneficiary.name, "Lina Roth");
        assert_eq!(t.beneficiary.account, "DE02120300000000202051");
        assert_eq!(t.currency, "EUR");
        assert!(t.is_funds_transfer());
        assert!(!t.is_cash());
        assert_eq!(t.countries[0].column, "land");
    }

    #[test]
    fn kinds_and_directions() {
        let t = transactions(&table(
            "date,customer,amount,type\n\
             2026-10-01,A,100,Cash deposit\n\
             2026-10-01,A,-100,cash\n\
             2026-10-01,A,100,ATM withdrawal\n\
             2026-10-01,A,100,Cashier's check\n\
             2026-10-01,A,100,ACH transfer\n\
             2026-10-01,A,100,Outgoing wire\n\
             2026-10-01,A,,wire\n\
             ,,,",
        ));
        assert_eq!(t.len(), 7, "the empty row is not a transaction");
        assert!(t[0].is_cash() && t[0].direction == Some(Direction::In));
        assert!(t[1].is_cash() && t[1].is_cash_out());
        assert!(t[2].is_cash() && t[2].is_cash_out());
        assert!(!t[3].is_cash());
        assert!(!t[4].is_funds_transfer());
        assert!(t[5].is_funds_transfer() && t[5].direction == Some(Direction::Out));
        assert!(t[6].amount_missing);
    }

    #[test]
    fn debit_credit_columns_and_currency_in_the_amount() {
        let t = transactions(&table(
            "date,description,debit,credit\n\
             2026-10-01,Cash deposit,,EUR 9500.00\n\
             2026-10-02,Cash withdrawal,$2000.00,",
        ));
        assert_eq!(t[0].amount, 9500.0);
        assert_eq!(t[0].currency, "EUR");
        assert_eq!(t[0].direction, Some(Direction::In));
        assert_eq!(t[1].amount, -2000.0);
        assert_eq!(t[1].currency, "USD");
        assert_eq!(t[1].direction, Some(Direction::Out));
    }
}
