import Glibc

extension ServerEventLoop {
    /// Reads while the socket has data and the connection wants more.
    func readAvailable(_ c: ServerConnection) {
        // A fast uploader must not monopolise the loop: after a budget of reads, the connection
        // goes to the back of the deferred list (edge-triggered epoll would not report it again).
        var budget = 16
        while c.readable {
            budget -= 1
            if budget < 0 {
                deferRead(c)
                return
            }
            if c.lingering {
                discardInput(c)
                return
            }
            guard wantsInput(c) else { return }
            c.input.reserveWritable(16 * 1024)
            let room = c.input.writableBytes
            let n: Int
            if let tls = c.tls {
                // Read until OpenSSL wants more from the socket: a short read says nothing here, the
                // rest of a record may wait inside OpenSSL where no epoll edge announces it.
                guard let count = tlsRead(c, tls, room: room) else { return }
                n = count
            } else {
                n = recv(c.fd, c.input.writePointer, room, 0)
                // A short read drained the socket: bytes arriving later raise a new edge-triggered
                // event (Linux signals every arrival), so the recv that would only say EAGAIN is
                // skipped — one syscall less per request. Not after a reported hang-up: a FIN that
                // came with this event raises no new one and must be read as recv's 0.
                if n > 0, n < room, !c.hangupSeen { c.readable = false }
            }
            if n > 0 {
                c.input.didWrite(n)
                let now = tick
                c.lastActivity = now
                if c.exchange == nil, c.headStart == nil { c.headStart = now }
                processInput(c)
                guard isRegistered(c) else { return }
            } else if n == 0 {
                c.readable = false
                c.peerClosed = true
                peerDidClose(c)
                return
            } else {
                let e = errno
                if e == EAGAIN || e == EWOULDBLOCK { c.readable = false; return }
                if e == EINTR { continue }
                closeConnection(c)
                return
            }
        }
    }

    /// Whether to keep reading: not while a response is pending and the read-ahead (pipelined
    /// requests) already holds a full head's worth, nor while a streamed body's buffer is full.
    private func wantsInput(_ c: ServerConnection) -> Bool {
        guard let exchange = c.exchange else { return c.input.readableBytes < core.configuration.maxHeaderBytes + 16 * 1024 }
        if exchange.streamPaused { return false }
        if exchange.bodyDone { return c.input.readableBytes < core.configuration.maxHeaderBytes }
        return true
    }

    /// Parses heads and bodies out of the input buffer as far as the current state allows.
    func processInput(_ c: ServerConnection) {
        while isRegistered(c), !c.lingering {
            if let exchange = c.exchange {
                if exchange.bodyDone || exchange.streamPaused { return }
                if c.input.readableBytes == 0 { return }
                // Unread bytes that are only part of a chunk line stay in the buffer: wait for more.
                guard feedBody(c, exchange) else { return }
                continue
            }
            // RFC 9112 §2.2: empty lines before a request line are ignored. Consumed here, not only
            // skipped by the parser, so a stray CRLF after a body leaves the connection idle instead
            // of holding it open as a head that never completes (and earns a 408).
            let emptyLines = RequestHeadParser.leadingEmptyLineBytes(c.input.readable)
            if emptyLines > 0 { c.input.consume(emptyLines) }
            if c.input.readableBytes == 0 {
                // Between requests the connection is idle again; before the first, the head deadline
                // that started at accept time still runs.
                if emptyLines > 0, c.requestsServed > 0 { c.headStart = nil }
                c.input.shrinkIfEmpty(to: 4096)
                return
            }
            switch core.parser.parse(c.input.readable) {
            case .incomplete:
                return
            case .failure(let error):
                sendLoopError(c, status: error.status, code: error.code, message: error.message)
                return
            case .head(let head, let consumed):
                c.input.consume(consumed)
                startExchange(c, head)
            }
        }
    }

    private func startExchange(_ c: ServerConnection, _ head: RequestHead) {
        let now = tick
        c.headStart = nil
        let split = RequestTarget.split(head.target)
        guard let segments = split.segments else {
            sendLoopError(c, status: .badRequest, code: "bad_request", message: "Malformed percent-encoding in path")
            return
        }
        var request = HTTPRequest(
            method: head.method, target: head.target, split: (split.path, segments, split.query),
            version: head.version, headers: head.headers
        )
        request.requestId = head.requestId ?? ids.next()
        request.remoteAddress = c.clientAddress(
            head.headers, trusted: core.configuration.trustedProxies, header: core.configuration.forwardedHeader)
        // A router is matched once here; its match travels with the exchange to `dispatch`.
        let match: Router.Match?
        let policy: HTTPBodyPolicy
        let early: HTTPResponse?
        if let router = core.router {
            let found = router.match(head.method, segments)
            match = found
            policy = router.bodyPolicy(for: found)
            request.routePattern = policy.routePattern
            early = router.responseBeforeBody(to: request, match: found)
        } else {
            match = nil
            policy = core.responder.bodyPolicy(for: request)
            request.routePattern = policy.routePattern
            early = core.responder.responseBeforeBody(to: request)
        }
        let limit = policy.limit ?? core.configuration.defaultBodyLimit
        let maxRequests = core.configuration.maxRequestsPerConnection
        let keepAlive = head.keepAlive && !core.isDraining && !c.closeWhenIdle
            && (maxRequests == 0 || c.requestsServed + 1 < maxRequests)
        let context = ExchangeContext(
            connectionID: c.id, fd: c.fd, method: head.method, path: policy.loggedPath(request.path), version: head.version,
            keepAlive: keepAlive, requestId: request.requestId, remoteAddress: request.remoteAddress,
            routePattern: policy.routePattern, startTime: now, runsOffLoop: policy.runsOffLoop
        )
        let framing: Exchange.BodyFraming
        if head.chunked {
            framing = .chunked(RequestChunkedDecoder(limit: limit))
        } else if let length = head.contentLength, length > 0 {
            framing = .length(remaining: length)
        } else {
            framing = .none
        }
        let exchange = Exchange(context: context, framing: framing, limit: limit, now: now)
        c.exchange = exchange
        // Before the size check: an unauthenticated client learns nothing about the route's limit.
        if let early {
            answerBeforeBody(c, exchange, early)
            return
        }
        if let length = head.contentLength, length > limit {
            sendLoopError(c, status: .contentTooLarge, code: "body_too_large", message: "Request body too large")
            return
        }
        if head.expectContinue, !exchange.bodyDone {
            c.output.append(OutChunk(bytes: Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)))
            flush(c)
            guard isRegistered(c) else { return }
        }
        if exchange.bodyDone {
            core.dispatch(request, match: match, context: context, loop: self)
        } else if policy.streaming {
            let fd = c.fd, id = c.id
            let stream = HTTPRequestBodyStream(highWater: core.configuration.requestStreamBufferBytes) { [weak self] in
                self?.post(.resumeReading(fd: fd, id: id))
            }
            exchange.stream = stream
            exchange.answersBodyFailure = policy.answersBodyFailure
            request.bodyStream = stream
            core.dispatch(request, match: match, context: context, loop: self)
        } else {
            // Capped: a declared length is only a claim until the bytes arrive; appends grow the rest.
            if case .length(let n) = framing { exchange.buffered.reserveCapacity(min(n, 64 * 1024)) }
            exchange.pendingRequest = request
            exchange.match = match
        }
    }

    /// Sends an answer decided from the head alone (`HTTPResponder.responseBeforeBody`). A body the client
    /// announced stays unread: no `100 Continue` went out, and the connection closes after the answer
    /// (the lingering close drops whatever of the body still arrives).
    private func answerBeforeBody(_ c: ServerConnection, _ exchange: Exchange, _ response: HTTPResponse) {
        if !exchange.bodyDone {
            exchange.bodyDone = true
            exchange.context.keepAlive = false
            exchange.closeAfter = true
        }
        core.answer(response, context: exchange.context, requestBytes: 0, loop: self)
    }

    /// Moves buffered body bytes into the exchange. Returns false when what is left in the buffer cannot
    /// go further until more arrives (part of a chunk-size line, CRLF or trailer) or the exchange failed.
    private func feedBody(_ c: ServerConnection, _ exchange: Exchange) -> Bool {
        let before = exchange.bodyBytes
        var waitsForInput = false
        switch exchange.framing {
        case .none:
            exchange.bodyDone = true
        case .length(let remaining):
            let n = min(remaining, c.input.readableBytes)
            deliver(exchange, UnsafeRawBufferPointer(rebasing: c.input.readable[0..<n]))
            c.input.consume(n)
            exchange.framing = .length(remaining: remaining - n)
            if remaining == n { exchange.bodyDone = true }
        case .chunked(var decoder):
            let (consumed, progress) = decoder.decode(c.input.readable) { deliver(exchange, $0) }
            c.input.consume(consumed)
            exchange.framing = .chunked(decoder)
            switch progress {
            case .needMore:
                waitsForInput = true
            case .done:
                exchange.bodyDone = true
            case .failure(let error):
                let code: HTTPServerError.Code = error.status.code == 413 ? .bodyTooLarge : .malformedBody
                failBody(c, exchange, HTTPServerError(code, error.message), status: error.status, code: error.code)
                return false
            }
        }
        if exchange.bodyBytes != before { exchange.lastBodyProgress = tick }
        guard exchange.bodyDone else { return !waitsForInput }
        if let stream = exchange.stream {
            stream.finish()
        } else if var request = exchange.pendingRequest.take() {
            swap(&request.body, &exchange.buffered)
            let match = exchange.match
            exchange.match = nil
            core.dispatch(request, match: match, context: exchange.context, loop: self)
        }
        return true
    }

    private func deliver(_ exchange: Exchange, _ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        exchange.bodyBytes += bytes.count
        if let stream = exchange.stream {
            if exchange.responseQueued { return }
            if !stream.push([UInt8](bytes)) { exchange.pauseStream(now: tick) }
        } else {
            exchange.buffered.append(contentsOf: bytes)
        }
    }

    /// The peer half-closed: finish what is in flight, then close.
    private func peerDidClose(_ c: ServerConnection) {
        if let exchange = c.exchange {
            if !exchange.bodyDone {
                exchange.stream?.fail(HTTPServerError(.connectionClosed, "Client closed the connection mid-body"))
                closeConnection(c)
                return
            }
            exchange.closeAfter = true
            return
        }
        closeConnection(c)
    }

    /// Reads and drops input after the final response so the FIN is not turned into a RST.
    private func discardInput(_ c: ServerConnection) {
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = scratch.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                c.lingerDiscarded += n
                if c.lingerDiscarded > 4 * 1024 * 1024 { closeConnection(c); return }
                continue
            }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { c.readable = false; return }
            closeConnection(c)
            return
        }
    }

    /// The body broke off mid-way. The handler's stream fails with `error`; the server answers `status` itself
    /// unless the route answers body failures (then it waits for the handler's answer, see `sweep`), or the
    /// handler already responded. No later byte is read as body or as a next request: the connection closes.
    func failBody(_ c: ServerConnection, _ exchange: Exchange, _ error: HTTPServerError, status: HTTPStatus, code: String) {
        guard let stream = exchange.stream, exchange.answersBodyFailure, !exchange.responseQueued else {
            exchange.stream?.fail(error)
            sendLoopError(c, status: status, code: code, message: error.message)
            return
        }
        stream.fail(error)
        exchange.bodyDone = true
        exchange.closeAfter = true
        exchange.bodyFailure = (status, code, error.message, tick &+ core.timeouts.body)
        core.logBodyFailure(status: status, code: code, exchange: exchange.context)
    }

    /// Answers with a JSON error generated by the server itself, then closes the connection.
    func sendLoopError(_ c: ServerConnection, status: HTTPStatus, code: String, message: String) {
        let requestId = c.exchange?.context.requestId ?? ids.next()
        let errorBody = HTTPResponse.errorBody(code: code, message: message)
        // A HEAD answer carries the headers of the body it would have, never the body (RFC 9110 §9.3.2).
        let body = c.exchange?.context.method == .HEAD ? [] : errorBody
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        let head = ResponseSerializer.head(
            status: status, headers: headers, framing: .length(errorBody.count), close: true, keepAliveHeader: false,
            requestId: requestId, serverName: core.configuration.serverName, date: date.headerLine()
        )
        let exchange = c.exchange
        exchange?.stream?.fail(HTTPServerError(.connectionClosed, message))
        if let exchange, exchange.responseQueued {
            // A handler response is already on its way; it will close the connection.
            exchange.closeAfter = true
            return
        }
        core.logLoopError(status: status, code: code, exchange: exchange?.context, remote: c.remoteAddress, requestId: requestId, loop: self)
        let placeholder = exchange ?? Exchange(
            context: ExchangeContext(
                connectionID: c.id, fd: c.fd, method: HTTPMethod("-"), path: "-", version: .http1_1, keepAlive: false,
                requestId: requestId, remoteAddress: c.remoteAddress, routePattern: nil, startTime: ServerSyscalls.now()
            ),
            framing: .none, limit: 0, now: ServerSyscalls.now()
        )
        placeholder.pendingRequest = nil
        placeholder.bodyDone = true
        c.exchange = placeholder
        queueResponse(c, head: head, body: body, closeAfter: true, sink: nil)
    }
}
