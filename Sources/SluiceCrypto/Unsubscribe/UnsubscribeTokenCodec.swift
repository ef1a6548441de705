import Foundation

/// Issues and verifies RFC 8058 unsubscribe tokens without any database: encrypt-then-MAC over the
/// recipient, list and issue time, so the URL carries no address in clear and cannot be forged.
///
/// Layout before base64url (no padding):
/// `version(1) | idLength(1) | keyId | nonce(16) | ciphertext | tag(16)`.
/// The plaintext is `issuedAt(8, big-endian seconds) | recipient | 0x00 | list`. The nonce is synthetic
/// (HMAC of the header and plaintext, as in SIV), the keystream is HMAC-SHA256(encKey, nonce | counter)
/// (a PRF in counter mode), and the tag is HMAC-SHA256(macKey, everything before it) truncated to
/// 128 bits and compared in constant time. The first key signs; every key verifies (rotation).
public struct UnsubscribeTokenCodec: Sendable {
    /// Token format version byte.
    public static let version: UInt8 = 1
    /// Longest token accepted, in characters (bounds the work an attacker can ask for).
    public static let maxTokenLength = 1024
    static let nonceBytes = 16
    static let tagBytes = 16

    /// The keys, the signing one first.
    public let keys: [UnsubscribeKey]
    /// Tokens older than this are refused; nil accepts any age (links in old mail keep working).
    public let maxAge: TimeInterval?
    private let byId: [String: UnsubscribeKey]

    /// - Throws: `.invalidKey` when `keys` is empty or two keys share an id.
    public init(keys: [UnsubscribeKey], maxAge: TimeInterval? = nil) throws(UnsubscribeTokenError) {
        guard !keys.isEmpty else { throw UnsubscribeTokenError(.invalidKey, "at least one key is needed") }
        var byId: [String: UnsubscribeKey] = [:]
        for key in keys {
            guard byId.updateValue(key, forKey: key.id) == nil else {
                throw UnsubscribeTokenError(.invalidKey, "key id '\(key.id)' appears twice")
            }
        }
        self.keys = keys
        self.maxAge = maxAge
        self.byId = byId
    }

    /// The URL-safe token for `token`, signed with the first key.
    public func issue(_ token: UnsubscribeToken) throws(UnsubscribeTokenError) -> String {
        let recipient = Array(token.recipient.utf8)
        let list = Array((token.list ?? "").utf8)
        guard (1...UnsubscribeToken.maxRecipientBytes).contains(recipient.count), !recipient.contains(0) else {
            throw UnsubscribeTokenError(.invalidInput, "the recipient must be 1-\(UnsubscribeToken.maxRecipientBytes) bytes without NUL")
        }
        guard list.count <= UnsubscribeToken.maxListBytes, !list.contains(0) else {
            throw UnsubscribeTokenError(.invalidInput, "the list must be at most \(UnsubscribeToken.maxListBytes) bytes without NUL")
        }
        let key = keys[0]
        var plaintext: [UInt8] = []
        let seconds = UInt64(max(0, token.issuedAt.timeIntervalSince1970.rounded(.down)))
        for shift in stride(from: 56, through: 0, by: -8) { plaintext.append(UInt8(truncatingIfNeeded: seconds >> UInt64(shift))) }
        plaintext += recipient
        plaintext.append(0)
        plaintext += list
        var out: [UInt8] = [Self.version, UInt8(key.id.utf8.count)] + Array(key.id.utf8)
        let nonce = Array(HMAC.sha256(key: key.nonceKey, data: out + plaintext).prefix(Self.nonceBytes))
        out += nonce
        out += Self.xor(plaintext, keystreamKey: key.encryptionKey, nonce: nonce)
        out += HMAC.sha256(key: key.macKey, data: out).prefix(Self.tagBytes)
        return Self.base64URLEncode(out)
    }

    /// Checks and opens `text`; the result carries the signing key's id.
    /// - Throws: `.malformed`, `.unknownKey`, `.badSignature` or `.expired`.
    public func verify(_ text: String, now: Date) throws(UnsubscribeTokenError) -> UnsubscribeToken {
        guard text.utf8.count <= Self.maxTokenLength, let bytes = Self.base64Decode(text) else {
            throw UnsubscribeTokenError(.malformed, "the token is not base64url or too long")
        }
        guard bytes.count >= 2, bytes[0] == Self.version else {
            throw UnsubscribeTokenError(.malformed, "unknown token version")
        }
        let idLength = Int(bytes[1])
        let headerLength = 2 + idLength
        // Header, nonce, at least the 8-byte time + 1 recipient byte + NUL, and the tag.
        guard (1...UnsubscribeKey.maxIdBytes).contains(idLength), bytes.count >= headerLength + Self.nonceBytes + 10 + Self.tagBytes else {
            throw UnsubscribeTokenError(.malformed, "the token is truncated")
        }
        let keyId = String(decoding: bytes[2..<headerLength], as: UTF8.self)
        guard let key = byId[keyId] else { throw UnsubscribeTokenError(.unknownKey, "the token's key is not configured") }
        let tagStart = bytes.count - Self.tagBytes
        let expected = HMAC.sha256(key: key.macKey, data: bytes[..<tagStart]).prefix(Self.tagBytes)
        guard ConstantTime.equals(expected, bytes[tagStart...]) else {
            throw UnsubscribeTokenError(.badSignature, "the token's signature does not match")
        }
        let nonce = Array(bytes[headerLength..<(headerLength + Self.nonceBytes)])
        let plaintext = Self.xor(Array(bytes[(headerLength + Self.nonceBytes)..<tagStart]), keystreamKey: key.encryptionKey, nonce: nonce)
        var seconds: UInt64 = 0
        for byte in plaintext.prefix(8) { seconds = seconds << 8 | UInt64(byte) }
        let rest = plaintext.dropFirst(8)
        // Authentic, so the layout holds unless a key was misused; still parse defensively.
        guard let nul = rest.firstIndex(of: 0), nul > rest.startIndex,
            let recipient = String(bytes: rest[rest.startIndex..<nul], encoding: .utf8),
            let list = String(bytes: rest[(nul + 1)...], encoding: .utf8)
        else {
            throw UnsubscribeTokenError(.malformed, "the token's content is not valid")
        }
        let issuedAt = Date(timeIntervalSince1970: TimeInterval(seconds))
        if let maxAge, now.timeIntervalSince(issuedAt) > maxAge {
            throw UnsubscribeTokenError(.expired, "the token is older than the configured maximum age")
        }
        return UnsubscribeToken(recipient: recipient, list: list.isEmpty ? nil : list, issuedAt: issuedAt, keyId: keyId)
    }

    /// `data` XOR the keystream HMAC(key, nonce | counter32) (encryption and decryption alike).
    static func xor(_ data: [UInt8], keystreamKey: [UInt8], nonce: [UInt8]) -> [UInt8] {
        var out = data
        var counter: UInt32 = 0
        var offset = 0
        while offset < out.count {
            let block = HMAC.sha256(key: keystreamKey, data: nonce + [
                UInt8(counter >> 24), UInt8(truncatingIfNeeded: counter >> 16), UInt8(truncatingIfNeeded: counter >> 8), UInt8(truncatingIfNeeded: counter),
            ])
            for i in 0..<min(block.count, out.count - offset) { out[offset + i] ^= block[i] }
            offset += block.count
            counter += 1
        }
        return out
    }

    static func base64URLEncode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Standard or URL-safe base64, padded or not; nil for anything else.
    static func base64Decode(_ text: some StringProtocol) -> [UInt8]? {
        guard text.utf8.allSatisfy({ UnsubscribeKey.isIdByte($0) || $0 == 43 || $0 == 47 || $0 == 61 }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 = base64.replacingOccurrences(of: "=", with: "")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { Array($0) }
    }
}
