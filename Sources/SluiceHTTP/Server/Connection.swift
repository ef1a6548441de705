/// One accepted socket and its protocol state; owned by exactly one event loop thread.
final class Connection {
    let fd: Int32
    let id: UInt64
    let remoteAddress: String
    let input: ByteBuffer
    /// Bytes waiting to be sent, in order.
    var output: [OutChunk] = []
    var outputIndex = 0
    /// Edge-triggered epoll: true while the socket may still hold unread bytes.
    var readable = false
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

    init(fd: Int32, id: UInt64, remoteAddress: String, now: UInt64) {
        self.fd = fd
        self.id = id
        self.remoteAddress = remoteAddress
        self.input = ByteBuffer(capacity: 4096)
        self.headStart = now
        self.lastActivity = now
        self.lastWriteProgress = now
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

/// One request/response exchange on a connection.
final class Exchange {
    enum BodyFraming {
        case none
        case length(remaining: Int)
        case chunked(ChunkedDecoder)
    }

    var context: ExchangeContext
    var framing: BodyFraming
    var bodyDone: Bool
    var bodyBytes = 0
    var limit: Int
    /// The request waiting for its buffered body; nil once dispatched.
    var pendingRequest: HTTPRequest?
    var buffered: [UInt8] = []
    var stream: HTTPRequestBodyStream?
    /// The stream buffer is full; the loop stops reading until the consumer catches up.
    var streamPaused = false
    var lastBodyProgress: UInt64
    var responseQueued = false
    var responseComplete = false
    var closeAfter: Bool
    var sink: ResponseStreamSink?

    init(context: ExchangeContext, framing: BodyFraming, limit: Int, now: UInt64) {
        self.context = context
        self.framing = framing
        if case .none = framing { bodyDone = true } else { bodyDone = false }
        self.limit = limit
        self.lastBodyProgress = now
        self.closeAfter = !context.keepAlive
    }
}

/// What the handler task needs to know about its exchange; crosses threads.
struct ExchangeContext: Sendable {
    var connectionID: UInt64
    var fd: Int32
    var method: HTTPMethod
    var path: String
    var version: HTTPVersion
    var keepAlive: Bool
    var requestId: String
    var remoteAddress: String
    var routePattern: String?
    var startTime: UInt64
}
