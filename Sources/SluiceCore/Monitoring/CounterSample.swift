/// Monitoring reads the store's hourly counter rows as they are.
public typealias CounterSample = HourlyCounter
