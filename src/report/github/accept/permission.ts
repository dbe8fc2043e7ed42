import { z } from 'zod';
import { messageOf } from '../../../core/support/errors.js';
import type { GitHub } from '../octokit.js';
import { statusOf } from '../status.js';

/** A repository's roles, weakest first, as `role_name` names GitHub's own. */
export const ROLES = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The roles `accept_permission` may ask for. */
export const ACCEPT_ROLES = ['write', 'maintain', 'admin'] as const;
export type AcceptRole = (typeof ACCEPT_ROLES)[number];

/** The part of `GET /repos/{owner}/{repo}/collaborators/{username}/permission` read, validated. */
const CollaboratorPermission = z.object({
  permission: z.string(),
  role_name: z.string().nullish(),
});

/** A user's role on the repository, as GitHub says it, and how it was read. */
export interface UserRole {
  role: Role;
  /** Set when `role_name` is a custom role: its name, and the base permission `role` was read from. */
  custom?: string;
}

/**
 * The commenter's role on the repository, read from GitHub (one request). `role_name` says
 * `maintain` where `permission` says `write`, so it is read first; a custom role (an
 * organization's own name) counts as the base permission GitHub reports for it, which never
 * says more than the role grants. Returns why it could not be read, never throws.
 */
export async function readUserRole(
  github: GitHub,
  place: { owner: string; repo: string; username: string },
): Promise<UserRole | { unread: string }> {
  try {
    const { data } = await github.rest.repos.getCollaboratorPermissionLevel(place);
    const parsed = CollaboratorPermission.safeParse(data);
    if (!parsed.success) return { unread: 'GitHub answered in a shape the gate cannot read' };
    const named = parsed.data.role_name?.toLowerCase();
    if (named && isRole(named)) return { role: named };
    const base = parsed.data.permission.toLowerCase();
    return {
      role: isRole(base) ? base : 'none',
      ...(parsed.data.role_name ? { custom: parsed.data.role_name } : {}),
    };
  } catch (error) {
    // GitHub answers 404 for a user who is no collaborator (and 403 where the token may not ask).
    if (statusOf(error) === 404) return { role: 'none' };
    return {
      unread: `it could not be read (HTTP ${statusOf(error) ?? '-'}: ${messageOf(error)})`,
    };
  }
}

const isRole = (name: string): name is Role => (ROLES as readonly string[]).includes(name);

/** Whether `role` is at least `wanted`. */
export function reaches(role: Role, wanted: AcceptRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(wanted);
}
