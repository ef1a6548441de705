import Glibc
import Logging
import SluiceCrypto
import Synchronization

/// State shared by the server and all its loops: configuration, responder, counters.
final class ServerCore: Sendable {
    struct Timeouts: Sendable {
        var header: UInt64
        var idle: UInt64
        var body: UInt64
        var write: UInt64
        /// The slowest a whole body may arrive; its grace period is `body`.
        var bodyRate: MinimumBodyRate
    }

    let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    /// The responder when it is a `Router`: the loop then matches each route once, and synchronous
    /// routes run inline without a task (404/405 and a route's credential refusal are answered from the
    /// head, `HTTPResponder.responseBeforeBody`).
    let router: Router?
    let logger: Logger
    /// The byte-level access log when the logger's handler offers one and logs at info; otherwise
    /// each request goes through `logger.info("request", metadata:)`.
    let accessLogWriter: (any AccessLogWriter)?
    let parser: RequestHeadParser
    let timeouts: Timeouts
    let connectionCount = Atomic<Int>(0)
    let balancer: ConnectionBalancer
    private let draining = Atomic<Bool>(false)
    let overloadResponse: [UInt8]
    /// The plaintext answer to plain HTTP sent to an HTTPS server, before the close.
    let plainHTTPOnTLSResponse: [UInt8]

    init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger) {
        self.configuration = configuration
        self.responder = responder
        router = responder as? Router
        self.logger = logger
        balancer = ConnectionBalancer(loopCount: max(1, configuration.threads))
        if logger.logLevel <= .info, let handler = logger.handler as? any AccessLogHandler {
            accessLogWriter = handler.makeAccessLogWriter()
        } else {
            accessLogWriter = nil
        }
        parser = RequestHeadParser(
            maxHeaderBytes: configuration.maxHeaderBytes, maxHeaderCount: configuration.maxHeaderCount,
            maxURILength: configuration.maxURILength
        )
        timeouts = Timeouts(
            header: configuration.headerReadTimeout.nanoseconds, idle: configuration.idleTimeout.nanoseconds,
            body: configuration.bodyReadTimeout.nanoseconds, write: configuration.writeTimeout.nanoseconds,
            bodyRate: MinimumBodyRate(grace: configuration.bodyReadTimeout.nanoseconds, bytesPerSecond: configuration.minimumBodyRate)
        )
        let body = HTTPResponse.errorBody(code: "overloaded", message: "Too many connections")
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        headers.add("Retry-After", "1")
        overloadResponse = ResponseSerializer.head(
            status: .serviceUnavailable, headers: headers, framing: .length(body.count), close: true,
            keepAliveHeader: false, requestId: "-", serverName: configuration.serverName
        ) + body
        let plainBody = HTTPResponse.errorBody(code: "https_required", message: "This port speaks HTTPS; the request was plain HTTP")
        var plainHeaders = HTTPHeaders()
        plainHeaders.add("Content-Type", "application/json")
        plainHTTPOnTLSResponse = ResponseSerializer.head(
            status: .badRequest, headers: plainHeaders, framing: .length(plainBody.count), close: true,
            keepAliveHeader: false, requestId: "-", serverName: configuration.serverName
        ) + plainBody
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }
    func beginDraining() { draining.store(true, ordering: .relaxed) }

    /// Runs the responder for `request` and posts the response back to `loop`.
    ///
    /// A synchronous route (`Router.addSync`) is answered inline on the loop thread, without a task (404
    /// and 405 come earlier, from the head). Other handlers run in a task that prefers `loop` as its executor and starts
    /// at once on this thread (`Task.immediate`): one that does not suspend runs to completion right
    /// here, and its response is queued without a lock or an eventfd write. A handler that suspends
    /// resumes on the loop too, so handler code must never block the thread (blocking work belongs
    /// on threads of its own, as the store's writer and readers do).
    func dispatch(_ request: HTTPRequest, match: Router.Match?, context: ExchangeContext, loop: ServerEventLoop) {
        if let router, let match, !context.runsOffLoop, let response = router.respondSynchronously(to: request, match: match) {
            answer(response, context: context, requestBytes: request.body.count, loop: loop)
            return
        }
        // Long CPU work (bulk import/export) runs on the shared pool; see `RouteOptions.runsOffLoop`.
        if context.runsOffLoop {
            Task { await self.run(request, match: match, context: context, loop: loop) }
        } else {
            // Starts on this thread at once (no job queued just to begin); after a suspension the
            // task resumes on the loop through its executor preference.
            Task.immediate(executorPreference: loop) { await self.run(request, match: match, context: context, loop: loop) }
        }
    }

    /// Sends a response already in hand (a synchronous route's, or one decided from the head alone):
    /// a whole body at once, a streamed one from a task.
    func answer(_ response: HTTPResponse, context: ExchangeContext, requestBytes: Int, loop: ServerEventLoop) {
        if case .bytes(let bytes) = response.body {
            send(response, bytes: bytes, context: context, requestBytes: requestBytes, loop: loop)
        } else {
            Task(executorPreference: loop) {
                await self.send(response, context: context, requestBytes: requestBytes, loop: loop)
            }
        }
    }

    /// The body of a handler task: respond, then send. `nonisolated(nonsending)`: it runs where its
    /// task runs, without an executor check on entry.
    private nonisolated(nonsending) func run(_ request: HTTPRequest, match: Router.Match?, context: ExchangeContext, loop: ServerEventLoop) async {
        let response: HTTPResponse
        if let router, let match {
            if let (handler, prepared) = router.asyncHandler(for: request, match: match) {
                do {
                    response = try await handler(prepared)
                } catch {
                    response = Router.response(for: error)
                }
            } else {
                response = await router.respond(to: request, match: match)
            }
        } else {
            response = await responder.respond(to: request)
        }
        // Whole bodies are sent by a synchronous call: every call into an async function costs
        // an executor check, measurable at this request rate.
        if case .bytes(let bytes) = response.body {
            send(response, bytes: bytes, context: context, requestBytes: request.body.count, loop: loop)
        } else {
            await send(response, context: context, requestBytes: request.body.count, loop: loop)
        }
    }

    private func send(_ response: HTTPResponse, bytes: [UInt8], context: ExchangeContext, requestBytes: Int, loop: ServerEventLoop) {
        let close = !context.keepAlive || isDraining
        let keepAliveHeader = context.version == .http1_0 && !close
        let noBody = ResponseSerializer.forbidsBody(response.status)
        let head = ResponseSerializer.head(
            status: response.status, headers: response.headers,
            framing: noBody ? .noBody : .length(bytes.count), close: close, keepAliveHeader: keepAliveHeader,
            requestId: context.requestId, serverName: configuration.serverName, date: loop.date.headerLine()
        )
        let sentBody = context.method == .HEAD || noBody ? [] : bytes
        loop.post(.response(fd: context.fd, id: context.connectionID, bytes: head, body: sentBody, closeAfter: close, sink: nil))
        finished(context: context, status: response.status, requestBytes: requestBytes, responseBytes: sentBody.count, loop: loop)
    }

    private func send(_ response: HTTPResponse, context: ExchangeContext, requestBytes: Int, loop: ServerEventLoop) async {
        let close = !context.keepAlive || isDraining
        let keepAliveHeader = context.version == .http1_0 && !close
        let isHead = context.method == .HEAD
        let noBody = ResponseSerializer.forbidsBody(response.status)
        switch response.body {
        case .bytes(let bytes):
            send(response, bytes: bytes, context: context, requestBytes: requestBytes, loop: loop)
        case .stream(let stream):
            let chunked = context.version == .http1_1
            if isHead || noBody {
                let head = ResponseSerializer.head(
                    status: response.status, headers: response.headers, framing: noBody ? .noBody : .chunked,
                    close: close, keepAliveHeader: keepAliveHeader, requestId: context.requestId, serverName: configuration.serverName, date: loop.date.headerLine()
                )
                loop.post(.response(fd: context.fd, id: context.connectionID, bytes: head, body: [], closeAfter: close, sink: nil))
                finished(context: context, status: response.status, requestBytes: requestBytes, responseBytes: 0, loop: loop)
                return
            }
            // HTTP/1.0 has no chunked coding: the body ends when the connection closes.
            let closeAfter = close || !chunked
            let head = ResponseSerializer.head(
                status: response.status, headers: response.headers, framing: chunked ? .chunked : .untilClose,
                close: closeAfter, keepAliveHeader: false, requestId: context.requestId, serverName: configuration.serverName, date: loop.date.headerLine()
            )
            let sink = ResponseStreamSink(
                loop: loop, fd: context.fd, id: context.connectionID,
                highWater: configuration.responseStreamBufferBytes, chunked: chunked
            )
            loop.post(.response(fd: context.fd, id: context.connectionID, bytes: head, body: [], closeAfter: closeAfter, sink: sink))
            let counter = Atomic<Int>(0)
            var ok = true
            do {
                try await stream.produce(HTTPResponseBodyWriter { bytes in
                    counter.add(bytes.count, ordering: .relaxed)
                    try await sink.write(bytes)
                })
            } catch {
                ok = false
                logger.debug("response stream failed", metadata: ["request.id": "\(context.requestId)", "error": "\(error)"])
            }
            let trailer: [UInt8]? = ok ? (chunked ? Array("0\r\n\r\n".utf8) : []) : nil
            loop.post(.streamEnd(fd: context.fd, id: context.connectionID, trailer: trailer))
            finished(context: context, status: response.status, requestBytes: requestBytes, responseBytes: counter.load(ordering: .relaxed), loop: loop)
        }
    }

    /// Access log line and metrics observation for one request.
    private func finished(context: ExchangeContext, status: HTTPStatus, requestBytes: Int, responseBytes: Int, loop: ServerEventLoop) {
        let duration = Double(ServerSyscalls.now() &- context.startTime) / 1e9
        // Off the loop thread (off-loop routes, late tasks) nothing is buffered or cached.
        let onLoop = loop.isLoopThread
        if let requestMetrics = configuration.requestMetrics {
            if onLoop {
                loop.recordRequest(method: context.method, routePattern: context.routePattern, status: status.code, durationSeconds: duration)
            } else {
                requestMetrics.series(method: context.method, routePattern: context.routePattern, status: status.code)?
                    .record(durationSeconds: duration)
            }
        }
        if let accessLogWriter {
            let record = AccessLogRecord(
                epochMilliseconds: UTCTimestamp.nowMilliseconds(), requestId: context.requestId,
                method: context.method.rawValue, path: context.path, route: context.routePattern ?? "-",
                status: status.code, bytes: responseBytes, durationSeconds: duration, remote: context.remoteAddress
            )
            if onLoop {
                loop.bufferAccessLine(record)
            } else {
                var line: [UInt8] = []
                accessLogWriter.append(record, to: &line)
                accessLogWriter.write(lines: line)
            }
        } else {
            logger.info("request", metadata: [
                "request.id": "\(context.requestId)",
                "method": "\(context.method.rawValue)",
                "path": "\(context.path)",
                "route": "\(context.routePattern ?? "-")",
                "status": "\(status.code)",
                "bytes": "\(responseBytes)",
                "duration_ms": "\((duration * 1e6).rounded() / 1e3)",
                "remote": "\(context.remoteAddress)",
            ])
        }
        configuration.observer?(RequestObservation(
            method: context.method, routePattern: context.routePattern, status: status.code,
            durationSeconds: duration, requestBodyBytes: requestBytes, responseBodyBytes: responseBytes
        ))
    }

    /// Logs and observes an error answered by the loop itself (400, 408, 413, 431, ...): the access log
    /// line and the request metrics like any answer, plus a line with the reason (`code`), which the
    /// access log does not carry.
    func logLoopError(status: HTTPStatus, code: String, exchange: ExchangeContext?, remote: String, requestId: String, loop: ServerEventLoop) {
        let context = exchange ?? ExchangeContext(
            connectionID: 0, fd: -1, method: HTTPMethod("-"), path: "-", version: .http1_1, keepAlive: false,
            requestId: requestId, remoteAddress: remote, routePattern: nil, startTime: ServerSyscalls.now()
        )
        logger.notice("request refused by the server", metadata: [
            "request.id": "\(requestId)",
            "http.status": "\(status.code)",
            "reason": "\(code)",
            "route": "\(context.routePattern ?? "-")",
            "remote": "\(remote)",
        ])
        finished(context: context, status: status, requestBytes: 0, responseBytes: 0, loop: loop)
    }

    /// A streamed body broke off and its handler answers (`RouteOptions.answersBodyFailure`): the reason is
    /// logged here, the answer in the access log when it goes out.
    func logBodyFailure(status: HTTPStatus, code: String, exchange: ExchangeContext) {
        logger.notice("request body failed; the handler answers", metadata: [
            "request.id": "\(exchange.requestId)",
            "http.status": "\(status.code)",
            "reason": "\(code)",
            "route": "\(exchange.routePattern ?? "-")",
            "remote": "\(exchange.remoteAddress)",
        ])
    }

    /// A TLS connection ended by a protocol failure: no HTTP status exists yet (or any more), so a line
    /// with OpenSSL's reason is all the record there is. Info, not notice: scanners cause most.
    func logTLSFailure(_ error: CryptoError, remote: String, handshake: Bool) {
        logger.info(handshake ? "TLS handshake failed" : "TLS connection failed", metadata: [
            "reason": "\(handshake ? "tls_handshake_failed" : "tls_failed")",
            "error": "\(error.openSSLErrors.joined(separator: "; "))",
            "remote": "\(remote)",
        ])
    }
}
