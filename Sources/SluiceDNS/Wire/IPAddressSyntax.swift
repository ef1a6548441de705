#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Syntax checks for IP addresses and CIDR networks (pure: inet_pton parses, no I/O).
enum IPAddressSyntax {
    static func isIPv4(_ text: String) -> Bool {
        // inet_pton accepts only dotted-quad decimal for AF_INET on glibc, as RFC 7208 requires.
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    /// `a.b.c.d` or `a.b.c.d/n`, n in 0...32.
    static func isIPv4Network(_ text: String) -> Bool { isNetwork(text, maxPrefix: 32, isAddress: isIPv4) }

    /// An IPv6 address, optionally `/n` with n in 0...128.
    static func isIPv6Network(_ text: String) -> Bool { isNetwork(text, maxPrefix: 128, isAddress: isIPv6) }

    private static func isNetwork(_ text: String, maxPrefix: Int, isAddress: (String) -> Bool) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard isAddress(String(parts[0])) else { return false }
        guard parts.count == 2 else { return true }
        let digits = parts[1]
        guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let value = Int(digits), !(digits.count > 1 && digits.hasPrefix("0"))
        else { return false }
        return value <= maxPrefix
    }
}
