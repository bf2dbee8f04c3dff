//! Text uploads in whatever encoding the sender's system wrote: UTF-8 (with or without a BOM),
//! UTF-16 (with a BOM, or without one when the zero bytes give it away), and the legacy
//! single-byte encodings of spreadsheet exports (windows-1252, -1250, ...), which chardetng
//! guesses from the bytes. Binary content is refused rather than turned into mojibake.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use super::Unreadable;

/// How much of the file is looked at to tell text from binary and to guess the encoding.
const SAMPLE_BYTES: usize = 64 * 1024;

/// The text, and the name of the encoding it was decoded from (for the record, not the log).
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
}

/// Borrows the bytes when they are UTF-8 already: a 20 MB upload is not copied.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, Unreadable> {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_length..];
        let (text, _) = encoding.decode_without_bom_handling(body);
        return checked(text, encoding);
    }
    let sample = &bytes[..bytes.len().min(SAMPLE_BYTES)];
    if let Some(encoding) = utf16_without_bom(sample) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return checked(text, encoding);
    }
    if looks_binary(sample) {
        return Err(Unreadable::Binary);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8.name(),
        });
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(sample, sample.len() == bytes.len());
    // UTF-8 was ruled out above: a file with one bad byte in the middle is still better read
    // as a legacy encoding than with replacement characters.
    let encoding = detector.guess(None, false);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    checked(text, encoding)
}

/// A decoding that is mostly replacement characters or control codes was the wrong guess
/// about a binary file.
fn checked<'a>(text: Cow<'a, str>, encoding: &'static Encoding) -> Result<Decoded<'a>, Unreadable> {
    let sample: Vec<char> = text.chars().take(SAMPLE_BYTES / 2).collect();
    let bad = sample
        .iter()
        .filter(|&&c| c == char::REPLACEMENT_CHARACTER || (c.is_control() && !c.is_whitespace()))
        .count();
    if bad * 20 > sample.len() {
        return Err(Unreadable::Binary);
    }
    Ok(Decoded {
        text,
        encoding: encoding.name(),
    })
}

/// UTF-16 text of Latin script has a zero in every other byte; which half says the order.
/// Binary formats have zeros too, but not nearly all on one side.
fn utf16_without_bom(sample: &[u8]) -> Option<&'static Encoding> {
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zeros_at = |offset: usize| {
        sample
            .chunks_exact(2)
            .filter(|pair| pair[offset] == 0)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    if odd * 10 >= pairs * 8 && even * 20 <= pairs {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 8 && odd * 20 <= pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Zero bytes, or more than 5% control codes other than tab, line breaks and form feed.
fn looks_binary(sample: &[u8]) -> bool {
    let control = sample
        .iter()
        .filter(|&&b| b < 0x09 || (b > 0x0D && b < 0x20 && b != 0x1A))
        .count();
    sample.contains(&0) || control * 20 > sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, to_bytes: fn(u16) -> [u8; 2]) -> Vec<u8> {
        text.encode_utf16().flat_map(to_bytes).collect()
    }

    #[test]
    fn boms_choose_the_encoding_and_are_removed() {
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16("Zoë Ünal", u16::to_le_bytes));
        let mut be = vec![0xFE, 0xFF];
        be.extend(utf16("Zoë Ünal", u16::to_be_bytes));
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend_from_slice("Zoë Ünal".as_bytes());
        for bytes in [le, be, utf8] {
            let decoded = decode(&bytes).unwrap();
            assert_eq!(decoded.text, "Zoë Ünal");
        }
    }

    #[test]
    fn utf16_without_a_bom_is_recognised_by_its_zero_bytes() {
        let text = "Account holder: Zoë Ünal\r\nIBAN: DE89 3704 0044 0532 0130 00\r\n";
        let (le_bytes, be_bytes) = (utf16(text, u16::to_le_bytes), utf16(text, u16::to_be_bytes));
        let le = decode(&le_bytes).unwrap();
        assert_eq!((le.text.as_ref(), le.encoding), (text, "UTF-16LE"));
        let be = decode(&be_bytes).unwrap();
        assert_eq!((be.text.as_ref(), be.encoding), (text, "UTF-16BE"));
    }

    #[test]
    fn legacy_single_byte_text_is_guessed_not_mangled() {
        // "Überweisung an Müller: 1.250,00 €" in windows-1252 (0x80 is the euro sign).
        let bytes = b"\xDCberweisung an M\xFCller: 1.250,00 \x80\n";
        let decoded = decode(bytes).unwrap();
        assert_eq!(decoded.text, "Überweisung an Müller: 1.250,00 €\n");
        assert_eq!(decoded.encoding, "windows-1252");
    }

    #[test]
    fn binary_content_is_refused() {
        assert!(matches!(
            decode(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
            Err(Unreadable::Binary)
        ));
        let noise: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(matches!(decode(&noise), Err(Unreadable::Binary)));
    }
}
