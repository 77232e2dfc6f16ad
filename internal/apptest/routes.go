package apptest

import (
	"net/http"
	"sort"

	"github.com/gofiber/fiber/v2"
)

// Routes lists a's routes whose method and path keep says to, without HEAD
// (Fiber adds one to every GET) and each method and path once (middleware
// repeats them), sorted by path and method for stable output: the walks
// that check every route of a kind start from it.
func Routes(a *fiber.App, keep func(method, path string) bool) []fiber.Route {
	seen := map[string]bool{}
	var out []fiber.Route
	for _, rt := range a.GetRoutes(true) {
		if rt.Method == http.MethodHead || !keep(rt.Method, rt.Path) {
			continue
		}
		if key := rt.Method + " " + rt.Path; !seen[key] {
			seen[key] = true
			out = append(out, rt)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path+out[i].Method < out[j].Path+out[j].Method })
	return out
}
