import SluiceTestSupport
import Foundation
import Glibc
import SluiceCore
import SluiceHTTP
import Testing
@testable import SluiceApp

/// A real full disk and a real read-only file system under the database (a small tmpfs; needs root
/// and mount(2), skipped elsewhere but on CI, where it fails instead): SNS and the API get 503, /readyz
/// says why, nothing acknowledged is lost, and the service recovers by itself once the fault is gone.
@Suite(.serialized, .enabled(if: TmpfsMount.isAvailable || TmpfsMount.isRequired, "needs root and permission to mount a tmpfs"))
struct DiskFaultTests {
    static let token = "disk-fault-token"

    @Test func fullDiskAnswers503AndRecoversWhenSpaceReturns() async throws {
        let mount = try TmpfsMount(sizeKiB: 4096)
        defer { mount.unmount() }
        let harness = try await SNSAppHarness.make(extra: [
            "SLUICE_DATABASE_PATH": mount.path + "/sluice.sqlite", "SLUICE_API_TOKENS": Self.token,
        ])
        try await withFixture(harness) { harness in
            #expect(try await Self.get(harness, "/readyz").status == 200)

            // Fill the file system, then deliver bounces (each with ~16 KB zlib cannot shrink) until the
            // store refuses one: the WAL must grow and cannot.
            try mount.fill()
            var acknowledged: [String] = []
            var refused: SNSEnvelope?
            for i in 0..<60 {
                let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: Self.paddedBounce("full\(i)@example.com"))
                let response = try await harness.post(envelope)
                if response.status == 200 {
                    acknowledged.append(envelope.messageId)
                    continue
                }
                #expect(response.status == 503, "\(response.bodyText)")
                #expect(response.headers["Retry-After"] != nil)
                refused = envelope
                break
            }
            let held = try #require(refused, "the store never refused a write on a full disk")
            try mount.fill()  // whatever SQLite released while failing is taken too

            let put = try await Self.request(harness, "PUT", "/v1/suppressions/op@example.com", body: #"{"reason":"manual"}"#)
            #expect(put.status == 503)
            #expect(put.bodyText.contains(#""code":"store_unavailable""#), "\(put.bodyText)")
            #expect(put.bodyText.contains("full"), "the error names the cause: \(put.bodyText)")
            let notReady = try await Self.get(harness, "/readyz")
            #expect(notReady.status == 503)
            #expect(notReady.bodyText.contains("database not writable: full"), "\(notReady.bodyText)")
            // Reads keep working while writes cannot.
            #expect(try await Self.get(harness, "/healthz").status == 200)
            #expect(try await Self.request(harness, "GET", "/v1/suppressions?limit=1").status == 200)

            // Space returns: no restart, the next probe and SNS's retry succeed.
            mount.freeFiller()
            #expect(try await eventually { try await Self.get(harness, "/readyz").status == 200 })
            let retried = try await harness.post(held)
            #expect(retried.status == 200, "\(retried.bodyText)")
            #expect(try await Self.request(harness, "PUT", "/v1/suppressions/op@example.com", body: #"{"reason":"manual"}"#).status == 200)
            for id in acknowledged + [held.messageId] {
                #expect(try await harness.context.store.hasMessage(id: id), "acknowledged message \(id) is missing")
            }
            #expect(try await harness.context.store.integrityCheck(quick: false) == [])
        }
    }

    @Test func readOnlyFileSystemAnswers503AndRecoversWhenWritableAgain() async throws {
        let mount = try TmpfsMount(sizeKiB: 8192)
        defer { mount.unmount() }
        let path = mount.path + "/sluice.sqlite"
        // A database with one acknowledged message, then the file system turns read-only under a new start
        // (a running process holds the files open for writing, so Linux refuses the remount until it stops).
        var first: SNSEnvelope
        do {
            let harness = try await SNSAppHarness.make(extra: ["SLUICE_DATABASE_PATH": path, "SLUICE_API_TOKENS": Self.token])
            first = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.bounce("before@example.com"))
            #expect(try await harness.post(first).status == 200)
            await harness.stop()
        }
        try mount.remount(readOnly: true)
        try await withFixture(try await SNSAppHarness.make(extra: ["SLUICE_DATABASE_PATH": path, "SLUICE_API_TOKENS": Self.token])) { harness in

            let envelope = try await SNSEnvelope.signed(harness.pki, certURL: harness.certURL, message: SESPayload.bounce("ro@example.com"))
            let refused = try await harness.post(envelope)
            #expect(refused.status == 503, "\(refused.bodyText)")
            let put = try await Self.request(harness, "PUT", "/v1/suppressions/op@example.com", body: "")
            #expect(put.status == 503)
            #expect(put.bodyText.contains("readOnly"), "\(put.bodyText)")
            let notReady = try await Self.get(harness, "/readyz")
            #expect(notReady.status == 503)
            #expect(notReady.bodyText.contains("database not writable"), "\(notReady.bodyText)")
            // What was acknowledged before is still served.
            #expect(try await Self.request(harness, "GET", "/v1/suppressions/before@example.com").status == 200)

            try mount.remount(readOnly: false)
            #expect(try await eventually { try await Self.get(harness, "/readyz").status == 200 })
            #expect(try await harness.post(envelope).status == 200)
            #expect(try await harness.context.store.hasMessage(id: first.messageId))
            #expect(try await harness.context.store.hasMessage(id: envelope.messageId))
        }
    }

    // MARK: helpers

    static func paddedBounce(_ address: String) -> String {
        let noise = (0..<12_000).map { _ in UInt8.random(in: 0...255) }
        var payload = SESPayload.bounce(address)
        payload.insert(contentsOf: #""padding":"\#(Data(noise).base64EncodedString())","#, at: payload.index(after: payload.startIndex))
        return payload
    }

    static func get(_ harness: SNSAppHarness, _ path: String) async throws -> HTTPClientResponse {
        try await request(harness, "GET", path)
    }

    static func request(_ harness: SNSAppHarness, _ method: String, _ path: String, body: String = "") async throws -> HTTPClientResponse {
        try await harness.client.execute(HTTPClientRequest(
            method: method, url: "http://127.0.0.1:\(harness.port)\(path)",
            headers: HTTPHeaders([("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]), body: Array(body.utf8)))
    }

}

/// A tmpfs mounted on a fresh temporary folder, with a filler file to make it full.
final class TmpfsMount: Sendable {
    let path: String
    var filler: String { path + "/filler" }

    /// On CI (`CI=true`, as `.ci/run` sets it) the suite runs even when mounting fails, and so fails.
    static let isRequired = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Whether this process may mount (root with CAP_SYS_ADMIN, as in the CI container).
    static let isAvailable: Bool = {
        guard geteuid() == 0, let probe = try? TmpfsMount(sizeKiB: 64) else { return false }
        probe.unmount()
        return true
    }()

    init(sizeKiB: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard Self.run(["mount", "-t", "tmpfs", "-o", "size=\(sizeKiB)k,mode=0755", "tmpfs", path]) else {
            try? FileManager.default.removeItem(atPath: path)
            throw SNSTestError("cannot mount a tmpfs on \(path)")
        }
    }

    func remount(readOnly: Bool) throws {
        guard Self.run(["mount", "-o", "remount,\(readOnly ? "ro" : "rw")", path]) else {
            throw SNSTestError("remount \(readOnly ? "ro" : "rw") of \(path) failed")
        }
    }

    /// Appends to the filler file until the file system has no space left (ENOSPC).
    func fill() throws {
        let fd = open(filler, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw SNSTestError("cannot open \(filler): errno \(errno)") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x5A, count: 4096)
        // Bounded: the tmpfs is a few MiB.
        for _ in 0..<100_000 {
            let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < chunk.count { return }
        }
    }

    func freeFiller() {
        unlink(filler)
    }

    func unmount() {
        _ = Self.run(["umount", "-l", path])
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func run(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
