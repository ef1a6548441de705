import Foundation
import Testing

/// Scripts/leak-check's proof that LeakSanitizer watches the test process: with SLUICE_LEAK_CANARY=1 this
/// test drops one malloc'd block on purpose, and the script fails unless the report names this suite.
/// Skipped in every other run.
@Suite struct LeakCanaryTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SLUICE_LEAK_CANARY"] == "1"))
    func dropsOneBlockForTheLeakCheck() {
        let block = malloc(4096)
        #expect(block != nil)
        if let block { memset(block, 0x5A, 4096) }
    }
}
