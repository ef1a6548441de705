import Testing
@testable import SluiceHTTP

struct SluiceHTTPSmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
