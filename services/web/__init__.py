"""The web front end: server-rendered pages over the five services' public REST APIs."""
