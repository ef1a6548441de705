import Synchronization

/// Idle keep-alive connections per (scheme, host, port), newest last.
final class HTTPClientPool: Sendable {
    private let idle = Mutex<[String: [HTTPClientConnection]]>([:])
    private let maxPerKey: Int
    private let idleTimeout: Duration

    init(maxPerKey: Int, idleTimeout: Duration) {
        self.maxPerKey = maxPerKey
        self.idleTimeout = idleTimeout
    }

    /// The most recently used live connection for `key`, if any; expired or dead ones are closed.
    func checkout(_ key: String) -> HTTPClientConnection? {
        let now = ContinuousClock.now
        var discarded: [HTTPClientConnection] = []
        // Closing happens outside the lock: `discarded` is released after withLock returns.
        defer { discarded.removeAll() }
        return idle.withLock { pool -> HTTPClientConnection? in
            // Bounded by maxPerKey entries.
            while var list = pool[key], let candidate = list.popLast() {
                pool[key] = list.isEmpty ? nil : list
                if candidate.lastUsed.duration(to: now) < idleTimeout && candidate.isReusable { return candidate }
                discarded.append(candidate)
            }
            return nil
        }
    }

    /// Parks `connection` for reuse, evicting the oldest idle one past the per-host limit.
    func checkin(_ connection: HTTPClientConnection) {
        guard maxPerKey > 0 else { return }
        connection.lastUsed = .now
        let evicted = idle.withLock { pool -> HTTPClientConnection? in
            var list = pool[connection.key, default: []]
            list.append(connection)
            let oldest = list.count > maxPerKey ? list.removeFirst() : nil
            pool[connection.key] = list
            return oldest
        }
        _ = evicted  // released (and closed) here, outside the lock
    }

    /// Number of idle connections for `key` (tests and metrics).
    func idleCount(_ key: String) -> Int { idle.withLock { $0[key]?.count ?? 0 } }

    /// Closes every idle connection.
    func removeAll() {
        let all = idle.withLock { pool in
            defer { pool.removeAll() }
            return pool
        }
        _ = all
    }
}
