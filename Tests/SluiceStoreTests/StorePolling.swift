import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Polls `condition` (bounded: about 10 s); records an issue if it never holds.
func waitUntil(_ condition: () async -> Bool) async throws {
    for _ in 0..<1000 {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("condition not reached")
}

extension SQLiteStore {
    /// Ingests message `id` carrying one hard bounce for `id@example.com`.
    func ingestHardBounce(_ id: String) async throws(StoreError) -> IngestOutcome {
        try await ingest(.make(id: id), events: [.make(.hardBounce, address: "\(id)@example.com")], policy: TestPolicy())
    }
}
