import Foundation
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceAWS

struct AWSRequestSignerTests {
    @Test(arguments: [
        ("https://email.eu-west-1.amazonaws.com/v2/email/account", "email.eu-west-1.amazonaws.com", "/v2/email/account", ""),
        ("https://Email.example.com:443/", "email.example.com", "/", ""),
        ("http://127.0.0.1:8080/x?b=2&a=1", "127.0.0.1:8080", "/x", "b=2&a=1"),
        ("http://[::1]:80", "[::1]", "/", ""),
        ("http://[::1]:9000/p", "[::1]:9000", "/p", ""),
    ])
    func splitsURLsLikeTheHTTPClient(url: String, host: String, path: String, query: String) throws {
        let parts = try AWSURLParts(url)
        #expect(parts.hostHeader == host)
        #expect(parts.path == path)
        #expect(parts.query == query)
    }

    @Test func signsOnlyHeadersThatAreSent() throws {
        var request = HTTPClientRequest(method: "POST", url: "https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails", body: [1])
        request.headers.set("Content-Type", "application/json")
        request.headers.set("User-Agent", "sluice/1.0")
        request.headers.set("Content-Length", "1")
        let signed = try AWSRequestSigner(service: "ses", region: "eu-west-1").sign(
            request, credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "s"), at: Date(timeIntervalSince1970: 0))
        let auth = try #require(signed.headers["Authorization"])
        #expect(auth.hasPrefix("AWS4-HMAC-SHA256 Credential=AKID/19700101/eu-west-1/ses/aws4_request, "))
        #expect(auth.contains("SignedHeaders=content-type;host;x-amz-date, "))
        #expect(signed.headers["X-Amz-Date"] == "19700101T000000Z")
        #expect(signed.headers["X-Amz-Security-Token"] == nil)
    }

    @Test func rejectsNonHTTPURLs() {
        #expect(throws: AWSRequestSignerError.self) {
            _ = try AWSRequestSigner(service: "ses", region: "x").sign(
                HTTPClientRequest(url: "ftp://h/"), credentials: AWSCredentials(accessKeyId: "a", secretAccessKey: "b"))
        }
    }
}
