import Testing
@testable import SluiceCore

/// The run-at-once CSV scanner against the byte-wise state machine it fronts.
struct CSVRecordReaderTests {
    /// All records of `bytes` fed in pieces of the given sizes (run-at-once path).
    static func records(_ bytes: [UInt8], pieces: [Int], maxRecordBytes: Int) -> [CSVRecordReader.Record] {
        var reader = CSVRecordReader(maxRecordBytes: maxRecordBytes)
        var out: [CSVRecordReader.Record] = []
        var start = 0
        var k = 0
        while start < bytes.count {
            let end = min(bytes.count, start + max(1, pieces[k % pieces.count]))
            reader.feed(Array(bytes[start..<end])) { out.append($0) }
            start = end
            k += 1
        }
        reader.finish { out.append($0) }
        return out
    }

    /// All records of `bytes` through `consume` alone.
    static func reference(_ bytes: [UInt8], maxRecordBytes: Int) -> [CSVRecordReader.Record] {
        var reader = CSVRecordReader(maxRecordBytes: maxRecordBytes)
        var out: [CSVRecordReader.Record] = []
        reader.feedBytewise(bytes) { out.append($0) }
        reader.finish { out.append($0) }
        return out
    }

    @Test func runsAtOnceMatchTheByteWiseReaderOnRandomInput() {
        // Bytes that matter to the state machine, plus ASCII runs, UTF-8 (valid and broken) and spaces.
        let alphabet: [[UInt8]] = [
            [0x2C], [0x22], [0x0D], [0x0A], [0x0D, 0x0A], [0x22, 0x22], [0x20], [0x09], Array("ab".utf8),
            Array("Jane.Doe@Example.com".utf8), Array("é".utf8), [0xE2, 0x82], [0xFF], [0x2D], [0x2E], [0x00],
        ]
        var state: UInt64 = 0xD1B5_4A32_D192_ED03
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var records = 0
        for round in 0..<4000 {
            var bytes: [UInt8] = []
            for _ in 0..<next(60) { bytes += alphabet[next(alphabet.count)] }
            let maxRecordBytes = [4, 9, 17, 64, 64 * 1024][round % 5]
            let pieces = (0..<4).map { _ in 1 + next(12) }
            let expected = Self.reference(bytes, maxRecordBytes: maxRecordBytes)
            let got = Self.records(bytes, pieces: pieces, maxRecordBytes: maxRecordBytes)
            #expect(got == expected, "input \(bytes), limit \(maxRecordBytes), pieces \(pieces)")
            records += expected.count
            if got != expected { break }
        }
        // The generator produced real work (not only blank input).
        #expect(records > 10_000)
    }

    @Test func longRecordsAreReportedAtTheLimitWhicheverPathReadsThem() {
        let line = Array(("a@example.com," + String(repeating: "x", count: 100) + "\n").utf8)
        let got = Self.records(line + line, pieces: [7, 300], maxRecordBytes: 50)
        #expect(got == [.invalid(line: 1, message: "record longer than 50 bytes"), .invalid(line: 2, message: "record longer than 50 bytes")])
        #expect(got == Self.reference(line + line, maxRecordBytes: 50))
    }

    @Test func quotedLineBreaksAdvanceLineNumbers() {
        let text = Array("\"a\nb\",x\r\nc@example.com,\"q\"\"q\"\n".utf8)
        let got = Self.records(text, pieces: [3], maxRecordBytes: 1024)
        #expect(got == [.fields(line: 1, ["a\nb", "x"]), .fields(line: 3, ["c@example.com", "q\"q"])])
    }

    @Test func nonASCIIFieldsAreValidated() {
        #expect(Self.records(Array("é@example.com,x\n".utf8), pieces: [100], maxRecordBytes: 1024) == [.fields(line: 1, ["é@example.com", "x"])])
        #expect(Self.records([0x61, 0xFF, 0x2C, 0x62, 0x0A], pieces: [100], maxRecordBytes: 1024) == [.invalid(line: 1, message: "field is not valid UTF-8")])
    }

    /// Bare CR line ends (old Mac exports): each CR ends a record; a CRLF still ends only one; a CR inside
    /// quotes is data.
    @Test func bareCarriageReturnsEndRecords() {
        let text = Array("address,reason\ra@example.com,manual\r\rb@example.com,\"x\ry\"\r\nc@example.com,z\r".utf8)
        let expected: [CSVRecordReader.Record] = [
            .fields(line: 1, ["address", "reason"]), .fields(line: 2, ["a@example.com", "manual"]),
            .fields(line: 4, ["b@example.com", "x\ry"]), .fields(line: 5, ["c@example.com", "z"]),
        ]
        for pieces in [[1], [2], [3], [100]] {
            #expect(Self.records(text, pieces: pieces, maxRecordBytes: 1024) == expected, "pieces \(pieces)")
        }
        #expect(Self.reference(text, maxRecordBytes: 1024) == expected)
    }
}
