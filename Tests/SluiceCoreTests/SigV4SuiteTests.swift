import Foundation
import SluiceCore
import Testing

/// Runs both copies of the AWS SigV4 test suite (Tests/Fixtures/sigv4) through `SigV4Signer`.
struct SigV4SuiteTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let date = AWSTimestamp.parseISO8601("2015-08-30T12:36:00Z")!
    static let stsToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

    static let cAuthCases = AWSFixtures.list("sigv4/aws-c-auth-v4")

    /// Every case of the classic suite, as paths relative to `sigv4/aws4_testsuite` (nested groups walked).
    static let classicCases: [String] = {
        var result: [String] = []
        func walk(_ rel: String) {
            for name in AWSFixtures.list("sigv4/aws4_testsuite" + rel) {
                let sub = rel + "/" + name
                var isDir: ObjCBool = false
                let full = AWSFixtures.root + "/sigv4/aws4_testsuite" + sub
                guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), isDir.boolValue else { continue }
                if FileManager.default.fileExists(atPath: full + "/" + name + ".req") {
                    result.append(String(sub.dropFirst()))
                } else {
                    walk(sub)
                }
            }
        }
        walk("")
        return result
    }()

    struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }
        var credentials: Credentials
        var expiration_in_seconds: Int
        var normalize: Bool
        var region: String
        var service: String
        var sign_body: Bool
        var timestamp: String
        var omit_session_token: Bool?
    }

    @Test func suitesArePresent() {
        #expect(Self.cAuthCases.count == 38)
        #expect(Self.classicCases.count == 34)
    }

    @Test(arguments: cAuthCases)
    func awsCAuthHeaderMode(_ name: String) throws {
        let dir = "sigv4/aws-c-auth-v4/" + name + "/"
        let (signer, request) = try Self.cAuthSetup(dir)
        let signed = signer.sign(request, at: Self.date)
        #expect(signed.canonicalRequest == (try AWSFixtures.text(dir + "header-canonical-request.txt")).sigV4TrimmingFinalNewline)
        #expect(signed.stringToSign == (try AWSFixtures.text(dir + "header-string-to-sign.txt")).sigV4TrimmingFinalNewline)
        #expect(signed.signature == (try AWSFixtures.text(dir + "header-signature.txt")).sigV4TrimmingFinalNewline)
        // The signed request lists the Authorization line we produce.
        let signedRequest = try AWSFixtures.text(dir + "header-signed-request.txt")
        #expect(signedRequest.contains("Authorization:" + signed.authorization!))
    }

    @Test(arguments: cAuthCases)
    func awsCAuthQueryMode(_ name: String) throws {
        let dir = "sigv4/aws-c-auth-v4/" + name + "/"
        let (signer, request) = try Self.cAuthSetup(dir)
        let context = try JSONDecoder().decode(Context.self, from: Data(try AWSFixtures.bytes(dir + "context.json")))
        let signed = signer.presign(request, at: Self.date, expires: context.expiration_in_seconds)
        #expect(signed.canonicalRequest == (try AWSFixtures.text(dir + "query-canonical-request.txt")).sigV4TrimmingFinalNewline)
        #expect(signed.stringToSign == (try AWSFixtures.text(dir + "query-string-to-sign.txt")).sigV4TrimmingFinalNewline)
        #expect(signed.signature == (try AWSFixtures.text(dir + "query-signature.txt")).sigV4TrimmingFinalNewline)
        #expect(signed.query.last == .init("X-Amz-Signature", signed.signature))
    }

    @Test(arguments: classicCases)
    func classicSuite(_ path: String) throws {
        let name = String(path.split(separator: "/").last!)
        let base = "sigv4/aws4_testsuite/" + path + "/" + name
        let request = SigV4SuiteRequest(try AWSFixtures.text(base + ".req")).sigV4
        // This layout has no credentials file: tokens come from post-sts-token/readme.txt and the
        // get-vanilla-with-session-token .sreq. post-sts-header-after adds the token after signing,
        // so it is signed with long-term keys.
        let tokens = [
            "post-sts-header-before": Self.stsToken,
            "get-vanilla-with-session-token": "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
        ]
        let token = tokens[name]
        let signer = SigV4Signer(
            credentials: .init(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Self.secret, sessionToken: token),
            region: "us-east-1", service: "service", hashing: TestSHA256())
        let signed = signer.sign(request, at: Self.date)
        #expect(signed.canonicalRequest == (try AWSFixtures.text(base + ".creq")).sigV4TrimmingFinalNewline)
        #expect(signed.stringToSign == (try AWSFixtures.text(base + ".sts")).sigV4TrimmingFinalNewline)
        #expect(signed.authorization == (try AWSFixtures.text(base + ".authz")).sigV4TrimmingFinalNewline)
    }

    static func cAuthSetup(_ dir: String) throws -> (SigV4Signer, SigV4Request) {
        let context = try JSONDecoder().decode(Context.self, from: Data(try AWSFixtures.bytes(dir + "context.json")))
        let credentials = AWSCredentials(
            accessKeyId: context.credentials.access_key_id, secretAccessKey: context.credentials.secret_access_key,
            sessionToken: context.credentials.token)
        let options = SigV4Signer.Options(
            normalizePath: context.normalize, encodePath: true,
            signSessionToken: !(context.omit_session_token ?? false), addContentSHA256Header: context.sign_body)
        let signer = SigV4Signer(
            credentials: credentials, region: context.region, service: context.service, hashing: TestSHA256(),
            options: options)
        #expect(AWSTimestamp.parseISO8601(context.timestamp) == date)
        return (signer, SigV4SuiteRequest(try AWSFixtures.text(dir + "request.txt")).sigV4)
    }
}
