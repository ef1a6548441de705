import Foundation

/// Settings of `DNSResolver`.
public struct DNSResolverConfiguration: Sendable {
    /// Servers asked in order; empty means those from `/etc/resolv.conf`.
    public var servers: [DNSServerAddress]
    /// Time allowed for one query to one server, in seconds.
    public var timeout: Double
    /// Rounds through the whole server list.
    public var attempts: Int
    /// Ask again over TCP when a UDP answer has TC=1.
    public var useTCPFallback: Bool
    /// EDNS(0) UDP payload size advertised (RFC 6891; 1232 avoids IP fragmentation).
    public var udpPayloadSize: UInt16
    /// CNAME links followed per lookup.
    public var maxCNAMEDepth: Int

    public init(
        servers: [DNSServerAddress] = [], timeout: Double = 2, attempts: Int = 2, useTCPFallback: Bool = true,
        udpPayloadSize: UInt16 = 1232, maxCNAMEDepth: Int = 8
    ) {
        self.servers = servers
        self.timeout = timeout
        self.attempts = attempts
        self.useTCPFallback = useTCPFallback
        self.udpPayloadSize = udpPayloadSize
        self.maxCNAMEDepth = maxCNAMEDepth
    }

    /// The servers to use: the explicit list, else the `nameserver` lines of `resolvConfPath`.
    /// - Throws: `.configuration` when neither gives a server.
    public func resolvedServers(resolvConfPath: String = "/etc/resolv.conf") throws(DNSError) -> [DNSServerAddress] {
        if !servers.isEmpty { return servers }
        guard let text = try? String(contentsOfFile: resolvConfPath, encoding: .utf8) else {
            throw DNSError(.configuration, "no DNS servers configured and \(resolvConfPath) is unreadable")
        }
        let found = DNSServerAddress.parseResolvConf(text)
        guard !found.isEmpty else {
            throw DNSError(.configuration, "no DNS servers configured and no nameserver line in \(resolvConfPath)")
        }
        return found
    }
}
