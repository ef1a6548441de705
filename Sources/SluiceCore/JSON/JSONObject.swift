/// A JSON object's members in document order; keys are unique (`JSONReader` refuses duplicates).
public struct JSONObject: Sendable, Equatable {
    /// One `"key": value` pair.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public var members: [Member]

    public init(members: [Member] = []) {
        self.members = members
    }

    /// The value for `key`, or nil when absent (a JSON null is `.null`, not nil).
    public subscript(key: String) -> JSONValue? {
        // Objects in the formats read here are small; a linear scan beats hashing every key.
        for member in members where member.key == key { return member.value }
        return nil
    }

    /// The keys in document order.
    public var keys: [String] { members.map(\.key) }
}

extension JSONObject {
    // Typed field access with `Decodable`'s optional semantics: absent or null → nil, another kind → error.

    /// The string at `key`; nil when absent or null.
    public func string(_ key: String) throws(JSONReaderError) -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw JSONReaderError.typeMismatch(key: key, expected: "string", found: other)
        }
    }

    /// The boolean at `key`; nil when absent or null.
    public func bool(_ key: String) throws(JSONReaderError) -> Bool? {
        switch self[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case let other?: throw JSONReaderError.typeMismatch(key: key, expected: "boolean", found: other)
        }
    }

    /// The object at `key`; nil when absent or null.
    public func object(_ key: String) throws(JSONReaderError) -> JSONObject? {
        switch self[key] {
        case nil, .null?: return nil
        case .object(let o)?: return o
        case let other?: throw JSONReaderError.typeMismatch(key: key, expected: "object", found: other)
        }
    }

    /// The array at `key`; nil when absent or null.
    public func array(_ key: String) throws(JSONReaderError) -> [JSONValue]? {
        switch self[key] {
        case nil, .null?: return nil
        case .array(let a)?: return a
        case let other?: throw JSONReaderError.typeMismatch(key: key, expected: "array", found: other)
        }
    }

    /// The array of strings at `key`; nil when absent or null; any non-string element is an error.
    public func strings(_ key: String) throws(JSONReaderError) -> [String]? {
        guard let array = try array(key) else { return nil }
        var result: [String] = []
        result.reserveCapacity(array.count)
        for element in array {
            guard case .string(let s) = element else {
                throw JSONReaderError.typeMismatch(key: key, expected: "array of strings", found: element)
            }
            result.append(s)
        }
        return result
    }

    /// The object of strings at `key` (e.g. headers); nil when absent or null; a non-string value is an error.
    public func stringMap(_ key: String) throws(JSONReaderError) -> [String: String]? {
        guard let object = try object(key) else { return nil }
        var result: [String: String] = [:]
        result.reserveCapacity(object.members.count)
        for member in object.members {
            guard case .string(let s) = member.value else {
                throw JSONReaderError.typeMismatch(key: key, expected: "object of strings", found: member.value)
            }
            result[member.key] = s
        }
        return result
    }

    /// The array of objects at `key`, each mapped by `transform`; nil when absent or null.
    public func objects<T>(_ key: String, _ transform: (JSONObject) throws(JSONReaderError) -> T) throws(JSONReaderError) -> [T]? {
        guard let array = try array(key) else { return nil }
        var result: [T] = []
        result.reserveCapacity(array.count)
        for element in array {
            guard case .object(let o) = element else {
                throw JSONReaderError.typeMismatch(key: key, expected: "array of objects", found: element)
            }
            result.append(try transform(o))
        }
        return result
    }
}
