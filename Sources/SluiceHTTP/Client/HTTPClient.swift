import SluiceCore
import Dispatch
import SluiceCrypto

/// An HTTP/1.1 client for http and https with keep-alive pooling, strict size caps and deadlines.
/// Blocking socket work runs on threads of its own (`BlockingWork`), never on Swift's cooperative pool.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    private let tlsContext: TLSClientContext
    private let pool: HTTPClientPool

    /// - Throws: `.tlsConfiguration` when the trust store or `extraCAFile` cannot be loaded.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(HTTPClientError) {
        self.configuration = configuration
        do {
            tlsContext = try TLSClientContext(configuration: TLSClientConfiguration(
                extraCAFile: configuration.extraCAFile, trustSystemStore: configuration.trustSystemStore,
                verifiesPeer: configuration.verifiesPeer))
        } catch {
            throw HTTPClientError(.tlsConfiguration, "cannot build the TLS context: \(error.message)", underlying: error)
        }
        pool = HTTPClientPool(maxPerKey: max(0, configuration.maxIdleConnectionsPerHost), idleTimeout: configuration.idleTimeout)
    }

    /// Sends `request` and returns the complete response; a 3xx is returned as-is.
    /// - Throws: `HTTPClientError`.
    public func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let deadline = ContinuousClock.now + configuration.totalTimeout
        let url = try HTTPClientURL(request.url)
        let closeAfter = configuration.maxIdleConnectionsPerHost <= 0
        let wire = try HTTPClientRequestEncoder.encode(request, url: url, userAgent: configuration.userAgent, closeConnection: closeAfter)
        if Task.isCancelled { throw HTTPClientError(.cancelled, "request cancelled") }
        let cancellation = HTTPClientCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPClientResponse, any Error>) in
                BlockingWork.start {
                    let result = Result { () throws(HTTPClientError) -> HTTPClientResponse in
                        try self.perform(request, url: url, wire: wire, deadline: deadline, cancellation: cancellation)
                    }
                    continuation.resume(with: result)
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// Closes all idle keep-alive connections.
    public func closeIdleConnections() { pool.removeAll() }

    /// Idle pooled connections for a URL's origin (exposed for tests and metrics).
    public func idleConnectionCount(for url: String) -> Int {
        guard let parsed = try? HTTPClientURL(url) else { return 0 }
        return pool.idleCount(Self.poolKey(parsed))
    }

    // MARK: Blocking part (runs on a `BlockingWork` thread)

    private func perform(
        _ request: HTTPClientRequest, url: HTTPClientURL, wire: [UInt8], deadline: ContinuousClock.Instant,
        cancellation: HTTPClientCancellation
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let key = Self.poolKey(url)
        var allowPooled = true
        // Bounded: at most two attempts (the second only after a stale pooled connection).
        for attempt in 0..<2 {
            let pooled = allowPooled ? pool.checkout(key) : nil
            let connection: HTTPClientConnection
            if let pooled {
                pooled.cancellation = cancellation
                connection = pooled
            } else {
                let connectDeadline = min(deadline, .now + configuration.connectTimeout)
                connection = try HTTPClientConnection.open(
                    url: url, key: key, tlsContext: url.scheme == .https ? tlsContext : nil,
                    deadline: connectDeadline, cancellation: cancellation)
            }
            do {
                return try exchange(request, wire: wire, on: connection, deadline: deadline)
            } catch {
                // A kept-alive socket the server already closed fails before any response byte.
                let stale = pooled != nil && !connection.receivedBytesThisExchange
                    && (error.code == .connectionClosed || error.code == .io)
                guard stale, attempt == 0, request.isIdempotent else { throw error }
                allowPooled = false
            }
        }
        throw HTTPClientError(.connectionClosed, "server closed the connection")
    }

    private func exchange(
        _ request: HTTPClientRequest, wire: [UInt8], on connection: HTTPClientConnection, deadline: ContinuousClock.Instant
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let readTimeout = configuration.readTimeout
        let nextDeadline = { min(deadline, ContinuousClock.now + readTimeout) }
        connection.beginExchange()
        try connection.write(wire, deadline: nextDeadline)
        let reader = HTTPClientResponseReader(
            connection: connection, maxHeadBytes: configuration.maxResponseHeadBytes,
            maxBodyBytes: request.maxResponseBytes ?? configuration.maxResponseBytes, deadline: nextDeadline)
        let head = try reader.readHead()
        let framing = try HTTPClientResponseReader.framing(of: head, requestMethod: request.method)
        let body = try reader.readBody(framing)
        let connectionTokens = head.tokens("Connection")
        let keepAlive = head.minorVersion == 1 && !connectionTokens.contains("close") && framing != .untilClose
            && !(head.headers.contains("Transfer-Encoding") && head.headers.contains("Content-Length"))
            && configuration.maxIdleConnectionsPerHost > 0
            && !request.headers.values("Connection").contains { $0.lowercased().contains("close") }
        if keepAlive && connection.isReusable { pool.checkin(connection) }
        return HTTPClientResponse(status: head.status, reason: head.reason, headers: head.headers, body: body)
    }

    private static func poolKey(_ url: HTTPClientURL) -> String { "\(url.scheme.rawValue)://\(url.hostHeader):\(url.port)" }
}
