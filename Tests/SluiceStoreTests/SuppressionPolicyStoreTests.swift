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

    /// A `not-spam` feedback report lifts the complaint and is not counted as another one.
    @Test func notSpamReportIsNotCountedAsAComplaint() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let address = "ns@example.com"
        let abuse = RecipientEvent.make(.complaint, address: address, at: referenceDate, subtype: "abuse")
        let notSpam = RecipientEvent.make(.complaint, address: address, at: referenceDate.addingTimeInterval(60), subtype: "not-spam")
        _ = try await store.ingest(.make(), events: [abuse], policy: SuppressionPolicy())
        _ = try await store.ingest(.make(), events: [notSpam], policy: SuppressionPolicy())
        let complaints = try await store.hourlyCounters(from: .distantPast, to: .distantFuture).filter { $0.kind == .complaint }
        #expect(complaints.map(\.count).reduce(0, +) == 1)
        #expect(try await store.suppression(for: address, scope: nil, at: referenceDate.addingTimeInterval(120)) == nil)
        #expect(try await store.history(address: address, limit: 10).count == 2)
    }

    /// An imported row not yet merged from its staged run is what the policy sees: soft bounces past the
    /// limit leave a permanent manual suppression as it is (they would replace it by an expiring one).
    @Test func stagedImportedSuppressionIsSeenByTheFeedbackPolicy() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        store.setBackgroundMerge(enabled: false)
        let address = "staged@example.com"
        _ = try await store.importBatch([.make(address: address, reason: .manual, source: "import:test")])
        #expect(try await store.stagedSuppressions().rows == 1)
        for minute in 1...3 {
            let bounce = RecipientEvent.make(.softBounce, address: address, at: referenceDate.addingTimeInterval(Double(minute) * 60), subtype: "MailboxFull")
            _ = try await store.ingest(.make(), events: [bounce], policy: SuppressionPolicy())
        }
        let later = referenceDate.addingTimeInterval(400 * 86_400)
        let kept = try #require(try await store.suppression(for: address, scope: nil, at: later))
        #expect(kept.reason == .manual)
        #expect(kept.expiresAt == nil)
        #expect(try await store.stagedSuppressions().rows == 0)
    }
}
