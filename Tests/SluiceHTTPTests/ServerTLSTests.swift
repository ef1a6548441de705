import Foundation
import SluiceCrypto
import SluiceTestSupport
import Testing
@testable import SluiceHTTP

#if canImport(Glibc)
import Glibc
#endif

/// The server over HTTPS: real OpenSSL on both ends, a throwaway PKI from Scripts/make-test-certs.
struct ServerTLSTests {
    static func identity(_ leaf: String = "server") async throws -> TLSServerIdentity {
        let pki = try await ClientTestPKI.load()
        return try TLSServerIdentity(certificateFile: pki.path("\(leaf).pem"), keyFile: pki.path("\(leaf).key"))
    }

    /// A blocking TLS client on a fresh connection, trusting only the test CA (run it off the pool).
    static func connectTLS(port: Int, caFile: String) throws -> (RawClient, TLSConnection) {
        let raw = try RawClient(port: port)
        let context = try TLSClientContext(configuration: TLSClientConfiguration(extraCAFile: caFile, trustSystemStore: false))
        let tls = try TLSConnection.connect(socket: raw.fd, context: context, serverName: "localhost", deadline: .now + .seconds(5))
        return (raw, tls)
    }

    /// Everything the server sends until it closes.
    static func readAll(_ tls: TLSConnection) throws -> String {
        var received: [UInt8] = []
        while received.count < 1 << 20 {
            let chunk = try tls.read(maxBytes: 64 * 1024, deadline: .now + .seconds(5))
            if chunk.isEmpty { break }
            received += chunk
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// The raw bytes the server sends until it closes; false if it did not close within the socket's timeout.
    static func readUntilClose(_ fd: Int32) -> ([UInt8], Bool) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while received.count < 1 << 16 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { received += chunk[0..<n]; continue }
            return (received, n == 0 || errno == ECONNRESET)
        }
        return (received, false)
    }

    @Test func servesRequestsAndLargeBodiesOverOneKeptConnection() async throws {
        let tls = try await Self.identity()
        try await withServer(echoRouter(), configure: { $0.tls = tls }) { server in
            let client = try await ClientTLSTests.client()
            let hello = try await client.execute(HTTPClientRequest(url: "https://localhost:\(server.port)/hello"))
            #expect(hello.status == 200)
            #expect(hello.bodyText == "hello")
            // Many TLS records each way, more than a socket buffer holds: partial reads and writes.
            let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
            let echoed = try await client.execute(HTTPClientRequest(method: "POST", url: "https://localhost:\(server.port)/echo", body: body))
            #expect(echoed.status == 200)
            #expect(echoed.body == body)
            #expect(server.connectionCount == 1)
        }
    }

    @Test func answersPipelinedRequestsInOrderThenSendsCloseNotify() async throws {
        let tls = try await Self.identity()
        let pki = try await ClientTestPKI.load()
        try await withServer(echoRouter(), configure: { $0.tls = tls }) { server in
            let text = try await offPool {
                let (raw, connection) = try Self.connectTLS(port: server.port, caFile: pki.caFile)
                defer { withExtendedLifetime(raw) {} }
                let requests = "GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                try connection.write(Array(requests.utf8), deadline: .now + .seconds(5))
                let text = try Self.readAll(connection)
                #expect(connection.peerSentCloseNotify)
                return text
            }
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
            let first = try #require(text.range(of: "n=1"))
            let second = try #require(text.range(of: "n=2"))
            #expect(first.lowerBound < second.lowerBound)
        }
    }

    /// Every method, not only the four OpenSSL recognises (GET, POST, HEAD, PUT).
    @Test(arguments: ["GET", "POST", "DELETE", "PATCH", "OPTIONS", "TRACE"])
    func plainHTTPOnTheHTTPSPortGets400ThenClose(_ method: String) async throws {
        let tls = try await Self.identity()
        try await withServer(echoRouter(), configure: { $0.tls = tls }) { server in
            let (response, closed) = try await offPool {
                let raw = try RawClient(port: server.port)
                let response = try raw.roundTrip("\(method) /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
                return (response, raw.isClosedByPeer())
            }
            #expect(response.status == 400)
            #expect(response.errorCode == "https_required")
            #expect(closed)
        }
    }

    @Test func brokenHandshakeIsClosedAndTheServerServesOn() async throws {
        let tls = try await Self.identity()
        try await withServer(echoRouter(), configure: { $0.tls = tls }) { server in
            let (reply, closed) = try await offPool {
                let raw = try RawClient(port: server.port)
                // A TLS record header announcing a handshake, then bytes no ClientHello has.
                try raw.send([0x16, 0x03, 0x01, 0x00, 0x08] + Array("garbage!".utf8))
                return Self.readUntilClose(raw.fd)
            }
            #expect(closed)
            // At most OpenSSL's alert record (content type 21), never an HTTP answer.
            #expect(reply.isEmpty || reply.first == 0x15)
            #expect(reply.count < 64)
            let response = try await ClientTLSTests.client().execute(HTTPClientRequest(url: "https://localhost:\(server.port)/hello"))
            #expect(response.bodyText == "hello")
        }
    }

    @Test func overTheConnectionCapANewConnectionIsClosedWithoutPlaintext() async throws {
        let tls = try await Self.identity()
        let pki = try await ClientTestPKI.load()
        try await withServer(echoRouter(), configure: { $0.tls = tls; $0.maxConnections = 1 }) { server in
            let (reply, closed, stillServed) = try await offPool {
                let (raw, held) = try Self.connectTLS(port: server.port, caFile: pki.caFile)
                let extra = try RawClient(port: server.port)
                let (reply, closed) = Self.readUntilClose(extra.fd)
                // The held connection is untouched by the refusal.
                try held.write(Array("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), deadline: .now + .seconds(5))
                let answer = try Self.readAll(held)
                withExtendedLifetime(raw) {}
                return (reply, closed, answer.hasPrefix("HTTP/1.1 200"))
            }
            // A plaintext 503 would be garbage to a TLS client: nothing is sent, the socket just closes.
            #expect(reply.isEmpty)
            #expect(closed)
            #expect(stillServed)
        }
    }

    @Test func silentClientIsClosedAtTheHeaderDeadline() async throws {
        let tls = try await Self.identity()
        // The idle timeout is far beyond the client's 5 s wait: a close within it is the header deadline's.
        try await withServer(echoRouter(), configure: { $0.tls = tls; $0.headerReadTimeout = .milliseconds(300); $0.idleTimeout = .seconds(120) }) { server in
            let closed = try await offPool {
                let raw = try RawClient(port: server.port)
                return raw.isClosedByPeer()  // blocks until the server closes (false after 5 s)
            }
            #expect(closed)
        }
    }

    @Test func renewedCertificateServesNewConnectionsOnly() async throws {
        let pki = try await ClientTestPKI.load()
        let directory = try TestDirectory(prefix: "sluice-tls-reload")
        let certificate = directory.path + "/cert.pem", key = directory.path + "/key.pem"
        /// Replaces `target` with a copy of `source` by rename, as certbot and secret mounts do.
        func install(_ source: String, at target: String) throws {
            let staged = target + ".new"
            try? FileManager.default.removeItem(atPath: staged)
            try FileManager.default.copyItem(atPath: source, toPath: staged)
            guard rename(staged, target) == 0 else { throw RawClientError(description: "rename failed errno \(errno)") }
        }
        try install(pki.path("server.pem"), at: certificate)
        try install(pki.path("server.key"), at: key)
        let identity = try TLSServerIdentity(certificateFile: certificate, keyFile: key)
        #expect(try identity.reloadIfChanged() == nil)

        try await withServer(echoRouter(), configure: { $0.tls = identity }) { server in
            let url = "https://localhost:\(server.port)/hello"
            let kept = try await ClientTLSTests.client()
            #expect(try await kept.execute(HTTPClientRequest(url: url)).status == 200)

            // Half a renewal (the key first): the pair does not load and the old one stays in service.
            try install(pki.path("wronghost.key"), at: key)
            let mismatch = #expect(throws: CryptoError.self) { try identity.reloadIfChanged() }
            #expect(mismatch?.code == .tlsConfiguration)
            #expect(try await ClientTLSTests.client().execute(HTTPClientRequest(url: url)).status == 200)

            // The whole pair: new connections get the new certificate (issued for wrong.example only).
            try install(pki.path("wronghost.pem"), at: certificate)
            let reloaded = try #require(try identity.reloadIfChanged())
            #expect(reloaded.leaf.subjectAlternativeDNSNames == ["wrong.example"])
            let code = await ClientFailureTests.code { _ = try await ClientTLSTests.client().execute(HTTPClientRequest(url: url)) }
            #expect(code == .hostnameMismatch)
            // A connection made before keeps its session.
            #expect(try await kept.execute(HTTPClientRequest(url: url)).status == 200)

            // A stale pair (a renewal hook that copied an old one) is refused; the current one stays.
            try install(pki.path("expired.pem"), at: certificate)
            try install(pki.path("expired.key"), at: key)
            let stale = #expect(throws: CryptoError.self) { try identity.reloadIfChanged() }
            #expect(stale?.message.contains("expired at 2020-01-01") == true, "\(String(describing: stale))")
            #expect(identity.current.leaf.subjectAlternativeDNSNames == ["wrong.example"])
        }
    }

    @Test func aPairNotValidNowIsRefusedAtLoad() async throws {
        let pki = try await ClientTestPKI.load()
        let expired = #expect(throws: CryptoError.self) {
            try TLSServerIdentity(certificateFile: pki.path("expired.pem"), keyFile: pki.path("expired.key"))
        }
        #expect(expired?.code == .tlsConfiguration)
        #expect(expired?.message.contains("expired at") == true)
        // Before its validity starts, the same way.
        let early = #expect(throws: CryptoError.self) {
            try TLSServerIdentity(
                certificateFile: pki.path("server.pem"), keyFile: pki.path("server.key"), now: { Date(timeIntervalSince1970: 0) })
        }
        #expect(early?.message.contains("is not valid before") == true)
        #expect(try TLSServerIdentity(certificateFile: pki.path("server.pem"), keyFile: pki.path("server.key")).current.leaf.notAfter > Date())
    }
}
