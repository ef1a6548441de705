import Foundation
import SluiceCrypto
import SluiceHTTP
import Testing

/// HTTPClient over real TLS against TLSServerContext, with a throwaway PKI from Scripts/make-test-certs.
struct ClientTLSTests {
    static func server(_ leaf: String, body: String = "secure") async throws -> ClientTestServer {
        let pki = try await ClientTestPKI.load()
        let context = try TLSServerContext(certificatePEMFile: pki.path("\(leaf).pem"), keyPEMFile: pki.path("\(leaf).key"))
        return try ClientTestServer(tls: context) { _ in .ok(body) }
    }

    static func client(trustTestCA: Bool = true) async throws -> HTTPClient {
        let caFile = trustTestCA ? try await ClientTestPKI.load().caFile : nil
        return try ClientHTTPTests.client { $0.extraCAFile = caFile }
    }

    @Test func trustedCertificateGives200() async throws {
        let server = try await Self.server("server")
        defer { server.stop() }
        let response = try await Self.client().execute(HTTPClientRequest(url: "https://localhost:\(server.port)/hello"))
        #expect(response.status == 200)
        #expect(response.bodyText == "secure")
        #expect(server.requests.first?.header("Host") == "localhost:\(server.port)")
    }

    @Test func ipLiteralMatchesIPSubjectAltName() async throws {
        let server = try await Self.server("server")
        defer { server.stop() }
        let response = try await Self.client().execute(HTTPClientRequest(url: "https://127.0.0.1:\(server.port)/"))
        #expect(response.bodyText == "secure")
    }

    @Test func reusesTLSConnection() async throws {
        let server = try await Self.server("server")
        defer { server.stop() }
        let client = try await Self.client()
        let url = "https://localhost:\(server.port)/"
        _ = try await client.execute(HTTPClientRequest(url: url))
        _ = try await client.execute(HTTPClientRequest(url: url))
        #expect(server.connectionCount == 1)
        #expect(server.requests.count == 2)
    }

    /// A body delimited by the close ends only at the server's close_notify: a bare FIN may be an
    /// attacker cutting the response short (RFC 8446 §6.1).
    @Test func closeDelimitedBodyNeedsCloseNotify() async throws {
        let pki = try await ClientTestPKI.load()
        let context = try TLSServerContext(certificatePEMFile: pki.path("server.pem"), keyPEMFile: pki.path("server.key"))
        let unframed = Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it".utf8)
        let clean = try ClientTestServer(tls: context) { _ in .send(unframed, close: true) }
        let cut = try ClientTestServer(tls: context) { _ in .sendAndCut(unframed) }
        defer { clean.stop(); cut.stop() }
        let client = try await Self.client()
        let response = try await client.execute(HTTPClientRequest(url: "https://localhost:\(clean.port)/"))
        #expect(response.bodyText == "all of it")
        let code = await ClientFailureTests.code { _ = try await client.execute(HTTPClientRequest(url: "https://localhost:\(cut.port)/")) }
        #expect(code == .connectionClosed)
        // Framed bodies do not depend on how the connection ends.
        let framed = try ClientTestServer(tls: context) { _ in .sendAndCut(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)) }
        defer { framed.stop() }
        #expect(try await client.execute(HTTPClientRequest(url: "https://localhost:\(framed.port)/")).bodyText == "ok")
    }

    @Test func selfSignedCertificateIsUntrusted() async throws {
        let server = try await Self.server("selfsigned")
        defer { server.stop() }
        let client = try await Self.client()
        let code = await ClientFailureTests.code { _ = try await client.execute(HTTPClientRequest(url: "https://localhost:\(server.port)/")) }
        #expect(code == .certificateUntrusted)
        #expect(server.requests.isEmpty)
    }

    @Test func testCAIsNotTrustedWithoutExtraCAFile() async throws {
        let server = try await Self.server("server")
        defer { server.stop() }
        let client = try await Self.client(trustTestCA: false)
        let code = await ClientFailureTests.code { _ = try await client.execute(HTTPClientRequest(url: "https://localhost:\(server.port)/")) }
        #expect(code == .certificateUntrusted)
    }

    @Test func wrongHostNameIsRejected() async throws {
        let server = try await Self.server("wronghost")
        defer { server.stop() }
        let client = try await Self.client()
        let code = await ClientFailureTests.code { _ = try await client.execute(HTTPClientRequest(url: "https://localhost:\(server.port)/")) }
        #expect(code == .hostnameMismatch)
        let byIP = await ClientFailureTests.code { _ = try await client.execute(HTTPClientRequest(url: "https://127.0.0.1:\(server.port)/")) }
        #expect(byIP == .hostnameMismatch)
    }

    @Test func expiredCertificateIsRejected() async throws {
        let server = try await Self.server("expired")
        defer { server.stop() }
        let client = try await Self.client()
        let code = await ClientFailureTests.code { _ = try await client.execute(HTTPClientRequest(url: "https://localhost:\(server.port)/")) }
        #expect(code == .certificateExpired)
    }
}
