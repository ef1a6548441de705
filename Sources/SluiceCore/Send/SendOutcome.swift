import Foundation

/// The result of one SES call for a queued message.
public enum SendOutcome: Sendable, Equatable {
    /// SES accepted it; `sesMessageId` is nil for the outbox transport.
    case accepted(sesMessageId: String?)
    /// The call failed; `decision` from `RetryClassifier` / `SESError.retry`.
    case failed(decision: RetryDecision, error: String)
}

/// What the worker writes after an outcome (`QueueStateMachine.action`).
public enum QueueAction: Sendable, Equatable {
    /// `sending` → `sent`.
    case markSent(sesMessageId: String?)
    /// `sending` → `queued`, due again at `at`; the attempt counts.
    case retry(at: Date, error: String)
    /// `sending` → `queued`, due again at `retryAt`; the attempt does not count: SES throttled the account,
    /// which says nothing about the message (`QueueStateMachine.maxThrottledAge` bounds the wait instead).
    case throttled(retryAt: Date, error: String)
    /// `sending` → `failed`.
    case fail(error: String)
    /// `sending` → `queued` at once and the attempt does not count: the daily quota is used up
    /// (`dailyQuotaExceeded`) or SES cannot be called yet (`unavailable`); the worker waits.
    case release(reason: RetryDecision, error: String)
    /// SES refused sending (`pauseSending`, `denied`): the worker pauses all sending, and the message goes back
    /// to `queued` at once, or to `failed` when a counted attempt was its last (`gaveUp`). The attempt counts
    /// for `denied` (`countsAttempt`): a refusal that may be the message's own (an IAM policy denying its
    /// identity, its configuration set paused) would otherwise pause sending again after every resume.
    case pause(error: String, gaveUp: Bool, countsAttempt: Bool)
}
