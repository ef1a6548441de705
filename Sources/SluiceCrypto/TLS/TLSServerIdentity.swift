import Foundation
import Synchronization

/// The certificate chain and key a TLS server presents, from two PEM files, loaded again when they
/// change (a renewal by certbot or a secret mount): new connections get the new pair, open ones keep
/// theirs. A changed pair that does not load (say the key was not replaced yet), or whose certificate is
/// not valid now (a renewal hook that copied a stale pair), leaves the previous one in service; the next
/// check tries again.
public final class TLSServerIdentity: Sendable {
    public let certificateFile: String
    public let keyFile: String
    private let now: @Sendable () -> Date
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
    /// - Throws: `.tlsConfiguration` when a file is unreadable, not PEM, the key is encrypted or does not
    ///   match, or the certificate is expired or not yet valid.
    public init(certificateFile: String, keyFile: String, now: @escaping @Sendable () -> Date = { Date() }) throws(CryptoError) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.now = now
        let files = Self.stamps(certificateFile, keyFile)
        let context = try Self.load(certificateFile, keyFile, at: now())
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
        let context = try Self.load(certificateFile, keyFile, at: now())
        state.withLock { $0 = State(context: context, files: files) }
        return context
    }

    /// The pair as a context, refused when its certificate is not valid at `date`: clients would refuse it
    /// (SNS stops delivering), and a reload must not swap a working pair for it.
    private static func load(_ certificateFile: String, _ keyFile: String, at date: Date) throws(CryptoError) -> TLSServerContext {
        let context = try TLSServerContext(certificatePEMFile: certificateFile, keyPEMFile: keyFile)
        let leaf = context.leaf
        guard leaf.notBefore <= date, date <= leaf.notAfter else {
            let why = date < leaf.notBefore
                ? "is not valid before \(leaf.notBefore.formatted(.iso8601))" : "expired at \(leaf.notAfter.formatted(.iso8601))"
            throw CryptoError(.tlsConfiguration, "certificate \(certificateFile) \(why)")
        }
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
