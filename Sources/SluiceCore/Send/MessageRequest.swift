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
    /// Bulk/marketing mail: the gate adds RFC 8058 one-click unsubscribe headers (one recipient only).
    public var bulk: Bool?
    /// The list the recipient unsubscribes from (a suppression scope, `list` or `list/topic`); implies `bulk`.
    /// Suppressions in this scope (and global ones) block the message.
    public var list: String?

    enum CodingKeys: String, CodingKey {
        case from, to, cc, bcc, subject, text, html, headers, tags, raw, bulk, list
        case replyTo = "reply_to"
        case configurationSet = "configuration_set"
    }

    public init(
        from: String? = nil, to: [String]? = nil, cc: [String]? = nil, bcc: [String]? = nil, replyTo: [String]? = nil,
        subject: String? = nil, text: String? = nil, html: String? = nil, headers: [String: String]? = nil,
        tags: [String: String]? = nil, configurationSet: String? = nil, raw: String? = nil, bulk: Bool? = nil,
        list: String? = nil
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
        self.bulk = bulk
        self.list = list
    }
}
