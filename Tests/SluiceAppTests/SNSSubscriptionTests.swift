import Foundation
import SluiceCore
import Testing
@testable import SluiceApp

/// SubscriptionConfirmation and UnsubscribeConfirmation end to end, including `sluice sns confirm`.
@Suite(.serialized)
struct SNSSubscriptionTests {
    static let subscriptionArn = SNSEnvelope.topicArn + ":4f2c1f44-0d3c-4a6b-9e7a-000000000001"

    static func confirmation(_ harness: SNSAppHarness, subscribeURL: String? = nil, type: SNSMessageType = .subscriptionConfirmation) async throws -> SNSEnvelope {
        let url = subscribeURL ?? "\(harness.certServer.origin)/?Action=ConfirmSubscription&TopicArn=\(SNSEnvelope.topicArn)&Token=t0k3n"
        return try await SNSEnvelope.signed(
            harness.pki, type: type, certURL: harness.certURL, message: "You have chosen to subscribe to the topic.",
            subscribeURL: url, token: "t0k3n")
    }

    @Test func allowedTopicIsConfirmedAutomatically() async throws {
        let harness = try await SNSAppHarness.make()
        defer { Task { await harness.stop() } }
        harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
        let response = try await harness.post(try await Self.confirmation(harness))
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(response.bodyText == #"{"status":"confirmed"}"#)
        #expect(harness.certServer.count(path: "/") == 1)
        let record = try #require(try await harness.context.store.subscription(topicArn: SNSEnvelope.topicArn))
        #expect(record.state == .confirmed)
        #expect(record.subscriptionArn == Self.subscriptionArn)
        #expect(record.endpoint == "default")
        #expect(harness.messagesCounted(type: "SubscriptionConfirmation", verdict: "confirmed") == 1)
    }

    @Test func subscribeURLAttacksAreNeverVisited() async throws {
        let harness = try await SNSAppHarness.make()
        defer { Task { await harness.stop() } }
        harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
        let origin = harness.certServer.origin
        let topic = SNSEnvelope.topicArn
        let attacks = [
            "https://evil.example/?Action=ConfirmSubscription&TopicArn=\(topic)&Token=t0k3n",
            "http://127.0.0.1:\(harness.certServer.port)/?Action=ConfirmSubscription&TopicArn=\(topic)&Token=t0k3n",
            "https://sns.us-east-1.amazonaws.com.evil.example/?Action=ConfirmSubscription&TopicArn=\(topic)&Token=t0k3n",
            "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=\(topic)&Token=t0k3n",
            "\(origin)/?Action=Unsubscribe&TopicArn=\(topic)&Token=t0k3n",
            "\(origin)/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:other&Token=t0k3n",
            "\(origin)/?Action=ConfirmSubscription&TopicArn=\(topic)&Token=another",
            "\(origin)/admin?Action=ConfirmSubscription&TopicArn=\(topic)&Token=t0k3n",
            "https://user@127.0.0.1:\(harness.certServer.port)/?Action=ConfirmSubscription&TopicArn=\(topic)&Token=t0k3n",
        ]
        for url in attacks {
            let response = try await harness.post(try await Self.confirmation(harness, subscribeURL: url))
            #expect(response.status == 403, "\(url): \(response.bodyText) \(harness.logLines.filter { $0.contains("fetch") }.prefix(2))")
            #expect(response.bodyText.contains("subscribe_url_refused"), "\(url): \(response.bodyText)")
        }
        #expect(harness.certServer.requests.allSatisfy { $0.path == harness.certPath })
        #expect(try await harness.context.store.subscriptions().isEmpty)
    }

    @Test func pendingSubscriptionIsConfirmedByTheCLI() async throws {
        let harness = try await SNSAppHarness.make(extra: ["SLUICE_SNS_AUTO_CONFIRM": "false"])
        defer { Task { await harness.stop() } }
        harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
        let response = try await harness.post(try await Self.confirmation(harness), path: "/sns/feedback")
        #expect(response.bodyText == #"{"status":"pending"}"#)
        #expect(harness.certServer.count(path: "/") == 0)
        #expect(try await harness.context.store.subscription(topicArn: SNSEnvelope.topicArn)?.state == .pending)

        let listed = try await SluiceBinary.run(["sns", "subscriptions"], environment: harness.environment)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("\(SNSEnvelope.topicArn)\tpending\t"))

        let confirmed = try await SluiceBinary.run(["sns", "confirm", SNSEnvelope.topicArn], environment: harness.environment)
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        #expect(confirmed.stdout.contains(Self.subscriptionArn))
        #expect(harness.certServer.count(path: "/") == 1)
        let record = try await harness.context.store.subscription(topicArn: SNSEnvelope.topicArn)
        #expect(record?.state == .confirmed)
        #expect(record?.endpoint == "feedback")

        let after = try await SluiceBinary.run(["sns", "subscriptions"], environment: harness.environment)
        #expect(after.stdout.contains("\(SNSEnvelope.topicArn)\tconfirmed\t"))
        let unknown = try await SluiceBinary.run(["sns", "confirm", "arn:aws:sns:us-east-1:123456789012:nothing"], environment: harness.environment)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no SubscriptionConfirmation recorded"))
    }

    @Test func failedConfirmationIsRecordedForARetry() async throws {
        let harness = try await SNSAppHarness.make()
        defer { Task { await harness.stop() } }
        harness.certRoutes.set("/", .response("<Error/>", status: "403 Forbidden"))
        let response = try await harness.post(try await Self.confirmation(harness))
        #expect(response.bodyText == #"{"status":"confirm_failed"}"#)
        #expect(try await harness.context.store.subscription(topicArn: SNSEnvelope.topicArn)?.state == .confirmFailed)
        harness.certRoutes.set("/", .response("busy", status: "503 Service Unavailable"))
        let transient = try await harness.post(try await Self.confirmation(harness))
        #expect(transient.status == 503)
        #expect(harness.messagesCounted(type: "SubscriptionConfirmation", verdict: "confirm_failed") == 2)
    }

    @Test func unsubscribeConfirmationIsRecordedAndWarned() async throws {
        let harness = try await SNSAppHarness.make()
        defer { Task { await harness.stop() } }
        harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
        #expect(try await harness.post(try await Self.confirmation(harness)).status == 200)
        let unsubscribe = try await Self.confirmation(harness, type: .unsubscribeConfirmation)
        let response = try await harness.post(unsubscribe)
        #expect(response.bodyText == #"{"status":"unsubscribed"}"#)
        let record = try await harness.context.store.subscription(topicArn: SNSEnvelope.topicArn)
        #expect(record?.state == .unsubscribed)
        #expect(record?.subscriptionArn == Self.subscriptionArn)
        #expect(try await harness.context.store.hasMessage(id: unsubscribe.messageId))
        #expect(harness.logLines.contains { $0.contains("unsubscribed") && $0.contains(#""level":"warning""#) })
        // Only the SubscriptionConfirmation visited its URL.
        #expect(harness.certServer.count(path: "/") == 1)
    }

    @Test func emptyTopicListConfirmsNothingAndWarnsAtStart() async throws {
        let harness = try await SNSAppHarness.make(extra: ["SLUICE_SNS_TOPIC_ARNS": ""])
        defer { Task { await harness.stop() } }
        harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
        #expect(harness.logLines.contains { $0.contains("sns.topic_arns is empty") && $0.contains(#""level":"warning""#) })
        let response = try await harness.post(try await Self.confirmation(harness))
        #expect(response.status == 403)
        #expect(harness.certServer.requests.isEmpty)
        #expect(try await harness.context.store.subscriptions().isEmpty)
    }
}
