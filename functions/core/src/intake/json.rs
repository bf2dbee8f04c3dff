//! JSON intake without building a tree. A `serde_json::Value` costs about fifteen times the
//! input (a 20 MB export became 290 MB), which no 128 MB Lambda survives; this visitor streams
//! the document instead and keeps only what the pipeline reads:
//! - `key: value` lines (nested keys flattened), so labelled-field extraction works as on text,
//!   up to `max_text` bytes;
//! - the first array of objects (the root array, or the first array under the root object) as
//!   a table, up to `max_rows` rows.
//!
//! serde_json's recursion limit (128 levels) still applies, so deep nesting is an error, not a
//! stack overflow.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::Table;

pub struct Flattened {
    pub text: String,
    pub table: Option<Table>,
    /// Text or rows were cut at their limits.
    pub truncated: bool,
}

pub fn flatten(
    text: &str,
    max_text: usize,
    max_rows: usize,
) -> Result<Flattened, serde_json::Error> {
    let mut sink = Sink {
        text: String::new(),
        max_text,
        max_rows,
        table: None,
        table_claimed: false,
        truncated: false,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    Node {
        sink: &mut sink,
        key: "",
        role: Role::Root,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(Flattened {
        text: sink.text,
        table: sink.table.map(|t| Table {
            headers: t.headers,
            rows: t.rows,
        }),
        truncated: sink.truncated,
    })
}

struct TableState {
    /// Keys as written in the first row, which fix the column order.
    keys: Vec<String>,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

struct Sink {
    text: String,
    max_text: usize,
    max_rows: usize,
    table: Option<TableState>,
    /// Only the first array of the document can become the table.
    table_claimed: bool,
    truncated: bool,
}

impl Sink {
    fn push_line(&mut self, key: &str, value: &str) {
        if self.text.len() >= self.max_text {
            self.truncated = true;
            return;
        }
        if !key.is_empty() {
            self.text.push_str(&key.replace('_', " "));
            self.text.push_str(": ");
        }
        self.text.push_str(value);
        self.text.push('\n');
    }

    fn push_row(&mut self, cells: Vec<(String, String)>) {
        let max_rows = self.max_rows;
        let table = self.table.get_or_insert_with(|| TableState {
            keys: cells.iter().map(|(k, _)| k.clone()).collect(),
            headers: cells.iter().map(|(k, _)| k.to_lowercase()).collect(),
            rows: Vec::new(),
        });
        if table.rows.len() >= max_rows {
            self.truncated = true;
            return;
        }
        let row = table
            .keys
            .iter()
            .map(|k| {
                cells
                    .iter()
                    .find(|(ck, _)| ck == k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
            .collect();
        table.rows.push(row);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    /// A value directly under the root object: an array here may become the table.
    RootMember,
    /// An element of the table's array: an object here is a row.
    Row,
    Plain,
}

/// One JSON value. Deserializing it writes its lines into the sink and returns the scalar's
/// text (for table cells), or `None` for containers and null.
struct Node<'s> {
    sink: &'s mut Sink,
    key: &'s str,
    role: Role,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Node<'_> {
    fn scalar(self, value: String) -> Option<String> {
        self.sink.push_line(self.key, &value);
        Some(value)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self.scalar(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.scalar(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.scalar(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.scalar(
            serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()),
        ))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.scalar(v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let claims_table =
            matches!(self.role, Role::Root | Role::RootMember) && !self.sink.table_claimed;
        if claims_table {
            self.sink.table_claimed = true;
        }
        let element_role = if claims_table { Role::Row } else { Role::Plain };
        while seq
            .next_element_seed(Node {
                sink: &mut *self.sink,
                key: self.key,
                role: element_role,
            })?
            .is_some()
        {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let value_role = match self.role {
            Role::Root => Role::RootMember,
            _ => Role::Plain,
        };
        let mut cells = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let scalar = map.next_value_seed(Node {
                sink: &mut *self.sink,
                key: &key,
                role: value_role,
            })?;
            if self.role == Role::Row {
                cells.push((key, scalar.unwrap_or_default()));
            }
        }
        if self.role == Role::Row {
            self.sink.push_row(cells);
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys_become_lines_and_the_first_array_of_objects_a_table() {
        let json = r#"{"account": {"holder_name": "Ada Lovelace", "iban": "GB82WEST12345698765432"},
            "transactions": [
              {"Date": "2026-10-01", "Amount": 12000.5, "Type": "cash"},
              {"Type": "wire", "Amount": 3000, "Date": "2026-10-02", "Extra": {"note": "x"}}
            ],
            "other": [{"not": "a table"}]}"#;
        let flat = flatten(json, 10_000, 10).expect("valid JSON");
        assert!(flat.text.contains("holder name: Ada Lovelace\n"));
        assert!(flat.text.contains("note: x\n"));
        let table = flat.table.expect("table");
        assert_eq!(table.headers, vec!["date", "amount", "type"]);
        assert_eq!(table.rows[0], vec!["2026-10-01", "12000.5", "cash"]);
        // Columns follow the first row, whatever the key order of later rows.
        assert_eq!(table.rows[1], vec!["2026-10-02", "3000", "wire"]);
        assert_eq!(table.rows.len(), 2);
        assert!(!flat.truncated);
    }

    #[test]
    fn root_array_is_the_table_and_limits_truncate() {
        let rows: Vec<String> = (0..50)
            .map(|i| format!(r#"{{"customer": "C{i}", "amount": {i}}}"#))
            .collect();
        let json = format!("[{}]", rows.join(","));
        let flat = flatten(&json, 100, 10).expect("valid JSON");
        let table = flat.table.expect("table");
        assert_eq!(table.rows.len(), 10);
        assert!(flat.truncated);
        assert!(flat.text.len() < 200);
    }

    #[test]
    fn malformed_and_deep_json_are_errors() {
        assert!(flatten("{\"a\": ", 100, 10).is_err());
        assert!(flatten("{} trailing", 100, 10).is_err());
        assert!(flatten(&"[".repeat(100_000), 100, 10).is_err());
    }
}
