import Foundation
import SluiceTestSupport
import Testing
@testable import SluiceApp

/// Made-up certificate URLs on the genuine host cost a fetch each: they must not let one client hold the
/// fetch slots that genuine messages with a new certificate need. Clients are told apart by source
/// address (127.0.0.2 and 127.0.0.3 beside the harness's 127.0.0.1).
@Suite(.serialized)
struct SNSCertificateFetchFloodTests {
    static func madeUp(_ harness: SNSAppHarness, _ name: String) async throws -> SNSEnvelope {
        try await SNSEnvelope.signed(harness.pki, certURL: harness.certServer.origin + "/SimpleNotificationService-\(name).pem")
    }

    @Test func aClientWhoseURLNamedNoCertificateStartsNoFetchWhileOthersDo() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let first = try await harness.post(try await Self.madeUp(harness, "madeup1"), from: "127.0.0.2")
            #expect(first.status == 403, "\(first.body)")
            #expect(first.body.contains("certificate_not_found"))

            // The same client's next made-up URL costs no request: 503, so a genuine sender would retry.
            let second = try await harness.post(try await Self.madeUp(harness, "madeup2"), from: "127.0.0.2")
            #expect(second.status == 503, "\(second.body)")
            #expect(second.body.contains("certificate_fetch_held"))
            #expect(second.body.contains("named no SNS certificate"))
            #expect(second.head.lowercased().contains("retry-after: "))
            #expect(harness.messagesCounted(type: "Notification", verdict: "cert_fetch_held") == 1)
            #expect(harness.certServer.count(path: "/SimpleNotificationService-madeup2.pem") == 0)
            #expect(harness.logLines.contains { $0.contains("starts no fetch for another") && $0.contains("127.0.0.2") })

            // Another client's genuine message with a certificate not fetched yet goes through.
            let genuine = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL)
            #expect(try await harness.post(genuine).status == 200)
            #expect(harness.certServer.count(path: harness.certPath) == 1)

            // A certificate already cached serves the held-back client as well: only fetches are held.
            let cached = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL)
            #expect(try await harness.post(cached, from: "127.0.0.2").status == 200)
        }
    }

    /// A proxy in front of Sluice: genuine SNS traffic and an attacker share its address. Once a message
    /// through it verifies, made-up URLs through it no longer hold its fetches back.
    @Test func aClientThatDeliveredAVerifiedMessageIsNotHeldBack() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let proxy = "127.0.0.3"
            #expect(try await harness.post(try await Self.madeUp(harness, "forged1"), from: proxy).status == 403)
            let genuine = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL)
            // Its certificate is not cached yet, and the proxy is held back: SNS is told to retry.
            #expect(try await harness.post(genuine, from: proxy).status == 503)
            #expect(harness.certServer.count(path: harness.certPath) == 0)
            // Another path fetched it meanwhile; the retry verifies and vouches for the proxy.
            #expect(try await harness.post(try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL)).status == 200)
            #expect(try await harness.post(genuine, from: proxy).status == 200)
            for name in ["forged2", "forged3"] {
                let r = try await harness.post(try await Self.madeUp(harness, name), from: proxy)
                #expect(r.status == 403, "\(name): \(r.body)")
                #expect(r.body.contains("certificate_not_found"))
                #expect(harness.certServer.count(path: "/SimpleNotificationService-\(name).pem") == 1)
            }
        }
    }
}

/// Behind a trusted proxy (`http.trusted_proxies`) every client arrives from the proxy's address: the
/// per-client limits apply to the client it forwarded for.
@Suite(.serialized)
struct SNSCertificateFetchBehindProxyTests {
    @Test func clientsBehindATrustedProxyAreHeldBackOneByOne() async throws {
        let harness = try await SNSAppHarness.make(extra: ["SLUICE_HTTP_TRUSTED_PROXIES": "127.0.0.1"])
        try await withFixture(harness) { (harness: SNSAppHarness) async throws in
            func post(_ envelope: SNSEnvelope, for client: String) async throws -> Int {
                try await harness.post(envelope, extraHeaders: [("X-Forwarded-For", client)]).status
            }
            let origin = harness.certServer.origin
            func forged(_ name: String) async throws -> SNSEnvelope {
                try await SNSEnvelope.signed(harness.pki, certURL: origin + "/SimpleNotificationService-\(name).pem")
            }
            #expect(try await post(try await forged("behind1"), for: "198.51.100.1") == 403)
            #expect(try await post(try await forged("behind2"), for: "198.51.100.1") == 503)
            #expect(harness.certServer.count(path: "/SimpleNotificationService-behind2.pem") == 0)
            // Another client behind the same proxy is not held back by the first one's penalty.
            #expect(try await post(try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL), for: "198.51.100.2") == 200)
            #expect(harness.logLines.contains { $0.contains(#""remote":"198.51.100.1""#) && $0.contains("starts no fetch") })
        }
    }
}
