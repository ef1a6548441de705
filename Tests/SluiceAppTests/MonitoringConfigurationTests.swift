import Foundation
import Testing
import SluiceCore
@testable import SluiceApp

/// The `monitoring.*` keys reach the rules, and combinations that would silently turn a rule off are refused
/// (`sluice config check` exits 78 on a `ConfigurationError`).
struct MonitoringConfigurationTests {
    @Test(arguments: [
        (["SLUICE_MONITORING_MIN_VOLUME": "20000"], "'monitoring.min_volume': must not exceed monitoring.representative_volume (10000)"),
        (["SLUICE_MONITORING_QUOTA_WARNING": "0.95"], "'monitoring.quota_warning': must be below monitoring.quota_critical"),
        (["SLUICE_MONITORING_QUOTA_CRITICAL": "0.7"], "'monitoring.quota_warning': must be below monitoring.quota_critical"),
        (["SLUICE_MONITORING_VOLUME_LOW_RATIO": "1"], "'monitoring.volume_low_ratio': must be below 1"),
        (["SLUICE_MONITORING_VOLUME_HIGH_RATIO": "1"], "'monitoring.volume_high_ratio': must be above 1"),
        (["SLUICE_MONITORING_MIN_EVENTS": "0"], "monitoring.min_events"),
        (["SLUICE_MONITORING_BOUNCE_WARNING": "0.03"], "must not exceed monitoring.bounce_critical"),
    ])
    func refusesCombinationsThatTurnRulesOff(environment: [String: String], message: String) {
        let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader().load(fileText: nil, environment: environment) }
        #expect(error?.code == .invalidValue)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test func theKeysReachTheRules() throws {
        let c = try ConfigurationLoader().load(fileText: """
            [monitoring]
            min_events = 5
            quota_warning = 0.7
            quota_critical = 0.9
            volume_low_ratio = 0
            volume_high_ratio = 4
            feedback_silence_hours = 0
            feedback_silence_min_sends = 250
            """, environment: [:])
        let m = MonitoringConfiguration(configuration: c)
        #expect(m.alerts.stats.minimumEvents == 5)
        #expect(m.alerts.quotaWarning == 0.7 && m.alerts.quotaCritical == 0.9)
        #expect(m.alerts.volumeLowRatio == nil)
        #expect(m.alerts.volumeHighRatio == 4)
        #expect(m.alerts.feedbackSilence == nil)
        #expect(m.alerts.feedbackSilenceMinimumSends == 250)

        let defaults = MonitoringConfiguration(configuration: SluiceConfiguration.defaults)
        #expect(defaults.alerts.stats.minimumEvents == 3)
        #expect(defaults.alerts.quotaCritical == 0.95)
        #expect(defaults.alerts.volumeLowRatio == 0.5 && defaults.alerts.volumeHighRatio == 3)
        #expect(defaults.alerts.feedbackSilence == TimeInterval(21_600))
        #expect(defaults.alerts.feedbackSilenceMinimumSends == 100)
        #expect(defaults.snsTopicPatterns == [])
    }
}
