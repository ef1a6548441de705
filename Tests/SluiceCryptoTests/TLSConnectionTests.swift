import Foundation
import Glibc
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceCrypto

/// TLSClientContext/TLSServerContext/TLSConnection over a socketpair, with Scripts/make-test-certs PKI.
struct TLSConnectionTests {
    static let pki: Result<String, CryptoError> = {
        let script = TestPaths.repositoryRoot.appendingPathComponent("Scripts/make-test-certs").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-crypto-pki-\(UUID().uuidString)").path
        removeAtProcessExit(directory)  // used by tests until the end: nothing releases a static
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script, directory]  // fixed arguments only
        guard (try? process.run()) != nil else { return .failure(CryptoError(.io, "cannot run make-test-certs")) }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? .success(directory) : .failure(CryptoError(.io, "make-test-certs failed"))
    }()

    /// Runs a server handshake on one end of a socketpair (in a thread) and a client handshake on the other.
    static func handshake(leaf: String, serverName: String, trustTestCA: Bool = true) throws -> (client: Result<TLSConnection, CryptoError>, server: TLSConnection?, fds: (Int32, Int32)) {
        let directory = try pki.get()
        let serverContext = try TLSServerContext(certificatePEMFile: "\(directory)/\(leaf).pem", keyPEMFile: "\(directory)/\(leaf).key")
        let clientContext = try TLSClientContext(configuration: TLSClientConfiguration(
            extraCAFile: trustTestCA ? "\(directory)/ca.pem" : nil, trustSystemStore: false))
        var pair: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        let serverFD = pair[1]
        let box = Mutex<TLSConnectionBox?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let connection = try? TLSConnection.accept(socket: serverFD, context: serverContext, deadline: .now + .seconds(5))
            box.withLock { $0 = TLSConnectionBox(connection: connection) }
            done.signal()
        }
        let client = Result { () throws(CryptoError) -> TLSConnection in
            try TLSConnection.connect(socket: pair[0], context: clientContext, serverName: serverName, deadline: .now + .seconds(5))
        }
        if case .failure = client { shutdown(pair[0], Int32(SHUT_RDWR)) }  // unblock the server's handshake
        done.wait()
        return (client, box.withLock { $0?.connection }, (pair[0], pair[1]))
    }

    @Test func handshakeThenExchangeData() throws {
        let (client, server, fds) = try Self.handshake(leaf: "server", serverName: "localhost")
        defer { close(fds.0); close(fds.1) }
        let connection = try client.get()
        let peer = try #require(server)
        try connection.write(Array("ping".utf8), deadline: .now + .seconds(2))
        #expect(try peer.read(maxBytes: 100, deadline: .now + .seconds(2)) == Array("ping".utf8))
        try peer.write(Array("pong".utf8), deadline: .now + .seconds(2))
        #expect(try connection.read(maxBytes: 100, deadline: .now + .seconds(2)) == Array("pong".utf8))
        peer.shutdown(deadline: .now + .seconds(1))
        #expect(try connection.read(maxBytes: 100, deadline: .now + .seconds(2)).isEmpty)
        #expect(connection.peerSentCloseNotify)
    }

    @Test func readTimesOutWhenPeerIsSilent() throws {
        let (client, server, fds) = try Self.handshake(leaf: "server", serverName: "localhost")
        defer { close(fds.0); close(fds.1) }
        _ = server
        let error = #expect(throws: CryptoError.self) { try client.get().read(maxBytes: 10, deadline: .now + .milliseconds(100)) }
        #expect(error?.code == .timeout)
    }

    @Test(arguments: [
        ("server", "example.com", CryptoError.Code.hostnameMismatch),
        ("wronghost", "localhost", .hostnameMismatch),
        ("expired", "localhost", .certificateExpired),
        ("selfsigned", "localhost", .certificateUntrusted),
    ])
    func handshakeFailures(_ leaf: String, _ serverName: String, _ expected: CryptoError.Code) throws {
        let (client, _, fds) = try Self.handshake(leaf: leaf, serverName: serverName)
        defer { close(fds.0); close(fds.1) }
        guard case .failure(let error) = client else {
            Issue.record("handshake unexpectedly succeeded")
            return
        }
        #expect(error.code == expected)
    }

    @Test func untrustedWithoutTheTestCA() throws {
        let (client, _, fds) = try Self.handshake(leaf: "server", serverName: "localhost", trustTestCA: false)
        defer { close(fds.0); close(fds.1) }
        guard case .failure(let error) = client else {
            Issue.record("handshake unexpectedly succeeded")
            return
        }
        #expect(error.code == .certificateUntrusted)
    }

    @Test func badServerFilesFailWithQueueCaptured() {
        let error = #expect(throws: CryptoError.self) { try TLSServerContext(certificatePEMFile: "/nonexistent.pem", keyPEMFile: "/nonexistent.key") }
        #expect(error?.code == .tlsConfiguration)
        #expect(error?.openSSLErrors.isEmpty == false)
    }
}

/// Carries a non-Sendable connection out of the server thread; only touched under the Mutex.
struct TLSConnectionBox: @unchecked Sendable {
    let connection: TLSConnection?
}
