import Foundation
import Logging
import SluiceHTTP
import Testing
@testable import SluiceApp

struct LineAccessLogWriterTests {
    static let records: [AccessLogRecord] = [
        AccessLogRecord(
            epochMilliseconds: 1_764_416_296_726, requestId: "0123456789abcdef", method: "POST", path: "/sns", route: "/sns",
            status: 200, bytes: 2, durationSeconds: 0.000_123_4, remote: "127.0.0.1:51234"),
        AccessLogRecord(
            epochMilliseconds: 0, requestId: "req \"1\"\n=x", method: "-", path: "/a b/\u{2028}/\u{7F}/é日本", route: "-",
            status: 400, bytes: 0, durationSeconds: 0, remote: "[::1]:8080"),
        AccessLogRecord(
            epochMilliseconds: 253_402_300_799_999, requestId: "", method: "GET", path: "/n/7", route: "/n/{n}",
            status: 503, bytes: 1_234_567, durationSeconds: 12.345_678_9, remote: "10.0.0.1:1"),
        AccessLogRecord(
            epochMilliseconds: 1_800_000_000_001, requestId: "\\\t\r\u{01}", method: "PATCH", path: "/x=y", route: "/x",
            status: 204, bytes: 0, durationSeconds: 3_600.5, remote: "127.0.0.1:2"),
    ]

    @Test(arguments: [LineLogHandler.Format.json, .text], ["sluice", "la\"bel"])
    func writesTheLineTheHandlerWritesForTheSameMetadata(format: LineLogHandler.Format, label: String) throws {
        let sink = LineSink(handle: .nullDevice)
        let handler = LineLogHandler(label: label, level: .info, format: format, sink: sink)
        let writer = try #require(handler.makeAccessLogWriter())
        for record in Self.records {
            var bytes: [UInt8] = []
            writer.append(record, to: &bytes)
            let metadata = record.metadata.mapValues { Logger.Metadata.Value.string($0) }
            let event = LogEvent(
                level: .info, message: "request", metadata: metadata, source: nil, file: #fileID, function: #function, line: #line)
            let expected = handler.render(event, epochMilliseconds: record.epochMilliseconds)
            #expect(String(decoding: bytes, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        }
    }

    @Test func jsonLinesParseWithEveryField() throws {
        let handler = LineLogHandler(label: "sluice", level: .info, format: .json, sink: LineSink(handle: .nullDevice))
        let writer = try #require(handler.makeAccessLogWriter())
        var bytes: [UInt8] = []
        for record in Self.records { writer.append(record, to: &bytes) }
        let lines = bytes.split(separator: 0x0A)
        #expect(lines.count == Self.records.count)
        for (line, record) in zip(lines, Self.records) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            #expect(object["path"] as? String == record.path)
            #expect(object["request.id"] as? String == record.requestId)
            #expect(object["status"] as? String == String(record.status))
            #expect(object["msg"] as? String == "request")
            #expect(object["time"] as? String == UTCTimestamp.format(epochMilliseconds: record.epochMilliseconds))
        }
    }

    /// JSONSerialization keeps the last of two equal keys; log pipelines differ, so a line has each key once.
    @Test(arguments: [LineLogHandler.Format.json, .text])
    func everyKeyAppearsOnce(format: LineLogHandler.Format) throws {
        let handler = LineLogHandler(label: "sluice", level: .info, format: format, sink: LineSink(handle: .nullDevice))
        let writer = try #require(handler.makeAccessLogWriter())
        for record in Self.records {
            var bytes: [UInt8] = []
            writer.append(record, to: &bytes)
            let line = String(decoding: bytes, as: UTF8.self)
            let timeKey = format == .json ? #""time":"# : " time="
            #expect(line.components(separatedBy: timeKey).count - 1 == (format == .json ? 1 : 0), "\(line)")
            for key in ["bytes", "duration_ms", "method", "path", "remote", "request.id", "route", "status"] {
                let marker = format == .json ? "\"\(key)\":" : " \(key)="
                #expect(line.components(separatedBy: marker).count - 1 == 1, "\(key) in \(line)")
            }
        }
    }

    @Test func handlerWithMetadataOfItsOwnDeclines() {
        var handler = LineLogHandler(label: "sluice", level: .info, format: .json, sink: LineSink(handle: .nullDevice))
        #expect(handler.makeAccessLogWriter() != nil)
        handler[metadataKey: "instance"] = "a"
        #expect(handler.makeAccessLogWriter() == nil)
    }

    @Test func serverWritesEveryAccessLineByShutdown() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("access-\(UUID().uuidString).log").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let logger = Logger(label: "sluice") { label in
            LineLogHandler(label: label, level: .info, format: .json, sink: LineSink(handle: handle))
        }
        var router = Router()
        router.add(.GET, "/hello/{name}") { _ in .text("hello") }
        router.addSync(.GET, "/sync") { _ in .text("sync") }
        router.add(.GET, "/token/{token}", options: RouteOptions(redactsPath: true)) { _ in .text("token") }
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0, threads: 2), responder: router, logger: logger)
        try server.start()
        let running = Task { try await server.run() }
        let port = server.port
        let requests = 40
        let client = try HTTPClient()
        for n in 0..<requests {
            let path = n % 3 == 0 ? "/hello/\(n)?secret=hunter2" : n % 3 == 1 ? "/sync" : "/token/tok-\(n)-swordfish"
            var headers = HTTPHeaders()
            headers.add("X-Request-Id", "r-\(n)")
            let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)", headers: headers))
            #expect(response.status == 200)
        }
        // Near misses of the token route (another method, a trailing slash, more segments) keep it out too.
        let misses = [("DELETE", "/token/tok-a-swordfish", 405), ("GET", "/token/tok-b-swordfish/", 404), ("GET", "/token/tok-c-swordfish/x", 404)]
        for (n, (method, target, status)) in misses.enumerated() {
            var headers = HTTPHeaders()
            headers.add("X-Request-Id", "miss-\(n)")
            let response = try await client.execute(HTTPClientRequest(method: method, url: "http://127.0.0.1:\(port)\(target)", headers: headers))
            #expect(response.status == status)
        }
        client.closeIdleConnections()
        await server.shutdown()
        try await running.value
        try handle.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let access = try lines.compactMap { line -> [String: Any]? in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return object["msg"] as? String == "request" ? object : nil
        }
        #expect(access.count == requests + 3)
        let served = access.filter { ($0["request.id"] as? String)?.hasPrefix("r-") == true }
        #expect(Set(served.compactMap { $0["request.id"] as? String }) == Set((0..<requests).map { "r-\($0)" }))
        #expect(served.allSatisfy { $0["status"] as? String == "200" && ($0["remote"] as? String)?.hasPrefix("127.0.0.1:") == true })
        let missPaths = access.filter { ($0["request.id"] as? String)?.hasPrefix("miss-") == true }.compactMap { $0["path"] as? String }
        #expect(missPaths.sorted() == ["/token/{token}", "/token/{token}/…", "/token/{token}/…"])
        #expect(access.contains { $0["route"] as? String == "/hello/{name}" && $0["path"] as? String == "/hello/0" })
        #expect(access.contains { $0["route"] as? String == "/token/{token}" && $0["path"] as? String == "/token/{token}" })
        #expect(!lines.contains { $0.contains("hunter2") || $0.contains("swordfish") })
    }
}
