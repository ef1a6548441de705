// libFuzzer entry for `toml-config`: TOMLParser over arbitrary (UTF-8 repaired) text.
// Scripts/fuzz links it against an instrumented, -enable-testing build of SluiceCore.
@testable import SluiceCore

/// Parses the bytes as a config file; errors are expected, crashes and hangs are findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let document = try? TOMLParser.parse(text) else { return 0 }
    // Keys are `section.key` built from bare keys, so they are never empty.
    precondition(!document.keys.contains(""), "empty key in parsed document")
    return 0
}
