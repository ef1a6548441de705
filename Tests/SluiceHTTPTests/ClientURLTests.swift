import Testing
@testable import SluiceHTTP

/// The client's strict URL parsing (internal `HTTPClientURL`).
struct ClientURLTests {
    @Test func parsesSchemeHostPortAndTarget() throws {
        let url = try HTTPClientURL("HTTPS://SNS.us-east-1.Amazonaws.com/?Action=ConfirmSubscription&Token=a%2Fb#frag")
        #expect(url.scheme == .https)
        #expect(url.host == "sns.us-east-1.amazonaws.com")
        #expect(url.port == 443)
        #expect(url.target == "/?Action=ConfirmSubscription&Token=a%2Fb")
        #expect(url.hostHeader == "sns.us-east-1.amazonaws.com")
    }

    @Test func defaultsPathAndKeepsExplicitPort() throws {
        let url = try HTTPClientURL("http://example.com:8080")
        #expect(url.port == 8080)
        #expect(url.target == "/")
        #expect(url.hostHeader == "example.com:8080")
        #expect(try HTTPClientURL("http://example.com?x=1").target == "/?x=1")
        #expect(try HTTPClientURL("http://example.com:80/").hostHeader == "example.com")
    }

    @Test func bracketsIPv6InHostHeader() throws {
        let url = try HTTPClientURL("http://[::1]:9000/a")
        #expect(url.host == "::1")
        #expect(url.port == 9000)
        #expect(url.hostHeader == "[::1]:9000")
    }

    @Test func rejectsUserinfoEvenWhenEmpty() {
        let error = #expect(throws: HTTPClientError.self) { try HTTPClientURL("https://@example.com/") }
        #expect(error?.code == .invalidURL)
    }
}
