import Foundation
import SluiceCore
import Testing

/// Who may start a signing-certificate fetch: per-client concurrency, the penalty after a made-up URL,
/// the trust a verified message earns, and the table's bound.
struct CertificateFetchAdmissionTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func client(_ n: Int) -> CertificateFetchClient { CertificateFetchClient(remoteAddress: "198.51.100.\(n):4000")! }

    @Test func aClientRunsAtMostItsShareOfFetchesAtOnce() {
        var admission = CertificateFetchAdmission(settings: .init(maxFetchesPerClient: 2))
        let a = Self.client(1), b = Self.client(2)
        for _ in 0..<2 {
            #expect(admission.refusal(for: a, now: Self.t0) == nil)
            admission.started(by: a, now: Self.t0)
        }
        #expect(admission.refusal(for: a, now: Self.t0) == .busy)
        #expect(admission.refusal(for: b, now: Self.t0) == nil)
        admission.finished(by: a, foundNoCertificate: false, now: Self.t0)
        #expect(admission.refusal(for: a, now: Self.t0) == nil)
        admission.finished(by: a, foundNoCertificate: false, now: Self.t0)
        // Successful fetches leave nothing behind.
        #expect(admission.count == 0)
    }

    @Test func aMadeUpURLHoldsTheClientBackForThePenaltyOnly() {
        var admission = CertificateFetchAdmission(settings: .init(penalty: 60))
        let a = Self.client(1)
        admission.started(by: a, now: Self.t0)
        let end = admission.finished(by: a, foundNoCertificate: true, now: Self.t0)
        #expect(end == Self.t0 + 60)
        #expect(admission.refusal(for: a, now: Self.t0 + 59) == .penalised(until: Self.t0 + 60))
        #expect(admission.refusal(for: Self.client(2), now: Self.t0 + 1) == nil)
        #expect(admission.refusal(for: a, now: Self.t0 + 60) == nil)
    }

    @Test func aTransientFailureIsNoPenalty() {
        var admission = CertificateFetchAdmission()
        let a = Self.client(1)
        admission.started(by: a, now: Self.t0)
        #expect(admission.finished(by: a, foundNoCertificate: false, now: Self.t0) == nil)
        #expect(admission.refusal(for: a, now: Self.t0) == nil)
        #expect(admission.count == 0)
    }

    /// A proxy in front of Sluice: an attacker's made-up URL penalises the shared address, and the next
    /// verified message through it lifts the penalty and keeps it exempt, from both limits.
    @Test func aVerifiedMessageEndsThePenaltyAndTrustsTheClient() {
        var admission = CertificateFetchAdmission(settings: .init(maxFetchesPerClient: 1, penalty: 60, trustDuration: 3600))
        let proxy = Self.client(9)
        #expect(!admission.remembers(proxy))
        admission.started(by: proxy, now: Self.t0)
        admission.finished(by: proxy, foundNoCertificate: true, now: Self.t0)
        #expect(admission.remembers(proxy))
        admission.verified(by: proxy, now: Self.t0 + 1)
        #expect(admission.refusal(for: proxy, now: Self.t0 + 2) == nil)
        admission.started(by: proxy, now: Self.t0 + 2)
        admission.started(by: proxy, now: Self.t0 + 2)
        #expect(admission.refusal(for: proxy, now: Self.t0 + 2) == nil)
        #expect(admission.finished(by: proxy, foundNoCertificate: true, now: Self.t0 + 3) == nil)
        admission.finished(by: proxy, foundNoCertificate: false, now: Self.t0 + 3)
        #expect(admission.refusal(for: proxy, now: Self.t0 + 3) == nil)
        // Trust lapses; then the rules apply again.
        admission.started(by: proxy, now: Self.t0 + 3601)
        #expect(admission.refusal(for: proxy, now: Self.t0 + 3601) == .busy)
        #expect(admission.finished(by: proxy, foundNoCertificate: true, now: Self.t0 + 3602) == Self.t0 + 3662)
    }

    @Test func verifiedMessagesFromUnrememberedClientsChangeNothing() {
        var admission = CertificateFetchAdmission()
        admission.verified(by: Self.client(1), now: Self.t0)
        #expect(admission.count == 0)
    }

    @Test func unknownClientsMeetOnlyTheGlobalLimit() {
        var admission = CertificateFetchAdmission(settings: .init(maxFetchesPerClient: 1))
        for _ in 0..<5 {
            #expect(admission.refusal(for: nil, now: Self.t0) == nil)
            admission.started(by: nil, now: Self.t0)
        }
        #expect(admission.finished(by: nil, foundNoCertificate: true, now: Self.t0) == nil)
        #expect(admission.count == 0)
    }

    /// More penalised addresses than the table holds: it stays bounded, dropping the penalty that ends
    /// soonest, and keeps trusted clients and running fetches.
    @Test func theTableStaysBounded() {
        var admission = CertificateFetchAdmission(settings: .init(penalty: 60, maxClients: 8))
        let trusted = Self.client(200), running = Self.client(201)
        admission.started(by: trusted, now: Self.t0)
        admission.finished(by: trusted, foundNoCertificate: true, now: Self.t0)
        admission.verified(by: trusted, now: Self.t0)
        admission.started(by: running, now: Self.t0)
        for n in 0..<100 {
            let now = Self.t0 + Double(n) / 10
            admission.started(by: Self.client(n), now: now)
            admission.finished(by: Self.client(n), foundNoCertificate: true, now: now)
            #expect(admission.count <= 9)
        }
        #expect(admission.remembers(trusted))
        #expect(admission.remembers(running))
        #expect(admission.remembers(Self.client(99)))
        #expect(!admission.remembers(Self.client(0)))
    }
}
