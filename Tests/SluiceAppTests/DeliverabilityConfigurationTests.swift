import Foundation
import Testing
import SluiceCore
@testable import SluiceApp

/// `unsubscribe.*`, `pacing.*` and `ses.suppression_*` keys: environment names, parsing, refusals.
struct DeliverabilityConfigurationTests {
    static let key = "k1:" + Data(repeating: 7, count: 32).base64EncodedString()

    @Test func environmentSetsEveryDeliverabilityKey() throws {
        let c = try ConfigurationLoader().load(fileText: nil, environment: [
            "SLUICE_UNSUBSCRIBE_BASE_URL": "https://mail.example.com", "SLUICE_UNSUBSCRIBE_KEYS": Self.key,
            "SLUICE_UNSUBSCRIBE_CONFIGURATION_SETS": "marketing,news",
            "SLUICE_PACING_GROUPS": "gmail:gmail.com+googlemail.com=10,yahoo.com+aol.com=5",
            "SLUICE_PACING_WARMUP_IDENTITIES": "news.example.com@2026-12-01",
            "SLUICE_SES_SUPPRESSION_PUSH": "true", "SLUICE_SES_SUPPRESSION_SYNC_SECONDS": "600",
        ])
        let unsubscribe = UnsubscribeSettings(configuration: c)
        #expect(unsubscribe.isEnabled)
        #expect(unsubscribe.configurationSets == ["marketing", "news"])
        #expect(c.strings("pacing.groups").compactMap(DomainGroup.init(parsing:)).map(\.name) == ["gmail", "yahoo.com"])
        #expect(c.bool("ses.suppression_push"))
        #expect(c.int("ses.suppression_sync_seconds") == 600)
    }

    @Test(arguments: [
        ("SLUICE_UNSUBSCRIBE_KEYS", "k1:c2hvcnQ="),
        ("SLUICE_UNSUBSCRIBE_KEYS", "\(key),\(key)"),
        ("SLUICE_UNSUBSCRIBE_BASE_URL", "ftp://mail.example.com"),
        ("SLUICE_UNSUBSCRIBE_BASE_URL", "https://mail.example.com/?x=1"),
        ("SLUICE_UNSUBSCRIBE_BASE_URL", "http://mail.example.com"),
        ("SLUICE_UNSUBSCRIBE_BASE_URL", "http://127.0.0.1.example.com"),
        ("SLUICE_UNSUBSCRIBE_MAILTO", "not an address"),
        ("SLUICE_PACING_GROUPS", "gmail.com"),
        ("SLUICE_PACING_WARMUP_IDENTITIES", "news.example.com"),
        ("SLUICE_PACING_WARMUP_FACTOR", "0.5"),
        ("SLUICE_PACING_WARMUP_MAX_DAILY", "200"),  // not above the first day's 200
    ])
    func refusesBadValues(name: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader().load(fileText: nil, environment: [name: value]) }
        #expect(error?.message.contains("invalid value") == true)
    }

    @Test(arguments: ["https://mail.example.com", "HTTPS://mail.example.com/", "http://127.0.0.1:8080", "http://[::1]:8080/", "http://localhost"])
    func acceptsHTTPSAndLoopbackHTTPBaseURLs(value: String) throws {
        let c = try ConfigurationLoader().load(fileText: nil, environment: ["SLUICE_UNSUBSCRIBE_BASE_URL": value])
        #expect(c.string("unsubscribe.base_url") == value)
    }

    @Test func aWarmupThatNeverGrowsIsWarnedAbout() throws {
        let identities = ["SLUICE_PACING_WARMUP_IDENTITIES": "news.example.com@2026-01-01"]
        let flat = try ConfigurationLoader().load(fileText: nil, environment: identities.merging(["SLUICE_PACING_WARMUP_FACTOR": "1"]) { $1 })
        #expect(flat.warnings.contains { $0.contains("stay at pacing.warmup_initial_daily") })
        let growing = try ConfigurationLoader().load(fileText: nil, environment: identities)
        #expect(!growing.warnings.contains { $0.contains("warmup") })
        let capped = try ConfigurationLoader().load(
            fileText: nil, environment: identities.merging(["SLUICE_PACING_WARMUP_FACTOR": "1", "SLUICE_PACING_WARMUP_MAX_DAILY": "201"]) { $1 })
        #expect(!capped.warnings.contains { $0.contains("warmup") })
    }

    @Test func defaultsLeaveEverythingOff() {
        let c = SluiceConfiguration.defaults
        #expect(!UnsubscribeSettings(configuration: c).isEnabled)
        #expect(c.strings("pacing.groups").isEmpty)
        #expect(!c.bool("ses.suppression_push"))
        #expect(c.int("ses.suppression_sync_seconds") == 0)
    }
}
