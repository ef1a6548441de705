import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

/// Purges that run as several bounded writer jobs, and input bounds.
struct MaintenanceTests {
    @Test func purgeExpiredDeletesEveryChunk() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        // No background merge step may land among the purge's jobs counted below.
        store.setBackgroundMerge(enabled: false)
        let expired = referenceDate.addingTimeInterval(-1)
        let rows = (0..<12_345).map { Suppression.make(address: "x\($0)@example.com", reason: .softBounceLimit, expiresAt: expired) }
        #expect(try await store.importBatch(rows) == rows.count)
        try await store.putManual(.make(address: "keep@example.com", reason: .softBounceLimit, expiresAt: referenceDate.addingTimeInterval(60)))
        // Imports are staged (schema v6); purge merges them first, in jobs of their own.
        try await store.drainStagedSuppressions()
        let before = store.writerStatistics.jobs
        #expect(try await store.purgeExpired(at: referenceDate) == rows.count)
        #expect(store.writerStatistics.jobs - before == 3)  // 5000 + 5000 + 2345
        #expect(try await store.counts(byReason: referenceDate)[.softBounceLimit] == 1)
        #expect(try await store.export(after: nil, limit: 10).items.map(\.address) == ["keep@example.com"])
    }

    @Test func oversizedInputsAreRejectedBeforeTheWriter() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let huge = [UInt8](repeating: 0, count: SQLiteStore.maxRawMessageBytes + 1)
        let error = await #expect(throws: StoreError.self) { try await store.ingest(.make(raw: huge), events: [], policy: TestPolicy()) }
        #expect(error?.code == .invalidInput)
        let chunk = Array(repeating: Suppression.make(), count: SQLiteStore.maxImportChunk + 1)
        let importError = await #expect(throws: StoreError.self) { try await store.importBatch(chunk) }
        #expect(importError?.code == .invalidInput)
        #expect(try await store.importBatch([]) == 0)
        let sendError = await #expect(throws: StoreError.self) { try await store.recordSends(identity: "a", count: -1, at: referenceDate) }
        #expect(sendError?.code == .invalidInput)
    }

    @Test func emptyStringsAndBlobsAreNotNull() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        try await store.storeCertificate(url: "u", pem: [], expiresAt: referenceDate)
        #expect(try await store.cachedCertificate(url: "u")?.pem == [])
        try await store.putManual(.make(address: "e@example.com", detail: ""))
        #expect(try await store.suppression(for: "e@example.com", scope: nil, at: referenceDate)?.detail == "")
    }

    @Test func cursorTokensRoundTripAndRejectGarbage() {
        let cursor = SuppressionCursor(address: "ünïcode+tag@example.com", scope: "news/weekly")
        #expect(SuppressionCursor(token: cursor.token) == cursor)
        #expect(!cursor.token.contains("="))
        #expect(SuppressionCursor(token: "!!!") == nil)
        #expect(SuppressionCursor(token: "bm8tc2VwYXJhdG9y") == nil)  // "no-separator"
        #expect(SuppressionCursor(token: String(repeating: "A", count: 4096)) == nil)
    }
}
