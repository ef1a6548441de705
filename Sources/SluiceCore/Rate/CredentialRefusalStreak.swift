/// SES answers in a row that refused the signing keys themselves.
///
/// The client drops refused keys and fetches new ones before the next call, so one refusal is usually a
/// rotation and the retry succeeds. Several in a row mean the keys are wrong for good (a deleted or
/// mistyped access key): every queued message would spend its attempts on them and fail. From
/// `pauseAfter` refusals on, the decision becomes `.pauseSending`: messages wait, attempts uncounted,
/// until an operator fixes the keys and resumes.
public struct CredentialRefusalStreak: Sendable, Equatable {
    public static let pauseAfter = 3

    /// Refusals since the last other answer from SES.
    public private(set) var count = 0

    public init() {}

    /// Records an SES answer (success or error; not a network failure, which says nothing about the keys)
    /// and returns the decision to act on in place of `decision`.
    public mutating func record(refusedKeys: Bool, decision: RetryDecision) -> RetryDecision {
        guard refusedKeys else {
            count = 0
            return decision
        }
        count += 1
        return count >= Self.pauseAfter ? .pauseSending : decision
    }

    /// Whether an SES error refused the keys (not the request's clock, which the client corrects).
    public static func refusesKeys(errorType: String?, message: String?) -> Bool {
        RetryClassifier.isCredentialRefusal(errorType: errorType) && !RetryClassifier.isClockSkew(errorType: errorType, message: message)
    }
}
