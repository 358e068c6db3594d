// pino-roll ships no types; audit.ts describes the one function it uses.
declare module 'pino-roll' {
  const roll: unknown
  export default roll
}
