#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenSSL writes to sockets with write(2); a peer reset would raise SIGPIPE and kill the process.
enum IgnoreSIGPIPE {
    private static let done: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    static func once() { _ = done }
}
