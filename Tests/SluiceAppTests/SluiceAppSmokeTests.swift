import Testing
@testable import SluiceApp

struct SluiceAppSmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
