import SluiceCore

/// Where alert notifications go. `submit` must return promptly (queue, don't deliver inline), so a slow
/// or failing destination never holds up the monitor, ingestion or sending.
public protocol AlertSink: Sendable {
    /// Accepts notifications for delivery, in order.
    func submit(_ notifications: [AlertNotification]) async
    /// Stops background delivery; pending notifications may be dropped.
    func shutdown() async
}
