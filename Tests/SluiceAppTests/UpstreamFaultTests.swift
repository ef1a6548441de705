import SluiceTestSupport
import Foundation
import Glibc
import SluiceCore
import SluiceHTTP
import Synchronization
import Testing
@testable import SluiceApp

/// The SES endpoint and the SNS signing-certificate host misbehaving over real sockets (hanging,
/// resetting, answering garbage): every call is bounded by its timeout, the send workers are not
/// held, and the rest of the service keeps answering.
@Suite(.serialized)
struct UpstreamFaultTests {
    @Test(arguments: [BadEndpoint.Mode.hang, .reset, .garbage, .trickle])
    func brokenSESEndpointIsBoundedAndTheAPIKeepsAnswering(mode: BadEndpoint.Mode) async throws {
        let endpoint = try BadEndpoint(mode: mode)
        defer { endpoint.stop() }
        let app = try await SendTestApp.start(settings: [
            "ses.transport": .string("ses"), "ses.endpoint": .string("http://127.0.0.1:\(endpoint.port)"),
            "ses.max_send_rate": .float(100), "ses.max_24h_send": .integer(-1), "ses.request_timeout_seconds": .float(1),
            "ses.max_attempts": .integer(2), "ses.max_backoff_seconds": .float(1),
        ], environment: SendTestApp.staticKeys)
        try await withFixture(app) { app in
            let first = try #require(try await app.post(SendTestApp.message(to: ["one@example.net"])).id)
            try await app.waitUntil("SES was called") { endpoint.connections >= 1 }
            // While the call to SES is stuck or failing, the API answers, and accepts more mail.
            for i in 0..<10 {
                let reply = try await app.post(SendTestApp.message(to: ["more\(i)@example.net"]))
                #expect(reply.status == 202)
            }
            // The message ends up failed (outcome unknown, or retries spent), never stuck in `sending`.
            let final = try await app.waitForState(first, ["failed", "sent"])
            #expect(final.state == "failed", "\(final.json)")
            #expect((final.json["error"] as? String)?.isEmpty == false)
        }
    }

    @Test func hangingCertificateHostIsBoundedAndTheServiceKeepsAnswering() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let path = "/SimpleNotificationService-hanging\(UUID().uuidString.prefix(8).lowercased()).pem"
                .replacingOccurrences(of: "-", with: "")
                .replacingOccurrences(of: "/SimpleNotificationService", with: "/SimpleNotificationService-")
            harness.certRoutes.set(path, .hang)
            let envelope = try await SNSEnvelope.signed(
                harness.pki, certURL: harness.certServer.origin + path, message: SESPayload.bounce("hang@example.com"))

            async let delivery = harness.post(envelope)
            // Meanwhile the probes and other routes answer.
            for _ in 0..<10 {
                #expect(try await harness.client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(harness.port)/healthz")).status == 200)
                try await Task.sleep(for: .milliseconds(50))
            }
            // Bounded by the certificate fetch timeout (5 s): were it not, the harness client's own 30 s timeout
            // would throw here. A failure SNS retries, not an acknowledgement.
            let response = try await delivery
            #expect(response.status == 503, "\(response.bodyText)")
            #expect(try await !harness.context.store.hasMessage(id: envelope.messageId))
        }
    }
}

/// A TCP server that accepts and then misbehaves, as a broken SES endpoint would.
final class BadEndpoint: @unchecked Sendable {
    // @unchecked: `held` is touched only by the accept thread, then by `stop` after it ended.
    enum Mode: String, Sendable, CustomTestStringConvertible {
        /// Reads the request and never answers.
        case hang
        /// Reads the request and resets the connection (RST).
        case reset
        /// Answers bytes that are not HTTP.
        case garbage
        /// Answers a status line, then one header byte every 200 ms.
        case trickle
        var testDescription: String { rawValue }
    }

    let port: Int
    private let listener: Int32
    private let count = Atomic<Int>(0)
    private let done = DispatchSemaphore(value: 0)
    private var held: [Int32] = []
    private let tricklers = DispatchGroup()

    var connections: Int { count.load(ordering: .relaxed) }

    init(mode: Mode) throws {
        (listener, port) = try LoopbackListener.open(backlog: 64)
        let listener = self.listener
        Thread.detachNewThread { [self] in
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { break }
                count.add(1, ordering: .relaxed)
                var buffer = [UInt8](repeating: 0, count: 65536)
                var tv = timeval(tv_sec: 1, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                _ = recv(fd, &buffer, buffer.count, 0)
                switch mode {
                case .hang:
                    held.append(fd)
                case .reset:
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                    close(fd)
                case .garbage:
                    let junk = Array("\u{0}\u{1}SMTP 220 not http\r\n\r\n<<<<>>>>\r\n".utf8)
                    _ = junk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    close(fd)
                case .trickle:
                    held.append(fd)
                    let head = Array("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Slow: ".utf8)
                    _ = head.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    // The trickler must end before `stop` closes fd: a late send into a reused descriptor number
                    // would put bytes into another test's connection.
                    tricklers.enter()
                    Thread.detachNewThread { [tricklers] in
                        defer { tricklers.leave() }
                        for _ in 0..<100 {
                            var byte: UInt8 = 0x61
                            guard send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { return }
                            Thread.sleep(forTimeInterval: 0.2)
                        }
                    }
                }
            }
            done.signal()
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        done.wait()
        close(listener)
        for fd in held { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
        // After shutdown every send fails, so each trickler returns within one 0.2 s sleep.
        tricklers.wait()
        for fd in held { close(fd) }
    }
}
