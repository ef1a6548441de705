import Foundation

/// A DNS server: a numeric IPv4/IPv6 address and a port.
public struct DNSServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// Numeric address, without brackets.
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16 = 53) {
        self.host = host
        self.port = port
    }

    /// Parses `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`; host names are refused (no bootstrap resolver).
    public init(parsing text: String) throws(DNSError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var host = trimmed
        var port: UInt16 = 53
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw DNSError(.configuration, "unbalanced '[' in DNS server '\(trimmed)'")
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = UInt16(rest.dropFirst()), value > 0 else {
                    throw DNSError(.configuration, "bad port in DNS server '\(trimmed)'")
                }
                port = value
            }
        } else if trimmed.filter({ $0 == ":" }).count == 1, let colon = trimmed.firstIndex(of: ":") {
            host = String(trimmed[..<colon])
            guard let value = UInt16(trimmed[trimmed.index(after: colon)...]), value > 0 else {
                throw DNSError(.configuration, "bad port in DNS server '\(trimmed)'")
            }
            port = value
        }
        guard SocketAddress.isNumeric(host) else {
            throw DNSError(.configuration, "DNS server '\(trimmed)' is not a numeric IPv4/IPv6 address")
        }
        self.host = host
        self.port = port
    }

    /// Parses a comma- or space-separated list (test resolvers). Not the path of `SLUICE_DNS_SERVERS`: the
    /// configuration splits environment lists on commas only and parses each item with `init(parsing:)`, so
    /// a space-separated value there is a configuration error.
    public static func parseList(_ text: String) throws(DNSError) -> [DNSServerAddress] {
        var servers: [DNSServerAddress] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " }) where !item.isEmpty {
            servers.append(try DNSServerAddress(parsing: String(item)))
        }
        return servers
    }

    /// The `nameserver` entries of resolv.conf text (resolv.conf(5)); unparsable entries are skipped.
    public static func parseResolvConf(_ text: String) -> [DNSServerAddress] {
        var servers: [DNSServerAddress] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { continue }
            // A scope suffix (fe80::1%eth0) cannot be expressed here; skip such entries.
            if let server = try? DNSServerAddress(parsing: String(fields[1])), !server.host.contains("%") {
                servers.append(server)
            }
        }
        return servers
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
