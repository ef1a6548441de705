import Foundation
import Logging
import SluiceCore
import SluiceTestSupport
import Testing
@testable import SluiceApp
@testable import SluiceHTTP

#if canImport(Glibc)
import Glibc
#endif

/// An import whose body breaks off midway (bad chunking here) commits every valid row parsed before the
/// failure, the partial last chunk too (before, rows short of a full chunk were dropped).
struct SuppressionImportBodyFailureTests {
    @Test func badChunkingCommitsTheRowsParsedBeforeIt() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            // 25 rows, far below a chunk (100,000), then a chunk-size line that is not hex.
            var rows = ""
            for i in 0..<25 { rows += "cut\(i)@example.com,hard_bounce\n" }
            rows += "not-an-address\n"
            rows += "cut-partial@exa"
            let piece = Array(rows.utf8)
            var request = Array("POST /v1/suppressions/import?format=csv HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(SuppressionTestApp.token)\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8)
            request += Array((String(piece.count, radix: 16) + "\r\n").utf8) + piece + [13, 10]
            request += Array("zz-not-a-size\r\n\r\n".utf8)
            let port = t.app.port, bytes = request
            let response = try await offPool { () throws -> [UInt8] in
                let fd = try RawHTTP.connect(port: port).get()
                defer { close(fd) }
                try RawHTTP.sendAll(fd, bytes)
                return RawHTTP.readToClose(fd)
            }

            // The route answers body failures itself: the client learns what was imported before the break.
            let text = String(decoding: response, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 400"), "\(text.prefix(200))")
            #expect(text.contains("\"code\":\"body_read_failed\""), "\(text)")
            #expect(text.contains("\"imported\":25") && text.contains("\"rejected\":1"), "\(text)")
            // Every valid row before the failure is committed (before the answer); the record it cut short is not.
            let stored = try await t.allStored()
            #expect(stored.count == 25)
            #expect(try await t.app.context.store.suppression(for: "cut24@example.com", scope: nil, at: Date()) != nil)
            #expect(try await t.app.context.store.counts(byReason: Date())[.hardBounce] == 25)
        }
    }

    /// The handler's own answer, in process: the status of the failure, with the report of the rows written.
    @Test(arguments: [
        (HTTPServerError.Code.bodyTooLarge, 413, "body_too_large"), (.malformedBody, 400, "body_read_failed"),
        (.bodyTimeout, 408, "body_timeout"), (.connectionClosed, 400, "body_read_failed"),
    ])
    func theHandlerAnswersWithTheReport(_ failure: HTTPServerError.Code, _ status: Int, _ code: String) async throws {
        let directory = try TestDirectory(prefix: "sluice-import-cut")
        let configuration = try ConfigurationLoader().load(fileText: nil, environment: [
            "SLUICE_DATABASE_PATH": directory.url.appendingPathComponent("sluice.sqlite").path, "SLUICE_API_TOKENS": "token-0123456789abcdef",
        ])
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let store = try Application.openStore(configuration: configuration, logger: logger)
        defer { store.close() }
        let context = AppContext(configuration: configuration, logger: logger, store: store, metrics: AppMetrics(), state: ServiceState(), now: { Date() })
        var router = Router()
        SuppressionRoutes.register(on: &router, context: context)

        let stream = HTTPRequestBodyStream(highWater: Int.max, onDemand: {})
        _ = stream.push(Array("a@example.com,manual\nnot-an-address\nb@example.com,complaint\nc@exa".utf8))
        stream.fail(HTTPServerError(failure, "cut"))
        var headers = HTTPHeaders()
        headers.set("Authorization", "Bearer token-0123456789abcdef")
        let request = HTTPRequest(method: .POST, target: "/v1/suppressions/import?format=csv", headers: headers, bodyStream: stream)
        let response = await router.respond(to: request)

        #expect(Int(response.status.code) == status)
        guard case .bytes(let body) = response.body else { throw TestFailure("not a byte body") }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect((object["error"] as? [String: Any])?["code"] as? String == code)
        #expect(((object["error"] as? [String: Any])?["message"] as? String)?.contains("2 rows before the failure were imported, 1 rejected") == true)
        #expect(object["imported"] as? Int == 2)
        #expect(object["rejected"] as? Int == 1)
        #expect((object["errors"] as? [[String: Any]])?.first?["line"] as? Int == 2)
        // Committed by the time the handler answered: no write goes on behind the answer.
        #expect(try await store.suppression(for: "b@example.com", scope: nil, at: Date())?.reason == .complaint)
        #expect(try await store.export(after: nil, limit: 10).items.map(\.address) == ["a@example.com", "b@example.com"])
    }
}
