/// The version printed by `sluice version` and sent as User-Agent.
public enum SluiceVersion {
    public static let current = "0.1.0"
}
