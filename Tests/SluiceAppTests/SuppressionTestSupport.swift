import Foundation
import Logging
import SluiceApp
import SluiceCore
import SluiceHTTP
import SluiceTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A real `Application` on 127.0.0.1 with a temporary database, for end-to-end suppression tests.
final class SuppressionTestApp: StoppableFixture {
    static let token = "test-token-0123456789"

    let app: Application
    /// Removed by `stop()`, or at the latest when the app is released (also when `init` throws).
    private let temporary: TestDirectory
    var directory: URL { temporary.url }
    let client: HTTPClient

    init(now: @escaping @Sendable () -> Date = { Date() }) throws {
        temporary = try TestDirectory(prefix: "sluice-api")
        let directory = temporary.url
        var configuration = SluiceConfiguration.defaults
        try configuration.set("database.path", .string(directory.appendingPathComponent("sluice.sqlite").path))
        try configuration.set("http.port", .integer(0))
        try configuration.set("http.threads", .integer(1))
        try configuration.set("api.tokens", .array([.string(Self.token)]))
        // Nothing may reach SES from a test (`auto` would look for the host's credentials and probe IMDS).
        try configuration.set("ses.transport", .string("outbox"))
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        app = try Application.build(configuration: configuration, logger: logger, environment: try TestEnvironment.isolated(), now: now)
        try app.start()
        client = try HTTPClient(configuration: HTTPClientConfiguration(readTimeout: .seconds(60), totalTimeout: .seconds(120), maxResponseBytes: 256 << 20))
    }

    var databasePath: String { directory.appendingPathComponent("sluice.sqlite").path }

    func stop() async {
        await app.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Sends a request with the bearer token (or `token`, or none when `authorized` is false).
    func request(_ method: String, _ path: String, body: String = "", headers: [(String, String)] = [], token: String? = SuppressionTestApp.token) async throws -> HTTPClientResponse {
        var h = HTTPHeaders()
        if let token { h.set("Authorization", "Bearer \(token)") }
        for (name, value) in headers { h.add(name, value) }
        return try await client.execute(HTTPClientRequest(method: method, url: "http://127.0.0.1:\(app.port)\(path)", headers: h, body: Array(body.utf8)))
    }

    /// The JSON object of a response body.
    static func object(_ response: HTTPClientResponse) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw TestFailure("response is not a JSON object: \(response.bodyText.prefix(200))")
        }
        return object
    }

    /// Every active suppression through the store's keyset pages.
    func allStored() async throws -> [Suppression] {
        var rows: [Suppression] = []
        var cursor: SuppressionCursor?
        var pages = 0
        repeat {
            let page = try await app.context.store.export(after: cursor, limit: 5000)
            rows += page.items
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10_000  // bounded: a cursor that never ends fails here
        guard cursor == nil else { throw TestFailure("export still had pages after \(pages) (\(rows.count) rows)") }
        return rows
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Uploads a body generated piece by piece with chunked transfer encoding over a raw socket, so a
/// large import never exists in memory on the client side either. Blocking: run off the cooperative pool.
enum ChunkedUpload {
    static func post(port: Int, path: String, token: String, contentType: String, pieces: Int, piece: (Int) -> [UInt8]) throws -> (status: Int, body: [UInt8]) {
        let fd = try RawHTTP.connect(port: port, timeoutSeconds: 120).get()
        defer { close(fd) }
        func send(_ bytes: [UInt8]) throws { try RawHTTP.sendAll(fd, bytes) }
        try send(Array("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: \(contentType)\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8))
        for index in 0..<pieces {
            let bytes = piece(index)
            guard !bytes.isEmpty else { continue }
            try send(Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + [13, 10])
        }
        try send(Array("0\r\n\r\n".utf8))
        let response = RawHTTP.readToClose(fd)
        guard let split = response.indices.first(where: { response[$0...].starts(with: [13, 10, 13, 10]) }) else {
            throw TestFailure("no response head (\(response.count) bytes)")
        }
        let head = String(decoding: response[..<split], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, Array(response[(split + 4)...]))
    }
}
