extension JSONDocument {
    // Typed member access with `Decodable`'s optional semantics: absent or null → nil, another kind → error.

    /// The string at `key` of `object`; nil when absent or null.
    public func string(_ object: Index, _ key: StaticString) throws(JSONReaderError) -> String? {
        guard let value = try present(object, key, .string, "string") else { return nil }
        return string(value)
    }

    /// The UTF-8 bytes of the string at `key` of `object`; nil when absent or null.
    public func utf8(_ object: Index, _ key: StaticString) throws(JSONReaderError) -> [UInt8]? {
        guard let value = try present(object, key, .string, "string") else { return nil }
        return utf8(value)
    }

    /// The boolean at `key` of `object`; nil when absent or null.
    public func bool(_ object: Index, _ key: StaticString) throws(JSONReaderError) -> Bool? {
        guard let value = try present(object, key, .bool, "boolean") else { return nil }
        return bool(value)
    }

    /// The object at `key` of `object`; nil when absent or null.
    public func object(_ object: Index, _ key: StaticString) throws(JSONReaderError) -> Index? {
        try present(object, key, .object, "object")
    }

    /// The array at `key` of `object`; nil when absent or null.
    public func array(_ object: Index, _ key: StaticString) throws(JSONReaderError) -> Index? {
        try present(object, key, .array, "array")
    }

    /// The array of strings at `key`; nil when absent or null; any non-string element is an error, and so are
    /// more than `limit` elements (`.tooManyElements` naming `key`, before any string is made).
    public func strings(_ object: Index, _ key: StaticString, limit: Int = .max) throws(JSONReaderError) -> [String]? {
        guard let array = try array(object, key) else { return nil }
        return try strings(array, key: key.description, limit: limit)
    }

    /// The strings of `array`; any non-string element is a type mismatch named `key`, more than `limit` elements
    /// too many.
    func strings(_ array: Index, key: String, limit: Int = .max) throws(JSONReaderError) -> [String] {
        guard count(array) <= limit else { throw JSONReaderError.tooManyElements(key: key, limit: limit) }
        var result: [String] = []
        result.reserveCapacity(count(array))
        for element in elements(array) {
            guard let s = string(element) else {
                throw JSONReaderError.typeMismatch(key: key, expected: "array of strings", found: kind(element))
            }
            result.append(s)
        }
        return result
    }

    /// The object of strings at `key` (e.g. headers); nil when absent or null; a non-string value is an
    /// error naming `key`, and so are more than `limit` members (before any string is made).
    public func stringMap(_ object: Index, _ key: StaticString, limit: Int = .max) throws(JSONReaderError) -> [String: String]? {
        guard let map = try self.object(object, key) else { return nil }
        guard count(map) <= limit else { throw JSONReaderError.tooManyElements(key: key.description, limit: limit) }
        var result: [String: String] = [:]
        result.reserveCapacity(count(map))
        try forEachMember(map) { (keyNode, value) throws(JSONReaderError) in
            guard let s = string(value) else {
                throw JSONReaderError.typeMismatch(key: key.description, expected: "object of strings", found: kind(value))
            }
            result[keyString(keyNode)] = s
        }
        return result
    }

    /// The array of objects at `key`, each mapped by `transform`; nil when absent or null.
    public func objects<T>(_ object: Index, _ key: StaticString, _ transform: (Index) throws(JSONReaderError) -> T) throws(JSONReaderError) -> [T]? {
        guard let array = try array(object, key) else { return nil }
        var result: [T] = []
        result.reserveCapacity(count(array))
        for element in elements(array) {
            guard kind(element) == .object else {
                throw JSONReaderError.typeMismatch(key: key.description, expected: "array of objects", found: kind(element))
            }
            result.append(try transform(element))
        }
        return result
    }

    /// The value at `key` when it is of `kind`; nil when absent or null; a mismatch otherwise.
    private func present(_ object: Index, _ key: StaticString, _ expected: Kind, _ name: String) throws(JSONReaderError) -> Index? {
        guard let value = member(object, key) else { return nil }
        let found = kind(value)
        if found == expected { return value }
        if found == .null { return nil }
        throw JSONReaderError.typeMismatch(key: key.description, expected: name, found: found)
    }
}

extension JSONDocument.Kind {
    /// The kind's name, for error messages (never the value itself).
    public var name: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONReaderError {
    /// A field of the wrong kind in a `JSONDocument`; names the key, never the value.
    static func typeMismatch(key: String, expected: String, found: JSONDocument.Kind) -> JSONReaderError {
        JSONReaderError(.typeMismatch, "field \(key.prefix(64)) is \(found.name), expected \(expected)", field: key)
    }

    /// A field with more elements than its reader allows; names the key, never a value.
    static func tooManyElements(key: String, limit: Int) -> JSONReaderError {
        JSONReaderError(.tooManyElements, "field \(key.prefix(64)) has more than \(limit) elements", field: key)
    }
}
