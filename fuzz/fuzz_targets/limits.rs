//! Limits of the intake targets: the product's, scaled down so that one input costs
//! milliseconds, not the seconds a real 20 MB upload may take.

use std::time::Duration;

use compliance_core::intake::IntakeLimits;

pub fn small() -> IntakeLimits {
    IntakeLimits {
        max_bytes: 1024 * 1024,
        max_pdf_pages: 20,
        max_pdf_objects: 20_000,
        max_decompressed_bytes: 4 * 1024 * 1024,
        max_text_chars: 64 * 1024,
        max_csv_rows: 2_000,
        time_budget: Duration::from_secs(2),
        ..IntakeLimits::default()
    }
}
