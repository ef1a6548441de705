/// A value of the TOML subset Sluice reads: strings, integers, floats, booleans and flat arrays.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])
}

/// A parse error with its 1-based line.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    /// The full key (`section.key`) whose value could not be read, when the error is in a value.
    public var key: String?
    public init(line: Int, message: String, key: String? = nil) {
        self.line = line
        self.message = message
        self.key = key
    }
    public var description: String { "line \(line): \(message)" }
}
