import Foundation
import Testing
@testable import SluiceCrypto

struct ZlibTests {
    static let sample: [UInt8] = Array((0..<2000).map { "line \($0),bounce,example.com\n" }.joined().utf8)

    @Test func compressThenDecompressRoundTrips() throws {
        let compressed = try Zlib.compress(Self.sample)
        #expect(compressed.count < Self.sample.count / 4)
        #expect(compressed.first == 0x78)  // zlib header, RFC 1950
        #expect(try Zlib.decompress(compressed, maxOutput: Self.sample.count) == Self.sample)
    }

    @Test func compactStreamsRoundTripThroughTheOrdinaryInflater() throws {
        let json = Array(String(repeating: #"{"notificationType":"Bounce","bounce":{"bounceType":"Permanent"}},"#, count: 400).utf8)
        let compact = try Zlib.compress(json, level: 1, compact: true)
        #expect(compact.count < json.count / 4)
        #expect(try Zlib.decompress(compact, maxOutput: json.count) == json)
    }

    @Test func emptyInputRoundTrips() throws {
        #expect(try Zlib.decompress(try Zlib.compress([UInt8]()), maxOutput: 0) == [])
    }

    @Test func decompressionStopsAtTheBound() throws {
        // 16 MiB of zeros compresses to ~16 KiB: a classic bomb shape.
        let bomb = try Zlib.compress([UInt8](repeating: 0, count: 16 << 20), level: 9)
        let error = #expect(throws: CryptoError.self) { try Zlib.decompress(bomb, maxOutput: 1 << 20) }
        #expect(error?.code == .outputTooLarge)
    }

    @Test func exactBoundIsAccepted() throws {
        let compressed = try Zlib.compress(Self.sample)
        #expect(try Zlib.decompress(compressed, maxOutput: Self.sample.count).count == Self.sample.count)
        let error = #expect(throws: CryptoError.self) { try Zlib.decompress(compressed, maxOutput: Self.sample.count - 1) }
        #expect(error?.code == .outputTooLarge)
    }

    @Test func corruptTruncatedOrTrailingInputIsRejected() throws {
        let compressed = try Zlib.compress(Self.sample)
        let truncated = #expect(throws: CryptoError.self) { try Zlib.decompress(compressed.dropLast(10), maxOutput: 1 << 20) }
        #expect(truncated?.code == .decompressionFailed)
        let garbage = #expect(throws: CryptoError.self) { try Zlib.decompress([0x78, 0x9c, 0xff, 0xff, 0x00], maxOutput: 1 << 20) }
        #expect(garbage?.code == .decompressionFailed)
        let trailing = #expect(throws: CryptoError.self) { try Zlib.decompress(compressed + [0x00], maxOutput: 1 << 20) }
        #expect(trailing?.code == .decompressionFailed)
    }

    @Test func gzipStreamOutputInflatesWithGzipWindowBits() throws {
        let gzip = try GzipStream()
        var output: [UInt8] = []
        for start in stride(from: 0, to: Self.sample.count, by: 1000) {
            output += try gzip.append(Self.sample[start..<min(start + 1000, Self.sample.count)])
        }
        output += try gzip.finish()
        #expect(Array(output.prefix(2)) == [0x1f, 0x8b])  // gzip magic, RFC 1952
        #expect(try Zlib.decompress(output, maxOutput: Self.sample.count, format: .gzip) == Self.sample)
        #expect(throws: CryptoError.self) { try gzip.append([1]) }
    }

    @Test func gzipStreamOutputDecodesWithGzipTool() throws {
        let gzip = try GzipStream()
        var output = try gzip.append(Self.sample)
        output += try gzip.flush()
        output += try gzip.finish()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-gzip-\(UUID().uuidString).gz")
        try Data(output).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let decoded = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(Array(decoded) == Self.sample)
    }
}
