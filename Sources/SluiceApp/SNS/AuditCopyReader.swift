import SluiceCore
import SluiceCrypto

/// The stored SNS body of a message, whichever form its audit copy is in.
enum AuditCopyReader {
    /// Most bytes inflated: one body (SNS bodies are at most `sns.max_body_bytes`, 1 MiB at most) or one
    /// pack (SQLite closes a pack past 256 KiB, and packs no body over 64 KiB).
    static let maxDecodedBytes = 1 << 20

    /// The body as received; nil when the message is not stored.
    static func body(of messageId: String, in store: any AuditCopyStore) async throws(StoreError) -> [UInt8]? {
        guard let copy = try await store.auditCopy(messageId: messageId) else { return nil }
        return try body(of: copy)
    }

    /// The body an audit copy holds.
    static func body(of copy: AuditCopy) throws(StoreError) -> [UInt8] {
        let decoded: [UInt8]
        switch copy.format {
        case .identity:
            decoded = copy.bytes
        case .zlib:
            do {
                decoded = try Zlib.decompress(copy.bytes, maxOutput: maxDecodedBytes)
            } catch {
                throw StoreError(.corrupt, "audit copy of \(copy.messageId) does not inflate: \(error.message)")
            }
        }
        guard let range = copy.range else { return decoded }
        guard range.lowerBound >= 0, range.upperBound <= decoded.count else {
            throw StoreError(.corrupt, "audit copy of \(copy.messageId) lies outside its pack (\(range) of \(decoded.count) bytes)")
        }
        return Array(decoded[range])
    }
}
