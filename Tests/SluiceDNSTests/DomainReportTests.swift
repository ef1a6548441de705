import Foundation
import Testing

@testable import SluiceDNS

struct DomainReportTests {
    static let report = DomainReport(
        domain: "example.com",
        checks: [
            CheckResult(id: "spf.record", status: .pass, found: "v=spf1 include:amazonses.com ~all", message: "one valid SPF record at example.com"),
            CheckResult(
                id: "dkim.tok1", status: .fail, message: "tok1._domainkey.example.com does not exist",
                fix: "CNAME tok1._domainkey.example.com tok1.dkim.amazonses.com"),
            CheckResult(id: "dmarc.policy", status: .warn, found: "v=DMARC1; p=none", message: "p=none: monitoring only"),
            CheckResult(id: "mailfrom.mx", status: .error, message: "temporary DNS error, try again later: no answer"),
        ])

    @Test func rendersOneLinePerCheckWithFixes() {
        #expect(
            Self.report.renderText() == """
                PASS  spf.record  one valid SPF record at example.com
                FAIL  dkim.tok1  tok1._domainkey.example.com does not exist
                  fix: CNAME tok1._domainkey.example.com tok1.dkim.amazonses.com
                WARN  dmarc.policy  p=none: monitoring only
                ERROR mailfrom.mx  temporary DNS error, try again later: no answer
                example.com: 1 pass, 1 warn, 1 fail, 1 error

                """)
    }

    @Test func encodesStableJSONFieldNames() throws {
        let data = Data(try Self.report.renderJSON().utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["domain", "checks", "summary"])
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.count == 4)
        for check in checks { #expect(Set(check.keys) == ["id", "status", "found", "message", "fix"]) }
        #expect(checks[0]["found"] as? String == "v=spf1 include:amazonses.com ~all")
        #expect(checks[0]["fix"] is NSNull)
        #expect(checks[1]["status"] as? String == "fail")
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary == ["pass": 1, "warn": 1, "fail": 1, "error": 1])
        let decoded = try JSONDecoder().decode(DomainReport.self, from: data)
        #expect(decoded == Self.report)
    }

    @Test func summarisesFailuresAndErrors() {
        #expect(Self.report.hasFailures)
        #expect(Self.report.hasErrors)
        let clean = DomainReport(domain: "example.com", checks: [Self.report.checks[0], Self.report.checks[2]])
        #expect(!clean.hasFailures && !clean.hasErrors)
    }
}
