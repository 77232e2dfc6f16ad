package i18n_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/plainlang"
)

// Readability of every language's texts. Dutch is scored with Flesch-Douma
// (plainlang, as the portal's pages are; at least 60). No formula is tuned
// for the other languages here, so two limits that mean the same in any
// language are checked for all of them, Dutch included:
//
//   - Sentence length. docs/plain-language.md and B1 writing guides keep
//     sentences short: here on average at most 10 words (these are short
//     page texts; guides allow 15 for running prose) and none over 20, the
//     length past which B1 readers lose the thread.
//   - Word length, the other half of every readability formula (Flesch
//     counts syllables, LIX words of 7 letters or more). How long a plain
//     word is depends on the language (Turkish glues suffixes onto a stem,
//     Arabic writes no short vowels), so the average letters per word must
//     stay under a per-language limit near the average of ordinary
//     newspaper text in that language (rounded corpus figures), and at most
//     1 word in 20 may have 13 letters or more.
var wordLimits = map[string]float64{
	"nl": 5.2, "en": 4.7, "tr": 6.4, "ar": 5.0, "pl": 6.0, "uk": 5.8,
}

const (
	maxAvgSentence = 10.0
	maxSentence    = 20
	veryLong       = 13   // letters
	maxVeryLong    = 0.05 // share of words
)

var verbRe = regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z]`)

// sentences returns a language's texts that are sentences (labels and
// buttons are left out, they would make the average look shorter than the
// prose is), without the values the code fills in (names, amounts, dates).
func sentences(code string) []string {
	var out []string
	cat := i18n.Catalog(code)
	keys := make([]string, 0, len(cat))
	for k := range cat {
		if strings.HasPrefix(k, "letter.") {
			continue // field labels of the letter ("Datum: %s")
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		s := strings.TrimSpace(verbRe.ReplaceAllString(cat[k], ""))
		s = strings.NewReplacer("؟", "?", "،", ",").Replace(s)
		if r, _ := utf8.DecodeLastRuneInString(s); !strings.ContainsRune(".!?", r) {
			continue // a label or a button, not a sentence
		}
		out = append(out, s)
	}
	return out
}

type figures struct {
	words, sentences, longest, veryLong int
	letters                             int
}

func measure(texts []string) figures {
	var f figures
	for _, text := range texts {
		for _, s := range splitSentences(text) {
			w := plainlang.Words(s)
			if len(w) == 0 {
				continue
			}
			f.sentences++
			f.words += len(w)
			f.longest = max(f.longest, len(w))
			for _, word := range w {
				n := utf8.RuneCountInString(strings.Map(letterOnly, word))
				f.letters += n
				if n >= veryLong {
					f.veryLong++
				}
			}
		}
	}
	return f
}

func letterOnly(r rune) rune {
	if r == '-' || r == '\'' || r == '’' || r == '\u00ad' {
		return -1
	}
	return r
}

// splitSentences cuts after ". ", "? ", "! " and at the end: a catalog text
// has no abbreviations or decimal points left once its values are gone.
func splitSentences(text string) []string { return sentenceEnd.Split(text, -1) }

var sentenceEnd = regexp.MustCompile(`[.!?](\s+|$)`)

func TestReadabilityPerLanguage(t *testing.T) {
	nl := strings.Join(sentences("nl"), " ")
	score := plainlang.FleschDouma(nl)
	t.Logf("nl: Flesch-Douma %.1f (%d words, %d sentences)", score.Value, score.Words, score.Sentences)
	if score.Value < 60 {
		t.Errorf("nl: Flesch-Douma %.1f, below 60", score.Value)
	}
	for _, code := range i18n.Files() {
		f := measure(sentences(code))
		if f.sentences == 0 || f.words == 0 {
			t.Errorf("%s: no text", code)
			continue
		}
		avgS := float64(f.words) / float64(f.sentences)
		avgW := float64(f.letters) / float64(f.words)
		share := float64(f.veryLong) / float64(f.words)
		t.Logf("%s: %d sentences, %.1f words per sentence (longest %d), %.2f letters per word, %.1f%% words of %d+ letters",
			code, f.sentences, avgS, f.longest, avgW, 100*share, veryLong)
		if avgS > maxAvgSentence {
			t.Errorf("%s: %.1f words per sentence, over %.0f", code, avgS, maxAvgSentence)
		}
		if f.longest > maxSentence {
			t.Errorf("%s: a sentence of %d words, over %d", code, f.longest, maxSentence)
		}
		if share > maxVeryLong {
			t.Errorf("%s: %.1f%% of words have %d letters or more, over %.0f%%", code, 100*share, veryLong, 100*maxVeryLong)
		}
		if limit, ok := wordLimits[code]; !ok {
			t.Errorf("%s: no word-length limit: add one to wordLimits", code)
		} else if avgW > limit {
			t.Errorf("%s: %.2f letters per word, over %.1f", code, avgW, limit)
		}
	}
}
