/// The open connections of one loop, indexed by file descriptor: descriptors are small dense
/// integers, so an array slot per descriptor replaces hashing on every event and check.
struct ConnectionTable {
    private var slots: [ServerConnection?] = []

    subscript(fd: Int32) -> ServerConnection? {
        get {
            let i = Int(fd)
            return i >= 0 && i < slots.count ? slots[i] : nil
        }
        set {
            let i = Int(fd)
            guard i >= 0 else { return }
            if i >= slots.count {
                guard newValue != nil else { return }
                slots.append(contentsOf: repeatElement(nil, count: max(i + 1, slots.count * 2) - slots.count))
            }
            slots[i] = newValue
        }
    }

    /// A snapshot of the open connections (safe to close them while iterating).
    var values: [ServerConnection] { slots.compactMap { $0 } }
}
