import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// PostgreSQL text cannot hold NUL: free text (a diagnostic code, a link) is stored with U+FFFD in its place
/// instead of failing the ingest; keys and identifiers with NUL are still refused.
@Suite(.serialized) struct PostgresFreeTextTests {
    @Test func aDiagnosticCodeWithNULIsStoredWithAReplacementCharacter() async throws {
        let store = try await PostgresFixture.openStore(poolSize: 1)
        defer { store.close() }
        let event = RecipientEvent(
            kind: .hardBounce, address: "nul@example.com", sesMessageId: "ses-nul", timestamp: referenceDate,
            identity: "example.com", subtype: "Gen\u{0}eral", detail: "smtp; 550 5.1.1 \u{0}user unknown", rawType: "Bounce")
        #expect(try await store.ingest(.make(), events: [event], policy: TestPolicy()) == .stored(events: 1))
        let entry = try #require(try await store.history(address: "nul@example.com", limit: 1).first)
        #expect(entry.event.detail == "smtp; 550 5.1.1 \u{FFFD}user unknown")
        #expect(entry.event.subtype == "Gen\u{FFFD}eral")
        try await store.putManual(.make(address: "manual@example.com", detail: "a\u{0}b"))
        #expect(try await store.suppressions(of: "manual@example.com").first?.detail == "a\u{FFFD}b")
        #expect(try await store.importBatch([.make(address: "imported@example.com", detail: "c\u{0}d")]) == 1)
        #expect(try await store.suppressions(of: "imported@example.com").first?.detail == "c\u{FFFD}d")
    }

    @Test func anAddressWithNULIsStillRefused() async throws {
        let store = try await PostgresFixture.openStore(poolSize: 1)
        defer { store.close() }
        let message = InboundMessage.make()
        let error = await #expect(throws: StoreError.self) {
            try await store.ingest(message, events: [.make(.hardBounce, address: "a\u{0}@example.com")], policy: TestPolicy())
        }
        #expect(error?.code == .invalidInput)
        #expect(try await !store.hasMessage(id: message.messageId), "the ingest rolled back")
    }
}
