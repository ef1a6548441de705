import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceAWS

/// SNS Publish against moto and against a local stand-in that checks every SigV4 signature server-side.
struct SNSPublisherTests {
    static let keys = AWSCredentials(accessKeyId: "AKIDSNSTEST", secretAccessKey: "sns-secret", sessionToken: "sns-session")

    static func publisher(endpoint: String, credentials: any CredentialProvider = StaticCredentialProvider(keys)) throws -> SNSPublisher {
        SNSPublisher(
            configuration: SNSPublisherConfiguration(
                endpoint: URL(string: endpoint), credentials: credentials, httpClient: try AWSTestSupport.httpClient()),
            logger: AWSTestSupport.logger)
    }

    /// `CreateTopic` through the same signed call; returns the topic ARN moto made.
    static func createTopic(_ name: String, with publisher: SNSPublisher, region: String = "us-east-1") async throws -> SNSTopicARN {
        let response = try await publisher.perform(
            action: "CreateTopic", region: region, parameters: [("Action", "CreateTopic"), ("Version", "2010-03-31"), ("Name", name)])
        let arn = try #require(SNSXMLText.first(path: ["CreateTopicResponse", "CreateTopicResult", "TopicArn"], in: response.body))
        return try #require(SNSTopicARN(arn), "\(arn)")
    }

    static func errorXML(_ code: String, _ message: String, type: String = "Sender") -> String {
        """
        <ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>\(type)</Type><Code>\(code)</Code>\
        <Message>\(message)</Message></Error><RequestId>7a62c49f-347e-4fc4-9331-6e8e7a96aa73</RequestId></ErrorResponse>
        """
    }

    static let publishXML = """
        <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>\
        <MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult>\
        <ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata></PublishResponse>
        """

    // MARK: moto

    @Test func publishesToATopicCreatedInMoto() async throws {
        let moto = try await MotoServer.shared()
        let publisher = try Self.publisher(endpoint: moto.baseURL)
        let topic = try await Self.createTopic("sluice-publisher-test", with: publisher)
        #expect(topic.region == "us-east-1")
        let message = #"{"source":"sluice","text":"bounce rate 10% é"}"#
        let id = try await publisher.publish(SNSPublishRequest(topic: topic, message: message, subject: "[Sluice] critical\nbounce_rate firing"))
        #expect(!id.isEmpty)

        // moto keeps (MessageId, Message, Subject, attributes, group) per topic.
        let topics = ((try await moto.modelData()["sns"] as? [String: Any])?["Topic"] as? [[String: Any]]) ?? []
        let recorded = try #require(topics.first { $0["arn"] as? String == topic.description })
        let sent = try #require((recorded["sent_notifications"] as? [[Any]])?.first { $0.first as? String == id })
        #expect(sent[1] as? String == message)
        #expect(sent[2] as? String == "[Sluice] critical bounce_rate firing")
    }

    @Test func publishingToAMissingTopicIsAPermanentNotFound() async throws {
        let moto = try await MotoServer.shared()
        let publisher = try Self.publisher(endpoint: moto.baseURL)
        let missing = try #require(SNSTopicARN("arn:aws:sns:us-east-1:123456789012:sluice-never-created"))
        let error = await #expect(throws: SNSPublishError.self) {
            try await publisher.publish(SNSPublishRequest(topic: missing, message: "m"))
        }
        #expect(error?.code == .service)
        #expect(error?.awsErrorType == "NotFound")
        #expect(error?.httpStatus == 404)
        #expect(error?.isRetryable == false)
    }

    // MARK: stand-in

    /// Serves `reply` for requests whose signature verifies; 403 `SignatureDoesNotMatch` otherwise.
    private func makeServer(_ reply: @escaping @Sendable (TestHTTPServer.Request) -> TestHTTPServer.Response) throws -> TestHTTPServer {
        let verifier = SigV4Verifier(credentials: Self.keys)
        return try TestHTTPServer { request in
            guard verifier.verify(request) else {
                return TestHTTPServer.Response(status: 403, body: Self.errorXML("SignatureDoesNotMatch", "signature mismatch"))
            }
            return reply(request)
        }
    }

    @Test func signsForSNSInTheTopicsRegionAndPostsTheForm() async throws {
        let server = try makeServer { _ in TestHTTPServer.Response(body: Self.publishXML) }
        defer { server.stop() }
        let topic = try #require(SNSTopicARN("arn:aws:sns:ap-southeast-2:123456789012:alerts"))
        let request = SNSPublishRequest(topic: topic, message: "hello & bye", subject: "s")
        let id = try await Self.publisher(endpoint: server.baseURL).publish(request)
        #expect(id == "567910cd-659e-55d4-8ccb-5aaf14679dc0")

        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.target == "/")
        #expect(received.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(received.body == SNSPublishRequest.formBody(request.formParameters))
        #expect(received.header("X-Amz-Security-Token") == "sns-session")
        let authorization = try #require(received.header("Authorization"))
        let auth = try #require(SigV4Verifier.parse(authorization))
        #expect(auth.service == "sns")
        #expect(auth.region == "ap-southeast-2")
        #expect(auth.signedHeaders.contains("content-type"))
    }

    @Test(arguments: [
        (403, "AuthorizationError", false),
        (404, "NotFound", false),
        (400, "InvalidParameter", false),
        (400, "KMSAccessDenied", false),
        (429, "Throttled", true),
        (400, "Throttling", true),
        (400, "KMSThrottling", true),
        (500, "InternalError", true),
        (503, "ServiceUnavailable", true),
        (403, "InvalidClientTokenId", true),
    ])
    func errorsAreClassified(status: Int, code: String, retryable: Bool) async throws {
        let server = try makeServer { _ in TestHTTPServer.Response(status: status, body: Self.errorXML(code, "why &amp; how")) }
        defer { server.stop() }
        let topic = try #require(SNSTopicARN("arn:aws:sns:eu-west-1:123456789012:alerts"))
        let error = await #expect(throws: SNSPublishError.self) {
            try await Self.publisher(endpoint: server.baseURL).publish(SNSPublishRequest(topic: topic, message: "m"))
        }
        #expect(error?.code == .service)
        #expect(error?.awsErrorType == code)
        #expect(error?.httpStatus == status)
        #expect(error?.message == "why & how")
        #expect(error?.isRetryable == retryable)
    }

    @Test func aBareServerErrorAndAnAnswerWithoutMessageIdAreRetryable() async throws {
        let replies = [TestHTTPServer.Response(status: 502, body: "<html>bad gateway</html>"), TestHTTPServer.Response(body: "<html>portal</html>")]
        let topic = try #require(SNSTopicARN("arn:aws:sns:eu-west-1:123456789012:alerts"))
        for (reply, code) in zip(replies, [SNSPublishError.Code.service, .invalidResponse]) {
            let server = try makeServer { _ in reply }
            defer { server.stop() }
            let error = await #expect(throws: SNSPublishError.self) {
                try await Self.publisher(endpoint: server.baseURL).publish(SNSPublishRequest(topic: topic, message: "m"))
            }
            #expect(error?.code == code)
            #expect(error?.awsErrorType == nil)
            #expect(error?.isRetryable == true)
        }
    }

    @Test func anUnreachableEndpointIsARetryableNetworkError() async throws {
        let topic = try #require(SNSTopicARN("arn:aws:sns:eu-west-1:123456789012:alerts"))
        let error = await #expect(throws: SNSPublishError.self) {
            try await Self.publisher(endpoint: try AWSTestSupport.closedPortURL()).publish(SNSPublishRequest(topic: topic, message: "m"))
        }
        #expect(error?.code == .network)
        #expect(error?.isRetryable == true)
    }

    @Test func aClockSkewRefusalMakesTheNextCallSignWithSNSsClock() async throws {
        let snsNow = Date().addingTimeInterval(3600)
        let server = try TestHTTPServer { _ in
            TestHTTPServer.Response(
                status: 400, headers: [("Date", TestHTTPServer.Response.httpDate(snsNow))],
                body: Self.errorXML("RequestExpired", "Request has expired."))
        }
        defer { server.stop() }
        let publisher = try Self.publisher(endpoint: server.baseURL)
        let topic = try #require(SNSTopicARN("arn:aws:sns:eu-west-1:123456789012:alerts"))
        let error = await #expect(throws: SNSPublishError.self) { try await publisher.publish(SNSPublishRequest(topic: topic, message: "m")) }
        #expect(error?.isRetryable == true)
        #expect(abs(publisher.clockOffset - 3600) < 5)
    }

    @Test func anEmptyMessageIsRefusedBeforeAnyCall() async throws {
        let topic = try #require(SNSTopicARN("arn:aws:sns:eu-west-1:123456789012:alerts"))
        let error = await #expect(throws: SNSPublishError.self) {
            try await Self.publisher(endpoint: try AWSTestSupport.closedPortURL()).publish(SNSPublishRequest(topic: topic, message: ""))
        }
        #expect(error?.code == .invalidRequest)
        #expect(error?.isRetryable == false)
    }
}
