import Foundation

/// Runs blocking work (waiting for a child process, a blocking socket read, a semaphore) on its own
/// thread and suspends the caller meanwhile. Swift's cooperative pool has one thread per core — two
/// on the CI machine — so a test that blocks one of them starves every server and client in the
/// other tests running in parallel.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// `offPool` for work that cannot throw.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
