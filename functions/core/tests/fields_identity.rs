//! Fields of identity documents: labels in several languages (bilingual `Naam / Surname:`,
//! `Né(e) le:`), the EU model driving licence's numbered fields, and the MRZ compared with the
//! printed fields field by field. Fixtures: `tests/fixtures/documents/identity/` (see its
//! README). Each case lists the fields `view(Disclosure::Clear)` must hold, and, in masked
//! view, the values that must not appear.

use std::path::PathBuf;

use chrono::NaiveDate;
use compliance_core::classify::{classify, DocType};
use compliance_core::extract::{extract, Disclosure};
use compliance_core::intake::{read, IntakeLimits};
use compliance_core::mrz;
use serde_json::{json, Value};

struct Case {
    file: &'static str,
    doc_type: DocType,
    fields: Value,
    /// Personal values that the masked view must not show.
    secret: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            file: "passport-bilingual-nl.txt",
            doc_type: DocType::Passport,
            fields: json!({
                "names": ["Anna Maria Eriksson"],
                "date_of_birth": "1974-08-12",
                "document_number": "L898902C3",
                "expiry_date": "2012-04-15",
                "issue_date": "2002-04-16",
                "nationality": "UTO",
                "mrz_agreement": {
                    "surname": true,
                    "given_names": true,
                    "date_of_birth": true,
                    "document_number": true,
                    "expiry_date": true,
                    "nationality": true
                }
            }),
            secret: &["L898902C3", "ERIKSSON", "Eriksson", "1974-08-12"],
        },
        Case {
            file: "id-card-fr-altered-dob.txt",
            doc_type: DocType::NationalId,
            fields: json!({
                "names": ["Anna Maria Eriksson"],
                "document_number": "D23145890",
                "mrz_agreement": {
                    "surname": true,
                    "given_names": true,
                    "date_of_birth": false,
                    "document_number": true,
                    "expiry_date": true,
                    "nationality": true
                }
            }),
            secret: &["D23145890"],
        },
        Case {
            file: "driving-licence-eu-numbered.txt",
            doc_type: DocType::DrivingLicence,
            fields: json!({
                "names": ["FLEUR BAKKER"],
                "date_of_birth": "1997-06-03",
                "issue_date": "2016-06-10",
                "expiry_date": "2026-06-10",
                "document_number": "5123456789"
            }),
            secret: &["5123456789", "BAKKER"],
        },
    ]
}

#[test]
fn identity_fields_and_mrz_agreement() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents/identity");
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    for case in cases() {
        let bytes = std::fs::read(dir.join(case.file)).unwrap();
        let doc = read(case.file, &bytes, &IntakeLimits::default()).unwrap();
        let found_mrz = mrz::find(&doc.text, today);
        let classification = classify(&doc, found_mrz.as_ref());
        assert_eq!(
            classification.doc_type, case.doc_type,
            "{}: {classification:?}",
            case.file
        );
        let fields = extract(&doc, found_mrz, false);
        let clear = fields.view(Disclosure::Clear);
        for (key, want) in case.fields.as_object().unwrap() {
            assert_eq!(
                clear.get(key),
                Some(want),
                "{}: {key} in {clear:#?}",
                case.file
            );
        }
        let masked = serde_json::to_string(&fields.view(Disclosure::Masked)).unwrap();
        for secret in case.secret {
            assert!(
                !masked.contains(secret),
                "{}: masked view shows {secret}: {masked}",
                case.file
            );
        }
    }
}

#[test]
fn mrz_agreement_is_absent_without_printed_fields() {
    let text = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n";
    let doc = read("mrz.txt", text.as_bytes(), &IntakeLimits::default()).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let fields = extract(&doc, mrz::find(text, today), false);
    assert!(!fields.view(Disclosure::Clear).contains_key("mrz_agreement"));
}
