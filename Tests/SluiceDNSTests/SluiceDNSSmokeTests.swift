import Testing
@testable import SluiceDNS

struct SluiceDNSSmokeTests {
    @Test func moduleLoads() { #expect(Bool(true)) }
}
