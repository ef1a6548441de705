import Synchronization
import SluiceCore

/// Keeps the rendered status page for a few seconds: `/` needs no auth, so a burst of requests must not
/// turn into a burst of counter scans.
final class StatusPageCache: Sendable {
    private let ttl: Duration
    private let entry = Mutex<(page: String, at: ContinuousClock.Instant)?>(nil)

    init(ttl: Duration = .seconds(5)) {
        self.ttl = ttl
    }

    /// The cached page while fresh, else `render()`'s result (stored for the next callers).
    func page(_ render: () async throws(StoreError) -> String) async throws(StoreError) -> String {
        let now = ContinuousClock.now
        if let cached = entry.withLock({ $0 }), now - cached.at < ttl { return cached.page }
        let page = try await render()
        entry.withLock { $0 = (page, now) }
        return page
    }
}
