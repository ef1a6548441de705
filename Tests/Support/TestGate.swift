import Foundation
import Synchronization

/// A one-way latch between a test and the code it drives: a handler marks that it got somewhere
/// (`open()`), the other side waits for that (bounded) instead of sleeping and hoping.
public final class TestGate: Sendable {
    private let opened = Mutex(false)

    public init() {}

    public func open() { opened.withLock { $0 = true } }

    public var isOpen: Bool { opened.withLock { $0 } }

    /// Waits until opened; false when `timeout` passed first.
    public func wait(timeout: Duration = .seconds(30)) async -> Bool {
        await eventually(timeout: timeout, interval: .milliseconds(5)) { isOpen }
    }

    /// `wait` for a thread that may block (a server's handler thread, a blocking test client).
    public func waitBlocking(timeout: Duration = .seconds(30)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !isOpen {
            if ContinuousClock.now >= deadline { return false }
            usleep(5_000)
        }
        return true
    }
}
