import Foundation
import SluiceTestSupport
import Testing

@testable import SluiceDNS

/// Compares our SPF and DMARC valid/invalid verdicts with PyPI checkdmarc on the same test zones.
/// Opt-in: SLUICE_CHECKDMARC=1 (needs `pip install checkdmarc dnslib`); Scripts/dns-conformance sets it.
@Suite(
    .dnsServer,
    .enabled(
        if: ProcessInfo.processInfo.environment["SLUICE_CHECKDMARC"] == "1",
        "set SLUICE_CHECKDMARC=1 to compare with checkdmarc (pip install checkdmarc)"))
struct DNSConformanceTests {
    static let domains = [
        "good.test", "tcp.test", "nospf.test", "dupspf.test", "plusall.test", "lookups.test", "limit10.test",
        "voids.test", "badsyntax.test", "nodmarc.test", "pnone.test", "baddmarc.test", "shop.inherit.test",
    ]

    struct Verdict: Decodable, Equatable {
        var spfValid: Bool
        var dmarcValid: Bool
        var spfError: String?
        var dmarcError: String?
    }

    @Test func agreesWithCheckdmarcOnValidity() async throws {
        let server = try TestDNSServer.shared()
        let port = server.port
        let theirs = try await Self.runCheckdmarc(port: port)
        let checker = DomainChecker(lookup: try server.resolver())
        for domain in Self.domains {
            let report = await checker.check(domain: domain, dkimTokens: [], mailFromSubdomain: nil, region: "us-east-1")
            let other = try #require(theirs[domain], "checkdmarc gave no result for \(domain)")
            // "Valid SPF" = one record, valid syntax, within the lookup limits: policy choices such as
            // +all are judged by spf.all and are not validity errors for checkdmarc either.
            let spfValid = ["spf.record", "spf.lookup_limit"].allSatisfy { report.check($0).map { $0.status == .pass } ?? true }
                && report.check("spf.record") != nil
            let dmarcValid = report.check("dmarc.record")?.status == .pass
            #expect(spfValid == other.spfValid, "\(domain) SPF: ours \(spfValid), checkdmarc \(other.spfValid) (\(other.spfError ?? "no error"))")
            #expect(
                dmarcValid == other.dmarcValid,
                "\(domain) DMARC: ours \(dmarcValid), checkdmarc \(other.dmarcValid) (\(other.dmarcError ?? "no error"))")
        }
    }

    /// Runs Support/checkdmarc_probe.py with fixed arguments (no shell) and decodes its JSON.
    static func runCheckdmarc(port: UInt16) async throws -> [String: Verdict] {
        let script = TestDNSServer.supportDirectory.appendingPathComponent("checkdmarc_probe.py").path
        // Bounded (SIGKILL and a thrown error past it): every lookup goes to the local test server.
        let result = try await runChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, "--port", String(port)] + domains, timeout: .seconds(120))
        guard result.status == 0 else {
            throw SetupError("checkdmarc_probe.py failed (\(result.status)); needs pip install checkdmarc: \(result.stderr)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([String: Verdict].self, from: Data(result.stdout.utf8))
    }
}
