//! Invoice fields found by labels in five languages and by layout, never by vendor: issuer,
//! invoice number, invoice date, grand total, currency and VAT ids.
//!
//! PDF text layers put a label's value on the same line, on the next line, or (in two-column
//! layouts) on the line before it; [`labelled`] tries them in that order and uses the shape of
//! the value to choose.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::amounts::{dominant_currency, find_bare_decimals, find_money, FoundMoney, Money};
use super::dates::{find_dates, DateOrder};

/// The most amounts listed in the output.
pub const MAX_AMOUNTS: usize = 20;
/// The most VAT ids taken from one document.
const MAX_VAT_IDS: usize = 10;
/// Lines of the document head searched for the issuer when no label names it.
const HEADER_LINES: usize = 20;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvoiceFields {
    /// The seller as printed.
    pub issuer: Option<String>,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<NaiveDate>,
    /// The grand total (amount due).
    pub total_amount: Option<f64>,
    /// ISO 4217 code of the total, or of most amounts.
    pub currency: Option<String>,
    /// VAT and tax registration ids, compacted and upper case.
    pub vat_ids: Vec<String>,
    /// Amounts written with a currency, in order (at most [`MAX_AMOUNTS`]).
    pub amounts: Vec<Money>,
}

macro_rules! regex {
    ($name:ident, $re:expr) => {
        static $name: LazyLock<Option<Regex>> = LazyLock::new(|| crate::extract::compile($re));
    };
}

// `Invoice #`, `INVOICE\n# 12`, `Invoice No.`, `Factuurnummer`, `Rechnungs-Nr.`, `Facture n°`,
// `Número de factura`, `Faktura nr`.
regex!(
    INVOICE_NUMBER_LABEL,
    r"(?i)\b(?:(?:tax\s+)?(?:invoice|inv|bill|receipt)\s*(?:number\b|num\b\.?|no\b\.?|nr\b\.?|n[°º]\.?|#|id\b)|factuur\s*(?:nummer|nr\b\.?|no\b\.?)|rechnungs?\s*-?\s*(?:nummer|nr\b\.?)|num[ée]ro\s+de\s+(?:la\s+)?facture|facture\s*(?:n[°º]|no\b|num[ée]ro)\.?|n[°º]\s*de\s+facture|n[úu]mero\s+de\s+(?:la\s+)?factura|factura\s*(?:n[°º]|no\b|nr\b|n[úu]m\b)\.?|faktura\s*(?:vat\s*)?(?:nr\b|numer\b|no\b)\.?|(?:numer|nr)\s+faktury)"
);
// Receipts and bookings carry their number under these when no invoice number is printed.
regex!(
    REFERENCE_LABEL,
    r"(?i)\b(?:booking|reservation|confirmation)\s*(?:id\b|reference\b|ref\b\.?|number\b|no\b\.?)|\breference\s*(?:number\b|no\b\.?)"
);
regex!(
    INVOICE_DATE_LABEL,
    r"(?i)\b(?:invoice\s+date|date\s+of\s+(?:the\s+)?invoice|invoice\s+dated|billing\s+date|factuurdatum|factuur\s*datum|datum\s+factuur|rechnungsdatum|date\s+de\s+(?:la\s+)?facture|date\s+de\s+facturation|fecha\s+de\s+(?:la\s+)?factura|fecha\s+de\s+emisi[óo]n|data\s+wystawienia|data\s+faktury)\b"
);
// Dates of issue, of invoices and identity documents alike.
regex!(
    ISSUE_DATE_LABEL,
    r"(?i)\b(?:date\s+of\s+issue|issue\s+date|date\s+issued|issued\s+on|date\s+de\s+d[ée]livrance|d[ée]livr[ée]e?\s+le|date\s+d'[ée]mission|ausstellungsdatum|ausgestellt\s+am|fecha\s+de\s+expedici[óo]n|fecha\s+de\s+emisi[óo]n|datum\s+van\s+afgifte|afgiftedatum|data\s+wydania)\b"
);
regex!(
    PLAIN_DATE_LABEL,
    r"(?im)(?:^|[ \t]{2,}|\t)[ \t]*(?:date|datum|fecha|data)[ \t]*[:：]"
);
// Strongest first: what is to be paid, then a plain total.
regex!(
    TOTAL_DUE_LABEL,
    r"(?i)\b(?:grand\s+total|total\s+amount\s+due|amount\s+due|balance\s+due|total\s+due|amount\s+payable|total\s+payable|total\s+to\s+pay|invoice\s+total|total\s+for\s+this\s+invoice|total\s+amount|net\s+[àa]\s+payer|montant\s+total|montant\s+ttc(?:\s+[àa]\s+payer)?|total\s+ttc|total\s+[àa]\s+payer|zu\s+zahlen|zahlbetrag|gesamtbetrag|rechnungsbetrag|endbetrag|total\s+a\s+pagar|importe\s+total|totaal\s+te\s+betalen|te\s+betalen|totaalbedrag|należność\s+ogółem|do\s+zapłaty|razem\s+do\s+zapłaty)\b|\bmontant\s+d[ûu]"
);
regex!(TOTAL_LABEL, r"(?i)\b(?:total|totaal|gesamt|summe|razem)\b");
// A total of part of the invoice, not the grand total.
regex!(
    PARTIAL_TOTAL,
    r"(?i)^\s*(?:tax|vat|btw|net|excl|hors|ht\b|netto|mwst|ust|iva|tva|before|w\s+tym)"
);
regex!(SUB_BEFORE, r"(?i)sub[\s-]?$");
regex!(
    ISSUER_LABEL,
    r"(?i)\b(?:sold\s+by|seller|vendor|supplier|service\s+provider|issued\s+by|billed\s+by|bill\s+from|invoice\s+from|payment\s+received\s+by|payable\s+to|sprzedawca|wystawca|verk[äa]ufer|lieferant|rechnungssteller|vendeur|fournisseur|[ée]metteur|prestataire|vendedor|proveedor|emisor|leverancier|verkoper|from\s*[:：])"
);
// Where the customer's block starts: the issuer is printed before it.
regex!(
    CUSTOMER_LABEL,
    r"(?i)\b(?:bill(?:ed)?\s+to|ship\s+to|sold\s+to|invoice\s+to|deliver\s+to|customer|client|buyer|nabywca|kunde|klant|destinataire|cliente|factuuradres|rechnungsadresse|shipping\s+address|billing\s+address)\b"
);
// Legal forms end a company name: cutting after one drops the address that follows.
regex!(
    LEGAL_FORM,
    r"(?:\bPvt\.?\s*Ltd\b\.?|\bPrivate\s+Limited\b|\bLimited\b|\bLtd\b\.?|\bInc\b\.?|\bLLC\b|\bLLP\b|\bPLC\b|\bplc\b|\bGmbH\b|\bAG\b|\bKG\b|\bS\.A\.S\.|\bS\.A\.|\bSA\b|\bSARL\b|\bSAS\b|\bB\.V\.|\bBV\b|\bN\.V\.|\bNV\b|\bS\.r\.l\.|\bSRL\b|\bS\.p\.A\.|\bSpA\b|\bS\.L\.|\bOy\b|\bAB\b|\bA/S\b|\bCorp\b\.?|\bCorporation\b|\bsp\.\s*z\s*o\.\s*o\.|spółka\s+akcyjna|\bCo\.)"
);
// A heading, not a name.
regex!(
    TITLE_WORDS,
    r"(?i)^(?:tax\s+)?(?:invoice|factuur|rechnung|facture|factura|faktura|receipt|payment\s+receipt|bill|statement|credit\s+note|quote|original|copy|page\b.*)$"
);
// Unlabelled VAT ids whose shape is unambiguous (EU VAT, Indian GSTIN).
regex!(
    VAT_SHAPE,
    r"\b(?:NL\d{9}B\d{2}|ATU\d{8}|DE\d{9}|BE[01]\d{9}|FR[0-9A-HJ-NP-Z]{2}\d{9}|ES[A-Z0-9]\d{7}[A-Z0-9]|IT\d{11}|PL\d{10}|GB\d{9}(?:\d{3})?|LU\d{8}|DK\d{8}|SE\d{10}01|FI\d{8}|PT\d{9}|IE\d{7}[A-W][A-I]?|\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z])\b"
);
regex!(
    VAT_LABEL,
    r"(?i)\b(?:vat\s*/\s*tin|vat(?:\s*reg(?:istration)?\.?)?\s*(?:no\b\.?|number\b|id\b|nr\b\.?)|vat\b|btw(?:-?(?:nr|nummer|id))?\b\.?|ust\.?\s*-?\s*id(?:\.?\s*-?\s*nr)?\b\.?|umsatzsteuer-?id(?:entifikationsnummer)?|n[°º]\s*tva|tva\s+intracommunautaire|tva\b|nif\b|cif\b|nip\b|gstin\b)"
);

fn lines_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut offset = 0;
    text.split('\n')
        .map(|line| {
            let start = offset;
            offset += line.len() + 1;
            (start, line)
        })
        .collect()
}

fn line_index(lines: &[(usize, &str)], offset: usize) -> usize {
    lines
        .partition_point(|(start, _)| *start <= offset)
        .saturating_sub(1)
}

/// A line that is only a label (`Invoice Date:`), so its value is elsewhere.
fn is_label_only(line: &str) -> bool {
    let line = line.trim();
    line.ends_with(':')
        && line.len() <= 40
        && !line.chars().any(|c| c.is_ascii_digit())
        && line.chars().any(char::is_alphabetic)
}

/// Lines that carry nothing (blank, or a lone `:`).
fn is_filler(line: &str) -> bool {
    line.trim().chars().all(|c| c == ':' || c.is_whitespace())
}

/// The first column of what follows a label on its line: leading separators dropped and cut
/// where two spaces or a tab start the next column.
fn rest_after(line: &str, from: usize) -> &str {
    let rest = line.get(from..).unwrap_or("");
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || ":：#.-–".contains(c));
    let end = rest
        .find("  ")
        .into_iter()
        .chain(rest.find('\t'))
        .min()
        .unwrap_or(rest.len());
    rest[..end].trim()
}

/// The value of the first label in `text` that `accept` can read.
fn labelled<T>(
    text: &str,
    label: &LazyLock<Option<Regex>>,
    accept: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let re = label.as_ref()?;
    let lines = lines_with_offsets(text);
    re.find_iter(text)
        .find_map(|m| value_at(&lines, m.start(), m.end(), &accept))
}

/// Byte ranges of the cells of a line: text separated by two or more spaces or a tab, as
/// PDF text layers print table columns.
pub(crate) fn cells(line: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut gap = 0;
    let mut last_end = 0;
    for (i, c) in line.char_indices() {
        if c == ' ' || c == '\t' {
            gap += if c == '\t' { 2 } else { 1 };
            if gap >= 2 {
                if let Some(s) = start.take() {
                    out.push((s, last_end));
                }
            }
        } else {
            if start.is_none() {
                start = Some(i);
            }
            gap = 0;
            last_end = i + c.len_utf8();
        }
    }
    if let Some(s) = start {
        out.push((s, last_end));
    }
    out
}

/// The value of the label at `label_start..label_end`, read where documents put it:
/// 1. after the label on its line (`Invoice No: 42`, `Invoice No:   42`);
/// 2. for a label that heads a column (`Booking ID   Payment Mode` over
///    `IBZY2087   Cash at Hotel`), the cell below it;
/// 3. for a label alone on its line, the next or the previous line. When both fit and the
///    line after the next one is itself a bare label, the document prints values before their
///    labels, so the previous line is the value.
fn value_at<T>(
    lines: &[(usize, &str)],
    label_start: usize,
    label_end: usize,
    accept: &impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let i = line_index(lines, label_end.saturating_sub(1));
    let (start, line) = lines.get(i).copied()?;
    let end_in_line = label_end.saturating_sub(start).min(line.len());
    let rest = rest_after(line, end_in_line);
    if !rest.is_empty() {
        if let Some(v) = accept(rest) {
            return Some(v);
        }
    }
    // Only a label that starts its cell has its value elsewhere: in `BTW Prijs incl. BTW`
    // the last word is prose.
    let row = cells(line);
    let column = row
        .iter()
        .position(|&(a, b)| a < end_in_line && end_in_line <= b)?;
    let start_in_line = label_start.saturating_sub(start);
    let starts_cell = line
        .get(row[column].0..start_in_line.max(row[column].0))
        .is_some_and(|before| before.trim().is_empty());
    if !starts_cell {
        return None;
    }
    if row.len() >= 2 {
        if let Some(v) = cell_below(lines, i, column, row.len(), accept) {
            return Some(v);
        }
    }
    if !rest.is_empty() {
        return None;
    }
    let next = (i + 1..lines.len().min(i + 4)).find(|&j| !is_filler(lines[j].1));
    let prev = (i.saturating_sub(3)..i)
        .rev()
        .find(|&j| !is_filler(lines[j].1));
    let read = |j: Option<usize>| {
        let line = lines.get(j?)?.1;
        if is_label_only(line) {
            return None;
        }
        accept(rest_after(line, 0))
    };
    match (read(next), read(prev)) {
        (Some(n), Some(p)) => {
            let after_next = next
                .and_then(|j| (j + 1..lines.len().min(j + 3)).find(|&k| !is_filler(lines[k].1)))
                .is_some_and(|k| is_label_only(lines[k].1));
            Some(if after_next { p } else { n })
        }
        (Some(v), None) | (None, Some(v)) => Some(v),
        (None, None) => None,
    }
}

/// The cell in the same column of the next row with as many cells. A note in parentheses
/// there (`(Not to be used for payment remittance)`) passes the turn to the line below it.
fn cell_below<T>(
    lines: &[(usize, &str)],
    row: usize,
    column: usize,
    width: usize,
    accept: &impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let j = (row + 1..lines.len().min(row + 3)).find(|&j| !is_filler(lines[j].1))?;
    let line = lines[j].1;
    let below = cells(line);
    if below.len() != width {
        return None;
    }
    let (a, b) = below[column];
    let cell = line.get(a..b)?;
    if let Some(v) = accept(cell) {
        return Some(v);
    }
    if cell.starts_with('(') && cell.ends_with(')') {
        let after = lines.get(j + 1)?.1;
        if cells(after).len() == 1 {
            return accept(after.trim());
        }
    }
    None
}

/// An invoice or reference number: leading words that hold a digit, with short prefixes such
/// as `F` or `INV` kept (`F 1234K20/1234/12`).
fn invoice_number_value(raw: &str) -> Option<String> {
    let mut words: Vec<&str> = Vec::new();
    let mut seen_digit = false;
    for word in raw.trim_start_matches(['#', ' ']).split_whitespace() {
        let word = word.trim_matches(|c: char| c == ',' || c == ';');
        let has_digit = word.chars().any(|c| c.is_ascii_digit());
        // A short prefix (`F`, `INV`) only before the number: `2026-118 du 2 novembre`
        // goes on with a date.
        let short_prefix =
            !seen_digit && word.len() <= 3 && word.chars().all(|c| c.is_ascii_alphabetic());
        let allowed = word
            .chars()
            .all(|c| c.is_alphanumeric() || "-_/.#".contains(c));
        if !allowed || word.ends_with(':') || !(has_digit || short_prefix) || words.len() >= 3 {
            break;
        }
        seen_digit |= has_digit;
        words.push(word);
    }
    while words
        .last()
        .is_some_and(|w| !w.chars().any(|c| c.is_ascii_digit()))
    {
        words.pop();
    }
    let value = words.join(" ");
    let value = value.trim_start_matches('#').trim();
    let plausible = (2..=40).contains(&value.len())
        && value.chars().any(|c| c.is_ascii_digit())
        && find_dates(value, DateOrder::DayFirst).is_empty();
    plausible.then(|| value.to_string())
}

/// A company name: a parenthesis dropped, cut after its legal form, else at the first digit.
fn issuer_value(raw: &str) -> Option<String> {
    let mut s = raw.trim();
    // A footnote (`** This is not a VAT invoice`) is not a name.
    if !s.starts_with(|c: char| c.is_alphanumeric() || c == '(') {
        return None;
    }
    if s.starts_with('(') {
        s = s.find(')').map_or("", |i| &s[i + 1..]).trim();
    }
    if s.contains(':') || s.contains('@') || s.to_lowercase().contains("http") {
        return None;
    }
    let cut = match LEGAL_FORM.as_ref().and_then(|re| re.find(s)) {
        Some(m) => &s[..m.end()],
        None => s.split(|c: char| c.is_ascii_digit()).next().unwrap_or(""),
    };
    let name = cut
        .trim()
        .trim_end_matches(|c: char| c == ',' || c == ';' || c == '-' || c.is_whitespace());
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    let words = name.split_whitespace().count();
    (letters >= 2 && words <= 8 && name.len() <= 80 && !is_title(name)).then(|| name.to_string())
}

fn is_title(s: &str) -> bool {
    TITLE_WORDS.as_ref().is_some_and(|re| re.is_match(s.trim()))
}

/// The head of the document, before the customer's block.
fn header(text: &str) -> Vec<&str> {
    let end = CUSTOMER_LABEL
        .as_ref()
        .and_then(|re| re.find(text))
        .map_or(text.len(), |m| m.start());
    text[..end]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(HEADER_LINES)
        .collect()
}

/// The seller: a label, else the first company with a legal form in the head, else the first
/// line of the head that reads as a name.
fn issuer(text: &str) -> Option<String> {
    if let Some(name) = labelled(text, &ISSUER_LABEL, issuer_value) {
        return Some(name);
    }
    let head = header(text);
    let legal = LEGAL_FORM.as_ref();
    if let Some(name) = head
        .iter()
        .filter(|l| legal.is_some_and(|re| re.is_match(l)))
        .find_map(|l| issuer_value(l))
    {
        return Some(name);
    }
    head.iter().find_map(|line| {
        let words = line.split_whitespace().count();
        let name_like = (1..=6).contains(&words)
            && line.chars().next().is_some_and(char::is_uppercase)
            && !line.chars().any(|c| c.is_ascii_digit())
            && !line.contains(':')
            && !line.ends_with('.')
            && !is_title(line);
        if name_like {
            issuer_value(line)
        } else {
            None
        }
    })
}

/// Amounts that could be a total in `window`: with a currency, or with two decimals; never a
/// part of a date.
fn total_candidates(window: &str) -> Vec<FoundMoney> {
    let dates = find_dates(window, DateOrder::DayFirst);
    let in_date = |f: &FoundMoney| dates.iter().any(|d| f.start < d.end && d.start < f.end);
    let mut found: Vec<FoundMoney> = find_money(window)
        .into_iter()
        .filter(|f| !in_date(f))
        .collect();
    for bare in find_bare_decimals(window) {
        let overlaps = found
            .iter()
            .any(|f| bare.start < f.end && f.start < bare.end);
        if !overlaps && !in_date(&bare) {
            found.push(bare);
        }
    }
    found.sort_by_key(|f| f.start);
    found
}

/// The amount a total label gives: the largest on its own line (a totals row lists net, tax
/// and gross), else the first within the next three lines.
fn total_after(text: &str, label_end: usize) -> Option<FoundMoney> {
    let rest = &text[label_end..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let same_line = total_candidates(&rest[..line_end]);
    if !same_line.is_empty() {
        return same_line
            .into_iter()
            .max_by(|a, b| a.money.amount.total_cmp(&b.money.amount));
    }
    let window_end = rest
        .match_indices('\n')
        .nth(3)
        .map_or(rest.len(), |(i, _)| i);
    total_candidates(&rest[..window_end]).into_iter().next()
}

/// The grand total: the largest amount given by the strongest kind of total label found.
fn total(text: &str) -> Option<FoundMoney> {
    for label in [&TOTAL_DUE_LABEL, &TOTAL_LABEL] {
        let Some(re) = label.as_ref() else {
            continue;
        };
        let best = re
            .find_iter(text)
            .filter(|m| {
                let after = &text[m.end()..];
                let before = &text[..m.start()];
                !PARTIAL_TOTAL.as_ref().is_some_and(|p| p.is_match(after))
                    && !SUB_BEFORE.as_ref().is_some_and(|p| p.is_match(before))
            })
            .filter_map(|m| total_after(text, m.end()))
            .max_by(|a, b| a.money.amount.total_cmp(&b.money.amount));
        if best.is_some() {
            return best;
        }
    }
    None
}

fn vat_value(raw: &str) -> Option<String> {
    let first = raw.split("  ").next().unwrap_or("");
    let compact: String = first
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || " .-".contains(*c))
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_uppercase();
    let digits = compact.chars().filter(char::is_ascii_digit).count();
    ((8..=15).contains(&compact.len()) && digits >= 6).then_some(compact)
}

fn vat_ids(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |v: String| {
        if !out.contains(&v) && out.len() < MAX_VAT_IDS {
            out.push(v);
        }
    };
    if let Some(re) = VAT_SHAPE.as_ref() {
        for m in re.find_iter(text) {
            push(m.as_str().to_string());
        }
    }
    if let Some(re) = VAT_LABEL.as_ref() {
        let lines = lines_with_offsets(text);
        for m in re.find_iter(text) {
            if let Some(v) = value_at(&lines, m.start(), m.end(), &vat_value) {
                push(v);
            }
        }
    }
    out
}

/// Whether amounts in ambiguous numeric dates are month first: documents in dollars are
/// mostly from the United States.
fn date_order(currency: Option<&str>) -> DateOrder {
    if currency == Some("USD") {
        DateOrder::MonthFirst
    } else {
        DateOrder::DayFirst
    }
}

/// The first labelled date of issue.
pub(crate) fn issue_date(text: &str) -> Option<NaiveDate> {
    labelled(text, &ISSUE_DATE_LABEL, |s| {
        find_dates(s, DateOrder::DayFirst).first().map(|d| d.date)
    })
}

/// Invoice fields of a text document. Only documents with an invoice label or a total get an
/// invoice number, date and total.
pub(crate) fn invoice_fields(text: &str) -> InvoiceFields {
    let money = find_money(text);
    let total = total(text);
    let currency = total
        .as_ref()
        .and_then(|t| t.money.currency.clone())
        .or_else(|| dominant_currency(&money));
    let order = date_order(currency.as_deref());
    let date_of = |s: &str| find_dates(s, order).first().map(|d| d.date);
    let invoice_number = labelled(text, &INVOICE_NUMBER_LABEL, invoice_number_value)
        .or_else(|| labelled(text, &REFERENCE_LABEL, invoice_number_value));
    let invoice_date = labelled(text, &INVOICE_DATE_LABEL, date_of)
        .or_else(|| labelled(text, &ISSUE_DATE_LABEL, date_of))
        .or_else(|| labelled(text, &PLAIN_DATE_LABEL, date_of))
        .or_else(|| {
            // An invoice that prints its date without a label prints it first.
            invoice_number
                .as_ref()
                .and_then(|_| find_dates(text, order).first().map(|d| d.date))
        });
    let looks_like_invoice = invoice_number.is_some() || total.is_some();
    InvoiceFields {
        issuer: if looks_like_invoice {
            issuer(text)
        } else {
            None
        },
        invoice_number,
        invoice_date: invoice_date.filter(|_| looks_like_invoice),
        total_amount: total.as_ref().map(|t| t.money.amount),
        currency: currency.filter(|_| looks_like_invoice || !money.is_empty()),
        vat_ids: vat_ids(text),
        amounts: money
            .into_iter()
            .take(MAX_AMOUNTS)
            .map(|f| f.money)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_on_same_next_or_previous_line() {
        let same = "Invoice No: INV-2024-001\nDate: 2024-03-01";
        assert_eq!(
            labelled(same, &INVOICE_NUMBER_LABEL, invoice_number_value),
            Some("INV-2024-001".into())
        );
        let next = "Invoice Number:\n42183017\nInvoice Date:\nAugust 3 , 2014\nTotal";
        assert_eq!(
            labelled(next, &INVOICE_NUMBER_LABEL, invoice_number_value),
            Some("42183017".into())
        );
        // Values printed before their labels, in a column.
        let before = "992288600\nFactuurnummer:\n6669263\nKlantnummer:\n29 maart 2014\nFactuurdatum:\n12508334\nOrdernummer:";
        assert_eq!(
            labelled(before, &INVOICE_NUMBER_LABEL, invoice_number_value),
            Some("992288600".into())
        );
        let f = invoice_fields(before);
        assert_eq!(f.invoice_date, NaiveDate::from_ymd_opt(2014, 3, 29));
    }

    #[test]
    fn number_values() {
        assert_eq!(
            invoice_number_value("F 1234K20/1234/12"),
            Some("F 1234K20/1234/12".into())
        );
        assert_eq!(
            invoice_number_value("# BLR_WFLD20151000982590"),
            Some("BLR_WFLD20151000982590".into())
        );
        assert_eq!(
            invoice_number_value("2026-118-44721 du 2 novembre 2026"),
            Some("2026-118-44721".into())
        );
        assert_eq!(invoice_number_value("Summary"), None);
        assert_eq!(invoice_number_value("15-10-2015"), None);
    }

    #[test]
    fn issuer_from_label_legal_form_or_head() {
        assert_eq!(
            issuer("Sold by: (acting as agent) Nordwind Handels GmbH, Hafenstr. 3\nInvoice #12"),
            Some("Nordwind Handels GmbH".into())
        );
        assert_eq!(
            issuer("FACTURE\nAtelier Dupont S.A.S.\n12 rue de la Paix\nClient: Jean"),
            Some("Atelier Dupont S.A.S.".into())
        );
        assert_eq!(
            issuer("INVOICE\n# 7\nJane Carpentry\njane@example.com\nBill To\nBob"),
            Some("Jane Carpentry".into())
        );
    }

    #[test]
    fn totals_prefer_amount_due_and_skip_partial_totals() {
        let text = "Subtotal: €100,00\nTotal VAT: €21,00\nTotal: €121,00\nAmount due: €121,00";
        let f = invoice_fields(text);
        assert_eq!(f.total_amount, Some(121.0));
        assert_eq!(f.currency.as_deref(), Some("EUR"));
        let row = "Razem:   257,59   59,24   316,83";
        assert_eq!(total(row).map(|t| t.money.amount), Some(316.83));
        let dated = "TOTAL AMOUNT DUE ON August 3 , 2014\n$4.11";
        assert_eq!(total(dated).map(|t| t.money.amount), Some(4.11));
    }

    #[test]
    fn vat_ids_by_shape_and_label() {
        let text = "BTW NL810433941B01\nNIP: 774-00-01-454\nGSTIN\n06AABCO6063D1ZQ\nVAT 21%";
        assert_eq!(
            vat_ids(text),
            vec!["NL810433941B01", "06AABCO6063D1ZQ", "7740001454"]
        );
    }

    #[test]
    fn totals_follow_labels_in_any_script_beside_non_ascii_text() {
        for (text, total) in [
            ("• Facture n° 12\nMontant dû : 1 234,50 €\n", 1234.5),
            ("FACTURE N° 12\nMONTANT DU 99,00 EUR\n", 99.0),
            ("Faktura nr 7\nNależność ogółem 12,50 zł\n", 12.5),
            ("Rechnung Nr. 5 – „Büro“\nGesamtbetrag 80,00 €\n", 80.0),
        ] {
            assert_eq!(invoice_fields(text).total_amount, Some(total), "{text}");
        }
    }

    #[test]
    fn documents_without_invoice_labels_get_no_invoice_fields() {
        let f = invoice_fields("Shopping list\nEggs\nMilk 2024-01-01");
        assert_eq!(f.invoice_number, None);
        assert_eq!(f.invoice_date, None);
        assert_eq!(f.issuer, None);
    }
}
