import Foundation
import Logging
import SluiceCrypto

/// Checks the HTTPS certificate and key files on a fixed cadence and loads a changed pair for new
/// connections (a renewal needs no restart). Publishes the served certificate's expiry as a gauge, so
/// an alert can fire well before a renewal that never happened expires it.
struct TLSReloadWorker: BackgroundWorker {
    let name = "tls-reload"
    let identity: TLSServerIdentity
    let context: AppContext
    let interval: Duration

    func run() async {
        publish(identity.current)
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            checkOnce()
        }
    }

    /// One check: reloads when either file changed; a pair that does not load is logged and the
    /// previous one stays in service (tried again at the next check).
    func checkOnce() {
        do {
            guard let reloaded = try identity.reloadIfChanged() else { return }
            publish(reloaded)
            context.logger.notice("TLS certificate reloaded", metadata: [
                "tls.certificate_file": "\(identity.certificateFile)",
                "tls.not_after": "\(reloaded.leaf.notAfter.ISO8601Format())",
            ])
        } catch {
            context.metrics.count("sluice_tls_reload_failures_total", help: "Changed certificate/key pairs that did not load (the previous pair stays in service).")
            context.logger.error("TLS certificate reload failed; still serving the previous certificate", metadata: [
                "tls.certificate_file": "\(identity.certificateFile)", "error": "\(error)",
            ])
        }
    }

    private func publish(_ served: TLSServerContext) {
        context.metrics.set(
            "sluice_tls_certificate_expiry_timestamp_seconds",
            help: "notAfter of the certificate served on new HTTPS connections, as a Unix time.",
            served.leaf.notAfter.timeIntervalSince1970)
    }
}
