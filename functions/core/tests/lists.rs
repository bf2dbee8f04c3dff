//! The list loaders on the real published files in `tests/fixtures/lists` (OFAC SDN 2021, UN
//! Security Council 2026-02-27, BIS Denied Persons, a US CSL sample) and on a bank watchlist.

use std::path::{Path, PathBuf};

use compliance_core::screening::lists::{self, ListFile, ListKind};
use compliance_core::screening::{BirthDate, EntityType, IdNumber, ListEntry, SanctionsList};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lists")
}

fn file(path: &str, name: &str) -> ListFile {
    ListFile {
        name: name.into(),
        bytes: std::fs::read(fixtures().join(path)).unwrap(),
    }
}

fn only(mut lists: Vec<SanctionsList>) -> SanctionsList {
    assert_eq!(lists.len(), 1, "{:?}", ids(&lists));
    lists.remove(0)
}

fn ids(lists: &[SanctionsList]) -> Vec<&str> {
    lists.iter().map(|l| l.version.id.as_str()).collect()
}

fn entry<'a>(list: &'a SanctionsList, id: &str) -> &'a ListEntry {
    list.entries
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entry {id} in {}", list.version.id))
}

fn by_name<'a>(list: &'a SanctionsList, name: &str) -> &'a ListEntry {
    list.entries
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no entry named {name} in {}", list.version.id))
}

fn date(year: i32, month: u32, day: u32) -> BirthDate {
    BirthDate {
        year,
        month: Some(month),
        day: Some(day),
    }
}

fn id(kind: &str, number: &str, country: Option<&str>) -> IdNumber {
    IdNumber::new(kind, number, country.map(str::to_string))
}

/// A fresh folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "compliance-lists-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn copy(&self, from: &str, to: &str) -> &Self {
        std::fs::copy(fixtures().join(from), self.0.join(to)).unwrap();
        self
    }

    fn write(&self, name: &str, bytes: &[u8]) -> &Self {
        std::fs::write(self.0.join(name), bytes).unwrap();
        self
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------------
// OFAC SDN
// ---------------------------------------------------------------------------------------------

#[test]
fn ofac_full_set_loads_every_entry_with_its_aliases_addresses_and_remarks() {
    let list = only(lists::load_dir(&fixtures().join("ofac-2021")).unwrap());
    assert_eq!(list.version.id, "ofac_sdn");
    assert_eq!(list.version.entries, 8976);
    assert_eq!(list.entries.len(), 8976);
    assert_eq!(list.version.published, None);
    assert_eq!(list.version.sha256.len(), 64);
    // alt.csv has 11,910 rows; two repeat an alias already on the same entry.
    let aliases: usize = list.entries.iter().map(|e| e.aliases.len()).sum();
    assert_eq!(aliases, 11_908);
    // add.csv has 13,837 rows, 2,397 of them with no address, city or country.
    let addresses: usize = list.entries.iter().map(|e| e.addresses.len()).sum();
    assert_eq!(addresses, 11_440);
    let count = |t| list.entries.iter().filter(|e| e.entity_type == t).count();
    assert_eq!(count(EntityType::Individual), 4620);
    assert_eq!(count(EntityType::Vessel), 406);
    assert_eq!(count(EntityType::Aircraft), 277);
    assert_eq!(count(EntityType::Entity), 3673);

    let bnc = entry(&list, "306");
    assert_eq!(bnc.name, "BANCO NACIONAL DE CUBA");
    assert_eq!(bnc.entity_type, EntityType::Entity);
    assert_eq!(bnc.programs, vec!["CUBA"]);
    assert!(bnc.aliases.contains(&"NATIONAL BANK OF CUBA".to_string()));
    assert!(
        !bnc.aliases.contains(&"BNC".to_string()),
        "weak a.k.a. in remarks"
    );
    assert!(bnc
        .addresses
        .contains(&"Zweierstrasse 35, Zurich CH-8022, Switzerland".to_string()));
    assert!(
        bnc.nationalities.is_empty(),
        "an address is not a nationality"
    );

    let moreno = entry(&list, "15102");
    assert_eq!(moreno.name, "MORENO, Daniel");
    assert_eq!(moreno.birth_dates, vec![date(1972, 10, 12)]);
    assert_eq!(
        moreno.id_numbers,
        vec![id("passport", "0291622", Some("BZ"))]
    );

    let cifuentes = entry(&list, "12300");
    assert_eq!(
        cifuentes.birth_dates,
        vec![date(1965, 5, 13), date(1968, 4, 13), date(1964, 7, 7)]
    );
    for expected in [
        id("cedula no.", "7548733", Some("CO")),
        id("cedula no.", "1724897291", Some("EC")),
        id("passport", "AL720622", Some("CO")),
        id("r.f.c.", "CIVJ650513LJA", Some("MX")),
        id("c.u.r.p.", "CIVJ650513HNEFLR06", Some("MX")),
    ] {
        assert!(
            cifuentes.id_numbers.contains(&expected),
            "{expected:?} in {:?}",
            cifuentes.id_numbers
        );
    }

    // Remarks continued in sdn_comments.csv.
    let andreyev = entry(&list, "29703");
    assert_eq!(andreyev.nationalities, vec!["RU"]);
    assert!(andreyev
        .id_numbers
        .contains(&id("passport", "4005504207", Some("RU"))));
    let li = entry(&list, "28264");
    assert_eq!(li.birth_dates, vec![date(1987, 1, 10)]);
    assert!(li.id_numbers.contains(&id(
        "identification number",
        "210302198701102136",
        Some("CN")
    )));

    // A vessel: its flag is its nationality; IMO and MMSI numbers.
    let artavil = entry(&list, "15036");
    assert_eq!(artavil.entity_type, EntityType::Vessel);
    assert_eq!(artavil.nationalities, vec!["IR"]);
    assert_eq!(
        artavil.id_numbers,
        vec![id("imo", "9187629", None), id("mmsi", "572469210", None)]
    );
    let ark = entry(&list, "15037");
    assert_eq!(ark.nationalities, vec!["PA"]);

    // Nationality and citizenship, in list spellings.
    let nationals = |code: &str| {
        list.entries
            .iter()
            .filter(|e| e.nationalities.iter().any(|n| n == code))
            .count()
    };
    assert!(nationals("KP") >= 70, "Korea, North: {}", nationals("KP"));
    assert!(nationals("IR") >= 250, "Iran: {}", nationals("IR"));
    assert!(nationals("SY") >= 300, "Syria: {}", nationals("SY"));

    // Birth dates of every kind of remark.
    let with_dob = list
        .entries
        .iter()
        .filter(|e| !e.birth_dates.is_empty())
        .count();
    assert_eq!(with_dob, 4428);
    let with_id = list
        .entries
        .iter()
        .filter(|e| !e.id_numbers.is_empty())
        .count();
    assert!(with_id > 4500, "{with_id}");
}

#[test]
fn bundled_sample_uses_the_full_ofac_loader() {
    let list = only(lists::bundled().unwrap());
    assert_eq!(list.version.id, "ofac_sdn");
    assert_eq!(list.entries.len(), 17);
    assert!(list.version.published.is_some());
    assert!(list.entries.iter().any(|e| !e.addresses.is_empty()));
}

// ---------------------------------------------------------------------------------------------
// UN, BIS, CSL, custom
// ---------------------------------------------------------------------------------------------

#[test]
fn un_consolidated_list() {
    let list = only(lists::load_dir(&fixtures().join("un")).unwrap());
    assert_eq!(list.version.id, "un_sc");
    assert_eq!(list.version.published.as_deref(), Some("2026-02-27"));
    assert_eq!(list.entries.len(), 1003);
    let count = |t| list.entries.iter().filter(|e| e.entity_type == t).count();
    assert_eq!(count(EntityType::Individual), 730);
    assert_eq!(count(EntityType::Entity), 273);

    let kakolele = entry(&list, "CDi.002");
    assert_eq!(kakolele.name, "FRANK KAKOLELE BWAMBALE");
    assert_eq!(kakolele.programs, vec!["DRC"]);
    assert_eq!(kakolele.nationalities, vec!["CD"]);
    assert_eq!(
        kakolele.aliases,
        vec!["FRANK KAKORERE", "FRANK KAKORERE BWAMBALE", "AIGLE BLANC"]
    );

    let saddam = entry(&list, "IQi.001");
    assert_eq!(saddam.name, "SADDAM HUSSEIN AL-TIKRITI");
    assert!(saddam.aliases.contains(&"صدام حسين التكريتي".to_string()));
    assert!(saddam.aliases.contains(&"Abu Ali".to_string()));
    assert_eq!(saddam.birth_dates, vec![date(1937, 4, 28)]);
    assert_eq!(saddam.nationalities, vec!["IQ"]);

    let saadi = entry(&list, "LYi.015");
    assert_eq!(saadi.name, "SAADI QADHAFI");
    assert!(saadi
        .id_numbers
        .contains(&id("passport", "AA862825", Some("LY"))));
    assert_eq!(saadi.addresses, vec!["Türkiye"]);

    // TYPE_OF_DATE BETWEEN: each year.
    let between = entry(&list, "KPi.066");
    for year in 1967..=1969 {
        assert!(between.birth_dates.contains(&BirthDate::year(year)));
    }

    let adf = entry(&list, "CDe.001");
    assert_eq!(adf.entity_type, EntityType::Entity);
    assert_eq!(adf.name, "ADF");
    assert!(adf
        .aliases
        .contains(&"Allied Democratic Forces".to_string()));
}

#[test]
fn bis_denied_persons_list() {
    let list = only(lists::load(&[file("us/bis_dpl.txt", "bis_dpl.txt")], "us").unwrap());
    assert_eq!(list.version.id, "bis_dpl");
    // 546 rows, one per address: 417 denials (name and effective date).
    assert_eq!(list.entries.len(), 417);
    // The latest Last_Update; one row says 3017-08-22, a typo that is not a publication date.
    assert_eq!(list.version.published.as_deref(), Some("2019-06-12"));
    let nasser = by_name(&list, "ABDULAH AL NASSER");
    assert_eq!(nasser.entity_type, EntityType::Individual);
    assert!(nasser.id.starts_with("dpl-"));
    assert_eq!(nasser.addresses.len(), 2);
    assert_eq!(
        by_name(&list, "AIR FREIGHT LTD").entity_type,
        EntityType::Entity
    );
    assert_eq!(
        by_name(&list, "ADRIAN MANUEL HERNANDEZ").addresses,
        vec!["3037 S. 69TH DRIVE, PHONEIX, AZ, 85043"]
    );
    // Stable ids: the same file gives the same ids.
    let again = only(lists::load(&[file("us/bis_dpl.txt", "x.txt")], "elsewhere").unwrap());
    assert_eq!(
        list.entries.iter().map(|e| &e.id).collect::<Vec<_>>(),
        again.entries.iter().map(|e| &e.id).collect::<Vec<_>>()
    );
}

#[test]
fn us_consolidated_screening_list() {
    let list = only(lists::load(&[file("us/us_csl.csv", "us_csl.csv")], "us").unwrap());
    assert_eq!(list.version.id, "us_csl");
    assert_eq!(list.version.source, "us/us_csl.csv");
    // 115 rows; two repeat a name and start date of the same sub-list with another address.
    assert_eq!(list.entries.len(), 113);
    let canada = entry(&list, "8124");
    assert_eq!(canada.name, "2904977 CANADA, INC.");
    assert_eq!(canada.entity_type, EntityType::Entity);
    assert_eq!(canada.aliases, vec!["CARIBE SOL", "HAVANTUR CANADA INC."]);
    assert_eq!(
        canada.programs,
        vec![
            "CUBA",
            "Specially Designated Nationals (SDN) - Treasury Department"
        ]
    );
    let karnes = entry(&list, "12449");
    assert_eq!(
        karnes.id_numbers,
        vec![id("matricula mercantil no", "1978075", Some("CO"))]
    );
    let dpl = by_name(&list, "ADRIAN MANUEL HERNANDEZ");
    assert!(dpl.id.starts_with("csl-"));
    assert_eq!(
        dpl.programs,
        vec!["Denied Persons List (DPL) - Bureau of Industry and Security"]
    );
    let al_akhras = entry(&list, "21925");
    assert_eq!(al_akhras.birth_dates, vec![date(1950, 1, 27)]);
    assert_eq!(al_akhras.nationalities, vec!["SY"]);
    let vessels: Vec<&ListEntry> = list
        .entries
        .iter()
        .filter(|e| e.entity_type == EntityType::Vessel)
        .collect();
    assert_eq!(vessels.len(), 2);
    assert!(vessels.iter().all(|v| v.nationalities.len() == 1));
}

#[test]
fn custom_watchlist_example() {
    let list = only(lists::load_dir(&fixtures().join("custom")).unwrap());
    assert_eq!(list.version.id, "custom:bank_watchlist");
    assert_eq!(list.entries.len(), 6);
    let sidorov = entry(&list, "BW-0001");
    assert_eq!(sidorov.entity_type, EntityType::Individual);
    assert_eq!(sidorov.aliases, vec!["Ivan Sidorov", "I. P. Sidorov"]);
    assert_eq!(sidorov.birth_dates, vec![date(1961, 3, 14)]);
    assert_eq!(
        sidorov.id_numbers,
        vec![id("passport", "4509123456", Some("RU"))]
    );
    assert_eq!(entry(&list, "BW-0003").nationalities, vec!["IR", "IQ"]);
    assert_eq!(entry(&list, "BW-0005").entity_type, EntityType::Entity);
    assert_eq!(entry(&list, "BW-0006").entity_type, EntityType::Vessel);
    assert_eq!(entry(&list, "BW-0006").nationalities, vec!["PA"]);
}

// ---------------------------------------------------------------------------------------------
// A folder of everything, recognised by content
// ---------------------------------------------------------------------------------------------

#[test]
fn mixed_folder_is_recognised_by_content_not_names() {
    let dir = TempDir::new("mixed");
    // Misleading names on purpose: the add file is called sdn.csv, the UN XML a CSV, …
    dir.copy("ofac-2021/sdn.csv", "entities.dat")
        .copy("ofac-2021/alt.csv", "names.csv")
        .copy("ofac-2021/add.csv", "sdn.csv")
        .copy("ofac-2021/sdn_comments.csv", "alt.csv")
        .copy("un/UN_consolidated.xml", "list.csv")
        .copy("us/bis_dpl.txt", "dpl.xml")
        .copy("us/us_csl.csv", "notes.bin")
        .copy("custom/bank_watchlist.csv", "bank_watchlist.csv")
        .write("README.md", b"# lists\n")
        .write("LICENSE", b"public domain\n")
        .write(".DS_Store", b"\0\0\0\x01Bud1")
        .write("PUBLISHED", b"2026-03-02\n")
        .write(
            "manifest.json",
            br#"{"lists": [
                {"id": "ofac_sdn", "source": "https://sanctionslistservice.ofac.treas.gov/", "published": "2021-07-15",
                 "fetched_at": "2021-07-16T08:00:00Z", "files": ["sdn.csv"], "entries": 8976, "sha256": ""},
                {"id": "un_sc", "source": "https://scsanctions.un.org/resources/xml/en/consolidated.xml", "published": null,
                 "fetched_at": "2026-02-28T08:00:00Z", "files": ["list.csv"], "entries": 1003, "sha256": ""}
            ]}"#,
        );
    let lists = lists::load_dir(dir.path()).unwrap();
    assert_eq!(
        ids(&lists),
        vec![
            "ofac_sdn",
            "custom:bank_watchlist",
            "bis_dpl",
            "un_sc",
            "us_csl"
        ]
    );
    let get = |id: &str| lists.iter().find(|l| l.version.id == id).unwrap();
    let ofac = get("ofac_sdn");
    assert_eq!(ofac.entries.len(), 8976);
    let aliases: usize = ofac.entries.iter().map(|e| e.aliases.len()).sum();
    assert_eq!(aliases, 11_908);
    assert!(entry(ofac, "29703")
        .id_numbers
        .contains(&id("passport", "4005504207", Some("RU"))));
    // The manifest gives the source and publication date per list; where it has no date, the
    // list's own (UN dateGenerated) stands; lists with neither take PUBLISHED.
    assert_eq!(ofac.version.published.as_deref(), Some("2021-07-15"));
    assert_eq!(
        ofac.version.source,
        "https://sanctionslistservice.ofac.treas.gov/"
    );
    let un = get("un_sc");
    assert_eq!(un.entries.len(), 1003);
    assert_eq!(un.version.published.as_deref(), Some("2026-02-27"));
    assert_eq!(
        un.version.source,
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
    );
    assert_eq!(get("bis_dpl").entries.len(), 417);
    assert_eq!(
        get("bis_dpl").version.published.as_deref(),
        Some("2019-06-12")
    );
    assert_eq!(get("us_csl").entries.len(), 113);
    assert_eq!(
        get("us_csl").version.published.as_deref(),
        Some("2026-03-02")
    );
    assert!(get("us_csl").version.source.ends_with("notes.bin"));
    assert_eq!(get("custom:bank_watchlist").entries.len(), 6);

    // The same content gives the same sha256 whatever the files are called.
    let plain = only(lists::load_dir(&fixtures().join("ofac-2021")).unwrap());
    assert_eq!(ofac.version.sha256, plain.version.sha256);
}

#[cfg(unix)]
#[test]
fn linked_list_files_are_read_and_subfolders_ignored() {
    let dir = TempDir::new("links");
    std::os::unix::fs::symlink(
        fixtures().join("un/UN_consolidated.xml"),
        dir.path().join("current.xml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("archive")).unwrap();
    dir.copy("custom/bank_watchlist.csv", "archive/old.csv");
    let list = only(lists::load_dir(dir.path()).unwrap());
    assert_eq!(list.version.id, "un_sc");
    assert_eq!(list.entries.len(), 1003);
}

#[test]
fn recognise_tells_every_format_apart() {
    for (path, kind) in [
        ("ofac-2021/sdn.csv", ListKind::OfacSdn),
        ("ofac-2021/alt.csv", ListKind::OfacAlt),
        ("ofac-2021/add.csv", ListKind::OfacAdd),
        ("ofac-2021/sdn_comments.csv", ListKind::OfacComments),
        ("un/UN_consolidated.xml", ListKind::UnConsolidated),
        ("us/bis_dpl.txt", ListKind::BisDpl),
        ("us/us_csl.csv", ListKind::UsCsl),
        ("custom/bank_watchlist.csv", ListKind::Custom),
    ] {
        assert_eq!(lists::recognise(&file(path, "x")), Some(kind), "{path}");
    }
    for path in ["README.md", "watchman-Apache-2.0.txt", "bad/README.md"] {
        assert_eq!(lists::recognise(&file(path, "x")), None, "{path}");
    }
    let manifest = ListFile {
        name: "m".into(),
        bytes: br#"{"lists": []}"#.to_vec(),
    };
    assert_eq!(lists::recognise(&manifest), Some(ListKind::Manifest));
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

fn error_of(files: &[ListFile]) -> String {
    lists::load(files, "folder").unwrap_err().to_string()
}

#[test]
fn an_ofac_part_without_sdn_csv_is_an_error() {
    let err = error_of(&[file("ofac-2021/alt.csv", "alt.csv")]);
    assert!(err.contains("alt.csv") && err.contains("sdn.csv"), "{err}");
    let err = error_of(&[
        file("ofac-2021/add.csv", "add.csv"),
        file("us/bis_dpl.txt", "dpl.txt"),
    ]);
    assert!(err.contains("add.csv"), "{err}");
}

#[test]
fn a_truncated_un_file_is_a_clear_error() {
    let err = error_of(&[file("bad/un_truncated.xml", "consolidated.xml")]);
    assert!(
        err.contains("consolidated.xml") && err.contains("truncated"),
        "{err}"
    );
    // Cut anywhere, the real file never panics and always names itself.
    let full = std::fs::read(fixtures().join("un/UN_consolidated.xml")).unwrap();
    for cut in [
        1,
        100,
        250,
        1_000,
        10_000,
        123_457,
        full.len() / 2,
        full.len() - 30,
    ] {
        let bytes = full[..cut].to_vec();
        let result = lists::load(
            &[ListFile {
                name: "un.xml".into(),
                bytes,
            }],
            "folder",
        );
        let err = result.unwrap_err().to_string();
        assert!(err.contains("un.xml"), "cut at {cut}: {err}");
        if cut > 60 {
            assert!(err.contains("truncated"), "cut at {cut}: {err}");
        }
    }
}

#[test]
fn an_unknown_binary_file_is_an_error_naming_it() {
    let err = error_of(&[
        file("ofac-2021/sdn.csv", "sdn.csv"),
        ListFile {
            name: "photo.jpg".into(),
            bytes: vec![
                0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
            ],
        },
    ]);
    assert!(err.contains("photo.jpg") && err.contains("binary"), "{err}");
    let err = error_of(&[ListFile {
        name: "other.csv".into(),
        bytes: b"date,amount\n2024-01-01,12\n".to_vec(),
    }]);
    assert!(
        err.contains("other.csv") && err.contains("not a recognised list"),
        "{err}"
    );
    let err = error_of(&[ListFile {
        name: "manifest.json".into(),
        bytes: br#"{"lists": 3}"#.to_vec(),
    }]);
    assert!(
        err.contains("manifest.json") && err.contains("manifest"),
        "{err}"
    );
}

#[test]
fn readme_and_licence_files_are_skipped() {
    let lists = lists::load(
        &[
            file("README.md", "README.md"),
            file("watchman-Apache-2.0.txt", "watchman-Apache-2.0.txt"),
            file("ofac-2021/sdn.csv", "sdn.csv"),
            ListFile {
                name: "NOTICE".into(),
                bytes: b"OFAC data: public domain".to_vec(),
            },
        ],
        "folder",
    )
    .unwrap();
    assert_eq!(ids(&lists), vec!["ofac_sdn"]);
    // Without alt.csv the entries have no aliases, but load.
    assert!(lists[0].entries.iter().all(|e| e.aliases.is_empty()));
}

#[test]
fn folders_with_nothing_or_twice_the_same_list_are_errors() {
    let err = error_of(&[file("README.md", "README.md")]);
    assert!(err.contains("no list file"), "{err}");
    let err = error_of(&[
        file("un/UN_consolidated.xml", "a.xml"),
        file("un/UN_consolidated.xml", "b.xml"),
    ]);
    assert!(err.contains("b.xml") && err.contains("un_sc"), "{err}");
    let err = error_of(&[
        file("ofac-2021/sdn.csv", "sdn.csv"),
        file("ofac-2021/sdn.csv", "sdn (1).csv"),
    ]);
    assert!(err.contains("sdn (1).csv"), "{err}");
    let err = error_of(&[file("bad/watchlist_bad_type.csv", "watch.csv")]);
    assert!(
        err.contains("watch.csv") && err.contains("row 2") && err.contains("Planet"),
        "{err}"
    );
    let err = error_of(&[ListFile {
        name: "empty.csv".into(),
        bytes: Vec::new(),
    }]);
    assert!(err.contains("empty.csv") && err.contains("empty"), "{err}");
}

/// Mangled copies of the real files (bytes flipped, inserted, cut short) load or fail with an
/// error; they never panic. `LISTS_FUZZ_ROUNDS` sets the rounds per file (default 100).
#[test]
fn mangled_files_never_panic() {
    let rounds: usize = std::env::var("LISTS_FUZZ_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % bound.max(1) as u64).unwrap()
    };
    let samples = [
        "ofac-2021/sdn.csv",
        "ofac-2021/alt.csv",
        "ofac-2021/add.csv",
        "un/UN_consolidated.xml",
        "us/bis_dpl.txt",
        "us/us_csl.csv",
        "custom/bank_watchlist.csv",
    ];
    let sample_sdn = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config/lists/ofac-sample/sdn.csv"),
    )
    .unwrap();
    let specials = [
        b'"', b',', b'\t', b'\n', b'\r', b'<', b'>', b'&', b';', b'(', b')', 0x1A, 0xFF, 0,
    ];
    for path in samples {
        let full = std::fs::read(fixtures().join(path)).unwrap();
        let head = &full[..full.len().min(8 * 1024)];
        for _ in 0..rounds {
            let mut bytes = head.to_vec();
            for _ in 0..1 + next(8) {
                let at = next(bytes.len());
                match next(3) {
                    0 => bytes[at] = specials[next(specials.len())],
                    1 => bytes.insert(at, specials[next(specials.len())]),
                    _ => bytes[at] = u8::try_from(next(256)).unwrap(),
                }
            }
            bytes.truncate(next(bytes.len() + 1).max(1));
            let files = [
                ListFile {
                    name: "mangled".into(),
                    bytes: bytes.clone(),
                },
                ListFile {
                    name: "sdn.csv".into(),
                    bytes: sample_sdn.clone(),
                },
            ];
            // Alone, and beside a small real sdn.csv (as an OFAC part, if it still looks like one).
            let _ = lists::load(&files[..1], "fuzz");
            let _ = lists::load(&files, "fuzz");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Load time
// ---------------------------------------------------------------------------------------------

/// `cargo test --release -p compliance-core --test lists -- --ignored --nocapture`
#[test]
#[ignore = "timing: run in release"]
fn load_time_of_the_full_ofac_and_un_lists() {
    let files = [
        file("ofac-2021/sdn.csv", "sdn.csv"),
        file("ofac-2021/alt.csv", "alt.csv"),
        file("ofac-2021/add.csv", "add.csv"),
        file("ofac-2021/sdn_comments.csv", "sdn_comments.csv"),
        file("un/UN_consolidated.xml", "un.xml"),
    ];
    let cold = std::time::Instant::now();
    let lists = lists::load(&files, "bench").unwrap();
    let cold = cold.elapsed();
    let mut best = std::time::Duration::MAX;
    for _ in 0..10 {
        let start = std::time::Instant::now();
        let again = lists::load(&files, "bench").unwrap();
        best = best.min(start.elapsed());
        assert_eq!(again.len(), lists.len());
    }
    println!("OFAC SDN (8,976 entries) + UN (1,003): first load {cold:?}, best of 10 {best:?}");
}
