import { advisoryURL, projectURL } from './drupal-links';

describe('advisoryURL', () => {
  it('links each kind of advisory id to its own database', () => {
    expect(advisoryURL('SA-CONTRIB-2024-001')).toBe('https://www.drupal.org/sa-contrib-2024-001');
    expect(advisoryURL('GHSA-6377-hfv9-hqf6')).toBe(
      'https://github.com/advisories/GHSA-6377-hfv9-hqf6',
    );
    expect(advisoryURL('CVE-2026-45068')).toBe('https://www.cve.org/CVERecord?id=CVE-2026-45068');
    expect(advisoryURL('friendsofphp:twig/twig/2024-11-06')).toBe(
      'https://github.com/FriendsOfPHP/security-advisories/blob/master/twig/twig/2024-11-06.yaml',
    );
  });
});

describe('projectURL', () => {
  it('links a PHP library to Packagist and a Drupal project to drupal.org', () => {
    expect(projectURL('guzzlehttp/guzzle')).toBe(
      'https://packagist.org/packages/guzzlehttp/guzzle',
    );
    expect(projectURL('token')).toBe('https://www.drupal.org/project/token');
  });
});
