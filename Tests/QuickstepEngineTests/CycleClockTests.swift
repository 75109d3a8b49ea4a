import Foundation
import Testing
@testable import QuickstepEngine

/// The engine's clock (``CycleClock``) tells the same time as the system clock, whether it reads the cycle counter
/// (where the system clock is that counter) or falls back to the system clock.
@Suite(.serialized) struct CycleClockTests {
    /// The system clock's nanoseconds since the epoch.
    func systemNanoseconds() -> Int64 { RunScheduler.wallClockNanoseconds() }

    /// Once anchored twice, a tenth of a second apart, the clock agrees with the system clock read around it, to
    /// within a millisecond (the anchors are taken to within a few hundred nanoseconds; the rest is the allowance
    /// for a thread descheduled between the readings).
    @Test func agreesWithTheSystemClock() throws {
        CycleClock.shared.recalibrate()
        Thread.sleep(forTimeInterval: 0.11)
        CycleClock.shared.recalibrate()
        for _ in 0..<1_000 {
            let before = systemNanoseconds()
            let reading = CycleClock.shared.nanoseconds()
            let after = systemNanoseconds()
            #expect(reading >= before - 1_000_000 && reading <= after + 1_000_000, "\(before) \(reading) \(after)")
        }
        // A fifth of a second after the anchor (unless another test's engine re-anchored meanwhile), a rate off by
        // half a percent would be off by a millisecond.
        Thread.sleep(forTimeInterval: 0.2)
        let before = systemNanoseconds()
        let reading = CycleClock.shared.nanoseconds()
        let after = systemNanoseconds()
        #expect(reading >= before - 1_000_000 && reading <= after + 1_000_000, "\(before) \(reading) \(after)")
    }

    /// Readings on one thread go back by no more than a re-anchoring can move the clock (engines of other tests
    /// re-anchor it meanwhile): 10 µs, far more than the drift of a quarter of a second.
    @Test func readingsOnOneThreadDoNotGoBack() {
        CycleClock.shared.recalibrate()
        var last = CycleClock.shared.nanoseconds()
        for _ in 0..<100_000 {
            let reading = CycleClock.shared.nanoseconds()
            #expect(reading >= last - 10_000)
            last = max(last, reading)
        }
    }

    /// Ticks times a 32.32 fixed-point rate, in full width: no product overflows, whatever the interval.
    @Test(arguments: [
        (0, 1 << 32, Int64(0)),
        (1_000, 1 << 32, Int64(1_000)),  // a rate of one nanosecond per tick
        (3_000_000_000, 1 << 31, Int64(1_500_000_000)),  // half a nanosecond per tick
        (Int(1) << 40, 3 << 32, Int64(3) << 40),  // a product past 2⁶⁴ before the shift
    ])
    func scalesTicksByTheRate(ticks: Int, rate: Int, nanoseconds: Int64) {
        #expect(CycleClock.scaled(ticks, by: rate) == nanoseconds)
    }
}
