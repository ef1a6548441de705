import CSQLite
import SluiceCore
import Synchronization

/// Stops a running `SQLiteBackup.copy` from another thread (a signal handler): the copy's SQLite work is
/// interrupted (`sqlite3_interrupt`, safe from any thread), the copy throws `.interrupted` and removes its
/// partial file itself, after SQLite has let go of it. Removing the files from the handler instead races
/// the copy, which can create them again a moment later. Once the copy has its name, it is whole and an
/// interruption comes too late.
public final class BackupInterruption: Sendable {
    private struct State {
        var interrupted = false
        /// The address of the connection the copy is running SQL on, while it does (an address, not the
        /// pointer, so the state stays Sendable; it is only handed to `sqlite3_interrupt`).
        var connection: Int?
    }
    private let state = Mutex(State())

    public init() {}

    /// Whether `interrupt` was called.
    public var isInterrupted: Bool { state.withLock { $0.interrupted } }

    /// Asks the copy to stop as soon as it can.
    public func interrupt() {
        state.withLock { state in
            state.interrupted = true
            if let address = state.connection, let connection = OpaquePointer(bitPattern: address) { sqlite3_interrupt(connection) }
        }
    }

    /// Runs `body` with `database` interruptible; the connection is forgotten before it is closed.
    func running<T>(on database: Database, _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let connection = database.withHandle { $0 }
        let address = Int(bitPattern: connection)
        let already = state.withLock { state in
            state.connection = address
            return state.interrupted
        }
        defer { state.withLock { $0.connection = nil } }
        if already { sqlite3_interrupt(connection) }
        return try body()
    }
}
