//! Integration tests live in `tests/`; see tests/tests/*.rs.
