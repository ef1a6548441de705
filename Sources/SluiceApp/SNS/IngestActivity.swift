import Foundation
import Synchronization

/// When the SNS endpoint last stored a message, so deferred work can wait for a quiet moment.
final class IngestActivity: Sendable {
    private let lastNanoseconds = Atomic<UInt64>(0)

    /// The process-wide tracker the endpoint touches and `AuditCopyCompressor` reads.
    static let shared = IngestActivity()

    /// Records an ingest now (one clock read and a relaxed store: it runs for every notification).
    func touch() { lastNanoseconds.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed) }

    /// Whether a message was stored within the last `window`.
    func isBusy(within window: Duration) -> Bool {
        let last = lastNanoseconds.load(ordering: .relaxed)
        guard last > 0 else { return false }
        let now = DispatchTime.now().uptimeNanoseconds
        let windowNanoseconds = UInt64(max(0, window.components.seconds)) * 1_000_000_000
            + UInt64(max(0, window.components.attoseconds / 1_000_000_000))
        return now < last + windowNanoseconds
    }
}
