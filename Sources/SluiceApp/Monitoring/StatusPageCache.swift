import Synchronization
import SluiceCore

/// Keeps the rendered status page for a few seconds: `/` needs no auth, so a burst of requests must not
/// turn into a burst of counter scans. Single-flight: while a page is being rendered, every other caller
/// waits for that one render instead of starting its own (a burst after expiry scans once too).
final class StatusPageCache: Sendable {
    private struct State {
        var page: (text: String, at: ContinuousClock.Instant)?
        var rendering: Task<String, any Error>?
    }

    private enum Lookup {
        case fresh(String)
        case wait(Task<String, any Error>, started: Bool)
    }

    private let ttl: Duration
    private let state = Mutex(State())

    init(ttl: Duration = .seconds(5)) {
        self.ttl = ttl
    }

    /// The cached page while fresh, else the result of the render in flight, else `render()`'s result
    /// (stored for the next callers). A failed render is not kept: its waiters get the error, the next
    /// caller renders again.
    func page(_ render: @escaping @Sendable () async throws(StoreError) -> String) async throws(StoreError) -> String {
        let now = ContinuousClock.now
        let lookup = state.withLock { state -> Lookup in
            if let cached = state.page, now - cached.at < ttl { return .fresh(cached.text) }
            if let running = state.rendering { return .wait(running, started: false) }
            // Unstructured: a caller that goes away (its connection closed) must not cancel the others' page.
            let task = Task<String, any Error> { try await render() }
            state.rendering = task
            return .wait(task, started: true)
        }
        switch lookup {
        case .fresh(let page):
            return page
        case .wait(let task, let started):
            let result = await task.result
            if started {
                state.withLock { state in
                    state.rendering = nil
                    if case .success(let page) = result { state.page = (page, now) }
                }
            }
            switch result {
            case .success(let page): return page
            case .failure(let error as StoreError): throw error
            // Unreachable (render throws StoreError only); kept typed for the route's error mapping.
            case .failure(let error): throw StoreError(.unavailable, "status page: \(error)", underlying: error)
            }
        }
    }
}
