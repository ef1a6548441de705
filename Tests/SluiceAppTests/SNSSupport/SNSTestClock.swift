// Copied from Tests/SluiceAWSTests/SNSSupport (test targets cannot import each other).
import Foundation
import Synchronization

/// A settable clock for cache-expiry and backoff tests.
final class SNSTestClock: Sendable {
    /// A fixed clock's time; a live clock's start plus any `advance`.
    private let current: Mutex<Date>
    /// Set for a live clock, which follows real time: workers with rate limiters need one.
    private let createdAt: Date?

    init(_ start: Date = Date()) {
        current = Mutex(start)
        createdAt = nil
    }

    private init(liveFrom start: Date) {
        current = Mutex(start)
        createdAt = start
    }

    /// Real time, still advanceable.
    static func live() -> SNSTestClock { SNSTestClock(liveFrom: Date()) }

    var now: Date {
        let base = current.withLock { $0 }
        guard let createdAt else { return base }
        return base.addingTimeInterval(Date().timeIntervalSince(createdAt))
    }

    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }

    /// A closure for `SigningCertificateProvider(now:)`.
    var function: @Sendable () -> Date { { [self] in now } }
}

extension SNSTestClock {
    /// Jumps to `date`.
    func set(_ date: Date) { advance(by: date.timeIntervalSince(now)) }
}
