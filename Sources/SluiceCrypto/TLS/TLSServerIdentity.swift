import Foundation
import Synchronization

/// The certificate chain and key a TLS server presents, from two PEM files, loaded again when they
/// change (a renewal by certbot or a secret mount): new connections get the new pair, open ones keep
/// theirs. A changed pair that does not load (say the key was not replaced yet) leaves the previous
/// one in service; the next check tries again.
public final class TLSServerIdentity: Sendable {
    public let certificateFile: String
    public let keyFile: String
    private let state: Mutex<State>

    private struct State {
        var context: TLSServerContext
        var files: FileStamps
    }

    /// What tells a replaced file apart: device, inode, size and modification time of each (after
    /// symbolic links, so a `live/` link moved to a new `archive/` file counts).
    struct FileStamps: Equatable {
        var certificate: [Int]
        var key: [Int]
    }

    /// Loads the pair once.
    /// - Throws: `.tlsConfiguration` when a file is unreadable, not PEM, or the key does not match.
    public init(certificateFile: String, keyFile: String) throws(CryptoError) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        let files = Self.stamps(certificateFile, keyFile)
        let context = try TLSServerContext(certificatePEMFile: certificateFile, keyPEMFile: keyFile)
        state = Mutex(State(context: context, files: files))
    }

    /// The context for the next connection.
    public var current: TLSServerContext { state.withLock { $0.context } }

    /// Loads the pair again if either file changed since the last load.
    /// - Returns: the new context, or nil when nothing changed.
    /// - Throws: the load error; the previous context stays in service.
    public func reloadIfChanged() throws(CryptoError) -> TLSServerContext? {
        let files = Self.stamps(certificateFile, keyFile)
        guard files != state.withLock({ $0.files }) else { return nil }
        // Loaded outside the lock: connections accepted meanwhile take the previous pair.
        let context = try TLSServerContext(certificatePEMFile: certificateFile, keyPEMFile: keyFile)
        state.withLock { $0 = State(context: context, files: files) }
        return context
    }

    private static func stamps(_ certificate: String, _ key: String) -> FileStamps {
        FileStamps(certificate: stamp(certificate), key: stamp(key))
    }

    private static func stamp(_ path: String) -> [Int] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        return [
            Int(info.st_dev), Int(info.st_ino), Int(info.st_size), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec),
        ]
    }
}
