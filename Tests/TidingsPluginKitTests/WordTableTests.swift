import Testing

@testable import TidingsPluginKit

struct WordTableTests {
    @Test func wordsAreFoundWhateverTheirCapitalsAndLength() {
        // Short ASCII words are packed keys; long and non-ASCII ones are hashed and compared.
        let words = ["the", "deadlock", "a", "!", "n't", "counterproposal", "extraordinarily-long-word", "café", "Ünterwegs", "“"]
        var table = WordTable()
        let ids = words.map { table.insert($0) }
        #expect(ids == (0..<Int32(words.count)).map { $0 })
        #expect(table.count == words.count)
        // Inserting again gives the same id, in any case.
        #expect(table.insert("DEADLOCK") == 1 && table.insert("Café") == 7 && table.count == words.count)
        for (word, id) in zip(words, ids) {
            #expect(table.id(word) == id, "\(word)")
            #expect(table.id(word.uppercased()) == id, "\(word.uppercased())")
            #expect(table.word(id) == word.lowercased(), "\(word)")
        }
        for missing in ["th", "thee", "deadlocks", "counterproposals", "cafe", "", "extraordinarily-long-wore"] {
            #expect(table.id(missing) == nil, "\(missing)")
        }
    }

    @Test func documentTokensAreLookedUpOnTheirCodePoints() {
        let table = WordTable(["talks", "failed", "japan", ",", "."])
        let document = AnalyzedDocument(text: "Talks FAILED, Japan said.")
        #expect(table.ids(document) == [0, 1, 3, 2, -1, 4])
        // A word's beginning is not the word.
        #expect(table.ids(AnalyzedDocument(text: "Talk talks")) == [-1, 0])
        // One-character tokens are read from their own table: "I" is "i", "?" is unknown.
        var small = WordTable(["i", "!"])
        small.insert("é")
        #expect(small.ids(AnalyzedDocument(text: "I? i! É")) == [0, -1, 0, 1, 2])
    }

    @Test func itGrowsAndKeepsEveryWord() {
        var table = WordTable()
        let words = (0..<5_000).map { "w\($0)" + ($0 % 3 == 0 ? "-a-long-tail-\($0)" : "") }
        for word in words { table.insert(word) }
        #expect(table.count == 5_000)
        #expect(words.enumerated().allSatisfy { table.id($0.element) == Int32($0.offset) })
        #expect(table.id("w5000") == nil)
    }

    @Test func foldingSkipsTheUnicodeTablesOnlyWhereNothingHasCase() {
        // Latin-1 punctuation and the General Punctuation block are answered without the
        // tables: check that nothing there changes when lower-cased.
        for value in Array(UInt32(0x80)..<0xC0) + Array(UInt32(0x2000)..<0x2070) {
            #expect(WordTable.fold(value) == value)
            #expect(!Unicode.Scalar(value)!.properties.changesWhenLowercased, "U+\(String(value, radix: 16))")
        }
        #expect(WordTable.fold(0x41) == 0x61 && WordTable.fold(0xC9) == 0xE9 && WordTable.fold(0x39E) == 0x3BE)
    }

    @Test func theTokenizersKeysAreTheTablesKeys() {
        // The tokenizer folds and packs short ASCII tokens as it reads them; every key must be
        // what the table would make from the token's code points, or none.
        let text = """
            Talks FAILED, Japan said... The U.S. envoy's 1,000.5 yen—“café” Ünterwegs don't \u{2028}x
            counterproposal EXTRAORDINARILY-LONG 0123456789abcdefg 0123456789abcdef a.m. I! ¿Qué? 
            """
        let document = AnalyzedDocument(text: text)
        let scalars = document.scalars
        let segmentation = document.segmentation
        var packed = 0
        for token in segmentation.tokens {
            let key = token.key
            let expected = WordTable.packed(scalars.map(\.value), token.start..<token.end)
            let word = String(String.UnicodeScalarView(scalars[token.start..<token.end]))
            if let expected {
                #expect(key == WordKey(low: expected.0, high: expected.1), "\(word)")
                packed += 1
            } else {
                #expect(key == .none, "\(word)")
            }
        }
        #expect(packed > 20)
        // Looked up by key or by the word's text, every token gets the same id.
        let words = segmentation.tokens.map { String(String.UnicodeScalarView(scalars[$0.start..<$0.end])) }
        let table = WordTable(words.filter { $0 != "envoy" })
        let byKey = table.ids(document)
        #expect(byKey == words.map { table.id($0) ?? -1 })
        #expect(byKey.filter { $0 < 0 }.count == 1)
        var buffer = [Int32](repeating: 0, count: byKey.count)
        buffer.withUnsafeMutableBufferPointer { table.ids(scalars, segmentation, into: $0) }
        #expect(buffer == byKey)
    }
}
