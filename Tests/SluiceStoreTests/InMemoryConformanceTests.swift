import Foundation
import SluiceCore
import Testing

/// Runs `StoreConformance` against the in-memory twin, so tests of other modules can trust it.
struct InMemoryConformanceTests {
    @Test(arguments: StoreConformance.checks) func store(_ check: ConformanceCheck<StoreConformance.Subject>) async throws {
        try await check.run { body in try await body(InMemoryStore()) }
    }
}
