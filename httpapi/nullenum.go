package httpapi

import (
	"slices"

	"github.com/danielgtaylor/huma/v2"
)

// allowNullInEnums adds null to the enum of every nullable schema of the
// document. huma types a pointer field with an enum tag ("severity",
// "sla_outcome") as ["string", "null"] but lists only the strings in its
// enum, and JSON Schema checks both: a null the API sends, as documented,
// failed the document's own schema (found by TestAPI_Fuzz).
func allowNullInEnums(oapi *huma.OpenAPI) {
	seen := map[*huma.Schema]bool{}
	var walk func(s *huma.Schema)
	walk = func(s *huma.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if s.Nullable && len(s.Enum) > 0 && !slices.Contains(s.Enum, any(nil)) {
			s.Enum = append(s.Enum, nil)
		}
		walk(s.Items)
		walk(s.Not)
		for _, p := range s.Properties {
			walk(p)
		}
		for _, list := range [][]*huma.Schema{s.OneOf, s.AnyOf, s.AllOf} {
			for _, x := range list {
				walk(x)
			}
		}
	}
	if oapi.Components == nil || oapi.Components.Schemas == nil {
		return
	}
	for _, s := range oapi.Components.Schemas.Map() {
		walk(s)
	}
}
