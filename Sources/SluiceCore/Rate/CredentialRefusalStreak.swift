/// SES answers in a row that refused the signing keys themselves, counted once per set of keys.
///
/// The client drops refused keys and fetches new ones before the next call, so one refusal is usually a
/// rotation and the retry succeeds. Calls in flight together were all signed with the same keys and come
/// back refused together: they count once (`keysGeneration`, which grows each time keys are dropped).
/// Keys refused again after `pauseAfter` fetches in a row are wrong for good (a deleted or mistyped
/// access key): every queued message would spend its attempts on them and fail. From then on the
/// decision becomes `.pauseSending`: messages wait, attempts uncounted, until an operator fixes the keys
/// and resumes.
public struct CredentialRefusalStreak: Sendable, Equatable {
    public static let pauseAfter = 3

    /// Sets of keys refused since the last other answer from SES.
    public private(set) var count = 0
    /// The generation of the keys whose refusal was counted last.
    private var countedGeneration: UInt64?

    public init() {}

    /// Records an SES answer (success or error; not a network failure, which says nothing about the keys)
    /// to a call signed with keys of `keysGeneration`, and returns the decision to act on in place of `decision`.
    public mutating func record(refusedKeys: Bool, keysGeneration: UInt64, decision: RetryDecision) -> RetryDecision {
        guard refusedKeys else {
            count = 0
            countedGeneration = nil
            return decision
        }
        if count < Self.pauseAfter, countedGeneration.map({ keysGeneration > $0 }) ?? true {
            count += 1
            countedGeneration = keysGeneration
        }
        return count >= Self.pauseAfter ? .pauseSending : decision
    }

    /// Whether an SES error refused the keys (not the request's clock, which the client corrects).
    public static func refusesKeys(errorType: String?, message: String?) -> Bool {
        RetryClassifier.isCredentialRefusal(errorType: errorType) && !RetryClassifier.isClockSkew(errorType: errorType, message: message)
    }
}
