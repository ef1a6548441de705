import Foundation
import SluiceTestSupport
import SluiceCore
import Testing
@testable import SluiceApp

/// `sns.path` moves the endpoint, named endpoints included; the default `/sns` is then not served.
@Suite(.serialized)
struct SNSEndpointPathTests {
    @Test func configuredPathServesTheEndpointAndSNSDoesNot() async throws {
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_SNS_PATH": "/feedback", "SLUICE_SNS_AUTO_CONFIRM": "false"])) { harness in
            let store = harness.context.store

            let bare = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.bounce("bare@example.com"))
            let bareResponse = try await harness.post(bare, path: "/feedback")
            #expect(bareResponse.status == 200, "\(bareResponse.bodyText)")
            #expect(bareResponse.bodyText == #"{"status":"stored"}"#)
            let named = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.bounce("named@example.com"))
            let namedResponse = try await harness.post(named, path: "/feedback/marketing")
            #expect(namedResponse.status == 200, "\(namedResponse.bodyText)")
            #expect(namedResponse.bodyText == #"{"status":"stored"}"#)
            #expect(try await store.hasMessage(id: bare.messageId))
            #expect(try await store.hasMessage(id: named.messageId))
            #expect(try await store.suppression(for: "named@example.com", scope: nil, at: harness.clock.now)?.reason == .hardBounce)

            // The name after the configured path is the endpoint name (kept on the subscription record).
            let confirmation = try await SNSEnvelope.signed(
                harness.pki, type: .subscriptionConfirmation, certURL: harness.certURL, message: "You have chosen to subscribe to the topic.",
                subscribeURL: "\(harness.certServer.origin)/?Action=ConfirmSubscription&TopicArn=\(SNSEnvelope.topicArn)&Token=t0k3n",
                token: "t0k3n")
            #expect(try await harness.post(confirmation, path: "/feedback/marketing").bodyText == #"{"status":"pending"}"#)
            #expect(try await store.subscription(topicArn: SNSEnvelope.topicArn)?.endpoint == "marketing")

            for path in ["/sns", "/sns/marketing"] {
                let stray = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.bounce("stray@example.com"))
                let response = try await harness.post(stray, path: path)
                #expect(response.status == 404, "\(path): \(response.status) \(response.bodyText)")
                #expect(try await store.hasMessage(id: stray.messageId) == false, "\(path)")
            }
            #expect(try await store.suppression(for: "stray@example.com", scope: nil, at: harness.clock.now) == nil)
            #expect(harness.messagesCounted(type: "Notification", verdict: "stored") == 2)
        }
    }
}
