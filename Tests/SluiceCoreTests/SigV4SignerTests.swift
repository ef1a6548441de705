import Foundation
import SluiceCore
import Testing

struct SigV4SignerTests {
    static let date = AWSTimestamp.parseISO8601("2015-08-30T12:36:00Z")!
    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    static func signer(_ service: String = "ses", credentials: AWSCredentials = credentials) -> SigV4Signer {
        SigV4Signer(credentials: credentials, region: "us-east-1", service: service, hashing: TestSHA256())
    }

    @Test func testHashMatchesKnownVectors() {
        let h = TestSHA256()
        #expect(h.hexSHA256([]) == SigV4Signer.emptyPayloadHash)
        #expect(h.hexSHA256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(h.hexSHA256(Array(String(repeating: "a", count: 1000).utf8))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        // RFC 4231 test case 2.
        let mac = h.hmacSHA256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
        #expect(mac.map { String(format: "%02x", $0) }.joined() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func sesPathIsEncodedTwice() {
        let request = SigV4Request(
            method: "DELETE", path: "/v2/email/suppression/addresses/a%40b.com",
            headers: [.init("Host", "email.us-east-1.amazonaws.com")])
        let lines = Self.signer().canonicalRequest(request, at: Self.date).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "DELETE")
        #expect(lines[1] == "/v2/email/suppression/addresses/a%2540b.com")
        // S3 keeps the path as sent.
        #expect(Self.signer("s3").canonicalRequest(request, at: Self.date).contains("\n/v2/email/suppression/addresses/a%40b.com\n"))
    }

    @Test func sesSendEmailShape() {
        let body = Array(#"{"FromEmailAddress":"a@example.com"}"#.utf8)
        let request = SigV4Request(
            method: "POST", path: "/v2/email/outbound-emails",
            headers: [
                .init("Host", "email.us-east-1.amazonaws.com"), .init("Content-Type", "application/json"),
                .init("User-Agent", "sluice/1.0"), .init("Expect", "100-continue"), .init("Connection", "keep-alive"),
                .init("Transfer-Encoding", "chunked"), .init("X-Amzn-Trace-Id", "Root=1"),
                .init("X-Amz-Date", "19990101T000000Z"),
            ],
            payload: .bytes(body))
        let signed = Self.signer().sign(request, at: Self.date)
        #expect(signed.signedHeaders == "content-type;host;x-amz-date")
        #expect(signed.canonicalRequest.hasSuffix(TestSHA256().hexSHA256(body)))
        #expect(signed.canonicalRequest.contains("x-amz-date:20150830T123600Z\n"))
        #expect(!signed.canonicalRequest.contains("19990101"))
        #expect(signed.headers.map(\.name) == ["X-Amz-Date", "Authorization"])
        #expect(signed.authorization!.hasPrefix(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ses/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="))
        #expect(signed.signature.count == 64)
        #expect(signed.stringToSign.split(separator: "\n").count == 4)
    }

    @Test func sessionTokenIsSignedAndReplacesStaleHeader() {
        var creds = Self.credentials
        creds.sessionToken = "FRESH"
        let request = SigV4Request(
            method: "GET", path: "/v2/email/account",
            headers: [.init("Host", "email.us-east-1.amazonaws.com"), .init("X-Amz-Security-Token", "STALE")])
        let signed = Self.signer(credentials: creds).sign(request, at: Self.date)
        #expect(signed.signedHeaders == "host;x-amz-date;x-amz-security-token")
        #expect(signed.canonicalRequest.contains("x-amz-security-token:FRESH\n"))
        #expect(!signed.canonicalRequest.contains("STALE"))
        #expect(signed.headers.contains(.init("X-Amz-Security-Token", "FRESH")))
        // Opting out adds the token after signing.
        var signer = Self.signer(credentials: creds)
        signer.options.signSessionToken = false
        let late = signer.sign(request, at: Self.date)
        #expect(late.signedHeaders == "host;x-amz-date")
        #expect(late.headers.contains(.init("X-Amz-Security-Token", "FRESH")))
    }

    @Test func differentInputsGiveDifferentSignatures() {
        let base = SigV4Request(method: "GET", path: "/", headers: [.init("Host", "email.us-east-1.amazonaws.com")])
        let a = Self.signer().sign(base, at: Self.date).signature
        #expect(Self.signer().sign(base, at: Self.date.addingTimeInterval(1)).signature != a)
        #expect(Self.signer("sns").sign(base, at: Self.date).signature != a)
        var other = base
        other.query = [.init("a", "b")]
        #expect(Self.signer().sign(other, at: Self.date).signature != a)
        #expect(Self.signer().sign(base, at: Self.date).signature == a)
    }

    @Test func payloadVariants() {
        let s = Self.signer()
        #expect(s.payloadHash(.bytes([])) == SigV4Signer.emptyPayloadHash)
        #expect(s.payloadHash(.hash("abc")) == "abc")
        #expect(s.payloadHash(.unsigned) == "UNSIGNED-PAYLOAD")
        let s3 = Self.signer("s3").sign(SigV4Request(method: "PUT", path: "/b/k", headers: [.init("Host", "h")], payload: .unsigned), at: Self.date)
        #expect(s3.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
        #expect(s3.headers.contains(.init("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")))
    }

    @Test(arguments: [
        ("", "/"), ("/", "/"), ("//", "/"), ("/a/./b/../c", "/a/c"), ("/a/b/", "/a/b/"), ("/../..", "/"),
        ("/a//b", "/a/b"), ("/a/..", "/"), ("/a/%2E%2E/b", "/a/%2E%2E/b"),
    ])
    func normalizesPaths(_ input: String, _ expected: String) {
        #expect(SigV4Encoding.normalizePath(input) == expected)
    }

    @Test func encodesAndDecodes() {
        #expect(SigV4Encoding.uriEncode("a b/c~d*e+f=g&h\u{e9}") == "a%20b%2Fc~d%2Ae%2Bf%3Dg%26h%C3%A9")
        #expect(SigV4Encoding.uriEncode("a b/c", keepSlash: true) == "a%20b/c")
        #expect(SigV4Encoding.percentDecode("a%40b%2fc+d") == "a@b/c+d")
        #expect(SigV4Encoding.percentDecode("%zz") == nil)
        #expect(SigV4Encoding.percentDecode("%") == nil)
        #expect(SigV4Encoding.percentDecode("%FF") == nil)  // not UTF-8
        #expect(SigV4Request.parseQuery("b=2&a=&c&a=1") == [.init("b", "2"), .init("a", ""), .init("c", ""), .init("a", "1")])
        #expect(SigV4Encoding.canonicalQuery(SigV4Request.parseQuery("b=2&a=&c&a=1")) == "a=&a=1&b=2&c=")
        #expect(SigV4Encoding.canonicalQuery([.init("Reason", "BOUNCE"), .init("NextToken", "x/y=")]) == "NextToken=x%2Fy%3D&Reason=BOUNCE")
        #expect(SigV4Encoding.canonicalHeaderValue("  a \t b\n  c  ") == "a b c")
    }

    @Test func timestampsRoundTrip() {
        let d = Date(timeIntervalSince1970: 951_825_600)  // 2000-02-29T12:00:00Z
        #expect(AWSTimestamp.amzDate(d) == "20000229T120000Z")
        #expect(AWSTimestamp.dateStamp(d) == "20000229")
        #expect(AWSTimestamp.iso8601(d) == "2000-02-29T12:00:00Z")
        #expect(AWSTimestamp.parseISO8601("2000-02-29T12:00:00Z") == d)
        #expect(AWSTimestamp.parseISO8601("2000-02-29T14:30:00+02:30") == d)
        #expect(AWSTimestamp.parseISO8601("2012-04-26T20:45:04.751Z") == Date(timeIntervalSince1970: 1_335_473_104.751))
        #expect(AWSTimestamp.amzDate(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
        #expect(AWSTimestamp.amzDate(Date(timeIntervalSince1970: 4_102_444_799.9)) == "20991231T235959Z")
        for bad in ["", "2001-02-29T00:00:00Z", "2000-13-01T00:00:00Z", "2000-01-01 00:00:00Z", "2000-01-01T00:00:00",
                    "2000-01-01T00:00:00.Z", "2000-01-01T24:00:00Z", "2000-01-01T00:00:00Zjunk", "+2000-01-01T00:00:00Z"] {
            #expect(AWSTimestamp.parseISO8601(bad) == nil, "\(bad)")
        }
    }
}
