/// The stored audit copy of one SNS message: its bytes in the form they are kept.
public struct AuditCopy: Sendable, Equatable {
    /// SNS MessageId of the stored message.
    public var messageId: String
    public var format: AuditCopyFormat
    /// The body (`identity`) or its zlib stream (`zlib`).
    public var bytes: [UInt8]

    public init(messageId: String, format: AuditCopyFormat, bytes: [UInt8]) {
        self.messageId = messageId
        self.format = format
        self.bytes = bytes
    }
}

extension AuditCopy {
    /// Checks copies meant to replace stored raw ones (every backend's `replaceAuditCopies`): zlib only,
    /// each at most `maxBytes`.
    public static func checkReplacements(_ copies: [AuditCopy], maxBytes: Int) throws(StoreError) {
        for copy in copies {
            guard copy.format == .zlib else { throw StoreError(.invalidInput, "only zlib audit copies replace stored ones") }
            guard copy.bytes.count <= maxBytes else {
                throw StoreError(.invalidInput, "compressed SNS message larger than \(maxBytes) bytes")
            }
        }
    }
}
