/// An error from a store implementation. Compare on `code` only.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case unavailable, full, readOnly, corrupt, busy, constraint, notFound, invalidInput, migration, io, fileReplaced
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The database cannot be opened or reached: transient, answer 503.
        public static let unavailable = Code(.unavailable)
        /// Disk or database size limit reached: transient, answer 503.
        public static let full = Code(.full)
        /// The database file or directory is read-only: answer 503.
        public static let readOnly = Code(.readOnly)
        /// The file is damaged.
        public static let corrupt = Code(.corrupt)
        /// Lock not obtained within the busy timeout: transient.
        public static let busy = Code(.busy)
        public static let constraint = Code(.constraint)
        public static let notFound = Code(.notFound)
        public static let invalidInput = Code(.invalidInput)
        public static let migration = Code(.migration)
        public static let io = Code(.io)
        /// The database's path no longer names the file the store has open (removed or renamed while it
        /// ran): writes are refused until the file is back under its name; answer 503.
        public static let fileReplaced = Code(.fileReplaced)
        public var description: String { "\(value)" }
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// Whether a retry later may succeed (the SNS endpoint answers 503 for these).
    public var isTransient: Bool {
        code == .unavailable || code == .full || code == .readOnly || code == .busy || code == .io || code == .fileReplaced
    }

    public var description: String { "store error (\(code)): \(message)" }
}
