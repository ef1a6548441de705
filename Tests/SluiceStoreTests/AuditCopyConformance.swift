import Foundation
import SluiceCore
import Testing

/// Audit copies: committed uncompressed at ingest, swapped for zlib later, readable in both forms,
/// purged with their message. Written against the protocols so SQLite and PostgreSQL run the same checks.
enum AuditCopyConformance {
    static let policy = TestPolicy()

    static func uncompressedThenReplaced(_ store: any FeedbackStore & MessageRetentionStore & AuditCopyStore) async throws {
        let body = Array(#"{"Type":"Notification","MessageId":"m-1"}"#.utf8)
        let message = InboundMessage(
            messageId: "m-1", type: "Notification", topicArn: "arn:aws:sns:eu-west-1:123456789012:ses-events",
            timestamp: referenceDate, receivedAt: referenceDate, endpoint: "default", raw: body, rawFormat: .identity)
        #expect(try await store.ingest(message, events: [], policy: policy) == .stored(events: 0))
        // An already compressed copy (as written before deferred compression) is never pending.
        _ = try await store.ingest(.make(id: "old-zlib", receivedAt: referenceDate.addingTimeInterval(-60)), events: [], policy: policy)

        #expect(try await store.auditCopy(messageId: "m-1") == AuditCopy(messageId: "m-1", format: .identity, bytes: body))
        #expect(try await store.auditCopy(messageId: "old-zlib")?.format == .zlib)
        #expect(try await store.auditCopy(messageId: "absent") == nil)
        let pending = try await store.uncompressedAuditCopies(limit: 10, maxBytes: 1 << 20)
        #expect(pending == [AuditCopy(messageId: "m-1", format: .identity, bytes: body)])

        let zlib: [UInt8] = [0x78, 0x9C, 0x01, 0x02, 0x03]
        #expect(try await store.replaceAuditCopies([AuditCopy(messageId: "m-1", format: .zlib, bytes: zlib)]) == 1)
        #expect(try await store.auditCopy(messageId: "m-1") == AuditCopy(messageId: "m-1", format: .zlib, bytes: zlib))
        #expect(try await store.uncompressedAuditCopies(limit: 10, maxBytes: 1 << 20).isEmpty)
        // Replacing twice (a second worker, a retried batch) or a purged message changes nothing.
        #expect(try await store.replaceAuditCopies([AuditCopy(messageId: "m-1", format: .zlib, bytes: [1])]) == 0)
        #expect(try await store.replaceAuditCopies([AuditCopy(messageId: "gone", format: .zlib, bytes: [1])]) == 0)
        #expect(try await store.auditCopy(messageId: "m-1")?.bytes == zlib)
        // Only zlib copies replace stored ones.
        await #expect(throws: StoreError.self) {
            try await store.replaceAuditCopies([AuditCopy(messageId: "m-1", format: .identity, bytes: body)])
        }
    }

    static func pendingBatchesAreBounded(_ store: any FeedbackStore & MessageRetentionStore & AuditCopyStore) async throws {
        for i in 0..<5 {
            let at = referenceDate.addingTimeInterval(Double(i))
            let message = InboundMessage(
                messageId: "p-\(i)", type: "Notification", topicArn: "arn:aws:sns:eu-west-1:123456789012:ses-events",
                timestamp: at, receivedAt: at, endpoint: "default", raw: [UInt8](repeating: UInt8(i), count: 1000), rawFormat: .identity)
            _ = try await store.ingest(message, events: [], policy: policy)
        }
        #expect(try await store.uncompressedAuditCopies(limit: 3, maxBytes: 1 << 20).map(\.messageId) == ["p-0", "p-1", "p-2"])
        // The backlog count stops at its limit.
        #expect(try await store.uncompressedAuditCopyCount(upTo: 100) == 5)
        #expect(try await store.uncompressedAuditCopyCount(upTo: 5) == 5)
        #expect(try await store.uncompressedAuditCopyCount(upTo: 3) == 3)
        #expect(try await store.uncompressedAuditCopyCount(upTo: 0) == 0)
        // The byte bound stops after the copy that reaches it, and never returns nothing while some wait.
        #expect(try await store.uncompressedAuditCopies(limit: 10, maxBytes: 1500).map(\.messageId) == ["p-0", "p-1"])
        #expect(try await store.uncompressedAuditCopies(limit: 10, maxBytes: 1).map(\.messageId) == ["p-0"])
        #expect(try await store.uncompressedAuditCopies(limit: 0, maxBytes: 1 << 20).isEmpty)

        // Retention purges messages whatever form their copy is in.
        #expect(try await store.replaceAuditCopies([AuditCopy(messageId: "p-0", format: .zlib, bytes: [9])]) == 1)
        #expect(try await store.purgeMessages(olderThan: referenceDate.addingTimeInterval(2)) == 2)
        #expect(try await store.auditCopy(messageId: "p-0") == nil)
        #expect(try await store.auditCopy(messageId: "p-1") == nil)
        #expect(try await store.uncompressedAuditCopies(limit: 10, maxBytes: 1 << 20).map(\.messageId) == ["p-2", "p-3", "p-4"])
        #expect(try await store.uncompressedAuditCopyCount(upTo: 100) == 3)
    }
}
