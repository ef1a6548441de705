import Foundation
import Glibc
import Synchronization

/// The accept side of the tests' blocking servers: a listener on 127.0.0.1 whose connections are each
/// served on a thread of their own and closed afterwards. `stop()` ends the accept thread within ~50 ms;
/// connection threads watch `isStopped` to end as quickly.
public final class LoopbackAcceptor: Sendable {
    public let port: Int
    private let listenFD: Int32
    private let stopped = Atomic<Bool>(false)

    public init(backlog: Int32) throws {
        (listenFD, port) = try LoopbackListener.open(backlog: backlog)
    }

    deinit { close(listenFD) }

    public var isStopped: Bool { stopped.load(ordering: .relaxed) }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    /// Starts the accept thread; `onAccept` runs on it for each connection before `serve` does on its own thread.
    public func start(onAccept: @escaping @Sendable () -> Void = {}, serve: @escaping @Sendable (Int32) -> Void) {
        Thread.detachNewThread { [self] in
            while !isStopped {
                var descriptor = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 50) > 0 else { continue }
                let client = accept(listenFD, nil, nil)
                guard client >= 0 else { continue }
                onAccept()
                Thread.detachNewThread {
                    serve(client)
                    close(client)
                }
            }
        }
    }
}
