import Synchronization

/// Process-wide flags that probes, routes and workers read without locks on the hot path.
public final class ServiceState: Sendable {
    private let draining = Atomic<Bool>(false)

    public init() {}

    /// True once shutdown has begun: `/readyz` turns 503 and the SNS endpoint answers 503 so SNS retries elsewhere.
    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    public func beginDraining() { draining.store(true, ordering: .releasing) }
}
