import Foundation
import Testing
@testable import SluiceApp

struct LineLogHandlerTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        ("quote\"back\\slash", #""quote\"back\\slash""#),
        ("line\nbreak\r\tx", #""line\nbreak\r\tx""#),
        ("bell\u{07}del\u{7F}", #""bell\u0007del\u007f""#),
        ("sep\u{2028}x", #""sep\u2028x""#),
        ("é and 日本", "\"é and 日本\""),
    ])
    func escapesEveryControlCharacter(input: String, expected: String) {
        #expect(LineLogHandler.jsonString(input) == expected)
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(LineLogHandler.timestamp(Date(timeIntervalSince1970: 1_764_416_296.7261)) == "2025-11-29T11:38:16.726Z")
        #expect(LineLogHandler.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }
}

struct LineSinkTests {
    @Test func concurrentLinesArriveWholeAndInOrderPerWriter() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("linesink-\(UUID().uuidString).log").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let sink = LineSink(handle: handle)
        let writers = 8, perWriter = 500
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    for n in 0..<perWriter { sink.write("{\"w\":\(w),\"n\":\(n),\"pad\":\"\(String(repeating: "x", count: n % 97))\"}") }
                }
            }
        }
        try handle.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")  // every line ends with a newline
        var next = [Int](repeating: 0, count: writers)
        for line in lines.dropLast() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let w = try #require(object["w"] as? Int), n = try #require(object["n"] as? Int)
            #expect(n == next[w])
            next[w] = n + 1
        }
        #expect(next == [Int](repeating: perWriter, count: writers))
    }
}
