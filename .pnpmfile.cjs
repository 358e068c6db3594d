/**
 * pnpm hooks. `beforePacking`: pnpm rewrites `workspace:*` ranges to versions when it packs, and appends
 * the rewritten entries in the order its lookups finish — a race, so a package with several workspace
 * dependencies (the CLI) could pack a different package.json each time. Sorting the dependency maps
 * makes every pack of the same source byte-identical (scripts/check-reproducible.mjs checks it).
 */
const byName = (map) =>
  Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

module.exports = {
  hooks: {
    beforePacking(manifest) {
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
        if (manifest[field]) manifest[field] = byName(manifest[field])
      }
      return manifest
    },
  },
}
