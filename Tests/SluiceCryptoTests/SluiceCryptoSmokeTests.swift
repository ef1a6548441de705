import Testing
@testable import SluiceCrypto

struct SluiceCryptoSmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
