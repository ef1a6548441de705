import Testing
@testable import SluiceHTTP

/// The shared header strings must be exactly what decoding the bytes gives, case and all.
struct HeaderTextTableTests {
    static func decode(_ table: HeaderTextTable, _ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { table.string($0) }
    }

    @Test(arguments: [
        "x-amz-sns-message-type", "X-AMZ-SNS-MESSAGE-TYPE", "x-amz-sns-message-typ", "x-amz-sns-message-typE",
        "Content-Type", "content-Type", "text/plain; charset=UTF-8", "text/plain; charset=utf-8", "Notification",
        "notification", "", "a", "Host", "HOST", "Amazon Simple Notification Service Agent", "close ", "ké", "true",
    ])
    func matchesDecodingByteForByte(_ text: String) {
        let bytes = Array(text.utf8)
        let shared = Self.decode(.common, bytes)
        #expect(shared == String(decoding: bytes, as: UTF8.self))
        #expect(Array(shared.utf8) == bytes)
    }

    @Test func repairsInvalidUTF8AsDecodingDoes() {
        for bytes: [UInt8] in [[0xFF], [0x74, 0x72, 0x75, 0xC3], [0xE2, 0x82], Array("true".utf8) + [0x80]] {
            #expect(Self.decode(.common, bytes) == String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func aCustomTableKeepsEachTextOnce() {
        let table = HeaderTextTable(["abc", "abc", "abd", "x"])
        #expect(Self.decode(table, Array("abd".utf8)) == "abd")
        #expect(Self.decode(table, Array("abe".utf8)) == "abe")
        #expect(Self.decode(table, Array("longer than any".utf8)) == "longer than any")
    }
}
