/// A long-running part of the service (queue sender, monitor, maintenance).
/// `run()` returns when its task is cancelled; it must not throw for transient failures.
public protocol BackgroundWorker: Sendable {
    var name: String { get }
    func run() async
}
