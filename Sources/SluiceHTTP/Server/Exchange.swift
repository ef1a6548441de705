/// One request/response exchange on a connection.
final class Exchange {
    enum BodyFraming {
        case none
        case length(remaining: Int)
        case chunked(RequestChunkedDecoder)
    }

    var context: ExchangeContext
    var framing: BodyFraming
    var bodyDone: Bool
    var bodyBytes = 0
    var limit: Int
    /// The request waiting for its buffered body; nil once dispatched.
    var pendingRequest: HTTPRequest?
    /// The router's match for `pendingRequest` (nil for other responders).
    var match: Router.Match?
    var buffered: [UInt8] = []
    var stream: HTTPRequestBodyStream?
    /// The handler of `stream` answers a body failure itself (`RouteOptions.answersBodyFailure`).
    var answersBodyFailure = false
    /// The body broke off and the handler was told: the server's own answer, sent if the handler's has not
    /// come by `deadline`.
    var bodyFailure: (status: HTTPStatus, code: String, message: String, deadline: UInt64)?
    /// The stream buffer is full; the loop stops reading until the consumer catches up.
    private(set) var streamPaused = false
    private var pausedAt: UInt64 = 0
    var lastBodyProgress: UInt64
    /// When the body began, moved later by the time a streamed body spent paused (`MinimumBodyRate`).
    private(set) var bodyStart: UInt64
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
        self.bodyStart = now
        self.closeAfter = !context.keepAlive
    }

    /// Stops reading a streamed body until its consumer catches up; the body clocks stop too, since
    /// the wait is the server's, not the client's.
    func pauseStream(now: UInt64) {
        streamPaused = true
        pausedAt = now
    }

    func resumeStream(now: UInt64) {
        guard streamPaused else { return }
        streamPaused = false
        bodyStart &+= now &- pausedAt
        lastBodyProgress = now
    }
}

/// What the handler task needs to know about its exchange; crosses threads.
struct ExchangeContext: Sendable {
    var connectionID: UInt64
    var fd: Int32
    var method: HTTPMethod
    /// The path as access logs show it (`HTTPBodyPolicy.loggedPath`).
    var path: String
    var version: HTTPVersion
    var keepAlive: Bool
    var requestId: String
    var remoteAddress: String
    var routePattern: String?
    var startTime: UInt64
    /// The route asked to run on the shared pool (`RouteOptions.runsOffLoop`).
    var runsOffLoop = false
}
