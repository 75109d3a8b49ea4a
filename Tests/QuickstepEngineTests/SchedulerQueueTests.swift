import Dispatch
import Synchronization
import Testing
@testable import QuickstepEngine

/// The scheduler's lock-free queues under contention: every element pushed is taken exactly once, none is lost
/// and none is duplicated, whatever the interleaving.
///
/// Each thread is a serial queue of its own: those get a thread each (Dispatch's overcommitting pool), where blocks
/// on a global concurrent queue would share as many threads as there are cores and spinning consumers could starve
/// the producers.
@Suite struct SchedulerQueueTests {
    final class Item: Sendable {
        let id: Int
        init(_ id: Int) { self.id = id }
    }

    /// Counts how often each id was taken (each thread keeps its own list and hands it in at the end).
    final class Tally: Sendable {
        private let counts: Locked<[Int]>
        init(_ count: Int) { counts = Locked(Array(repeating: 0, count: count)) }
        func add(_ ids: [Int]) { counts.withLock { counts in for id in ids { counts[id] += 1 } } }
        var everyOneOnce: Bool { counts.withLock { $0.allSatisfy { $0 == 1 } } }
        var taken: Int { counts.withLock { $0.reduce(0, +) } }
    }

    /// The injection queue is served in proportion to its share of the waiting work: a worker whose deque holds
    /// as much as the injection queue serves it every second take, so both drain in about the same number of
    /// takes; an empty or smaller deque never keeps it waiting; a deep deque still serves it every 61st take.
    @Test func injectionIsServedInProportionToItsShare() {
        #expect(WorkerPool.injectionPeriod(own: 0, injected: 5) == 1)
        #expect(WorkerPool.injectionPeriod(own: 499, injected: 500) == 1)
        #expect(WorkerPool.injectionPeriod(own: 500, injected: 500) == 2)
        #expect(WorkerPool.injectionPeriod(own: 300, injected: 100) == 4)
        #expect(WorkerPool.injectionPeriod(own: 10_000, injected: 10) == 61)
        // Over the takes it needs to cycle its deque once (own), the worker serves about `injected` injected runs.
        for (own, injected) in [(500, 500), (900, 100), (3_000, 1_000)] {
            let period = WorkerPool.injectionPeriod(own: own, injected: injected)
            let served = (own + injected) / period
            #expect(Double(served) >= 0.5 * Double(injected), "own \(own), injected \(injected): \(served)")
        }
    }

    @Test func dequeIsLastInFirstOutForTheOwnerAndFirstInFirstOutForThieves() {
        let deque = WorkStealingDeque<Item>(capacity: 8)
        for id in 0..<4 { #expect(deque.push(Item(id))) }
        #expect(deque.pop()?.id == 3)
        #expect(deque.steal()?.id == 0)
        #expect(deque.pop()?.id == 2)
        #expect(deque.steal()?.id == 1)
        #expect(deque.pop() == nil)
        #expect(deque.steal() == nil)
        #expect(!deque.hasElements)
    }

    @Test func dequeRefusesAnElementWhenFull() {
        let deque = WorkStealingDeque<Item>(capacity: 4)
        for id in 0..<4 { #expect(deque.push(Item(id))) }
        #expect(!deque.push(Item(4)))
        #expect(deque.steal()?.id == 0)
        #expect(deque.push(Item(4)))
    }

    /// One owner pushes and pops while three thieves steal: 200,000 elements, each taken exactly once.
    @Test func dequeOwnerAndThievesTakeEveryElementOnce() {
        let count = 200_000
        let deque = WorkStealingDeque<Item>(capacity: 256)
        let tally = Tally(count)
        let ownerDone = Atomic<Bool>(false)
        let group = DispatchGroup()
        for _ in 0..<3 {
            DispatchQueue(label: "thief").async(group: group) {
                var taken: [Int] = []
                defer { tally.add(taken) }
                while true {
                    if let item = deque.steal() {
                        taken.append(item.id)
                    } else if ownerDone.load(ordering: .acquiring) && !deque.hasElements {
                        return
                    }
                }
            }
        }
        var next = 0
        var taken: [Int] = []
        while next < count {
            // Push a burst (the owner keeps what does not fit), then pop part of it back.
            for _ in 0..<8 where next < count {
                let item = Item(next)
                if deque.push(item) { next += 1 } else { break }
            }
            if next % 3 == 0, let item = deque.pop() { taken.append(item.id) }
        }
        while let item = deque.pop() { taken.append(item.id) }
        tally.add(taken)
        ownerDone.store(true, ordering: .releasing)
        group.wait()
        #expect(tally.taken == count)
        #expect(tally.everyOneOnce)
    }

    @Test func injectionQueueIsFirstInFirstOutAndOverflowsWithoutLoss() {
        let queue = InjectionQueue<Item>(capacity: 4)
        for id in 0..<10 { queue.enqueue(Item(id)) }
        var order: [Int] = []
        while let item = queue.dequeue() { order.append(item.id) }
        // The ring holds 0-3; 4-9 went to the overflow list, which drains after the ring.
        #expect(order == Array(0..<10))
        #expect(!queue.hasElements)
    }

    /// Four producers and two consumers through a small ring (so the overflow list is used): each element once.
    @Test func injectionQueueProducersAndConsumersTakeEveryElementOnce() {
        let perProducer = 50_000
        let producers = 4
        let queue = InjectionQueue<Item>(capacity: 64)
        let tally = Tally(perProducer * producers)
        let producing = DispatchGroup()
        let consuming = DispatchGroup()
        let producersDone = Atomic<Bool>(false)
        for _ in 0..<2 {
            DispatchQueue(label: "consumer").async(group: consuming) {
                var taken: [Int] = []
                defer { tally.add(taken) }
                while true {
                    if let item = queue.dequeue() {
                        taken.append(item.id)
                    } else if producersDone.load(ordering: .acquiring) && !queue.hasElements {
                        return
                    }
                }
            }
        }
        for producer in 0..<producers {
            DispatchQueue(label: "producer").async(group: producing) {
                for index in 0..<perProducer { queue.enqueue(Item(producer * perProducer + index)) }
            }
        }
        producing.wait()
        producersDone.store(true, ordering: .releasing)
        consuming.wait()
        #expect(tally.taken == perProducer * producers)
        #expect(tally.everyOneOnce)
    }
}
