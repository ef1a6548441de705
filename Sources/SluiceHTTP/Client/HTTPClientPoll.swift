import Glibc

/// poll(2) on one descriptor in short slices, so deadlines and cancellation are both honoured.
enum HTTPClientPoll {
    /// Longest single sleep; bounds how late a cancellation is noticed.
    static let slice: Duration = .milliseconds(200)

    static func wait(
        _ fd: Int32, writable: Bool, until deadline: ContinuousClock.Instant, cancellation: HTTPClientCancellation
    ) throws(HTTPClientError) {
        while true {
            if cancellation.isCancelled { throw HTTPClientError(.cancelled, "request cancelled") }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw HTTPClientError(.timeout, writable ? "timed out sending" : "timed out waiting for the server") }
            var descriptor = pollfd(fd: fd, events: Int16(writable ? POLLOUT : POLLIN), revents: 0)
            let result = poll(&descriptor, 1, milliseconds(min(remaining, slice)))
            if result > 0 { return }
            if result < 0 && errno != EINTR { throw HTTPClientError(.io, "poll failed (errno \(errno))") }
        }
    }

    /// True when `fd` has nothing to read and no hang-up pending: an idle keep-alive socket still open.
    static func isQuiet(_ fd: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1))
    }
}
