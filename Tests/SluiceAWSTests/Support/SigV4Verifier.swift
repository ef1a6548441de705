import SluiceTestSupport
import Foundation
import SluiceCore
import SluiceCrypto

/// Server-side check of a SigV4 `Authorization` header: parses it, then recomputes the signature.
struct SigV4Verifier {
    struct Parsed: Equatable {
        var accessKeyId: String
        var date: String
        var region: String
        var service: String
        var signedHeaders: [String]
        var signature: String
    }

    let credentials: AWSCredentials

    /// `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex`.
    static func parse(_ authorization: String) -> Parsed? {
        let prefix = "AWS4-HMAC-SHA256 "
        guard authorization.hasPrefix(prefix) else { return nil }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(prefix.count).components(separatedBy: ", ") {
            guard let eq = part.firstIndex(of: "=") else { return nil }
            fields[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"],
            let signature = fields["Signature"], signature.count == 64,
            signature.allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { return nil }
        let scope = credential.split(separator: "/").map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request", scope[1].count == 8 else { return nil }
        return Parsed(
            accessKeyId: scope[0], date: scope[1], region: scope[2], service: scope[3],
            signedHeaders: signed.split(separator: ";").map(String.init), signature: signature)
    }

    /// True when the signature over the received request verifies with `credentials`.
    func verify(_ request: TestHTTPServer.Request) -> Bool {
        guard let authorization = request.header("Authorization"), let parsed = Self.parse(authorization),
            let amzDate = request.header("X-Amz-Date"), let date = Self.parseAmzDate(amzDate)
        else { return false }
        let headers = parsed.signedHeaders.compactMap { name in
            request.header(name).map { SigV4Request.Field(name, $0) }
        }
        guard headers.count == parsed.signedHeaders.count else { return false }
        let sigRequest = SigV4Request(
            method: request.method, path: request.path, query: SigV4Request.parseQuery(request.query), headers: headers,
            payload: .bytes(request.body))
        let signer = SigV4Signer(
            credentials: credentials, region: parsed.region, service: parsed.service, hashing: OpenSSLHashing())
        let expected = signer.sign(sigRequest, at: date)
        return expected.signature == parsed.signature && expected.signedHeaders == parsed.signedHeaders.joined(separator: ";")
    }

    /// `YYYYMMDDTHHMMSSZ` → Date.
    static func parseAmzDate(_ text: String) -> Date? {
        let c = Array(text)
        guard c.count == 16, c[8] == "T", c[15] == "Z" else { return nil }
        let iso = "\(String(c[0..<4]))-\(String(c[4..<6]))-\(String(c[6..<8]))T\(String(c[9..<11])):\(String(c[11..<13])):\(String(c[13..<15]))Z"
        return AWSTimestamp.parseISO8601(iso)
    }
}
