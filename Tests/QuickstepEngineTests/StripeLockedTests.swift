import Dispatch
import Testing
@testable import QuickstepEngine

/// The registry's stripe lock (one atomic word) excludes: eight threads each adding to a shared two-field state
/// 20,000 times under it end with every addition counted, and the two fields, written apart inside the lock,
/// never seen out of step. Without exclusion the increments race and both checks fail.
@Suite struct StripeLockedTests {
    struct Pair {
        var first = 0
        var second = 0
    }

    @Test func excludesEveryOtherHolder() {
        let locked = StripeLocked(Pair())
        let threads = 8, rounds = 20_000
        let outOfStep = StripeLocked(0)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<rounds {
                let seen = locked.withLock { pair -> Bool in
                    let matched = pair.first == pair.second
                    pair.first += 1
                    pair.second += 1
                    return matched
                }
                if !seen { outOfStep.withLock { $0 += 1 } }
            }
        }
        #expect(locked.withLock { $0.first } == threads * rounds)
        #expect(locked.withLock { $0.second } == threads * rounds)
        #expect(outOfStep.withLock { $0 } == 0)
    }

    /// A row of them hands each stripe its own state.
    @Test func stripesKeepTheirOwnState() {
        let stripes = LockedStripes(count: 4) { $0 * 10 }
        DispatchQueue.concurrentPerform(iterations: 4) { stripe in
            for _ in 0..<1_000 { stripes.withLock(stripe) { $0 += 1 } }
        }
        #expect((0..<4).map { stripe in stripes.withLock(stripe) { $0 } } == [1_000, 1_010, 1_020, 1_030])
    }
}
