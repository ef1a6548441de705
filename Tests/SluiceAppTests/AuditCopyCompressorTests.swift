import Foundation
import SluiceTestSupport
import Logging
import SluiceCore
import SluiceCrypto
import SluiceStore
import Testing
@testable import SluiceApp

/// The SNS audit copy: committed as received with the 200, compressed later off the request path,
/// readable in either form.
@Suite(.serialized)
struct AuditCopyCompressorTests {
    @Test func storedRawThenCompressedAndReadableBothWays() async throws {
        // Custom settings: the routes without the workers, so nothing compresses behind the test's back.
        try await withFixture(try await SNSAppHarness.make(settings: { _ in })) { harness in
            let store = try #require(harness.context.store as? any AuditCopyStore)
            let envelopes = [
                try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.bounce("audit1@example.com")),
                try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.complaint("audit2@example.com")),
            ]
            for envelope in envelopes {
                let response = try await harness.post(envelope)
                #expect(response.status == 200, "\(response.bodyText)")
                // What the 200 promised is on disk: the body exactly as received.
                let copy = try #require(try await store.auditCopy(messageId: envelope.messageId))
                #expect(copy.format == .identity)
                #expect(copy.bytes == envelope.body)
            }

            let compressor = AuditCopyCompressor(store: store, logger: Logger(label: "test"))
            let pass = await compressor.runOnce()
            #expect(pass == AuditCopyCompressor.Pass(pending: 2, replaced: 2, copies: 2, failed: false))
            for envelope in envelopes {
                let copy = try #require(try await store.auditCopy(messageId: envelope.messageId))
                #expect(copy.format == .zlib)
                #expect(copy.bytes.count < envelope.body.count)
                #expect(try Zlib.decompress(copy.bytes, maxOutput: 1 << 20) == envelope.body)
                #expect(try await AuditCopyReader.body(of: envelope.messageId, in: store) == envelope.body)
            }
            #expect(await compressor.runOnce() == AuditCopyCompressor.Pass(pending: 0, replaced: 0, failed: false))
            #expect(try await AuditCopyReader.body(of: "not-stored", in: store) == nil)
        }
    }

    /// Under sustained ingest the worker holds back (one batch per `busyPause`) only while the backlog is
    /// under `maxDeferred`; above it, it compresses batch after batch until the backlog is under the bound.
    @Test(arguments: [(maxDeferred: 3, leftUncompressed: 1), (maxDeferred: 100, leftUncompressed: 5)])
    func busyIngestDefersOnlyUpToTheBacklogBound(maxDeferred: Int, leftUncompressed: Int) async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(configuration: SQLiteStoreConfiguration(path: directory.path + "/sluice.sqlite"))
        defer { store.close() }
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        for i in 0..<5 {
            let message = InboundMessage(
                messageId: "busy-\(i)", type: "Notification", topicArn: "arn:aws:sns:us-east-1:123456789012:ses",
                timestamp: start, receivedAt: start.addingTimeInterval(Double(i)), endpoint: "default",
                raw: Array(#"{"Type":"Notification","n":\#(i)}"#.utf8), rawFormat: .identity)
            #expect(try await store.ingest(message, events: [], policy: SuppressionPolicy()) == .stored(events: 0))
        }
        // Ingest counts as busy for the whole test, and a held-back batch would wait a minute.
        let activity = IngestActivity()
        activity.touch()
        var compressor = AuditCopyCompressor(store: store, logger: Logger(label: "test"), activity: activity)
        compressor.quietPeriod = .seconds(60)
        compressor.busyPause = .seconds(60)
        compressor.batchSize = 2
        compressor.maxDeferred = maxDeferred
        let worker = Task { await compressor.run() }
        defer { worker.cancel() }

        // 5 pending ≥ 3: a batch of 2; 3 ≥ 3: another; 1 < 3: held back. With a bound of 100 nothing runs.
        var left = 5
        for _ in 0..<50 {
            left = try await store.uncompressedAuditCopyCount(upTo: 100)
            if left == leftUncompressed { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(left == leftUncompressed)
        // …and stays held back (an unbounded worker would have taken every copy at once by now).
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await store.uncompressedAuditCopyCount(upTo: 100) == leftUncompressed)
        for i in 0..<5 {
            let copy = try #require(try await store.auditCopy(messageId: "busy-\(i)"))
            #expect(try AuditCopyReader.body(of: copy) == Array(#"{"Type":"Notification","n":\#(i)}"#.utf8))
        }
    }

    @Test func readerHandlesBothFormsAndRefusesCorruptCopies() throws {
        let body = Array(#"{"Type":"Notification"}"#.utf8)
        #expect(try AuditCopyReader.body(of: AuditCopy(messageId: "a", format: .identity, bytes: body)) == body)
        let zlib = try Zlib.compress(body, level: 1, compact: true)
        #expect(try AuditCopyReader.body(of: AuditCopy(messageId: "b", format: .zlib, bytes: zlib)) == body)
        let error = #expect(throws: StoreError.self) { try AuditCopyReader.body(of: AuditCopy(messageId: "c", format: .zlib, bytes: body)) }
        #expect(error?.code == .corrupt)
    }

    @Test func serviceCompressesInTheBackground() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let store = try #require(harness.context.store as? any AuditCopyStore)
            let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.bounce("bg@example.com"))
            #expect(try await harness.post(envelope).status == 200)
            // The worker polls once a second; bounded wait for it to catch up.
            var format: AuditCopyFormat?
            for _ in 0..<100 {
                format = try await store.auditCopy(messageId: envelope.messageId)?.format
                if format == .zlib { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(format == .zlib)
            #expect(try await AuditCopyReader.body(of: envelope.messageId, in: store) == envelope.body)
        }
    }
}
