//! The adapters against HTTP servers on loopback that speak each provider's wire format:
//! what is sent, what is taken from the answer, and how failures, retries, timeouts, rate
//! limits and the concurrency cap behave.

mod anthropic;
mod bedrock;
mod limits;
mod openai;
mod support;
