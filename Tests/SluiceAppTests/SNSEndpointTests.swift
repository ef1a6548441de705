import Foundation
import SluiceCore
import SluiceTestSupport
import Testing
@testable import SluiceApp

/// The SNS endpoint end to end: real sockets, a real SQLite file, a local HTTPS certificate server
/// trusted through `sns.ca_file`, and messages signed with OpenSSL.
@Suite(.serialized)
struct SNSEndpointTests {
    @Test func signedV1AndV2FeedbackIsStoredAndSuppresses() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let store = harness.context.store

            let bounce = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, version: "1", message: SESPayload.bounce("Hard@Example.com"))
            let r1 = try await harness.post(bounce)
            #expect(r1.status == 200, "\(r1.bodyText)")
            #expect(r1.bodyText == #"{"status":"stored"}"#)
            let complaint = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, version: "2", message: SESPayload.complaint("angry@example.com"))
            #expect(try await harness.post(complaint).status == 200)
            let delivery = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.delivery("happy@example.com"))
            #expect(try await harness.post(delivery).status == 200)

            let now = harness.clock.now
            #expect(try await store.suppression(for: "hard@example.com", scope: nil, at: now)?.reason == .hardBounce)
            #expect(try await store.suppression(for: "angry@example.com", scope: nil, at: now)?.reason == .complaint)
            #expect(try await store.suppression(for: "happy@example.com", scope: nil, at: now) == nil)
            for envelope in [bounce, complaint, delivery] {
                #expect(try await store.hasMessage(id: envelope.messageId))
            }
            #expect(harness.messagesCounted(type: "Notification", verdict: "stored") == 3)
            let rendered = harness.context.metrics.registry.render()
            #expect(rendered.contains(#"sluice_ses_events_total{kind="hard_bounce"} 1"#))
            #expect(rendered.contains(#"sluice_ses_events_total{kind="complaint"} 1"#))
            // One certificate fetch served all three (memory, then the store's cache).
            #expect(harness.certServer.count(path: harness.certPath) == 1)
            #expect(try await store.cachedCertificate(url: harness.certURL) != nil)
        }
    }

    @Test func namedEndpointsAndNonSESMessagesAreStored() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let plain = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: "hello, not an SES event", subject: "hi")
            let r = try await harness.post(plain, path: "/sns/marketing")
            #expect(r.status == 200, "\(r.bodyText)")
            #expect(try await harness.context.store.hasMessage(id: plain.messageId))
            #expect(harness.context.metrics.registry.render().contains(#"sluice_ses_events_total{kind="unknown"} 1"#))
            let badName = try await harness.post(plain, path: "/sns/no%20spaces")
            #expect(badName.status == 404)
            #expect(harness.messagesCounted(type: "Notification", verdict: "malformed") == 1)
            #expect(harness.logLines.contains { $0.contains(#""http.status":"404""#) && $0.contains("endpoint names are") })
        }
    }

    @Test func tamperedFieldsAreRefused() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let tampers: [(String, String)] = [
                ("Message", SESPayload.bounce("victim@example.com")), ("MessageId", UUID().uuidString), ("Subject", "changed"),
                ("Timestamp", SNSEnvelope.timestampString(Date().addingTimeInterval(2))),
            ]
            for (field, value) in tampers {
                var envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, subject: "original")
                envelope.fields[field] = value
                let r = try await harness.post(envelope.body, headers: [("x-amz-sns-message-type", "Notification")])
                #expect(r.status == 403, "\(field): \(r.bodyText)")
                #expect(r.bodyText.contains("bad_signature"), "\(field)")
                #expect(try await !harness.context.store.hasMessage(id: envelope.messageId))
            }
            // Signed by a key that is not the certificate's.
            let forged = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, key: "sns-other")
            #expect(try await harness.post(forged).status == 403)
            #expect(try await harness.context.store.suppression(for: "victim@example.com", scope: nil, at: Date()) == nil)
            #expect(harness.messagesCounted(type: "Notification", verdict: "bad_signature") == 5)
            let logged = harness.logLines.filter { $0.contains(#""sns.verdict":"bad_signature""#) }
            #expect(logged.count == 5)
            #expect(logged.allSatisfy { $0.contains("sns.message_id") && $0.contains("sns.topic_arn") })
        }
    }

    @Test func certificateURLAttacksAreRefusedWithoutFetching() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let origin = harness.certServer.origin
            let name = "SimpleNotificationService-0123abcd.pem"
            let attacks = [
                "https://evil.example/\(name)",
                "http://127.0.0.1:\(harness.certServer.port)/\(name)",
                "https://sns.us-east-1.amazonaws.com.evil.example/\(name)",
                "https://sns.eu-west-1.amazonaws.com/\(name)",
                "https://sns.us-east-1.amazonaws.com@127.0.0.1:\(harness.certServer.port)/\(name)",
                "\(origin)/\(name)?x=1",
                "\(origin)/\(name)#frag",
                "\(origin)/other.pem",
            ]
            for url in attacks {
                let envelope = try await SNSEnvelope.signed(harness.pki, certURL: url)
                let r = try await harness.post(envelope)
                #expect(r.status == 403, "\(url): \(r.bodyText)")
                #expect(r.bodyText.contains("certificate_url_refused"), "\(url): \(r.bodyText)")
                // Attacker input is escaped in the answer.
                #expect(!r.bodyText.contains("<"))
            }
            #expect(harness.certServer.requests.isEmpty)
            #expect(harness.messagesCounted(type: "Notification", verdict: "bad_certificate_url") == UInt64(attacks.count))
        }
    }

    @Test func expiredAndWrongNameCertificatesAreRefused() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            for name in ["sns-expired", "sns-wrongname"] {
                let path = "/SimpleNotificationService-\(name.replacingOccurrences(of: "-", with: "")).pem"
                try harness.certRoutes.serveCertificate(path, harness.pki, name: name)
                let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certServer.origin + path, key: name)
                let r = try await harness.post(envelope)
                #expect(r.status == 403, "\(name): \(r.bodyText)")
                #expect(r.bodyText.contains("certificate_rejected"), "\(name): \(r.bodyText)")
            }
            // No certificate at that URL (404): a made-up URL, refused for good. From another client: the
            // certificates refused above hold back further fetches for this one (SNSCertificateFetchFloodTests).
            let missing = try await SNSEnvelope.signed(harness.pki, certURL: harness.certServer.origin + "/SimpleNotificationService-missing.pem")
            let r = try await harness.post(missing, from: "127.0.0.4")
            #expect(r.status == 403)
            #expect(r.body.contains("certificate_not_found"), "\(r.body)")
            #expect(harness.messagesCounted(type: "Notification", verdict: "bad_certificate_url") == 1)
            // The host failing (500): transient, so SNS is told to retry.
            let failingPath = "/SimpleNotificationService-failing.pem"
            harness.certRoutes.set(failingPath, .response("oops", status: "500 Internal Server Error"))
            let failing = try await SNSEnvelope.signed(harness.pki, certURL: harness.certServer.origin + failingPath)
            let f = try await harness.post(failing, from: "127.0.0.5")
            #expect(f.status == 503)
            #expect(f.head.lowercased().contains("retry-after: "))
            #expect(f.body.contains("certificate_unavailable"))
            #expect(harness.certServer.count(path: failingPath) == 1)
            #expect(harness.messagesCounted(type: "Notification", verdict: "cert_fetch_failed") == 1)
        }
    }

    /// The certificate must have been valid when SNS signed (the message Timestamp), whatever today is:
    /// `sns-expired` is valid from 2019-01-01 to 2020-01-01, and the service's clock is set to each message's time.
    @Test(arguments: [(1_527_811_200, 403), (1_560_000_000, 200)])
    func certificateIsCheckedAtTheMessageTimestamp(signedAt: Int, status: Int) async throws {
        let time = Date(timeIntervalSince1970: TimeInterval(signedAt))
        try await withFixture(try await SNSAppHarness.make(clock: SNSTestClock(time))) { harness in
            let path = "/SimpleNotificationService-snsexpired.pem"
            try harness.certRoutes.serveCertificate(path, harness.pki, name: "sns-expired")
            let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certServer.origin + path, key: "sns-expired", timestamp: time)
            let r = try await harness.post(envelope)
            #expect(r.status == status, "\(r.bodyText)")
            if status == 403 {
                #expect(r.bodyText.contains("certificate_rejected") && r.bodyText.contains("not yet valid"), "\(r.bodyText)")
            }
            #expect(try await harness.context.store.hasMessage(id: envelope.messageId) == (status == 200))
        }
    }

    @Test func unknownSignatureVersionIsASignatureRefusal() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            var envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL)
            envelope.fields["SignatureVersion"] = "3"
            let r = try await harness.post(envelope)
            #expect(r.status == 403, "\(r.bodyText)")
            #expect(r.bodyText.contains("signature_version_refused"))
            #expect(harness.certServer.requests.isEmpty)
            #expect(harness.messagesCounted(type: "Notification", verdict: "bad_signature") == 1)
            #expect(try await !harness.context.store.hasMessage(id: envelope.messageId))
        }
    }

    @Test func foreignTopicsAreRefusedBeforeAnyNetwork() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let foreign = "arn:aws:sns:us-east-1:999999999999:someone-else"
            let notification = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, topicArn: foreign)
            let r = try await harness.post(notification)
            #expect(r.status == 403)
            #expect(r.bodyText.contains("topic_not_allowed"))
            let subscribe = "\(harness.certServer.origin)/?Action=ConfirmSubscription&TopicArn=\(foreign)&Token=t0k"
            let confirmation = try await SNSEnvelope.signed(
                harness.pki, type: .subscriptionConfirmation, certURL: harness.certURL, topicArn: foreign, message: "confirm",
                subscribeURL: subscribe, token: "t0k")
            #expect(try await harness.post(confirmation).status == 403)
            #expect(harness.certServer.requests.isEmpty)
            #expect(try await harness.context.store.subscriptions().isEmpty)
            #expect(try await !harness.context.store.hasMessage(id: notification.messageId))
            #expect(harness.messagesCounted(type: "Notification", verdict: "forbidden_topic") == 1)
        }
    }

    @Test func staleFutureAndRequiredVersionAreRefused() async throws {
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_SNS_REQUIRE_SIGNATURE_V2": "true"])) { harness in
            let stale = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, timestamp: Date().addingTimeInterval(-2 * 86_400))
            let r1 = try await harness.post(stale)
            #expect(r1.status == 403)
            #expect(r1.bodyText.contains("stale"))
            let future = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, timestamp: Date().addingTimeInterval(3600))
            let r2 = try await harness.post(future)
            #expect(r2.status == 403)
            #expect(r2.bodyText.contains("future_timestamp"))
            let v1 = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, version: "1")
            let r3 = try await harness.post(v1)
            #expect(r3.status == 403)
            #expect(r3.bodyText.contains("signature_version_refused"))
            #expect(harness.messagesCounted(type: "Notification", verdict: "stale") == 2)
            // Nothing was fetched for messages refused on their envelope.
            #expect(harness.certServer.requests.isEmpty)
        }
    }

    @Test func duplicateIsAcknowledgedButAppliedOnce() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.bounce("twice@example.com"))
            let first = try await harness.post(envelope)
            let second = try await harness.post(envelope)
            #expect(first.bodyText == #"{"status":"stored"}"#)
            #expect(second.status == 200)
            #expect(second.bodyText == #"{"status":"duplicate"}"#)
            let suppression = try await harness.context.store.suppression(for: "twice@example.com", scope: nil, at: Date())
            #expect(suppression?.count == 1)
            #expect(try await harness.context.store.history(address: "twice@example.com", limit: 10).count == 1)
            #expect(harness.messagesCounted(type: "Notification", verdict: "duplicate") == 1)
            // Verify-then-dedupe: a forgery reusing the seen MessageId is refused, not called a duplicate.
            var forged = envelope
            forged.fields["Message"] = SESPayload.bounce("other@example.com")
            let refused = try await harness.post(forged)
            #expect(refused.status == 403)
            #expect(refused.bodyText.contains("bad_signature"))
        }
    }

    @Test func malformedMismatchedAndOversizedBodiesAreRefused() async throws {
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_SNS_MAX_BODY_BYTES": "4096"])) { harness in
            let invalid = try await harness.post(Array(#"{"Type":"Notification","#.utf8), headers: [("x-amz-sns-message-type", "Notification")])
            #expect(invalid.status == 400)
            #expect(invalid.bodyText.contains("malformed"))

            var missing = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL)
            missing.fields["Signature"] = nil
            #expect(try await harness.post(missing).status == 400)

            let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL)
            let mismatch = try await harness.post(envelope.body, headers: [("x-amz-sns-message-type", "SubscriptionConfirmation")])
            #expect(mismatch.status == 400)
            #expect(mismatch.bodyText.contains("header_mismatch"))
            // The first value agrees, a second one does not: refused, not read past.
            let repeated = try await harness.post(envelope.body, headers: [
                ("x-amz-sns-message-type", "Notification"), ("x-amz-sns-message-type", "SubscriptionConfirmation"),
            ])
            #expect(repeated.status == 400)
            #expect(repeated.bodyText.contains("header_mismatch"))

            let hostile = try await harness.post(Array(#"{"Type":"<script>alert(1)</script>"}"#.utf8))
            #expect(hostile.status == 400)
            #expect(!hostile.bodyText.contains("<script>"))

            let big = try await harness.post([UInt8](repeating: UInt8(ascii: "a"), count: 8192))
            #expect(big.status == 413)
            // The server answers 413 before the endpoint runs: its own log line gives the reason, and the
            // request metrics count it under the SNS route.
            let refusal = await eventuallyValue {
                harness.logLines.first { $0.contains("request refused by the server") && $0.contains(#""reason":"body_too_large""#) }
            }
            #expect(refusal?.contains(#""route":"/sns""#) == true && refusal?.contains(#""http.status":"413""#) == true, "\(refusal ?? "no line")")
            #expect(await eventually {
                harness.context.metrics.registry.render().split(separator: "\n").contains {
                    $0.hasPrefix("sluice_http_requests_total{") && $0.contains(#"route="/sns""#) && $0.contains(#"status="413""#) && $0.hasSuffix(" 1")
                }
            })
            #expect(harness.messagesCounted(type: "Notification", verdict: "malformed") == 4)
            #expect(harness.messagesCounted(type: "unknown", verdict: "malformed") == 1)
            #expect(try await !harness.context.store.hasMessage(id: envelope.messageId))
        }
    }

    @Test func rawDeliveryIsRefusedWithoutBasicAuth() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let headers = [("x-amz-sns-message-type", "Notification"), ("x-amz-sns-message-id", UUID().uuidString),
                           ("x-amz-sns-topic-arn", SNSEnvelope.topicArn)]
            let raw = try await harness.post(Array(SESPayload.bounce("forged@example.com").utf8), headers: headers + [("x-amz-sns-rawdelivery", "true")])
            #expect(raw.status == 403)
            #expect(raw.bodyText.contains("raw_delivery_refused"))
            #expect(raw.bodyText.contains("forge bounces"))
            // No header, but the body is a bare SES event: the same refusal.
            let bare = try await harness.post(Array(SESPayload.bounce("forged@example.com").utf8), headers: headers)
            #expect(bare.status == 403)
            #expect(try await harness.context.store.suppression(for: "forged@example.com", scope: nil, at: Date()) == nil)
            #expect(harness.messagesCounted(type: "Notification", verdict: "raw_refused") == 2)
        }
    }

    @Test func basicAuthGuardsTheEndpointAndAdmitsRawDelivery() async throws {
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_SNS_BASIC_AUTH_USER": "sns", "SLUICE_SNS_BASIC_AUTH_PASSWORD": "s3cret"])) { harness in
            let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL)
            let none = try await harness.post(envelope)
            #expect(none.status == 401)
            #expect(none.headers["WWW-Authenticate"] == #"Basic realm="sluice-sns""#)
            let wrong = try await harness.post(envelope, extraHeaders: [("Authorization", "Basic " + Data("sns:nope".utf8).base64EncodedString())])
            #expect(wrong.status == 401)
            let auth = ("Authorization", "Basic " + Data("sns:s3cret".utf8).base64EncodedString())
            #expect(try await harness.post(envelope, extraHeaders: [auth]).status == 200)
            #expect(harness.messagesCounted(type: "Notification", verdict: "unauthorized") == 2)

            let id = UUID().uuidString
            let rawHeaders = [
                auth, ("x-amz-sns-rawdelivery", "true"), ("x-amz-sns-message-type", "Notification"),
                ("x-amz-sns-message-id", id), ("x-amz-sns-topic-arn", SNSEnvelope.topicArn),
            ]
            let raw = try await harness.post(Array(SESPayload.bounce("raw@example.com").utf8), headers: rawHeaders)
            #expect(raw.status == 200, "\(raw.bodyText)")
            #expect(try await harness.context.store.hasMessage(id: id))
            #expect(try await harness.context.store.suppression(for: "raw@example.com", scope: nil, at: Date())?.reason == .hardBounce)
            // A retry carries no Timestamp either: its MessageId alone makes it a duplicate, however late it comes.
            harness.clock.advance(by: 60)
            let retry = try await harness.post(Array(SESPayload.bounce("raw@example.com").utf8), headers: rawHeaders)
            #expect(retry.status == 200)
            #expect(harness.messagesCounted(type: "Notification", verdict: "duplicate") == 1)
            #expect(try await harness.context.store.history(address: "raw@example.com", limit: 10).count == 1)
        }
    }

    @Test func drainingAnswers503() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            harness.context.state.beginDraining()
            let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL)
            let r = try await harness.post(envelope)
            #expect(r.status == 503)
            #expect(r.headers["Retry-After"] != nil)
            #expect(harness.messagesCounted(type: "Notification", verdict: "draining") == 1)
        }
    }
}
