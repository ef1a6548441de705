import Foundation

/// One unsubscribe-token key: a short public id (carried in the token) and a secret, from which the
/// encryption, MAC and synthetic-nonce keys are derived.
public struct UnsubscribeKey: Sendable {
    /// Longest key id, in bytes (`[A-Za-z0-9_-]`).
    public static let maxIdBytes = 16
    /// Shortest secret, in bytes.
    public static let minSecretBytes = 32

    public let id: String
    let encryptionKey: [UInt8]
    let macKey: [UInt8]
    let nonceKey: [UInt8]

    /// Derives the sub-keys from `secret`.
    /// - Throws: `.invalidKey` for a bad id or a secret shorter than `minSecretBytes`.
    public init(id: String, secret: [UInt8]) throws(UnsubscribeTokenError) {
        guard (1...Self.maxIdBytes).contains(id.utf8.count), id.utf8.allSatisfy(Self.isIdByte) else {
            throw UnsubscribeTokenError(.invalidKey, "key ids are 1-\(Self.maxIdBytes) characters of A-Z a-z 0-9 _ -")
        }
        guard secret.count >= Self.minSecretBytes else {
            throw UnsubscribeTokenError(.invalidKey, "key '\(id)': the secret must be at least \(Self.minSecretBytes) bytes")
        }
        self.id = id
        // Separate keys per purpose, so the MAC key never doubles as a keystream key.
        encryptionKey = HMAC.sha256(key: secret, string: "sluice/unsubscribe/v1/enc")
        macKey = HMAC.sha256(key: secret, string: "sluice/unsubscribe/v1/mac")
        nonceKey = HMAC.sha256(key: secret, string: "sluice/unsubscribe/v1/siv")
    }

    /// Parses `id:secret`, the secret in base64 or base64url (`openssl rand -base64 32`).
    public init(parsing text: String) throws(UnsubscribeTokenError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw UnsubscribeTokenError(.invalidKey, "keys are written id:base64secret")
        }
        let id = String(text[..<colon])
        let encoded = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard let secret = UnsubscribeTokenCodec.base64Decode(encoded) else {
            throw UnsubscribeTokenError(.invalidKey, "key '\(id.prefix(16))': the secret is not base64")
        }
        try self.init(id: id, secret: secret)
    }

    static func isIdByte(_ b: UInt8) -> Bool {
        (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b) || b == 95 || b == 45
    }
}
