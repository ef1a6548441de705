import Foundation
import SluiceCore
import Synchronization

/// One process-wide thread that runs jobs only when a core is otherwise idle (Linux `SCHED_IDLE`).
///
/// Deferred work that must not compete with requests (compressing audit copies) runs here: under load
/// it waits, on an idle machine it runs at full speed.
final class IdlePriorityThread: @unchecked Sendable {
    // @unchecked: `jobs` is guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []

    /// The shared thread, started on first use.
    static let shared = IdlePriorityThread()

    private init() {
        let thread = Thread { [self] in loop() }
        thread.name = "sluice.idle"
        thread.start()
    }

    /// Queues `job`; it runs on the idle-priority thread, after the jobs queued before it.
    func enqueue(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on the idle thread and returns its result; on cancellation returns nil at once (the
    /// job still runs later, its result is dropped).
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        let slot = ResultSlot<T>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
                slot.set(continuation)
                if Task.isCancelled { slot.resume(returning: nil); return }
                enqueue { slot.resume(returning: body()) }
            }
        } onCancel: {
            slot.resume(returning: nil)
        }
    }

    private func loop() {
        // Named so a profile or `bench-sns` can tell its (deferred) CPU time from the request path's.
        ThreadName.setCurrent("sluice.idle")
        Self.lowerPriority()
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job() }
        }
    }

    /// `SCHED_IDLE` for the calling thread (Linux applies it per thread with pid 0).
    private static func lowerPriority() {
        #if os(Linux)
        var parameters = sched_param()
        parameters.sched_priority = 0
        let schedIdle: Int32 = 5  // SCHED_IDLE, not exported by Glibc's Swift overlay
        // Refused (a seccomp profile, say): the thread keeps normal priority; the work is still bounded.
        _ = sched_setscheduler(0, schedIdle, &parameters)
        #endif
    }
}

/// A continuation resumed exactly once, by whichever comes first: the job or the cancellation.
private final class ResultSlot<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T?, Never>?>(nil)

    func set(_ value: CheckedContinuation<T?, Never>) { continuation.withLock { $0 = value } }

    func resume(returning value: T?) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
