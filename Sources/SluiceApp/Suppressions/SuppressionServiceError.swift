import SluiceCore

/// Why a suppression operation was refused or failed. Compare on `code`; messages carry no addresses.
public struct SuppressionServiceError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case invalidAddress, invalidReason, invalidExpiry, invalidDetail, invalidScope, invalidQuery
            case invalidBody, invalidFormat, notFound, store
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The address cannot be normalised (not `local@domain`).
        public static let invalidAddress = Code(.invalidAddress)
        /// Not one of `SuppressionReason`'s raw values.
        public static let invalidReason = Code(.invalidReason)
        /// Not RFC 3339, or already past.
        public static let invalidExpiry = Code(.invalidExpiry)
        /// Detail longer than `SuppressionService.maxDetailLength` or with control characters.
        public static let invalidDetail = Code(.invalidDetail)
        public static let invalidScope = Code(.invalidScope)
        /// A bad list/history parameter (limit, cursor, since, domain).
        public static let invalidQuery = Code(.invalidQuery)
        /// The request body is not the JSON object expected.
        public static let invalidBody = Code(.invalidBody)
        /// The import format or its CSV header is unusable.
        public static let invalidFormat = Code(.invalidFormat)
        /// No such suppression.
        public static let notFound = Code(.notFound)
        /// The store failed; `underlying` is the `StoreError`.
        public static let store = Code(.store)
        public var description: String { "\(value)" }

        /// Whether the caller sent something unusable (HTTP 400, exit 64).
        public var isUsage: Bool { value != .notFound && value != .store }
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// Wraps a store failure.
    public static func store(_ error: StoreError) -> SuppressionServiceError {
        SuppressionServiceError(.store, "the database reported an error (\(error.code))", underlying: error)
    }

    public var description: String { message }
}
