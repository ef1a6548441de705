/// Well-formed UTF-8 (Unicode 15, table 3-7): what `String(validating:as: UTF8.self)` accepts,
/// without building a String.
enum UTF8Check {
    static func isValid(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = s.count
        while i < n {
            let c = s[i]
            if c < 0x80 {
                i += 1
                continue
            }
            // The second byte's range depends on the lead (no overlongs, no surrogates, ≤ U+10FFFF).
            let need: Int
            var lo: UInt8 = 0x80
            var hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return false
            }
            guard n - i > need else { return false }
            let c1 = s[i + 1]
            guard c1 >= lo, c1 <= hi else { return false }
            if need >= 2 {
                guard s[i + 2] & 0xC0 == 0x80 else { return false }
            }
            if need == 3 {
                guard s[i + 3] & 0xC0 == 0x80 else { return false }
            }
            i += need + 1
        }
        return true
    }
}
