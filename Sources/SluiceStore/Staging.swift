import Foundation
import Synchronization

/// The store's staging state: the background merge of staged suppressions (one task per store, started by
/// imports and maintenance, paused while import chunks keep arriving, stopped when nothing is staged) and
/// the cache of the runs' filters that lookups consult.
final class Staging: Sendable {
    private struct State {
        var running = false
        var again = false
        var lastImport: ContinuousClock.Instant?
        var enabled = true
    }

    private let state = Mutex(State())
    /// Filters of the staged runs, loaded once per run and process.
    let filters = StagedFilterCache()
    /// How long after an import chunk the merge waits, so a running import keeps the writer to itself.
    static let importPause: Duration = .milliseconds(300)

    init() {}

    /// Allows or stops background merging (a running task stops before its next step).
    func setEnabled(_ enabled: Bool) { state.withLock { $0.enabled = enabled } }

    /// Notes that an import chunk was just committed.
    func noteImport() { state.withLock { $0.lastImport = .now } }

    /// Starts the merge task unless it runs; a running task makes one more pass before it stops.
    func start(_ store: SQLiteStore) {
        let start = state.withLock { state -> Bool in
            guard state.enabled else { return false }
            if state.running {
                state.again = true
                return false
            }
            state.running = true
            return true
        }
        guard start else { return }
        Task.detached(priority: .utility) { [self] in await run(store) }
    }

    private func run(_ store: SQLiteStore) async {
        while true {
            if let wait = pause() {
                try? await Task.sleep(for: wait)
                continue
            }
            let enabled = state.withLock { state -> Bool in
                if !state.enabled { state.running = false }
                return state.enabled
            }
            guard enabled else { return }
            let moved: Int
            do { moved = try await store.mergeStagedSuppressions(upTo: SQLiteStore.mergeTransactionKeys) } catch {
                // Closed or failing store: stop; the next import or purge starts the merge again.
                state.withLock { $0.running = false; $0.again = false }
                return
            }
            if moved > 0 { continue }
            let stop = state.withLock { state -> Bool in
                if state.again {
                    state.again = false
                    return false
                }
                state.running = false
                return true
            }
            if stop { return }
        }
    }

    /// The time left to wait when an import chunk came in less than `importPause` ago.
    private func pause() -> Duration? {
        state.withLock { state -> Duration? in
            guard let last = state.lastImport else { return nil }
            let elapsed = ContinuousClock.now - last
            return elapsed < Self.importPause ? Self.importPause - elapsed : nil
        }
    }
}
