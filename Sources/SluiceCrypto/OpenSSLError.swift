import COpenSSL

/// The one place OpenSSL failures become `CryptoError`s: drains the whole `ERR_get_error` queue.
enum OpenSSLError {
    /// Drains the thread's OpenSSL error queue into readable strings, oldest first.
    static func drainQueue() -> [String] {
        var errors: [String] = []
        // Bounded: the queue holds at most ERR_NUM_ERRORS (16) entries, but never trust that.
        for _ in 0..<64 {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            errors.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return errors
    }

    /// A `CryptoError` carrying the current OpenSSL error queue (which is cleared).
    static func make(_ code: CryptoError.Code, _ message: String) -> CryptoError {
        CryptoError(code, message, openSSLErrors: drainQueue())
    }

    /// Throws `make(code, message)` unless `status` is 1 (OpenSSL's usual success value).
    static func check(_ status: Int32, _ code: CryptoError.Code, _ message: @autoclosure () -> String) throws(CryptoError) {
        guard status == 1 else { throw make(code, message()) }
    }

    /// Unwraps a pointer returned by OpenSSL or throws with the error queue.
    static func check<T>(_ pointer: T?, _ code: CryptoError.Code, _ message: @autoclosure () -> String) throws(CryptoError) -> T {
        guard let pointer else { throw make(code, message()) }
        return pointer
    }
}
