/// The `Content` of a `SendEmail` call: SES builds the MIME message (`Simple`) or takes it as is (`Raw`).
public enum SESEmailContent: Sendable, Equatable {
    case simple(Simple)
    /// A complete MIME message (headers, blank line, body); sent base64-encoded.
    case raw([UInt8])

    /// A text with an optional charset; nil sends `UTF-8`, which JSON text always is (SES itself assumes
    /// 7-bit ASCII when no charset is given, and would garble anything else).
    public struct Text: Sendable, Equatable {
        public var data: String
        public var charset: String?
        public init(_ data: String, charset: String? = nil) {
            self.data = data
            self.charset = charset
        }
    }

    /// An extra MIME header SES adds to a simple message (≤ 15; name `^[!-9;-@A-~]+$`).
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `Content.Simple`: subject plus a text and/or HTML body.
    public struct Simple: Sendable, Equatable {
        public var subject: Text
        public var text: Text?
        public var html: Text?
        public var headers: [Header]
        public init(subject: Text, text: Text? = nil, html: Text? = nil, headers: [Header] = []) {
            self.subject = subject
            self.text = text
            self.html = html
            self.headers = headers
        }
    }
}
