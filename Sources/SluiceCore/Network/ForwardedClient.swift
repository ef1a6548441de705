/// The client of a request that came through trusted proxies, from `X-Forwarded-For` or `Forwarded`.
///
/// Each proxy appends the address it received the request from, so the list is only as trustworthy as the
/// hops that wrote it: reading from the right, every address that is a trusted proxy is skipped, and the
/// first one that is not is the client. Anything left of it was written by the client itself and is
/// ignored. A peer that is not a trusted proxy is the client, whatever its headers say.
public enum ForwardedClient {
    /// Entries read at most, from the right (a longer chain is cut there: its left part is unverifiable anyway).
    public static let maxEntries = 32

    /// The client address; `peer` when it is not a trusted proxy or the header names none.
    /// - Parameter values: every value of `header` in order (a repeated header continues the list).
    public static func resolve(
        peer: IPAddress, header: ForwardedHeader = .xForwardedFor, values: [String], trusted: [IPNetwork]
    ) -> IPAddress {
        func isTrusted(_ address: IPAddress) -> Bool { trusted.contains { $0.contains(address) } }
        guard !trusted.isEmpty, isTrusted(peer) else { return peer }
        var client = peer
        for text in header.hops(in: values, limit: maxEntries) {
            // A hop that names no address (`unknown`, garbage): the hop right of it is as far as we can see.
            guard let address = IPAddress(text) ?? IPAddress(peer: String(text)) else { return client }
            client = address
            if !isTrusted(address) { return client }
        }
        return client
    }
}
