/// A problem with the import as a whole (not one row): the header cannot be used. Compare on `code`.
public struct ImportFormatError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable { case unknownColumn, duplicateColumn }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        public static let unknownColumn = Code(.unknownColumn)
        public static let duplicateColumn = Code(.duplicateColumn)
        public var description: String { "\(value)" }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "import format error (\(code)): \(message)" }
}
