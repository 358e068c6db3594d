/**
 * The permission each store checks for each operation `doctor` probes, so "access denied" comes with
 * the name an operator grants. Types not listed here get the provider docs page as the hint.
 */
export type Operation = 'read' | 'list' | 'write'

export const PERMISSIONS: Readonly<Record<string, Readonly<Record<Operation, string>>>> = {
  'aws-secrets-manager': {
    read: 'secretsmanager:GetSecretValue (and kms:Decrypt on a customer key)',
    list: 'secretsmanager:ListSecrets',
    write: 'secretsmanager:PutSecretValue, secretsmanager:CreateSecret, secretsmanager:DeleteSecret',
  },
  'aws-ssm': {
    read: 'ssm:GetParameter, ssm:GetParameters (and kms:Decrypt for SecureString)',
    list: 'ssm:GetParametersByPath or ssm:DescribeParameters',
    write: 'ssm:PutParameter, ssm:DeleteParameter',
  },
  'gcp-secret-manager': {
    read: 'secretmanager.versions.access (role Secret Manager Secret Accessor)',
    list: 'secretmanager.secrets.list (role Secret Manager Viewer)',
    write:
      'secretmanager.versions.add, secretmanager.secrets.create (role Secret Manager Secret Version Adder / Admin)',
  },
  'gcp-parameter-manager': {
    read: 'parametermanager.parameterVersions.render (role Parameter Manager Parameter Accessor)',
    list: 'parametermanager.parameters.list',
    write: 'parametermanager.parameterVersions.create',
  },
  'azure-key-vault': {
    read: 'secrets/get (RBAC: Key Vault Secrets User)',
    list: 'secrets/list (RBAC: Key Vault Secrets User)',
    write: 'secrets/set, secrets/delete (RBAC: Key Vault Secrets Officer)',
  },
  'azure-app-configuration': {
    read: 'App Configuration Data Reader',
    list: 'App Configuration Data Reader',
    write: 'App Configuration Data Owner',
  },
  'kubernetes-secrets': {
    read: 'get on secrets',
    list: 'list on secrets',
    write: 'create, update, patch, delete on secrets',
  },
  'kubernetes-configmaps': {
    read: 'get on configmaps',
    list: 'list on configmaps',
    write: 'create, update, patch, delete on configmaps',
  },
  'vault-kv': {
    read: 'the "read" capability on the KV data path',
    list: 'the "list" capability on the KV metadata path',
    write: 'the "create" and "update" capabilities on the data path (and "delete")',
  },
}

export function permissionFor(type: string, operation: Operation): string {
  return PERMISSIONS[type]?.[operation] ?? `${operation} permission (see the provider's docs page)`
}
