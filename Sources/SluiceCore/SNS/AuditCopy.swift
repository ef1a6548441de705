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
