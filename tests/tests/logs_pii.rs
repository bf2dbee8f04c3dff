//! No personal data in the logs (issue 8): every sample document goes through the processor on
//! moto, a list update is re-screened, and the logs of the whole run, captured as the Lambda
//! writes them (JSON lines, filtered as with `LogLevel=trace`, the most verbose), are searched for the
//! samples' names, document numbers, card and account numbers and dates of birth.
//! A test binary of its own: `tracing` caches per call site whether anyone listens.

mod common;

use std::sync::{Arc, Mutex};

use common::{create_subjects_table, sample_document, unique, Stack};

/// What the sample documents say about people, as written in them; must never be logged.
const PERSONAL: &[&str] = &[
    "LINDQVIST",
    "MARTINA",
    "X4R7T2K91",
    "14 Mar 1988",
    "4111 1111 1111 1111",
    "NL91 ABNA 0417 1643 00",
    "Okafor",
    "Chidinma",
    "BRANDT",
    "Priya Raman",
    "D23145890",
    "C01X00T47",
    "K7T2Q9R41",
];

/// The same values as the pipeline normalises them; must never be logged either.
const NORMALISED: &[&str] = &[
    "Lindqvist",
    "1988-03-14",
    "4111111111111111",
    "NL91ABNA0417164300",
];

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_full_run_logs_no_personal_data() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        // As the Lambdas filter with `LogLevel` at its most verbose.
        .with_env_filter(compliance_aws::runtime::log_filter("trace"))
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let stack = Stack::create().await;
    // Subjects kept: their names go to DynamoDB in clear, and must not reach the logs.
    let subjects_table = unique("subjects");
    create_subjects_table(&stack.dynamodb, &subjects_table).await;
    let processor = processor::Processor::new(
        &processor::Config {
            subjects_table: Some(subjects_table.clone()),
            ..stack.processor_config()
        },
        &stack.config,
    )
    .expect("processor");
    let documents = common::workspace_root().join("events/documents");
    let mut files: Vec<String> = std::fs::read_dir(&documents)
        .expect("events/documents")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    for file in &files {
        stack
            .process(
                &processor,
                &format!("incoming/{file}"),
                sample_document(file),
            )
            .await;
    }
    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("UTF-8");
    // Read after the logs were taken: the test's own reads are not the function's logs.
    let kept = stack
        .dynamodb
        .scan()
        .table_name(&subjects_table)
        .send()
        .await
        .expect("scan subjects")
        .count;
    assert!(kept >= 5, "subjects kept: {kept}");
    let lines = logs.lines().count();
    assert!(lines > files.len(), "the run logged ({lines} lines)");
    for line in logs.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
    }
    // The samples really hold these values: the search would find them.
    let all_text: String = files
        .iter()
        .map(|f| String::from_utf8_lossy(&sample_document(f)).into_owned())
        .collect();
    for value in PERSONAL {
        assert!(all_text.contains(value), "no sample holds {value}");
    }
    for value in PERSONAL.iter().chain(NORMALISED) {
        assert!(
            !logs.contains(value),
            "{value} logged:\n{}",
            logs.lines()
                .filter(|l| l.contains(value))
                .take(3)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
