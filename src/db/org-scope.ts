/**
 * Proof that access to an organisation was checked. Repositories take an OrgScope and
 * filter every query by its org id; only the auth service mints one, after it has
 * resolved the caller (house style: a branded type, so a raw string cannot be passed).
 */
declare const orgScopeBrand: unique symbol;

export interface OrgScope {
  readonly orgId: string;
  readonly [orgScopeBrand]: true;
}

/** Mints a scope. Call only after authenticating the caller as a member of `orgId` (or for system jobs). */
export function grantOrgScope(orgId: string): OrgScope {
  return { orgId } as OrgScope;
}
