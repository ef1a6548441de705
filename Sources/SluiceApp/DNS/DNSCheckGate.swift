import Synchronization

/// Bounds the DNS checks that run at once on the API. Each check holds a few threads blocked in socket
/// calls (`BlockingWork`) for up to its DNS timeouts, so unbounded requests against a slow server would
/// pile up threads; past the bound, callers are told to come back (503 `dns_busy`).
final class DNSCheckGate: Sendable {
    /// Checks allowed at once (`dns.max_concurrent_checks`).
    let limit: Int
    private let running = Mutex(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a place; false when `limit` checks are already running.
    func enter() -> Bool {
        running.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    /// Gives back a place taken by `enter()`.
    func leave() {
        running.withLock { $0 = max(0, $0 - 1) }
    }
}
