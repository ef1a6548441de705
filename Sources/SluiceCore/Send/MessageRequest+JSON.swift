extension MessageRequest {
    /// Most JSON values (keys included) a request body may hold: a valid request has a few hundred at most, and
    /// without a bound a 40 MB body of tiny array elements would index (and map) millions of them.
    public static let maxJSONValues = 1 << 16

    /// Reads a `POST /v1/messages` body with `JSONDocument` (no Foundation on the hot path). Same fields
    /// and optional semantics as the `Decodable` conformance: absent or null → nil, another JSON type →
    /// `.typeMismatch` naming the field. Stricter in three ways: a repeated key is refused, a body of more
    /// than `maxJSONValues` values too, and a list or map field with more elements than the validator allows
    /// (`MessageRequestValidator.elementLimit(of:)`) is `.tooManyElements` naming it, before its strings are made.
    public static func parse(_ body: [UInt8]) throws(JSONReaderError) -> MessageRequest {
        let d = try JSONDocument(body, maxValues: maxJSONValues)
        return try MessageRequest(d, d.rootObject())
    }

    /// Maps the object `o` of an already checked document.
    public init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
        typealias V = MessageRequestValidator
        // Read in the order the tree reader used, so the first wrong field reported stays the same.
        self.init(
            from: try d.string(o, "from"), to: try d.strings(o, "to", limit: V.maxRecipients),
            cc: try d.strings(o, "cc", limit: V.maxRecipients), bcc: try d.strings(o, "bcc", limit: V.maxRecipients),
            replyTo: try d.strings(o, "reply_to", limit: V.maxReplyTo), subject: try d.string(o, "subject"),
            text: try d.string(o, "text"), html: try d.string(o, "html"), headers: try d.stringMap(o, "headers", limit: V.maxHeaders),
            tags: try d.stringMap(o, "tags", limit: V.maxTags), configurationSet: try d.string(o, "configuration_set"),
            raw: try d.string(o, "raw"), bulk: try d.bool(o, "bulk"), list: try d.string(o, "list"))
    }
}
