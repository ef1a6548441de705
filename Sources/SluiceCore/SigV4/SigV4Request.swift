/// The parts of an HTTP request that SigV4 signs.
public struct SigV4Request: Sendable, Equatable {
    /// A header or query parameter; query values are decoded (not percent-encoded).
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// What the signature covers for the body.
    public enum Payload: Sendable, Equatable {
        /// The exact body bytes; hashed by the signer.
        case bytes([UInt8])
        /// A precomputed lowercase hex SHA-256 of the body.
        case hash(String)
        /// `UNSIGNED-PAYLOAD` (S3 only).
        case unsigned
    }

    /// HTTP method, e.g. `POST`.
    public var method: String
    /// The path exactly as sent on the wire (already percent-encoded); empty means `/`.
    public var path: String
    /// Decoded query parameters in sending order.
    public var query: [Field]
    /// Headers to send, including `Host`; repeated names are allowed.
    public var headers: [Field]
    public var payload: Payload

    public init(method: String, path: String, query: [Field] = [], headers: [Field], payload: Payload = .bytes([])) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payload = payload
    }

    /// Splits a raw query string (`a=1&b=%2F`) into decoded fields; `+` stays a literal plus.
    public static func parseQuery(_ raw: String) -> [Field] {
        guard !raw.isEmpty else { return [] }
        return raw.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return Field(
                    SigV4Encoding.percentDecode(String(pair[..<eq])) ?? String(pair[..<eq]),
                    SigV4Encoding.percentDecode(String(pair[pair.index(after: eq)...])) ?? String(pair[pair.index(after: eq)...]))
            }
            return Field(SigV4Encoding.percentDecode(String(pair)) ?? String(pair), "")
        }
    }
}
