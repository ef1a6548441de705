/// Work posted to an event loop, from other threads or (queued locally) from the loop itself.
enum LoopMessage: Sendable {
    /// A response head (and whole body, unless `streaming`) for the connection's current exchange.
    case response(fd: Int32, id: UInt64, bytes: [UInt8], body: [UInt8], closeAfter: Bool, sink: ResponseStreamSink?)
    /// One framed chunk of a streamed response.
    case streamChunk(fd: Int32, id: UInt64, bytes: [UInt8])
    /// The end of a streamed response; `trailer` is the last-chunk marker, nil after a failure.
    case streamEnd(fd: Int32, id: UInt64, trailer: [UInt8]?)
    /// A streamed request body has room again.
    case resumeReading(fd: Int32, id: UInt64)
    /// A task job for the loop's `TaskExecutor` role.
    case job(UnownedJob)
    /// An accepted socket handed over by another loop (`ConnectionBalancer`), already counted for this one.
    case adopt(fd: Int32, remoteAddress: String)
    case stopAccepting(@Sendable () -> Void)
    case drain
    case stop
}
