/// Everything a warehouse offers: bars, the completeness ledger, reference data, tasks and ticker
/// names. Both stores (SQLite, PostgreSQL) are one; the `gui` and the `scraper` commands that read
/// the warehouse take it.
public typealias WarehouseStore = BarStore & LedgerStore & ReferenceStore & TaskStore & TickerDirectory
