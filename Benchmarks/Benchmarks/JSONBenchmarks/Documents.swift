import QuickstepJSON

/// The documents the JSON benchmarks read and write, built deterministically so every run measures the same bytes.
enum Documents {
    /// A typical execution input, about 200 bytes.
    static let executionInput: [UInt8] = Array("""
        {"orderId":"ord-8812","customer":{"id":"c-1029","tier":"gold"},"items":[{"sku":"A-1","qty":2,\
        "price":19.99},{"sku":"B-7","qty":1,"price":5.5}],"total":45.48,"express":true,"coupon":null}
        """.utf8)

    /// About 10 KB: an array of orders like the execution input.
    static let tenKilobytes: [UInt8] = orders(approximateBytes: 10_000)

    /// About 1 MB of orders.
    static let oneMegabyte: [UInt8] = orders(approximateBytes: 1_000_000)

    /// An array of order objects with varied strings, integers, doubles, booleans, nulls and nesting, built up to
    /// about `approximateBytes` of compact JSON text.
    static func orders(approximateBytes: Int) -> [UInt8] {
        var orders: [JSONValue] = []
        var size = 2
        var number: Int64 = 0
        while size < approximateBytes {
            number += 1
            let order: JSONValue = [
                "orderId": .string("ord-\(number * 7919 % 100_000)"),
                "customer": ["id": .string("c-\(number % 977)"), "tier": number % 3 == 0 ? "gold" : "silver",
                             "name": .string("Customer \(number) \u{e9}t\u{e9} \"quoted\"")],
                "items": .array((0..<(number % 4 + 1)).map { item in
                    ["sku": .string("SKU-\(item)-\(number % 13)"), "qty": .int(item + 1),
                     "price": .double(Double(number % 1000) / 100 + Double(item))]
                }),
                "total": .double(Double(number * 37 % 10_000) / 100),
                "express": .bool(number % 2 == 0),
                "coupon": number % 5 == 0 ? .string("SAVE\(number % 50)") : .null,
                "createdAt": .string("2026-11-28T12:\(String(number % 60))Z"),
            ]
            size += order.compactText.utf8.count + 1
            orders.append(order)
        }
        return JSONSerializer.compactBytes(.array(orders))
    }
}
