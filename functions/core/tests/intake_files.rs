//! Intake of the files senders really produce: text in legacy encodings and UTF-16, CSV exports
//! with `;` or tabs, PDFs with forms, encryption, CID fonts, several pages, no text layer, and
//! a decompression bomb. The fixtures under `tests/fixtures/intake/` are written by
//! `scripts/make-intake-fixtures.py` (deterministic; `--check` compares them).

use std::path::PathBuf;
use std::time::Duration;

use compliance_core::intake::{
    read, recognized, DocumentText, Format, IntakeLimits, TextOrigin, Unreadable,
    FORM_FIELDS_HEADING,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/intake")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_fixture(name: &str) -> Result<DocumentText, Unreadable> {
    read(name, &fixture(name), &IntakeLimits::default())
}

const KYC_LINES: [&str; 5] = [
    "KYC application",
    "Full name: Zoë Ünal-Müller",
    "Date of birth: 14 Feb 1986",
    "Address: Königstraße 12, 70173 Stuttgart",
    "Source of funds: salary, € 4.250,00 per month",
];

#[test]
fn text_in_every_common_encoding_reads_the_same() {
    for (name, encoding) in [
        ("utf16le-bom.txt", "UTF-16LE"),
        ("utf16be-nobom.txt", "UTF-16BE"),
        ("cp1252.txt", "windows-1252"),
    ] {
        let doc = read_fixture(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc.format, Format::Text, "{name}");
        let lines: Vec<&str> = doc.text.lines().collect();
        assert_eq!(lines, KYC_LINES, "{name}");
        assert_eq!(
            doc.origin,
            TextOrigin::File {
                encoding: Some(encoding)
            },
            "{name}"
        );
    }
}

#[test]
fn semicolon_csv_in_windows_1252_keeps_quoted_fields_and_drops_empty_rows() {
    let doc = read_fixture("transactions-semicolon.csv").unwrap();
    assert_eq!(doc.format, Format::Csv);
    let table = doc.table.unwrap();
    assert_eq!(
        table.headers,
        ["datum", "kunde", "betrag", "art", "verwendungszweck"]
    );
    assert_eq!(table.rows.len(), 3, "the trailing `;;;;` row is not a row");
    assert_eq!(
        table.rows[0],
        [
            "02.01.2026",
            "Zoë Ünal",
            "9.800,00",
            "Bargeld",
            "Einzahlung; Filiale Mitte"
        ]
    );
    assert_eq!(table.rows[1][3], "Überweisung");
    assert_eq!(table.rows[2][2], "€ 12,00");
}

#[test]
fn tab_separated_export_with_a_bom() {
    let doc = read_fixture("transactions-tab.tsv").unwrap();
    let table = doc.table.unwrap();
    // The BOM is not part of the first header.
    assert_eq!(
        table.headers,
        ["date", "customer", "amount", "type", "memo"]
    );
    assert_eq!(table.rows[0][2], "9,800.00");
    assert_eq!(table.rows[0][4], "deposit, branch 4");
}

#[test]
fn acroform_values_are_text_with_their_labels() {
    let doc = read_fixture("form-acroform.pdf").unwrap();
    assert_eq!(doc.format, Format::Pdf);
    assert!(doc.text.starts_with("Customer onboarding form\n"));
    let fields: Vec<&str> = doc
        .text
        .split_once(FORM_FIELDS_HEADING)
        .expect("a form fields section")
        .1
        .lines()
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        fields,
        [
            "Full name: Zoë Ünal-Müller",
            "Politically exposed person: Yes",
            "address.city: Stuttgart",
            "address.postcode: 70173",
        ],
        "unchecked boxes and empty fields are left out"
    );
}

#[test]
fn an_empty_user_password_is_no_obstacle_and_a_real_one_is_a_clear_refusal() {
    let doc = read_fixture("encrypted-empty-password.pdf").unwrap();
    assert_eq!(
        doc.text.trim_end().lines().collect::<Vec<_>>(),
        [
            "KYC application",
            "Full name: Ada Example",
            "Date of birth: 01 Jan 1980",
            "Nationality: Utopian"
        ]
    );
    assert_eq!(
        read_fixture("encrypted-user-password.pdf").unwrap_err(),
        Unreadable::Encrypted
    );
}

#[test]
fn cid_font_text_is_decoded_through_its_tounicode_cmap() {
    let doc = read_fixture("cid-type0.pdf").unwrap();
    assert_eq!(
        doc.text.trim_end().lines().collect::<Vec<_>>(),
        [
            "Kontoinhaber: Zoë Ünal-Müller",
            "Ζωή Παπαδοπούλου",
            "株式会社 東京銀行",
            "IBAN DE89370400440532013000",
        ]
    );
}

#[test]
fn every_page_is_read_in_order_including_form_xobjects_and_kerned_words() {
    let doc = read_fixture("multipage.pdf").unwrap();
    assert_eq!(doc.pages, Some(3));
    let lines: Vec<&str> = doc.text.lines().filter(|l| !l.is_empty()).collect();
    let position = |wanted: &str| {
        lines
            .iter()
            .position(|l| *l == wanted)
            .unwrap_or_else(|| panic!("no line {wanted:?} in {lines:?}"))
    };
    // Page 1 inherits its font from the root of the page tree.
    assert!(position("Opening balance 1,000.00") < position("Page 2 of 3"));
    // Page 2's text is in a form XObject, drawn twice.
    assert_eq!(
        lines
            .iter()
            .filter(|l| **l == "Transfer to Example Ltd 250.00")
            .count(),
        2
    );
    // Page 3: one kerned string, spaced where the kerning leaves a word gap.
    assert!(position("Page 2 of 3") < position("Closing balance 750.00"));
    assert!(position("Closing balance 750.00") < position("Page 3 of 3"));
}

#[test]
fn a_pdf_without_text_needs_ocr() {
    assert_eq!(
        read_fixture("scan.pdf").unwrap_err(),
        Unreadable::NoTextLayer
    );
}

#[test]
fn a_decompression_bomb_is_refused_within_the_limit() {
    let started = std::time::Instant::now();
    let err = read_fixture("bomb.pdf").unwrap_err();
    assert!(
        matches!(&err, Unreadable::TooComplex { detail } if detail.contains("inflates")),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn page_object_and_time_limits_are_enforced() {
    let bytes = fixture("multipage.pdf");
    let pages = IntakeLimits {
        max_pdf_pages: 2,
        ..Default::default()
    };
    assert_eq!(
        read("m.pdf", &bytes, &pages).unwrap_err(),
        Unreadable::TooManyPages { pages: 3, limit: 2 }
    );
    let objects = IntakeLimits {
        max_pdf_objects: 5,
        ..Default::default()
    };
    assert!(matches!(
        read("m.pdf", &bytes, &objects),
        Err(Unreadable::TooComplex { .. })
    ));
    let no_time = IntakeLimits {
        time_budget: Duration::ZERO,
        ..Default::default()
    };
    assert_eq!(
        read("m.pdf", &bytes, &no_time).unwrap_err(),
        Unreadable::Timeout { seconds: 0 }
    );
}

#[test]
fn truncated_and_damaged_pdfs_are_reasons_not_parser_crashes() {
    // Cut the fixtures at many points and flip bytes. A caught panic would still be a value
    // (`ParserPanic`), but it would mean a parser bug on this input: none may occur.
    let mut results = 0;
    for name in [
        "form-acroform.pdf",
        "cid-type0.pdf",
        "encrypted-empty-password.pdf",
        "multipage.pdf",
    ] {
        let bytes = fixture(name);
        for cut in (16..bytes.len()).step_by(29) {
            let mut flipped = bytes.clone();
            flipped[cut] ^= 0x5A;
            for damaged in [&bytes[..cut], flipped.as_slice()] {
                let result = read(name, damaged, &IntakeLimits::default());
                assert_ne!(
                    result.err(),
                    Some(Unreadable::ParserPanic),
                    "{name} at {cut}"
                );
                results += 1;
            }
        }
    }
    assert!(results > 200, "only {results} damaged files tried");
}

#[test]
fn ocr_text_counts_only_when_there_is_some() {
    let limits = IntakeLimits::default();
    let doc = recognized(
        "textract",
        "KYC application\nFull name: Ada Example\n".into(),
        Some(1),
        &limits,
    )
    .unwrap();
    assert_eq!(doc.format, Format::Pdf);
    assert_eq!(
        doc.origin,
        TextOrigin::Ocr {
            provider: "textract".into()
        }
    );
    assert_eq!(
        recognized("textract", " 1 \n".into(), Some(1), &limits).unwrap_err(),
        Unreadable::NoTextLayer
    );
}
