module github.com/parc-hq/parc

go 1.25
