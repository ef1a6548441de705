import SluiceCore
import SluiceCrypto

/// One accepted socket and its protocol state; owned by exactly one event loop thread.
final class ServerConnection {
    let fd: Int32
    let id: UInt64
    let remoteAddress: String
    /// The peer's address when it is a trusted proxy (`HTTPServerConfiguration.trustedProxies`): its
    /// requests' `X-Forwarded-For` names their client. nil for every other peer.
    let trustedProxy: IPAddress?
    let input: InputBuffer
    /// Bytes waiting to be sent, in order.
    var output: [OutChunk] = []
    var outputIndex = 0
    /// Edge-triggered epoll: true while the socket may still hold unread bytes.
    var readable = false
    /// epoll reported RDHUP/HUP/ERR: read until recv says so instead of trusting a short read.
    var hangupSeen = false
    /// The peer sent FIN.
    var peerClosed = false
    /// After the last response: FIN sent, unread input being discarded until `lingerDeadline`.
    var lingering = false
    var lingerDeadline: UInt64 = 0
    var lingerDiscarded = 0
    /// When the current head started arriving (accept time for the first request).
    var headStart: UInt64?
    var lastActivity: UInt64
    var lastWriteProgress: UInt64
    var requestsServed = 0
    /// The request being read, handled or answered; nil between requests.
    var exchange: Exchange?
    /// Close as soon as the current exchange finishes (draining).
    var closeWhenIdle = false
    /// The TLS session on an HTTPS server; nil for plain HTTP.
    let tls: TLSServerSession?
    /// A TLS read (the handshake, mostly) waits for the socket to take bytes: retried on EPOLLOUT.
    var tlsReadWaitsForWritable = false

    init(fd: Int32, id: UInt64, remoteAddress: String, now: UInt64, tls: TLSServerSession? = nil, trustedProxies: [IPNetwork] = []) {
        self.fd = fd
        // Decided once per connection; nothing is parsed per request unless the peer is a trusted proxy.
        let peer = trustedProxies.isEmpty ? nil : IPAddress(peer: remoteAddress)
        trustedProxy = peer.flatMap { peer in trustedProxies.contains { $0.contains(peer) } ? peer : nil }
        self.tls = tls
        self.id = id
        self.remoteAddress = remoteAddress
        self.input = InputBuffer(capacity: 4096)
        self.headStart = now
        self.lastActivity = now
        self.lastWriteProgress = now
    }

    /// The client of a request with these headers: the peer, or the client a trusted proxy forwarded for
    /// (as `203.0.113.7` or `[2001:db8::1]`, no port).
    func clientAddress(_ headers: HTTPHeaders, trusted: [IPNetwork], header: ForwardedHeader) -> String {
        guard let trustedProxy else { return remoteAddress }
        let client = ForwardedClient.resolve(peer: trustedProxy, header: header, values: headers.values(header.rawValue), trusted: trusted)
        return client == trustedProxy ? remoteAddress : client.bracketed
    }

    var hasPendingOutput: Bool { outputIndex < output.count }

    /// No request in progress and nothing buffered either way.
    var isIdle: Bool { exchange == nil && !hasPendingOutput && input.readableBytes == 0 }
}

/// A run of bytes to send; `streamCredit` bytes are reported back to a response stream once sent.
struct OutChunk {
    var bytes: [UInt8]
    var offset = 0
    var streamCredit = 0
}
