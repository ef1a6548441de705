import Testing
@testable import SluiceCrypto

struct OpenSSLHashingTests {
    @Test func matchesTheStaticFunctions() {
        let hashing = OpenSSLHashing()
        #expect(hashing.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hashing.sha256(Array("abc".utf8)) == Digest.sha256(Array("abc".utf8)))
        #expect(Hex.encode(hashing.hmacSHA256(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8)))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
