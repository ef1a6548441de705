import Foundation
import Testing
@testable import SluiceCore

/// `Suppression.mergingImport`: an import never shortens or downgrades a suppression, and merges the same
/// however its rows are grouped (chunks, staged runs).
struct SuppressionImportMergeTests {
    static let t0 = Date(timeIntervalSince1970: 1_780_000_000)
    static let expiries: [Date?] = [nil, t0.addingTimeInterval(-3600), t0.addingTimeInterval(86_400), t0.addingTimeInterval(30 * 86_400)]

    static func row(_ reason: SuppressionReason, expires: Date?, count: Int = 1, at offset: TimeInterval = 0, tag: String = "") -> Suppression {
        Suppression(
            address: "a@example.com", originalAddress: "A\(tag)@example.com", reason: reason, detail: "\(reason.rawValue)\(tag)",
            firstSeen: t0.addingTimeInterval(offset), lastSeen: t0.addingTimeInterval(offset + 60), count: count,
            source: "src-\(reason.rawValue)\(tag)", expiresAt: expires)
    }

    @Test func precedenceFollowsTheDocumentedOrder() {
        let order: [SuppressionReason] = [.manual, .hardBounce, .unsubscribed, .complaint, .sesAccount, .softBounceLimit]
        #expect(order.map(\.precedence) == [5, 4, 3, 2, 1, 0])
        #expect(Set(order) == Set(SuppressionReason.allCases))
        #expect(SuppressionReason.allCases.allSatisfy { SuppressionPolicy.rank($0) == $0.precedence })
    }

    @Test func aWeakerShorterImportKeepsTheStoredReasonAndExpiry() {
        let stored = Self.row(.hardBounce, expires: nil, count: 4)
        let imported = Self.row(.softBounceLimit, expires: Self.t0.addingTimeInterval(86_400), count: 2, at: 600, tag: "2")
        let merged = stored.mergingImport(imported)
        #expect(merged.reason == .hardBounce)
        #expect(merged.detail == stored.detail)
        #expect(merged.source == stored.source)
        #expect(merged.expiresAt == nil, "permanent stays permanent")
        #expect(merged.count == 4, "the larger count, not the sum")
        #expect(merged.firstSeen == stored.firstSeen)
        #expect(merged.lastSeen == imported.lastSeen)
        #expect(merged.originalAddress == stored.originalAddress)
    }

    @Test func aStrongerImportWinsAndTheLaterExpiryStays() {
        let stored = Self.row(.complaint, expires: Self.t0.addingTimeInterval(30 * 86_400))
        let imported = Self.row(.manual, expires: Self.t0.addingTimeInterval(86_400), at: -600, tag: "2")
        let merged = stored.mergingImport(imported)
        #expect(merged.reason == .manual)
        #expect(merged.detail == imported.detail)
        #expect(merged.source == imported.source)
        #expect(merged.expiresAt == stored.expiresAt, "never shorter")
        #expect(merged.firstSeen == imported.firstSeen)
        #expect(merged.originalAddress == stored.originalAddress, "the spelling first seen")
    }

    @Test func anEqualReasonTakesTheImportedDetail() {
        let merged = Self.row(.manual, expires: nil).mergingImport(Self.row(.manual, expires: Self.t0, tag: "2"))
        #expect(merged.detail == "manual2")
        #expect(merged.expiresAt == nil)
    }

    /// Re-importing a row (an export imported back) changes nothing.
    @Test func importingARowAgainChangesNothing() {
        for reason in SuppressionReason.allCases {
            for expiry in Self.expiries {
                let row = Self.row(reason, expires: expiry, count: 3)
                #expect(row.mergingImport(row) == row)
            }
        }
    }

    /// Associative over every reason and expiry, so folding a chunk's duplicates first, or several staged
    /// runs at once, gives the row that merging one by one gives.
    @Test func theRuleIsAssociative() {
        var rows: [Suppression] = []
        for (index, reason) in SuppressionReason.allCases.enumerated() {
            for (slot, expiry) in Self.expiries.enumerated() {
                rows.append(Self.row(reason, expires: expiry, count: index + slot, at: Double(index * 7 - slot * 5) * 60, tag: "\(index)\(slot)"))
            }
        }
        for a in rows {
            for b in rows {
                for c in rows.prefix(8) + rows.suffix(8) {
                    #expect(a.mergingImport(b).mergingImport(c) == a.mergingImport(b.mergingImport(c)))
                }
            }
        }
    }

    @Test func laterTreatsNilAsTheLatest() {
        #expect(Suppression.later(nil, Self.t0) == nil)
        #expect(Suppression.later(Self.t0, nil) == nil)
        #expect(Suppression.later(Self.t0, Self.t0.addingTimeInterval(1)) == Self.t0.addingTimeInterval(1))
    }
}

/// RFC 7464 JSON text sequences (`application/json-seq`) read as JSON lines: each record's leading RS goes.
struct JSONTextSequenceTests {
    @Test(arguments: [1, 2, 5, 1000])
    func recordSeparatorsAreDropped(pieceSize: Int) throws {
        let text = "\u{1E}{\"address\":\"a@x.example\"}\n\u{1E}\u{1E}{\"address\":\"b@x.example\",\"reason\":\"manual\"}\r\n\u{1E}\n\u{1E}[1]\n{\"address\":\"c@x.example\"}\n"
        #expect(try ImportRowParserTests.parse(text, .jsonl, pieceSize: pieceSize) == [
            .row(ImportRow(line: 1, address: "a@x.example")),
            .row(ImportRow(line: 2, address: "b@x.example", reason: "manual")),
            .invalid(line: 4, message: "not a JSON object"),
            .row(ImportRow(line: 5, address: "c@x.example")),
        ])
    }
}

/// The spreadsheet export option: cells a spreadsheet would evaluate get a `'` in front.
struct SuppressionCSVSpreadsheetTests {
    @Test(arguments: [
        ("=HYPERLINK(\"x\")@x.example", "'=HYPERLINK(\"x\")@x.example"), ("+1@x.example", "'+1@x.example"),
        ("-1@x.example", "'-1@x.example"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("a=b@x.example", "a=b@x.example"),
        ("", ""), ("'quoted", "'quoted"),
    ])
    func formulaCellsArePrefixed(_ text: String, _ safe: String) {
        #expect(SuppressionCSV.formulaSafe(text) == safe)
    }

    @Test func theDefaultExportIsUnchangedAndTheSpreadsheetOneIsPrefixed() throws {
        let s = Suppression(
            address: "=1+2@x.example", originalAddress: "=1+2@X.example", scope: "", reason: .manual, detail: "-cmd, \"x\"",
            firstSeen: Date(timeIntervalSince1970: 1_700_000_000), source: "@src")
        var plain: [UInt8] = []
        SuppressionCSV.append(s, to: &plain)
        #expect(String(decoding: plain, as: UTF8.self).hasPrefix("=1+2@x.example,=1+2@X.example,,manual,\"-cmd, \"\"x\"\"\","))
        var safe: [UInt8] = []
        SuppressionCSV.append(s, to: &safe, spreadsheet: true)
        let text = String(decoding: safe, as: UTF8.self)
        #expect(text.hasPrefix("'=1+2@x.example,'=1+2@X.example,,manual,\"'-cmd, \"\"x\"\"\","), "\(text)")
        #expect(text.contains(",'@src,"))
    }
}
