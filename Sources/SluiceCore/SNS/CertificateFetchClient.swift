/// The party a signing-certificate fetch is charged to: the requester's IPv4 address, or the /64 network
/// of an IPv6 one (one host commonly holds a whole /64, so a single address would be no limit at all).
public struct CertificateFetchClient: Hashable, Sendable, CustomStringConvertible {
    /// `203.0.113.7` or `2001:db8:0:1::/64`.
    public let description: String

    /// The client of a request whose peer the server reports as `remoteAddress` (`203.0.113.7:51234`,
    /// `[2001:db8::1]:51234`, or either without a port); nil when it names no IP address.
    public init?(remoteAddress: String) {
        guard let address = IPAddress(peer: remoteAddress) else { return nil }
        description = address.isIPv4 ? address.description : address.groups[0..<4].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }
}
