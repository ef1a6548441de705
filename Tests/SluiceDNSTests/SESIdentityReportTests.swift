import Foundation
import Testing

@testable import SluiceDNS

/// The `ses` member of the report: stable field names, nulls kept, round trip.
struct SESIdentityReportTests {
    static let view = SESIdentityReport(
        lookup: .ok, region: "eu-west-1", identityType: "DOMAIN", verifiedForSending: true, dkimOrigin: "AWS_SES",
        dkimStatus: "SUCCESS", dkimTokens: ["t1", "t2", "t3"], tokensUsed: true)

    @Test func encodesEveryFieldWithNullsForAbsentValues() throws {
        let report = DomainReport(domain: "example.com", checks: [], ses: .skipped("DKIM tokens were given"))
        let data = Data(try report.renderJSON().utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["domain", "checks", "summary", "ses"])
        let ses = try #require(object["ses"] as? [String: Any])
        #expect(Set(ses.keys) == [
            "lookup", "reason", "region", "identity_type", "verified_for_sending", "dkim_origin", "dkim_status", "dkim_tokens",
            "tokens_used",
        ])
        #expect(ses["lookup"] as? String == "skipped")
        #expect(ses["reason"] as? String == "DKIM tokens were given")
        #expect(ses["region"] is NSNull)
        #expect(ses["dkim_tokens"] as? [String] == [])
        #expect(ses["tokens_used"] as? Bool == false)
    }

    @Test func roundTripsThroughTheReport() throws {
        let report = DomainReport(domain: "example.com", checks: [], ses: Self.view)
        let decoded = try JSONDecoder().decode(DomainReport.self, from: Data(try report.renderJSON().utf8))
        #expect(decoded == report)
        #expect(decoded.ses?.lookup == .ok)
    }

    @Test(arguments: [
        (SESIdentityReport.Lookup.ok, "ok"), (.notFound, "not_found"), (.failed, "failed"), (.skipped, "skipped"),
    ])
    func lookupValuesAreSnakeCase(lookup: SESIdentityReport.Lookup, wire: String) throws {
        let json = String(decoding: try JSONEncoder().encode(SESIdentityReport(lookup: lookup)), as: UTF8.self)
        #expect(json.contains(#""lookup":"\#(wire)""#))
    }
}
