import COpenSSL

/// Process-wide OpenSSL state that the shim sets up before anything else uses OpenSSL.
public enum OpenSSLProcess {
    /// Whether OpenSSL was told not to free its global state at exit (`OPENSSL_INIT_NO_ATEXIT`). Without
    /// that, a thread still inside OpenSSL while the process exits can crash it after a clean shutdown.
    public static var exitCleanupDisabled: Bool { COpenSSL_exit_cleanup_disabled() == 1 }
}
