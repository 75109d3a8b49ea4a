import Testing
@testable import QuickstepEngine

/// ``SeldomReference`` owns its object as an `Optional` field would: it keeps it alive while it holds it, lets go
/// of it when replaced or destroyed, and hands it over on ``SeldomReference/take()`` without freeing it. Observed
/// through weak references: an object held by nothing else is freed exactly when the reference lets go of it.
@Suite struct SeldomReferenceTests {
    final class Tracked {}

    /// A holder like ``Execution``: a class whose field is destroyed with it.
    final class Holder {
        var reference: SeldomReference<Tracked>
        init(_ object: Tracked?) { reference = SeldomReference(object) }
        // Read through the holder: `#expect` cannot take a non-copyable value apart itself.
        var isNil: Bool { reference.isNil }
        var object: Tracked? { reference.object }
        var hasUnretained: Bool { reference.unretained != nil }
    }

    @Test func keepsItsObjectAliveAndReleasesItWithItsHolder() {
        weak var watched: Tracked?
        var holder: Holder? = Holder({ let object = Tracked(); watched = object; return object }())
        #expect(watched != nil)
        #expect(holder?.isNil == false)
        #expect(holder?.object === watched)
        holder = nil
        #expect(watched == nil)
    }

    @Test func replacingReleasesTheObjectHeldBefore() {
        weak var first: Tracked?
        weak var second: Tracked?
        let holder = Holder({ let object = Tracked(); first = object; return object }())
        holder.reference.replace(with: { let object = Tracked(); second = object; return object }())
        #expect(first == nil)
        #expect(second != nil)
        holder.reference.replace(with: nil)
        #expect(second == nil)
        #expect(holder.isNil)
    }

    @Test func takingHandsTheObjectOverWithoutFreeingIt() {
        weak var watched: Tracked?
        let holder = Holder({ let object = Tracked(); watched = object; return object }())
        var taken = holder.reference.take()
        #expect(holder.isNil)
        #expect(taken === watched)
        #expect(watched != nil)
        taken = nil
        #expect(watched == nil)
        let again = holder.reference.take()
        #expect(again == nil)
    }

    @Test func anEmptyReferenceHoldsNothing() {
        let holder = Holder(nil)
        #expect(holder.isNil)
        #expect(holder.object == nil)
        #expect(!holder.hasUnretained)
    }
}
