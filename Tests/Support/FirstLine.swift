import Foundation
import Synchronization

extension FileHandle {
    /// The first line read from this handle (a child's stdout, say), or nil on EOF or after `seconds`.
    /// Reads at most 4 KiB, on a thread of its own, so a silent child cannot block the caller.
    public func firstLine(within seconds: Double) -> String? {
        let box = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var bytes: [UInt8] = []
            while bytes.count < 4096 {
                let chunk = self.availableData
                if chunk.isEmpty { break }
                bytes += chunk
                if chunk.contains(UInt8(ascii: "\n")) { break }
            }
            box.withLock { $0 = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) }
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return box.withLock { $0 }
    }
}
