import Foundation
import SluiceCore
import SluiceCrypto
import SluiceHTTP
import SluiceTestSupport
import Testing
@testable import SluiceApp

/// The service serving HTTPS itself (`http.tls_cert_file`): SNS over TLS end to end, the certificate's
/// expiry gauge, the binary's healthcheck, and a pair that does not load stopping the start.
@Suite(.serialized)
struct HTTPSListenerTests {
    static func tlsEnvironment(_ pki: SNSTestPKI) -> [String: String] {
        ["SLUICE_HTTP_TLS_CERT_FILE": pki.path("server.pem"), "SLUICE_HTTP_TLS_KEY_FILE": pki.path("server.key")]
    }

    @Test func signedNotificationOverHTTPSIsStoredAndTheExpiryIsPublished() async throws {
        let pki = try await SNSTestPKI.load()
        try await withFixture(try await SNSAppHarness.make(extra: Self.tlsEnvironment(pki))) { harness in
            #expect(harness.scheme == "https")

            let bounce = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, version: "2", message: SESPayload.bounce("tls@example.com"))
            let response = try await harness.post(bounce)
            #expect(response.status == 200, "\(response.bodyText)")
            #expect(try await harness.context.store.hasMessage(id: bounce.messageId))
            #expect(try await harness.context.store.suppression(for: "tls@example.com", scope: nil, at: harness.clock.now)?.reason == .hardBounce)

            // Plain HTTP to the same port: refused in plain text, with the reason.
            let plain = try HTTPClient(configuration: HTTPClientConfiguration(totalTimeout: .seconds(5)))
            let refused = try await plain.execute(HTTPClientRequest(url: "http://127.0.0.1:\(harness.port)/healthz"))
            #expect(refused.status == 400)
            #expect(refused.bodyText.contains("https_required"))

            let leaf = try X509Certificate(pem: try pki.pem("server"))
            let expected = "sluice_tls_certificate_expiry_timestamp_seconds \(Int(leaf.notAfter.timeIntervalSince1970))"
            let published = try await eventually(timeout: .seconds(5)) {
                let metrics = try await harness.client.execute(HTTPClientRequest(url: harness.origin + "/metrics"))
                return metrics.bodyText.contains(expected)
            }
            #expect(published, "\(expected) missing from /metrics")
        }
    }

    @Test func binaryServesHTTPSAndItsHealthcheckProbesIt() async throws {
        let pki = try await SNSTestPKI.load()
        let directory = try TestDirectory(prefix: "sluice-https")
        var environment = Self.tlsEnvironment(pki)
        environment["SLUICE_DATABASE_PATH"] = directory.path + "/sluice.sqlite"
        let child = try await SluiceProcess.serve(environment: environment, directory: directory.url)
        defer { child.kill(SIGKILL) }
        #expect(child.log.contains(#""http.scheme":"https""#))

        var probe = environment
        probe["SLUICE_HTTP_PORT"] = String(child.port)
        let healthy = try await SluiceBinary.run(["healthcheck", "--path", "/readyz"], environment: probe)
        #expect(healthy.status == 0, "\(healthy.stderr)")
        #expect(healthy.stdout.hasPrefix("200"))

        // The probe really speaks TLS: without the certificate setting it talks plain HTTP and fails.
        let plainProbe = try await SluiceBinary.run(["healthcheck"], environment: ["SLUICE_HTTP_PORT": String(child.port)])
        #expect(plainProbe.status == 1)
    }

    @Test func aPairThatDoesNotLoadStopsTheStart() async throws {
        let pki = try await SNSTestPKI.load()
        let directory = try TestDirectory(prefix: "sluice-https-bad")
        // Bounded: a `serve` that starts after all would otherwise run until the test process ends.
        let result = try await SluiceBinary.run(["serve"], environment: [
            "SLUICE_DATABASE_PATH": directory.path + "/sluice.sqlite", "SLUICE_HTTP_PORT": "0",
            // Both readable PEM files, but the key belongs to another certificate.
            "SLUICE_HTTP_TLS_CERT_FILE": pki.path("server.pem"), "SLUICE_HTTP_TLS_KEY_FILE": pki.path("sns.key"),
        ], timeout: .seconds(60))
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot start"))
        #expect(result.stderr.contains("private key does not match certificate"))
        // Refused before the store: no database was created.
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/sluice.sqlite"))
        // `config check` finds it ahead of a deploy, as a configuration error.
        let check = try await SluiceBinary.run(["config", "check"], environment: [
            "SLUICE_HTTP_TLS_CERT_FILE": pki.path("server.pem"), "SLUICE_HTTP_TLS_KEY_FILE": pki.path("sns.key"),
        ])
        #expect(check.status == 78)
        #expect(check.stderr.contains("http.tls_cert_file"))
        #expect(check.stderr.contains("private key does not match certificate"))
    }

    /// OpenSSL's default pass-phrase callback reads the terminal: with one attached (a shell, `docker run
    /// -it`) an encrypted key would block start and reload at "Enter PEM pass phrase:" forever.
    @Test func anEncryptedKeyIsRefusedAtOnceEvenWithATerminal() async throws {
        let pki = try await SNSTestPKI.load()
        let directory = try TestDirectory(prefix: "sluice-https-encrypted")
        let encrypted = directory.path + "/encrypted.key"
        let made = try await runChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["openssl", "pkey", "-in", pki.path("server.key"), "-aes256", "-passout", "pass:secret", "-out", encrypted], environment: nil)
        try #require(made.status == 0, "\(made.stderr)")
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLUICE_") }
        environment["SLUICE_HTTP_TLS_CERT_FILE"] = pki.path("server.pem")
        environment["SLUICE_HTTP_TLS_KEY_FILE"] = encrypted
        // `script` runs the command on a new pseudo-terminal; `timeout` ends a run that waits for input.
        let onTerminal = try await runChildProcess(
            URL(fileURLWithPath: "/usr/bin/timeout"),
            ["30", "/usr/bin/script", "-qec", "'\(sluiceExecutable.path)' config check", "/dev/null"], environment: environment)
        #expect(onTerminal.status == 78, "\(onTerminal.stdout)")
        #expect(onTerminal.stdout.contains("cannot load private key \(encrypted): it is encrypted"), "\(onTerminal.stdout)")
        #expect(!onTerminal.stdout.contains("Enter PEM pass phrase"))
    }
}
