import Foundation
import Logging
import SluiceCore
import SluiceCrypto
import Testing
@testable import SluiceApp

/// The SNS audit copy: committed as received with the 200, compressed later off the request path,
/// readable in either form.
@Suite(.serialized)
struct AuditCopyCompressorTests {
    @Test func storedRawThenCompressedAndReadableBothWays() async throws {
        // Custom settings: the routes without the workers, so nothing compresses behind the test's back.
        let harness = try await SNSAppHarness.make(settings: { _ in })
        defer { Task { await harness.stop() } }
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
        #expect(pass == AuditCopyCompressor.Pass(pending: 2, replaced: 2, failed: false))
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

    @Test func readerHandlesBothFormsAndRefusesCorruptCopies() throws {
        let body = Array(#"{"Type":"Notification"}"#.utf8)
        #expect(try AuditCopyReader.body(of: AuditCopy(messageId: "a", format: .identity, bytes: body)) == body)
        let zlib = try Zlib.compress(body, level: 1, compact: true)
        #expect(try AuditCopyReader.body(of: AuditCopy(messageId: "b", format: .zlib, bytes: zlib)) == body)
        let error = #expect(throws: StoreError.self) { try AuditCopyReader.body(of: AuditCopy(messageId: "c", format: .zlib, bytes: body)) }
        #expect(error?.code == .corrupt)
    }

    @Test func serviceCompressesInTheBackground() async throws {
        let harness = try await SNSAppHarness.make()
        defer { Task { await harness.stop() } }
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
