import SluiceTestSupport
import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceAWS

/// Refusals of the keys or the clock prepare the next attempt; a garbled 2xx is not a refusal.
struct SESClientAuthRecoveryTests {
    static let keys = AWSCredentials(accessKeyId: "AKIDAUTH", secretAccessKey: "auth-secret")

    /// Static keys; counts `invalidate()` calls.
    actor InvalidationCounter: CredentialProvider {
        private(set) var invalidations = 0
        func credentials() async throws -> AWSCredentials { SESClientAuthRecoveryTests.keys }
        func invalidate() async { invalidations += 1 }
    }

    private func client(_ server: TestHTTPServer, credentials: any CredentialProvider = StaticCredentialProvider(keys)) throws -> SESClient {
        SESClient(
            configuration: SESClientConfiguration(
                region: "eu-west-1", endpoint: URL(string: server.baseURL), credentials: credentials, httpClient: try AWSTestSupport.httpClient()),
            logger: AWSTestSupport.logger)
    }


    static func amzDate(_ text: String?) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return text.flatMap(formatter.date(from:))
    }

    @Test func signatureExpiredTakesSESClockForTheNextSignature() async throws {
        let serverClock = Date().addingTimeInterval(3600)  // SES's clock is an hour ahead of ours
        let server = try TestHTTPServer { request in
            guard let signed = Self.amzDate(request.header("X-Amz-Date")), abs(signed.timeIntervalSince(serverClock)) < 300 else {
                return .sesError(
                    "InvalidSignatureException", status: 403,
                    message: "Signature expired: 20240101T000000Z is now earlier than 20240101T005500Z (20240101T010000Z - 5 min.)",
                    headers: [("Date", TestHTTPServer.Response.httpDate(serverClock))])
            }
            return .json(#"{"SendQuota":{"Max24HourSend":1,"MaxSendRate":1,"SentLast24Hours":0},"SendingEnabled":true}"#)
        }
        defer { server.stop() }
        let client = try client(server)
        let error = await #expect(throws: SESError.self) { try await client.getAccount() }
        #expect(error?.retry == .retryable)
        #expect(abs(client.clockOffset - 3600) < 60)
        _ = try await client.getAccount()
        #expect(server.requests.count == 2)
    }

    @Test func clockSkewWithoutADateHeaderLeavesTheOffset() async throws {
        let server = try TestHTTPServer { _ in
            .sesError("InvalidSignatureException", status: 403, message: "Signature expired")
        }
        defer { server.stop() }
        let client = try client(server)
        await #expect(throws: SESError.self) { try await client.getAccount() }
        #expect(client.clockOffset == 0)
    }

    @Test(arguments: ["ExpiredTokenException", "UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch"])
    func refusedKeysAreDroppedAndRetried(_ type: String) async throws {
        let server = try TestHTTPServer { _ in .sesError(type, status: 403, message: "refused") }
        defer { server.stop() }
        let counter = InvalidationCounter()
        let error = await #expect(throws: SESError.self) { try await client(server, credentials: counter).getAccount() }
        #expect(error?.retry == .retryable)
        #expect(await counter.invalidations == 1)
    }

    @Test func accessDeniedPausesAndKeepsTheKeys() async throws {
        let server = try TestHTTPServer { _ in
            .sesError("AccessDeniedException", status: 403, message: "not authorized")
        }
        defer { server.stop() }
        let counter = InvalidationCounter()
        let error = await #expect(throws: SESError.self) { try await client(server, credentials: counter).getAccount() }
        #expect(error?.retry == .denied)
        #expect(await counter.invalidations == 0)
    }

    private static let request = SESSendEmailRequest(
        fromEmailAddress: "s@example.com", destination: .init(to: ["r@example.net"]),
        content: .simple(.init(subject: .init("s"), text: .init("t"))))

    /// Not a JSON object: not SES's answer (a proxy, a captive portal), so the outcome is unknown, not a refusal.
    @Test(arguments: ["not json", "<html>ok</html>", "[]"])
    func a2xxThatIsNotJSONFromSendEmailIsAnUnknownOutcome(_ body: String) async throws {
        let server = try TestHTTPServer { _ in .json(body) }
        defer { server.stop() }
        let error = await #expect(throws: SESError.self) { try await client(server).sendEmail(Self.request) }
        #expect(error?.code == .invalidResponse)
        #expect(error?.retry == .retryable)
    }

    /// SES's JSON answer without a usable id: SES took the message (sending again would deliver it twice).
    @Test(arguments: [#"{"Other":"x"}"#, #"{"MessageId":""}"#, #"{"MessageId":7}"#])
    func jsonWithoutAMessageIdIsAcceptedWithoutAnId(_ body: String) async throws {
        let server = try TestHTTPServer { _ in .json(body) }
        defer { server.stop() }
        #expect(try await client(server).sendEmail(Self.request).messageId == nil)
    }
}
