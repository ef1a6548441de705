import Foundation
import SluiceCore
import SluiceCrypto
import SluiceDNS
import SluiceHTTP
import SluicePostgres

/// The effective configuration: every key's value and where it came from.
public struct SluiceConfiguration: Sendable {
    public private(set) var values: [String: TOMLValue]
    public private(set) var sources: [String: ConfigurationSource]
    /// Non-fatal findings to log at start and print in `config check`.
    public var warnings: [String]

    init(values: [String: TOMLValue], sources: [String: ConfigurationSource], warnings: [String]) {
        self.values = values
        self.sources = sources
        self.warnings = warnings
    }

    /// All defaults; what zero configuration means.
    public static var defaults: SluiceConfiguration {
        // Defaults always validate; a failure here is a programming error caught by tests.
        try! ConfigurationLoader().load(fileText: nil, environment: [:])
    }

    public func string(_ path: String) -> String {
        if case .string(let s) = value(path) { return s }
        preconditionFailure("\(path) is not a string key")
    }

    public func int(_ path: String) -> Int {
        if case .integer(let i) = value(path) { return i }
        preconditionFailure("\(path) is not an integer key")
    }

    public func double(_ path: String) -> Double {
        switch value(path) {
        case .float(let d): return d
        case .integer(let i): return Double(i)
        default: preconditionFailure("\(path) is not a number key")
        }
    }

    public func bool(_ path: String) -> Bool {
        if case .boolean(let b) = value(path) { return b }
        preconditionFailure("\(path) is not a boolean key")
    }

    public func strings(_ path: String) -> [String] {
        if case .array(let items) = value(path) {
            return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        preconditionFailure("\(path) is not a list key")
    }

    /// Overrides one value (tests and the CLI's flags); validated like any other source.
    public mutating func set(_ path: String, _ value: TOMLValue) throws(ConfigurationError) {
        guard let key = ConfigurationKey.byPath[path] else { throw ConfigurationError(.unknownKey, "unknown key '\(path)'") }
        values[path] = try ConfigurationLoader.validate(value, for: key, origin: "override")
        sources[path] = .environment
        try checkCrossKeyRules()
    }

    private func value(_ path: String) -> TOMLValue {
        guard let v = values[path] else { preconditionFailure("unknown configuration key \(path)") }
        return v
    }

    /// Rules that involve files, patterns or several keys.
    func checkCrossKeyRules() throws(ConfigurationError) {
        func invalid(_ path: String, _ why: String) -> ConfigurationError {
            ConfigurationError(.invalidValue, "invalid value for '\(path)': \(why)")
        }
        for path in ["sns.ca_file", "ses.ca_file", "http.tls_cert_file", "http.tls_key_file"] {
            let file = string(path)
            if !file.isEmpty && !FileManager.default.isReadableFile(atPath: file) {
                throw invalid(path, "file '\(file)' is not readable")
            }
        }
        // Readable is not enough: a CA file that holds no certificate would fail every TLS client built on
        // it (the SES client, the SNS certificate fetch) long after the start.
        for path in ["sns.ca_file", "ses.ca_file"] where !string(path).isEmpty {
            do {
                _ = try TLSClientContext(configuration: TLSClientConfiguration(extraCAFile: string(path), trustSystemStore: false))
            } catch {
                throw invalid(path, "no PEM certificate could be loaded from '\(string(path))' (\(error.openSSLErrors.first ?? error.message))")
            }
        }
        if (try? NSRegularExpression(pattern: string("sns.cert_url_pattern"))) == nil {
            throw invalid("sns.cert_url_pattern", "not a valid regular expression")
        }
        // The server binds numeric addresses only; refuse here what `sluice serve` would refuse at start.
        if !HTTPServerConfiguration.isBindable(host: string("http.host")) {
            throw invalid("http.host", "must be a numeric IPv4 or IPv6 address (such as 127.0.0.1, 0.0.0.0 or ::) or localhost")
        }
        // Part of the SES host name and the MAIL FROM MX: `sluice serve` would only fail later, on every call.
        if !AWSRegionName.isValid(string("ses.region")) {
            throw invalid("ses.region", "must be an AWS region name such as us-east-1")
        }
        let databaseURL = string("database.url")
        if !databaseURL.isEmpty && !PostgresStoreConfiguration.isPostgresURL(databaseURL) {
            throw invalid("database.url", "must start with postgres:// or postgresql://")  // the value is a secret: not echoed
        }
        if databaseURL.isEmpty && string("database.path").trimmingCharacters(in: .whitespaces).isEmpty {
            throw invalid("database.path", "must name the SQLite database file")
        }
        let snsPath = string("sns.path")
        if !snsPath.hasPrefix("/") || snsPath.contains("{") || snsPath.contains("?") || snsPath.count > 200 {
            throw invalid("sns.path", "must be an absolute path without parameters or query")
        }
        try checkDeliverabilityRules()
        try checkMonitoringRules()
        let alertTopic = string("monitoring.alert_sns_topic_arn")
        if !alertTopic.isEmpty && SNSTopicARN(alertTopic) == nil {
            throw invalid("monitoring.alert_sns_topic_arn", "must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts")
        }
        for endpointKey in ["ses.endpoint", "monitoring.webhook_url"] {
            let url = string(endpointKey)
            if !url.isEmpty {
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil, parsed.user == nil else {
                    throw invalid(endpointKey, "must be an http(s) URL without credentials")
                }
            }
        }
        for text in strings("http.trusted_proxies") where IPNetwork(text) == nil {
            throw invalid("http.trusted_proxies", "'\(text.prefix(80))' is not an IP address or a CIDR block such as 10.0.0.0/8 (no host bits below the prefix)")
        }
        for server in strings("dns.servers") {
            do { _ = try DNSServerAddress(parsing: server) } catch { throw invalid("dns.servers", error.message) }
        }
        if string("http.tls_cert_file").isEmpty != string("http.tls_key_file").isEmpty {
            throw invalid(string("http.tls_cert_file").isEmpty ? "http.tls_cert_file" : "http.tls_key_file", "http.tls_cert_file and http.tls_key_file go together")
        }
        if !string("sns.basic_auth_user").isEmpty && string("sns.basic_auth_password").isEmpty {
            throw invalid("sns.basic_auth_password", "required when sns.basic_auth_user is set")
        }
        if string("sns.basic_auth_user").contains(":") {
            throw invalid("sns.basic_auth_user", "must not contain ':'")
        }
        // A message passes the replay check while its Timestamp is within max_age; its dedupe row goes by
        // arrival time, which can precede the Timestamp by the future skew. Shorter retention would let a
        // captured genuine message be processed again once its row is purged.
        let replayWindow = int("sns.max_age_seconds") + int("sns.max_future_skew_seconds")
        if int("sns.dedupe_retention_days") * 86_400 <= replayWindow {
            throw invalid(
                "sns.dedupe_retention_days",
                "must be longer than sns.max_age_seconds + sns.max_future_skew_seconds (\(replayWindow) s), or a replayed message would be processed again")
        }
    }

    /// Things that work but that an operator should know about.
    func advisories() -> [String] {
        var notes: [String] = []
        if strings("sns.topic_arns").isEmpty {
            notes.append("sns.topic_arns is empty: SNS messages are rejected and no subscription is auto-confirmed")
        }
        let anyAccount = strings("sns.topic_arns").filter { !SNSSecurityPolicy.namesAccount($0) }
        if !anyAccount.isEmpty {
            notes.append(
                "sns.topic_arns \(anyAccount.joined(separator: ", ")) may match topics in any AWS account: their subscriptions are never confirmed automatically (name the account, or use `sluice sns confirm`)")
        }
        if !strings("pacing.warmup_identities").isEmpty, double("pacing.warmup_factor") == 1, int("pacing.warmup_max_daily") == 0 {
            notes.append("pacing.warmup_factor is 1 and pacing.warmup_max_daily 0: warm-up identities stay at pacing.warmup_initial_daily recipients a day for good")
        }
        if strings("api.tokens").isEmpty {
            notes.append("api.tokens is empty: every /v1 request is answered 401")
        }
        if string("http.host") != "127.0.0.1" && string("http.host") != "localhost" && string("sns.basic_auth_user").isEmpty
            && string("http.tls_cert_file").isEmpty {
            notes.append("listening beyond loopback over plain HTTP without sns.basic_auth_user: set http.tls_cert_file or put TLS termination in front of /sns")
        }
        return notes
    }
}
