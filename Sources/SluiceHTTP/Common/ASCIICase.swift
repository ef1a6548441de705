/// ASCII case folding for header names and tokens.
enum ASCIICase {
    @inline(__always)
    static func equal(_ a: UInt8, _ b: UInt8) -> Bool {
        a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
    }

    /// Whether two byte runs are equal ignoring ASCII case.
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where !equal(a[i], b[i]) { return false }
        return true
    }

    /// Whether `bytes` equals `lowercase` (given in lower case) ignoring ASCII case.
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let l = lowercase.utf8Start
        for i in 0..<bytes.count {
            let b = bytes[i]
            // Only letters fold; every other byte must match exactly.
            let folded = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            if folded != l[i] { return false }
        }
        return true
    }
}
