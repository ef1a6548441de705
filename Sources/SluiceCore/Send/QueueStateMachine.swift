import Foundation

/// The queue's transition rules, without I/O: which state changes are legal and what an SES outcome
/// does to a message.
public struct QueueStateMachine: Sendable, Equatable {
    /// Attempts per message for retryable errors (`ses.max_attempts`).
    public var maxAttempts: Int
    /// Delays between attempts (full jitter, capped by `ses.max_backoff_seconds`).
    public var backoff: Backoff

    public init(maxAttempts: Int = 8, backoff: Backoff = Backoff(base: 1, cap: 300, maxRetries: 7)) {
        self.maxAttempts = max(1, maxAttempts)
        self.backoff = backoff
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
    /// - Parameter random: uniform in 0..<1, for the backoff jitter.
    public func action(after outcome: SendOutcome, attempts: Int, now: Date, random: Double) -> QueueAction {
        switch outcome {
        case .accepted(let id):
            return .markSent(sesMessageId: id)
        case .failed(let decision, let error):
            switch decision {
            case .permanent:
                return .fail(error: error)
            case .pauseSending, .dailyQuotaExceeded, .unavailable:
                return .release(reason: decision, error: error)
            case .throttled, .retryable:
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
}
