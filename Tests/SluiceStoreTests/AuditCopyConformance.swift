import Foundation
import SluiceCore
import Testing

/// Audit copies: committed uncompressed at ingest, swapped for zlib later, readable in both forms,
/// purged with their message. Written against the protocols so SQLite and PostgreSQL run the same checks
/// (SQLite keeps the bodies in packs, PostgreSQL in the rows: the checks hold for both).
enum AuditCopyConformance {
    static let policy = TestPolicy()

    static func message(_ id: String, body: [UInt8], at date: Date = referenceDate) -> InboundMessage {
        InboundMessage(
            messageId: id, type: "Notification", topicArn: "arn:aws:sns:eu-west-1:123456789012:ses-events",
            timestamp: date, receivedAt: date, endpoint: "default", raw: body, rawFormat: .identity)
    }

    static func uncompressedThenReplaced(_ store: any FeedbackStore & MessageRetentionStore & AuditCopyStore) async throws {
        let body = Array(#"{"Type":"Notification","MessageId":"m-1"}"#.utf8)
        #expect(try await store.ingest(message("m-1", body: body), events: [], policy: policy) == .stored(events: 0))
        // An already compressed copy (as written before deferred compression) is never pending.
        _ = try await store.ingest(.make(id: "old-zlib", receivedAt: referenceDate.addingTimeInterval(-60)), events: [], policy: policy)

        #expect(try await store.auditCopy(messageId: "m-1") == AuditCopy(messageId: "m-1", format: .identity, bytes: body))
        #expect(try await store.auditCopy(messageId: "old-zlib")?.format == .zlib)
        #expect(try await store.auditCopy(messageId: "absent") == nil)
        let pending = try await store.uncompressedAuditBlobs(limit: 10, maxBytes: 1 << 20)
        #expect(pending.map(\.bytes) == [body])
        #expect(pending.map(\.copies) == [1])
        let owner = try #require(pending.first?.owner)

        let zlib: [UInt8] = [0x78, 0x9C, 0x01, 0x02, 0x03]
        #expect(try await store.replaceAuditBlobs([AuditBlob(owner: owner, format: .zlib, bytes: zlib)]) == 1)
        let replaced = try #require(try await store.auditCopy(messageId: "m-1"))
        #expect(replaced.format == .zlib)
        #expect(replaced.bytes == zlib)
        // A pack says where the body lies in what it inflates to; a copy of its own needs no range.
        #expect(replaced.range ?? 0..<body.count == 0..<body.count)
        #expect(try await store.uncompressedAuditBlobs(limit: 10, maxBytes: 1 << 20).isEmpty)
        // Replacing twice (a second worker, a retried batch) or a purged blob changes nothing.
        #expect(try await store.replaceAuditBlobs([AuditBlob(owner: owner, format: .zlib, bytes: [1])]) == 0)
        #expect(try await store.replaceAuditBlobs([AuditBlob(owner: .message("gone"), format: .zlib, bytes: [1])]) == 0)
        #expect(try await store.replaceAuditBlobs([AuditBlob(owner: .pack(1 << 40), format: .zlib, bytes: [1])]) == 0)
        #expect(try await store.auditCopy(messageId: "m-1")?.bytes == zlib)
        // Only zlib blobs replace stored ones.
        await #expect(throws: StoreError.self) {
            try await store.replaceAuditBlobs([AuditBlob(owner: owner, format: .identity, bytes: body)])
        }
    }

    static func pendingBatchesAreBounded(_ store: any FeedbackStore & MessageRetentionStore & AuditCopyStore) async throws {
        for i in 0..<5 {
            let body = [UInt8](repeating: UInt8(i), count: 1000)
            _ = try await store.ingest(message("p-\(i)", body: body, at: referenceDate.addingTimeInterval(Double(i))), events: [], policy: policy)
        }
        func firstBytes(limit: Int, maxBytes: Int) async throws -> [UInt8?] {
            try await store.uncompressedAuditBlobs(limit: limit, maxBytes: maxBytes).map(\.bytes.first)
        }
        #expect(try await firstBytes(limit: 3, maxBytes: 1 << 20) == [0, 1, 2])
        // The backlog count stops at its limit.
        #expect(try await store.uncompressedAuditCopyCount(upTo: 100) == 5)
        #expect(try await store.uncompressedAuditCopyCount(upTo: 5) == 5)
        #expect(try await store.uncompressedAuditCopyCount(upTo: 3) == 3)
        #expect(try await store.uncompressedAuditCopyCount(upTo: 0) == 0)
        // The byte bound stops after the blob that reaches it, and never returns nothing while some wait.
        #expect(try await firstBytes(limit: 10, maxBytes: 1500) == [0, 1])
        #expect(try await firstBytes(limit: 10, maxBytes: 1) == [0])
        #expect(try await store.uncompressedAuditBlobs(limit: 0, maxBytes: 1 << 20).isEmpty)

        // Retention purges messages whatever form their copy is in.
        let first = try #require(try await store.uncompressedAuditBlobs(limit: 1, maxBytes: 1 << 20).first)
        #expect(try await store.replaceAuditBlobs([AuditBlob(owner: first.owner, format: .zlib, bytes: [9])]) == 1)
        #expect(try await store.purgeMessages(olderThan: referenceDate.addingTimeInterval(2)) == 2)
        #expect(try await store.auditCopy(messageId: "p-0") == nil)
        #expect(try await store.auditCopy(messageId: "p-1") == nil)
        #expect(try await firstBytes(limit: 10, maxBytes: 1 << 20) == [2, 3, 4])
        #expect(try await store.uncompressedAuditCopyCount(upTo: 100) == 3)
        #expect(try await store.auditCopy(messageId: "p-4") == AuditCopy(messageId: "p-4", format: .identity, bytes: [UInt8](repeating: 4, count: 1000)))
    }
}
