/// A strict, bounded RFC 8259 reader for the hot paths (SNS envelopes, SES events), without Foundation.
///
/// Strict: exactly one value with only whitespace around it (a leading UTF-8 BOM is skipped, as
/// Foundation does), valid UTF-8 everywhere, no raw control characters in strings, only the JSON
/// escapes, surrogate pairs joined and lone surrogates refused, numbers checked against the grammar,
/// duplicate keys in any object refused. Bounded: nesting depth is capped; the caller caps the size.
public struct JSONReader: Sendable {
    /// Default nesting limit: far above any SNS or SES document, far below a stack risk.
    public static let defaultMaxDepth = 64

    public let maxDepth: Int

    public init(maxDepth: Int = JSONReader.defaultMaxDepth) {
        precondition(maxDepth > 0, "maxDepth must be positive")
        self.maxDepth = maxDepth
    }

    /// Parses one JSON text.
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONReaderError) -> JSONValue {
        var outcome: Result<JSONValue, JSONReaderError>?
        bytes.withContiguousStorageIfAvailable { buffer in
            do throws(JSONReaderError) { outcome = .success(try parse(buffer)) } catch { outcome = .failure(error) }
        }
        if let outcome { return try outcome.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { (buffer) throws(JSONReaderError) in try parse(buffer) }
    }

    /// Parses one JSON text whose top level must be an object.
    public func parseObject(_ bytes: some Collection<UInt8>) throws(JSONReaderError) -> JSONObject {
        guard case .object(let object) = try parse(bytes) else {
            throw JSONReaderError(.syntax, "the top-level value is not an object")
        }
        return object
    }

    private func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONReaderError) -> JSONValue {
        var cursor = JSONCursor(buffer, maxDepth: maxDepth)
        return try cursor.document()
    }
}
