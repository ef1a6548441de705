import Glibc

// Each event loop is the preferred task executor of the handler tasks it starts (SE-0417), so a
// request that never suspends is parsed, handled and answered on one thread without a hop.
//
// Invariant: jobs run only from `runLocal`/`drainInbox` at the top level of the loop iteration,
// never nested inside parsing or writing, and the code they run must not block the thread: a
// blocked job stalls every connection of this loop. A handler task's first stretch (up to its first
// suspension) and a synchronous route run inline from `dispatch` instead, inside input processing;
// they touch no loop state directly, only `post` (which queues locally), so that nesting is safe.
extension ServerEventLoop: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        // From the loop thread: appended to the local queue. From elsewhere (a resumed
        // continuation): through the inbox, which writes the eventfd only on empty → non-empty.
        post(.job(UnownedJob(job)))
    }

    func runJob(_ job: UnownedJob) {
        job.runSynchronously(on: asUnownedTaskExecutor())
    }
}
