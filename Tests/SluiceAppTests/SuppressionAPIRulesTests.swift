import Foundation
import SluiceApp
import SluiceCore
import SluiceHTTP
import SluiceTestSupport
import Testing

/// Suppression API rules over a real server on 127.0.0.1 and a temporary SQLite file: imports never weaken
/// a row, both spellings of a quoted local part are one suppression, and query mistakes are 400s.
struct SuppressionAPIRulesTests {
    /// A PUT of the unquoted spelling blocks the quoted one the send API takes, and the other way round.
    @Test func quotedAndUnquotedLocalPartsAreOneSuppression() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let put = try await t.request("PUT", "/v1/suppressions/taro..yamada@docomo.ne.jp", body: #"{"reason":"manual"}"#)
            #expect(put.status == 200)
            let quoted = "%22taro..yamada%22@docomo.ne.jp"
            let get = try await t.request("GET", "/v1/suppressions/\(quoted)")
            #expect(get.status == 200)
            #expect(try SuppressionTestApp.object(get)["address"] as? String == "taro..yamada@docomo.ne.jp")

            let csv = "\"\"\"a..b\"\"@x.example\",complaint\n"
            #expect(try SuppressionTestApp.object(try await t.request("POST", "/v1/suppressions/import?format=csv", body: csv))["imported"] as? Int == 1)
            #expect(try await t.request("GET", "/v1/suppressions/a..b@x.example").status == 200)
            #expect(try await t.app.context.store.suppression(for: "a..b@x.example", scope: nil, at: Date()) != nil)
        }
    }

    /// A weaker, shorter row in an import leaves an active stronger one as it is; an export imported again
    /// changes no count.
    @Test func importsNeverWeakenARowAndReimportingAnExportChangesNothing() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            #expect(try await t.request("PUT", "/v1/suppressions/kept@example.com", body: #"{"reason":"hard_bounce","detail":"mailbox gone"}"#).status == 200)
            let csv = "address,reason,detail,expires_at,count\r\nkept@example.com,soft_bounce_limit,later,2099-01-01T00:00:00Z,4\r\nnew@example.com,complaint,,,2\r\n"
            #expect(try SuppressionTestApp.object(try await t.request("POST", "/v1/suppressions/import?format=csv", body: csv))["imported"] as? Int == 2)
            let kept = try SuppressionTestApp.object(try await t.request("GET", "/v1/suppressions/kept@example.com"))
            #expect(kept["reason"] as? String == "hard_bounce")
            #expect(kept["detail"] as? String == "mailbox gone")
            #expect(kept["expires_at"] is NSNull)
            #expect(kept["count"] as? Int == 4, "the larger count")

            let before = try await t.allStored()
            let export = try await t.request("GET", "/v1/suppressions/export")
            #expect(export.status == 200)
            for _ in 0..<2 {
                let back = try await t.request("POST", "/v1/suppressions/import?format=csv", body: export.bodyText)
                #expect(try SuppressionTestApp.object(back)["imported"] as? Int == before.count)
            }
            #expect(try await t.allStored() == before)
        }
    }

    @Test func anEmptyDomainFilterIs400() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            for query in ["domain=", "domain=%20", "reason=", "since="] {
                let response = try await t.request("GET", "/v1/suppressions?\(query)")
                #expect(response.status == 400, "\(query)")
            }
            let domain = try await t.request("GET", "/v1/suppressions?domain=")
            let error = try #require(try SuppressionTestApp.object(domain)["error"] as? [String: Any])
            #expect(error["code"] as? String == "invalid_query")
            #expect(try await t.request("GET", "/v1/suppressions?domain=example.com").status == 200)
        }
    }

    /// SES keeps one account-wide entry per address: deleting it for a scoped removal is refused.
    @Test func sesRemovalWithAScopeIs400AndChangesNothing() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            #expect(try await t.request("PUT", "/v1/suppressions/s@example.com?scope=news", body: "{}").status == 200)
            let response = try await t.request("DELETE", "/v1/suppressions/s@example.com?ses=true&scope=news")
            #expect(response.status == 400)
            let error = try #require(try SuppressionTestApp.object(response)["error"] as? [String: Any])
            #expect(error["code"] as? String == "invalid_scope")
            #expect((error["message"] as? String)?.contains("cannot be combined with a scope") == true)
            #expect(try await t.request("GET", "/v1/suppressions/s@example.com?scope=news").status == 200, "the row is still there")
            #expect(try await t.request("DELETE", "/v1/suppressions/s@example.com?ses=false&scope=news").status == 204)
        }
    }

    /// `application/json-seq` bodies (RFC 7464: every record starts with RS) import as JSON lines.
    @Test func jsonTextSequencesImport() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let body = "\u{1E}{\"address\":\"seq1@example.com\"}\n\u{1E}{\"address\":\"seq2@example.com\",\"reason\":\"complaint\"}\n"
            let response = try await t.request("POST", "/v1/suppressions/import", body: body, headers: [("Content-Type", "application/json-seq")])
            let report = try SuppressionTestApp.object(response)
            #expect(report["imported"] as? Int == 2, "\(report)")
            #expect(report["rejected"] as? Int == 0)
            #expect(try await t.request("GET", "/v1/suppressions/seq2@example.com").status == 200)
        }
    }

    /// `?spreadsheet=true` prefixes formula-like cells with `'`; the default export stays importable as is.
    @Test func spreadsheetExportNeutralisesFormulas() async throws {
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            #expect(try await t.request("PUT", "/v1/suppressions/=1+2@example.com", body: #"{"detail":"@SUM(A1)"}"#).status == 200)
            let plain = try await t.request("GET", "/v1/suppressions/export").bodyText
            #expect(plain.contains("\r\n=1+2@example.com,=1+2@example.com,,manual,@SUM(A1),"))
            let safe = try await t.request("GET", "/v1/suppressions/export?spreadsheet=true")
            #expect(safe.status == 200)
            #expect(safe.bodyText.contains("\r\n'=1+2@example.com,'=1+2@example.com,,manual,'@SUM(A1),"))
            #expect(try await t.request("GET", "/v1/suppressions/export?spreadsheet=yes").status == 400)
        }
    }
}
