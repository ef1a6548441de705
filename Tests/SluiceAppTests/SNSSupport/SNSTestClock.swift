// Copied from Tests/SluiceAWSTests/SNSSupport (test targets cannot import each other).
import Foundation
import Synchronization

/// A settable clock for cache-expiry and backoff tests.
final class SNSTestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date()) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }

    /// A closure for `SigningCertificateProvider(now:)`.
    var function: @Sendable () -> Date { { [self] in now } }
}

extension SNSTestClock {
    /// Jumps to `date`.
    func set(_ date: Date) { advance(by: date.timeIntervalSince(now)) }
}
