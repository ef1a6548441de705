import Glibc
import Synchronization

/// The IMF-fixdate for the `Date` response header (RFC 9110 §5.6.7), formatted once per second.
final class ResponseDate: Sendable {
    private struct Cached {
        var second: Int = -1
        var bytes: [UInt8] = []
    }

    private let cache = Mutex(Cached())

    /// "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n" for the current second.
    func headerLine() -> [UInt8] {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let second = ts.tv_sec
        return cache.withLock { c in
            if c.second != second {
                c.second = second
                c.bytes = Array("Date: \(Self.format(second))\r\n".utf8)
            }
            return c.bytes
        }
    }

    static func format(_ epochSeconds: Int) -> String {
        var seconds = epochSeconds
        var t = tm()
        gmtime_r(&seconds, &t)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) "
            + "\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    }
}
