import Foundation
import SluiceCore
import Synchronization

/// A Bloom filter over the addresses of one staged run, so a lookup seeks only the runs that may hold it.
///
/// Built when the run is written and stored with it (`suppression_runs.filter`); rows leave a run (merge,
/// absorb) but never join one, so the filter only grows more conservative. 16 bits and 6 probes per key:
/// ~0.05 % false positives, 200 KB for a run of 100,000 keys.
struct StagedRunFilter: Sendable {
    private let words: [UInt64]

    /// A filter sized for `count` keys.
    init(addresses: some Sequence<String>, count: Int) {
        let wordCount = max(1, (count * 16 + 63) / 64)
        var words = [UInt64](repeating: 0, count: wordCount)
        let bits = UInt64(wordCount * 64)
        for address in addresses {
            let (h1, h2) = Self.hashes(address)
            for probe in 0..<Self.probes {
                let bit = (h1 &+ UInt64(probe) &* h2) % bits
                words[Int(bit >> 6)] |= 1 << (bit & 63)
            }
        }
        self.words = words
    }

    /// A filter read back from its stored bytes (little-endian words); nil when they are not a filter.
    init?(bytes: [UInt8]) {
        guard !bytes.isEmpty, bytes.count % 8 == 0 else { return nil }
        words = stride(from: 0, to: bytes.count, by: 8).map { start in
            var word: UInt64 = 0
            for offset in 0..<8 { word |= UInt64(bytes[start + offset]) << (8 * UInt64(offset)) }
            return word
        }
    }

    /// The stored form: the words little-endian.
    var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(words.count * 8)
        for word in words {
            for offset in 0..<8 { result.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(offset)))) }
        }
        return result
    }

    /// False when no row of `address` was in the run; true when one may be.
    func mayContain(_ address: String) -> Bool { mayContain(Self.hashes(address)) }

    /// `mayContain` with the address's `hashes`, computed once for all runs.
    func mayContain(_ hashes: (UInt64, UInt64)) -> Bool {
        let bits = UInt64(words.count * 64)
        let (h1, h2) = hashes
        for probe in 0..<Self.probes {
            let bit = (h1 &+ UInt64(probe) &* h2) % bits
            if words[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return false }
        }
        return true
    }

    private static let probes = 6

    /// Two 64-bit hashes of the UTF-8 bytes (FNV-1a, then a finaliser); stable across processes and builds.
    static func hashes(_ address: String) -> (UInt64, UInt64) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in address.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var mixed = hash ^ (hash >> 33)
        mixed = mixed &* 0xFF51_AFD7_ED55_8CCD
        mixed ^= mixed >> 33
        // Odd, so the probes of one key never collapse onto one bit.
        return (hash, mixed | 1)
    }
}

/// The filters of staged runs, read from `suppression_runs` once per run and process.
final class StagedFilterCache: Sendable {
    private let cache = Mutex<[Int: (token: Int64, filter: StagedRunFilter)]>([:])

    init() {}

    /// The runs among `runs` whose filter may hold `address` (a run without a readable filter always may).
    func candidates(for address: String, among runs: [(run: Int, token: Int64)], in database: Database) throws(StoreError) -> [Int] {
        let hashes = StagedRunFilter.hashes(address)
        // One lock for the common case: every filter cached already.
        var missing: [(run: Int, token: Int64)] = []
        var result = cache.withLock { cache -> [Int] in
            var found: [Int] = []
            for (run, token) in runs {
                guard let cached = cache[run], cached.token == token else {
                    missing.append((run, token))
                    continue
                }
                if cached.filter.mayContain(hashes) { found.append(run) }
            }
            return found
        }
        for (run, token) in missing where try filter(run: run, token: token, in: database)?.mayContain(hashes) ?? true {
            result.append(run)
        }
        return result.sorted()
    }

    /// The filter of run `run` whose token is `token`, loaded through `database` on first use; nil when
    /// the run is gone or its filter unreadable (the caller then seeks the run).
    func filter(run: Int, token: Int64, in database: Database) throws(StoreError) -> StagedRunFilter? {
        if let cached = cache.withLock({ $0[run] }), cached.token == token { return cached.filter }
        let statement = try database.statement("SELECT filter FROM suppression_runs WHERE run = ?1 AND token = ?2")
        defer { statement.reset() }
        statement.bind(run, at: 1)
        statement.bind(token, at: 2)
        guard try statement.step(), let filter = StagedRunFilter(bytes: statement.blob(at: 0)) else { return nil }
        cache.withLock { cache in
            // Runs come and go with imports and merges; a few dozen entries at most stay.
            if cache.count > 64 { cache.removeAll() }
            cache[run] = (token, filter)
        }
        return filter
    }
}
