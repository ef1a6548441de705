import Synchronization

/// A flag the async caller sets when its task is cancelled; blocking I/O checks it between poll slices.
final class HTTPClientCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    func cancel() { flag.store(true, ordering: .relaxed) }

    var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
