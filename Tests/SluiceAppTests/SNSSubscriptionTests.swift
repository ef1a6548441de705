import Foundation
import SluiceCore
import SluiceTestSupport
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
        try await withFixture(try await SNSAppHarness.make()) { harness in
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
    }

    /// A pattern with a wildcard account also matches topics anyone can create: their notifications pass,
    /// but a subscription is never confirmed automatically (so a stranger's topic never gets one).
    @Test func aTopicAllowedOnlyByAWildcardAccountIsNotConfirmedAutomatically() async throws {
        let parts = SNSEnvelope.topicArn.split(separator: ":")
        let anyAccount = "arn:aws:sns:\(parts[3]):*:\(parts[5])"
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_SNS_TOPIC_ARNS": anyAccount])) { harness in
            harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
            let response = try await harness.post(try await Self.confirmation(harness))
            #expect(response.status == 200, "\(response.bodyText)")
            #expect(response.bodyText == #"{"status":"pending"}"#)
            #expect(harness.certServer.count(path: "/") == 0)
            #expect(try await harness.context.store.subscription(topicArn: SNSEnvelope.topicArn)?.state == .pending)
            #expect(harness.logLines.contains { $0.contains("wildcard account") && $0.contains(#""level":"warning""#) })
            #expect(harness.logLines.contains { $0.contains("may match topics in any AWS account") })
        }
    }

    @Test func subscribeURLAttacksAreNeverVisited() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
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
    }

    /// `SubscribeURL` and `Token` are both in the signed string of a SubscriptionConfirmation. Each tampered
    /// message is built so that, without the signature check, it would pass every SubscribeURL rule and
    /// be visited; the untouched original then proves the set-up confirms.
    @Test func subscribeURLOrTokenChangedAfterSigningIsRefused() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
            let signedURL = "\(harness.certServer.origin)/?Action=ConfirmSubscription&TopicArn=\(SNSEnvelope.topicArn)&Token=t0k3n"

            var url = try await Self.confirmation(harness, subscribeURL: signedURL)
            url.fields["SubscribeURL"] = signedURL + "&Attacker=1"
            // Signed with a Token the URL does not carry; the tamper makes the two agree again.
            var token = try await SNSEnvelope.signed(
                harness.pki, type: .subscriptionConfirmation, certURL: harness.certURL, message: "You have chosen to subscribe to the topic.",
                subscribeURL: signedURL, token: "signed-token")
            token.fields["Token"] = "t0k3n"

            for (field, envelope) in [("SubscribeURL", url), ("Token", token)] {
                let response = try await harness.post(envelope)
                #expect(response.status == 403, "\(field): \(response.bodyText)")
                #expect(response.bodyText.contains("bad_signature"), "\(field): \(response.bodyText)")
            }
            #expect(harness.certServer.count(path: "/") == 0)
            #expect(harness.certServer.requests.allSatisfy { $0.path == harness.certPath })
            #expect(try await harness.context.store.subscriptions().isEmpty)
            #expect(harness.messagesCounted(type: "SubscriptionConfirmation", verdict: "bad_signature") == 2)

            let original = try await harness.post(try await Self.confirmation(harness, subscribeURL: signedURL))
            #expect(original.bodyText == #"{"status":"confirmed"}"#)
            #expect(harness.certServer.count(path: "/") == 1)
        }
    }

    /// `sluice sns confirm` re-checks the topic against the allow-list of the configuration it runs with:
    /// a subscription recorded while the topic was allowed is not confirmed once it no longer is.
    @Test func cliRefusesATopicOutsideItsAllowList() async throws {
        // Ahead of real time (within sns.max_age_seconds of the messages' Timestamp), on a whole second:
        // the pending record's UPDATED is then this exact time, and a later CLI write is told apart.
        let recordedAt = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3600).rounded(.down))
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_SNS_AUTO_CONFIRM": "false"], clock: SNSTestClock(recordedAt))) { harness in
            harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
            #expect(try await harness.post(try await Self.confirmation(harness)).bodyText == #"{"status":"pending"}"#)

            let formatter = ISO8601DateFormatter()
            let pendingRow = "\(SNSEnvelope.topicArn)\tpending\t\(formatter.string(from: recordedAt))\tdefault"
            let listed = try await SluiceBinary.run(["sns", "subscriptions"], environment: harness.environment)
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.stdout.split(separator: "\n").map(String.init) == ["TOPIC\tSTATE\tUPDATED\tENDPOINT", pendingRow])

            for topics in ["arn:aws:sns:us-east-1:123456789012:other", ""] {
                var environment = harness.environment
                environment["SLUICE_SNS_TOPIC_ARNS"] = topics
                let refused = try await SluiceBinary.run(["sns", "confirm", SNSEnvelope.topicArn], environment: environment)
                #expect(refused.status == 1, "[\(topics)] \(refused.stdout) \(refused.stderr)")
                #expect(refused.stderr.contains("error: cannot confirm: TopicArn is not an allowed topic (sns.topic_arns)"), "[\(topics)] \(refused.stderr)")
                #expect(refused.stdout.isEmpty)
            }
            #expect(harness.certServer.count(path: "/") == 0)
            // A refusal writes nothing: still pending, UPDATED unchanged.
            let unchanged = try await SluiceBinary.run(["sns", "subscriptions"], environment: harness.environment)
            #expect(unchanged.stdout.split(separator: "\n").last.map(String.init) == pendingRow)
            #expect(try await harness.context.store.subscription(topicArn: SNSEnvelope.topicArn)?.state == .pending)

            // With the topic allowed the same command confirms, and UPDATED becomes the CLI's own time.
            let before = Date().timeIntervalSince1970.rounded(.down)
            let confirmed = try await SluiceBinary.run(["sns", "confirm", SNSEnvelope.topicArn], environment: harness.environment)
            let after = Date().timeIntervalSince1970.rounded(.up)  // UPDATED has whole seconds
            #expect(confirmed.status == 0, "\(confirmed.stderr)")
            #expect(harness.certServer.count(path: "/") == 1)
            let row = try await SluiceBinary.run(["sns", "subscriptions"], environment: harness.environment)
                .stdout.split(separator: "\n").last?.split(separator: "\t").map(String.init) ?? []
            #expect(row.count == 4)
            #expect(row.first == SNSEnvelope.topicArn)
            #expect(row.dropFirst().first == "confirmed")
            let updated = try #require(row.count == 4 ? formatter.date(from: row[2]) : nil, "\(row)")
            #expect(updated.timeIntervalSince1970 >= before && updated.timeIntervalSince1970 <= after, "\(row)")
        }
    }

    @Test func pendingSubscriptionIsConfirmedByTheCLI() async throws {
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_SNS_AUTO_CONFIRM": "false"])) { harness in
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
    }

    @Test func failedConfirmationIsRecordedForARetry() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            harness.certRoutes.set("/", .response("<Error/>", status: "403 Forbidden"))
            let response = try await harness.post(try await Self.confirmation(harness))
            #expect(response.bodyText == #"{"status":"confirm_failed"}"#)
            #expect(try await harness.context.store.subscription(topicArn: SNSEnvelope.topicArn)?.state == .confirmFailed)
            harness.certRoutes.set("/", .response("busy", status: "503 Service Unavailable"))
            let transient = try await harness.post(try await Self.confirmation(harness))
            #expect(transient.status == 503)
            #expect(harness.messagesCounted(type: "SubscriptionConfirmation", verdict: "confirm_failed") == 2)
        }
    }

    @Test func unsubscribeConfirmationIsRecordedAndWarned() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
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
    }

    /// A topic subscribed at two endpoints (a move from `/sns` to `/sns/new`) has a record for each: the old
    /// one's unsubscribe leaves the new one confirmed, and `sluice sns confirm` then needs the endpoint named.
    @Test func eachEndpointOfATopicKeepsItsOwnRecord() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
            #expect(try await harness.post(try await Self.confirmation(harness)).status == 200)
            #expect(try await harness.post(try await Self.confirmation(harness), path: "/sns/new").status == 200)
            let unsubscribe = try await Self.confirmation(harness, type: .unsubscribeConfirmation)
            #expect(try await harness.post(unsubscribe).bodyText == #"{"status":"unsubscribed"}"#)
            let records = try await harness.context.store.subscriptions(topicArn: SNSEnvelope.topicArn)
            #expect(records.map(\.endpoint) == ["default", "new"])
            #expect(records.map(\.state) == [.unsubscribed, .confirmed])
            #expect(harness.logLines.contains { $0.contains("the topic still feeds another") })

            let service = SNSSubscriptionService(
                settings: SNSEndpointSettings(configuration: harness.context.configuration), store: harness.context.store,
                logger: harness.context.logger)
            let error = await #expect(throws: SNSSubscriptionError.self) { try await service.confirm(topicArn: SNSEnvelope.topicArn) }
            #expect(error?.code == .ambiguous)
            #expect(error?.message.contains("default, new") == true)
            let confirmed = try await service.confirm(topicArn: SNSEnvelope.topicArn, endpoint: "default")
            #expect(confirmed.state == .confirmed && confirmed.endpoint == "default")
        }
    }

    /// A confirmation acts before it is stored: its redelivery (or a replay inside the window) must not
    /// visit the SubscribeURL again, nor may an old confirmation undo a later unsubscribe.
    @Test func redeliveredConfirmationsActOnce() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
            let subscribe = try await Self.confirmation(harness)
            #expect(try await harness.post(subscribe).bodyText == #"{"status":"confirmed"}"#)
            #expect(try await harness.post(subscribe).bodyText == #"{"status":"duplicate"}"#)
            #expect(harness.certServer.count(path: "/") == 1)

            let unsubscribe = try await Self.confirmation(harness, type: .unsubscribeConfirmation)
            #expect(try await harness.post(unsubscribe).bodyText == #"{"status":"unsubscribed"}"#)
            let replayed = try await harness.post(subscribe)
            #expect(replayed.status == 200)
            #expect(replayed.bodyText == #"{"status":"duplicate"}"#)
            #expect(try await harness.context.store.subscription(topicArn: SNSEnvelope.topicArn)?.state == .unsubscribed)
            #expect(harness.certServer.count(path: "/") == 1)
            #expect(try await harness.post(unsubscribe).bodyText == #"{"status":"duplicate"}"#)
            let warnings = harness.logLines.filter { $0.contains("was unsubscribed") && $0.contains(#""level":"warning""#) }
            #expect(warnings.count == 1)
            #expect(harness.messagesCounted(type: "SubscriptionConfirmation", verdict: "duplicate") == 2)
            #expect(harness.messagesCounted(type: "UnsubscribeConfirmation", verdict: "duplicate") == 1)
        }
    }

    /// A confirmation that failed for now (503 to SNS) is not stored as handled: SNS's redelivery confirms.
    @Test func redeliveryAfterATransientFailureConfirms() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            harness.certRoutes.set("/", .response("busy", status: "503 Service Unavailable"))
            let subscribe = try await Self.confirmation(harness)
            #expect(try await harness.post(subscribe).status == 503)
            #expect(try await !harness.context.store.hasMessage(id: subscribe.messageId))
            harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
            let redelivered = try await harness.post(subscribe)
            #expect(redelivered.bodyText == #"{"status":"confirmed"}"#)
            #expect(try await harness.context.store.subscription(topicArn: SNSEnvelope.topicArn)?.state == .confirmed)
            #expect(try await harness.context.store.hasMessage(id: subscribe.messageId))
            #expect(harness.certServer.count(path: "/") == 2)
        }
    }

    /// Two deliveries of one confirmation at once: the first visits the SubscribeURL, the second is asked to
    /// retry (503) instead of visiting it too, and that retry answers `duplicate`.
    @Test func concurrentDeliveriesOfOneConfirmationVisitTheSubscribeURLOnce() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
            harness.certRoutes.hold("/")
            let subscribe = try await Self.confirmation(harness)
            async let first = harness.post(subscribe)
            #expect(await eventually { harness.certServer.count(path: "/") == 1 })
            let second = try await harness.post(subscribe)
            #expect(second.status == 503)
            #expect(second.bodyText.contains(#""in_progress""#))
            harness.certRoutes.release("/")
            #expect(try await first.bodyText == #"{"status":"confirmed"}"#)
            let retried = try await harness.post(subscribe)
            #expect(retried.bodyText == #"{"status":"duplicate"}"#)
            #expect(harness.certServer.count(path: "/") == 1)
        }
    }

    @Test func emptyTopicListConfirmsNothingAndWarnsAtStart() async throws {
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_SNS_TOPIC_ARNS": ""])) { harness in
            harness.certRoutes.set("/", SNSTestRoutes.confirmationResponse(Self.subscriptionArn))
            // Once: the start-up advisories are logged in one place, not again by the SNS routes.
            #expect(harness.logLines.filter { $0.contains("sns.topic_arns is empty") && $0.contains(#""level":"warning""#) }.count == 1)
            let response = try await harness.post(try await Self.confirmation(harness))
            #expect(response.status == 403)
            #expect(harness.certServer.requests.isEmpty)
            #expect(try await harness.context.store.subscriptions().isEmpty)
        }
    }
}
