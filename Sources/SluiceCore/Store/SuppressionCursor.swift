import Foundation

/// An opaque keyset position (address, scope) in suppression order; stable under concurrent inserts.
public struct SuppressionCursor: Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var scope: String

    public init(address: String, scope: String) {
        self.address = address
        self.scope = scope
    }

    /// Parses a token made by `token`; nil when it is malformed.
    public init?(token: String) {
        // base64url without padding, of "address\0scope"; bounded so a hostile token cannot allocate much.
        guard token.utf8.count <= 2048 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        self.address = String(parts[0])
        self.scope = String(parts[1])
    }

    /// The opaque URL-safe token for clients.
    public var token: String {
        Data("\(address)\u{0}\(scope)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public var description: String { token }
}
