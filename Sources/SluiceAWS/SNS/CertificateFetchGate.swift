import Foundation
import SluiceCore
import Synchronization

/// `CertificateFetchAdmission` shared by the provider (which starts fetches) and the endpoint's event
/// loops (which report verified messages), so that reporting costs one atomic load per message while no
/// client is remembered, which is nearly always.
public final class CertificateFetchGate: Sendable {
    private let admission: Mutex<CertificateFetchAdmission>
    private let remembered = Atomic<Int>(0)

    public init(settings: CertificateFetchAdmission.Settings = .init()) {
        admission = Mutex(CertificateFetchAdmission(settings: settings))
    }

    /// A message from `remoteAddress` (as the server reports the peer) verified.
    public func verified(remoteAddress: String, now: Date) {
        guard remembered.load(ordering: .relaxed) > 0, let client = CertificateFetchClient(remoteAddress: remoteAddress) else { return }
        update { admission in
            if admission.remembers(client) { admission.verified(by: client, now: now) }
        }
    }

    /// Clients remembered now.
    public var count: Int { remembered.load(ordering: .relaxed) }

    /// Runs `body` on the admission state and republishes how many clients it remembers.
    func update<T>(_ body: (inout CertificateFetchAdmission) -> T) -> T {
        admission.withLock { admission in
            let result = body(&admission)
            remembered.store(admission.count, ordering: .relaxed)
            return result
        }
    }
}
