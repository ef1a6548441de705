import Foundation

/// The queue's transition rules, without I/O: which state changes are legal and what an SES outcome
/// does to a message.
public struct QueueStateMachine: Sendable, Equatable {
    /// Attempts per message for retryable errors (`ses.max_attempts`).
    public var maxAttempts: Int
    /// Delays between attempts (full jitter, capped by `ses.max_backoff_seconds`).
    public var backoff: Backoff
    /// How long a message SES keeps throttling is still retried (`ses.throttled_max_age_seconds`), counted from
    /// when the throttling began (`ThrottleRun`), not from acceptance; 0: no limit. Throttling is the account's
    /// state, not the message's, so it spends no attempts: without this bound, mail would wait out throttling of
    /// any length.
    public var maxThrottledAge: TimeInterval

    public init(maxAttempts: Int = 12, backoff: Backoff = Backoff(base: 1, cap: 300, maxRetries: 11), maxThrottledAge: TimeInterval = 0) {
        self.maxAttempts = max(1, maxAttempts)
        self.backoff = backoff
        self.maxThrottledAge = max(0, maxThrottledAge)
    }

    /// Whether `from` → `to` is a legal change.
    public static func canTransition(from: MessageState, to: MessageState) -> Bool {
        switch (from, to) {
        case (.queued, .sending), (.queued, .suppressed): true
        case (.sending, .sent), (.sending, .failed), (.sending, .queued): true
        default: false
        }
    }

    /// What to do after attempt number `attempts` (1-based, this one included) ended with `outcome`.
    /// - Parameters:
    ///   - random: uniform in 0..<1, for the backoff jitter.
    ///   - throttledSince: since when the message has been throttled without a break, this answer's run
    ///     (`ThrottleRun.throttledSince(acceptedAt:)`; for `maxThrottledAge`; nil: no age limit).
    ///   - throttles: throttled answers in a row on the account, this one included: a throttle's backoff
    ///     grows with the streak, since the message's attempts do not.
    public func action(
        after outcome: SendOutcome, attempts: Int, now: Date, random: Double, throttledSince: Date? = nil, throttles: Int = 1
    ) -> QueueAction {
        switch outcome {
        case .accepted(let id):
            return .markSent(sesMessageId: id)
        case .failed(let decision, let error):
            switch decision {
            case .permanent:
                return .fail(error: error)
            case .denied:
                let gaveUp = attempts >= maxAttempts
                return .pause(error: gaveUp ? "gave up after \(attempts) attempts: \(error)" : error, gaveUp: gaveUp, countsAttempt: true)
            case .pauseSending:
                return .pause(error: error, gaveUp: false, countsAttempt: false)
            case .dailyQuotaExceeded, .unavailable:
                return .release(reason: decision, error: error)
            case .throttled:
                if maxThrottledAge > 0, let throttledSince, now.timeIntervalSince(throttledSince) >= maxThrottledAge {
                    return .fail(error: "gave up: SES still throttles after \(Int(now.timeIntervalSince(throttledSince))) s: \(error)")
                }
                let delay = backoff.delay(attempt: max(0, throttles - 1), random: random)
                return .throttled(retryAt: now.addingTimeInterval(delay), error: error)
            case .retryable:
                guard attempts < maxAttempts else {
                    return .fail(error: "gave up after \(attempts) attempts: \(error)")
                }
                let delay = backoff.delay(attempt: max(0, attempts - 1), random: random)
                return .retry(at: now.addingTimeInterval(delay), error: error)
            }
        }
    }

    /// The state a message left in `sending` by a crash gets, and the error it records.
    public static func recovery(_ resolution: InflightResolution) -> (state: MessageState, error: String) {
        switch resolution {
        case .fail:
            (.failed, "outcome_unknown: the service stopped during the SES call; SES may or may not have accepted it")
        case .resend:
            (.queued, "requeued after an interrupted SES call (at-least-once): may be delivered twice")
        }
    }

    /// The state and error of a message left in `sending` whose interrupted call was its `attempts`-th: with
    /// `resend`, one that has used up `maxAttempts` is failed instead, so a message whose call takes the
    /// process down is not tried (and the process crashed) forever.
    public static func recovery(_ resolution: InflightResolution, attempts: Int, maxAttempts: Int) -> (state: MessageState, error: String) {
        guard resolution == .resend, attempts >= maxAttempts else { return recovery(resolution) }
        return (.failed, exhaustedRecoveryError(maxAttempts: maxAttempts))
    }

    /// The error of a `resend` recovery that gave up (`recovery(_:attempts:maxAttempts:)`).
    public static func exhaustedRecoveryError(maxAttempts: Int) -> String {
        "outcome_unknown: the service stopped during the SES call of the last of \(maxAttempts) attempts; not resent"
    }
}
