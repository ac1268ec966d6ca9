package client

// Summary is a client with its counts, as the read side returns them from one
// aggregate query: an item of GET /clients/all, and the answer to
// POST /clients/register (counts 0) and PUT /clients/update.
//
// Counts include only what is in use: Sites is the number of the client's
// active sites, Equipements the number of active equipment on those active
// sites. Inactive things are kept for history but would mislead a count; the
// equipment of a deactivated site, still assigned to it, counts nowhere, and
// equipment on no site (computers from the inventory push) belong to no
// client. An inactive client's counts follow the same rules.
type Summary struct {
	Client      Client
	Sites       int
	Equipements int
}

// Detail is a client with its active sites, each with its count of active
// equipment (GET /clients/{client_id}/infos). Inactive sites are left out,
// as they are left out of Summary's counts.
type Detail struct {
	Client Client
	Sites  []SiteSummary
}

// SiteSummary is an active site with the number of its active equipment.
type SiteSummary struct {
	Site        Site
	Equipements int
}
