/// An error registering a metric. Compare on `code` only.
public struct MetricsError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case invalidName, invalidLabelName, typeConflict, bucketConflict, invalidBuckets
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        /// The metric name does not match `[a-zA-Z_:][a-zA-Z0-9_:]*`.
        public static let invalidName = Code(.invalidName)
        /// A label name does not match `[a-zA-Z_][a-zA-Z0-9_]*`, starts with `__`, or is `le` on a histogram.
        public static let invalidLabelName = Code(.invalidLabelName)
        /// The name is already registered as another metric type.
        public static let typeConflict = Code(.typeConflict)
        /// The histogram is already registered with other buckets.
        public static let bucketConflict = Code(.bucketConflict)
        /// Buckets must be finite and strictly increasing.
        public static let invalidBuckets = Code(.invalidBuckets)
        public var description: String { "\(value)" }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "metrics error (\(code)): \(message)" }
}
