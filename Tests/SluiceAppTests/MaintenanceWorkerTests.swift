import Foundation
import Logging
import SluiceCore
import SluiceStore
import Testing
@testable import SluiceApp

/// One maintenance pass over a real database file applies every configured retention.
struct MaintenanceWorkerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 86_400

    @Test func onePassPurgesFinishedMessagesOldCountersAndExpiredSuppressions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-maintenance-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try ConfigurationLoader().load(fileText: nil, environment: [
            "SLUICE_DATABASE_PATH": directory.appendingPathComponent("sluice.sqlite").path,
            "SLUICE_QUEUE_RETENTION_DAYS": "3",
            "SLUICE_MONITORING_COUNTER_RETENTION_DAYS": "10",
            "SLUICE_POLICY_HISTORY_RETENTION_DAYS": "5",
        ])
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let store = try Application.openStore(configuration: configuration, logger: logger)
        defer { store.close() }
        let fixed = now
        let context = AppContext(configuration: configuration, logger: logger, store: store, metrics: AppMetrics(), state: ServiceState(), now: { fixed })

        let message = OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: ["a@example.net"], subject: "s", text: "t")
        for (id, age) in [("four-days", 4.0), ("two-days", 2.0)] {
            let at = now.addingTimeInterval(-age * day)
            _ = try await store.enqueue(QueuedMessage(id: id, message: message, nextAttemptAt: at, createdAt: at), idempotency: nil)
            #expect(try await store.markSuppressed(id: id, dropping: [], at: at))
        }
        try await store.recordSends(identity: "example.com", count: 1, at: now.addingTimeInterval(-11 * day))
        try await store.recordSends(identity: "example.com", count: 2, at: now.addingTimeInterval(-9 * day))
        try await store.putManual(Suppression(address: "gone@example.com", reason: .manual, firstSeen: now.addingTimeInterval(-day), source: "test", expiresAt: now.addingTimeInterval(-1)))
        for (id, age) in [("six-days", 6.0), ("four-days", 4.0)] {
            let at = now.addingTimeInterval(-age * day)
            let delivery = RecipientEvent(
                kind: .delivery, address: "reader@example.net", sesMessageId: "ses-\(id)", timestamp: at, identity: "example.com", rawType: "Delivery")
            let inbound = InboundMessage(
                messageId: "sns-\(id)", type: "Notification", topicArn: "arn:aws:sns:us-east-1:123456789012:t", timestamp: at, receivedAt: at,
                endpoint: "default", raw: Array("{}".utf8), rawFormat: .identity)
            _ = try await store.ingest(inbound, events: [delivery], policy: context.policy)
        }
        #expect(try await store.history(address: "reader@example.net", limit: 10).count == 2)

        await MaintenanceWorker(context: context).runOnce()

        #expect(try await store.queuedMessage(id: "four-days") == nil)
        #expect(try await store.queuedMessage(id: "two-days") != nil)
        let counters = try await store.hourlyCounters(from: now.addingTimeInterval(-30 * day), to: now)
        #expect(counters.filter { $0.kind == .send }.map(\.count) == [2])
        #expect(try await store.export(after: nil, limit: 10).items.isEmpty)
        #expect(try await store.history(address: "reader@example.net", limit: 10).map(\.event.sesMessageId) == ["ses-four-days"])
    }

    @Test func retentionKeysRefuseValuesThatWouldBreakIdempotencyOrMonitoring() throws {
        #expect(throws: (any Error).self) { try ConfigurationLoader().load(fileText: nil, environment: ["SLUICE_QUEUE_RETENTION_DAYS": "1"]) }
        #expect(throws: (any Error).self) { try ConfigurationLoader().load(fileText: nil, environment: ["SLUICE_MONITORING_COUNTER_RETENTION_DAYS": "7"]) }
        #expect(throws: (any Error).self) { try ConfigurationLoader().load(fileText: nil, environment: ["SLUICE_POLICY_HISTORY_RETENTION_DAYS": "1"]) }
    }
}
