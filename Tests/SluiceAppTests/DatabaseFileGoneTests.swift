import Foundation
import SluiceHTTP
import SluiceTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `rm sluice.sqlite` while the service runs: /readyz turns 503 and says why, SNS deliveries get 503
/// instead of being acknowledged into a file that is gone at the next restart.
struct DatabaseFileGoneTests {
    @Test func readinessAndWritesNoticeARemovedDatabaseFile() async throws {
        let folder = try TestDirectory(prefix: "sluice-file-gone")
        let path = folder.url.appendingPathComponent("sluice.sqlite").path
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_DATABASE_PATH": path])) { harness in
            let readyz = HTTPClientRequest(method: "GET", url: "http://127.0.0.1:\(harness.port)/readyz", headers: HTTPHeaders([]), body: [])
            #expect(try await harness.client.execute(readyz).status == 200)

            #expect(unlink(path) == 0)
            let notReady = try await harness.client.execute(readyz)
            #expect(notReady.status == 503)
            #expect(notReady.bodyText.contains("database not writable: fileReplaced: the database file was removed or replaced"), "\(notReady.bodyText)")
            let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.bounce("gone@example.com"))
            let refused = try await harness.post(envelope)
            #expect(refused.status == 503, "\(refused.bodyText)")
        }
    }
}
