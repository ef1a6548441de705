extension MessageRequest {
    /// Reads a `POST /v1/messages` body with `JSONReader` (no Foundation on the hot path). Same fields
    /// and optional semantics as the `Decodable` conformance: absent or null → nil, another JSON type →
    /// `.typeMismatch` naming the field. Stricter in one way: a repeated key is refused.
    public static func parse(_ body: [UInt8]) throws(JSONReaderError) -> MessageRequest {
        try MessageRequest(json: JSONReader().parseObject(body))
    }

    /// Maps an already parsed object.
    public init(json o: JSONObject) throws(JSONReaderError) {
        self.init(
            from: try o.string("from"), to: try o.strings("to"), cc: try o.strings("cc"), bcc: try o.strings("bcc"),
            replyTo: try o.strings("reply_to"), subject: try o.string("subject"), text: try o.string("text"),
            html: try o.string("html"), headers: try o.stringMap("headers"), tags: try o.stringMap("tags"),
            configurationSet: try o.string("configuration_set"), raw: try o.string("raw"),
            bulk: try o.bool("bulk"), list: try o.string("list"))
    }
}
