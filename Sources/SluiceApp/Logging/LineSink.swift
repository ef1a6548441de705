import Foundation
import Glibc
import Synchronization

/// Where log lines go; lines never interleave and keep their order.
///
/// Writers do not queue on the lock across a syscall: the first writer that finds nobody flushing
/// becomes the flusher and writes its own bytes straight away, then everything others appended
/// meanwhile, in one `write(2)` per round, until nothing is left; others only append. Under load many
/// lines share one syscall; when idle each write goes out at once (nothing waits in memory, so nothing
/// is lost on exit). A stalled descriptor cannot grow memory without bound: past `maxPendingBytes`
/// lines are dropped and counted.
public final class LineSink: Sendable {
    /// Pending bytes beyond which new lines are dropped (and the drop reported).
    static let maxPendingBytes = 4 << 20

    private struct State {
        var pending: [UInt8] = []
        var flushing = false
        var dropped = 0
    }

    // Held so the descriptor stays open (a released FileHandle closes it, and the number gets reused).
    private let handle: FileHandle
    private let fd: Int32
    private let state = Mutex(State())

    public init(handle: FileHandle) {
        self.handle = handle
        fd = handle.fileDescriptor
    }

    public static let standardError = LineSink(handle: .standardError)

    /// Writes one line; the newline is added.
    func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        write(lines: bytes)
    }

    /// Writes complete lines (each ending with a newline) as one unit.
    func write(lines: [UInt8]) {
        guard !lines.isEmpty else { return }
        let direct: Bool = state.withLock { s in
            if !s.flushing {
                // Nobody is writing, so nothing is pending: write from the caller's buffer, no copy.
                s.flushing = true
                return true
            }
            if s.pending.count + lines.count >= Self.maxPendingBytes {
                s.dropped += lines.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
                return false
            }
            s.pending.append(contentsOf: lines)
            return false
        }
        guard direct else { return }
        writeAll(lines)
        flushLoop()
    }

    /// Writes what others appended while this thread was writing, then gives up the flusher role.
    private func flushLoop() {
        var batch: [UInt8] = []
        while true {
            let more: Bool = state.withLock { s in
                if s.dropped > 0 {
                    s.pending.append(contentsOf: "{\"msg\":\"log lines dropped: the log output is not keeping up\",\"dropped\":\(s.dropped)}\n".utf8)
                    s.dropped = 0
                }
                if s.pending.isEmpty {
                    s.flushing = false
                    return false
                }
                swap(&batch, &s.pending)
                return true
            }
            guard more else { return }
            writeAll(batch)
            batch.removeAll(keepingCapacity: batch.capacity <= 1 << 16)
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return  // a closed or broken log descriptor must not take the service down
                }
            }
        }
    }
}
