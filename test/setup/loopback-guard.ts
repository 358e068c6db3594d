// Every test file runs with the loopback guard: no test may reach a real cloud endpoint or DNS.
import '@polysecret/testing/loopback-guard'
