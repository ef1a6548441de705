import Glibc
import SluiceTestSupport
import Testing
@testable import SluiceHTTP

/// How a connect deadline is shared among a host's addresses (no sockets).
struct ClientSocketTests {
    static let now = ContinuousClock.now

    static func share(_ remaining: Duration, addressesLeft: Int) -> Duration {
        now.duration(to: HTTPClientSocket.attemptDeadline(now: now, deadline: now + remaining, addressesLeft: addressesLeft))
    }

    @Test func splitsTheTimeLeftEquallyAmongTheAddressesLeft() {
        #expect(Self.share(.seconds(10), addressesLeft: 2) == .seconds(5))
        #expect(Self.share(.seconds(9), addressesLeft: 3) == .seconds(3))
    }

    @Test func theLastAddressGetsAllThatIsLeft() {
        #expect(Self.share(.seconds(10), addressesLeft: 1) == .seconds(10))
    }

    @Test func eachAddressGetsAtLeastTheFloorButNeverPastTheDeadline() {
        #expect(Self.share(.seconds(4), addressesLeft: 16) == HTTPClientSocket.minimumAttemptTime)
        #expect(Self.share(.milliseconds(300), addressesLeft: 4) == .milliseconds(300))
        #expect(Self.share(.zero, addressesLeft: 4) == .zero)
    }

    /// A literal resolves without AI_ADDRCONFIG; a name with it, and an address that refuses ("localhost"
    /// as ::1, when listed, against this IPv4-only listener) hands over to the next.
    @Test func connectsByLiteralAndByName() throws {
        let listener = try LoopbackListener.open(backlog: 4)
        defer { close(listener.fd) }
        for host in ["127.0.0.1", "localhost"] {
            let fd = try HTTPClientSocket.connect(
                host: host, port: listener.port, deadline: .now + .seconds(5), cancellation: HTTPClientCancellation())
            #expect(fd >= 0)
            close(fd)
        }
    }
}
