/// An ordered HTTP header list with case-insensitive lookup. Shared by the server and the client.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public private(set) var entries: [(name: String, value: String)]

    public init(_ entries: [(String, String)] = []) {
        self.entries = entries.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        entries.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        entries.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    /// Whether `name` appears more than once (no array built: checked on hot paths).
    public func isRepeated(_ name: String) -> Bool {
        var seen = false
        for entry in entries where entry.name.caseInsensitiveEquals(name) {
            if seen { return true }
            seen = true
        }
        return false
    }

    public mutating func add(_ name: String, _ value: String) {
        entries.append((name: name, value: value))
    }

    /// Replaces every value of `name` with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        entries.append((name: name, value: value))
    }

    public mutating func remove(_ name: String) {
        entries.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    /// Reserves room for `count` entries (the parser knows a typical head's size).
    mutating func reserveCapacity(_ count: Int) { entries.reserveCapacity(count) }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { entries.makeIterator() }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.name == $1.name && $0.value == $1.value }
    }
}

extension String {
    /// ASCII case-insensitive equality, enough for header names.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        // Native strings (all the server makes) expose contiguous UTF-8: compare bytes directly.
        let fast = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in ASCIICase.equal(a, b) }
        }
        if let fast = fast ?? nil { return fast }
        return zip(utf8, other.utf8).allSatisfy(ASCIICase.equal)
    }
}
