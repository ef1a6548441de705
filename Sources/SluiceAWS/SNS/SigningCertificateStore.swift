import Foundation
import Synchronization

/// The durable second-level cache of SNS signing certificates (the app adapts its SQLite store to it).
///
/// Only certificates that passed every check are saved; a failed fetch is never stored.
public protocol SigningCertificateStore: Sendable {
    /// The PEM saved for exactly `url` and when it stops being usable; nil when absent.
    func load(url: String) async -> (pem: [UInt8], expiresAt: Date)?
    /// Saves (or replaces) the PEM for exactly `url`.
    func save(url: String, pem: [UInt8], expiresAt: Date) async
}

/// A `SigningCertificateStore` in memory, for tests and for running without a database.
public final class InMemorySigningCertificateStore: SigningCertificateStore {
    private let entries = Mutex<[String: (pem: [UInt8], expiresAt: Date)]>([:])
    private let counters = Mutex<(loads: Int, saves: Int)>((0, 0))

    public init(entries: [String: (pem: [UInt8], expiresAt: Date)] = [:]) {
        self.entries.withLock { $0 = entries }
    }

    public func load(url: String) async -> (pem: [UInt8], expiresAt: Date)? {
        counters.withLock { $0.loads += 1 }
        return entries.withLock { $0[url] }
    }

    public func save(url: String, pem: [UInt8], expiresAt: Date) async {
        counters.withLock { $0.saves += 1 }
        entries.withLock { $0[url] = (pem, expiresAt) }
    }

    /// Number of `load` calls so far.
    public var loadCount: Int { counters.withLock { $0.loads } }
    /// Number of `save` calls so far.
    public var saveCount: Int { counters.withLock { $0.saves } }
    /// The URLs currently stored.
    public var urls: [String] { entries.withLock { Array($0.keys) } }
}
