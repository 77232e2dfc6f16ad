// Package plainlang measures how readable debtor-facing Dutch text is, as
// required by the team's writing guide (docs/plain-language.md): a
// Flesch-Douma reading-ease score (aim for 70, fail the build below 60) and a
// list of banned jargon words.
//
// The counting rules are deliberately simple and deterministic rather than
// linguistically perfect: the score is a build gate, so the same text must
// always give the same number, and an engineer must be able to predict why a
// sentence scores the way it does.
package plainlang

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Score is a Flesch-Douma reading-ease result together with the counts it was
// computed from, so that a failing build can say why a text scored low.
type Score struct {
	// Value is the reading ease; higher is easier. Roughly: 90-100 very
	// easy, 60-70 plain, below 30 very hard. It can go below 0.
	Value float64
	// Words is the number of words as counted by Words.
	Words int
	// Sentences is the number of sentences as counted by Sentences.
	Sentences int
	// Syllables is the sum of Syllables over all words.
	Syllables int
}

// FleschDouma scores Dutch text with the Flesch-Douma reading ease:
//
//	206.835 - 0.93*(words/sentences) - 77*(syllables/words)
//
// with syllables counted as vowel groups (see Syllables).
//
// A text without words returns the zero Score. Callers that gate on the score
// must check Words == 0 and skip such texts (there is nothing to read), rather
// than treat Value 0 as "very hard".
func FleschDouma(text string) Score {
	words := Words(text)
	if len(words) == 0 {
		return Score{}
	}
	syl := 0
	for _, w := range words {
		syl += Syllables(w)
	}
	// Sentences is at least 1 whenever there are words, so no division by zero.
	sent := Sentences(text)
	nw := float64(len(words))
	return Score{
		Value:     206.835 - 0.93*(nw/float64(sent)) - 77*(float64(syl)/nw),
		Words:     len(words),
		Sentences: sent,
		Syllables: syl,
	}
}

// combiningDiaeresis is U+0308, the decomposed form of the trema in "ë".
const combiningDiaeresis = '\u0308'

// isVowel reports whether r (already lower-cased) is a vowel letter, including
// accented forms. 'y' counts as a vowel: in Dutch it is either the old
// spelling of "ij" or a vowel in loanwords ("baby").
func isVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y',
		'à', 'á', 'â', 'ä', 'ã', 'å',
		'è', 'é', 'ê', 'ë',
		'ì', 'í', 'î', 'ï',
		'ò', 'ó', 'ô', 'ö', 'õ',
		'ù', 'ú', 'û', 'ü',
		'ý', 'ÿ',
		'ĳ': // the "ij" ligature, U+0133
		return true
	}
	return false
}

// isTrema reports whether r carries a diaeresis. In Dutch the trema exists
// precisely to mark that the vowel starts a new syllable ("financiële",
// "geëist", "ruïne"), so such a vowel always opens a new vowel group.
func isTrema(r rune) bool {
	switch r {
	case 'ä', 'ë', 'ï', 'ö', 'ü', 'ÿ':
		return true
	}
	return false
}

// Syllables estimates the syllables in one word by counting vowel groups:
// maximal runs of a, e, i, o, u, y and their accented forms. Refinements, all
// chosen because they fix common Dutch words cheaply:
//
//   - "ij" is one vowel sound: a 'j' right after 'i' stays inside the group
//     ("blij" = 1, "uiterlijk" = 3). A vowel after "ij" opens a new group,
//     because that j is then a glide between syllables ("vrije" = 2,
//     "bijeen" = 2).
//   - A vowel with a trema opens a new group ("financiële" = 5, "geëist" = 2).
//     Other accents are emphasis only and change nothing ("vóór" = 1).
//   - Anything that is not a vowel, including hyphens and apostrophes, ends a
//     group ("zee-egel" = 3).
//
// Known misses of the vowel-group rule are accepted for predictability:
// "mooie" and "via" count 1 where speakers say 2.
//
// Any word with at least one letter has at least 1 syllable ("hm" = 1); a
// string without letters has 0.
func Syllables(word string) int {
	count := 0
	inGroup := false   // inside a vowel group
	afterIJ := false   // the group just ended in the "ij" digraph
	groupVowels := 0   // vowels in the current group
	hasLetter := false // the word has a letter at all
	var prev rune      // previous rune that is not a combining mark
	for _, r := range strings.ToLower(word) {
		if unicode.IsLetter(r) {
			hasLetter = true
		}
		switch {
		case r == 'j' && inGroup && (prev == 'i' || prev == 'í'):
			afterIJ = true
		case isVowel(r):
			if !inGroup || afterIJ || isTrema(r) {
				count++
				groupVowels = 0
			}
			inGroup = true
			afterIJ = r == 'ĳ'
			groupVowels++
		case r == combiningDiaeresis:
			// Decomposed "e\u0308": the base vowel already joined the
			// group, so split it off now, as isTrema does for "ë".
			if inGroup && groupVowels > 1 {
				count++
				groupVowels = 1
			}
		case unicode.Is(unicode.Mn, r):
			// Other combining accents (decomposed "é") do not end the group.
		default:
			inGroup = false
			afterIJ = false
		}
		if !unicode.Is(unicode.Mn, r) {
			prev = r
		}
	}
	if count == 0 && hasLetter {
		return 1
	}
	return count
}

// isConnector reports whether r may join two parts of one word: apostrophes
// ("zo'n", "baby's") and hyphens ("e-mailadres", "niet-betalen").
func isConnector(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '-', '‐', '‑':
		return true
	}
	return false
}

// isHyphen reports whether r is one of the hyphens isConnector accepts.
func isHyphen(r rune) bool {
	return r == '-' || r == '‐' || r == '‑'
}

// Words returns the words of text: runs of Unicode letters (with their
// combining marks), joined by apostrophes and hyphens that stand inside the
// word. A leading or trailing apostrophe or hyphen is not part of the word
// ("'s" gives "s").
//
// Amounts, numbers, dates and symbols ("€ 1.234,56", "18-11-2026", "2026")
// are not words, and neither is a token that mixes letters and digits ("B1",
// "12e"). Such a token is read as one unit whose length has nothing to do
// with its spelling; counting its digits or fragments as words or syllables
// would punish exactly the exact amounts and dates the writing guide asks
// for. In a hyphenated token only the parts with digits are dropped
// ("30-dagen" gives "dagen").
//
// A soft hyphen (U+00AD) is invisible and is removed from the word.
func Words(text string) []string {
	var words []string
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) ||
			isConnector(r) || r == '\u00ad')
	})
	for _, f := range fields {
		f = strings.ReplaceAll(f, "\u00ad", "")
		f = strings.TrimFunc(f, isConnector)
		if f == "" {
			continue
		}
		if !strings.ContainsFunc(f, unicode.IsDigit) {
			if strings.ContainsFunc(f, unicode.IsLetter) {
				words = append(words, f)
			}
			continue
		}
		for _, part := range strings.FieldsFunc(f, isHyphen) {
			part = strings.TrimFunc(part, isConnector)
			if part != "" && !strings.ContainsFunc(part, unicode.IsDigit) &&
				strings.ContainsFunc(part, unicode.IsLetter) {
				words = append(words, part)
			}
		}
	}
	return words
}

// abbreviations end in a full stop that does not end the sentence. The list
// is short on purpose: the guide discourages abbreviations, and a longer list
// would hide real sentence ends. "b.v." is the company form ("Incasso B.V."),
// which appears in nearly every creditor name.
var abbreviations = map[string]bool{
	"bijv.":  true,
	"bv.":    true,
	"b.v.":   true,
	"o.a.":   true,
	"enz.":   true,
	"nr.":    true,
	"d.w.z.": true,
	"t.a.v.": true,
	"m.b.t.": true,
	"incl.":  true,
	"excl.":  true,
	"ca.":    true,
}

// Sentences counts the sentences in text. A sentence ends at '!', '?', '…', a
// full stop, or a blank line (a line break followed by only spaces and
// another line break), which ends a text block such as a paragraph, a list
// item or a heading in a plain-text message. A single line break does not end
// a sentence, because messages wrap long sentences over several lines.
//
// A full stop does not end a sentence when it is followed directly by a
// letter or digit, so the separators in "€ 1.234,56", "18.11.2026", "12.30
// uur", "settle.nl" and the inner stop of "o.a." are skipped; dates like
// "18-11-2026" contain no stop at all. Nor does the stop of a known
// abbreviation ("bijv.", "o.a.", "enz.", "bv.", and a few more).
//
// Only stretches that contain a word (see Words) count, so "?!", "..." and a
// line holding only an amount add nothing. A text with words but no
// terminator counts as 1.
func Sentences(text string) int {
	n := 0
	for _, s := range splitSentences(text) {
		if len(Words(s)) > 0 {
			n++
		}
	}
	return n
}

// splitSentences cuts text after every sentence terminator. The pieces
// together are exactly text; pieces may hold no words at all.
func splitSentences(text string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		end := false
		switch r {
		case '!', '?', '…':
			end = true
		case '.':
			end = stopEndsSentence(text, i)
		case '\n':
			end = blankLineFollows(text[i+size:])
		}
		i += size
		if end {
			parts = append(parts, text[start:i])
			start = i
		}
	}
	if start < len(text) {
		parts = append(parts, text[start:])
	}
	return parts
}

// stopEndsSentence reports whether the full stop at byte i of text ends a
// sentence (see Sentences).
func stopEndsSentence(text string, i int) bool {
	if next, _ := utf8.DecodeRuneInString(text[i+1:]); unicode.IsLetter(next) || unicode.IsDigit(next) {
		return false
	}
	// Walk back over the abbreviation candidate: letters and inner stops.
	j := i
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		j -= size
	}
	return !abbreviations[strings.ToLower(text[j:i+1])]
}

// blankLineFollows reports whether rest, the text after a line break, starts
// with another line break after only horizontal white space.
func blankLineFollows(rest string) bool {
	for _, r := range rest {
		if r == '\n' {
			return true
		}
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return false
}
