import Testing
@testable import SluiceCore

struct SluiceCoreSmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
