import Foundation
import SluiceApp
import SluiceCore
import SluiceCrypto
import SluiceHTTP
import SluiceTestSupport
import Testing

/// End-to-end tests of `/v1/suppressions…` over real sockets and a real SQLite file.
@Suite(.serialized)
struct SuppressionRoutesTests {
    @Test func rejectsMissingOrWrongToken() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            for path in ["/v1/suppressions", "/v1/suppressions/a@example.com", "/v1/suppressions/export", "/v1/addresses/a@example.com/history"] {
                let none = try await t.request("GET", path, token: nil)
                #expect(none.status == 401, "\(path)")
                #expect(none.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
                #expect((try SuppressionTestApp.object(none)["error"] as? [String: Any])?["code"] as? String == "unauthorized")
                let wrong = try await t.request("GET", path, token: "wrong-token")
                #expect(wrong.status == 401, "\(path)")
            }
            let put = try await t.request("PUT", "/v1/suppressions/a@example.com", token: "test-token-0123456788")
            #expect(put.status == 401)
            let stored = try await t.app.context.store.suppression(for: "a@example.com", scope: nil, at: Date())
            #expect(stored == nil)
        }
    }

    @Test func putGetDeleteRoundTrip() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let missing = try await t.request("GET", "/v1/suppressions/jane@example.com")
            #expect(missing.status == 404)

            let put = try await t.request("PUT", "/v1/suppressions/Jane%40Example.COM", body: #"{"reason":"complaint","detail":"asked by phone","expires_at":"2099-01-01T00:00:00+01:00"}"#)
            #expect(put.status == 200)
            let stored = try SuppressionTestApp.object(put)
            #expect(stored["address"] as? String == "jane@example.com")
            #expect(stored["original_address"] as? String == "Jane@Example.COM")
            #expect(stored["reason"] as? String == "complaint")
            #expect(stored["detail"] as? String == "asked by phone")
            #expect(stored["expires_at"] as? String == "2098-12-31T23:00:00.000Z")
            #expect(stored["source"] as? String == "operator:api")
            #expect(stored["scope"] as? String == "")

            let get = try await t.request("GET", "/v1/suppressions/JANE@example.com")
            #expect(get.status == 200)
            #expect(try SuppressionTestApp.object(get)["reason"] as? String == "complaint")

            // PUT without a body: defaults to manual, never expires, replaces the row.
            let bare = try await t.request("PUT", "/v1/suppressions/jane@example.com")
            #expect(bare.status == 200)
            let replaced = try SuppressionTestApp.object(bare)
            #expect(replaced["reason"] as? String == "manual")
            #expect(replaced["expires_at"] is NSNull)

            let delete = try await t.request("DELETE", "/v1/suppressions/jane@example.com")
            #expect(delete.status == 204)
            #expect(delete.body.isEmpty)
            let again = try await t.request("DELETE", "/v1/suppressions/jane@example.com")
            #expect(again.status == 404)
            #expect(try await t.request("GET", "/v1/suppressions/jane@example.com").status == 404)
        }
    }

    @Test func scopedSuppressionsAreSeparate() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t async throws in
            #expect(try await t.request("PUT", "/v1/suppressions/a@example.com?scope=news", body: #"{"reason":"unsubscribed"}"#).status == 200)
            #expect(try await t.request("GET", "/v1/suppressions/a@example.com").status == 404)
            #expect(try await t.request("GET", "/v1/suppressions/a@example.com?scope=news/weekly").status == 200)
            #expect(try await t.request("DELETE", "/v1/suppressions/a@example.com").status == 404)
            #expect(try await t.request("DELETE", "/v1/suppressions/a@example.com?scope=news").status == 204)
        }
    }

    @Test(arguments: [
        ("PUT", "/v1/suppressions/not-an-address", "", "invalid_address"),
        ("GET", "/v1/suppressions/a%20b@@example.com", "", "invalid_address"),
        ("DELETE", "/v1/suppressions/nobody", "", "invalid_address"),
        ("PUT", "/v1/suppressions/a@example.com", #"{"reason":"spam"}"#, "invalid_reason"),
        ("PUT", "/v1/suppressions/a@example.com", #"{"expires_at":"tomorrow"}"#, "invalid_expiry"),
        ("PUT", "/v1/suppressions/a@example.com", #"{"expires_at":"2001-01-01T00:00:00Z"}"#, "invalid_expiry"),
        ("PUT", "/v1/suppressions/a@example.com", #"{"colour":"red"}"#, "invalid_body"),
        ("PUT", "/v1/suppressions/a@example.com", #"["manual"]"#, "invalid_body"),
        ("PUT", "/v1/suppressions/a@example.com?scope=a%20b", "", "invalid_scope"),
        ("GET", "/v1/suppressions?limit=0", "", "invalid_query"),
        ("GET", "/v1/suppressions?limit=1001", "", "invalid_query"),
        ("GET", "/v1/suppressions?cursor=%%%", "", "invalid_query"),
        ("GET", "/v1/suppressions?since=yesterday", "", "invalid_query"),
        ("GET", "/v1/suppressions?reason=bounce", "", "invalid_reason"),
        ("GET", "/v1/addresses/nobody/history", "", "invalid_address"),
        ("POST", "/v1/suppressions/import?format=xml", "a@example.com", "invalid_format"),
        ("POST", "/v1/suppressions/import", "address,colour\na@example.com,red", "invalid_format"),
        // Found by schemathesis: a parameter given but empty is refused, not taken as "no filter".
        ("GET", "/v1/suppressions?since=", "", "invalid_query"),
        ("GET", "/v1/suppressions?cursor=", "", "invalid_query"),
        ("GET", "/v1/suppressions?reason=", "", "invalid_reason"),
        ("GET", "/v1/suppressions?limit=", "", "invalid_query"),
        ("GET", "/v1/suppressions?limit=5&limit=x", "", "invalid_query"),
        ("GET", "/v1/addresses/a@example.com/history?limit=1&limit=2", "", "invalid_query"),
        ("PUT", "/v1/suppressions/a@example.com", #"{"expires_at":""}"#, "invalid_expiry"),
        ("PUT", "/v1/suppressions/a@example.com", #"{"reason":""}"#, "invalid_reason"),
        ("PUT", "/v1/suppressions/a@example.com?scope=caf%C3%A9", "", "invalid_scope"),
        ("PUT", "/v1/suppressions/export", "", "method_not_allowed"),
    ])
    func rejectsInvalidInputWith400(method: String, path: String, body: String, code: String) async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let response = try await t.request(method, path, body: body)
            #expect(response.status == (code == "method_not_allowed" ? 405 : 400))
            #expect((try SuppressionTestApp.object(response)["error"] as? [String: Any])?["code"] as? String == code)
        }
    }

    @Test func detailLongerThanTheCapIsRejected() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let long = String(repeating: "x", count: SuppressionService.maxDetailLength + 1)
            let response = try await t.request("PUT", "/v1/suppressions/a@example.com", body: #"{"detail":"\#(long)"}"#)
            #expect(response.status == 400)
            let ok = try await t.request("PUT", "/v1/suppressions/a@example.com", body: #"{"detail":"\#(long.dropLast())"}"#)
            #expect(ok.status == 200)
            // Code points, as the API document's maxLength counts: 501 characters of an "e" and a combining accent
            // are 1,002.
            let combining = String(repeating: "e\u{301}", count: SuppressionService.maxDetailLength / 2 + 1)
            let accents = try await t.request("PUT", "/v1/suppressions/a@example.com", body: #"{"detail":"\#(combining)"}"#)
            #expect(accents.status == 400)
        }
    }

    @Test func paginationIsStableWhileRowsAreAdded() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let store = t.app.context.store
            let now = Date()
            let initial = (0..<250).map { Suppression(address: String(format: "u%04d@example.com", $0 * 2), reason: .hardBounce, firstSeen: now, source: "test") }
            _ = try await store.importBatch(initial)
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = "/v1/suppressions?limit=40" + (cursor.map { "&cursor=\($0)" } ?? "")
                let response = try await t.request("GET", query)
                #expect(response.status == 200)
                let object = try SuppressionTestApp.object(response)
                let rows = try #require(object["suppressions"] as? [[String: Any]])
                seen += rows.compactMap { $0["address"] as? String }
                cursor = object["next_cursor"] as? String
                // Between pages, insert rows both before and after the cursor.
                let added = (0..<10).map { k in Suppression(address: String(format: "u%04d@example.com", pages * 20 + k * 2 + 1), reason: .complaint, firstSeen: now, source: "test") }
                _ = try await store.importBatch(added)
                pages += 1
            } while cursor != nil && pages < 100
            #expect(cursor == nil)
            #expect(seen == seen.sorted(), "pages continue in key order")
            #expect(Set(seen).count == seen.count, "no row is returned twice")
            #expect(Set(initial.map(\.address)).isSubset(of: Set(seen)), "no pre-existing row is skipped")
        }
    }

    @Test func listFiltersByReasonDomainAndSince() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let old = Date(timeIntervalSince1970: 1_700_000_000)
            let recent = Date()
            _ = try await t.app.context.store.importBatch([
                Suppression(address: "a@one.example", reason: .hardBounce, firstSeen: old, source: "t"),
                Suppression(address: "b@two.example", reason: .complaint, firstSeen: recent, source: "t"),
                Suppression(address: "c@two.example", reason: .hardBounce, firstSeen: recent, source: "t"),
                Suppression(address: "d@two.example", reason: .hardBounce, firstSeen: old, source: "t", expiresAt: old.addingTimeInterval(60)),
            ])
            func addresses(_ query: String) async throws -> [String] {
                let response = try await t.request("GET", "/v1/suppressions?\(query)")
                #expect(response.status == 200)
                return try #require(try SuppressionTestApp.object(response)["suppressions"] as? [[String: Any]]).compactMap { $0["address"] as? String }
            }
            #expect(try await addresses("") == ["a@one.example", "b@two.example", "c@two.example"])
            #expect(try await addresses("reason=hard_bounce") == ["a@one.example", "c@two.example"])
            #expect(try await addresses("domain=TWO.example") == ["b@two.example", "c@two.example"])
            #expect(try await addresses("since=2024-01-01T00:00:00Z") == ["b@two.example", "c@two.example"])
        }
    }

    @Test func importKeepsGoodRowsAndReportsBadOnesByLine() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let csv = """
                address,reason,detail,expires_at
                good1@example.com,hard_bounce,,
                not-an-address,manual,,
                "Good2@Example.com",complaint,"said ""stop"", twice",2099-01-01T00:00:00Z
                good3@example.com,bogus,,
                good4@example.com,,"multi
                line",
                good5@example.com,manual,,next tuesday
                "broken@example.com,manual
                """
            let response = try await t.request("POST", "/v1/suppressions/import?format=csv", body: csv, headers: [("Content-Type", "text/csv")])
            #expect(response.status == 200)
            let report = try SuppressionTestApp.object(response)
            #expect(report["imported"] as? Int == 3)
            #expect(report["rejected"] as? Int == 4)
            let errors = try #require(report["errors"] as? [[String: Any]])
            #expect(errors.compactMap { $0["line"] as? Int } == [3, 5, 8, 9])
            let stored = try await t.allStored()
            #expect(stored.map(\.address) == ["good1@example.com", "good2@example.com", "good4@example.com"])
            #expect(stored[1].detail == #"said "stop", twice"#)
            #expect(stored[1].originalAddress == "Good2@Example.com")
            #expect(stored[1].reason == .complaint)
            #expect(stored[2].detail == "multi\nline")
            #expect(stored[2].reason == .manual)
        }
    }

    /// Rows of one key merge without weakening: the higher-precedence reason with its detail, the larger
    /// count; between equal reasons the later row's detail.
    @Test func duplicateRowsMergeWithoutWeakening() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let csv = "z@example.com,hard_bounce,first\na@example.com,manual\nZ@example.com,complaint,later\nA@example.com,manual,again\n"
            let response = try await t.request("POST", "/v1/suppressions/import?format=csv", body: csv)
            #expect(try SuppressionTestApp.object(response)["imported"] as? Int == 4)
            let stored = try await t.allStored()
            #expect(stored.map(\.address) == ["a@example.com", "z@example.com"])
            #expect(stored[1].reason == .hardBounce)
            #expect(stored[1].detail == "first")
            #expect(stored[1].count == 1)
            #expect(stored[1].originalAddress == "z@example.com", "the spelling first seen is kept")
            #expect(stored[0].detail == "again")
        }
    }

    @Test func importsJSONLines() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let body = """
                {"address":"a@example.com","reason":"unsubscribed","scope":"news"}
                {"address":"b@example.com","detail":null}

                {"address":"c@example.com","reason":7}
                not json
                """
            let response = try await t.request("POST", "/v1/suppressions/import", body: body, headers: [("Content-Type", "application/x-ndjson")])
            #expect(response.status == 200)
            let report = try SuppressionTestApp.object(response)
            #expect(report["imported"] as? Int == 2)
            #expect(report["rejected"] as? Int == 2)
            #expect((report["errors"] as? [[String: Any]])?.compactMap { $0["line"] as? Int } == [4, 5])
            let stored = try await t.allStored()
            #expect(stored.map(\.scope) == ["news", ""])
        }
    }

    @Test func importRejectsCountsAboveTheCapAndTheAddressStaysReadable() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let csv = "address,count\novf@example.com,9223372036854775807\novf@example.com,1000000001\novf@example.com,1000000000\n"
            let first = try SuppressionTestApp.object(try await t.request("POST", "/v1/suppressions/import?format=csv", body: csv))
            #expect(first["imported"] as? Int == 1)
            #expect((first["errors"] as? [[String: Any]])?.compactMap { $0["line"] as? Int } == [2, 3])
            #expect((first["errors"] as? [[String: Any]])?.first?["message"] as? String == "count must be an integer from 0 to 1000000000")
            let jsonl = """
                {"address":"ovf@example.com","count":1}
                {"address":"ovf@example.com","count":true}
                {"address":"ovf@example.com","count":1.5}
                {"address":"ovf@example.com","count":9223372036854775807}
                {"address":"ovf@example.com","count":1e30}
                {"address":"ovf@example.com","count":2.0}
                """
            let second = try SuppressionTestApp.object(try await t.request("POST", "/v1/suppressions/import?format=jsonl", body: jsonl))
            #expect(second["imported"] as? Int == 2)
            #expect((second["errors"] as? [[String: Any]])?.compactMap { $0["line"] as? Int } == [2, 3, 4, 5])
            let response = try await t.request("GET", "/v1/suppressions/ovf@example.com")
            #expect(response.status == 200)
            // Imports keep the larger count (an import restates a row, it adds no events).
            #expect(try SuppressionTestApp.object(response)["count"] as? Int == 1_000_000_000)
        }
    }

    @Test func importStripsAByteOrderMark() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let plain = try SuppressionTestApp.object(try await t.request("POST", "/v1/suppressions/import?format=csv", body: "\u{FEFF}bom3@example.com,manual\r\n"))
            #expect(plain["imported"] as? Int == 1)
            #expect(try await t.request("GET", "/v1/suppressions/bom3@example.com").status == 200)
            let header = "\u{FEFF}address,reason\r\nbom4@example.com,complaint\r\n"
            let headed = try SuppressionTestApp.object(try await t.request("POST", "/v1/suppressions/import?format=csv", body: header))
            #expect(headed["imported"] as? Int == 1)
            #expect(headed["rejected"] as? Int == 0)
            let lines = "\u{FEFF}{\"address\":\"bom5@example.com\"}\n"
            #expect(try SuppressionTestApp.object(try await t.request("POST", "/v1/suppressions/import?format=jsonl", body: lines))["imported"] as? Int == 1)
            for address in ["bom4@example.com", "bom5@example.com"] {
                #expect(try await t.request("GET", "/v1/suppressions/\(address)").status == 200, "\(address)")
            }
        }
    }

    @Test func largeStreamedImportCommitsEveryRow() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            // 50k rows keeps the debug-build suite quick; SLUICE_TEST_IMPORT_ROWS=200000 runs the full size.
            let perPiece = 2000
            let requested = ProcessInfo.processInfo.environment["SLUICE_TEST_IMPORT_ROWS"].flatMap { Int($0) } ?? 50_000
            let rows = max(perPiece, requested / perPiece * perPiece)
            let port = t.app.port
            let result = try await Task.detached {
                try ChunkedUpload.post(port: port, path: "/v1/suppressions/import?format=csv", token: SuppressionTestApp.token, contentType: "text/csv", pieces: rows / perPiece) { piece in
                    var out: [UInt8] = []
                    out.reserveCapacity(perPiece * 40)
                    for i in piece * perPiece..<(piece + 1) * perPiece {
                        out += Array("bulk\(i)@d\(i % 97).example.com,hard_bounce\n".utf8)
                    }
                    // One bad row per piece, to exercise the capped error list.
                    out += Array("bad-row-\(piece)\n".utf8)
                    return out
                }
            }.value
            #expect(result.status == 200)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any])
            #expect(report["imported"] as? Int == rows)
            #expect(report["rejected"] as? Int == rows / perPiece)
            #expect((report["errors"] as? [Any])?.count == min(SuppressionImport.maxReportedErrors, rows / perPiece))
            let counts = try await t.app.context.store.counts(byReason: Date())
            #expect(counts[.hardBounce] == rows)
            let last = rows - 1
            #expect(try await t.app.context.store.suppression(for: "bulk\(last)@d\(last % 97).example.com", scope: nil, at: Date()) != nil)
            #expect(try await t.app.context.store.suppression(for: "bulk\(rows)@d\(rows % 97).example.com", scope: nil, at: Date()) == nil)
        }
    }

    @Test func exportRoundTripsTheStore() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let now = Date(timeIntervalSince1970: 1_780_000_000.123)
            let rows = (0..<12_000).map { i in
                Suppression(
                    address: "r\(i)@example.com", originalAddress: "R\(i)@Example.com", scope: i % 7 == 0 ? "list/topic" : "",
                    reason: SuppressionReason.allCases[i % 6], detail: i % 5 == 0 ? "d, \"quoted\"\nline \(i)" : nil,
                    firstSeen: now, lastSeen: now.addingTimeInterval(Double(i)), count: i % 4 + 1, source: "src-\(i)",
                    expiresAt: i % 9 == 0 ? Date(timeIntervalSince1970: 4_000_000_000.5) : nil
                )
            }
            for start in stride(from: 0, to: rows.count, by: 5000) {
                _ = try await t.app.context.store.importBatch(Array(rows[start..<min(start + 5000, rows.count)]))
            }
            let stored = try await t.allStored()
            #expect(stored.count == rows.count)

            let plain = try await t.request("GET", "/v1/suppressions/export")
            #expect(plain.status == 200)
            #expect(plain.headers["content-type"]?.hasPrefix("text/csv") == true)
            #expect(plain.headers["content-encoding"] == nil)
            let parsed = try Self.parseExport(plain.body)
            #expect(parsed == stored)

            let gzipped = try await t.request("GET", "/v1/suppressions/export", headers: [("Accept-Encoding", "br, gzip;q=0.8")])
            #expect(gzipped.status == 200)
            #expect(gzipped.headers["content-encoding"] == "gzip")
            #expect(gzipped.body.count < plain.body.count / 2)
            let inflated = try Zlib.decompress(gzipped.body, maxOutput: 64 << 20, format: .gzip)
            #expect(inflated == plain.body)

            // And the export imports back into an empty store unchanged.
            let u = try SuppressionTestApp()
            try await withFixture(u) { u in
                let back = try await u.request("POST", "/v1/suppressions/import?format=csv", body: plain.bodyText)
                #expect(back.status == 200)
                #expect(try SuppressionTestApp.object(back)["imported"] as? Int == rows.count)
                #expect(try await u.allStored() == stored)
            }
        }
    }

    @Test func historyShowsIngestedEventsAndSuppressions() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let context = t.app.context
            // Recent: the app's maintenance pass purges history past policy.history_retention_days.
            let at = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 3600).rounded(.down))
            let message = InboundMessage(messageId: "sns-1", type: "Notification", topicArn: "arn:aws:sns:eu-west-1:123456789012:ses", timestamp: at, receivedAt: at, endpoint: "default", rawCompressed: [])
            let events = [
                RecipientEvent(kind: .delivery, address: "h@example.com", sesMessageId: "ses-1", timestamp: at, identity: "example.com"),
                RecipientEvent(kind: .hardBounce, address: "h@example.com", originalAddress: "H@example.com", sesMessageId: "ses-2", timestamp: at.addingTimeInterval(60), identity: "example.com", subtype: "General", detail: "550 5.1.1"),
            ]
            _ = try await context.store.ingest(message, events: events, policy: context.policy)
            let response = try await t.request("GET", "/v1/addresses/H%40Example.com/history?limit=10")
            #expect(response.status == 200)
            let object = try SuppressionTestApp.object(response)
            #expect(object["address"] as? String == "h@example.com")
            let entries = try #require(object["entries"] as? [[String: Any]])
            #expect(entries.compactMap { $0["kind"] as? String } == ["hard_bounce", "delivery"])
            #expect(entries.first?["ses_message_id"] as? String == "ses-2")
            #expect(entries.first?["subtype"] as? String == "General")
            #expect(entries.first?["source"] as? String == "sns-1")
            let suppressions = try #require(object["suppressions"] as? [[String: Any]])
            #expect(suppressions.compactMap { $0["reason"] as? String } == ["hard_bounce"])
            let limited = try SuppressionTestApp.object(try await t.request("GET", "/v1/addresses/h@example.com/history?limit=1"))
            #expect((limited["entries"] as? [Any])?.count == 1)
        }
    }

    /// Parses an export body back into suppressions with the core CSV parser.
    static func parseExport(_ body: [UInt8]) throws -> [Suppression] {
        func date(_ text: String?) throws -> Date {
            guard let date = RFC3339.parse(text ?? "") else { throw TestFailure("bad date \(text ?? "nil")") }
            return date
        }
        var parser = SuppressionRowParser(format: .csv)
        let results = try parser.feed(body) + parser.finish()
        return try results.map { result in
            guard case .row(let r) = result else { throw TestFailure("unexpected \(result)") }
            return Suppression(
                address: r.address, originalAddress: r.originalAddress, scope: r.scope ?? "",
                reason: try #require(SuppressionReason(rawValue: r.reason ?? "")), detail: r.detail,
                firstSeen: try date(r.firstSeen), lastSeen: try date(r.lastSeen),
                count: try #require(Int(r.count ?? "")), source: r.source ?? "", expiresAt: r.expiresAt.flatMap(RFC3339.parse)
            )
        }
    }
}
