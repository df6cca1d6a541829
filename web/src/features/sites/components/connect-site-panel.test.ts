import { describe, expect, it } from 'vitest';
import { connectCommands } from './connect-site-panel';

describe('connectCommands', () => {
  it('fills the server and the key into every command', () => {
    const c = connectCommands('https://fw.example.com', 'fwk_abc');
    expect(c.agent).toBe(
      'fleetwatch agent push --server https://fw.example.com --key fwk_abc --drupal-root /var/www/html',
    );
    expect(c.cron).toMatch(
      /^\*\/30 \* \* \* \* fleetwatch agent push --server https:\/\/fw\.example\.com --key fwk_abc /,
    );
    expect(c.drupal).toContain('drush state:set fleetwatch_connector.key fwk_abc');
    expect(c.drupal).toContain(
      'drush config:set fleetwatch_connector.settings server_url https://fw.example.com -y',
    );
    expect(c.settings).toContain("$settings['fleetwatch_connector']['key'] = 'fwk_abc';");
  });
});
