import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Runs the conformance checks against `SQLiteStore` on temp files.
struct SQLiteConformanceTests {
    private static func withStore(_ body: (SQLiteStore) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        try await body(store)
    }

    @Test(arguments: StoreConformance.checks) func store(_ check: ConformanceCheck<StoreConformance.Subject>) async throws {
        try await check.run { body in try await Self.withStore { try await body($0) } }
    }

    @Test(arguments: QueueConformance.checks) func queue(_ check: ConformanceCheck<QueueConformance.Store>) async throws {
        try await check.run { body in try await Self.withStore { try await body($0) } }
    }
}
