import BackfillCore
import PolygonSandbox
import Testing

/// The sandbox's world must be coherent, or tests built on it prove nothing.
@Suite("Synthetic universe")
struct SyntheticUniverseTests {
    static let market = SyntheticMarket(seed: 42)
    var universe: SyntheticUniverse { Self.market.universe }
    func date(_ text: String) -> LocalDate { LocalDate(text)! }

    @Test func isDeterministicAndCarriesTheTrickySymbols() {
        let again = SyntheticUniverse(seed: 42)
        #expect(again.securities == universe.securities)
        #expect(universe.securities.count == 300)
        let today = universe.listings(on: date("2025-03-03")).map(\.ticker)
        for symbol in ["NA", "NAN", "NULL", "TRUE", "TpC", "TPC", "BRK.B", "AAPL", "META"] {
            #expect(today.contains(symbol), "\(symbol) trades")
        }
        #expect(Set(today).count == today.count, "one security per ticker per day")
        #expect(SyntheticUniverse(seed: 7).securities != universe.securities)
    }

    @Test func facebookBecomesMetaWithOneContinuousSeries() throws {
        let fb = try #require(universe.security(ticker: "FB", on: date("2022-06-08")))
        let meta = try #require(universe.security(ticker: "META", on: date("2022-06-09")))
        #expect(fb.id == meta.id && fb.compositeFIGI == meta.compositeFIGI)
        #expect(universe.security(ticker: "FB", on: date("2022-06-09")) == nil)
        #expect(Self.market.minuteBars(symbol: "META", date: date("2022-06-08")).isEmpty)
        #expect(Self.market.minuteBars(symbol: "FB", date: date("2022-06-09")).isEmpty)
        let lastFB = try #require(Self.market.minuteBars(symbol: "FB", date: date("2022-06-08")).last)
        let firstMeta = try #require(Self.market.minuteBars(symbol: "META", date: date("2022-06-09")).first)
        #expect(abs(firstMeta.open / lastFB.close - 1) < 0.15, "an overnight move, not a new series")
    }

    @Test func splitsMoveRawPricesAndAdjustmentUndoesIt() throws {
        var candidates: [(SyntheticSecurity, SyntheticSecurity.Split)] = []
        for security in universe.securities {
            for split in security.splits where split.to / split.from >= 2 && split.date.year >= 2005 {
                candidates.append((security, split))
            }
        }
        let (security, event) = try #require(candidates.first)
        let before = try #require(Self.market.calendar.previousSession(before: event.date)?.date)
        let ticker = try #require(security.ticker(on: event.date))
        let lastBefore = try #require(Self.market.minuteBars(symbol: ticker, date: before).last)
        let firstAfter = try #require(Self.market.minuteBars(symbol: ticker, date: event.date).first)
        let ratio = firstAfter.open / lastBefore.close
        #expect(abs(ratio * event.to / event.from - 1) < 0.15, "raw price drops by the split ratio")
        let adjusted = Self.market.splitAdjusted(lastBefore, of: security, on: before, asOf: event.date)
        #expect(abs(firstAfter.open / adjusted.close - 1) < 0.15)
        #expect(adjusted.volume > lastBefore.volume)
    }

    @Test func delistedSecuritiesStopTrading() throws {
        let delisted = try #require(universe.securities.first { $0.delistDate != nil })
        let last = try #require(delisted.delistDate)
        let next = try #require(Self.market.calendar.nextSession(after: last)?.date)
        #expect(!Self.market.minuteBars(symbol: delisted.currentTicker, date: last).isEmpty)
        #expect(Self.market.minuteBars(symbol: delisted.currentTicker, date: next).isEmpty)
    }
}
