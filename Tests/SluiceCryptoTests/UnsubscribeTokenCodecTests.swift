import Foundation
import Testing
@testable import SluiceCrypto

struct UnsubscribeTokenCodecTests {
    static let secretA = [UInt8](repeating: 0xA5, count: 32)
    static let secretB = Array(0..<40).map { UInt8($0) }
    static let issued = Date(timeIntervalSince1970: 1_790_000_000)

    static func codec(_ keys: [(String, [UInt8])], maxAge: TimeInterval? = nil) throws -> UnsubscribeTokenCodec {
        try UnsubscribeTokenCodec(keys: keys.map { try UnsubscribeKey(id: $0.0, secret: $0.1) }, maxAge: maxAge)
    }

    @Test(arguments: [("jane@example.com", nil), ("Jane.Doe+x@exämple.org", "newsletter"), ("a@b.c", "news/weekly")] as [(String, String?)])
    func roundTripsRecipientListAndTime(recipient: String, list: String?) throws {
        let codec = try Self.codec([("k1", Self.secretA)])
        let text = try codec.issue(UnsubscribeToken(recipient: recipient, list: list, issuedAt: Self.issued))
        let token = try codec.verify(text, now: Self.issued.addingTimeInterval(86_400 * 900))
        #expect(token.recipient == recipient)
        #expect(token.list == list)
        #expect(token.issuedAt == Self.issued)
        #expect(token.keyId == "k1")
        // URL-safe and no address in clear (not even base64 of it).
        #expect(text.utf8.allSatisfy { UnsubscribeKey.isIdByte($0) })
        #expect(!text.contains(recipient))
        #expect(!text.contains(UnsubscribeTokenCodec.base64URLEncode(Array(recipient.utf8)).dropLast(2)))
    }

    @Test func everyFlippedBitIsRejected() throws {
        let codec = try Self.codec([("k1", Self.secretA)])
        let text = try codec.issue(UnsubscribeToken(recipient: "jane@example.com", issuedAt: Self.issued))
        var bytes = try #require(UnsubscribeTokenCodec.base64Decode(text))
        for index in bytes.indices {
            bytes[index] ^= 0x01
            let tampered = UnsubscribeTokenCodec.base64URLEncode(bytes)
            #expect(throws: UnsubscribeTokenError.self) { try codec.verify(tampered, now: Self.issued) }
            bytes[index] ^= 0x01
        }
        #expect(try codec.verify(UnsubscribeTokenCodec.base64URLEncode(bytes), now: Self.issued).recipient == "jane@example.com")
    }

    @Test func tamperedCiphertextIsABadSignature() throws {
        let codec = try Self.codec([("k1", Self.secretA)])
        let text = try codec.issue(UnsubscribeToken(recipient: "jane@example.com", issuedAt: Self.issued))
        var bytes = try #require(UnsubscribeTokenCodec.base64Decode(text))
        bytes[2 + 2 + 16 + 9] ^= 0x20
        let error = #expect(throws: UnsubscribeTokenError.self) { try codec.verify(UnsubscribeTokenCodec.base64URLEncode(bytes), now: Self.issued) }
        #expect(error?.code == .badSignature)
    }

    @Test(arguments: ["", "!!!", "AAAA", String(repeating: "A", count: 2000)])
    func malformedTokensAreRejected(text: String) throws {
        let codec = try Self.codec([("k1", Self.secretA)])
        let error = #expect(throws: UnsubscribeTokenError.self) { try codec.verify(text, now: Self.issued) }
        #expect(error?.code == .malformed)
    }

    @Test func rotationNewestSignsAllVerify() throws {
        let old = try Self.codec([("k1", Self.secretA)])
        let rotated = try Self.codec([("k2", Self.secretB), ("k1", Self.secretA)])
        let retired = try Self.codec([("k2", Self.secretB)])
        let oldToken = try old.issue(UnsubscribeToken(recipient: "a@example.com", issuedAt: Self.issued))
        let newToken = try rotated.issue(UnsubscribeToken(recipient: "b@example.com", issuedAt: Self.issued))
        #expect(try rotated.verify(oldToken, now: Self.issued).keyId == "k1")
        #expect(try rotated.verify(newToken, now: Self.issued).keyId == "k2")
        #expect(try retired.verify(newToken, now: Self.issued).recipient == "b@example.com")
        let error = #expect(throws: UnsubscribeTokenError.self) { try retired.verify(oldToken, now: Self.issued) }
        #expect(error?.code == .unknownKey)
    }

    @Test func sameKeyIdWithAnotherSecretIsABadSignature() throws {
        let real = try Self.codec([("k1", Self.secretA)])
        let forger = try Self.codec([("k1", Self.secretB)])
        let forged = try forger.issue(UnsubscribeToken(recipient: "victim@example.com", issuedAt: Self.issued))
        let error = #expect(throws: UnsubscribeTokenError.self) { try real.verify(forged, now: Self.issued) }
        #expect(error?.code == .badSignature)
    }

    @Test func maxAgeExpiresOldTokens() throws {
        let codec = try Self.codec([("k1", Self.secretA)], maxAge: 86_400)
        let text = try codec.issue(UnsubscribeToken(recipient: "a@example.com", issuedAt: Self.issued))
        #expect(try codec.verify(text, now: Self.issued.addingTimeInterval(3600)).recipient == "a@example.com")
        let error = #expect(throws: UnsubscribeTokenError.self) { try codec.verify(text, now: Self.issued.addingTimeInterval(86_401)) }
        #expect(error?.code == .expired)
    }

    @Test func keyParsingChecksIdAndSecretLength() throws {
        let secret = Data(Self.secretA).base64EncodedString()
        #expect(try UnsubscribeKey(parsing: "k-1:\(secret)").id == "k-1")
        for bad in ["nocolon", ":\(secret)", "bad id:\(secret)", "k1:c2hvcnQ=", "k1:***"] {
            let error = #expect(throws: UnsubscribeTokenError.self) { try UnsubscribeKey(parsing: bad) }
            #expect(error?.code == .invalidKey)
        }
        #expect(throws: UnsubscribeTokenError.self) { try UnsubscribeTokenCodec(keys: []) }
        let k = try UnsubscribeKey(id: "k1", secret: Self.secretA)
        #expect(throws: UnsubscribeTokenError.self) { try UnsubscribeTokenCodec(keys: [k, k]) }
    }

    @Test func refusesRecipientsThatCannotBeEncoded() throws {
        let codec = try Self.codec([("k1", Self.secretA)])
        for recipient in ["", "a\u{0}b@example.com", String(repeating: "a", count: 400) + "@x.com"] {
            let error = #expect(throws: UnsubscribeTokenError.self) { try codec.issue(UnsubscribeToken(recipient: recipient, issuedAt: Self.issued)) }
            #expect(error?.code == .invalidInput)
        }
    }
}
