import Foundation
import Testing
@testable import SluiceCore

struct ImportRowParserTests {
    static func parse(_ text: String, _ format: ImportFormat = .csv, pieceSize: Int? = nil) throws -> [ImportRowResult] {
        var parser = SuppressionRowParser(format: format, maxRecordBytes: 256)
        let bytes = Array(text.utf8)
        var results: [ImportRowResult] = []
        let step = pieceSize ?? max(bytes.count, 1)
        for start in stride(from: 0, to: bytes.count, by: step) {
            results += try parser.feed(Array(bytes[start..<min(start + step, bytes.count)]))
        }
        return results + (try parser.finish())
    }

    static let tricky = "address,detail,reason\r\n\"a@x.example\",\"one, \"\"two\"\"\r\nthree\",hard_bounce\r\n\r\nb@x.example,,\n\"c@x.example\"x,,\nd@x.example,plain"

    @Test func parsesRFC4180QuotingAcrossLines() throws {
        let results = try Self.parse(Self.tricky)
        #expect(results == [
            .row(ImportRow(line: 2, address: "a@x.example", reason: "hard_bounce", detail: "one, \"two\"\r\nthree")),
            .row(ImportRow(line: 5, address: "b@x.example")),
            .invalid(line: 6, message: "characters after a closing quote"),
            .row(ImportRow(line: 7, address: "d@x.example", detail: "plain")),
        ])
    }

    @Test func resultsDoNotDependOnHowTheStreamIsCut() throws {
        let whole = try Self.parse(Self.tricky)
        for size in 1...9 {
            #expect(try Self.parse(Self.tricky, pieceSize: size) == whole, "pieces of \(size)")
        }
    }

    @Test func headerlessFilesArePositional() throws {
        let results = try Self.parse("a@x.example,complaint,note,2030-01-01T00:00:00Z\nb@x.example\nc@x.example,manual,n,2030-01-01T00:00:00Z,extra\n")
        #expect(results == [
            .row(ImportRow(line: 1, address: "a@x.example", reason: "complaint", detail: "note", expiresAt: "2030-01-01T00:00:00Z")),
            .row(ImportRow(line: 2, address: "b@x.example")),
            .invalid(line: 3, message: "5 fields, expected at most 4"),
        ])
    }

    @Test func unknownHeaderColumnIsAFormatError() throws {
        let error = #expect(throws: ImportFormatError.self) { try Self.parse("address,colour\na@x.example,red\n") }
        #expect(error?.code == .unknownColumn)
        let duplicate = #expect(throws: ImportFormatError.self) { try Self.parse("address,reason,reason\n") }
        #expect(duplicate?.code == .duplicateColumn)
    }

    @Test func boundsRecordsAndReportsOpenQuotes() throws {
        let long = "a@x.example," + String(repeating: "y", count: 300) + "\nb@x.example\n\"c@x.example,\nd"
        let results = try Self.parse(long)
        #expect(results == [
            .invalid(line: 1, message: "record longer than 256 bytes"),
            .row(ImportRow(line: 2, address: "b@x.example")),
            .invalid(line: 3, message: "unterminated quoted field"),
        ])
    }

    @Test func rejectsInvalidUTF8AndStrayQuotes() throws {
        var parser = SuppressionRowParser(format: .csv)
        let results = try parser.feed([0x61, 0xFF, 0x40, 0x78, 0x0A] + Array("a\"b@x.example\n".utf8)) + parser.finish()
        #expect(results == [.invalid(line: 1, message: "field is not valid UTF-8"), .invalid(line: 2, message: "quote inside an unquoted field")])
    }

    @Test func parsesJSONLines() throws {
        let text = """
            {"address":"a@x.example","reason":"complaint","count":3,"expires_at":null}

            {"address":"b@x.example","colour":"red"}
            {"reason":"manual"}
            [1,2]
            {"address":"c@x.example","detail":5}\r
            {"address":"d@x.example"}
            """
        #expect(try Self.parse(text, .jsonl, pieceSize: 7) == [
            .row(ImportRow(line: 1, address: "a@x.example", reason: "complaint", count: "3")),
            .invalid(line: 3, message: "unknown field 'colour'"),
            .invalid(line: 4, message: "address is missing"),
            .invalid(line: 5, message: "not a JSON object"),
            .invalid(line: 6, message: "field 'detail' must be a string"),
            .row(ImportRow(line: 7, address: "d@x.example")),
        ])
    }

    /// A leading UTF-8 byte order mark is dropped in both formats, however the chunks split it; one
    /// anywhere else stays data (and fails as an address later).
    @Test(arguments: [1, 2, 3, 4, 100])
    func dropsALeadingByteOrderMark(pieceSize: Int) throws {
        #expect(try Self.parse("\u{FEFF}bom3@example.com,manual\r\n", pieceSize: pieceSize) == [
            .row(ImportRow(line: 1, address: "bom3@example.com", reason: "manual")),
        ])
        #expect(try Self.parse("\u{FEFF}address,reason\r\nbom4@example.com,complaint\r\n", pieceSize: pieceSize) == [
            .row(ImportRow(line: 2, address: "bom4@example.com", reason: "complaint")),
        ])
        #expect(try Self.parse("\u{FEFF}{\"address\":\"bom5@example.com\"}\n", .jsonl, pieceSize: pieceSize) == [
            .row(ImportRow(line: 1, address: "bom5@example.com")),
        ])
        #expect(try Self.parse("a@x.example\n\u{FEFF}b@x.example\n", pieceSize: pieceSize) == [
            .row(ImportRow(line: 1, address: "a@x.example")), .row(ImportRow(line: 2, address: "\u{FEFF}b@x.example")),
        ])
    }

    @Test func jsonCountsMustBeIntegers() throws {
        let text = """
            {"address":"a@x.example","count":7}
            {"address":"a@x.example","count":true}
            {"address":"a@x.example","count":false}
            {"address":"a@x.example","count":1.5}
            {"address":"a@x.example","count":2.0}
            {"address":"a@x.example","count":9223372036854775807}
            {"address":"a@x.example","count":1e30}
            """
        #expect(try Self.parse(text, .jsonl) == [
            .row(ImportRow(line: 1, address: "a@x.example", count: "7")),
            .invalid(line: 2, message: "field 'count' must be an integer"),
            .invalid(line: 3, message: "field 'count' must be an integer"),
            .invalid(line: 4, message: "field 'count' must be an integer"),
            .row(ImportRow(line: 5, address: "a@x.example", count: "2")),
            .row(ImportRow(line: 6, address: "a@x.example", count: "9223372036854775807")),
            .row(ImportRow(line: 7, address: "a@x.example", count: "1e+30")),
        ])
    }

    @Test func boundsJSONLines() throws {
        let text = "{\"address\":\"" + String(repeating: "a", count: 300) + "@x.example\"}\n{\"address\":\"b@x.example\"}"
        #expect(try Self.parse(text, .jsonl, pieceSize: 50) == [.invalid(line: 1, message: "line too long"), .row(ImportRow(line: 2, address: "b@x.example"))])
    }

    /// Regression (fuzz target suppression-import): with two unknown fields the reported one
    /// depended on the Dictionary's per-instance order; now the first in sorted order, every time.
    @Test func jsonLineVerdictDoesNotDependOnFieldOrder() throws {
        let line = "{\"address\":\"a@b.c\",\"zeta\":1,\"first_seej\":\"x\",\"detcil\":\"y\",\"beta\":2}\n"
        for _ in 0..<20 {
            #expect(try Self.parse(line, .jsonl, pieceSize: 7) == [.invalid(line: 1, message: "unknown field 'beta'")])
        }
    }

    @Test func exportCSVParsesBack() throws {
        let s = Suppression(
            address: "a@x.example", originalAddress: " A@x.example", scope: "l/t", reason: .softBounceLimit, detail: "x,\"y\"\nz",
            firstSeen: Date(timeIntervalSince1970: 1_700_000_000.25), count: 4, source: "sns-1", expiresAt: Date(timeIntervalSince1970: 1_800_000_000)
        )
        var bytes = Array(SuppressionCSV.header.utf8)
        SuppressionCSV.append(s, to: &bytes)
        var parser = SuppressionRowParser(format: .csv)
        let results = try parser.feed(bytes) + parser.finish()
        #expect(results == [.row(ImportRow(
            line: 2, address: "a@x.example", reason: "soft_bounce_limit", detail: "x,\"y\"\nz", expiresAt: "2027-01-15T08:00:00.000Z",
            scope: "l/t", originalAddress: " A@x.example", firstSeen: "2023-11-14T22:13:20.250Z", lastSeen: "2023-11-14T22:13:20.250Z",
            count: "4", source: "sns-1"
        ))])
    }
}
