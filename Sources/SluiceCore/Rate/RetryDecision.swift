/// What to do after an SES call failed (see `RetryClassifier`).
public enum RetryDecision: String, Sendable, CaseIterable {
    /// Send-rate throttling: retry with backoff and slow down (`AdaptiveRate.recordThrottle`).
    case throttled
    /// Transient failure (5xx, timeout, network): retry with backoff.
    case retryable
    /// The request itself is wrong (content, identity, parameters): do not retry. Never for refused keys,
    /// skewed clocks or access denied (those are retried or pause sending).
    case permanent
    /// The account is paused or suspended, or its AWS keys are refused again and again: stop all sending and
    /// alert. Nothing is the message's fault: its attempt is not counted.
    case pauseSending
    /// SES refused this call for what may be the message's own reason: access denied (an IAM policy may deny
    /// one identity or From address), or its configuration set is paused. Stop all sending and alert, as for
    /// `pauseSending`, but the attempt counts: such a message would otherwise pause sending after every resume.
    case denied
    /// The rolling 24-hour quota is used up: stop until the window frees (AWS: wait ~10 min between checks).
    case dailyQuotaExceeded
    /// SES cannot be called from here yet (no usable AWS credentials): nothing was sent. Wait and try again,
    /// without spending the message's attempts, however long the outage.
    case unavailable

    /// True for `.throttled` and `.retryable`.
    public var isRetryable: Bool { self == .throttled || self == .retryable }
}
