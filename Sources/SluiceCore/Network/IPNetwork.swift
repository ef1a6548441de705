/// An address block such as `10.0.0.0/8` or `2001:db8::/32`; a bare address is a block of one.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    /// Leading bits that must match, counted over the 128-bit form (an IPv4 /24 is 96 + 24).
    public let prefixLength: Int

    public var description: String {
        address.isIPv4 ? "\(address)/\(prefixLength - 96)" : "\(address)/\(prefixLength)"
    }

    /// `a.b.c.d/n` (n 0–32), `ipv6/n` (n 0–128), or a bare address. Host bits set below the prefix are
    /// refused (`10.0.0.1/8` is more likely a typing slip than a wish for all of 10/8).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let width = address.isIPv4 ? 32 : 128
        var length = width
        if parts.count == 2 {
            guard (1...3).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(parts[1]), n <= width
            else { return nil }
            length = n
        }
        self.address = address
        prefixLength = length + (address.isIPv4 ? 96 : 0)
        guard Self.masked(address, prefixLength) == address.bits else { return nil }
    }

    /// Whether `candidate` lies in this block.
    public func contains(_ candidate: IPAddress) -> Bool {
        let mine = Self.masked(address, prefixLength), theirs = Self.masked(candidate, prefixLength)
        return mine == theirs
    }

    private static func masked(_ address: IPAddress, _ length: Int) -> (high: UInt64, low: UInt64) {
        let (high, low) = address.bits
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : ~(UInt64.max >> UInt64(bits)) }
        return (high & mask(length), low & mask(length - 64))
    }
}
