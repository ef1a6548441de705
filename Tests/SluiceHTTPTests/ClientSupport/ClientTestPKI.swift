import Foundation
import SluiceTestSupport

/// A throwaway PKI made once per test process by Scripts/make-test-certs (needs the `openssl` CLI),
/// removed when the process exits.
struct ClientTestPKI: Sendable {
    let directory: String

    func path(_ name: String) -> String { directory + "/" + name }
    var caFile: String { path("ca.pem") }

    static let shared: Result<ClientTestPKI, ClientTestPKIError> = {
        var root = URL(fileURLWithPath: #filePath)
        while root.lastPathComponent != "Tests" && root.path != "/" { root.deleteLastPathComponent() }
        let script = root.deletingLastPathComponent().appendingPathComponent("Scripts/make-test-certs").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-client-pki-\(UUID().uuidString)").path
        removeAtProcessExit(directory)  // used by tests until the end: nothing releases a static
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // Fixed arguments only: the script path from #filePath and a fresh temp directory.
        process.arguments = [script, directory]
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return .failure(ClientTestPKIError(message: "cannot run make-test-certs: \(error)"))
        }
        guard process.terminationStatus == 0 else {
            return .failure(ClientTestPKIError(message: "make-test-certs exited with \(process.terminationStatus)"))
        }
        return .success(ClientTestPKI(directory: directory))
    }()

    /// Loads (first call: generates) the PKI on a thread of its own: the one-time initialiser blocks
    /// for seconds, and blocking the cooperative pool starves the other tests.
    static func load() async throws -> ClientTestPKI { try await offPool { try shared.get() } }
}

struct ClientTestPKIError: Error, Sendable {
    let message: String
}
