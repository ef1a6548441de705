/// Stored audit bytes that compress as one unit: the copy of one message, or a pack holding the bodies
/// of the messages one group commit stored (deflated together, a pack takes a fraction of the CPU and
/// disk that its bodies take one by one).
public struct AuditBlob: Sendable, Equatable {
    public enum Owner: Sendable, Hashable {
        /// The copy kept in the row of this SNS MessageId (PostgreSQL: the MessageId is the row's key).
        case message(String)
        /// The copy kept in the row with this rowid, which holds this MessageId (SQLite: a MessageId may
        /// have two rows, each with its own Timestamp).
        case row(Int64, messageId: String)
        /// The pack with this id.
        case pack(Int64)
    }

    public var owner: Owner
    public var format: AuditCopyFormat
    /// The bytes as stored (`identity`), or their zlib stream (`zlib`).
    public var bytes: [UInt8]
    /// Message copies the blob holds (1 for a message's own copy).
    public var copies: Int

    public init(owner: Owner, format: AuditCopyFormat, bytes: [UInt8], copies: Int = 1) {
        self.owner = owner
        self.format = format
        self.bytes = bytes
        self.copies = copies
    }
}

extension AuditBlob {
    /// Checks blobs meant to replace stored uncompressed ones (every backend's `replaceAuditBlobs`): zlib
    /// only, each at most `maxBytes`.
    public static func checkReplacements(_ blobs: [AuditBlob], maxBytes: Int) throws(StoreError) {
        for blob in blobs {
            guard blob.format == .zlib else { throw StoreError(.invalidInput, "only zlib audit blobs replace stored ones") }
            guard blob.bytes.count <= maxBytes else {
                throw StoreError(.invalidInput, "compressed SNS audit blob larger than \(maxBytes) bytes")
            }
        }
    }
}
