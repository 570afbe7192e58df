import Foundation
import Testing

@testable import TidingsPluginKit

struct SegmenterTests {
    func sentences(_ text: String) -> [String] {
        let document = AnalyzedDocument(text: text)
        return document.sentences.map { document.text($0.start, $0.end) }
    }

    func tokens(_ text: String) -> [String] {
        let document = AnalyzedDocument(text: text)
        return document.tokens.map(document.text(of:))
    }

    @Test func characterClassFastPathsAgreeWithUnicode() {
        // The ASCII bit sets are what their comments say.
        let punctuation = Set("!\"#%&'()*,-./:;?@[\\]_{}".unicodeScalars)
        for value in UInt32(0)..<0x80 {
            let c = Unicode.Scalar(value)!
            #expect(Segmenter.isPunctuation(c) == punctuation.contains(c), "U+\(String(value, radix: 16))")
            #expect(Segmenter.isWordChar(c) == (c.properties.isAlphabetic || c.properties.numericType != nil), "U+\(String(value, radix: 16))")
        }
        // The General Punctuation block answers as the Unicode tables do.
        for value in UInt32(0x2000)...0x206F {
            let c = Unicode.Scalar(value)!
            #expect(Segmenter.isSpace(c) == c.properties.isWhitespace, "U+\(String(value, radix: 16))")
            #expect(!Segmenter.isWordChar(c) && !Segmenter.isLetter(c), "U+\(String(value, radix: 16))")
            let punctuation: Set<Unicode.GeneralCategory> = [
                .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation,
            ]
            #expect(Segmenter.isPunctuation(c) == punctuation.contains(c.properties.generalCategory), "U+\(String(value, radix: 16))")
        }
        // canEndHere makes no string for a word longer than its longest abbreviation.
        #expect(Segmenter.titles.union(Segmenter.numberAbbreviations).union(Segmenter.otherAbbreviations).allSatisfy { $0.count <= 6 })
        #expect(tokens("“Talks failed,” he said — again.") == ["“", "Talks", "failed", ",", "”", "he", "said", "—", "again", "."])
    }

    @Test func titlesInitialsMonthsAndDottedAbbreviationsDoNotEndSentences() {
        #expect(sentences("Mr. Obuchi met Gen. Ivanov on Jan. 5 in the U.S. capital. They talked.")
            == ["Mr. Obuchi met Gen. Ivanov on Jan. 5 in the U.S. capital.", "They talked."])
        #expect(sentences("Talks were led by J. R. Smith. Nothing came of them.")
            == ["Talks were led by J. R. Smith.", "Nothing came of them."])
        #expect(sentences("Troops left the U.S. The base closed.") == ["Troops left the U.S.", "The base closed."])
        #expect(sentences("Prices rose, e.g. for rice. Sales fell!") == ["Prices rose, e.g. for rice.", "Sales fell!"])
    }

    @Test func lineBreaksAreMarkedOnTheTokenAfterThem() {
        let document = AnalyzedDocument(text: "Talks failed\nMoscow  said \r\n nothing\u{2028}again \u{2029} \t.")
        #expect(document.tokens.map(\.afterLineBreak) == [false, false, true, false, true, true, true])
        #expect(sentences("Talks failed\nMoscow said nothing") == ["Talks failed", "Moscow said nothing"])
        #expect(sentences("\nTalks failed\u{2029}Moscow") == ["Talks failed", "Moscow"])
    }

    @Test func abbreviationsAreLookedUpByTheirBytesAsByTheirText() {
        // ASCII words are looked up by byte keys, others as strings: the two must agree.
        for word in Segmenter.titles.union(Segmenter.numberAbbreviations).union(Segmenter.otherAbbreviations).union(Segmenter.sentenceOpeners) {
            let key = Segmenter.ExactKey(word)
            #expect(key != nil)
            #expect(Segmenter.titleKeys.contains(key!) == Segmenter.titles.contains(word), "\(word)")
            #expect(Segmenter.numberAbbreviationKeys.contains(key!) == Segmenter.numberAbbreviations.contains(word), "\(word)")
            #expect(Segmenter.otherAbbreviationKeys.contains(key!.lowercased) == Segmenter.otherAbbreviations.contains(word.lowercased()), "\(word)")
            #expect(Segmenter.sentenceOpenerKeys.contains(key!) == Segmenter.sentenceOpeners.contains(word), "\(word)")
        }
        #expect(Segmenter.ExactKey("Ünter") == nil && Segmenter.ExactKey("abcdefghijklmnopq") == nil)
        #expect(Segmenter.ExactKey("ETC")?.lowercased == Segmenter.ExactKey("etc") && Segmenter.ExactKey("E.G")?.lowercased == Segmenter.ExactKey("e.g"))
        // "etc." (in any case) before a number goes on; "Dr." before anything.
        #expect(sentences("Costs rose, ETC. 5 more. Sales fell, etc. 6 more.") == ["Costs rose, ETC. 5 more.", "Sales fell, etc. 6 more."])
        #expect(sentences("Ask Dr. Ünter. Then go.") == ["Ask Dr. Ünter.", "Then go."])
    }

    @Test func quotesBelongToTheSentenceTheyClose() {
        #expect(sentences("He said: “We will not give up.” Then he left.") == ["He said: “We will not give up.”", "Then he left."])
        #expect(sentences("\"Is it over?\" she asked.") == ["\"Is it over?\" she asked."])
    }

    @Test func dashesWithoutSpacesSplitWordsNotSentences() {
        let text = "Japan agreed to postpone–until “sometime in May”–a visit by Komura. Moscow was silent."
        #expect(sentences(text) == ["Japan agreed to postpone–until “sometime in May”–a visit by Komura.", "Moscow was silent."])
        #expect(tokens("postpone–until “sometime") == ["postpone", "–", "until", "“", "sometime"])
        #expect(tokens("Russia-Japan talks") == ["Russia", "-", "Japan", "talks"])
    }

    @Test func tokensKeepNumbersPossessivesAndAbbreviations() {
        #expect(tokens("Obuchi's 1,000.5 yen, the U.S. and a.m. don't") == ["Obuchi", "'s", "1,000.5", "yen", ",", "the", "U.S.", "and", "a.m.", "don't"])
        #expect(tokens("Wait...") == ["Wait", "..."])
    }

    @Test func lineBreaksEndSentences() {
        #expect(sentences("Kuril talks fail\nTokyo and Moscow could not agree.") == ["Kuril talks fail", "Tokyo and Moscow could not agree."])
    }

    @Test func offsetsAreCodePoints() {
        let document = AnalyzedDocument(text: "Ельцин 🙂 met Obuchi. 東京 next.")
        let words = document.tokens.map { ($0.start, $0.end, document.text(of: $0)) }
        #expect(words.first! == (0, 6, "Ельцин"))
        #expect(words.contains { $0 == (9, 12, "met") })
        #expect(document.sentences.count == 2)
        #expect(document.sentences[1].start == 21)
        #expect(document.sentenceIndex(at: 22) == 1)
        #expect(document.sentenceIndex(at: 3) == 0)
    }

    @Test func emptyAndBlankTextHaveNoSentences() {
        #expect(sentences("").isEmpty)
        #expect(sentences("  \n ").isEmpty)
        #expect(sentences("No period at the end") == ["No period at the end"])
    }

    @Test func hostileRunsTakeLinearTime() {
        // "a.a.a.…" once cost quadratic time: each period rescanned the token.
        let text = String(repeating: "a.", count: 100_000) + " " + String(repeating: "x", count: 100_000)
        let started = Date()
        let segmentation = Segmenter.segment(text)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(!segmentation.tokens.isEmpty)
    }
}
