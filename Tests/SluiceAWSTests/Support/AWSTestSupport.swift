import SluiceTestSupport
import Foundation
import Logging
import SluiceCore
import SluiceHTTP
import Synchronization

/// Small helpers shared by the SluiceAWS tests.
enum AWSTestSupport {
    static let logger = Logger(label: "sluice.aws.tests")

    /// A fresh temporary directory, removed when the returned object is released (a suite holds it
    /// in a stored property, so it lives exactly as long as one test).
    static func tempDirectory() throws -> TestDirectory {
        try TestDirectory(prefix: "sluice-aws")
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A client with short timeouts and no pooling (test servers come and go).
    static func httpClient() throws -> HTTPClient {
        try HTTPClient(configuration: HTTPClientConfiguration(
            connectTimeout: .seconds(2), readTimeout: .seconds(5), totalTimeout: .seconds(10), maxIdleConnectionsPerHost: 0))
    }

    /// An environment that reaches no real source: empty HOME, IMDS disabled.
    static func isolatedEnvironment(_ extra: [String: String] = [:]) throws -> [String: String] {
        try TestEnvironment.isolated(extra)
    }

    /// Container / IMDS credential JSON expiring `expiresIn` seconds from now.
    static func credentialJSON(keyId: String, expiresIn: TimeInterval = 3600) -> String {
        let expiration = AWSTimestamp.iso8601(Date().addingTimeInterval(expiresIn))
        return """
            {"Code":"Success","LastUpdated":"2026-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"\(keyId)",\
            "SecretAccessKey":"secret-\(keyId)","Token":"token-\(keyId)","Expiration":"\(expiration)"}
            """
    }

    /// A closed local port (connects are refused at once).
    static func closedPortURL() throws -> String {
        "http://127.0.0.1:\(try MotoServer.freePort())"
    }
}

/// A settable clock for cache tests.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
