//! Country names and codes as sanctions lists write them, resolved to ISO 3166-1 alpha-2.
//!
//! Lists spell countries every which way: `Iran`, `Iran, Islamic Republic of`,
//! `Iran (Islamic Republic of)`, `IRN`, `Korea, North`, `Democratic People's Republic of Korea`,
//! `Congo, Democratic Republic of the`, `St. Kitts & Nevis`, `Türkiye`, `UK`, `PRC`. The table
//! below is ISO 3166-1 (alpha-2, alpha-3, short name; official and common names from Debian's
//! `iso-codes`) plus the other spellings found in the OFAC, UN, BIS and CSL files. `celes` 2.x
//! was tried and left out: it resolves none of the inverted forms and not even
//! `United Kingdom`, so a table was needed anyway.
//!
//! Kosovo resolves to `XK`, the user-assigned code every list and bank uses; it is not in
//! ISO 3166-1 (so `identifiers::is_iso_country("XK")` is false). Former states (Soviet Union,
//! Yugoslavia, Serbia and Montenegro) and bare "Korea" resolve to nothing.

use std::collections::HashMap;
use std::sync::LazyLock;

/// ISO 3166-1 alpha-2 for a country code (alpha-2 or alpha-3, in capitals) or English name, as
/// lists write them; `None` when the text is not recognisably one country.
pub fn country_code(text: &str) -> Option<&'static str> {
    let text = text.trim().trim_end_matches('.').trim();
    if text.is_empty() || text.len() > 120 {
        return None;
    }
    // Codes only in capitals: lists write `na` for "not available", not Namibia.
    if text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase()) {
        if let Ok(i) = COUNTRIES.binary_search_by(|c| c.0.cmp(text)) {
            return COUNTRIES.get(i).map(|c| c.0);
        }
        if text == "XK" {
            return Some("XK");
        }
    }
    if text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase()) {
        if let Some(&code) = BY_ALPHA3.get(text) {
            return Some(code);
        }
    }
    if let Some(&code) = BY_NAME_AS_WRITTEN.get(text) {
        return Some(code);
    }
    let names = &*BY_NAME;
    let key = fold(text);
    if let Some(&code) = names.get(key.as_str()) {
        return Some(code);
    }
    // `Iran (Islamic Republic of)` is `Iran, Islamic Republic of` written otherwise.
    let text = match (text.find('('), text.rfind(')')) {
        (Some(open), Some(close)) if open < close && close + 1 == text.len() => {
            let (head, tail) = (text.get(..open)?, text.get(open + 1..close)?);
            format!("{}, {}", head.trim(), tail.trim())
        }
        _ => text.to_string(),
    };
    let inverted = invert(&text)?;
    names.get(inverted.as_str()).copied()
}

/// `Congo, Democratic Republic of the` → the folded `democratic republic of the congo`.
fn invert(text: &str) -> Option<String> {
    let (head, tail) = text.rsplit_once(',')?;
    Some(fold(&format!("{} {}", tail.trim(), head.trim())))
}

/// Lower-case ASCII words separated by single spaces: diacritics and apostrophes dropped,
/// `&` read as `and`, `St.` as `saint`, a leading `the` removed.
fn fold(text: &str) -> String {
    let ascii = any_ascii::any_ascii(text);
    let mut spaced = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        match c {
            '\'' | '`' => {}
            '&' => spaced.push_str(" and "),
            c if c.is_ascii_alphanumeric() => spaced.push(c.to_ascii_lowercase()),
            _ => spaced.push(' '),
        }
    }
    let mut words: Vec<&str> = spaced.split_whitespace().collect();
    if words.first() == Some(&"the") {
        words.remove(0);
    }
    let words: Vec<&str> = words
        .into_iter()
        .map(|w| if w == "st" { "saint" } else { w })
        .collect();
    words.join(" ")
}

static BY_ALPHA3: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| COUNTRIES.iter().map(|&(a2, a3, _)| (a3, a2)).collect());

/// Every name exactly as written in the tables: most list spellings hit here without folding.
static BY_NAME_AS_WRITTEN: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    let names = COUNTRIES
        .iter()
        .map(|&(a2, _, name)| (a2, name))
        .chain(OTHER_NAMES.iter().copied())
        .chain(LIST_SPELLINGS.iter().copied());
    for (code, name) in names {
        map.entry(name).or_insert(code);
    }
    map
});

static BY_NAME: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    let names = COUNTRIES
        .iter()
        .map(|&(a2, _, name)| (a2, name))
        .chain(OTHER_NAMES.iter().copied())
        .chain(LIST_SPELLINGS.iter().copied());
    for (code, name) in names {
        map.entry(fold(name)).or_insert(code);
        if let Some(inverted) = invert(name) {
            map.entry(inverted).or_insert(code);
        }
    }
    map
});

/// Spellings the lists use that ISO does not, and common short forms.
const LIST_SPELLINGS: &[(&str, &str)] = &[
    ("AE", "UAE"),
    ("AE", "Emirates"),
    ("BA", "Bosnia"),
    ("BA", "Bosnia-Herzegovina"),
    ("BN", "Brunei"),
    ("BS", "Bahamas, The"),
    ("CD", "Democratic Republic of the Congo"),
    ("CD", "Congo, Democratic Republic of the"),
    ("CD", "Congo (Kinshasa)"),
    ("CD", "Congo-Kinshasa"),
    ("CD", "DR Congo"),
    ("CD", "DRC"),
    ("CD", "Zaire"),
    ("CG", "Congo, Republic of the"),
    ("CG", "Congo (Brazzaville)"),
    ("CG", "Congo-Brazzaville"),
    ("CI", "Ivory Coast"),
    ("CI", "Cote d Ivoire"),
    ("CN", "People's Republic of China"),
    ("CN", "PRC"),
    ("CV", "Cape Verde"),
    ("FM", "Micronesia"),
    ("GB", "UK"),
    ("GB", "U.K."),
    ("GB", "Great Britain"),
    ("GB", "Britain"),
    ("GB", "England"),
    ("GB", "Scotland"),
    ("GB", "Wales"),
    ("GB", "Northern Ireland"),
    ("GM", "Gambia, The"),
    ("HK", "China, Hong Kong Special Administrative Region"),
    ("HK", "Hong Kong SAR"),
    ("KP", "Korea, North"),
    ("KP", "DPRK"),
    ("KP", "Korea (DPRK)"),
    ("KP", "Korea, Democratic People's Republic"),
    ("KR", "Korea, South"),
    ("KR", "Republic of Korea"),
    ("KG", "Kyrgyz Republic"),
    ("LA", "Lao PDR"),
    ("MK", "Macedonia"),
    ("MK", "Macedonia, The Former Yugoslav Republic of"),
    ("MK", "Former Yugoslav Republic of Macedonia"),
    ("MM", "Burma"),
    ("MO", "Macau"),
    ("MO", "China, Macao Special Administrative Region"),
    ("NL", "Holland"),
    ("PS", "Palestine"),
    ("PS", "Palestinian"),
    ("PS", "Palestinian Territories"),
    ("PS", "Palestinian Authority"),
    ("PS", "Occupied Palestinian Territory"),
    ("PS", "West Bank"),
    ("PS", "Gaza"),
    ("PS", "Gaza Strip"),
    ("RU", "Russia"),
    ("SK", "Slovak Republic"),
    ("SZ", "Swaziland"),
    ("TL", "East Timor"),
    ("TR", "Turkey"),
    ("US", "USA"),
    ("US", "U.S.A."),
    ("US", "U.S."),
    ("US", "United States of America"),
    ("VA", "Vatican"),
    ("VA", "Vatican City"),
    ("VA", "Holy See"),
    ("VN", "Vietnam"),
    ("XK", "Kosovo"),
    ("XK", "Republic of Kosovo"),
];

/// ISO 3166-1: alpha-2, alpha-3 and English short name, sorted by alpha-2.
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("AD", "AND", "Andorra"),
    ("AE", "ARE", "United Arab Emirates"),
    ("AF", "AFG", "Afghanistan"),
    ("AG", "ATG", "Antigua and Barbuda"),
    ("AI", "AIA", "Anguilla"),
    ("AL", "ALB", "Albania"),
    ("AM", "ARM", "Armenia"),
    ("AO", "AGO", "Angola"),
    ("AQ", "ATA", "Antarctica"),
    ("AR", "ARG", "Argentina"),
    ("AS", "ASM", "American Samoa"),
    ("AT", "AUT", "Austria"),
    ("AU", "AUS", "Australia"),
    ("AW", "ABW", "Aruba"),
    ("AX", "ALA", "Åland Islands"),
    ("AZ", "AZE", "Azerbaijan"),
    ("BA", "BIH", "Bosnia and Herzegovina"),
    ("BB", "BRB", "Barbados"),
    ("BD", "BGD", "Bangladesh"),
    ("BE", "BEL", "Belgium"),
    ("BF", "BFA", "Burkina Faso"),
    ("BG", "BGR", "Bulgaria"),
    ("BH", "BHR", "Bahrain"),
    ("BI", "BDI", "Burundi"),
    ("BJ", "BEN", "Benin"),
    ("BL", "BLM", "Saint Barthélemy"),
    ("BM", "BMU", "Bermuda"),
    ("BN", "BRN", "Brunei Darussalam"),
    ("BO", "BOL", "Bolivia, Plurinational State of"),
    ("BQ", "BES", "Bonaire, Sint Eustatius and Saba"),
    ("BR", "BRA", "Brazil"),
    ("BS", "BHS", "Bahamas"),
    ("BT", "BTN", "Bhutan"),
    ("BV", "BVT", "Bouvet Island"),
    ("BW", "BWA", "Botswana"),
    ("BY", "BLR", "Belarus"),
    ("BZ", "BLZ", "Belize"),
    ("CA", "CAN", "Canada"),
    ("CC", "CCK", "Cocos (Keeling) Islands"),
    ("CD", "COD", "Congo, The Democratic Republic of the"),
    ("CF", "CAF", "Central African Republic"),
    ("CG", "COG", "Congo"),
    ("CH", "CHE", "Switzerland"),
    ("CI", "CIV", "Côte d'Ivoire"),
    ("CK", "COK", "Cook Islands"),
    ("CL", "CHL", "Chile"),
    ("CM", "CMR", "Cameroon"),
    ("CN", "CHN", "China"),
    ("CO", "COL", "Colombia"),
    ("CR", "CRI", "Costa Rica"),
    ("CU", "CUB", "Cuba"),
    ("CV", "CPV", "Cabo Verde"),
    ("CW", "CUW", "Curaçao"),
    ("CX", "CXR", "Christmas Island"),
    ("CY", "CYP", "Cyprus"),
    ("CZ", "CZE", "Czechia"),
    ("DE", "DEU", "Germany"),
    ("DJ", "DJI", "Djibouti"),
    ("DK", "DNK", "Denmark"),
    ("DM", "DMA", "Dominica"),
    ("DO", "DOM", "Dominican Republic"),
    ("DZ", "DZA", "Algeria"),
    ("EC", "ECU", "Ecuador"),
    ("EE", "EST", "Estonia"),
    ("EG", "EGY", "Egypt"),
    ("EH", "ESH", "Western Sahara"),
    ("ER", "ERI", "Eritrea"),
    ("ES", "ESP", "Spain"),
    ("ET", "ETH", "Ethiopia"),
    ("FI", "FIN", "Finland"),
    ("FJ", "FJI", "Fiji"),
    ("FK", "FLK", "Falkland Islands (Malvinas)"),
    ("FM", "FSM", "Micronesia, Federated States of"),
    ("FO", "FRO", "Faroe Islands"),
    ("FR", "FRA", "France"),
    ("GA", "GAB", "Gabon"),
    ("GB", "GBR", "United Kingdom"),
    ("GD", "GRD", "Grenada"),
    ("GE", "GEO", "Georgia"),
    ("GF", "GUF", "French Guiana"),
    ("GG", "GGY", "Guernsey"),
    ("GH", "GHA", "Ghana"),
    ("GI", "GIB", "Gibraltar"),
    ("GL", "GRL", "Greenland"),
    ("GM", "GMB", "Gambia"),
    ("GN", "GIN", "Guinea"),
    ("GP", "GLP", "Guadeloupe"),
    ("GQ", "GNQ", "Equatorial Guinea"),
    ("GR", "GRC", "Greece"),
    ("GS", "SGS", "South Georgia and the South Sandwich Islands"),
    ("GT", "GTM", "Guatemala"),
    ("GU", "GUM", "Guam"),
    ("GW", "GNB", "Guinea-Bissau"),
    ("GY", "GUY", "Guyana"),
    ("HK", "HKG", "Hong Kong"),
    ("HM", "HMD", "Heard Island and McDonald Islands"),
    ("HN", "HND", "Honduras"),
    ("HR", "HRV", "Croatia"),
    ("HT", "HTI", "Haiti"),
    ("HU", "HUN", "Hungary"),
    ("ID", "IDN", "Indonesia"),
    ("IE", "IRL", "Ireland"),
    ("IL", "ISR", "Israel"),
    ("IM", "IMN", "Isle of Man"),
    ("IN", "IND", "India"),
    ("IO", "IOT", "British Indian Ocean Territory"),
    ("IQ", "IRQ", "Iraq"),
    ("IR", "IRN", "Iran, Islamic Republic of"),
    ("IS", "ISL", "Iceland"),
    ("IT", "ITA", "Italy"),
    ("JE", "JEY", "Jersey"),
    ("JM", "JAM", "Jamaica"),
    ("JO", "JOR", "Jordan"),
    ("JP", "JPN", "Japan"),
    ("KE", "KEN", "Kenya"),
    ("KG", "KGZ", "Kyrgyzstan"),
    ("KH", "KHM", "Cambodia"),
    ("KI", "KIR", "Kiribati"),
    ("KM", "COM", "Comoros"),
    ("KN", "KNA", "Saint Kitts and Nevis"),
    ("KP", "PRK", "Korea, Democratic People's Republic of"),
    ("KR", "KOR", "Korea, Republic of"),
    ("KW", "KWT", "Kuwait"),
    ("KY", "CYM", "Cayman Islands"),
    ("KZ", "KAZ", "Kazakhstan"),
    ("LA", "LAO", "Lao People's Democratic Republic"),
    ("LB", "LBN", "Lebanon"),
    ("LC", "LCA", "Saint Lucia"),
    ("LI", "LIE", "Liechtenstein"),
    ("LK", "LKA", "Sri Lanka"),
    ("LR", "LBR", "Liberia"),
    ("LS", "LSO", "Lesotho"),
    ("LT", "LTU", "Lithuania"),
    ("LU", "LUX", "Luxembourg"),
    ("LV", "LVA", "Latvia"),
    ("LY", "LBY", "Libya"),
    ("MA", "MAR", "Morocco"),
    ("MC", "MCO", "Monaco"),
    ("MD", "MDA", "Moldova, Republic of"),
    ("ME", "MNE", "Montenegro"),
    ("MF", "MAF", "Saint Martin (French part)"),
    ("MG", "MDG", "Madagascar"),
    ("MH", "MHL", "Marshall Islands"),
    ("MK", "MKD", "North Macedonia"),
    ("ML", "MLI", "Mali"),
    ("MM", "MMR", "Myanmar"),
    ("MN", "MNG", "Mongolia"),
    ("MO", "MAC", "Macao"),
    ("MP", "MNP", "Northern Mariana Islands"),
    ("MQ", "MTQ", "Martinique"),
    ("MR", "MRT", "Mauritania"),
    ("MS", "MSR", "Montserrat"),
    ("MT", "MLT", "Malta"),
    ("MU", "MUS", "Mauritius"),
    ("MV", "MDV", "Maldives"),
    ("MW", "MWI", "Malawi"),
    ("MX", "MEX", "Mexico"),
    ("MY", "MYS", "Malaysia"),
    ("MZ", "MOZ", "Mozambique"),
    ("NA", "NAM", "Namibia"),
    ("NC", "NCL", "New Caledonia"),
    ("NE", "NER", "Niger"),
    ("NF", "NFK", "Norfolk Island"),
    ("NG", "NGA", "Nigeria"),
    ("NI", "NIC", "Nicaragua"),
    ("NL", "NLD", "Netherlands"),
    ("NO", "NOR", "Norway"),
    ("NP", "NPL", "Nepal"),
    ("NR", "NRU", "Nauru"),
    ("NU", "NIU", "Niue"),
    ("NZ", "NZL", "New Zealand"),
    ("OM", "OMN", "Oman"),
    ("PA", "PAN", "Panama"),
    ("PE", "PER", "Peru"),
    ("PF", "PYF", "French Polynesia"),
    ("PG", "PNG", "Papua New Guinea"),
    ("PH", "PHL", "Philippines"),
    ("PK", "PAK", "Pakistan"),
    ("PL", "POL", "Poland"),
    ("PM", "SPM", "Saint Pierre and Miquelon"),
    ("PN", "PCN", "Pitcairn"),
    ("PR", "PRI", "Puerto Rico"),
    ("PS", "PSE", "Palestine, State of"),
    ("PT", "PRT", "Portugal"),
    ("PW", "PLW", "Palau"),
    ("PY", "PRY", "Paraguay"),
    ("QA", "QAT", "Qatar"),
    ("RE", "REU", "Réunion"),
    ("RO", "ROU", "Romania"),
    ("RS", "SRB", "Serbia"),
    ("RU", "RUS", "Russian Federation"),
    ("RW", "RWA", "Rwanda"),
    ("SA", "SAU", "Saudi Arabia"),
    ("SB", "SLB", "Solomon Islands"),
    ("SC", "SYC", "Seychelles"),
    ("SD", "SDN", "Sudan"),
    ("SE", "SWE", "Sweden"),
    ("SG", "SGP", "Singapore"),
    ("SH", "SHN", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SI", "SVN", "Slovenia"),
    ("SJ", "SJM", "Svalbard and Jan Mayen"),
    ("SK", "SVK", "Slovakia"),
    ("SL", "SLE", "Sierra Leone"),
    ("SM", "SMR", "San Marino"),
    ("SN", "SEN", "Senegal"),
    ("SO", "SOM", "Somalia"),
    ("SR", "SUR", "Suriname"),
    ("SS", "SSD", "South Sudan"),
    ("ST", "STP", "Sao Tome and Principe"),
    ("SV", "SLV", "El Salvador"),
    ("SX", "SXM", "Sint Maarten (Dutch part)"),
    ("SY", "SYR", "Syrian Arab Republic"),
    ("SZ", "SWZ", "Eswatini"),
    ("TC", "TCA", "Turks and Caicos Islands"),
    ("TD", "TCD", "Chad"),
    ("TF", "ATF", "French Southern Territories"),
    ("TG", "TGO", "Togo"),
    ("TH", "THA", "Thailand"),
    ("TJ", "TJK", "Tajikistan"),
    ("TK", "TKL", "Tokelau"),
    ("TL", "TLS", "Timor-Leste"),
    ("TM", "TKM", "Turkmenistan"),
    ("TN", "TUN", "Tunisia"),
    ("TO", "TON", "Tonga"),
    ("TR", "TUR", "Türkiye"),
    ("TT", "TTO", "Trinidad and Tobago"),
    ("TV", "TUV", "Tuvalu"),
    ("TW", "TWN", "Taiwan, Province of China"),
    ("TZ", "TZA", "Tanzania, United Republic of"),
    ("UA", "UKR", "Ukraine"),
    ("UG", "UGA", "Uganda"),
    ("UM", "UMI", "United States Minor Outlying Islands"),
    ("US", "USA", "United States"),
    ("UY", "URY", "Uruguay"),
    ("UZ", "UZB", "Uzbekistan"),
    ("VA", "VAT", "Holy See (Vatican City State)"),
    ("VC", "VCT", "Saint Vincent and the Grenadines"),
    ("VE", "VEN", "Venezuela, Bolivarian Republic of"),
    ("VG", "VGB", "Virgin Islands, British"),
    ("VI", "VIR", "Virgin Islands, U.S."),
    ("VN", "VNM", "Viet Nam"),
    ("VU", "VUT", "Vanuatu"),
    ("WF", "WLF", "Wallis and Futuna"),
    ("WS", "WSM", "Samoa"),
    ("YE", "YEM", "Yemen"),
    ("YT", "MYT", "Mayotte"),
    ("ZA", "ZAF", "South Africa"),
    ("ZM", "ZMB", "Zambia"),
    ("ZW", "ZWE", "Zimbabwe"),
];

/// Official and common English names beside the short names above.
const OTHER_NAMES: &[(&str, &str)] = &[
    ("AD", "Principality of Andorra"),
    ("AF", "Islamic Republic of Afghanistan"),
    ("AL", "Republic of Albania"),
    ("AM", "Republic of Armenia"),
    ("AO", "Republic of Angola"),
    ("AR", "Argentine Republic"),
    ("AT", "Republic of Austria"),
    ("AZ", "Republic of Azerbaijan"),
    ("BA", "Republic of Bosnia and Herzegovina"),
    ("BD", "People's Republic of Bangladesh"),
    ("BE", "Kingdom of Belgium"),
    ("BG", "Republic of Bulgaria"),
    ("BH", "Kingdom of Bahrain"),
    ("BI", "Republic of Burundi"),
    ("BJ", "Republic of Benin"),
    ("BO", "Plurinational State of Bolivia"),
    ("BO", "Bolivia"),
    ("BQ", "Bonaire, Sint Eustatius and Saba"),
    ("BR", "Federative Republic of Brazil"),
    ("BS", "Commonwealth of the Bahamas"),
    ("BT", "Kingdom of Bhutan"),
    ("BW", "Republic of Botswana"),
    ("BY", "Republic of Belarus"),
    ("CG", "Republic of the Congo"),
    ("CH", "Swiss Confederation"),
    ("CI", "Republic of Côte d'Ivoire"),
    ("CL", "Republic of Chile"),
    ("CM", "Republic of Cameroon"),
    ("CN", "People's Republic of China"),
    ("CO", "Republic of Colombia"),
    ("CR", "Republic of Costa Rica"),
    ("CU", "Republic of Cuba"),
    ("CV", "Republic of Cabo Verde"),
    ("CW", "Curaçao"),
    ("CY", "Republic of Cyprus"),
    ("CZ", "Czech Republic"),
    ("DE", "Federal Republic of Germany"),
    ("DJ", "Republic of Djibouti"),
    ("DK", "Kingdom of Denmark"),
    ("DM", "Commonwealth of Dominica"),
    ("DZ", "People's Democratic Republic of Algeria"),
    ("EC", "Republic of Ecuador"),
    ("EE", "Republic of Estonia"),
    ("EG", "Arab Republic of Egypt"),
    ("ER", "the State of Eritrea"),
    ("ES", "Kingdom of Spain"),
    ("ET", "Federal Democratic Republic of Ethiopia"),
    ("FI", "Republic of Finland"),
    ("FJ", "Republic of Fiji"),
    ("FM", "Federated States of Micronesia"),
    ("FR", "French Republic"),
    ("GA", "Gabonese Republic"),
    ("GB", "United Kingdom of Great Britain and Northern Ireland"),
    ("GH", "Republic of Ghana"),
    ("GM", "Republic of the Gambia"),
    ("GN", "Republic of Guinea"),
    ("GQ", "Republic of Equatorial Guinea"),
    ("GR", "Hellenic Republic"),
    ("GT", "Republic of Guatemala"),
    ("GW", "Republic of Guinea-Bissau"),
    ("GY", "Republic of Guyana"),
    ("HK", "Hong Kong Special Administrative Region of China"),
    ("HN", "Republic of Honduras"),
    ("HR", "Republic of Croatia"),
    ("HT", "Republic of Haiti"),
    ("HU", "Hungary"),
    ("ID", "Republic of Indonesia"),
    ("IL", "State of Israel"),
    ("IN", "Republic of India"),
    ("IQ", "Republic of Iraq"),
    ("IR", "Islamic Republic of Iran"),
    ("IR", "Iran"),
    ("IS", "Republic of Iceland"),
    ("IT", "Italian Republic"),
    ("JO", "Hashemite Kingdom of Jordan"),
    ("KE", "Republic of Kenya"),
    ("KG", "Kyrgyz Republic"),
    ("KH", "Kingdom of Cambodia"),
    ("KI", "Republic of Kiribati"),
    ("KM", "Union of the Comoros"),
    ("KP", "Democratic People's Republic of Korea"),
    ("KP", "North Korea"),
    ("KR", "South Korea"),
    ("KW", "State of Kuwait"),
    ("KZ", "Republic of Kazakhstan"),
    ("LA", "Laos"),
    ("LB", "Lebanese Republic"),
    ("LI", "Principality of Liechtenstein"),
    ("LK", "Democratic Socialist Republic of Sri Lanka"),
    ("LR", "Republic of Liberia"),
    ("LS", "Kingdom of Lesotho"),
    ("LT", "Republic of Lithuania"),
    ("LU", "Grand Duchy of Luxembourg"),
    ("LV", "Republic of Latvia"),
    ("LY", "Libya"),
    ("MA", "Kingdom of Morocco"),
    ("MC", "Principality of Monaco"),
    ("MD", "Republic of Moldova"),
    ("MD", "Moldova"),
    ("ME", "Montenegro"),
    ("MG", "Republic of Madagascar"),
    ("MH", "Republic of the Marshall Islands"),
    ("MK", "Republic of North Macedonia"),
    ("ML", "Republic of Mali"),
    ("MM", "Republic of Myanmar"),
    ("MO", "Macao Special Administrative Region of China"),
    ("MP", "Commonwealth of the Northern Mariana Islands"),
    ("MR", "Islamic Republic of Mauritania"),
    ("MT", "Republic of Malta"),
    ("MU", "Republic of Mauritius"),
    ("MV", "Republic of Maldives"),
    ("MW", "Republic of Malawi"),
    ("MX", "United Mexican States"),
    ("MZ", "Republic of Mozambique"),
    ("NA", "Republic of Namibia"),
    ("NE", "Republic of the Niger"),
    ("NG", "Federal Republic of Nigeria"),
    ("NI", "Republic of Nicaragua"),
    ("NL", "Kingdom of the Netherlands"),
    ("NO", "Kingdom of Norway"),
    ("NP", "Federal Democratic Republic of Nepal"),
    ("NR", "Republic of Nauru"),
    ("NU", "Niue"),
    ("OM", "Sultanate of Oman"),
    ("PA", "Republic of Panama"),
    ("PE", "Republic of Peru"),
    ("PG", "Independent State of Papua New Guinea"),
    ("PH", "Republic of the Philippines"),
    ("PK", "Islamic Republic of Pakistan"),
    ("PL", "Republic of Poland"),
    ("PS", "the State of Palestine"),
    ("PT", "Portuguese Republic"),
    ("PW", "Republic of Palau"),
    ("PY", "Republic of Paraguay"),
    ("QA", "State of Qatar"),
    ("RS", "Republic of Serbia"),
    ("RW", "Rwandese Republic"),
    ("SA", "Kingdom of Saudi Arabia"),
    ("SC", "Republic of Seychelles"),
    ("SD", "Republic of the Sudan"),
    ("SE", "Kingdom of Sweden"),
    ("SG", "Republic of Singapore"),
    ("SI", "Republic of Slovenia"),
    ("SK", "Slovak Republic"),
    ("SL", "Republic of Sierra Leone"),
    ("SM", "Republic of San Marino"),
    ("SN", "Republic of Senegal"),
    ("SO", "Federal Republic of Somalia"),
    ("SR", "Republic of Suriname"),
    ("SS", "Republic of South Sudan"),
    ("ST", "Democratic Republic of Sao Tome and Principe"),
    ("SV", "Republic of El Salvador"),
    ("SX", "Sint Maarten (Dutch part)"),
    ("SY", "Syria"),
    ("SZ", "Kingdom of Eswatini"),
    ("TD", "Republic of Chad"),
    ("TG", "Togolese Republic"),
    ("TH", "Kingdom of Thailand"),
    ("TJ", "Republic of Tajikistan"),
    ("TL", "Democratic Republic of Timor-Leste"),
    ("TN", "Republic of Tunisia"),
    ("TO", "Kingdom of Tonga"),
    ("TR", "Republic of Türkiye"),
    ("TT", "Republic of Trinidad and Tobago"),
    ("TW", "Taiwan, Province of China"),
    ("TW", "Taiwan"),
    ("TZ", "United Republic of Tanzania"),
    ("TZ", "Tanzania"),
    ("UG", "Republic of Uganda"),
    ("US", "United States of America"),
    ("UY", "Eastern Republic of Uruguay"),
    ("UZ", "Republic of Uzbekistan"),
    ("VE", "Bolivarian Republic of Venezuela"),
    ("VE", "Venezuela"),
    ("VG", "British Virgin Islands"),
    ("VI", "Virgin Islands of the United States"),
    ("VN", "Socialist Republic of Viet Nam"),
    ("VN", "Vietnam"),
    ("VU", "Republic of Vanuatu"),
    ("WS", "Independent State of Samoa"),
    ("YE", "Republic of Yemen"),
    ("ZA", "Republic of South Africa"),
    ("ZM", "Republic of Zambia"),
    ("ZW", "Republic of Zimbabwe"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_codes_and_list_spellings() {
        let cases = [
            ("IR", "IR"),
            ("IRN", "IR"),
            ("Iran", "IR"),
            ("Iran, Islamic Republic of", "IR"),
            ("Iran (Islamic Republic of)", "IR"),
            ("Democratic Republic of the Congo", "CD"),
            ("Congo, Democratic Republic of the", "CD"),
            ("Congo", "CG"),
            ("Korea, North", "KP"),
            ("Democratic People's Republic of Korea", "KP"),
            ("Democratic People’s Republic of Korea", "KP"),
            ("Korea, South", "KR"),
            ("Russia", "RU"),
            ("Russian Federation", "RU"),
            ("Syria", "SY"),
            ("Syrian Arab Republic", "SY"),
            ("Venezuela", "VE"),
            ("United Kingdom", "GB"),
            ("United Kingdom of Great Britain and Northern Ireland", "GB"),
            ("UK", "GB"),
            ("United States", "US"),
            ("United States of America", "US"),
            ("Burma", "MM"),
            ("Palestinian", "PS"),
            ("State of Palestine", "PS"),
            ("The Gambia", "GM"),
            ("Kosovo", "XK"),
            ("Macedonia, The Former Yugoslav Republic of", "MK"),
            ("Cabo Verde", "CV"),
            ("Türkiye", "TR"),
            ("Turkey", "TR"),
            ("Côte d'Ivoire", "CI"),
            ("St. Kitts & Nevis", "KN"),
            ("St. Vincent and the Grenadines", "VC"),
            ("Saint Kitts and Nevis", "KN"),
            ("Hong Kong", "HK"),
            ("Taiwan", "TW"),
            ("United Republic of Tanzania", "TZ"),
            ("Tanzania", "TZ"),
            ("PRC", "CN"),
            ("  Iraq. ", "IQ"),
        ];
        for (text, code) in cases {
            assert_eq!(country_code(text), Some(code), "{text}");
        }
    }

    #[test]
    fn leaves_unknown_and_ambiguous_text_unresolved() {
        for text in [
            "",
            "na",
            "ir",
            "former Soviet Union",
            "Korea",
            "None Identified",
            "XX",
            "Atlantis",
            "possibly Palestinian",
        ] {
            assert_eq!(country_code(text), None, "{text}");
        }
    }

    #[test]
    fn every_alpha2_is_iso() {
        for &(a2, a3, _) in COUNTRIES {
            assert!(crate::identifiers::is_iso_country(a2), "{a2}");
            assert_eq!(country_code(a3), Some(a2));
        }
        for &(a2, _) in OTHER_NAMES.iter().chain(LIST_SPELLINGS) {
            assert!(a2 == "XK" || crate::identifiers::is_iso_country(a2), "{a2}");
        }
    }
}
