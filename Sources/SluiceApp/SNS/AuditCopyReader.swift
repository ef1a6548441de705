import SluiceCore
import SluiceCrypto

/// The stored SNS body of a message, whichever form its audit copy is in.
enum AuditCopyReader {
    /// Largest body inflated (SNS bodies are at most `sns.max_body_bytes`, 1 MiB at most).
    static let maxBodyBytes = 1 << 20

    /// The body as received; nil when the message is not stored.
    static func body(of messageId: String, in store: any AuditCopyStore) async throws(StoreError) -> [UInt8]? {
        guard let copy = try await store.auditCopy(messageId: messageId) else { return nil }
        return try body(of: copy)
    }

    /// The body an audit copy holds.
    static func body(of copy: AuditCopy) throws(StoreError) -> [UInt8] {
        switch copy.format {
        case .identity:
            return copy.bytes
        case .zlib:
            do {
                return try Zlib.decompress(copy.bytes, maxOutput: maxBodyBytes)
            } catch {
                throw StoreError(.corrupt, "audit copy of \(copy.messageId) does not inflate: \(error.message)")
            }
        }
    }
}
