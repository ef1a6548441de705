/// Runs `body` on contiguous bytes of `bytes`, copying only when the collection is not contiguous.
@inline(__always)
func withBytes<Bytes: Collection<UInt8>, R, E: Error>(
    _ bytes: Bytes, _ body: (UnsafeRawBufferPointer) throws(E) -> R
) throws(E) -> R {
    // Result bridges typed throws through the stdlib's untyped `rethrows` closures.
    let direct: Result<R, E>? = bytes.withContiguousStorageIfAvailable { buffer in
        Result { () throws(E) -> R in try body(UnsafeRawBufferPointer(buffer)) }
    }
    if let direct { return try direct.get() }
    let copied: Result<R, E> = Array(bytes).withUnsafeBytes { raw in Result { () throws(E) -> R in try body(raw) } }
    return try copied.get()
}
