import SluiceTestSupport
import Foundation
import SluiceAWS
import SluiceCore
import Testing
@testable import SluiceAWS

/// `SigningCertificateProvider` against a real HTTPS server on 127.0.0.1: failures are never cached,
/// one fetch per URL however many callers wait, durable store as second level.
struct SNSSigningCertificateProviderTests {
    static func provider(
        _ pki: SNSTestPKI, _ server: SNSTestServer, store: (any SigningCertificateStore)? = nil, backoff: TimeInterval = 0,
        clock: SNSTestClock? = nil, configure: (inout SigningCertificateProviderConfiguration) -> Void = { _ in }
    ) throws -> SigningCertificateProvider {
        var configuration = SNSTestKit.providerConfiguration(pki, backoff: backoff)
        configure(&configuration)
        var now: @Sendable () -> Date = { Date() }
        if let clock { now = clock.function }
        return try SigningCertificateProvider(
            configuration: configuration, policy: SNSTestKit.policy(port: server.port), store: store, logger: SNSTestKit.logger,
            now: now)
    }

    static func fetch(_ provider: SigningCertificateProvider, _ url: String) async -> Result<String?, SNSVerificationError> {
        do {
            return .success(try await provider.certificate(for: url, topicArn: SNSTestKit.topicArn).subjectCommonName)
        } catch {
            return .failure(error)
        }
    }

    static func failure(_ result: Result<String?, SNSVerificationError>) -> SNSVerificationError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    enum Broken: String, CaseIterable, Sendable {
        case notFound, serverError, garbage, twoCertificates, oversize, hang, redirect
    }

    /// Each broken answer is a failure that is not cached: transient, except a 404 (no such certificate);
    /// after the server is fixed the next call fetches again.
    @Test(arguments: Broken.allCases)
    func failedFetchIsTransientAndNotCached(_ broken: Broken) async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        let pem = try pki.pem("sns")
        switch broken {
        case .notFound: break  // unknown paths get 404
        case .serverError: routes.set(path, .response("oops", status: "500 Internal Server Error"))
        case .garbage: routes.set(path, .response("<html>not a certificate</html>"))
        case .twoCertificates: routes.set(path, .response(pem + pem))
        case .oversize: routes.set(path, .response(pem + Array(repeating: UInt8(ascii: "\n"), count: 17 * 1024)))
        case .hang: routes.set(path, .hang)
        case .redirect:
            let target = SNSTestKit.newCertPath()
            try routes.serveCertificate(target, pki)
            routes.set(path, .response("", status: "302 Found", headers: ["Location: \(server.origin)\(target)"]))
        }
        let provider = try Self.provider(pki, server)
        let url = server.origin + path

        let error = try #require(Self.failure(await Self.fetch(provider, url)))
        #expect(error.code == .certificateFetchFailed)
        #expect(error.isTransient == (broken != .notFound))
        #expect(!error.message.contains("<html>"))
        #expect(server.count(path: path) == 1)
        #expect(server.requests.count == 1)  // a redirect is not followed
        #expect(await provider.cachedCount == 0)

        try routes.serveCertificate(path, pki)
        #expect(try await Self.fetch(provider, url).get() == "sns.amazonaws.com")
        #expect(server.count(path: path) == 2)
    }

    /// Production values, asserted as numbers: the tests below build providers with a short timeout,
    /// so nothing else would notice these defaults drifting.
    @Test func productionFetchDefaultsAreFiveSecondsAndSixteenKiB() throws {
        let defaults = SigningCertificateProviderConfiguration()
        #expect(defaults.fetchTimeout == .seconds(5))
        #expect(defaults.maxCertificateBytes == 16_384)
        let production = try SigningCertificateProvider(policy: SNSSecurityPolicy(), logger: SNSTestKit.logger)
        #expect(production.configuration.fetchTimeout == .seconds(5))
        #expect(production.configuration.maxCertificateBytes == 16_384)
    }

    /// How the cert server frames the body: each framing has its own size check in the HTTP client.
    enum Framing: String, CaseIterable, Sendable {
        case contentLength, chunked, untilClose

        func reply(_ body: [UInt8]) -> SNSTestServer.Reply {
            switch self {
            case .contentLength:
                return .response(body)
            case .chunked:
                let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                // Two chunks, so the running total (not one chunk's size) is what meets the cap.
                let half = body.count / 2
                var bytes = Array(head.utf8)
                for part in [body[..<half], body[half...]] {
                    bytes += Array("\(String(part.count, radix: 16))\r\n".utf8) + part + Array("\r\n".utf8)
                }
                return .send(bytes + Array("0\r\n\r\n".utf8))
            case .untilClose:
                return .send(Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".utf8) + body)
            }
        }
    }

    /// The production cap is inclusive: a certificate padded with trailing newlines to exactly 16 KiB is
    /// accepted; one byte more fails as a transient fetch error and leaves no verdict behind, so the
    /// exact-size answer at the same URL is fetched again and cached.
    @Test(arguments: Framing.allCases)
    func certificateBodyAtTheSizeCapIsAcceptedAndOneByteOverIsNot(_ framing: Framing) async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let provider = try Self.provider(pki, server)
        let cap = provider.configuration.maxCertificateBytes
        #expect(cap == SigningCertificateProviderConfiguration().maxCertificateBytes)
        let pem = try pki.pem("sns")
        let atCap = pem + Array(repeating: UInt8(ascii: "\n"), count: cap - pem.count)
        #expect(atCap.count == cap)
        let path = SNSTestKit.newCertPath()
        let url = server.origin + path

        routes.set(path, framing.reply(atCap + [UInt8(ascii: "\n")]))
        let error = try #require(Self.failure(await Self.fetch(provider, url)))
        #expect(error.code == .certificateFetchFailed)
        #expect(error.isTransient)
        #expect(error.message.contains("responseTooLarge"), "\(error.message)")
        #expect(await provider.cachedCount == 0)

        routes.set(path, framing.reply(atCap))
        #expect(try await Self.fetch(provider, url).get() == "sns.amazonaws.com")
        #expect(server.count(path: path) == 2)
        #expect(await provider.cachedCount == 1)
        _ = try await Self.fetch(provider, url).get()
        #expect(server.count(path: path) == 2)
    }

    @Test func httpStatusIsReported() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, _) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let error = Self.failure(await Self.fetch(try Self.provider(pki, server), server.origin + SNSTestKit.newCertPath()))
        #expect(error?.httpStatus == 404)
    }

    @Test func failureBackoffIsShortAndThenRetries() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        let clock = SNSTestClock()
        let provider = try Self.provider(pki, server, backoff: 3, clock: clock)
        let url = server.origin + path
        routes.set(path, .response("oops", status: "503 Service Unavailable"))
        #expect(Self.failure(await Self.fetch(provider, url))?.code == .certificateFetchFailed)
        try routes.serveCertificate(path, pki)
        // Within the backoff window: refused at once, transient, without a request.
        let backingOff = Self.failure(await Self.fetch(provider, url))
        #expect(backingOff?.code == .certificateFetchFailed)
        #expect(backingOff?.isTransient == true)
        #expect(server.count(path: path) == 1)
        clock.advance(by: 3)
        #expect(try await Self.fetch(provider, url).get() == "sns.amazonaws.com")
        #expect(server.count(path: path) == 2)
    }

    /// The host has no such certificate (404), or it names no SNS signer: within the backoff the same
    /// permanent answer comes back (a 403 at the endpoint, not a 503), without a request.
    @Test func aPermanentFailureKeepsItsAnswerDuringTheBackoff() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let missing = SNSTestKit.newCertPath(), misnamed = SNSTestKit.newCertPath()
        try routes.serveCertificate(misnamed, pki, name: "sns-wrongname")
        let clock = SNSTestClock()
        let provider = try Self.provider(pki, server, backoff: 3, clock: clock)
        for (path, code, status) in [(missing, SNSVerificationError.Code.certificateFetchFailed, 404), (misnamed, .certificateNameMismatch, nil)] {
            let first = Self.failure(await Self.fetch(provider, server.origin + path))
            let again = Self.failure(await Self.fetch(provider, server.origin + path))
            for error in [first, again] {
                #expect(error?.code == code)
                #expect(error?.isTransient == false)
                #expect(error?.httpStatus == status)
            }
            #expect(server.count(path: path) == 1)
        }
    }

    @Test func wrongNameIsNotCachedEither() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki, name: "sns-wrongname")
        let provider = try Self.provider(pki, server)
        let url = server.origin + path
        let error = Self.failure(await Self.fetch(provider, url))
        #expect(error?.code == .certificateNameMismatch)
        #expect(error?.isTransient == false)
        try routes.serveCertificate(path, pki)
        #expect(try await Self.fetch(provider, url).get() == "sns.amazonaws.com")
        #expect(server.count(path: path) == 2)
    }

    @Test func weakOrNonRSAKeyIsRejected() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let rsa = SNSTestKit.newCertPath(), ec = SNSTestKit.newCertPath()
        try routes.serveCertificate(rsa, pki)
        try routes.serveCertificate(ec, pki, name: "server")  // the EC TLS certificate
        let strict = try Self.provider(pki, server) { $0.minimumRSAKeyBits = 3072; $0.acceptedNames = ["sns.amazonaws.com", "localhost"] }
        #expect(Self.failure(await Self.fetch(strict, server.origin + rsa))?.code == .certificateInvalid)
        #expect(Self.failure(await Self.fetch(strict, server.origin + ec))?.code == .certificateInvalid)
    }

    @Test func concurrentCallersShareOneFetch() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki)
        routes.closeGate()
        let policy = SNSTestKit.policy(port: server.port)
        let provider = try Self.provider(pki, server) { $0.fetchTimeout = .seconds(20) }
        let verifier = SNSSignatureVerifier(policy: policy, certificates: provider)
        let message = try SNSTestKit.signed(pki, certURL: server.origin + path)
        let callers = 50

        let codes = try await withThrowingTaskGroup(of: SNSVerificationError.Code?.self) { group in
            for _ in 0..<callers {
                group.addTask { await SNSSignatureVerifierTests.code(verifier, message) }
            }
            // Hold the one response until every caller is waiting on it (bounded: ~10 s).
            for _ in 0..<1000 where await provider.waiterCount(for: message.signingCertURL) < callers {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(await provider.waiterCount(for: message.signingCertURL) == callers)
            routes.openGate()
            var codes: [SNSVerificationError.Code?] = []
            for try await code in group { codes.append(code) }
            return codes
        }
        #expect(codes.count == callers)
        #expect(codes.allSatisfy { $0 == nil })
        #expect(server.count(path: path) == 1)
    }

    @Test func backoffIsClampedToAFewSeconds() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        let clock = SNSTestClock()
        let provider = try Self.provider(pki, server, backoff: 86400, clock: clock)
        let url = server.origin + path
        #expect(Self.failure(await Self.fetch(provider, url))?.code == .certificateFetchFailed)
        try routes.serveCertificate(path, pki)
        clock.advance(by: SigningCertificateProvider.maxFailureBackoff)
        #expect(try await Self.fetch(provider, url).get() == "sns.amazonaws.com")
        #expect(server.count(path: path) == 2)
    }

    @Test func fetchesBeyondTheConcurrencyLimitFailFast() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let first = SNSTestKit.newCertPath(), second = SNSTestKit.newCertPath()
        try routes.serveCertificate(first, pki)
        try routes.serveCertificate(second, pki)
        routes.closeGate()
        let provider = try Self.provider(pki, server) {
            $0.maxConcurrentFetches = 1
            $0.fetchTimeout = .seconds(20)
        }
        let pending = Task { await Self.fetch(provider, server.origin + first) }
        for _ in 0..<1000 where await provider.waiterCount(for: server.origin + first) < 1 {
            try await Task.sleep(for: .milliseconds(10))
        }
        let refused = Self.failure(await Self.fetch(provider, server.origin + second))
        #expect(refused?.code == .certificateFetchFailed)
        #expect(refused?.isTransient == true)
        routes.openGate()
        #expect(try await pending.value.get() == "sns.amazonaws.com")
        #expect(server.count(path: second) == 0)
        #expect(try await Self.fetch(provider, server.origin + second).get() == "sns.amazonaws.com")
    }

    /// One client holds at most its share of the fetch slots; another client's fetch still starts.
    @Test func oneClientCannotHoldEveryFetchSlot() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let paths = (0..<4).map { _ in SNSTestKit.newCertPath() }
        for path in paths { try routes.serveCertificate(path, pki) }
        routes.closeGate()
        let provider = try Self.provider(pki, server) {
            $0.maxConcurrentFetches = 8
            $0.clientAdmission.maxFetchesPerClient = 2
            $0.fetchTimeout = .seconds(20)
        }
        func fetch(_ path: String, from client: String) async -> Result<String?, SNSVerificationError> {
            do {
                return .success(try await provider.certificate(
                    for: server.origin + path, topicArn: SNSTestKit.topicArn, requestedBy: client).subjectCommonName)
            } catch {
                return .failure(error)
            }
        }
        let held = [paths[0], paths[1]].map { path in Task { await fetch(path, from: "192.0.2.1:1000") } }
        for path in paths[0...1] {
            for _ in 0..<1000 where await provider.waiterCount(for: server.origin + path) < 1 {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        let refused = Self.failure(await fetch(paths[2], from: "192.0.2.1:1001"))
        #expect(refused?.code == .certificateFetchHeld)
        #expect(refused?.isTransient == true)
        #expect(refused?.message.contains("already has certificate fetches running") == true)
        let other = Task { await fetch(paths[3], from: "192.0.2.2:1000") }
        for _ in 0..<1000 where await provider.waiterCount(for: server.origin + paths[3]) < 1 {
            try await Task.sleep(for: .milliseconds(10))
        }
        routes.openGate()
        for task in held + [other] { #expect(try await task.value.get() == "sns.amazonaws.com") }
        #expect(server.count(path: paths[2]) == 0)
        #expect(provider.fetchGate.count == 0)
    }

    @Test func memoryCacheHoldsUntilTTL() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki)
        let clock = SNSTestClock()
        let provider = try Self.provider(pki, server, clock: clock) { $0.cacheTTL = 600 }
        let url = server.origin + path
        _ = try await Self.fetch(provider, url).get()
        _ = try await Self.fetch(provider, url).get()
        #expect(server.count(path: path) == 1)
        clock.advance(by: 599)
        _ = try await Self.fetch(provider, url).get()
        #expect(server.count(path: path) == 1)
        clock.advance(by: 1)
        _ = try await Self.fetch(provider, url).get()
        #expect(server.count(path: path) == 2)
    }

    @Test func durableStoreServesASecondProvider() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki)
        let store = InMemorySigningCertificateStore()
        let url = server.origin + path
        let before = Date()
        _ = try await Self.fetch(try Self.provider(pki, server, store: store), url).get()
        #expect(server.count(path: path) == 1)
        #expect(store.urls == [url])
        let saved = try #require(await store.load(url: url))
        #expect(saved.pem == (try pki.pem("sns")))
        #expect(saved.expiresAt > before && saved.expiresAt <= Date() + 24 * 3600)

        let second = try Self.provider(pki, server, store: store)
        #expect(try await Self.fetch(second, url).get() == "sns.amazonaws.com")
        #expect(server.count(path: path) == 1)
    }

    @Test func durableStoreEntryIsCheckedAndExpires() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let wrong = SNSTestKit.newCertPath(), stale = SNSTestKit.newCertPath()
        try routes.serveCertificate(wrong, pki)
        try routes.serveCertificate(stale, pki)
        let store = InMemorySigningCertificateStore(entries: [
            server.origin + wrong: (try pki.pem("sns-wrongname"), Date.distantFuture),
            server.origin + stale: (try pki.pem("sns"), Date(timeIntervalSinceNow: -1)),
        ])
        let provider = try Self.provider(pki, server, store: store)
        #expect(try await Self.fetch(provider, server.origin + wrong).get() == "sns.amazonaws.com")
        #expect(try await Self.fetch(provider, server.origin + stale).get() == "sns.amazonaws.com")
        #expect(server.count(path: wrong) == 1)
        #expect(server.count(path: stale) == 1)
        #expect(store.saveCount == 2)
    }

    @Test func expiredCertificateIsNotCached() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki, name: "sns-expired")
        let store = InMemorySigningCertificateStore()
        let provider = try Self.provider(pki, server, store: store)
        _ = try await Self.fetch(provider, server.origin + path).get()
        _ = try await Self.fetch(provider, server.origin + path).get()
        #expect(server.count(path: path) == 2)
        #expect(store.saveCount == 0)
    }

    @Test func urlIsRecheckedByTheProvider() async throws {
        let pki = try await SNSTestPKI.load()
        let (server, routes) = try SNSTestRoutes.start(pki)
        defer { server.stop() }
        let path = SNSTestKit.newCertPath()
        try routes.serveCertificate(path, pki)
        let provider = try Self.provider(pki, server)
        for url in ["http://127.0.0.1:\(server.port)\(path)", "https://127.0.0.1:\(server.port)/x\(path)", ""] {
            #expect(Self.failure(await Self.fetch(provider, url))?.code == .certificateURLRejected)
        }
        // The production policy refuses a host outside the topic's region (CVE-2023-33185 class).
        let production = try SigningCertificateProvider(policy: SNSSecurityPolicy(), logger: SNSTestKit.logger)
        for url in [
            "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-abc.pem",
            "https://s3.amazonaws.com/SimpleNotificationService-abc.pem",
            "https://evil.amazonaws.com/SimpleNotificationService-abc.pem",
            "https://sns.us-east-1.amazonaws.com.attacker.example/SimpleNotificationService-abc.pem",
        ] {
            #expect(Self.failure(await Self.fetch(production, url))?.code == .certificateURLRejected, "\(url)")
        }
        #expect(server.requests.isEmpty)
    }
}
