import type { Tag } from '@aws-sdk/client-secrets-manager'

/** Tags as AWS takes them: a list of `{ Key, Value }`. */
export function toAwsTags(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))
}

/** AWS's tag list as a record (a tag without a value reads as `''`). */
export function fromAwsTags(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? ''
  return out
}
