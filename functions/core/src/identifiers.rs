//! Financial identifiers: IBAN (ISO 13616), BIC (ISO 9362), LEI (ISO 17442).
