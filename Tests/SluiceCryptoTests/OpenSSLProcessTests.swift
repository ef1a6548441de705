import SluiceCrypto
import Testing

@Suite struct OpenSSLProcessTests {
    /// The shim's load-time constructor ran before any OpenSSL use and OpenSSL accepted the option, so
    /// exit() does not free locks that other threads may still hold (shim.c explains the crash it prevents).
    @Test func exitCleanupIsDisabledBeforeFirstUse() {
        #expect(OpenSSLProcess.exitCleanupDisabled)
    }
}
