import Testing
@testable import SluiceAWS

struct SluiceAWSSmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
