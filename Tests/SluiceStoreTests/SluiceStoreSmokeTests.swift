import Testing
@testable import SluiceStore

struct SluiceStoreSmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
