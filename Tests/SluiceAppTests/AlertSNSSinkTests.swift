import SluiceTestSupport
import Foundation
import Testing
import SluiceAWS
import SluiceCore
import SluiceHTTP
import Synchronization
@testable import SluiceApp

/// The SNS alert sink against a 127.0.0.1 stand-in and moto, plus its configuration key.
struct AlertSNSSinkTests {
    static let fast = SNSAlertSink.Settings(maxQueue: 10, maxAttempts: 3, backoff: Backoff(base: 0.01, cap: 0.05), timeout: .seconds(2))
    static let keys = AWSCredentials(accessKeyId: "AKIDSINKTEST", secretAccessKey: "sink-secret")
    static let topic = SNSTopicARN("arn:aws:sns:eu-west-1:123456789012:sluice-alerts")!

    static let publishXML = """
        <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>\
        <MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult></PublishResponse>
        """

    static func errorXML(_ code: String) -> String {
        "<ErrorResponse><Error><Type>Sender</Type><Code>\(code)</Code><Message>no</Message></Error></ErrorResponse>"
    }

    static func publisher(_ endpoint: String) throws -> SNSPublisher {
        let client = try HTTPClient(configuration: HTTPClientConfiguration(
            connectTimeout: .seconds(2), readTimeout: .seconds(2), totalTimeout: .seconds(2), maxIdleConnectionsPerHost: 0))
        return SNSPublisher(
            configuration: SNSPublisherConfiguration(endpoint: URL(string: endpoint), credentials: StaticCredentialProvider(keys), httpClient: client),
            logger: MonitorFixture.silent)
    }

    /// The decoded fields of a form body.
    static func form(_ body: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            fields[SigV4Encoding.percentDecode(parts[0]) ?? parts[0]] = parts.count > 1 ? SigV4Encoding.percentDecode(parts[1]) : ""
        }
        return fields
    }

    /// Waits (bounded) until `condition` holds.
    static func eventually(_ condition: () async -> Bool) async -> Bool {
        for _ in 0..<500 {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }

    /// A stand-in answering with `replies` in turn, then 200 with a MessageId.
    static func standIn(_ replies: [TestHTTPServer.Response]) throws -> TestHTTPServer {
        let queue = Queue(replies)
        return try TestHTTPServer { _ in queue.next() ?? TestHTTPServer.Response(body: publishXML) }
    }

    final class Queue: Sendable {
        private let items: Mutex<[TestHTTPServer.Response]>
        init(_ items: [TestHTTPServer.Response]) { self.items = Mutex(items) }
        func next() -> TestHTTPServer.Response? { items.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
    }

    @Test func retriesAServerErrorThenPublishesTheWebhookJSON() async throws {
        let server = try Self.standIn([TestHTTPServer.Response(status: 500, body: Self.errorXML("InternalError"))])
        defer { server.stop() }
        let metrics = AppMetrics()
        let sink = SNSAlertSink(topic: Self.topic, publisher: try Self.publisher(server.baseURL), settings: Self.fast, metrics: metrics,
                                logger: MonitorFixture.silent)
        let n = AlertWebhookSinkTests.notification(1)
        await sink.submit([n])
        #expect(await Self.eventually { AlertWebhookSinkTests.counter(metrics, "sluice_alert_sns_delivered_total") == 1 })
        let requests = server.requests
        #expect(requests.count == 2)
        let fields = Self.form(try #require(requests.last).body)
        #expect(fields["Action"] == "Publish")
        #expect(fields["TopicArn"] == Self.topic.description)
        #expect(fields["Subject"] == "[Sluice] critical bounce_rate firing")
        #expect(fields["MessageGroupId"] == nil)
        // The message is byte for byte what the webhook would have received.
        #expect(fields["Message"] == String(decoding: WebhookPayload(n).json(), as: UTF8.self))
        let payload = try #require(try JSONSerialization.jsonObject(with: Data((fields["Message"] ?? "").utf8)) as? [String: Any])
        #expect(payload["id"] as? String == "bounce_rate|overall|1")
        #expect(payload["status"] as? String == "firing")
        #expect(AlertWebhookSinkTests.counter(metrics, "sluice_alert_sns_dropped_total{reason=\"attempts_exhausted\"}") == 0)
        await sink.shutdown()
    }

    @Test func anAuthorizationErrorIsNotRetried() async throws {
        let server = try Self.standIn([TestHTTPServer.Response(status: 403, body: Self.errorXML("AuthorizationError"))])
        defer { server.stop() }
        let metrics = AppMetrics()
        let sink = SNSAlertSink(topic: Self.topic, publisher: try Self.publisher(server.baseURL), settings: Self.fast, metrics: metrics,
                                logger: MonitorFixture.silent)
        await sink.submit([AlertWebhookSinkTests.notification(1)])
        #expect(await Self.eventually { AlertWebhookSinkTests.counter(metrics, "sluice_alert_sns_dropped_total{reason=\"rejected\"}") == 1 })
        try await Task.sleep(for: .milliseconds(200))
        #expect(server.requests.count == 1)
        #expect(AlertWebhookSinkTests.counter(metrics, "sluice_alert_sns_delivered_total") == 0)
        await sink.shutdown()
    }

    @Test func aFailingTopicGivesUpAfterBoundedAttemptsAndSubmitNeverWaits() async throws {
        let failing = Array(repeating: TestHTTPServer.Response(status: 503, body: Self.errorXML("ServiceUnavailable")), count: 100)
        let server = try Self.standIn(failing)
        defer { server.stop() }
        let metrics = AppMetrics()
        let sink = SNSAlertSink(topic: Self.topic, publisher: try Self.publisher(server.baseURL), settings: Self.fast, metrics: metrics,
                                logger: MonitorFixture.silent)
        let start = ContinuousClock.now
        await sink.submit([AlertWebhookSinkTests.notification(1), AlertWebhookSinkTests.notification(2)])
        #expect(ContinuousClock.now - start < .milliseconds(100))
        #expect(await Self.eventually {
            AlertWebhookSinkTests.counter(metrics, "sluice_alert_sns_dropped_total{reason=\"attempts_exhausted\"}") == 2
        })
        // Three attempts each (maxAttempts), then nothing more.
        try await Task.sleep(for: .milliseconds(200))
        #expect(server.requests.count == 6)
        #expect(await sink.pending == 0)
        await sink.shutdown()
    }

    @Test(arguments: ["sluice-sink-alerts", "sluice-sink-alerts.fifo"])
    func publishesToAMotoTopic(name: String) async throws {
        let moto = try await MotoServer.shared()
        let publisher = try Self.publisher(moto.baseURL)
        var parameters = [("Action", "CreateTopic"), ("Version", "2010-03-31"), ("Name", name)]
        if name.hasSuffix(".fifo") { parameters += [("Attributes.entry.1.key", "FifoTopic"), ("Attributes.entry.1.value", "true")] }
        let created = try await publisher.perform(action: "CreateTopic", region: "us-east-1", parameters: parameters)
        let arn = try #require(created.bodyText.components(separatedBy: "<TopicArn>").last?.components(separatedBy: "</TopicArn>").first)
        let topic = try #require(SNSTopicARN(arn))

        let metrics = AppMetrics()
        let sink = SNSAlertSink(topic: topic, publisher: publisher, settings: Self.fast, metrics: metrics, logger: MonitorFixture.silent)
        let n = AlertWebhookSinkTests.notification(7, status: .resolved)
        await sink.submit([n])
        await sink.shutdown()
        #expect(AlertWebhookSinkTests.counter(metrics, "sluice_alert_sns_delivered_total") == 1)

        let topics = ((try await moto.modelData()["sns"] as? [String: Any])?["Topic"] as? [[String: Any]]) ?? []
        let recorded = try #require(topics.first { $0["arn"] as? String == arn })
        let sent = try #require((recorded["sent_notifications"] as? [[Any]])?.last)
        #expect(sent[1] as? String == String(decoding: WebhookPayload(n).json(), as: UTF8.self))
        #expect(sent[2] as? String == "[Sluice] critical bounce_rate resolved")
        #expect(sent[4] as? String == (name.hasSuffix(".fifo") ? "sluice-alerts" : nil))
    }

    @Test func theTopicKeyIsValidatedAndWiresTheSink() async throws {
        let arn = "arn:aws:sns:eu-west-1:123456789012:sluice-alerts"
        let c = try ConfigurationLoader().load(fileText: nil, environment: ["SLUICE_MONITORING_ALERT_SNS_TOPIC_ARN": arn])
        #expect(c.string("monitoring.alert_sns_topic_arn") == arn)
        #expect(MonitoringConfiguration(configuration: c).alertSNSTopic == Self.topic)
        #expect(MonitoringConfiguration(configuration: .defaults).alertSNSTopic == nil)
        for bad in ["sluice-alerts", "arn:aws:sqs:eu-west-1:123456789012:q", "arn:aws:sns:eu-west-1:12345:t", "arn:aws:sns:eu-west-1:123456789012:"] {
            let error = #expect(throws: ConfigurationError.self) {
                try ConfigurationLoader().load(fileText: "[monitoring]\nalert_sns_topic_arn = \"\(bad)\"\n", environment: [:])
            }
            #expect(error?.code == .invalidValue)
            #expect(error?.message.contains("monitoring.alert_sns_topic_arn") == true)
        }

        // Configured, the monitor builds the sink (its metrics appear); nothing is published until an alert.
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let configuration = try MonitorFixture.configuration(
            databasePath: dir.databasePath, extra: [("monitoring.alert_sns_topic_arn", .string(arn))])
        let app = try MonitorFixture.app(configuration, clock: TestClock(MonitorFixture.start))
        defer { app.context.store.close() }
        #expect(app.context.metrics.registry.render().contains("sluice_alert_sns_delivered_total 0"))
    }
}
