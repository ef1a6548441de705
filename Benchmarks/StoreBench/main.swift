// store-bench: fills a temporary database with suppressions through `importBatch`, then measures
// point lookups, export and size. Run through Scripts/bench-suppressions (release build).
import Foundation
import SluiceCore
import SluiceStore

/// Writes a line unbuffered, so progress shows when stdout is a file.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else { return fallback }
    return value
}
let total = option("--rows", 10_000_000)
let chunk = min(option("--chunk", SQLiteStore.maxImportChunk), SQLiteStore.maxImportChunk)
let lookups = option("--lookups", 200_000)
let keep = arguments.contains("--keep")
// Fill in ascending key order (a restore of an export) instead of random order.
let ordered = arguments.contains("--ordered")
// Defaults are the application's (SQLiteStoreConfiguration()); these only help find what limits a run.
let cacheMiB = option("--cache-mib", 0)
let mmapMiB = option("--mmap-mib", 0)

/// Deterministic rows: addresses scrambled so inserts arrive in random key order, as real lists do.
enum Fixture {
    static let reasons: [SuppressionReason] = [.hardBounce, .complaint, .unsubscribed, .manual, .softBounceLimit]
    static let base = Date(timeIntervalSince1970: 1_780_000_000)

    /// A bijection of 0..<2^32 (integer hash finaliser).
    static func scramble(_ i: Int) -> UInt32 {
        var x = UInt32(truncatingIfNeeded: i)
        x = (x ^ (x >> 16)) &* 0x45D9_F3B
        x = (x ^ (x >> 16)) &* 0x45D9_F3B
        return x ^ (x >> 16)
    }

    static func address(_ i: Int) -> String {
        guard ordered else { return "user\(String(scramble(i), radix: 16))@d\(i % 5000).example.com" }
        // --ordered: ascending keys (zero-padded hex), as when restoring another instance's export.
        let hex = String(UInt32(truncatingIfNeeded: i &* 429), radix: 16)
        return "user\(String(repeating: "0", count: 8 - hex.count))\(hex)@d\(i % 5000).example.com"
    }
    static func missing(_ i: Int) -> String { "nobody\(String(scramble(i), radix: 16))@d\(i % 5000).example.com" }

    static func suppression(_ i: Int) -> Suppression {
        Suppression(
            address: address(i), scope: "", reason: reasons[i % reasons.count], detail: i % 3 == 0 ? "smtp; 550 5.1.1 user unknown" : nil,
            firstSeen: base.addingTimeInterval(Double(i % 86_400)), count: 1, source: "bench",
            expiresAt: i % 10 == 0 ? base.addingTimeInterval(400 * 86_400) : nil
        )
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
func rate(_ n: Int, _ s: Double) -> String { s > 0 ? String(format: "%.0f", Double(n) / s) : "n/a" }
/// CPU seconds used by this process so far (all threads): on a shared machine a steadier figure than wall time.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func value(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return value(usage.ru_utime) + value(usage.ru_stime)
}
/// CPU seconds used so far by the store's writer thread (named `sluice.writer`): the part of an import
/// that cannot overlap with building the next chunk.
func writerCPUSeconds() -> Double {
    var total = 0.0
    for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
        guard let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
            name.trimmingCharacters(in: .whitespacesAndNewlines) == "sluice.writer",
            let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")") else { continue }
        // After "(comm)" come state (field 3) … utime and stime (fields 14 and 15), in clock ticks.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) { total += (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))) }
    }
    return total
}
/// The 1-minute load average, to say how busy the shared machine was.
func loadAverage() -> String { (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?" }

// --dir DIR keeps the database there (and --no-fill reuses one filled before with the same --rows), so
// lookups can be measured again with other settings without refilling 10 M rows.
let fill = !arguments.contains("--no-fill")
let chosenDirectory = arguments.firstIndex(of: "--dir").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
let directory = chosenDirectory.map { URL(fileURLWithPath: $0) }
    ?? FileManager.default.temporaryDirectory.appendingPathComponent("sluice-bench-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
let path = directory.appendingPathComponent("bench.sqlite").path
var storeConfiguration = SQLiteStoreConfiguration(path: path)
if cacheMiB > 0 { storeConfiguration.cacheSizeKiB = cacheMiB * 1024 }
if mmapMiB > 0 { storeConfiguration.mmapSize = mmapMiB << 20 }
let store = try SQLiteStore(configuration: storeConfiguration)
// The merge is timed on its own below; during the fill it stays paused (an import also pauses it).
store.setBackgroundMerge(enabled: false)
say("store-bench: \(total) rows, chunks of \(chunk)\(ordered ? ", keys in order" : ", keys in random order"), cache \(storeConfiguration.cacheSizeKiB / 1024) MiB, mmap \(storeConfiguration.mmapSize >> 20) MiB, database \(path), load \(loadAverage())")

// Fill.
let fillStart = ContinuousClock.now
let fillCPU = cpuSeconds()
let fillWriterCPU = writerCPUSeconds()
var millionStart = ContinuousClock.now
var firstMillion: Double?
var written = 0
var next = 0
// Build the next chunk while the writer commits the current one.
// (The store sorts each chunk by key itself, as it does for every import.)
@Sendable func makeChunk(_ range: Range<Int>) -> [Suppression] { range.map(Fixture.suppression) }
var pending: Task<[Suppression], Never>? = fill ? Task { makeChunk(0..<min(chunk, total)) } : nil
while let task = pending {
    let rows = await task.value
    let start = next + rows.count
    next = start
    pending = start < total ? Task { makeChunk(start..<min(start + chunk, total)) } : nil
    let chunkStart = ContinuousClock.now
    written += try await store.importBatch(rows)
    if arguments.contains("--verbose") { say("  chunk of \(rows.count) committed in \(String(format: "%.2f", seconds(since: chunkStart))) s (\(written) rows)") }
    if firstMillion == nil, written >= min(1_000_000, total) {
        firstMillion = seconds(since: fillStart)
        let cpu = cpuSeconds() - fillCPU
        say("import first \(written) rows: \(String(format: "%.1f", firstMillion!)) s, \(rate(written, firstMillion!)) rows/s (process CPU \(String(format: "%.1f", cpu)) s, load \(loadAverage()))")
    }
    if written % 1_000_000 == 0 {
        say("  \(written) rows, this million at \(rate(1_000_000, seconds(since: millionStart))) rows/s, \(rate(written, seconds(since: fillStart))) rows/s overall, load \(loadAverage())")
        millionStart = ContinuousClock.now
    }
}
let fillSeconds = seconds(since: fillStart)
let writerSeconds = writerCPUSeconds() - fillWriterCPU
say("import all \(written) rows: \(String(format: "%.1f", fillSeconds)) s, \(rate(written, fillSeconds)) rows/s (process CPU \(String(format: "%.1f", cpuSeconds() - fillCPU)) s, writer thread CPU \(String(format: "%.1f", writerSeconds)) s = \(rate(written, writerSeconds)) rows per writer CPU-second)")

/// Point lookups, one at a time (one core): half existing, half missing, random order. The loop runs off the
/// main actor, as request handlers do, so each call does not hop threads twice.
func measureLookups(_ label: String) async throws {
    let now = Fixture.base.addingTimeInterval(86_400)
    let lookupStart = ContinuousClock.now
    let lookupCPU = cpuSeconds()
    let (samples, hits) = try await Task.detached { () async throws -> ([Double], Int) in
        var samples: [Double] = []
        samples.reserveCapacity(lookups)
        var hits = 0
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<min(5000, lookups) { _ = try await store.suppression(for: Fixture.address(Int.random(in: 0..<total, using: &generator)), scope: nil, at: now) }
        for n in 0..<lookups {
            let i = Int.random(in: 0..<total, using: &generator)
            let key = n % 2 == 0 ? Fixture.address(i) : Fixture.missing(i)
            let t0 = ContinuousClock.now
            if try await store.suppression(for: key, scope: nil, at: now) != nil { hits += 1 }
            samples.append(seconds(since: t0) * 1e6)
        }
        return (samples.sorted(), hits)
    }.value
    let lookupSeconds = seconds(since: lookupStart)
    let sorted = samples
    func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
    say(String(format: "lookups%@: %d (%d hits), p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, %@ lookups/s (%.1f µs CPU each, warm-up included), load %@", label, lookups, hits, percentile(0.5), percentile(0.9), percentile(0.99), percentile(0.999), rate(lookups, lookupSeconds), (cpuSeconds() - lookupCPU) * 1e6 / Double(max(lookups, 1)), loadAverage()))
}

// Imports are staged as sorted runs (schema v6) and merged in the background: lookups with the runs still
// staged (background merge paused), then the merge timed to the end, then lookups on the merged store.
let staged = try await store.stagedSuppressions()
if staged.rows > 0 {
    say("staged after the import: \(staged.rows) rows in \(staged.runs) runs")
    try await measureLookups(" with \(staged.runs) runs staged")
    let mergeStart = ContinuousClock.now
    let mergeCPU = cpuSeconds()
    let mergeWriterCPU = writerCPUSeconds()
    // --merge-step N: keys per merge transaction (the store's default otherwise).
    let step = option("--merge-step", SQLiteStore.mergeStepKeys)
    // --merge-transaction N: keys per transaction, in steps, while no other write waits (as the background merge).
    let perTransaction = option("--merge-transaction", SQLiteStore.mergeTransactionKeys)
    var merged = 0
    while true {
        let moved = try await store.mergeStagedSuppressions(maxKeys: step, upTo: perTransaction)
        if moved == 0 { break }
        merged += moved
    }
    let mergeSeconds = seconds(since: mergeStart)
    say("merge writer thread CPU \(String(format: "%.1f", writerCPUSeconds() - mergeWriterCPU)) s")
    say("merge of the staged runs in steps of \(step) keys, up to \(perTransaction) per transaction: \(merged) keys in \(String(format: "%.1f", mergeSeconds)) s, \(rate(merged, mergeSeconds)) keys/s (process CPU \(String(format: "%.1f", cpuSeconds() - mergeCPU)) s, load \(loadAverage()))")
    say("import + merge: \(String(format: "%.1f", fillSeconds + mergeSeconds)) s, \(rate(written, fillSeconds + mergeSeconds)) rows/s")
}
try await measureLookups("")


/// --add N: then import N more rows in random key order into the filled store (the import rate at scale).
let extra = option("--add", 0)
if extra > 0 {
    let addStart = ContinuousClock.now
    let addCPU = cpuSeconds()
    var added = 0
    while added < extra {
        let count = min(chunk, extra - added)
        // Random-order keys that the fill never wrote ("add" prefix).
        let rows = (0..<count).map { n -> Suppression in
            var row = Fixture.suppression(total + added + n)
            row.address = "add\(String(Fixture.scramble(total + added + n), radix: 16))@d\(n % 5000).example.com"
            row.originalAddress = row.address
            return row
        }
        added += try await store.importBatch(rows)
    }
    let addSeconds = seconds(since: addStart)
    say("import \(added) more rows (random order) into the \(total)-row store: \(String(format: "%.1f", addSeconds)) s, \(rate(added, addSeconds)) rows/s (process CPU \(String(format: "%.1f", cpuSeconds() - addCPU)) s, load \(loadAverage()))")
    let mergeStart = ContinuousClock.now
    let mergeCPU = cpuSeconds()
    let merged = try await store.drainStagedSuppressions()
    let mergeSeconds = seconds(since: mergeStart)
    say("merge of the added rows: \(merged) keys in \(String(format: "%.1f", mergeSeconds)) s (process CPU \(String(format: "%.1f", cpuSeconds() - mergeCPU)) s); import + merge \(rate(added, addSeconds + mergeSeconds)) rows/s")
}

// Export: keyset pages (skipped with --no-export) turned into CSV bytes (what the export route streams, minus the socket).
let exports = !arguments.contains("--no-export")
let exportStart = ContinuousClock.now
var cursor: SuppressionCursor?
var exported = 0
var bytes = 0
var buffer: [UInt8] = []
buffer.reserveCapacity(1 << 20)
while exports {
    let page = try await store.export(after: cursor, limit: 5000)
    for row in page.items {
        SuppressionCSV.append(row, to: &buffer)
        exported += 1
    }
    bytes += buffer.count
    buffer.removeAll(keepingCapacity: true)
    cursor = page.nextCursor
    if cursor == nil { break }
}
let exportSeconds = seconds(since: exportStart)
if exports { say("export: \(exported) rows, \(bytes / 1_048_576) MiB CSV in \(String(format: "%.1f", exportSeconds)) s, \(rate(exported, exportSeconds)) rows/s") }

store.close()
var size: UInt64 = 0
for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
    let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
    size += (attributes?[.size] as? UInt64) ?? 0
}
say("database size on disk: \(size / 1_048_576) MiB (\(size / UInt64(max(total, 1))) bytes/row)")
if keep || chosenDirectory != nil { say("kept \(directory.path)") } else { try? FileManager.default.removeItem(at: directory) }
