package api

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openapiDoc describes this API; it is the file in the repository, served as is.
//
//go:embed openapi.json
var openapiDoc []byte

func (a *API) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(openapiDoc)
}
