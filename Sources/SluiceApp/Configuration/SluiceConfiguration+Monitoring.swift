import Foundation

extension SluiceConfiguration {
    /// `monitoring.*` values that only make sense together.
    func checkMonitoringRules() throws(ConfigurationError) {
        func invalid(_ path: String, _ why: String) -> ConfigurationError {
            ConfigurationError(.invalidValue, "invalid value for '\(path)': \(why)")
        }
        // The representative window stops at representative_volume sends: a larger minimum would leave its
        // rates, which alerts and protection judge, never judged.
        if int("monitoring.min_volume") > int("monitoring.representative_volume") {
            throw invalid(
                "monitoring.min_volume",
                "must not exceed monitoring.representative_volume (\(int("monitoring.representative_volume"))), or alerts and protection would never judge a rate")
        }
        if double("monitoring.bounce_warning") > double("monitoring.bounce_critical") {
            throw invalid("monitoring.bounce_warning", "must not exceed monitoring.bounce_critical")
        }
        if double("monitoring.complaint_warning") > double("monitoring.complaint_critical") {
            throw invalid("monitoring.complaint_warning", "must not exceed monitoring.complaint_critical")
        }
        if double("monitoring.quota_warning") >= double("monitoring.quota_critical") {
            throw invalid("monitoring.quota_warning", "must be below monitoring.quota_critical (\(double("monitoring.quota_critical")))")
        }
        if double("monitoring.volume_low_ratio") >= 1 {
            throw invalid("monitoring.volume_low_ratio", "must be below 1 (0 turns the low-volume check off)")
        }
        if double("monitoring.volume_high_ratio") <= 1 {
            throw invalid("monitoring.volume_high_ratio", "must be above 1")
        }
    }
}
