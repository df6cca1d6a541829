/**
 * The page of an advisory id: drupal.org's for SA-CORE-2024-001 and
 * SA-CONTRIB-2024-001, GitHub's for a GHSA id, cve.org's for a CVE id (the
 * ids of PHP libraries' advisories), FriendsOfPHP's database for the rest
 * ("friendsofphp:vendor/package/file").
 */
export function advisoryURL(id: string): string {
  if (/^GHSA-/i.test(id)) return `https://github.com/advisories/${encodeURIComponent(id)}`;
  if (/^CVE-\d{4}-\d+$/i.test(id))
    return `https://www.cve.org/CVERecord?id=${encodeURIComponent(id.toUpperCase())}`;
  const fop = /^friendsofphp:(.+)$/i.exec(id);
  if (fop) return `https://github.com/FriendsOfPHP/security-advisories/blob/master/${fop[1]}.yaml`;
  return `https://www.drupal.org/${id.toLowerCase()}`;
}

/** The page of a project: Packagist's for a composer name (vendor/package), else drupal.org's. */
export function projectURL(project: string): string {
  if (project.includes('/')) return `https://packagist.org/packages/${project}`;
  return `https://www.drupal.org/project/${encodeURIComponent(project)}`;
}
