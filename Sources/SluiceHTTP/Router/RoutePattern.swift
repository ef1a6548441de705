/// A parsed route pattern such as "/sns/{name}": literal segments and `{name}` parameters.
public struct RoutePattern: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(String)
    }

    /// The pattern as registered.
    public let text: String
    let segments: [Segment]
    /// Which segments are literals, in order (compared to rank overlapping patterns); computed once.
    let literalMask: [Bool]

    /// Parses `text`; it must start with "/" and parameters must fill a whole segment.
    public init(_ text: String) {
        self.text = text
        var segments: [Segment] = []
        let parts = text.split(separator: "/", omittingEmptySubsequences: true)
        for part in parts {
            if part.hasPrefix("{"), part.hasSuffix("}"), part.count > 2 {
                segments.append(.parameter(String(part.dropFirst().dropLast())))
            } else {
                segments.append(.literal(String(part)))
            }
        }
        self.segments = segments
        literalMask = segments.map { if case .literal = $0 { true } else { false } }
    }

    public var description: String { text }

    /// Whether `mask` has a literal at the first position where the two differ.
    static func isMoreSpecific(_ mask: [Bool], than other: [Bool]) -> Bool {
        for (a, b) in zip(mask, other) where a != b { return a }
        return false
    }

    /// Whether `path` (decoded segments) matches; allocates nothing.
    func matches(_ path: [String]) -> Bool {
        guard path.count == segments.count else { return false }
        for i in 0..<segments.count {
            switch segments[i] {
            case .literal(let literal): if literal != path[i] { return false }
            case .parameter: if path[i].isEmpty { return false }
            }
        }
        return true
    }

    /// Parameter values when `path` (decoded segments) matches, nil otherwise.
    func match(_ path: [String]) -> [String: String]? {
        guard path.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(segments, path) {
            switch segment {
            case .literal(let literal):
                if literal != value { return nil }
            case .parameter(let name):
                if value.isEmpty { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }
}

/// A registered route, as listed by `Router.routes` (e.g. to compare against an OpenAPI document).
public struct RouteDescription: Sendable, Hashable {
    public var method: HTTPMethod
    public var pattern: String
    public var options: RouteOptions

    public init(method: HTTPMethod, pattern: String, options: RouteOptions) {
        self.method = method
        self.pattern = pattern
        self.options = options
    }

    public static func == (lhs: RouteDescription, rhs: RouteDescription) -> Bool {
        lhs.method == rhs.method && lhs.pattern == rhs.pattern
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(pattern)
    }
}
