import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceCrypto
import SluiceHTTP
@testable import SluiceAWS

/// SES client against a local plain-HTTP stand-in that checks every SigV4 signature server-side.
struct SESClientStandInTests {
    static let keys = AWSCredentials(accessKeyId: "AKIDSTANDIN", secretAccessKey: "standin-secret", sessionToken: "standin-session")

    /// Recorded shape of a real `GetAccount` answer (sandbox account).
    static let accountJSON = """
        {"DedicatedIpAutoWarmupEnabled":true,"EnforcementStatus":"HEALTHY","ProductionAccessEnabled":false,\
        "SendQuota":{"Max24HourSend":200.0,"MaxSendRate":1.0,"SentLast24Hours":3.0},"SendingEnabled":true,\
        "SuppressionAttributes":{"SuppressedReasons":["BOUNCE","COMPLAINT"]}}
        """

    /// Serves `reply` for requests whose signature verifies; 403 `SignatureDoesNotMatch` otherwise.
    private func makeServer(_ reply: @escaping @Sendable (TestHTTPServer.Request) -> TestHTTPServer.Response) throws
        -> TestHTTPServer
    {
        let verifier = SigV4Verifier(credentials: Self.keys)
        return try TestHTTPServer { request in
            guard verifier.verify(request) else {
                return .sesError("SignatureDoesNotMatch", status: 403, message: "signature mismatch")
            }
            return reply(request)
        }
    }

    private func makeClient(_ server: TestHTTPServer, credentials: AWSCredentials = keys) throws -> SESClient {
        try makeClient(endpoint: server.baseURL, credentials: StaticCredentialProvider(credentials))
    }

    private func makeClient(endpoint: String, credentials: any CredentialProvider) throws -> SESClient {
        SESClient(
            configuration: SESClientConfiguration(
                region: "eu-west-1", endpoint: URL(string: endpoint), credentials: credentials,
                httpClient: try AWSTestSupport.httpClient()),
            logger: AWSTestSupport.logger)
    }

    @Test func getAccountParsesQuotaAndSignsForSES() async throws {
        let server = try makeServer { request in
            request.method == "GET" && request.path == "/v2/email/account"
                ? .json(Self.accountJSON) : .json("{}", status: 404)
        }
        defer { server.stop() }
        let account = try await makeClient(server).getAccount()
        #expect(account.sendQuota == SESAccount.SendQuota(max24HourSend: 200, maxSendRate: 1, sentLast24Hours: 3))
        #expect(account.sendingEnabled)
        #expect(!account.productionAccessEnabled)
        #expect(account.enforcementStatus == "HEALTHY")
        #expect(account.suppressedReasons == ["BOUNCE", "COMPLAINT"])

        let request = try #require(server.requests.first)
        let authorization = try #require(request.header("Authorization"))
        let auth = try #require(SigV4Verifier.parse(authorization))
        #expect(auth.accessKeyId == "AKIDSTANDIN")
        #expect(auth.service == "ses")
        #expect(auth.region == "eu-west-1")
        #expect(auth.signedHeaders == ["host", "x-amz-date", "x-amz-security-token"])
        #expect(request.header("X-Amz-Security-Token") == "standin-session")
        #expect(request.header("Content-Type") == nil)
        #expect(SigV4Verifier(credentials: Self.keys).verify(request))
    }

    @Test func wrongSecretDoesNotVerify() async throws {
        let server = try makeServer { _ in .json(Self.accountJSON) }
        defer { server.stop() }
        let client = try makeClient(server, credentials: AWSCredentials(accessKeyId: "AKIDSTANDIN", secretAccessKey: "other"))
        let error = await #expect(throws: SESError.self) { try await client.getAccount() }
        #expect(error?.httpStatus == 403)
        #expect(error?.awsErrorType == "SignatureDoesNotMatch")
        // Refused keys are dropped and fetched again; never a permanent failure of the message.
        #expect(error?.retry == .retryable)
    }

    @Test func sendEmailPostsSimpleContentAsJSON() async throws {
        let server = try makeServer { _ in .json(#"{"MessageId":"0100018f-standin"}"#) }
        defer { server.stop() }
        let request = SESSendEmailRequest(
            fromEmailAddress: "Sluice <sender@example.com>",
            destination: .init(to: ["a@example.net"], cc: ["c@example.net"], bcc: ["b@example.net"]),
            replyToAddresses: ["reply@example.com"],
            content: .simple(.init(
                subject: .init("Hello", charset: "UTF-8"), text: .init("plain body"), html: .init("<p>html</p>"),
                headers: [.init(name: "X-Sluice-Id", value: "42")])),
            emailTags: [.init(name: "campaign", value: "welcome")], configurationSetName: "sluice-events",
            listManagementOptions: .init(contactListName: "news", topicName: "weekly"))
        let response = try await makeClient(server).sendEmail(request)
        #expect(response.messageId == "0100018f-standin")

        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.path == "/v2/email/outbound-emails")
        #expect(received.header("Content-Type") == "application/json")
        let authorization = try #require(received.header("Authorization"))
        let auth = try #require(SigV4Verifier.parse(authorization))
        #expect(auth.signedHeaders == ["content-type", "host", "x-amz-date", "x-amz-security-token"])
        let body = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any])
        #expect(body["FromEmailAddress"] as? String == "Sluice <sender@example.com>")
        let destination = try #require(body["Destination"] as? [String: [String]])
        #expect(destination == ["ToAddresses": ["a@example.net"], "CcAddresses": ["c@example.net"], "BccAddresses": ["b@example.net"]])
        #expect(body["ReplyToAddresses"] as? [String] == ["reply@example.com"])
        #expect(body["ConfigurationSetName"] as? String == "sluice-events")
        #expect(body["EmailTags"] as? [[String: String]] == [["Name": "campaign", "Value": "welcome"]])
        #expect(body["ListManagementOptions"] as? [String: String] == ["ContactListName": "news", "TopicName": "weekly"])
        let simple = try #require((body["Content"] as? [String: Any])?["Simple"] as? [String: Any])
        #expect(simple["Subject"] as? [String: String] == ["Data": "Hello", "Charset": "UTF-8"])
        let messageBody = try #require(simple["Body"] as? [String: [String: String]])
        // Always a charset: without one SES takes the text for 7-bit ASCII.
        #expect(messageBody["Text"] == ["Data": "plain body", "Charset": "UTF-8"])
        #expect(messageBody["Html"] == ["Data": "<p>html</p>", "Charset": "UTF-8"])
        #expect(simple["Headers"] as? [[String: String]] == [["Name": "X-Sluice-Id", "Value": "42"]])
    }

    @Test func rawContentIsBase64() async throws {
        let server = try makeServer { _ in .json(#"{"MessageId":"raw-1"}"#) }
        defer { server.stop() }
        let mime = Array("Subject: hi\r\n\r\nbody\r\n".utf8)
        _ = try await makeClient(server).sendEmail(SESSendEmailRequest(fromEmailAddress: "s@example.com", content: .raw(mime)))
        let first = try #require(server.requests.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(first.body)) as? [String: Any])
        let data = try #require(((body["Content"] as? [String: Any])?["Raw"] as? [String: String])?["Data"])
        #expect(Data(base64Encoded: data) == Data(mime))
        #expect(body["Destination"] == nil)
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var status: Int
        var errorTypeHeader: String?
        var body: String
        var expectedType: String?
        var retry: RetryDecision
        /// A 4xx refusal sent nothing; a 5xx may have.
        var certainlyNotSent: Bool { status < 500 }
        var testDescription: String { "\(status) \(expectedType ?? "-") → \(retry)" }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(
            status: 429,
            errorTypeHeader: "TooManyRequestsException:http://internal.amazon.com/coral/com.amazon.coral.service/",
            body: #"{"message":"Maximum sending rate exceeded."}"#, expectedType: "TooManyRequestsException", retry: .throttled),
        ErrorCase(
            status: 400, errorTypeHeader: "AccountSuspendedException", body: #"{"message":"Account suspended"}"#,
            expectedType: "AccountSuspendedException", retry: .pauseSending),
        ErrorCase(
            status: 400, errorTypeHeader: nil, body: #"{"__type":"com.amazonaws.sesv2#SendingPausedException","message":"paused"}"#,
            expectedType: "SendingPausedException", retry: .pauseSending),
        ErrorCase(
            status: 400, errorTypeHeader: "MessageRejected", body: #"{"message":"Email address is not verified."}"#,
            expectedType: "MessageRejected", retry: .permanent),
        ErrorCase(
            status: 400, errorTypeHeader: nil, body: #"{"code":"BadRequestException","Message":"bad"}"#,
            expectedType: "BadRequestException", retry: .permanent),
        ErrorCase(status: 500, errorTypeHeader: nil, body: "", expectedType: nil, retry: .retryable),
        ErrorCase(
            status: 503, errorTypeHeader: "ServiceUnavailableException", body: #"{"message":"later"}"#,
            expectedType: "ServiceUnavailableException", retry: .retryable),
    ]

    @Test(arguments: errorCases)
    func classifiesErrorResponses(_ errorCase: ErrorCase) async throws {
        let server = try makeServer { _ in
            .json(errorCase.body, status: errorCase.status, headers: errorCase.errorTypeHeader.map { [("x-amzn-ErrorType", $0)] } ?? [])
        }
        defer { server.stop() }
        let client = try makeClient(server)
        let error = await #expect(throws: SESError.self) {
            try await client.sendEmail(SESSendEmailRequest(
                fromEmailAddress: "s@example.com", destination: .init(to: ["r@example.net"]),
                content: .simple(.init(subject: .init("s"), text: .init("t")))))
        }
        #expect(error?.code == .service)
        #expect(error?.httpStatus == errorCase.status)
        #expect(error?.awsErrorType == errorCase.expectedType)
        #expect(error?.retry == errorCase.retry)
        #expect(error?.certainlyNotSent == errorCase.certainlyNotSent)
        #expect(server.requests.count == 1)  // the client never retries by itself
    }

    @Test func connectionRefusedIsRetryableNetworkError() async throws {
        let client = try makeClient(endpoint: try AWSTestSupport.closedPortURL(), credentials: StaticCredentialProvider(Self.keys))
        let error = await #expect(throws: SESError.self) { try await client.getAccount() }
        #expect(error?.code == .network)
        #expect(error?.retry == .retryable)
        #expect(error?.certainlyNotSent == true, "no connection, no request: SES cannot have sent")
    }

    /// Only failures before the request's first byte count as not sent: after it, SES may have acted.
    @Test(arguments: [
        (HTTPClientError.Code.nameResolutionFailed, true), (.connectFailed, true), (.tlsHandshakeFailed, true),
        (.certificateUntrusted, true), (.certificateExpired, true), (.hostnameMismatch, true),
        (.timeout, false), (.connectionClosed, false), (.io, false), (.malformedResponse, false),
        (.responseTooLarge, false), (.cancelled, false),
    ])
    func transportFailuresSayWhetherTheRequestWasSent(_ code: HTTPClientError.Code, notSent: Bool) {
        #expect(SESError.fromTransport(HTTPClientError(code, "test")).certainlyNotSent == notSent)
    }

    @Test func anAnswerThatIsNotSESsMayHaveSent() {
        #expect(!SESError(.invalidResponse, "2xx that is not JSON", retry: .retryable).certainlyNotSent)
        #expect(SESError(.credentials, "no keys", retry: .retryable).certainlyNotSent)
    }

    @Test func credentialFailureIsClassified() async throws {
        let chain = DefaultCredentialChain(
            environment: try AWSTestSupport.isolatedEnvironment(), httpClient: try AWSTestSupport.httpClient(),
            logger: AWSTestSupport.logger)
        let client = try makeClient(endpoint: try AWSTestSupport.closedPortURL(), credentials: chain)
        let error = await #expect(throws: SESError.self) { try await client.getAccount() }
        #expect(error?.code == .credentials)
        #expect(error?.certainlyNotSent == true)
    }

    @Test func eachCallIsSignedAfresh() async throws {
        let server = try makeServer { _ in .json(Self.accountJSON) }
        defer { server.stop() }
        let clock = TestClock()
        let client = SESClient(
            configuration: SESClientConfiguration(
                region: "eu-west-1", endpoint: URL(string: server.baseURL), credentials: StaticCredentialProvider(Self.keys),
                httpClient: try AWSTestSupport.httpClient()),
            logger: AWSTestSupport.logger, now: { clock.now })
        _ = try await client.getAccount()
        clock.advance(61)
        _ = try await client.getAccount()
        let dates = server.requests.map { $0.header("X-Amz-Date") }
        #expect(dates.count == 2)
        #expect(dates[0] != dates[1])
        #expect(server.requests.allSatisfy { SigV4Verifier(credentials: Self.keys).verify($0) })
    }

    @Test func suppressionCallsEncodeTheAddressAndVerify() async throws {
        let listJSON = """
            {"SuppressedDestinationSummaries":[{"EmailAddress":"a+b@example.com","Reason":"BOUNCE","LastUpdateTime":1.7e9}],\
            "NextToken":"tok/2=="}
            """
        let server = try makeServer { request in
            switch (request.method, request.path) {
            case ("PUT", "/v2/email/suppression/addresses"): return .json("{}")
            case ("DELETE", "/v2/email/suppression/addresses/a%2Bb%40example.com"): return .json("{}")
            case ("GET", "/v2/email/suppression/addresses"): return .json(listJSON)
            default: return .sesError("NotFoundException", status: 404, message: "no route")
            }
        }
        defer { server.stop() }
        let client = try makeClient(server)
        try await client.putSuppressedDestination(email: "a+b@example.com", reason: .complaint)
        try await client.deleteSuppressedDestination(email: "a+b@example.com")
        let page = try await client.listSuppressedDestinations(
            startDate: Date(timeIntervalSince1970: 1_700_000_000), nextToken: "tok/1==", pageSize: 50)
        #expect(page.destinations == [
            SESSuppressedDestination(emailAddress: "a+b@example.com", reason: "BOUNCE", lastUpdateTime: Date(timeIntervalSince1970: 1.7e9))
        ])
        #expect(page.nextToken == "tok/2==")

        let requests = server.requests
        #expect(requests.count == 3)
        let put = try #require(try JSONSerialization.jsonObject(with: Data(requests[0].body)) as? [String: String])
        #expect(put == ["EmailAddress": "a+b@example.com", "Reason": "COMPLAINT"])
        #expect(requests[1].header("Content-Type") == nil)
        let query = Dictionary(SigV4Request.parseQuery(requests[2].query).map { ($0.name, $0.value) }) { $1 }
        #expect(query == ["StartDate": "2023-11-14T22:13:20Z", "NextToken": "tok/1==", "PageSize": "50"])
    }

    @Test func deletingAnUnlistedAddressIsNotFound() async throws {
        let server = try makeServer { _ in
            .sesError("NotFoundException", status: 404, message: "not on list")
        }
        defer { server.stop() }
        let error = await #expect(throws: SESError.self) { try await makeClient(server).deleteSuppressedDestination(email: "x@example.com") }
        #expect(error?.awsErrorType == "NotFoundException")
        #expect(error?.retry == .permanent)
    }

    @Test func pathIsDoubleEncodedInTheCanonicalRequest() throws {
        // SigV4 for non-S3 services encodes the already-encoded path again: %40 → %2540.
        let signer = SigV4Signer(credentials: Self.keys, region: "eu-west-1", service: "ses", hashing: OpenSSLHashing())
        let canonical = signer.canonicalRequest(
            SigV4Request(method: "DELETE", path: "/v2/email/suppression/addresses/a%40b.com", headers: [.init("Host", "h")]),
            at: Date(timeIntervalSince1970: 0))
        #expect(canonical.split(separator: "\n")[1] == "/v2/email/suppression/addresses/a%2540b.com")
    }
}
