/// Fast request ids: 16 hex digits from a SplitMix64 sequence seeded from the system RNG.
/// Ids need to be unique, not secret, so a per-loop PRNG avoids a syscall per request.
struct RequestIDGenerator {
    private var state: UInt64

    init() {
        var rng = SystemRandomNumberGenerator()
        state = rng.next()
    }

    mutating func next() -> String {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Self.hex(z)
    }

    static func hex(_ value: UInt64) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 16) { buffer in
            for i in 0..<16 {
                buffer[i] = digits.utf8Start[Int((value >> UInt64(60 - i * 4)) & 0xF)]
            }
            return 16
        }
    }
}
