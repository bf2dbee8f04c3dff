//! The passport number formats of `kyc.document_number_format` in the default rules, against
//! validator.js's isPassportNumber vectors: every valid number matches its country's format
//! and every invalid one does not.

use compliance_core::rules::RuleSet;
use regex::Regex;
use serde_json::Value;

/// ISO 3166-1 alpha-2 (validator.js) to the ICAO code an MRZ carries (Germany is `D`).
const ICAO: &[(&str, &str)] = &[
    ("AU", "AUS"),
    ("AT", "AUT"),
    ("BE", "BEL"),
    ("BG", "BGR"),
    ("CA", "CAN"),
    ("CH", "CHE"),
    ("CZ", "CZE"),
    ("DE", "D"),
    ("DK", "DNK"),
    ("ES", "ESP"),
    ("EE", "EST"),
    ("FI", "FIN"),
    ("FR", "FRA"),
    ("GB", "GBR"),
    ("GR", "GRC"),
    ("HR", "HRV"),
    ("HU", "HUN"),
    ("IN", "IND"),
    ("IE", "IRL"),
    ("IT", "ITA"),
    ("JP", "JPN"),
    ("LT", "LTU"),
    ("LU", "LUX"),
    ("LV", "LVA"),
    ("MT", "MLT"),
    ("NL", "NLD"),
    ("PL", "POL"),
    ("PT", "PRT"),
    ("RO", "ROU"),
    ("SK", "SVK"),
    ("SE", "SWE"),
    ("US", "USA"),
];

/// validator.js removes whitespace and upper-cases before matching; so does the check.
fn normalise(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .to_uppercase()
}

#[test]
fn formats_agree_with_validator_js() {
    let rules = RuleSet::default_rules().expect("default rules");
    let rule = rules
        .rule("kyc.document_number_format")
        .expect("the rule is in the default rules");
    let formats = rule.params["formats"].as_table().expect("formats table");
    let vectors: Value =
        serde_json::from_str(include_str!("fixtures/identifiers/passport_numbers.json"))
            .expect("vectors");
    let mut tested = 0;
    let mut wrong = Vec::new();
    for case in vectors["cases"].as_array().expect("cases") {
        let alpha2 = case["country"].as_str().expect("country");
        let Some((_, icao)) = ICAO.iter().find(|(a, _)| *a == alpha2) else {
            continue;
        };
        let pattern = formats[*icao].as_str().expect("pattern is a string");
        let re = Regex::new(&format!("^(?:{pattern})$")).expect("valid regex");
        for (list, expected) in [("valid", true), ("invalid", false)] {
            for number in case[list].as_array().expect("list") {
                let number = number.as_str().expect("number");
                tested += 1;
                if re.is_match(&normalise(number)) != expected {
                    wrong.push(format!("{icao} {number}: expected {list}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "formats disagree with the vectors:\n{}",
        wrong.join("\n")
    );
    assert!(tested >= 140, "only {tested} vectors tested");
    assert_eq!(
        formats.len(),
        ICAO.len(),
        "every configured format is tested"
    );
}
