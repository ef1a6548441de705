import Synchronization

/// Serialises monitor evaluations of one database within the process, so two monitors (a running
/// worker and a test or admin trigger) never read the same alert state and both notify.
actor EvaluationLock {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    private static let locks = Mutex<[String: EvaluationLock]>([:])

    /// The lock of the database at `path` (one per path for the life of the process).
    static func shared(for path: String) -> EvaluationLock {
        locks.withLock { locks in
            if let lock = locks[path] { return lock }
            let lock = EvaluationLock()
            locks[path] = lock
            return lock
        }
    }

    /// Runs `body` while holding the lock.
    func withLock<T: Sendable, E: Error>(_ body: @Sendable () async throws(E) -> T) async throws(E) -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            // Ownership passes straight to the next waiter; `busy` stays true.
            waiters.removeFirst().resume()
        }
    }
}
