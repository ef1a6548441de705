import Synchronization

/// A monotonically increasing count; a handle for one label set, cheap to increment from any thread.
public final class Counter: Sendable {
    private let storage = Atomic<UInt64>(0)

    init() {}

    /// Adds one.
    @inlinable public func increment() { increment(by: 1) }

    /// Adds `amount`.
    public func increment(by amount: UInt64) {
        storage.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The current count.
    public var value: UInt64 { storage.load(ordering: .relaxed) }
}
