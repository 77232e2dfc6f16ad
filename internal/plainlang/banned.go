package plainlang

import "strings"

// BannedWords is the jargon that must not appear in debtor-facing text. The
// list is copied from the team's writing guide (docs/plain-language.md,
// "No jargon"); change the guide first and this list with it. Entries are
// lower case. "buitengerechtelijke" stands for the guide's "buitengerechtelijke
// incassokosten" (write "extra kosten"). "factuur" is only discouraged by the
// guide ("rekening" where it will do), not banned, so it is not listed.
//
// Banned reads this slice on every call; treat it as read-only.
var BannedWords = []string{
	"buitengerechtelijke",
	"vordering",
	"debiteur",
	"sommatie",
	"ingebrekestelling",
	"verzuim",
	"executoriaal",
}

// Banned returns the entries of BannedWords that occur in text, each once, in
// order of first appearance. Matching ignores case and accepts a banned word
// as a whole word or as the start of a word or hyphenated part, because Dutch
// glues words into compounds and inflects them at the end: "vorderingen",
// "debiteurnummer" and "niet-debiteur" are as much jargon as the word itself.
// A banned word in the middle of a compound ("incassovordering") is not found;
// matching anywhere would flag innocent words that merely contain the letters.
func Banned(text string) []string {
	var hits []string
	seen := make(map[string]bool)
	for _, w := range Words(text) {
		for _, part := range strings.FieldsFunc(strings.ToLower(w), isHyphen) {
			for _, b := range BannedWords {
				b = strings.ToLower(b)
				if !seen[b] && strings.HasPrefix(part, b) {
					seen[b] = true
					hits = append(hits, b)
				}
			}
		}
	}
	return hits
}
