import Foundation
import SluiceCore
import Synchronization

/// What the writer's two sync threads (`WALSyncer`, `DatabaseSyncer`) are built on: a named thread, the lock
/// that guards their state, the first failure, a stop that waits for the thread, and their sync counts.
final class SyncThread: @unchecked Sendable {
    // @unchecked: `stopped` and `failed` are guarded by `condition`, which the owner also uses for its state.
    let condition = NSCondition()
    /// Set by `stop`; the owner's loop returns once it sees it with nothing left to do.
    private(set) var stopped = false
    /// The first failure the owner recorded (nil: healthy).
    var failed: StoreError?
    private let finished = DispatchSemaphore(value: 0)
    private let counters = Mutex((syncs: 0, failedSyncs: 0))

    /// Runs `loop` on a thread named `name` (15 bytes at most: perf, /proc); `stop` waits for it to return.
    func start(name: String, _ loop: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            ThreadName.setCurrent(name)
            loop()
            finished.signal()
        }
        thread.start()
    }

    /// Syncs that succeeded, and those that failed.
    var syncCounts: (syncs: Int, failedSyncs: Int) { counters.withLock { $0 } }

    func countSync(succeeded: Bool) {
        counters.withLock { succeeded ? ($0.syncs += 1) : ($0.failedSyncs += 1) }
    }

    /// `failed`, read under the lock.
    var failure: StoreError? {
        condition.lock()
        defer { condition.unlock() }
        return failed
    }

    /// Tells the loop to finish, then waits until it returned.
    func stop() {
        condition.lock()
        let first = !stopped
        stopped = true
        condition.broadcast()
        condition.unlock()
        if first { finished.wait() }
    }
}
