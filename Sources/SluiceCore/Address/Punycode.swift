/// RFC 3492 Punycode: the Bootstring encoding IDNA uses for `xn--` labels.
enum Punycode {
    // RFC 3492 §5 parameter values.
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN: UInt32 = 0x80
    /// Labels are at most 63 octets, so no sane input needs more code points than this.
    static let maxInputScalars = 256

    /// Encodes Unicode scalars (already lower-cased) to the Punycode string without the `xn--` prefix.
    static func encode(_ input: [Unicode.Scalar]) -> String? {
        guard input.count <= maxInputScalars else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count + 8)
        for scalar in input where scalar.value < 0x80 {
            output.append(UInt8(scalar.value))
        }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 { output.append(UInt8(ascii: "-")) }

        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < input.count {
            // The smallest code point not yet handled.
            var m = UInt32.max
            for scalar in input where scalar.value >= n && scalar.value < m { m = scalar.value }
            let (step, overflow) = Int(m - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow else { return nil }
            delta += step
            n = m
            for scalar in input {
                if scalar.value < n {
                    delta += 1
                }
                if scalar.value == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = threshold(k, bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes a Punycode string (without `xn--`) to Unicode scalars, or nil when malformed.
    static func decode(_ input: Substring.UTF8View) -> [Unicode.Scalar]? {
        let bytes = Array(input)
        guard bytes.count <= maxInputScalars else { return nil }
        var output: [Unicode.Scalar] = []
        var start = 0
        if let lastDelimiter = bytes.lastIndex(of: UInt8(ascii: "-")) {
            for byte in bytes[..<lastDelimiter] {
                guard byte < 0x80 else { return nil }
                output.append(Unicode.Scalar(byte))
            }
            start = lastDelimiter + 1
        }
        var n = initialN
        var i = 0
        var bias = initialBias
        var position = start
        while position < bytes.count {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard position < bytes.count, let d = digitValue(bytes[position]) else { return nil }
                position += 1
                let (dw, o1) = d.multipliedReportingOverflow(by: w)
                let (sum, o2) = i.addingReportingOverflow(dw)
                guard !o1, !o2, sum <= Int(Int32.max) else { return nil }
                i = sum
                let t = threshold(k, bias)
                if d < t { break }
                let (nw, o3) = w.multipliedReportingOverflow(by: base - t)
                guard !o3, nw <= Int(Int32.max) else { return nil }
                w = nw
                k += base
            }
            bias = adapt(i - oldI, output.count + 1, oldI == 0)
            let (nn, o4) = Int(n).addingReportingOverflow(i / (output.count + 1))
            guard !o4, nn <= 0x10FFFF else { return nil }
            n = UInt32(nn)
            i %= output.count + 1
            // Basic code points must be encoded literally, never as deltas (RFC 3492 §6.2).
            guard n >= initialN, let scalar = Unicode.Scalar(n) else { return nil }
            output.insert(scalar, at: i)
            guard output.count <= maxInputScalars else { return nil }
            i += 1
        }
        return output
    }

    private static func threshold(_ k: Int, _ bias: Int) -> Int {
        if k <= bias + tMin { return tMin }
        if k >= bias + tMax { return tMax }
        return k - bias
    }

    private static func adapt(_ delta: Int, _ numPoints: Int, _ firstTime: Bool) -> Int {
        var delta = firstTime ? delta / damp : delta / 2
        delta += delta / numPoints
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    private static func digit(_ d: Int) -> UInt8 {
        // 0..25 → a..z, 26..35 → 0..9 (lower case, as IDNA requires).
        d < 26 ? UInt8(ascii: "a") + UInt8(d) : UInt8(ascii: "0") + UInt8(d - 26)
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0")) + 26
        default: nil
        }
    }
}
