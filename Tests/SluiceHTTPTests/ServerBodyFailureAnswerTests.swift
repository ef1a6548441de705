import Foundation
import SluiceTestSupport
import Testing
@testable import SluiceHTTP

/// `RouteOptions.answersBodyFailure`: when a streamed body breaks off, the handler's answer (with what it did
/// before the failure) reaches the client instead of the server's own error; without the option, or when the
/// handler does not answer in time, the server's own error does. The connection closes after either.
struct ServerBodyFailureAnswerTests {
    /// A handler that reads the stream and reports the bytes it got and the failure it saw, as 422.
    static func router(answers: Bool, limit: Int = 1 << 20, stallAfterFailure: Duration? = nil) -> Router {
        var router = Router()
        router.add(.POST, "/upload", options: RouteOptions(bodyLimit: limit, streamingBody: true, answersBodyFailure: answers)) { request in
            var received = 0
            do {
                for try await chunk in try #require(request.bodyStream) { received += chunk.count }
            } catch let error as HTTPServerError {
                if let stallAfterFailure { try? await Task.sleep(for: stallAfterFailure) }
                return .text(HTTPStatus(code: 422), "received \(received), \(error.code)")
            }
            return .text("received \(received)")
        }
        return router
    }

    static let badChunking = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz-not-a-size\r\n\r\n"

    static func exchange(port: Int, _ request: String) async throws -> (WireResponse, closed: Bool) {
        try await offPool {
            let c = try RawClient(port: port, timeoutSeconds: 5)
            let response = try c.roundTrip(request)
            return (response, c.isClosedByPeer())
        }
    }

    @Test func badChunkingIsAnsweredByTheHandler() async throws {
        try await withServer(Self.router(answers: true)) { server in
            let (response, closed) = try await Self.exchange(port: server.port, Self.badChunking)
            #expect(response.status == 422)
            #expect(response.bodyText == "received 5, malformedBody")
            #expect(closed)
        }
    }

    @Test func aChunkedBodyOverTheLimitIsAnsweredByTheHandler() async throws {
        try await withServer(Self.router(answers: true, limit: 1000)) { server in
            let chunk = String(repeating: "x", count: 600)
            let (response, closed) = try await Self.exchange(
                port: server.port,
                "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n")
            #expect(response.status == 422)
            #expect(response.bodyText.hasPrefix("received ") && response.bodyText.hasSuffix(", bodyTooLarge"), "\(response.bodyText)")
            #expect(closed)
        }
    }

    @Test func aStalledBodyIsAnsweredByTheHandler() async throws {
        try await withServer(Self.router(answers: true), configure: { $0.bodyReadTimeout = .milliseconds(300) }) { server in
            let (response, closed) = try await Self.exchange(
                port: server.port, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-this")
            #expect(response.status == 422)
            #expect(response.bodyText == "received 9, bodyTimeout")
            #expect(closed)
        }
    }

    /// Without the option the server's own error wins, as before, and the handler still sees the failure.
    @Test func withoutTheOptionTheServerAnswers() async throws {
        try await withServer(Self.router(answers: false)) { server in
            let (response, closed) = try await Self.exchange(port: server.port, Self.badChunking)
            #expect(response.status == 400)
            #expect(response.bodyText.contains("\"code\""), "\(response.bodyText)")
            #expect(!response.bodyText.contains("received"))
            #expect(closed)
        }
    }

    /// A handler that takes longer than the body timeout to answer gets the server's own error sent instead.
    @Test func aHandlerThatDoesNotAnswerInTimeGetsTheServersError() async throws {
        let router = Self.router(answers: true, stallAfterFailure: .seconds(3))
        try await withServer(router, configure: { $0.bodyReadTimeout = .milliseconds(300) }) { server in
            let started = ContinuousClock.now
            let (response, closed) = try await Self.exchange(port: server.port, Self.badChunking)
            #expect(response.status == 400)
            #expect(!response.bodyText.contains("received"))
            #expect(closed)
            #expect(ContinuousClock.now - started < .seconds(3), "the server waited for the handler past its deadline")
        }
    }
}
