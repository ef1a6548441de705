/// SHA-256 and HMAC-SHA256 as an injectable value, shaped for SluiceCore's `SigV4Hashing` seam.
// SluiceCore's protocol lives on another branch; at merge this conforms with one line:
// `extension OpenSSLHashing: SigV4Hashing {}`.
public struct OpenSSLHashing: Sendable {
    public init() {}

    /// SHA-256 digest (32 bytes).
    public func sha256(_ data: [UInt8]) -> [UInt8] { Digest.sha256(data) }

    /// Lower-case hex SHA-256 of `data`.
    public func sha256Hex(_ data: [UInt8]) -> String { Digest.sha256Hex(data) }

    /// HMAC-SHA256 of `data` under `key` (32 bytes).
    public func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] { HMAC.sha256(key: key, data: data) }
}
