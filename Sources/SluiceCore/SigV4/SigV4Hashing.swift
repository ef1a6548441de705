/// The hash primitives SigV4 needs, injected so SluiceCore stays free of crypto libraries.
///
/// The production conformance lives in SluiceCrypto (OpenSSL); tests use a pure-Swift twin.
public protocol SigV4Hashing: Sendable {
    /// SHA-256 digest (32 bytes).
    func sha256(_ data: [UInt8]) -> [UInt8]
    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8]
}

extension SigV4Hashing {
    /// Lowercase hex SHA-256 of `data`.
    public func hexSHA256(_ data: [UInt8]) -> String { SigV4Hex.lower(sha256(data)) }
}

/// Lowercase hexadecimal encoding.
enum SigV4Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func lower(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
