//! Transactions from tabular documents (CSV exports, JSON arrays of objects).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{parse_amount, parse_date};
use crate::intake::Table;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    pub row: usize,
    pub date: Option<NaiveDate>,
    pub party: String,
    pub amount: f64,
    pub currency: String,
    pub kind: String,
}

impl Transaction {
    pub fn is_cash(&self) -> bool {
        let k = self.kind.to_lowercase();
        k.contains("cash")
            || k.contains("espèces")
            || k.contains("bargeld")
            || k.contains("efectivo")
    }

    /// Withdrawals and other cash paid out, as opposed to deposits (cash in).
    pub fn is_cash_out(&self) -> bool {
        let k = self.kind.to_lowercase();
        k.contains("withdraw")
            || k.contains("cash out")
            || k.contains("retrait")
            || k.contains("auszahlung")
    }
}

pub fn transactions(table: &Table) -> Vec<Transaction> {
    let amount_col = table.column(&[
        "amount",
        "amount_usd",
        "value",
        "betrag",
        "montant",
        "importe",
    ]);
    let Some(amount_col) = amount_col else {
        return Vec::new();
    };
    let date_col = table.column(&["date", "transaction_date", "value_date", "datum", "fecha"]);
    let party_col = table.column(&[
        "customer",
        "customer_name",
        "name",
        "originator",
        "payer",
        "account_holder",
    ]);
    let currency_col = table.column(&["currency", "ccy", "währung", "devise"]);
    let kind_col = table.column(&["type", "transaction_type", "method", "channel"]);
    let cell = |row: &Vec<String>, col: Option<usize>| -> String {
        col.and_then(|c| row.get(c)).cloned().unwrap_or_default()
    };
    table
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| {
            let amount = parse_amount(row.get(amount_col)?)?;
            Some(Transaction {
                row: i + 1,
                date: parse_date(&cell(row, date_col)),
                party: cell(row, party_col),
                amount,
                currency: {
                    let c = cell(row, currency_col).to_uppercase();
                    if c.is_empty() {
                        "USD".to_string()
                    } else {
                        c
                    }
                },
                kind: cell(row, kind_col),
            })
        })
        .collect()
}
