import Foundation

/// Runs blocking work (socket I/O bounded by poll timeouts, getaddrinfo) on a thread of its own.
///
/// Neither Swift's cooperative pool (one thread per core) nor a concurrent `DispatchQueue`
/// (measured here: about four threads wide, growing slowly) may be blocked: a few slow peers would
/// stall every other request. A thread per blocking call costs tens of microseconds, far below the
/// network round trip it waits for, and the callers bound how many run at once.
public enum BlockingWork {
    /// Starts `body` on a new thread.
    public static func start(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 512 * 1024
        thread.start()
    }
}
