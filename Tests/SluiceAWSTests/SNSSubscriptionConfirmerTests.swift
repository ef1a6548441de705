import SluiceTestSupport
import Foundation
import SluiceAWS
import SluiceCore
import Testing

/// `SubscriptionConfirmer` against a real HTTPS server on 127.0.0.1.
struct SNSSubscriptionConfirmerTests {
    static let subscriptionArn = SNSTestKit.topicArn + ":2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"
    static let encodedTopic = SNSTestKit.topicArn.replacingOccurrences(of: ":", with: "%3A")

    static func confirmer(_ pki: SNSTestPKI, _ server: SNSTestServer, topics: [String] = [SNSTestKit.topicArn]) throws -> SubscriptionConfirmer {
        try SubscriptionConfirmer(
            policy: SNSTestKit.policy(port: server.port, topics: topics),
            configuration: SubscriptionConfirmerConfiguration(extraCAFile: pki.caFile, trustSystemStore: false, timeout: .seconds(2)),
            logger: SNSTestKit.logger)
    }

    static func subscribeURL(_ server: SNSTestServer, action: String = "ConfirmSubscription", topic: String = encodedTopic) -> String {
        "\(server.origin)/?Action=\(action)&TopicArn=\(topic)&Token=2336412f37fb687f5d51e6e2425c464de"
    }

    static func confirmation(_ pki: SNSTestPKI, _ server: SNSTestServer, url: String? = nil) throws -> SNSMessage {
        try SNSTestKit.signed(
            pki, type: .subscriptionConfirmation, certURL: server.origin + SNSTestKit.newCertPath(),
            message: "You have chosen to subscribe to the topic.", subscribeURL: url ?? subscribeURL(server),
            token: "2336412f37fb687f5d51e6e2425c464de")
    }

    static func confirm(_ confirmer: SubscriptionConfirmer, _ message: SNSMessage) async -> Result<String, SNSVerificationError> {
        do {
            return .success(try await confirmer.confirm(message))
        } catch {
            return .failure(error)
        }
    }

    static func error(_ result: Result<String, SNSVerificationError>) -> SNSVerificationError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    @Test func confirmsAndReturnsSubscriptionArn() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        routes.set("/", .response(SNSTestKit.confirmationResponse(Self.subscriptionArn), headers: ["Content-Type: text/xml"]))
        let message = try Self.confirmation(pki, server)
        let arn = try await Self.confirm(try Self.confirmer(pki, server), message).get()
        #expect(arn == Self.subscriptionArn)
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.head.hasPrefix("GET /?Action=ConfirmSubscription&TopicArn=\(Self.encodedTopic)&Token="))
    }

    @Test func refusesURLsOutsidePolicyWithoutRequesting() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        routes.set("/", .response(SNSTestKit.confirmationResponse(Self.subscriptionArn)))
        let confirmer = try Self.confirmer(pki, server)
        let query = "?Action=ConfirmSubscription&TopicArn=\(Self.encodedTopic)&Token=t"
        let urls = [
            "https://127.0.0.2:\(server.port)/\(query)",  // other host
            "https://localhost:\(server.port)/\(query)",  // other host name for the same server
            "https://127.0.0.1:\(server.port + 1)/\(query)",  // other port
            "http://127.0.0.1:\(server.port)/\(query)",  // plain http
            "https://user@127.0.0.1:\(server.port)/\(query)",  // userinfo
            "https://127.0.0.1:\(server.port)@evil.example/\(query)",
            "https://sns.us-west-2.amazonaws.com/\(query)",  // other region than the topic
            "https://169.254.169.254/latest/meta-data/",  // SSRF to instance metadata
            Self.subscribeURL(server, action: "Unsubscribe"),
            Self.subscribeURL(server, topic: "arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aother"),
            Self.subscribeURL(server) + "&Action=ConfirmSubscription",
            "\(server.origin)/other\(query)",
        ]
        for url in urls {
            let error = Self.error(await Self.confirm(confirmer, try Self.confirmation(pki, server, url: url)))
            #expect(error?.code == .subscribeURLRejected, "\(url)")
            #expect(error?.message.contains("\n") == false)
        }
        #expect(server.requests.isEmpty)
    }

    @Test func refusesTopicNotAllowedAndOtherTypes() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        routes.set("/", .response(SNSTestKit.confirmationResponse(Self.subscriptionArn)))
        let notListed = try Self.confirmer(pki, server, topics: ["arn:aws:sns:us-east-1:123456789012:other-*"])
        #expect(Self.error(await Self.confirm(notListed, try Self.confirmation(pki, server)))?.code == .confirmationNotAllowed)
        var unsubscribe = try Self.confirmation(pki, server)
        unsubscribe.type = .unsubscribeConfirmation
        let confirmer = try Self.confirmer(pki, server)
        #expect(Self.error(await Self.confirm(confirmer, unsubscribe))?.code == .confirmationNotAllowed)
        var tokenSwap = try Self.confirmation(pki, server)
        tokenSwap.token = "another-token"
        #expect(Self.error(await Self.confirm(confirmer, tokenSwap))?.code == .subscribeURLRejected)
        #expect(server.requests.isEmpty)
    }

    @Test func redirectIsNotFollowed() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        routes.set("/", .response("", status: "302 Found", headers: ["Location: \(server.origin)/elsewhere"]))
        routes.set("/elsewhere", .response(SNSTestKit.confirmationResponse(Self.subscriptionArn)))
        let error = Self.error(await Self.confirm(try Self.confirmer(pki, server), try Self.confirmation(pki, server)))
        #expect(error?.code == .confirmationFailed)
        #expect(error?.httpStatus == 302)
        #expect(error?.isTransient == false)
        #expect(server.requests.count == 1)
        #expect(server.count(path: "/elsewhere") == 0)
    }

    @Test(arguments: [("500 Internal Server Error", 500, true), ("429 Too Many Requests", 429, true), ("403 Forbidden", 403, false)])
    func errorStatusFails(status: String, code: Int, transient: Bool) async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        routes.set("/", .response("<ErrorResponse><Error><Code>Oops</Code></Error></ErrorResponse>", status: status))
        let error = Self.error(await Self.confirm(try Self.confirmer(pki, server), try Self.confirmation(pki, server)))
        #expect(error?.code == .confirmationFailed)
        #expect(error?.httpStatus == code)
        #expect(error?.isTransient == transient)
    }

    @Test func unreachableServerIsTransient() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        routes.set("/", .hang)
        let error = Self.error(await Self.confirm(try Self.confirmer(pki, server), try Self.confirmation(pki, server)))
        #expect(error?.code == .confirmationFailed)
        #expect(error?.isTransient == true)
    }

    @Test(arguments: [
        "<ConfirmSubscriptionResponse><ConfirmSubscriptionResult></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>",
        "<SubscriptionArn>\(subscriptionArn)</SubscriptionArn>",
        "not xml",
        SNSTestKit.confirmationResponse("arn:aws:sns:us-east-1:123456789012:other-topic:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"),
        SNSTestKit.confirmationResponse(SNSTestKit.topicArn),
        SNSTestKit.confirmationResponse(SNSTestKit.topicArn + ":<b>x</b>"),
    ])
    func responseWithoutMatchingArnFails(body: String) async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        routes.set("/", .response(body))
        let error = Self.error(await Self.confirm(try Self.confirmer(pki, server), try Self.confirmation(pki, server)))
        #expect(error?.code == .confirmationFailed)
        #expect(error?.isTransient == false)
    }
}
