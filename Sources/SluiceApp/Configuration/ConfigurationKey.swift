import SluiceCore

/// One documented configuration key: the single source of truth for the example file,
/// `sluice config check`, and the `SLUICE_<SECTION>_<KEY>` environment override.
public struct ConfigurationKey: Sendable {
    public enum Kind: Sendable, Equatable {
        case string, integer(ClosedRange<Int>), float(ClosedRange<Double>), boolean, stringList
        case choice([String])
    }

    public var section: String
    public var key: String
    public var kind: Kind
    public var defaultValue: TOMLValue
    /// Redacted in every printout.
    public var secret: Bool
    public var help: String

    public var path: String { "\(section).\(key)" }
    public var environmentName: String { "SLUICE_\(section.uppercased())_\(key.uppercased())" }

    init(_ section: String, _ key: String, _ kind: Kind, _ defaultValue: TOMLValue, secret: Bool = false, _ help: String) {
        self.section = section
        self.key = key
        self.kind = kind
        self.defaultValue = defaultValue
        self.secret = secret
        self.help = help
    }
}

extension ConfigurationKey {
    /// Every key Sluice knows, in documentation order.
    public static let all: [ConfigurationKey] = [
        .init("http", "host", .string, .string("127.0.0.1"), "Address to bind: a numeric IPv4 or IPv6 address, or localhost. Use 0.0.0.0 to listen on every interface (e.g. in a container)."),
        .init("http", "port", .integer(0...65535), .integer(8080), "TCP port (0 picks a free port and logs it)."),
        .init("http", "threads", .integer(0...256), .integer(0), "Event-loop threads; 0 means one per CPU core."),
        .init("http", "max_header_bytes", .integer(1024...1_048_576), .integer(16384), "Request line + headers limit; larger requests get 431."),
        .init("http", "max_body_bytes", .integer(1024...1_073_741_824), .integer(1_048_576), "Default request body limit for API routes; larger bodies get 413."),
        .init("http", "header_timeout_seconds", .float(0.1...3600), .float(10), "Time allowed to send the request head (slowloris protection)."),
        .init("http", "body_timeout_seconds", .float(0.1...3600), .float(30), "Time allowed between body bytes."),
        .init("http", "min_body_rate_bytes", .integer(0...1_073_741_824), .integer(16384), "Slowest average rate (bytes/s) a request body may arrive at once body_timeout_seconds have passed, else 408; 0 = no limit."),
        .init("http", "idle_timeout_seconds", .float(0.1...3600), .float(60), "Idle keep-alive connections are closed after this."),
        .init("http", "max_connections", .integer(1...1_000_000), .integer(10000), "Open connections limit; beyond it new connections get 503."),
        .init("http", "drain_timeout_seconds", .float(0...3600), .float(10), "On SIGTERM, time allowed for in-flight requests to finish."),
        .init("http", "drain_delay_seconds", .float(0...300), .float(0), "On SIGTERM, time during which /readyz answers 503 while the listeners still accept, so a load balancer stops routing here before they close."),
        .init("http", "tls_cert_file", .string, .string(""), "PEM certificate chain (leaf first): serve HTTPS (TLS 1.2+) instead of HTTP. Empty: plain HTTP, TLS terminated in front."),
        .init("http", "tls_key_file", .string, .string(""), "PEM private key (unencrypted) of tls_cert_file."),
        .init("http", "trusted_proxies", .stringList, .array([]), "Load balancers and proxies in front (addresses or CIDR blocks, comma-separated in the environment) whose forwarded_header names the client: it is then the client in logs and in the per-client certificate-fetch limits. Empty: the peer is the client and the header is ignored."),
        .init("http", "forwarded_header", .choice(ForwardedHeader.allCases.map(\.rawValue)), .string(ForwardedHeader.xForwardedFor.rawValue), "The header trusted_proxies name the client in: x-forwarded-for, or forwarded (RFC 7239, its for= parameter). Only this one is read: proxies pass the other on as the client wrote it."),
        .init("http", "tls_reload_seconds", .float(1...86_400), .float(60), "How often the certificate and key files are checked; a changed pair serves new connections without a restart."),

        .init("database", "path", .string, .string("./data/sluice.sqlite"), "SQLite database file (its directory is created if missing)."),
        .init("database", "busy_timeout_ms", .integer(0...600_000), .integer(5000), "How long to wait for a database lock."),
        .init("database", "cache_mib", .integer(1...65536), .integer(32), "Page cache per database connection, in MiB."),
        .init("database", "mmap_mib", .integer(0...1_048_576), .integer(0), "Bytes of the file read through mmap, in MiB (0 = off; faster lookups, but an I/O error crashes instead of failing)."),
        .init("queue", "retention_days", .integer(2...3650), .integer(30), "Sent, failed and suppressed messages older than this are purged (at least 2: idempotency keys replay for 25 h)."),
        .init("database", "url", .string, .string(""), secret: true, "PostgreSQL URL (postgres://user:pass@host/db?sslmode=verify-full) shared by several instances; empty uses the SQLite file at database.path."),
        .init("database", "pool_size", .integer(1...256), .integer(8), "PostgreSQL connections per instance."),
        .init("database", "statement_timeout_ms", .integer(100...600_000), .integer(10000), "PostgreSQL statement timeout; a slower statement fails and the request gets 503."),

        .init("sns", "path", .string, .string("/sns"), "Path of the SNS endpoint; /sns/{name} serves named endpoints too."),
        .init("sns", "max_body_bytes", .integer(1024...1_048_576), .integer(262_144), "SNS body limit (SNS messages are at most 256 KiB)."),
        .init("sns", "topic_arns", .stringList, .array([]), "Allowed TopicArns (comma-separated in the environment; * wildcards). Empty: nothing is accepted or confirmed."),
        .init("sns", "auto_confirm", .boolean, .boolean(true), "Confirm SubscriptionConfirmation messages of allowed topics automatically."),
        .init("sns", "cert_url_pattern", .string, .string(#"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/SimpleNotificationService-[a-zA-Z0-9]+\.pem$"#), "Regular expression a SigningCertURL must match."),
        .init("sns", "ca_file", .string, .string(""), "Extra CA (PEM) trusted beside the system store for certificate and subscription hosts."),
        .init("sns", "require_signature_v2", .boolean, .boolean(false), "Reject SignatureVersion 1 (SHA1) messages."),
        .init("sns", "max_age_seconds", .integer(60...1_209_600), .integer(86400), "Messages with an older Timestamp are rejected as replays."),
        .init("sns", "max_future_skew_seconds", .integer(0...3600), .integer(300), "Messages timestamped further in the future are rejected."),
        .init("sns", "dedupe_retention_days", .integer(2...3650), .integer(14), "How long seen MessageIds are kept; must exceed max_age_seconds + max_future_skew_seconds."),
        .init("sns", "certificate_cache_seconds", .integer(60...2_592_000), .integer(86400), "How long a fetched signing certificate is trusted before refetching."),
        .init("sns", "basic_auth_user", .string, .string(""), "If set, the SNS endpoint requires HTTP Basic auth (https://user:pass@host/sns)."),
        .init("sns", "basic_auth_password", .string, .string(""), secret: true, "Password for basic_auth_user."),

        .init("api", "tokens", .stringList, .array([]), secret: true, "Bearer tokens for /v1 (comma-separated in SLUICE_API_TOKENS). Empty: /v1 answers 401."),

        .init("policy", "soft_bounce_limit", .integer(1...1000), .integer(3), "Soft bounces within the window that suppress an address."),
        .init("policy", "soft_bounce_window_days", .integer(1...365), .integer(7), "Window for counting soft bounces."),
        .init("policy", "soft_bounce_expiry_days", .integer(1...3650), .integer(30), "How long a soft-bounce suppression lasts."),
        .init("policy", "history_retention_days", .integer(2...3650), .integer(90), "Address history (events and decisions) older than this is purged (at least 2: an event published in both SES formats is recognised by its history row)."),
        .init("policy", "case_sensitive_local_part", .boolean, .boolean(false), "Compare the local part of addresses case-sensitively."),

        .init("ses", "region", .string, .string("us-east-1"), "AWS region of the SES account."),
        .init("ses", "endpoint", .string, .string(""), "SES API endpoint; default https://email.<region>.amazonaws.com."),
        .init("ses", "transport", .choice(["auto", "ses", "outbox"]), .string("auto"), "auto: SES when credentials are configured (even if failing at start), else outbox (records requests, sends nothing)."),
        .init("ses", "ca_file", .string, .string(""), "Extra CA (PEM) trusted for the SES endpoint (tests)."),
        .init("ses", "max_send_rate", .float(0...100_000), .float(0), "Recipients per second; 0 reads MaxSendRate from GetAccount (1/s without it)."),
        .init("ses", "max_24h_send", .integer(-1...1_000_000_000), .integer(0), "Recipients per rolling 24 h; 0 reads GetAccount, -1 unlimited."),
        .init("ses", "max_attempts", .integer(1...100), .integer(12), "Attempts per message for retryable errors (5xx, timeouts): with the default backoff, 12 span about 9 minutes of retries on average, at most about 19."),
        .init("ses", "max_backoff_seconds", .float(1...86400), .float(300), "Cap of the exponential backoff."),
        .init("ses", "inflight_resolution", .choice(["fail", "resend"]), .string("fail"), "After a crash, a message caught mid-call to SES is failed (never mailed twice) or resent (never lost, maybe twice) once its claim is 3 × request_timeout_seconds old."),
        .init("ses", "request_timeout_seconds", .float(1...300), .float(30), "Bound of one SES call (connect, TLS, answer); a hanging endpoint never holds a worker longer. A call not started within it of its claim is not made (queued again)."),
        .init("ses", "account_refresh_seconds", .integer(10...86400), .integer(300), "How often send limits are re-read from GetAccount."),
        .init("ses", "concurrency", .integer(1...256), .integer(32), "SES calls in flight at once (each holds its message in memory a few times over: see max_inflight_bytes)."),
        .init("ses", "max_inflight_bytes", .integer(1_048_576...68_719_476_736), .integer(268_435_456), "Stored message bytes in flight at once (calls wait for room); memory use is a few times this. A larger message goes alone."),
        .init("ses", "throttled_max_age_seconds", .integer(0...2_592_000), .integer(86400), "Throttling by SES spends no attempts; a message SES keeps throttling is failed once the throttling has lasted this long, counted from the first throttle of the current run (or from acceptance, if later). A run ends at an accepted call or a gap longer than max(60 s, 2 x ses.max_backoff_seconds) between throttles, and restarts with the process. 0 = never."),

        .init("monitoring", "counter_retention_days", .integer(8...3650), .integer(35), "Hourly counters older than this are purged (monitoring reads the last 8 days)."),
        .init("ses", "suppression_push", .boolean, .boolean(false), "Write local hard bounces and complaints to the SES account-level suppression list (PutSuppressedDestination)."),
        .init("ses", "suppression_push_rate", .float(0.01...100), .float(1), "PutSuppressedDestination calls per second (SES allows about 1/s)."),
        .init("ses", "suppression_sync_seconds", .integer(0...604_800), .integer(0), "Push and pull the SES account-level suppression list every N seconds; 0 only on `sluice ses sync`."),
        .init("ses", "suppression_pull", .boolean, .boolean(true), "Sync imports the SES account-level suppression list (ListSuppressedDestinations, incremental) as reason ses_account."),

        .init("unsubscribe", "base_url", .string, .string(""), "Public HTTPS base URL of this service; bulk mail gets List-Unsubscribe: <base_url/u/TOKEN>. Empty: no headers added."),
        .init("unsubscribe", "keys", .stringList, .array([]), secret: true, "Token keys id:base64secret (32+ bytes, e.g. `openssl rand -base64 32`); the first signs, all verify (rotation)."),
        .init("unsubscribe", "mailto", .string, .string(""), "Address for the mailto: alternative in List-Unsubscribe (subject carries the token); empty: HTTPS only."),
        .init("unsubscribe", "configuration_sets", .stringList, .array([]), "Messages sent with one of these configuration sets count as bulk (get unsubscribe headers)."),
        .init("unsubscribe", "max_age_days", .integer(0...36_500), .integer(0), "Tokens older than this are refused; 0 accepts any age (links in old mail keep working)."),

        .init("pacing", "groups", .stringList, .array([]), "Per-ISP limits as [name:]domain+domain=rate (recipients/s), e.g. gmail:gmail.com+googlemail.com=10; on top of the account rate."),
        .init("pacing", "warmup_identities", .stringList, .array([]), "Sending identities (From domains) in warm-up, as identity@YYYY-MM-DD (first day)."),
        .init("pacing", "warmup_initial_daily", .integer(1...1_000_000_000), .integer(200), "Warm-up: recipients allowed on the first day."),
        .init("pacing", "warmup_factor", .float(1...10), .float(1.5), "Warm-up: the daily cap grows by this factor each UTC day."),
        .init("pacing", "warmup_max_daily", .integer(0...1_000_000_000), .integer(0), "Warm-up ends once the daily cap reaches this; 0 = only the account quota ends it."),

        .init("monitoring", "min_volume", .integer(1...100_000_000), .integer(100), "Sends in a window below which rates are not judged (at most representative_volume)."),
        .init("monitoring", "min_events", .integer(1...1_000_000), .integer(3), "Hard bounces (complaints) a window needs before its bounce (complaint) rate can fire an alert or pause sending; fewer are shown with status insufficient_events, since at low volume one complaint is a rate far above any threshold."),
        .init("monitoring", "representative_volume", .integer(100...100_000_000), .integer(10000), "The last N sends over which SES-style rates are computed."),
        .init("monitoring", "bounce_warning", .float(0...1), .float(0.01), "Bounce rate warning threshold."),
        .init("monitoring", "bounce_critical", .float(0...1), .float(0.02), "Bounce rate critical threshold."),
        .init("monitoring", "complaint_warning", .float(0...1), .float(0.0005), "Complaint rate warning threshold."),
        .init("monitoring", "complaint_critical", .float(0...1), .float(0.001), "Complaint rate critical threshold."),
        .init("monitoring", "delivery_warning", .float(0...1), .float(0.95), "Delivery rate below this warns."),
        .init("monitoring", "quota_warning", .float(0...1), .float(0.8), "Quota use above this warns."),
        .init("monitoring", "quota_critical", .float(0...1), .float(0.95), "Quota use above this is critical (above quota_warning)."),
        .init("monitoring", "volume_low_ratio", .float(0...1), .float(0.5), "The last hour's sends below this fraction of the 7-day same-hour median warn (below 1; 0 turns the check off)."),
        .init("monitoring", "volume_high_ratio", .float(1...1000), .float(3.0), "The last hour's sends above this multiple of the 7-day same-hour median warn (above 1)."),
        .init("monitoring", "feedback_silence_hours", .float(0...720), .float(6), "No SES feedback for this long while sends went out is critical; armed once SES Delivery or Send events are seen. 0 turns it off."),
        .init("monitoring", "feedback_silence_min_sends", .integer(1...1_000_000_000), .integer(100), "Sends within the silence needed for the feedback-silence alert."),
        .init("monitoring", "protection", .choice(["off", "pause", "pause_identity"]), .string("pause"), "What a bounce or complaint rate at the protection thresholds does to sending."),
        .init("monitoring", "protection_bounce", .float(0.0001...1), .float(0.04), "Bounce rate at which sending pauses (AWS reviews an account at 5%)."),
        .init("monitoring", "protection_complaint", .float(0.0001...1), .float(0.0008), "Complaint rate at which sending pauses (AWS reviews an account at 0.1%)."),
        .init("monitoring", "alert_cooldown_seconds", .integer(60...604_800), .integer(3600), "A holding alert repeats after this."),
        .init("monitoring", "webhook_url", .string, .string(""), secret: true, "Alert webhook (JSON with a Slack-compatible text field)."),
        .init("monitoring", "alert_sns_topic_arn", .string, .string(""), "SNS topic (arn:aws:sns:REGION:ACCOUNT:NAME) alerts are also published to (needs sns:Publish; AWS credentials as for SES). Empty: off."),

        .init("dns", "servers", .stringList, .array([]), "DNS servers as numeric ip[:port] (IPv6 as [addr]:port); empty reads /etc/resolv.conf."),
        .init("dns", "public_suffix_list", .string, .string(PublicSuffixListFile.defaultPath), "Public Suffix List file for DMARC organisational domains (Debian package publicsuffix); empty, missing or unreadable: a built-in approximation of common two-level suffixes."),
        .init("dns", "max_concurrent_checks", .integer(1...256), .integer(8), "DNS checks the API runs at once (each blocks a few threads for up to its DNS timeouts); more get 503 dns_busy."),

        .init("log", "level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), .string("info"), "Log level."),
        .init("log", "format", .choice(["json", "text"]), .string("json"), "Log line format on stderr."),
    ]

    static let byPath: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.path, $0) })
    static let byEnvironmentName: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.environmentName, $0) })
    /// The sections keys are grouped in (`http`, `sns`, …).
    static let sections: Set<String> = Set(all.map(\.section))
}
