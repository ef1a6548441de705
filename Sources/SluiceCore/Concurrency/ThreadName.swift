import Foundation

/// Names the calling thread in the kernel (`top -H`, perf, /proc and the per-thread CPU figures of
/// Scripts/bench-sns), at most 15 bytes.
///
/// Through /proc/thread-self/comm: Glibc's Swift module does not export `pthread_setname_np`, and
/// Foundation's `Thread.current.name` reaches the kernel only when the thread object already knows its
/// pthread, which a just-started `Thread` sometimes does not yet (the writer stayed unnamed in 2 of 12
/// bench runs, and in 1 of 36 starts of its test). Best effort: a failure leaves the name as it was.
public enum ThreadName {
    public static func setCurrent(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}
