import SluiceCore
import SluiceCrypto

/// Settings for `HTTPServer`; every limit has a safe default.
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    /// 0 binds an ephemeral port; read `HTTPServer.port` after `start()`.
    public var port: Int
    /// Event loop threads, each with its own SO_REUSEPORT listener.
    public var threads: Int
    public var backlog: Int32
    /// Request line plus header fields; beyond it the answer is 431.
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int
    /// Request-target length; beyond it the answer is 414.
    public var maxURILength: Int
    /// Body limit for responders that do not set one; beyond it the answer is 413.
    public var defaultBodyLimit: Int
    /// Whole-head deadline from the first byte (slowloris); expiry answers 408 and closes.
    public var headerReadTimeout: Duration
    /// How long a keep-alive connection may sit idle between requests.
    public var idleTimeout: Duration
    /// Longest pause between body bytes; expiry answers 408 and closes.
    public var bodyReadTimeout: Duration
    /// Slowest average rate, in bytes per second, at which a request body may arrive: a body may take
    /// `bodyReadTimeout` plus one second per this many bytes received, else the answer is 408 and the
    /// connection closes. 0 turns the check off, leaving only the pause limit.
    public var minimumBodyRate: Int
    /// Longest pause in draining response bytes to a client that stopped reading.
    public var writeTimeout: Duration
    /// Open connections at most; beyond it a new connection gets 503 and is closed at once.
    public var maxConnections: Int
    /// How long `shutdown()` waits for in-flight requests before closing everything.
    public var drainTimeout: Duration
    /// Requests answered on one connection before it is closed (0 = unlimited). Pipelined requests
    /// are answered one at a time, in order; read-ahead is bounded to `maxHeaderBytes`.
    public var maxRequestsPerConnection: Int
    /// Buffered bytes of a streamed request body before the loop stops reading the socket.
    public var requestStreamBufferBytes: Int
    /// Unsent bytes of a streamed response before the producer's `write` waits.
    public var responseStreamBufferBytes: Int
    /// Called once per finished request (on the event loop for most routes: keep it short).
    public var observer: (@Sendable (RequestObservation) -> Void)?
    /// Request counters and durations recorded through handles each loop resolves once per label set.
    public var requestMetrics: (any RequestMetrics)?
    /// Value of the `Server` header; nil sends none.
    public var serverName: String?
    /// HTTPS on every connection with this certificate and key (TLS 1.2 or later); nil serves plain HTTP.
    /// The handshake must finish within `headerReadTimeout`, which counts from the accept.
    public var tls: TLSServerIdentity?
    /// Peers whose `forwardedHeader` names the client (`ForwardedClient`): a request's `remoteAddress` is
    /// then that client. Empty: the peer is the client and the header is ignored.
    public var trustedProxies: [IPNetwork] = []
    /// The header `trustedProxies` write the client into; the other one is ignored.
    public var forwardedHeader: ForwardedHeader = .xForwardedFor

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        threads: Int = HTTPServerConfiguration.cpuCount,
        backlog: Int32 = 1024,
        maxHeaderBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxURILength: Int = 8 * 1024,
        defaultBodyLimit: Int = 1024 * 1024,
        headerReadTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        bodyReadTimeout: Duration = .seconds(30),
        minimumBodyRate: Int = 16 * 1024,
        writeTimeout: Duration = .seconds(30),
        maxConnections: Int = 10_000,
        drainTimeout: Duration = .seconds(10),
        maxRequestsPerConnection: Int = 0,
        requestStreamBufferBytes: Int = 1024 * 1024,
        responseStreamBufferBytes: Int = 256 * 1024,
        observer: (@Sendable (RequestObservation) -> Void)? = nil,
        serverName: String? = nil,
        requestMetrics: (any RequestMetrics)? = nil,
        tls: TLSServerIdentity? = nil
    ) {
        self.host = host
        self.port = port
        self.threads = threads
        self.backlog = backlog
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxURILength = maxURILength
        self.defaultBodyLimit = defaultBodyLimit
        self.headerReadTimeout = headerReadTimeout
        self.idleTimeout = idleTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.minimumBodyRate = minimumBodyRate
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
        self.drainTimeout = drainTimeout
        self.maxRequestsPerConnection = maxRequestsPerConnection
        self.requestStreamBufferBytes = requestStreamBufferBytes
        self.responseStreamBufferBytes = responseStreamBufferBytes
        self.observer = observer
        self.serverName = serverName
        self.requestMetrics = requestMetrics
        self.tls = tls
    }

    /// Online CPUs, at least 1.
    public static var cpuCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

#if canImport(Glibc)
import Glibc
#endif

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: UInt64 {
        let (s, a) = components
        guard s >= 0 else { return 0 }
        return UInt64(s) &* 1_000_000_000 &+ UInt64(a / 1_000_000_000)
    }
}

extension HTTPServerConfiguration {
    /// Whether the server can listen on `host`: a numeric IPv4 or IPv6 address, or `localhost` (names are
    /// not resolved), so a configuration check can refuse what `HTTPServer.start()` would.
    public static func isBindable(host: String) -> Bool {
        ServerSocket.isBindable(host: host)
    }
}
