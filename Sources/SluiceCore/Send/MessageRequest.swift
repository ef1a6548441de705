/// The JSON body of `POST /v1/messages` as sent by a client, before validation.
///
/// Either `subject` + `text`/`html` (SES builds the MIME message) or `raw` (base64 MIME) with explicit
/// recipients in `to`/`cc`/`bcc`.
public struct MessageRequest: Sendable, Equatable, Decodable {
    public var from: String?
    public var to: [String]?
    public var cc: [String]?
    public var bcc: [String]?
    public var replyTo: [String]?
    public var subject: String?
    public var text: String?
    public var html: String?
    /// Extra headers such as `List-Unsubscribe` (simple content only).
    public var headers: [String: String]?
    /// SES `EmailTags`, echoed in event notifications.
    public var tags: [String: String]?
    public var configurationSet: String?
    /// A complete MIME message, base64-encoded.
    public var raw: String?

    enum CodingKeys: String, CodingKey {
        case from, to, cc, bcc, subject, text, html, headers, tags, raw
        case replyTo = "reply_to"
        case configurationSet = "configuration_set"
    }

    public init(
        from: String? = nil, to: [String]? = nil, cc: [String]? = nil, bcc: [String]? = nil, replyTo: [String]? = nil,
        subject: String? = nil, text: String? = nil, html: String? = nil, headers: [String: String]? = nil,
        tags: [String: String]? = nil, configurationSet: String? = nil, raw: String? = nil
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = headers
        self.tags = tags
        self.configurationSet = configurationSet
        self.raw = raw
    }
}
