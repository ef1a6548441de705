import Glibc

extension ServerEventLoop {
    /// Queues a response for the current exchange and starts sending it.
    func queueResponse(_ c: ServerConnection, head: [UInt8], body: [UInt8], closeAfter: Bool, sink: ResponseStreamSink?) {
        guard let exchange = c.exchange, !exchange.responseQueued else {
            sink?.close()
            return
        }
        exchange.responseQueued = true
        exchange.sink = sink
        if closeAfter { exchange.closeAfter = true }
        if sink == nil { exchange.responseComplete = true }
        if !exchange.bodyDone {
            // The handler answered before reading the whole body; the rest is dropped by the
            // lingering close rather than parsed as a next request.
            exchange.bodyDone = true
            exchange.closeAfter = true
            exchange.stream?.fail(HTTPServerError(.connectionClosed, "Response sent before the body was read"))
        }
        c.output.append(OutChunk(bytes: head))
        if !body.isEmpty { c.output.append(OutChunk(bytes: body)) }
        flush(c)
    }

    /// Writes queued output until done or EAGAIN (then EPOLLOUT resumes it).
    func flush(_ c: ServerConnection) {
        while c.outputIndex < c.output.count {
            let n = writeSome(c)
            if n > 0 {
                c.lastWriteProgress = tick
                advance(c, by: n)
                continue
            }
            let e = errno
            if n < 0 && e == EINTR { continue }
            if n < 0 && (e == EAGAIN || e == EWOULDBLOCK) { return }
            closeConnection(c)
            return
        }
        c.output.removeAll(keepingCapacity: true)
        c.outputIndex = 0
        if let exchange = c.exchange, exchange.responseComplete { finishExchange(c) }
    }

    private func writeSome(_ c: ServerConnection) -> Int {
        if let tls = c.tls { return tlsWrite(c, tls) }
        let first = c.output[c.outputIndex]
        let flags = Int32(MSG_NOSIGNAL)
        if c.outputIndex + 1 < c.output.count {
            // Head and body leave in one sendmsg.
            let second = c.output[c.outputIndex + 1]
            return first.bytes.withUnsafeBytes { a in
                second.bytes.withUnsafeBytes { b in
                    var iov = (
                        iovec(iov_base: UnsafeMutableRawPointer(mutating: a.baseAddress! + first.offset), iov_len: a.count - first.offset),
                        iovec(iov_base: UnsafeMutableRawPointer(mutating: b.baseAddress! + second.offset), iov_len: b.count - second.offset)
                    )
                    return withUnsafeMutablePointer(to: &iov) { p in
                        p.withMemoryRebound(to: iovec.self, capacity: 2) { iovPointer in
                            var message = msghdr()
                            message.msg_iov = iovPointer
                            message.msg_iovlen = 2
                            return sendmsg(c.fd, &message, flags)
                        }
                    }
                }
            }
        }
        return first.bytes.withUnsafeBytes { a in
            send(c.fd, a.baseAddress! + first.offset, a.count - first.offset, flags)
        }
    }

    private func advance(_ c: ServerConnection, by written: Int) {
        var n = written
        while n > 0 {
            let remaining = c.output[c.outputIndex].bytes.count - c.output[c.outputIndex].offset
            if n >= remaining {
                n -= remaining
                let credit = c.output[c.outputIndex].streamCredit
                c.output[c.outputIndex].bytes = []
                c.outputIndex += 1
                if credit > 0 { c.exchange?.sink?.didSend(credit) }
            } else {
                c.output[c.outputIndex].offset += n
                n = 0
            }
        }
    }

    /// The response is fully sent: close, or move on to the next (possibly pipelined) request.
    private func finishExchange(_ c: ServerConnection) {
        guard let exchange = c.exchange else { return }
        c.exchange = nil
        c.requestsServed += 1
        if exchange.closeAfter || c.closeWhenIdle || c.peerClosed {
            startLingering(c)
            return
        }
        let now = tick
        c.lastActivity = now
        c.headStart = c.input.readableBytes > 0 ? now : nil
        processInput(c)
        if isRegistered(c) { readAvailable(c) }
    }

    /// Sends FIN and keeps reading (and dropping) briefly so unread request bytes do not make the
    /// kernel answer with RST, which could destroy the final response before the client reads it.
    func startLingering(_ c: ServerConnection) {
        if c.peerClosed {
            closeConnection(c)
            return
        }
        c.tls?.sendCloseNotify()
        shutdown(c.fd, Int32(SHUT_WR))
        c.lingering = true
        c.exchange = nil
        c.lingerDeadline = ServerSyscalls.now() &+ 2_000_000_000
        c.readable = true
        readAvailable(c)
    }

    /// Closes at once and fails anything still waiting on the connection.
    func closeConnection(_ c: ServerConnection) {
        if let exchange = c.exchange {
            exchange.stream?.fail(HTTPServerError(.connectionClosed, "Client connection closed"))
            exchange.sink?.close()
            c.exchange = nil
        }
        c.output = []
        c.outputIndex = 0
        removeConnection(c)
    }
}
