/// Why `JSONDocument` refused a text (with the byte offset where it stopped), or why a typed field
/// read found another JSON type.
public struct JSONReaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; compare errors on this.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String { case syntax, invalidUTF8, invalidEscape, tooDeep, duplicateKey, typeMismatch, tooManyElements }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Not JSON: unexpected byte, unterminated value, trailing data, bad number or literal.
        public static let syntax = Code(.syntax)
        /// A string is not valid UTF-8, or holds a raw control character.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A backslash escape is unknown, or a `\u` escape names a lone surrogate.
        public static let invalidEscape = Code(.invalidEscape)
        /// Containers nest deeper than the reader's limit.
        public static let tooDeep = Code(.tooDeep)
        /// An object repeats a key (parsers disagree on which one wins, so none is chosen).
        public static let duplicateKey = Code(.duplicateKey)
        /// A field has another JSON type than the reader of the document expects.
        public static let typeMismatch = Code(.typeMismatch)
        /// The document holds more values than the reader allows (`JSONDocument.init(_:maxDepth:maxValues:)`), or
        /// a field more elements than its reader allows (`field` names it).
        public static let tooManyElements = Code(.tooManyElements)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String
    /// Byte offset into the input (0 for type mismatches, which are found after parsing).
    public let offset: Int
    /// For type mismatches: the schema key whose value had the wrong type; for a field with too many
    /// elements, that field.
    public let field: String?

    public init(_ code: Code, _ message: String, offset: Int = 0, field: String? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
        self.field = field
    }

    public var description: String { "JSONReaderError(\(code)): \(message)" }

    public static func == (lhs: JSONReaderError, rhs: JSONReaderError) -> Bool { lhs.code == rhs.code }
}
