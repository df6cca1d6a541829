export { advisoryURL, projectURL } from '@/lib/drupal-links';
