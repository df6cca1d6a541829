/** drupal.org's page of an advisory id such as SA-CONTRIB-2024-001. */
export const advisoryURL = (id: string) => `https://www.drupal.org/${id.toLowerCase()}`;
export const projectURL = (project: string) =>
  `https://www.drupal.org/project/${encodeURIComponent(project)}`;
