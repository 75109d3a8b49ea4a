import Atomics
import QuickstepJSON
import QuickstepLanguage

/// A Choice state's rules compiled to flat code, in memory the ``Program`` owns.
///
/// All the state's rules together are one graph of data tests: each test names the test to go to when it holds and
/// when it does not, or an outcome (a branch is chosen, or none matched). `And`, `Or` and
/// `Not` exist only at compile time: `And` goes on to its next operand when one holds and to its own "false" when
/// one fails, `Or` the other way round, and `Not` swaps its operand's two targets; a rule that fails goes on to the
/// next rule's first test. The same tests run, in the same order, as a left-to-right evaluation that stops at the
/// first deciding operand (AWS's), and choosing a branch is one loop over steps with no recursion and no
/// connective nodes. (Rules laid out as trees in prefix order and walked recursively spent about a third of their
/// instructions in the walk itself: 5,500 of choice_heavy's 39,500 per execution.)
///
/// The tests are read in place, so evaluating a Choice copies no rule and touches no reference count on the way to
/// a comparison. A `ChoiceCode` is a plain value of pointers: copying it out of the program's table retains
/// nothing. The program frees it (``deallocate()``) when it goes.
struct ChoiceCode {
    /// One top-level rule's consequences: where it leads, and its `Assign`.
    struct Branch {
        let target: Int
        /// The index of its assignment in the program's table, or -1.
        let assignment: Int
    }

    /// Where the rules start: a test, or an outcome when no test is needed (conditions that are constants).
    let entry: Int32
    /// The tests, each with where to go next (``ChoiceTest/ifTrue``, ``ChoiceTest/ifFalse``): a target of zero or
    /// more is a test; below zero it is an outcome (``outcome(_:)``). (The targets lay beside the tests, in a list
    /// of steps each naming its test: a load and a check more per test.)
    let tests: UnsafeMutableBufferPointer<ChoiceTest>
    let branches: UnsafeMutableBufferPointer<Branch>
    /// The `Default` state's program counter, or -1 when there is none.
    let defaultTarget: Int
    /// The state's own `Assign`, used with `Default`, or -1.
    let defaultAssignment: Int

    init(_ choice: CompiledChoice) {
        var tests: [ChoiceTest] = []
        // Laid from the last rule back, so that each rule knows where its failure leads: the next rule's start.
        var next = Self.target(ofOutcome: choice.rules.count)
        for position in choice.rules.indices.reversed() {
            next = Self.lay(choice.rules[position], ifTrue: Self.target(ofOutcome: position), ifFalse: next, into: &tests)
        }
        entry = next
        self.tests = .owned(copying: tests)
        branches = .owned(copying: choice.rules.indices.map {
            Branch(target: choice.targets[$0], assignment: choice.assignments[$0] ?? -1)
        })
        defaultTarget = choice.defaultTarget ?? -1
        defaultAssignment = choice.defaultAssignment ?? -1
    }

    /// The target that ends the evaluation with `outcome`: the index of the branch chosen, or the number of
    /// branches when none matched.
    static func target(ofOutcome outcome: Int) -> Int32 { Int32(-outcome - 1) }

    /// The outcome that `target` (below zero) ends the evaluation with.
    static func outcome(_ target: Int32) -> Int { Int(-target - 1) }

    /// Lays out `rule` so that it goes on to `ifTrue` when it holds and to `ifFalse` when not; returns where it
    /// starts.
    private static func lay(_ rule: ChoiceRule, ifTrue: Int32, ifFalse: Int32, into tests: inout [ChoiceTest]) -> Int32 {
        switch rule {
        case .and(let operands):
            // Each operand that holds leads to the next; the last one's success is the And's.
            var next = ifTrue
            for operand in operands.reversed() {
                next = lay(operand, ifTrue: next, ifFalse: ifFalse, into: &tests)
            }
            return next
        case .or(let operands):
            var next = ifFalse
            for operand in operands.reversed() {
                next = lay(operand, ifTrue: ifTrue, ifFalse: next, into: &tests)
            }
            return next
        case .not(let operand):
            return lay(operand, ifTrue: ifFalse, ifFalse: ifTrue, into: &tests)
        case .test(let variable, let comparison, let operand):
            tests.append(ChoiceTest(variable: variable, comparison: comparison, operand: operand, ifTrue: ifTrue, ifFalse: ifFalse))
            return Int32(tests.count - 1)
        case .condition(.constant(let flag)):
            return flag ? ifTrue : ifFalse
        case .condition:
            tests.append(ChoiceTest(jsonataConditionWithIfTrue: ifTrue, ifFalse: ifFalse))
            return Int32(tests.count - 1)
        }
    }

    /// Frees the code; called once, by the program that owns it.
    func deallocate() {
        for test in tests { test.destroy() }
        tests.freeOwned()
        branches.freeOwned()
    }
}

/// One data test of a Choice rule: `Variable`, a comparison operator and its operand, laid out for the evaluator.
///
/// The operand is unpacked into a field per kind (the operand itself is not kept), so a numeric, boolean or
/// timestamp test reads plain words (copying a ``ChoiceOperand`` out went through its outlined copy, 5 % of
/// choice_heavy's samples), and the common shape of a path, `$.name`, is resolved (``MemberTest``) so the test
/// looks one member up, in place, instead of walking a path and copying what it found.
struct ChoiceTest {
    let variable: JSONPath
    /// The variable's member when `variable` is `$.name` on the effective input.
    let variableMember: MemberTest
    let comparison: ChoiceOperator
    let family: ChoiceOperator.Family
    let relation: ChoiceOperator.Relation
    /// `...Path` operators: the operand's path.
    let operandPath: JSONPath?
    /// Whether there is an operand path (read without copying the path).
    let hasOperandPath: Bool
    /// The operand path's member when it is `$.name` on the effective input.
    let operandMember: MemberTest
    /// The literal, by kind; the other fields are zero (or empty).
    let number: Double
    let flag: Bool
    let string: String
    let instant: (seconds: Int64, nanoseconds: Int32)
    /// How ``Execution`` settles the test, chosen here once: the common tests are decided inline after one switch
    /// (they were decided after a row of checks of the operator's family and relation, most of them by a call to
    /// the general comparison, whose entry and exit were half a type test's instructions).
    private(set) var shortcut: Shortcut
    /// The orders under which a comparing test holds, a bit each: less 1, equal 2, greater 4 (a test of the order
    /// against the relation was a jump through a table).
    let orders: UInt8

    /// The tests decided inline (``shortcut``); `general` ones go to the general comparison.
    enum Shortcut: UInt8 {
        case general
        /// A JSONata `Condition` expression, which Quickstep does not evaluate yet.
        case jsonataCondition
        case isPresent
        /// A number against a numeric literal.
        case numberAgainstLiteral
        /// A number against the number at another `$.name`.
        case numberAgainstMember
        case stringEqualsLiteral
        case booleanEqualsLiteral
        case isNull
        case isString
        /// A timestamp against a timestamp literal.
        case timestampAgainstLiteral
        case stringMatches
    }

    /// `StringMatches`: the pattern, in memory the test owns (an array every worker passed along retained its
    /// buffer, a line they all wrote); a pattern of one empty piece for other tests.
    let pattern: GlobPattern

    /// Where to go when the test holds and when it does not (see ``ChoiceCode/tests``).
    let ifTrue: Int32
    let ifFalse: Int32

    init(variable: JSONPath, comparison: ChoiceOperator, operand: ChoiceOperand, ifTrue: Int32, ifFalse: Int32) {
        self.ifTrue = ifTrue
        self.ifFalse = ifFalse
        self.variable = variable
        variableMember = MemberTest(variable)
        self.comparison = comparison
        family = comparison.family
        relation = comparison.relation
        var path: JSONPath?
        var number = 0.0
        var flag = false
        var string = ""
        var instant: (Int64, Int32) = (0, 0)
        var pattern: [String] = []
        switch operand {
        case .path(let operandPath): path = operandPath
        case .number(let literal): number = literal
        case .boolean(let literal): flag = literal
        case .string(let literal): string = literal
        case .timestamp(let literal): instant = (literal.secondsSinceEpoch, literal.nanoseconds)
        case .pattern(let pieces): pattern = pieces
        }
        operandPath = path
        hasOperandPath = path != nil
        operandMember = path.map(MemberTest.init) ?? MemberTest(nil)
        self.number = number
        self.flag = flag
        self.string = string
        self.instant = instant
        self.pattern = GlobPattern(pieces: pattern.isEmpty ? [""] : pattern)
        orders = switch comparison.relation {
        case .less: 1
        case .equal: 2
        case .lessOrEqual: 3
        case .greater: 4
        case .greaterOrEqual: 6
        }
        shortcut = Self.shortcut(comparison, operand, operandMember: operandMember)
    }

    /// A JSONata `Condition` expression's place among the tests: it tests `$` for presence (it is there), then
    /// fails, as the expression is not evaluated yet (``Shortcut/jsonataCondition``).
    init(jsonataConditionWithIfTrue ifTrue: Int32, ifFalse: Int32) {
        self.init(variable: .input, comparison: .isPresent, operand: .boolean(true),
                  ifTrue: ifTrue, ifFalse: ifFalse)
        shortcut = .jsonataCondition
    }

    private static func shortcut(_ comparison: ChoiceOperator, _ operand: ChoiceOperand, operandMember: MemberTest) -> Shortcut {
        switch (comparison, operand) {
        case (.isPresent, _): .isPresent
        case (.isNull, _): .isNull
        case (.isString, _): .isString
        case (.booleanEquals, .boolean): .booleanEqualsLiteral
        case (.stringEquals, .string): .stringEqualsLiteral
        case (.stringMatches, .pattern): .stringMatches
        case (_, .timestamp) where comparison.family == .timestamp: .timestampAgainstLiteral
        case (_, .number) where comparison.family == .numeric: .numberAgainstLiteral
        case (_, .path) where comparison.family == .numeric && operandMember.isMember: .numberAgainstMember
        default: .general
        }
    }

    /// Whether the test's relation holds between two numbers.
    @inline(__always)
    func orders(_ number: Double, _ other: Double) -> Bool {
        orders & (number < other ? 1 : (number > other ? 4 : 2)) != 0
    }

    /// Whether the test's relation holds between two instants.
    @inline(__always)
    func orders(_ instant: (seconds: Int64, nanoseconds: Int32), _ other: (seconds: Int64, nanoseconds: Int32)) -> Bool {
        orders & (instant < other ? 1 : (instant == other ? 2 : 4)) != 0
    }

    /// The variable's path of the test at `test` (in the program's memory), where it lies: passed by value it was
    /// copied, its text, root and segments retained and released, on every test that walks it.
    static func variable(of test: UnsafePointer<ChoiceTest>) -> UnsafePointer<JSONPath> {
        UnsafeRawPointer(test).advanced(by: MemoryLayout<ChoiceTest>.offset(of: \.variable)!)
            .assumingMemoryBound(to: JSONPath.self)
    }

    /// The string literal of the test at `test`, where it lies (in the program's memory).
    static func string(of test: UnsafePointer<ChoiceTest>) -> UnsafePointer<String> {
        UnsafeRawPointer(test).advanced(by: MemoryLayout<ChoiceTest>.offset(of: \.string)!).assumingMemoryBound(to: String.self)
    }

    /// The operand path of the test at `test`, which has one (``hasOperandPath``), where it lies. An `Optional`
    /// keeps a value's payload as it is (it marks `nil` with a bit pattern the payload never takes), so the path
    /// starts at the optional's address.
    static func operandPath(of test: UnsafePointer<ChoiceTest>) -> UnsafePointer<JSONPath> {
        precondition(test.pointee.hasOperandPath)
        return UnsafeRawPointer(test).advanced(by: MemoryLayout<ChoiceTest>.offset(of: \.operandPath)!)
            .assumingMemoryBound(to: JSONPath.self)
    }

    /// Frees the pattern's storage.
    func destroy() {
        pattern.deallocate()
    }

    /// The variable's member test of the test at `test`, where it lies.
    @inline(__always)
    static func variableMember(of test: UnsafePointer<ChoiceTest>) -> UnsafePointer<MemberTest> {
        UnsafeRawPointer(test).advanced(by: MemoryLayout<ChoiceTest>.offset(of: \.variableMember)!)
            .assumingMemoryBound(to: MemberTest.self)
    }

    /// The operand path's member test of the test at `test`, where it lies.
    @inline(__always)
    static func operandMember(of test: UnsafePointer<ChoiceTest>) -> UnsafePointer<MemberTest> {
        UnsafeRawPointer(test).advanced(by: MemoryLayout<ChoiceTest>.offset(of: \.operandMember)!)
            .assumingMemoryBound(to: MemberTest.self)
    }
}

/// A Choice test's path of the shape `$.name` on the effective input, resolved to the member's name, with where the
/// member was found last: objects of one workflow have one shape, so the first key compared is usually the one
/// (``JSONObject/position(of:hint:)``). The hint is shared by every worker and written only when it changes.
///
/// Read in place, through a pointer to where it lies in the program's memory (``key(of:)``, ``hint(of:)``): the
/// name and the hint lie in the test itself, so a lookup loads them from the test's own cache lines. (The name and
/// the hint each lay in memory of their own, behind a pointer: two more loads, each waiting on the one before, on
/// every test; a `String` field read by value was a retain and a release of the name on every test.)
struct MemberTest {
    /// Whether the path is `$.name`; when not, ``key`` holds an empty name and the path is walked.
    let isMember: Bool
    /// The member's name.
    let key: String
    /// Where the member was found last, read and written as an atomic (relaxed) through ``hint(of:)``.
    let lastPosition: UnsafeAtomic<Int>.Storage

    init(_ path: JSONPath?) {
        if let path, path.root == .input, path.segments.count == 1, case .member(let name) = path.segments[0] {
            isMember = true
            key = name
        } else {
            isMember = false
            key = ""
        }
        lastPosition = UnsafeAtomic<Int>.Storage(0)
    }

    /// The name of the member test at `test`, where it lies.
    @inline(__always)
    static func key(of test: UnsafePointer<MemberTest>) -> UnsafePointer<String> {
        UnsafeRawPointer(test).advanced(by: MemoryLayout<MemberTest>.offset(of: \.key)!).assumingMemoryBound(to: String.self)
    }

    /// The hint of the member test at `test`, where it lies (in the program's memory, which lives as long as the
    /// program and is shared by every worker).
    @inline(__always)
    static func hint(of test: UnsafePointer<MemberTest>) -> UnsafeAtomic<Int> {
        UnsafeAtomic(at: UnsafeMutableRawPointer(mutating: test).advanced(by: MemoryLayout<MemberTest>.offset(of: \.lastPosition)!)
            .assumingMemoryBound(to: UnsafeAtomic<Int>.Storage.self))
    }
}
