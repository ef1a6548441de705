/// The stored audit copy of one SNS message: its bytes in the form they are kept.
public struct AuditCopy: Sendable, Equatable {
    /// SNS MessageId of the stored message.
    public var messageId: String
    public var format: AuditCopyFormat
    /// The body (`identity`) or a zlib stream (`zlib`).
    public var bytes: [UInt8]
    /// Where the body lies in the decoded bytes when they hold the bodies of several messages (a pack of
    /// one group commit); nil when they are this message's body alone.
    public var range: Range<Int>?

    public init(messageId: String, format: AuditCopyFormat, bytes: [UInt8], range: Range<Int>? = nil) {
        self.messageId = messageId
        self.format = format
        self.bytes = bytes
        self.range = range
    }
}
