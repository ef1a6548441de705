import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// `SuppressionPolicy` through a real SQLite file: what the store hands the policy and writes back.
struct SuppressionPolicyStoreTests {
    @Test func hardBounceOutlivesAnExpiringManualSuppression() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let address = "hb1@example.com"
        let manualEnd = referenceDate.addingTimeInterval(30 * 86_400)
        try await store.putManual(.make(address: address, reason: .manual, expiresAt: manualEnd))
        let bounce = RecipientEvent.make(.hardBounce, address: address, at: referenceDate.addingTimeInterval(60), subtype: "General")
        _ = try await store.ingest(.make(), events: [bounce], policy: SuppressionPolicy())
        #expect(try await store.history(address: address, limit: 10).first?.outcome == "suppressed:hard_bounce")
        let after = try #require(try await store.suppression(for: address, scope: nil, at: manualEnd.addingTimeInterval(86_400)))
        #expect(after.reason == .hardBounce)
        #expect(after.expiresAt == nil)
    }
}
