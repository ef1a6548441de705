// libFuzzer entry for `ses-event`: SESEventParser.parse over arbitrary bytes.
// Scripts/fuzz links it against an instrumented, -enable-testing build of SluiceCore.
@testable import SluiceCore

/// Feeds the bytes as an SES message; thrown errors are expected, crashes are findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let normalizer = AddressNormalizer()
    if let event = try? SESEventParser.parse(bytes, normalizer: normalizer) {
        // Touch the derived values so the optimiser cannot drop the work.
        _ = event.recipientEvents.count + event.invalidAddresses.count
    }
    return 0
}
