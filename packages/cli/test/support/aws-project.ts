/** A project folder whose config names the AWS fakes (Secrets Manager for secrets, SSM for parameters) and a local YAML file. */
import { type FakeServices, startFake } from '@polysecret/testing'
import { AWS, project } from './run-cli.js'

export interface AwsProject {
  dir: string
  sm: FakeServices['aws-secrets-manager']['fake']
  ssm: FakeServices['aws-ssm']['fake']
  stop(): Promise<void>
}

export async function awsProject(
  secrets: Record<string, string | { versions: string[] }> = {},
  parameters: Record<string, string> = {},
  local = '',
): Promise<AwsProject> {
  const sm = await startFake('aws-secrets-manager', { secrets })
  const ssm = await startFake('aws-ssm', {
    parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [`/app/${k}`, v])),
  })
  const dir = project({
    'polysecret.config.json': {
      secrets: [{ type: 'aws-secrets-manager', name: 'aws-sm', endpoint: sm.endpoint, ...AWS }],
      parameters: [
        { type: 'aws-ssm', name: 'ssm', prefix: '/app/', endpoint: ssm.endpoint, ...AWS },
        { type: 'yaml-file', name: 'local', path: 'local.yaml', writable: true },
      ],
      retry: 0,
    },
    'local.yaml': local,
  })
  return { dir, sm, ssm, stop: async () => void (await Promise.all([sm.stop(), ssm.stop()])) }
}
