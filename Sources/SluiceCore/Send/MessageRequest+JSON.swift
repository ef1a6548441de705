extension MessageRequest {
    /// Reads a `POST /v1/messages` body with `JSONDocument` (no Foundation on the hot path). Same fields
    /// and optional semantics as the `Decodable` conformance: absent or null → nil, another JSON type →
    /// `.typeMismatch` naming the field. Stricter in one way: a repeated key is refused.
    public static func parse(_ body: [UInt8]) throws(JSONReaderError) -> MessageRequest {
        let d = try JSONDocument(body)
        return try MessageRequest(d, d.rootObject())
    }

    /// Maps the object `o` of an already checked document.
    public init(_ d: JSONDocument, _ o: JSONDocument.Index) throws(JSONReaderError) {
        // Read in the order the tree reader used, so the first wrong field reported stays the same.
        self.init(
            from: try d.string(o, "from"), to: try d.strings(o, "to"), cc: try d.strings(o, "cc"),
            bcc: try d.strings(o, "bcc"), replyTo: try d.strings(o, "reply_to"), subject: try d.string(o, "subject"),
            text: try d.string(o, "text"), html: try d.string(o, "html"), headers: try d.stringMap(o, "headers"),
            tags: try d.stringMap(o, "tags"), configurationSet: try d.string(o, "configuration_set"),
            raw: try d.string(o, "raw"), bulk: try d.bool(o, "bulk"), list: try d.string(o, "list"))
    }
}
