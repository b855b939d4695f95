//! Data protection: what a withdrawn consent erases, and the administrator's retention rules.
//!
//! A consent allows one use of what a person gave; withdrawing it takes away exactly what it
//! allowed ([`withdrawal_erases`]). Retention rules say, per source kind, how long a source is kept
//! and what goes when that time is up ([`RetentionRule`], [`retention_due`]).

use time::{Date, Duration};

use crate::Invalid;
use crate::error::Collector;
use crate::voice::participants::ConsentPurpose;
use crate::voice::sources::SourceKind;

vocabulary! {
    /// Why something was erased.
    pub enum ErasureReason {
        Withdrawal = ("withdrawal", "Consent withdrawn, recorded by a researcher"),
        Receipt = ("receipt", "Withdrawn by the contributor with their receipt code"),
        Retention = ("retention", "Retention period over"),
    }
}

/// What withdrawing consent to one purpose takes away from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawalScope {
    /// Everything the person gave: the sources they are heard in (original and redacted text, form
    /// answers, media), and with them every excerpt, coding, quote and search entry of those
    /// sources, and their contact details. Research was the reason any of it was kept.
    Content,
    /// The recordings of the sources they are heard in; the transcripts stay for analysis.
    Media,
    /// Nothing stored: what the purpose allowed is decided when something is shown (quotes are
    /// shown or embedded only while everyone heard consents), so it stops at once.
    Nothing,
}

/// What withdrawing consent to `purpose` erases.
pub fn withdrawal_erases(purpose: ConsentPurpose) -> WithdrawalScope {
    match purpose {
        ConsentPurpose::Research => WithdrawalScope::Content,
        ConsentPurpose::Filming => WithdrawalScope::Media,
        ConsentPurpose::AnonymousQuotation | ConsentPurpose::SharingWithPartners => WithdrawalScope::Nothing,
    }
}

vocabulary! {
    /// What a retention rule erases when a source's time is up.
    pub enum RetentionErase {
        Original = ("original", "The original text (the redacted copy stays)"),
        Source = ("source", "The whole source"),
    }
}

/// An administrator's rule for one kind of source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionRule {
    pub kind: SourceKind,
    /// Days a source is kept, counted from the day it was collected (or received, if that is not
    /// known).
    pub keep_days: u32,
    pub erase: RetentionErase,
}

impl RetentionRule {
    /// A hundred years: longer is a mistake, not a rule.
    pub const MAX_DAYS: u32 = 36_500;

    /// Parses a rule from its form fields `kind`, `keep_days` and `erase`, every error by field.
    pub fn parse(kind: &str, keep_days: &str, erase: &str) -> Result<RetentionRule, Invalid> {
        let mut errors = Collector::new();
        let kind =
            errors.take(kind.trim().parse::<SourceKind>().map_err(|_| Invalid::one("kind", "Choose a kind of source")));
        let keep_days = errors.take(parse_days(keep_days));
        let erase = errors
            .take(erase.trim().parse::<RetentionErase>().map_err(|_| Invalid::one("erase", "Choose what is erased")));
        errors.finish(|| RetentionRule {
            kind: kind.unwrap_or(SourceKind::Story),
            keep_days: keep_days.unwrap_or(1),
            erase: erase.unwrap_or(RetentionErase::Original),
        })
    }
}

fn parse_days(raw: &str) -> Result<u32, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Invalid::one("keep_days", "Enter how many days sources of this kind are kept"));
    }
    match raw.parse::<u32>() {
        Ok(days) if (1..=RetentionRule::MAX_DAYS).contains(&days) => Ok(days),
        _ => Err(Invalid::one(
            "keep_days",
            format!("Days kept must be a whole number from 1 to {}", RetentionRule::MAX_DAYS),
        )),
    }
}

/// Whether a source collected (or received) on `dated` is past a rule keeping `keep_days` days on
/// `today`: kept for `keep_days` whole days, erased from the day after.
pub fn retention_due(dated: Date, keep_days: u32, today: Date) -> bool {
    dated.checked_add(Duration::days(i64::from(keep_days))).is_some_and(|last| today > last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn only_research_erases_content_and_filming_the_recordings() {
        assert_eq!(withdrawal_erases(ConsentPurpose::Research), WithdrawalScope::Content);
        assert_eq!(withdrawal_erases(ConsentPurpose::Filming), WithdrawalScope::Media);
        assert_eq!(withdrawal_erases(ConsentPurpose::AnonymousQuotation), WithdrawalScope::Nothing);
        assert_eq!(withdrawal_erases(ConsentPurpose::SharingWithPartners), WithdrawalScope::Nothing);
    }

    #[test]
    fn rules_parse_with_every_error_by_field() {
        let rule = RetentionRule::parse("interview_transcript", " 365 ", "original").expect("valid");
        assert_eq!(
            rule,
            RetentionRule { kind: SourceKind::InterviewTranscript, keep_days: 365, erase: RetentionErase::Original }
        );
        let bad = RetentionRule::parse("letter", "0", "everything").unwrap_err();
        assert!(bad.message_for("kind").is_some());
        assert!(bad.message_for("keep_days").is_some_and(|m| m.contains("1 to 36500")));
        assert!(bad.message_for("erase").is_some());
        assert!(RetentionRule::parse("film", "", "source").unwrap_err().message_for("keep_days").is_some());
        assert!(RetentionRule::parse("film", "36501", "source").is_err());
        assert!(RetentionRule::parse("film", "-3", "source").is_err());
        assert!(RetentionRule::parse("film", "36500", "source").is_ok());
    }

    #[test]
    fn a_source_is_kept_for_its_whole_days_and_due_the_day_after() {
        let collected = date!(2014 - 01 - 01);
        assert!(!retention_due(collected, 30, date!(2014 - 01 - 31)), "the 30th day after is still kept");
        assert!(retention_due(collected, 30, date!(2014 - 02 - 01)));
        assert!(!retention_due(collected, 1, collected));
        assert!(!retention_due(Date::MAX, 1, Date::MAX), "no overflow");
    }
}
