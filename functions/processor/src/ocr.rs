//! OCR of scans, when the deployment turns it on (`OCR_PROVIDER=textract`): the document
//! source fetches the object as usual and, for a PDF without a text layer, asks Textract for
//! its text and hands the result to the pipeline, which judges the document on it and records
//! that the text came from OCR. Off (the default), such a PDF stays `unreadable` with the
//! reason that it needs OCR.

use compliance_aws::textract::TextractRecognizer;
use compliance_aws::S3DocumentSource;
use compliance_core::audit::SourceRef;
use compliance_core::intake::{read, IntakeLimits, Unreadable};
use compliance_core::ports::{
    DocumentSource, Fetched, FetchedDocument, OcrOutcome, PortError, Recognition, Retry,
    TextRecognizer,
};

use crate::ProcessorError;

/// The OCR services the processor can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcrProvider {
    Textract,
}

impl OcrProvider {
    /// `OCR_PROVIDER`: `textract`, or unset, empty or `none` for no OCR. Anything else fails
    /// the cold start rather than silently leaving scans unread.
    pub fn parse(value: &str) -> Result<Option<Self>, ProcessorError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "none" => Ok(None),
            "textract" => Ok(Some(OcrProvider::Textract)),
            other => Err(ProcessorError::Config(format!(
                "OCR_PROVIDER `{other}` is not supported: use `textract` or `none`"
            ))),
        }
    }

    pub fn from_env() -> Result<Option<Self>, ProcessorError> {
        Self::parse(&std::env::var("OCR_PROVIDER").unwrap_or_default())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OcrProvider::Textract => "textract",
        }
    }
}

/// A document source that also runs OCR on scans.
pub struct OcrDocumentSource<S, R> {
    inner: S,
    recognizer: Option<R>,
    limits: IntakeLimits,
}

pub type ProcessorSource = OcrDocumentSource<S3DocumentSource, TextractRecognizer>;

impl<S, R> OcrDocumentSource<S, R> {
    pub fn new(inner: S, recognizer: Option<R>, limits: IntakeLimits) -> Self {
        Self {
            inner,
            recognizer,
            limits,
        }
    }

    pub fn set_recognizer(&mut self, recognizer: Option<R>) {
        self.recognizer = recognizer;
    }
}

impl<S, R> DocumentSource for OcrDocumentSource<S, R>
where
    S: DocumentSource + Sync,
    R: TextRecognizer + Sync,
{
    async fn fetch(&self, source: &SourceRef) -> Result<FetchedDocument, PortError> {
        let mut fetched = self.inner.fetch(source).await?;
        let (Some(recognizer), Fetched::Bytes(bytes)) = (&self.recognizer, &fetched.content) else {
            return Ok(fetched);
        };
        let name = source.key.as_deref().unwrap_or(&source.uri);
        // Only a PDF that has no text layer goes to OCR; the pipeline reads every other
        // document itself. (Reading twice costs milliseconds; OCR costs money.)
        if read(name, bytes, &self.limits).err() != Some(Unreadable::NoTextLayer) {
            return Ok(fetched);
        }
        let recognition = match recognizer.recognize(bytes).await {
            Ok(recognition) => recognition,
            // Retrying cannot change a permanent failure: record it (an `unreadable` decision
            // naming the service and the reason) rather than fail the event until it is
            // parked. Throttling and outages fail the event, to be delivered again.
            Err(err) if err.retry == Retry::Permanent => Recognition::Refused(err.to_string()),
            Err(err) => return Err(err),
        };
        tracing::info!(
            provider = recognizer.name(),
            recognised = matches!(recognition, Recognition::Text(_)),
            "scan sent to OCR"
        );
        fetched.recognized = Some(OcrOutcome {
            provider: recognizer.name(),
            recognition,
        });
        Ok(fetched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocr_is_off_unless_a_known_provider_is_named() {
        assert_eq!(OcrProvider::parse("").unwrap(), None);
        assert_eq!(OcrProvider::parse(" none ").unwrap(), None);
        assert_eq!(
            OcrProvider::parse("Textract").unwrap(),
            Some(OcrProvider::Textract)
        );
        assert!(matches!(
            OcrProvider::parse("tesseract"),
            Err(ProcessorError::Config(m)) if m.contains("OCR_PROVIDER")
        ));
    }
}
