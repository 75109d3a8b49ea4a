import Atomics
import QuickstepJSON
import QuickstepLanguage

/// A Choice state's rules compiled to flat code, in memory the ``Program`` owns.
///
/// Each rule tree is laid out in prefix order in one array of ``Node``s: a connective is followed by the nodes of
/// its operands, and every node knows where its subtree ends, so `And` and `Or` short-circuit by jumping over the
/// rest. The nodes hold no references and the tests are read in place, so evaluating a Choice copies no rule and
/// touches no reference count on the way to a comparison. Before, every rule was an `indirect` enum whose test
/// (path, operator, operand) was copied out on each evaluation: retains and releases under `choose` were 15 % of
/// choice_heavy's samples.
///
/// A `ChoiceCode` is a plain value of pointers: copying it out of the program's table retains nothing. The
/// program frees it (``deallocate()``) when it goes.
struct ChoiceCode {
    /// One node of a rule tree.
    struct Node {
        enum Kind: UInt8 {
            case and, or, not
            /// A data test: ``ChoiceCode/tests``[`test`].
            case test
            /// A JSONata `Condition` that is the constant `true` or `false`.
            case isTrue, isFalse
            /// A JSONata `Condition` expression, which Quickstep does not evaluate yet.
            case expression
        }

        let kind: Kind
        /// The index just past this node and its operands.
        let end: Int32
        /// For `.test`, the test's index in ``ChoiceCode/tests``.
        let test: Int32
    }

    /// One top-level rule: where its nodes start, where it leads, and its `Assign`.
    struct Branch {
        let root: Int32
        let target: Int
        /// The index of its assignment in the program's table, or -1.
        let assignment: Int
    }

    let nodes: UnsafeMutableBufferPointer<Node>
    let tests: UnsafeMutableBufferPointer<ChoiceTest>
    let branches: UnsafeMutableBufferPointer<Branch>
    /// The `Default` state's program counter, or -1 when there is none.
    let defaultTarget: Int
    /// The state's own `Assign`, used with `Default`, or -1.
    let defaultAssignment: Int

    init(_ choice: CompiledChoice) {
        var nodes: [Node] = []
        var tests: [ChoiceTest] = []
        var branches: [Branch] = []
        for (position, rule) in choice.rules.enumerated() {
            branches.append(Branch(root: Int32(nodes.count), target: choice.targets[position],
                                   assignment: choice.assignments[position] ?? -1))
            Self.lay(rule, into: &nodes, tests: &tests)
        }
        self.nodes = .owned(copying: nodes)
        self.tests = .owned(copying: tests)
        self.branches = .owned(copying: branches)
        defaultTarget = choice.defaultTarget ?? -1
        defaultAssignment = choice.defaultAssignment ?? -1
    }

    /// Appends `rule`'s nodes in prefix order.
    private static func lay(_ rule: ChoiceRule, into nodes: inout [Node], tests: inout [ChoiceTest]) {
        let start = nodes.count
        func close(_ kind: Node.Kind, test: Int = -1) {
            nodes[start] = Node(kind: kind, end: Int32(nodes.count), test: Int32(test))
        }
        nodes.append(Node(kind: .and, end: 0, test: -1))
        switch rule {
        case .and(let rules):
            for inner in rules { lay(inner, into: &nodes, tests: &tests) }
            close(.and)
        case .or(let rules):
            for inner in rules { lay(inner, into: &nodes, tests: &tests) }
            close(.or)
        case .not(let inner):
            lay(inner, into: &nodes, tests: &tests)
            close(.not)
        case .test(let variable, let comparison, let operand):
            tests.append(ChoiceTest(variable: variable, comparison: comparison, operand: operand))
            close(.test, test: tests.count - 1)
        case .condition(.constant(let flag)):
            close(flag ? .isTrue : .isFalse)
        case .condition:
            close(.expression)
        }
    }

    /// Frees the code; called once, by the program that owns it.
    func deallocate() {
        nodes.freeOwned()
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
    /// `StringMatches`: the pattern split at its unescaped `*` wildcards, in memory the test owns (an array every
    /// worker passed along retained its buffer, a line they all wrote).
    let pattern: UnsafeMutableBufferPointer<String>

    init(variable: JSONPath, comparison: ChoiceOperator, operand: ChoiceOperand) {
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
        self.pattern = .owned(copying: pattern)
    }

    /// The variable's path of the test at `test` (in the program's memory), where it lies: passed by value it was
    /// copied, its text, root and segments retained and released, on every test that walks it.
    static func variable(of test: UnsafePointer<ChoiceTest>) -> UnsafePointer<JSONPath> {
        UnsafeRawPointer(test).advanced(by: MemoryLayout<ChoiceTest>.offset(of: \.variable)!)
            .assumingMemoryBound(to: JSONPath.self)
    }

    /// The operand path of the test at `test`, which has one (``hasOperandPath``), where it lies. An `Optional`
    /// keeps a value's payload as it is (it marks `nil` with a bit pattern the payload never takes), so the path
    /// starts at the optional's address.
    static func operandPath(of test: UnsafePointer<ChoiceTest>) -> UnsafePointer<JSONPath> {
        precondition(test.pointee.hasOperandPath)
        return UnsafeRawPointer(test).advanced(by: MemoryLayout<ChoiceTest>.offset(of: \.operandPath)!)
            .assumingMemoryBound(to: JSONPath.self)
    }

    /// Frees the hints' and the pattern's storage.
    func destroy() {
        pattern.freeOwned()
        variableMember.destroy()
        operandMember.destroy()
    }
}

/// A Choice test's path of the shape `$.name` on the effective input, resolved to the member's name, with where the
/// member was found last: objects of one workflow have one shape, so the first key compared is usually the one
/// (``JSONObject/position(of:hint:)``). The hint is shared by every worker and written only when it changes.
///
/// A plain value of pointers, like the code it is part of: the name lies in memory of its own and is compared
/// there (``JSONValue/unsafeMember(keyAt:hint:)``), so reading a test retains nothing (a `String` field was a
/// retain and a release of the name on every test).
struct MemberTest {
    /// Whether the path is `$.name`; when not, ``key`` holds an empty name and the path is walked.
    let isMember: Bool
    /// The member's name.
    let key: UnsafeMutablePointer<String>
    let hint: UnsafeAtomic<Int>

    init(_ path: JSONPath?) {
        key = .allocate(capacity: 1)
        if let path, path.root == .input, path.segments.count == 1, case .member(let name) = path.segments[0] {
            isMember = true
            key.initialize(to: name)
        } else {
            isMember = false
            key.initialize(to: "")
        }
        hint = .create(0)
    }

    /// Frees the name and the hint; called once, by the test that owns them.
    func destroy() {
        key.deinitialize(count: 1)
        key.deallocate()
        hint.destroy()
    }
}
