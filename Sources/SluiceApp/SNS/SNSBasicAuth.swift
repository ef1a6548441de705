import Foundation
import SluiceCrypto
import SluiceHTTP

/// HTTP Basic credentials for the SNS endpoint (SNS sends them after a 401 challenge, RFC 7617).
public struct SNSBasicAuth: Sendable {
    /// SHA-256 of `user:password`: comparing digests keeps the password length out of the timing too.
    private let expectedDigest: [UInt8]

    public init(user: String, password: String) {
        expectedDigest = Digest.sha256("\(user):\(password)")
    }

    /// Whether `Authorization: Basic …` carries the configured credentials (constant-time comparison).
    public func isAuthorized(_ headers: HTTPHeaders) -> Bool {
        guard let header = headers["authorization"] else { return false }
        let utf8 = header.utf8
        // The scheme is case-insensitive; anything but "Basic <base64>" is refused.
        guard utf8.count > 6, utf8.count <= 4096, header.prefix(6).lowercased() == "basic " else { return false }
        let encoded = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let decoded = Data(base64Encoded: encoded) else { return false }
        return ConstantTime.equals(expectedDigest, Digest.sha256(Array(decoded)))
    }

    /// The 401 answer with the challenge SNS needs before it sends credentials.
    static func challenge() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.set("WWW-Authenticate", #"Basic realm="sluice-sns""#)
        return .error(.unauthorized, code: "unauthorized", message: "missing or invalid basic auth credentials", headers: headers)
    }
}
