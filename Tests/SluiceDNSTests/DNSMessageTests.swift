import Foundation
import Testing

@testable import SluiceDNS

struct DNSMessageTests {
    static func sampleResponse() -> DNSMessage {
        let soa = DNSSOA(
            mname: "ns1.example.com", rname: "hostmaster.example.com", serial: 2024010101, refresh: 7200,
            retry: 900, expire: 1_209_600, minimum: 300)
        return DNSMessage(
            id: 0xBEEF, isResponse: true, isAuthoritative: true, recursionAvailable: true,
            questions: [DNSQuestion(name: "example.com", type: .txt)],
            answers: [
                DNSRecord(name: "example.com", type: .txt, data: .txt([Array("v=spf1 ".utf8), Array("-all".utf8)])),
                DNSRecord(name: "example.com", type: .a, data: .a([192, 0, 2, 1])),
                DNSRecord(name: "example.com", type: .aaaa, data: .aaaa([0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1])),
                DNSRecord(name: "example.com", type: .mx, data: .mx(preference: 10, exchange: "mail.example.com")),
                DNSRecord(name: "www.example.com", type: .cname, data: .cname("example.com")),
            ],
            authority: [
                DNSRecord(name: "example.com", type: .ns, data: .ns("ns1.example.com")),
                DNSRecord(name: "example.com", type: .soa, data: .soa(soa)),
            ],
            additional: [DNSRecord(name: "x.example.com", type: DNSRecordType(rawValue: 99), data: .unknown([1, 2, 3]))],
            ednsPayloadSize: 1232, ednsOptions: [DNSOption(code: 10, data: [1, 2, 3, 4, 5, 6, 7, 8])])
    }

    @Test func roundTripsAQueryWithEDNS() throws {
        let query = DNSMessage.query(id: 0x1234, name: "Example.COM.", type: .mx)
        let bytes = try query.encode()
        // Header 12 + question (13 + 4) + OPT 11.
        #expect(bytes.count == 12 + 17 + 11)
        let decoded = try DNSMessage(decoding: bytes)
        #expect(decoded.id == 0x1234)
        #expect(decoded.recursionDesired)
        #expect(!decoded.isResponse)
        #expect(decoded.questions == [DNSQuestion(name: "example.com", type: .mx)])
        #expect(decoded.ednsPayloadSize == 1232)
    }

    @Test func roundTripsEveryRecordType() throws {
        let message = Self.sampleResponse()
        let decoded = try DNSMessage(decoding: try message.encode())
        #expect(decoded == message)
        #expect(decoded.answers[0].data.text == "v=spf1 -all")
    }

    @Test func compressesRepeatedNames() throws {
        let bytes = try Self.sampleResponse().encode()
        // The answer owner "example.com" points back at the question name at offset 12.
        let pointer: [UInt8] = [0xC0, 0x0C]
        let pointers = (0..<bytes.count - 1).filter { bytes[$0] == pointer[0] && bytes[$0 + 1] == pointer[1] }
        #expect(pointers.count >= 5)
        #expect(bytes.count < 260)
    }

    @Test func decodesAHandWrittenCompressedAnswer() throws {
        var bytes: [UInt8] = [0x00, 0x01, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
        bytes += [3] + Array("foo".utf8) + [4] + Array("test".utf8) + [0, 0, 5, 0, 1]
        // Answer: owner = pointer to 12, CNAME to "bar" + pointer to "test" at offset 16.
        bytes += [0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3] + Array("bar".utf8) + [0xC0, 16]
        let message = try DNSMessage(decoding: bytes)
        #expect(message.answers == [DNSRecord(name: "foo.test", type: .cname, ttl: 60, data: .cname("bar.test"))])
    }

    @Test func carriesExtendedResponseCodesInOPT() throws {
        var message = DNSMessage(id: 1, isResponse: true, responseCode: DNSResponseCode(rawValue: 16), ednsPayloadSize: 512)
        message.recursionDesired = false
        let decoded = try DNSMessage(decoding: try message.encode())
        #expect(decoded.responseCode.rawValue == 16)
    }

    static func header(qd: UInt16 = 0, an: UInt16 = 0) -> [UInt8] {
        [0, 1, 0x81, 0x80, UInt8(qd >> 8), UInt8(qd & 0xFF), UInt8(an >> 8), UInt8(an & 0xFF), 0, 0, 0, 0]
    }

    static let malicious: [(String, [UInt8])] = [
        ("empty", []),
        ("short header", [0, 1, 2]),
        ("self pointer", header(qd: 1) + [0xC0, 12, 0, 1, 0, 1]),
        ("two-pointer loop", header(qd: 1) + [0xC0, 14, 0xC0, 12, 0, 1, 0, 1]),
        ("forward pointer", header(qd: 1) + [0xC0, 20, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]),
        ("pointer past end", header(qd: 1) + [0xC0, 0xFF, 0, 1, 0, 1]),
        ("half pointer", header(qd: 1) + [0xC0]),
        ("label past end", header(qd: 1) + [9, 0x61, 0x62]),
        ("extended label type", header(qd: 1) + [0x41, 0, 0, 1, 0, 1]),
        ("huge counts", [0, 1, 0x81, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        ("rdlength past end", header(an: 1) + [0, 0, 16, 0, 1, 0, 0, 0, 1, 0xFF, 0xFF, 1, 0x61]),
        ("txt string past rdata", header(an: 1) + [0, 0, 16, 0, 1, 0, 0, 0, 1, 0, 2, 5, 0x61]),
        ("A with 3 bytes", header(an: 1) + [0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 3, 1, 2, 3]),
        ("cname rdata longer than name", header(an: 1) + [0, 0, 5, 0, 1, 0, 0, 0, 1, 0, 3, 0, 0, 0]),
        ("name over 255 bytes", header(qd: 1) + Array(repeating: [63] + Array(repeating: UInt8(0x61), count: 63), count: 5).flatMap { $0 } + [0, 0, 1, 0, 1]),
    ]

    @Test(arguments: 0..<malicious.count)
    func rejectsMaliciousInput(index: Int) {
        let (name, bytes) = Self.malicious[index]
        let error = #expect(throws: DNSError.self, "\(name)") { try DNSMessage(decoding: bytes) }
        #expect(error?.code == .malformed, "\(name)")
    }

    @Test func neverCrashesOnTruncatedOrMutatedMessages() throws {
        let valid = try Self.sampleResponse().encode()
        for length in 0..<valid.count {
            _ = try? DNSMessage(decoding: Array(valid[0..<length]))
        }
        // Deterministic mutation fuzzing: flip bytes and expect a clean decode or a thrown error.
        var random = SplitMix64(seed: 0x5EED)
        var decodedCount = 0
        // SLUICE_FUZZ_ITERATIONS raises the count for a longer local run.
        let iterations = ProcessInfo.processInfo.environment["SLUICE_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 3000
        for _ in 0..<iterations {
            var bytes = valid
            for _ in 0..<Int(random.next() % 4 + 1) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            if (try? DNSMessage(decoding: bytes)) != nil { decodedCount += 1 }
        }
        // Most single-byte changes land in TTLs, IDs or text: many mutants still decode.
        #expect(decodedCount > 0)
        // Random buffers behind a header claiming records.
        for _ in 0..<iterations {
            var bytes = Self.header(qd: 1, an: UInt16(random.next() % 4))
            for _ in 0..<Int(random.next() % 64) { bytes.append(UInt8(truncatingIfNeeded: random.next())) }
            _ = try? DNSMessage(decoding: bytes)
        }
    }

    @Test func escapesAndValidatesNames() throws {
        #expect(try DNSName.labels(of: "a\\.b.example.com.") == [Array("a.b".utf8), Array("example".utf8), Array("com".utf8)])
        #expect(try DNSName.labels(of: "x\\032y.test") == [Array("x y".utf8), Array("test".utf8)])
        #expect(try DNSName.labels(of: ".") == [])
        #expect(DNSName.presentation(of: [Array("a.b".utf8), [0x00]]) == "a\\046b.\\000")
        for bad in ["a..b", String(repeating: "x", count: 64) + ".com", "ü.test", "trailing\\"] {
            #expect(throws: DNSError.self, "\(bad)") { try DNSName.labels(of: bad) }
        }
    }
}

/// A tiny deterministic PRNG for fuzz loops (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
