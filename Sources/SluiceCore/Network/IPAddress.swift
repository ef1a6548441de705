import Foundation

/// An IPv4 or IPv6 address, parsed from text without the C resolver. IPv4 is kept as its IPv4-mapped IPv6
/// form (`::ffff:a.b.c.d`), so one comparison serves both families and a mapped peer equals its IPv4 self.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The eight 16-bit groups, network order.
    public let groups: [UInt16]

    /// Whether this is an IPv4 address (or an IPv4-mapped IPv6 one).
    public var isIPv4: Bool { groups[0..<5].allSatisfy { $0 == 0 } && groups[5] == 0xFFFF }

    /// `203.0.113.7`, or `2001:db8:0:0:0:0:0:1` (IPv6 groups in full, lower-case hex, no `::`).
    public var description: String {
        if isIPv4 {
            return [groups[6] >> 8, groups[6] & 0xFF, groups[7] >> 8, groups[7] & 0xFF].map(String.init).joined(separator: ".")
        }
        return groups.map { String($0, radix: 16) }.joined(separator: ":")
    }

    /// As a peer address is written (`203.0.113.7`, `[2001:db8::1]`): IPv6 in brackets, so that text that
    /// may carry a port stays unambiguous.
    public var bracketed: String { isIPv4 ? description : "[\(description)]" }

    /// The 128 bits as two halves, for prefix tests.
    var bits: (high: UInt64, low: UInt64) {
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return (high, low)
    }

    private init(groups: [UInt16]) { self.groups = groups }

    /// Dotted IPv4 (`203.0.113.7`, no leading zeros) or IPv6 text (`::`, a dotted IPv4 tail; no zone).
    public init?<S: StringProtocol>(_ text: S) {
        if let octets = Self.ipv4Octets(text) {
            groups = [0, 0, 0, 0, 0, 0xFFFF, octets[0] << 8 | octets[1], octets[2] << 8 | octets[3]]
        } else if let groups = Self.ipv6Groups(text) {
            self.groups = groups
        } else {
            return nil
        }
    }

    /// The address of a peer as the server writes it: `203.0.113.7:51234`, `[2001:db8::1]:443`, or
    /// either without its port.
    public init?(peer text: String) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            guard Self.isPortSuffix(text[text.index(after: close)...]) else { return nil }
            self.init(text[text.index(after: text.startIndex)..<close])
            return
        }
        let colon = text.firstIndex(of: ":") ?? text.endIndex
        guard Self.isPortSuffix(text[colon...]), let octets = Self.ipv4Octets(text[..<colon]) else { return nil }
        self.init(groups: [0, 0, 0, 0, 0, 0xFFFF, octets[0] << 8 | octets[1], octets[2] << 8 | octets[3]])
    }

    /// Nothing, or `:` and a port of 1-5 digits.
    private static func isPortSuffix(_ text: Substring) -> Bool {
        text.isEmpty || (text.first == ":" && (2...6).contains(text.count) && text.dropFirst().allSatisfy { $0.isASCII && $0.isNumber })
    }

    static func ipv4Octets<S: StringProtocol>(_ text: S) -> [UInt16]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt16] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let value = UInt16(part), value <= 255
            else { return nil }
            octets.append(value)
        }
        return octets
    }

    private static func ipv6Groups<S: StringProtocol>(_ text: S) -> [UInt16]? {
        guard text.count <= 45, text.contains(":"), !text.contains("%") else { return nil }
        func parse(_ side: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
            if side.isEmpty { return [] }
            var groups: [UInt16] = []
            let parts = side.split(separator: ":", omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                if allowIPv4Tail, index == parts.count - 1, part.contains(".") {
                    guard let octets = ipv4Octets(part) else { return nil }
                    groups += [octets[0] << 8 | octets[1], octets[2] << 8 | octets[3]]
                } else {
                    guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit), let value = UInt16(part, radix: 16) else { return nil }
                    groups.append(value)
                }
            }
            return groups
        }
        let text = Substring(text)
        guard let gap = text.range(of: "::") else {
            guard let groups = parse(text, allowIPv4Tail: true), groups.count == 8 else { return nil }
            return groups
        }
        let head = text[..<gap.lowerBound], tail = text[gap.upperBound...]
        guard !tail.contains("::"), let headGroups = parse(head, allowIPv4Tail: false),
            let tailGroups = parse(tail, allowIPv4Tail: true), headGroups.count + tailGroups.count <= 7
        else { return nil }
        return headGroups + Array(repeating: 0, count: 8 - headGroups.count - tailGroups.count) + tailGroups
    }
}
