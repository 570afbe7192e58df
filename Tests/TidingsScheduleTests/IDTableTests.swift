import Testing

@testable import TidingsSchedule

struct IDTableTests {
    @Test func storesDenseAndSparseIdsAndCountsThem() {
        var table = IDTable<String>()
        #expect(table.isEmpty)
        table[1] = "one"
        table[2] = "two"
        table[5_000_000_000] = "far"  // beyond twice the count: the overflow dictionary
        table[-3] = "negative"
        #expect(table.count == 4)
        #expect(table[1] == "one" && table[2] == "two" && table[5_000_000_000] == "far" && table[-3] == "negative")
        #expect(table[3] == nil && table[4_999_999_999] == nil)
        // Replacing is not adding.
        table[2] = "deux"
        #expect(table.count == 4 && table[2] == "deux")
        // In place through optional chaining, as the daemon changes a source.
        table[1]?.append("!")
        table[5_000_000_000]?.append("?")
        table[77]?.append("x")  // absent: nothing happens
        #expect(table[1] == "one!" && table[5_000_000_000] == "far?" && table[77] == nil && table.count == 4)
        #expect(table.removeValue(forKey: 2) == "deux")
        #expect(table.removeValue(forKey: 2) == nil)
        table[-3] = nil
        #expect(table.count == 2)
        #expect(Set(table.keys) == [1, 5_000_000_000])
    }

    @Test func idsAcrossPageBoundariesKeepTheirValues() {
        var table = IDTable<Int64>()
        let ids: [Int64] = (0..<5_000).map { $0 } + [1_023, 1_024, 2_047, 2_048, 4_095, 4_096]
        for id in ids { table[id] = id * 3 }
        #expect(table.count == 5_000)
        for id in ids { #expect(table[id] == id * 3) }
        #expect(Array(table.keys) == Array(0..<5_000))
        #expect(table[5_000] == nil && table[1_000_000] == nil)
    }

    @Test func iteratesDenseIdsInOrderThenTheRest() {
        var table = IDTable<Int>()
        for id in [9, 3, 1_000_000, 7, 1] { table[Int64(id)] = id * 10 }
        let listed = Array(table)
        #expect(listed.prefix(4).map(\.id) == [1, 3, 7, 9])
        #expect(listed.last?.id == 1_000_000 && listed.last?.value == 10_000_000)
        #expect(Array(table.values).count == 5)
    }

    @Test func matchesADictionaryUnderRandomChanges() {
        var table = IDTable<Int>()
        var reference: [Int64: Int] = [:]
        var random = SplitMix64(seed: 42)
        for step in 0..<20_000 {
            // Mostly dense ids, some far ones, some removals.
            let roll = random.next() % 100
            let id: Int64 = roll < 5 ? Int64(random.next() % 1_000_000_000) : Int64(random.next() % 3_000)
            if roll < 30 {
                #expect(table.removeValue(forKey: id) == reference.removeValue(forKey: id))
            } else {
                table[id] = step
                reference[id] = step
            }
        }
        #expect(table.count == reference.count)
        for (id, value) in reference { #expect(table[id] == value) }
        #expect(Dictionary(uniqueKeysWithValues: table.map { ($0.id, $0.value) }) == reference)
    }
}

