/// The party a signing-certificate fetch is charged to: the requester's IPv4 address, or the /64 network
/// of an IPv6 one (one host commonly holds a whole /64, so a single address would be no limit at all).
public struct CertificateFetchClient: Hashable, Sendable, CustomStringConvertible {
    /// `203.0.113.7` or `2001:db8:0:1::/64`.
    public let description: String

    /// The client of a request whose peer the server reports as `remoteAddress` (`203.0.113.7:51234`,
    /// `[2001:db8::1]:51234`, as `inet_ntop` writes it); nil when it names no IP address.
    public init?(remoteAddress: String) {
        if remoteAddress.hasPrefix("["), let close = remoteAddress.firstIndex(of: "]") {
            let host = remoteAddress[remoteAddress.index(after: remoteAddress.startIndex)..<close]
            guard let groups = Self.ipv6Groups(host) else { return nil }
            // An IPv4-mapped address (`::ffff:a.b.c.d`) is that IPv4 client.
            if groups[0..<5].allSatisfy({ $0 == 0 }), groups[5] == 0xFFFF {
                description = [groups[6] >> 8, groups[6] & 0xFF, groups[7] >> 8, groups[7] & 0xFF].map(String.init).joined(separator: ".")
            } else {
                description = groups[0..<4].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
            }
            return
        }
        let host = remoteAddress.lastIndex(of: ":").map { remoteAddress[..<$0] } ?? remoteAddress[...]
        guard let octets = Self.ipv4Octets(host) else { return nil }
        description = octets.map(String.init).joined(separator: ".")
    }

    private static func ipv4Octets(_ text: Substring) -> [UInt16]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt16] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let value = UInt16(part), value <= 255 else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// The eight 16-bit groups of an IPv6 address in text form (`::` and a dotted IPv4 tail allowed).
    private static func ipv6Groups(_ text: Substring) -> [UInt16]? {
        guard text.count <= 45, !text.contains("%") else { return nil }
        func parse(_ side: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
            if side.isEmpty { return [] }
            var groups: [UInt16] = []
            let parts = side.split(separator: ":", omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                if allowIPv4Tail, index == parts.count - 1, part.contains(".") {
                    guard let octets = ipv4Octets(part) else { return nil }
                    groups.append(octets[0] << 8 | octets[1])
                    groups.append(octets[2] << 8 | octets[3])
                } else {
                    guard (1...4).contains(part.count), let value = UInt16(part, radix: 16) else { return nil }
                    groups.append(value)
                }
            }
            return groups
        }
        let halves = text.components(separatedBy: "::")
        switch halves.count {
        case 1:
            guard let groups = parse(text, allowIPv4Tail: true), groups.count == 8 else { return nil }
            return groups
        case 2:
            guard let head = parse(Substring(halves[0]), allowIPv4Tail: false),
                let tail = parse(Substring(halves[1]), allowIPv4Tail: true), head.count + tail.count <= 7
            else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
