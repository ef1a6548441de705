/// Everything the app needs from persistent storage; `SQLiteStore` conforms, a PostgreSQL store could too.
public typealias StoreBackend = FeedbackStore & MessageRetentionStore & SuppressionStore & CounterStore
    & CertificateCacheStore & SubscriptionStore & SettingsStore
