/**
 * Connection options that point the official AWS SDK at a fake with fake credentials, so it never
 * looks for real ones.
 */

/** Region and fake credentials for the AWS SDK clients of a test; add `endpoint: fake.endpoint`. */
export const FAKE_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
} as const
