import Foundation
import Testing
@testable import SluiceApp
import SluiceCore
import SluiceTestSupport

struct ConfigurationTests {
    @Test func zeroConfigurationUsesDocumentedDefaults() throws {
        let c = try ConfigurationLoader().load(fileText: nil, environment: [:])
        #expect(c.string("http.host") == "127.0.0.1")
        #expect(c.int("http.port") == 8080)
        #expect(c.string("database.path") == "./data/sluice.sqlite")
        #expect(c.int("sns.max_body_bytes") == 262_144)
        #expect(c.sources["http.port"] == .defaultValue)
    }

    @Test func environmentOverridesFileWhichOverridesDefaults() throws {
        let c = try ConfigurationLoader().load(
            fileText: "[http]\nport = 9000\nhost = \"0.0.0.0\"\n",
            environment: ["SLUICE_HTTP_PORT": "9100", "SLUICE_SNS_TOPIC_ARNS": "arn:aws:sns:us-east-1:1:a, arn:aws:sns:*:1:b*", "PATH": "/bin"]
        )
        #expect(c.int("http.port") == 9100)
        #expect(c.sources["http.port"] == .environment)
        #expect(c.string("http.host") == "0.0.0.0")
        #expect(c.sources["http.host"] == .file)
        #expect(c.strings("sns.topic_arns") == ["arn:aws:sns:us-east-1:1:a", "arn:aws:sns:*:1:b*"])
    }

    @Test(arguments: [
        ("[http]\nprot = 1\n", [String: String](), ConfigurationError.Code.unknownKey, "did you mean 'http.port'"),
        ("", ["SLUICE_HTTP_PORT": "70000"], .invalidValue, "0...65535"),
        ("", ["SLUICE_HTTP_PORT": "eighty"], .invalidValue, "http.port"),
        ("[http]\nport = \"80\"\n", [:], .invalidValue, "integer"),
        ("[log]\nformat = \"xml\"\n", [:], .invalidValue, "json, text"),
        ("[sns]\nca_file = \"/nonexistent/ca.pem\"\n", [:], .invalidValue, "not readable"),
        ("[sns]\ncert_url_pattern = \"([\"\n", [:], .invalidValue, "regular expression"),
        ("[dns]\nservers = [\"resolver.example:53\"]\n", [:], .invalidValue, "numeric"),
        ("", ["SLUICE_HTTP_TRUSTED_PROXIES": "10.0.0.0/8,lb.internal"], .invalidValue, "'lb.internal' is not an IP address or a CIDR block"),
        ("[http]\ntrusted_proxies = [\"10.0.0.1/8\"]\n", [:], .invalidValue, "no host bits"),
        ("", ["SLUICE_HTTP_FORWARDED_HEADER": "x-real-ip"], .invalidValue, "x-forwarded-for, forwarded"),
        ("[sns]\nbasic_auth_user = \"sns\"\n", [:], .invalidValue, "basic_auth_password"),
        ("", ["SLUICE_HTTP_TLS_CERT_FILE": "/etc/hostname"], .invalidValue, "tls_cert_file and http.tls_key_file go together"),
        ("", ["SLUICE_HTTP_TLS_CERT_FILE": "/nonexistent/cert.pem", "SLUICE_HTTP_TLS_KEY_FILE": "/etc/hostname"], .invalidValue, "not readable"),
        ("[http\n", [:], .syntax, "line 1"),
        // Dedupe rows purged while the replay check would still pass a message: 14 d + 300 s against 14 d.
        ("[sns]\nmax_age_seconds = 1209600\n", [:], .invalidValue, "sns.dedupe_retention_days"),
        ("", ["SLUICE_SNS_MAX_AGE_SECONDS": "172800", "SLUICE_SNS_DEDUPE_RETENTION_DAYS": "2"], .invalidValue, "173100 s"),
        ("[http]\nport = 1\n[sns]\npath = \"/sns\"\n[http]\nthreads = 2\n", [:], .syntax, "table [http] is defined twice"),
        ("", ["SLUICE_HTTP_HOST": "not a host"], .invalidValue, "http.host"),
        ("[http]\nhost = \"example.com\"\n", [:], .invalidValue, "numeric IPv4 or IPv6"),
        ("", ["SLUICE_SES_REGION": "bogus value"], .invalidValue, "'ses.region': must be an AWS region name"),
        ("", ["SLUICE_SES_REGION": "us-east-1.evil.example"], .invalidValue, "ses.region"),
        ("", ["SLUICE_DATABASE_URL": "mysql://u:hunter2@h/d"], .invalidValue, "'database.url': must start with postgres://"),
        ("", ["SLUICE_DATABASE_URL": "notaurl"], .invalidValue, "database.url"),
        ("", ["SLUICE_DATABASE_PATH": ""], .invalidValue, "'database.path': must name the SQLite database file"),
        // Readable but no certificate in it: every TLS client built on it would fail after the start.
        ("", ["SLUICE_SES_CA_FILE": "/etc/hostname"], .invalidValue, "'ses.ca_file': no PEM certificate could be loaded"),
        ("", ["SLUICE_SNS_CA_FILE": "/dev/null"], .invalidValue, "'sns.ca_file': no PEM certificate could be loaded"),
    ])
    func rejectsInvalidConfiguration(file: String, environment: [String: String], code: ConfigurationError.Code, fragment: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader().load(fileText: file, environment: environment)
        }
        #expect(error?.code == code)
        #expect(error?.message.contains(fragment) == true, "\(String(describing: error?.message))")
        #expect(error?.message.contains("hunter2") == false, "a secret value is never echoed")
    }

    @Test func postgresURLNeedsNoDatabasePath() throws {
        let c = try ConfigurationLoader().load(fileText: nil, environment: [
            "SLUICE_DATABASE_URL": "PostgreSQL://sluice@db.internal/sluice", "SLUICE_DATABASE_PATH": "",
        ])
        #expect(c.string("database.path").isEmpty)
    }

    @Test(arguments: ["127.0.0.1", "0.0.0.0", "::", "::1", "fe80::1", "localhost"])
    func bindableHostsAreAccepted(_ host: String) throws {
        #expect(try ConfigurationLoader().load(fileText: nil, environment: ["SLUICE_HTTP_HOST": host]).string("http.host") == host)
    }

    @Test func syntaxErrorInASecretValueDoesNotPrintIt() {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader().load(fileText: "[sns]\nbasic_auth_password = Hunter2SuperSecret\n", environment: [:])
        }
        #expect(error?.code == .syntax)
        #expect(error?.message.contains("sns.basic_auth_password") == true, "\(String(describing: error?.message))")
        #expect(error?.message.contains("Hunter2") == false, "\(String(describing: error?.message))")
        let database = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader().load(fileText: "[database]\nurl = postgres://u:Hunter2@db/x\n", environment: [:])
        }
        #expect(database?.message.contains("Hunter2") == false, "\(String(describing: database?.message))")
        // Not a secret: the value helps find the mistake.
        let plain = #expect(throws: ConfigurationError.self) { try ConfigurationLoader().load(fileText: "[log]\nformat = xml\n", environment: [:]) }
        #expect(plain?.message.contains("'xml'") == true)
    }

    @Test func exampleFileIsValidTOMLForPython() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        // python3 (3.11 or later, for tomllib) is a test dependency: Scripts/test installs it.
        let result = try await runChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", "import sys, tomllib\ntomllib.load(open(sys.argv[1], 'rb'))", root.appendingPathComponent("Config/sluice.example.toml").path],
            timeout: .seconds(60))
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func dedupeRetentionJustPastTheReplayWindowIsAccepted() throws {
        let c = try ConfigurationLoader().load(fileText: nil, environment: [
            "SLUICE_SNS_MAX_AGE_SECONDS": "1209600", "SLUICE_SNS_MAX_FUTURE_SKEW_SECONDS": "0", "SLUICE_SNS_DEDUPE_RETENTION_DAYS": "15",
        ])
        #expect(c.int("sns.dedupe_retention_days") == 15)
    }

    @Test func secretsAreRedactedInTheEffectiveConfiguration() throws {
        let c = try ConfigurationLoader().load(fileText: nil, environment: [
            "SLUICE_API_TOKENS": "s3cr3t-token-1,s3cr3t-token-2",
            "SLUICE_SNS_BASIC_AUTH_USER": "sns", "SLUICE_SNS_BASIC_AUTH_PASSWORD": "hunter2",
        ])
        let text = c.renderEffective()
        #expect(!text.contains("s3cr3t"))
        #expect(!text.contains("hunter2"))
        #expect(text.contains("tokens = [\"<redacted>\", \"<redacted>\"]  # environment"))
        #expect(text.contains("basic_auth_user = \"sns\""))
    }

    @Test func unknownEnvironmentVariablesOutsideTheSectionsWarnButDoNotFail() throws {
        let c = try ConfigurationLoader().load(fileText: nil, environment: ["SLUICE_BIN": "1", "SLUICE_CONFIG": "x"])
        #expect(c.warnings.contains("ignoring unknown environment variable SLUICE_BIN"))
        #expect(!c.warnings.contains { $0.contains("SLUICE_CONFIG") })
    }

    /// Kubernetes service links (a Service `sluice-api` in the namespace) are not mistyped keys.
    @Test func kubernetesServiceLinksOnlyWarn() throws {
        let links = ["SLUICE_API_SERVICE_HOST": "10.0.0.1", "SLUICE_API_SERVICE_PORT": "80", "SLUICE_DATABASE_PORT_5432_TCP_ADDR": "10.0.0.2"]
        let c = try ConfigurationLoader().load(fileText: nil, environment: links)
        #expect(links.keys.allSatisfy { name in c.warnings.contains("ignoring unknown environment variable \(name)") })
    }

    /// A mistyped key under a known section fails like a mistyped key in the file, with a suggestion.
    @Test func aMistypedKeyInTheEnvironmentFails() throws {
        for (name, suggestion) in [
            ("SLUICE_HTTP_PROT", "SLUICE_HTTP_PORT"), ("SLUICE_SNS_TOPIC_ARN", "SLUICE_SNS_TOPIC_ARNS"),
            ("SLUICE_DATABASE_PAHT", "SLUICE_DATABASE_PATH"), ("SLUICE_SNS_SOMETHING_ELSE_ENTIRELY", nil),
        ] {
            let error = #expect(throws: ConfigurationError.self) { try ConfigurationLoader().load(fileText: nil, environment: [name: "1"]) }
            #expect(error?.message.contains("unknown environment variable \(name)") == true, "\(error?.message ?? "")")
            if let suggestion { #expect(error?.message.contains("did you mean \(suggestion)?") == true, "\(error?.message ?? "")") }
        }
    }

    @Test func exampleFileIsCurrentAndParsesToTheDefaults() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("Config/sluice.example.toml"), encoding: .utf8)
        #expect(committed == SluiceConfiguration.renderExample(), "regenerate with: sluice config example > Config/sluice.example.toml")
        let fromExample = try ConfigurationLoader().load(fileText: committed, environment: [:])
        #expect(fromExample.values == SluiceConfiguration.defaults.values)
    }

    @Test func effectiveConfigurationRoundTripsThroughTheParser() throws {
        let c = try ConfigurationLoader().load(fileText: nil, environment: ["SLUICE_SNS_CERT_URL_PATTERN": #"^https://127\.0\.0\.1:[0-9]+/x\.pem$"#])
        let reparsed = try ConfigurationLoader().load(fileText: c.renderEffective(), environment: [:])
        #expect(reparsed.string("sns.cert_url_pattern") == #"^https://127\.0\.0\.1:[0-9]+/x\.pem$"#)
    }
}
