import CPostgres
import Foundation
import SluiceCore
import Synchronization

/// One libpq connection. Owned by one pool thread: libpq calls block, so they never run on the
/// cooperative pool or an HTTP event loop.
final class PGConnection {
    private let handle: OpaquePointer
    /// Unique per connection opened by this process (session-scoped state such as advisory locks is per serial).
    let serial = PGConnection.serials.add(1, ordering: .relaxed).newValue
    private static let serials = Atomic<Int>(0)
    /// Statement names by SQL text: each statement is parsed and planned once per connection, not per call.
    private var prepared: [String: String] = [:]
    /// Most statements kept prepared per connection (the SQL texts are fixed, a few dynamic; this bounds them).
    static let preparedLimit = 256
    /// A transaction's `BEGIN`, not sent yet: it goes out with the transaction's first statement, pipelined
    /// (libpq pipeline mode), so opening a transaction costs no round trip of its own.
    private var pendingBegin: String?

    /// Whether the server is reached over the network (not a loopback address, not a Unix socket).
    let isRemote: Bool
    /// The `sslmode` added because nothing chose one (see `PGConnectionOptions.defaultSSLMode`); nil otherwise.
    let defaultedSSLMode: String?
    /// Statements sent since the pool handed the connection to the current job (`readyForJob`).
    private var jobStatements = 0
    /// Whether a failure of the statement being sent could not have changed anything on the server: libpq
    /// could not send it, it was a Parse (`PQprepare`), or it carried the transaction's BEGIN (a lost
    /// connection rolls that transaction back).
    private var failureIsHarmless = false
    /// The job's first statement failed because the connection was gone, and changed nothing on the server:
    /// the pool runs the job once more on a new connection.
    private(set) var lostBeforeFirstStatement = false

    /// Connects with `url` (a `postgres://` URI or key=value string; `sslmode` and the rest come from it).
    /// - Parameter environment: what libpq will read (`PGSSLMODE`, `PGHOST`, …), to decide the default `sslmode`.
    /// - Throws: `.invalidInput` for a URL libpq cannot parse, `.unavailable` when the server cannot be
    ///   reached, `.migration` when the database is not UTF8. Messages never carry the password.
    init(
        url: String, connectTimeoutSeconds: Int, statementTimeoutMilliseconds: Int,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(StoreError) {
        // Parsed first: a URL libpq cannot parse makes it quote the URL, password included, in its error.
        let options = try PGConnectionOptions(url)
        // Keywords before `dbname` are defaults the URL can override (expand_dbname processes it in place).
        // TCP keepalives and a user timeout (libpq 12+): a server that vanished without a reset (a partition,
        // a failover that moved its address) fails a blocked call in about 30 s, not after the kernel's
        // 15-minute retransmission or 2-hour keepalive defaults; `statement_timeout` needs a live server.
        var keywords = [
            "connect_timeout", "application_name", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
            "tcp_user_timeout",
        ]
        var values = [String(max(1, connectTimeoutSeconds)), "sluice", "1", "15", "5", "3", "30000"]
        // libpq's own default, `prefer`, falls back to plain text without a word; over a network, encrypt.
        let sslmode = options.defaultSSLMode(environment: environment)
        if let sslmode {
            keywords.append("sslmode")
            values.append(sslmode)
        }
        // After `dbname`, so the URL cannot change it: Swift strings are UTF-8, and so is every text sent and read.
        keywords += ["dbname", "client_encoding"]
        values += [url, "UTF8"]
        let connection: OpaquePointer? = Self.withCStrings(keywords) { keys in
            Self.withCStrings(values) { vals in PQconnectdbParams(keys, vals, 1) }
        }
        guard let connection else { throw StoreError(.unavailable, "PostgreSQL: out of memory while connecting") }
        guard PQstatus(connection) == CONNECTION_OK else {
            // libpq's message names host, port, user and database; a user or database name could be the password.
            let message = PQerrorMessage(connection).map { String(cString: $0) } ?? "unknown error"
            PQfinish(connection)
            let text = options.redacting(message.trimmingCharacters(in: .whitespacesAndNewlines))
            throw StoreError(.unavailable, "cannot connect to PostgreSQL: \(text)")
        }
        handle = connection
        isRemote = !options.isLocal(environment: environment)
        defaultedSSLMode = sslmode
        // Reported by the server at startup (no round trip). Another server encoding converts text on the way
        // (SQL_ASCII: not at all), so addresses could change or be refused: refuse the database instead.
        let serverEncoding = PQparameterStatus(handle, "server_encoding").map { String(cString: $0) } ?? "unknown"
        let clientEncoding = PQparameterStatus(handle, "client_encoding").map { String(cString: $0) } ?? "unknown"
        guard serverEncoding == "UTF8" else {
            throw StoreError(.migration, """
                the PostgreSQL database's encoding is \(serverEncoding), not UTF8: create it with ENCODING 'UTF8' \
                (e.g. `createdb -E UTF8 -T template0`)
                """)
        }
        guard clientEncoding == "UTF8" else {
            throw StoreError(.migration, "PostgreSQL client_encoding is \(clientEncoding), not UTF8: remove it from database.url's options")
        }
        // Integers only, so building the text is safe. `bytea_output = hex` is what `PGResult.bytes` decodes.
        // The server's own keepalives and user timeout (user-settable; ignored on a Unix socket): a session
        // whose client vanished in a network cut ends within about 30 s, with the session advisory locks it
        // holds (leadership, migrations), instead of after the server kernel's 2-hour keepalive default.
        var script = """
            SET statement_timeout = \(max(0, statementTimeoutMilliseconds)); \
            SET idle_in_transaction_session_timeout = \(max(60_000, statementTimeoutMilliseconds * 4)); \
            SET client_min_messages = warning; SET bytea_output = hex; \
            SET tcp_keepalives_idle = 15; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3
            """
        if PQserverVersion(handle) >= 120_000 { script += "; SET tcp_user_timeout = 30000" }
        try executeScript(script)
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still usable (false after the server went away, or if it were left in
    /// pipeline mode, where the synchronous calls used everywhere else fail).
    var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK && PQpipelineStatus(handle) == PQ_PIPELINE_OFF }

    /// Whether the session is encrypted (TLS, or GSSAPI encryption).
    var isEncrypted: Bool { PQsslInUse(handle) == 1 || PQgssEncInUse(handle) == 1 }

    /// Called by the pool before each job: reads what the server sent while the connection sat idle (a
    /// termination notice, the end of the stream) and answers whether the connection can take the job:
    /// still connected, out of pipeline mode, and not inside a transaction a previous job left open.
    func readyForJob() -> Bool {
        jobStatements = 0
        lostBeforeFirstStatement = false
        pendingBegin = nil
        // libpq's socket is non-blocking: each call returns at once. A server that ended the session sends a
        // FATAL notice, then closes; the first read may take only the notice, the second then sees the end.
        guard PQconsumeInput(handle) == 1, PQconsumeInput(handle) == 1 else { return false }
        return isHealthy && PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// Runs one parameterised statement (`$1`, `$2`, …). Text parameters must not contain NUL (free text
    /// goes through `PGValue.freeText`, which replaces it).
    @discardableResult
    func execute(_ sql: String, _ parameters: [PGValue] = []) throws(StoreError) -> PGResult {
        try tracked { () throws(StoreError) -> PGResult in try send(sql, parameters) }
    }

    private func send(_ sql: String, _ parameters: [PGValue]) throws(StoreError) -> PGResult {
        var buffers: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        buffers.reserveCapacity(parameters.count)
        defer { for buffer in buffers { buffer?.deallocate() } }
        for parameter in parameters {
            switch parameter {
            case .null:
                buffers.append(nil)
                lengths.append(0)
                formats.append(0)
            case .text(let text):
                let utf8 = Array(text.utf8)
                // A NUL would silently end the C string: refuse instead of truncating.
                guard !utf8.contains(0) else { throw StoreError(.invalidInput, "text contains a NUL character") }
                let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
                utf8.withUnsafeBufferPointer { source in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress!, byteCount: utf8.count)
                }
                buffer[utf8.count] = 0
                buffers.append(buffer)
                lengths.append(Int32(utf8.count))
                formats.append(0)
            case .bytes(let bytes):
                let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
                if !bytes.isEmpty {
                    bytes.withUnsafeBufferPointer { source in
                        UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress!, byteCount: bytes.count)
                    }
                }
                buffers.append(buffer)
                lengths.append(Int32(bytes.count))
                formats.append(1)
            }
        }
        let pointers = buffers.map { UnsafePointer($0) }
        let name = try statementName(sql, parameterCount: parameters.count)
        if let begin = pendingBegin {
            pendingBegin = nil
            return try pipelined(begin: begin) { connection in
                if let name { return PQsendQueryPrepared(connection, name, Int32(parameters.count), pointers, lengths, formats, 0) }
                return PQsendQueryParams(connection, sql, Int32(parameters.count), nil, pointers, lengths, formats, 0)
            }
        }
        guard let name else {
            return try check(exec { PQsendQueryParams($0, sql, Int32(parameters.count), nil, pointers, lengths, formats, 0) })
        }
        return try check(exec { PQsendQueryPrepared($0, name, Int32(parameters.count), pointers, lengths, formats, 0) })
    }

    /// Runs one statement of the current job; notes when the job's first one failed because the connection
    /// was gone before it could change anything (`lostBeforeFirstStatement`).
    private func tracked(_ body: () throws(StoreError) -> PGResult) throws(StoreError) -> PGResult {
        let first = jobStatements == 0
        jobStatements += 1
        failureIsHarmless = pendingBegin != nil
        do throws(StoreError) {
            return try body()
        } catch {
            if first, failureIsHarmless, PQstatus(handle) != CONNECTION_OK { lostBeforeFirstStatement = true }
            throw error
        }
    }

    /// Sends one command with `send` and reads its results as `PQexec` does (the last, or the first error).
    /// A command libpq could not send is harmless: the server never saw all of it.
    private func exec(_ send: (OpaquePointer) -> Int32) -> OpaquePointer? {
        guard send(handle) == 1 else {
            failureIsHarmless = true
            return nil
        }
        var kept: OpaquePointer?
        while let result = PQgetResult(handle) {
            if let previous = kept {
                // A script stops at its first error; keep that one over anything after it.
                if PQresultStatus(previous) == PGRES_FATAL_ERROR {
                    PQclear(result)
                    continue
                }
                PQclear(previous)
            }
            kept = result
            // COPY is never used; its result would repeat without end.
            let status = PQresultStatus(result)
            if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH { break }
        }
        return kept
    }

    /// Sends `begin` and one statement (`send`) in one pipeline with one Sync, and returns the statement's
    /// result: one round trip for both. A failed BEGIN is reported as such; the statement then did not run.
    private func pipelined(begin: String, _ send: (OpaquePointer) -> Int32) throws(StoreError) -> PGResult {
        guard PQenterPipelineMode(handle) == 1 else { return try check(nil) }
        var results: [OpaquePointer?] = [nil, nil]
        do {
            defer {
                // Only possible once every result is read; a connection left in pipeline mode reports unhealthy.
                _ = PQexitPipelineMode(handle)
            }
            guard PQsendQueryParams(handle, begin, 0, nil, nil, nil, nil, 0) == 1, send(handle) == 1, PQpipelineSync(handle) == 1 else {
                // Nothing (or not everything) went out: read whatever did, then report libpq's error.
                drain(into: &results)
                for result in results { if let result { PQclear(result) } }
                return try check(nil)
            }
            drain(into: &results)
        }
        if let beginResult = results[0] {
            do throws(StoreError) {
                _ = try check(beginResult)  // frees it on error; PGResult frees it on success
            } catch {
                if let statement = results[1] { PQclear(statement) }
                throw error
            }
        }
        return try check(results[1])
    }

    /// Reads a pipeline's results up to its Sync: the first result of each of the two commands goes into
    /// `results`; the rest are freed. Stops early when the connection breaks (no Sync will come).
    private func drain(into results: inout [OpaquePointer?]) {
        var command = 0
        var nulls = 0
        // Bounded: a healthy pipeline of two commands yields at most a handful of results and NULLs.
        for _ in 0..<64 {
            guard let result = PQgetResult(handle) else {
                // NULL ends one command's results; two in a row never happen while the connection works.
                command += 1
                nulls += 1
                if nulls >= 3 { return }
                continue
            }
            nulls = 0
            if PQresultStatus(result) == PGRES_PIPELINE_SYNC {
                PQclear(result)
                return
            }
            if command < results.count, results[command] == nil {
                results[command] = result
            } else {
                PQclear(result)
            }
        }
    }

    /// The name `sql` is prepared under on this connection, preparing it on first use; nil once the
    /// cache is full (the statement then runs unnamed). Protocol-level prepared statements outlive a
    /// rolled-back transaction, so the cache stays true after a ROLLBACK.
    private func statementName(_ sql: String, parameterCount: Int) throws(StoreError) -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < Self.preparedLimit else { return nil }
        let name = "sluice_\(prepared.count)"
        // A Parse changes nothing on the server: failing here, the statement never ran.
        let harmless = failureIsHarmless
        failureIsHarmless = true
        _ = try check(PQprepare(handle, name, sql, Int32(parameterCount), nil))
        failureIsHarmless = harmless
        prepared[sql] = name
        return name
    }

    /// Runs fixed SQL text that may hold several statements (migrations, session settings). Never user input.
    /// A pending BEGIN goes first, in the same simple-protocol message.
    func executeScript(_ sql: String) throws(StoreError) {
        _ = try tracked { () throws(StoreError) -> PGResult in
            var text = sql
            if let begin = pendingBegin {
                pendingBegin = nil
                text = begin + "; " + sql
            }
            return try check(exec { PQsendQuery($0, text) })
        }
    }

    /// Runs `body` in a transaction; serialization failures and deadlocks are retried a few times.
    func transaction<T>(isolation: String = "READ COMMITTED", _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            // Sent with the first statement (`execute`, `executeScript`); a body that runs none sends neither.
            pendingBegin = "BEGIN ISOLATION LEVEL \(isolation)"
            do throws(StoreError) {
                let value = try body()
                if pendingBegin != nil {
                    pendingBegin = nil
                } else {
                    try executeScript("COMMIT")
                }
                return value
            } catch {
                let begun = pendingBegin == nil
                pendingBegin = nil
                if begun, isHealthy { try? executeScript("ROLLBACK") }
                if error.isRetryableConflict && attempt < 8 {
                    // Jittered backoff so two instances do not collide again in lockstep.
                    usleep(UInt32.random(in: 1_000...(5_000 * UInt32(attempt))))
                    continue
                }
                throw error
            }
        }
    }

    private func check(_ result: OpaquePointer?) throws(StoreError) -> PGResult {
        guard let result else {
            let message = PQerrorMessage(handle).map { String(cString: $0) } ?? "no result"
            throw StoreError(isHealthy ? .io : .unavailable, "PostgreSQL: \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let status = PQresultStatus(result)
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY {
            return PGResult(result)
        }
        let state = CPostgres_sqlstate(result).map { String(cString: $0) } ?? ""
        let primary = CPostgres_primary_message(result).map { String(cString: $0) }
            ?? PQerrorMessage(handle).map { String(cString: $0) } ?? "query failed"
        PQclear(result)
        let failure = PGFailure(sqlState: state, message: primary.trimmingCharacters(in: .whitespacesAndNewlines))
        throw failure.storeError(connectionLost: !isHealthy)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { for copy in copies { free(copy) } }
        let pointers = copies.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
