import Foundation
import SluiceCore

/// One SNS `Publish` to a topic (Query API, `Version=2010-03-31`).
///
/// Values are made to fit SNS's limits when the form is built: `Subject` to printable ASCII under 100
/// characters on one line, `Message` to 256 KiB cut at a UTF-8 boundary.
public struct SNSPublishRequest: Sendable, Equatable {
    /// The topic, parsed: it picks the region to sign for and the default endpoint.
    public var topic: SNSTopicARN
    public var message: String
    /// E-mail subscribers see it as the subject line; nil or blank after sanitising: no `Subject`.
    public var subject: String?
    /// Required by FIFO topics (`.fifo`); ignored by SNS otherwise.
    public var messageGroupId: String?
    /// FIFO de-duplication key (1-128 ASCII letters, digits, punctuation); nil uses the topic's content-based one.
    public var messageDeduplicationId: String?

    public init(
        topic: SNSTopicARN, message: String, subject: String? = nil, messageGroupId: String? = nil, messageDeduplicationId: String? = nil
    ) {
        self.topic = topic
        self.message = message
        self.subject = subject
        self.messageGroupId = messageGroupId
        self.messageDeduplicationId = messageDeduplicationId
    }

    /// SNS's `Message` limit: 262,144 bytes of UTF-8 (SNS developer guide, "Amazon SNS message quotas").
    public static let maxMessageBytes = 262_144
    /// `Subject` must be shorter than 100 characters (API reference, Publish).
    public static let maxSubjectLength = 99

    /// The form fields in order: `Action`, `Version`, `TopicArn`, `Message`, then the optional ones.
    public var formParameters: [(String, String)] {
        var fields = [
            ("Action", "Publish"), ("Version", "2010-03-31"), ("TopicArn", topic.description),
            ("Message", Self.truncatedMessage(message)),
        ]
        if let subject = subject.flatMap(Self.sanitizedSubject) { fields.append(("Subject", subject)) }
        if let messageGroupId { fields.append(("MessageGroupId", messageGroupId)) }
        if let messageDeduplicationId { fields.append(("MessageDeduplicationId", messageDeduplicationId)) }
        return fields
    }

    /// `application/x-www-form-urlencoded` bytes of `fields`: names and values percent-encoded (RFC 3986
    /// unreserved kept, space as `%20`), as botocore's Query serializer does.
    public static func formBody(_ fields: [(String, String)]) -> [UInt8] {
        Array(fields.map { SigV4Encoding.uriEncode($0.0) + "=" + SigV4Encoding.uriEncode($0.1) }.joined(separator: "&").utf8)
    }

    /// A `Subject` SNS accepts, or nil when nothing printable is left.
    ///
    /// SNS: "ASCII text that begins with a letter, number, or punctuation mark; must not include line breaks
    /// or control characters; and must be less than 100 characters long." Accents are folded (`é` → `e`),
    /// other non-ASCII becomes `?`, control characters and whitespace runs become one space.
    public static func sanitizedSubject(_ text: String) -> String? {
        var out = ""
        var pendingSpace = false
        let folded = text.folding(options: [.diacriticInsensitive], locale: nil)
        for scalar in folded.unicodeScalars {
            let value = scalar.value
            if value <= 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            // Leading symbols (`$+<=>^`|~`) are neither letters, digits nor punctuation.
            if out.isEmpty, "$+<=>^`|~".unicodeScalars.contains(scalar) { continue }
            // Combining marks left over from folding carry nothing once the base letter is ASCII.
            if value >= 0x80, scalar.properties.generalCategory == .nonspacingMark { continue }
            let appended: Character = value < 0x80 ? Character(scalar) : "?"
            if pendingSpace {
                guard out.utf8.count + 2 <= maxSubjectLength else { break }
                out.append(" ")
                pendingSpace = false
            }
            guard out.utf8.count < maxSubjectLength else { break }
            out.append(appended)
        }
        return out.isEmpty ? nil : out
    }

    /// `text` cut to at most `maxBytes` bytes of UTF-8 without splitting a scalar.
    public static func truncatedMessage(_ text: String, maxBytes: Int = maxMessageBytes) -> String {
        let utf8 = text.utf8
        guard utf8.count > maxBytes else { return text }
        let bytes = Array(utf8)
        var end = max(0, maxBytes)
        // Back up over continuation bytes (10xxxxxx) so the cut falls before a lead byte.
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
