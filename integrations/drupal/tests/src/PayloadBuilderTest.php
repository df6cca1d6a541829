<?php

declare(strict_types=1);

namespace Drupal\Tests\fleetwatch_connector;

use Drupal\fleetwatch_connector\PayloadBuilder;
use PHPUnit\Framework\TestCase;

/**
 * The payload built from extension info, for the real inventories of
 * fixtures/sites/ and for the cases update module folds.
 */
final class PayloadBuilderTest extends TestCase {

  public static function sites(): array {
    $out = [];
    foreach (glob(__DIR__ . '/../fixtures/sites/*.json') as $file) {
      $out[basename($file, '.json')] = [basename($file)];
    }
    return $out;
  }

  /**
   * The projects and versions the real site runs, from its composer.lock:
   * every drupal.org project with its drupal.org version, and core. A git
   * checkout (no drupal.org version; its info file names no project) looks
   * like custom code to Drupal: it is reported as such, unversioned.
   *
   * @return array
   *   [project => [version, source]].
   */
  public static function expected(string $file): array {
    $site = json_decode(file_get_contents(__DIR__ . '/../fixtures/sites/' . $file), TRUE);
    $want = ['drupal' => [$site['drupal_core_version'], 'drupal.org']];
    foreach ($site['packages'] as $p) {
      if (in_array($p['type'], ['drupal-module', 'drupal-theme', 'drupal-profile'], TRUE)) {
        $want[substr($p['name'], 7)] = isset($p['drupal_org_version']) ? [$p['drupal_org_version'], 'drupal.org'] : [PayloadBuilder::UNVERSIONED, 'custom'];
      }
    }
    ksort($want);
    return $want;
  }

  /**
   * @dataProvider sites
   */
  public function testReproducesEveryProjectOfARealSite(string $file): void {
    $fixture = json_decode(file_get_contents(__DIR__ . '/../fixtures/extensions/' . $file), TRUE);
    $payload = (new PayloadBuilder())->build($fixture['extensions'], $fixture['site'] + ['collected_at' => 1764000000]);
    $got = [];
    foreach ($payload['modules'] as $m) {
      $this->assertArrayNotHasKey($m['name'], $got, "{$m['name']} listed twice");
      $got[$m['name']] = [$m['version'], $m['source'] ?? 'drupal.org'];
    }
    $want = self::expected($file);
    $this->assertSame($want, $got);
    $this->assertGreaterThan(50, count($got));
    $this->assertSame('core', $payload['modules'][array_search('drupal', array_keys($got), TRUE)]['type']);
    $this->assertEquals((object) ['core_version' => $fixture['site']['core_version'], 'php_version' => '8.3.14', 'profile' => 'standard'], $payload['drupal']);
    $this->assertSame('2025-11-24T16:00:00Z', $payload['collected_at']);
  }

  public function testFoldsSubModulesIntoTheirProjectAsUpdateModuleDoes(): void {
    $payload = (new PayloadBuilder())->build([
      ['name' => 'ctools_views', 'type' => 'module', 'status' => TRUE, 'info' => ['project' => 'ctools', 'version' => '4.1.0', 'datestamp' => '1717000000']],
      ['name' => 'ctools', 'type' => 'module', 'status' => FALSE, 'info' => ['project' => 'ctools', 'version' => '4.1.0', 'datestamp' => '1717000000']],
      ['name' => 'node', 'type' => 'module', 'status' => TRUE, 'origin' => 'core', 'info' => ['package' => 'Core', 'version' => '10.3.6']],
      ['name' => 'olivero', 'type' => 'theme', 'status' => TRUE, 'origin' => 'core', 'info' => ['version' => '10.3.6']],
      ['name' => 'admin_toolbar_tools', 'type' => 'module', 'status' => FALSE, 'info' => ['project' => 'admin_toolbar', 'version' => '3.x-dev', 'datestamp' => '1717000001']],
      ['name' => 'bootstrap5', 'type' => 'theme', 'status' => TRUE, 'info' => ['project' => 'bootstrap5', 'version' => '4.0.1']],
      ['name' => 'acme_events', 'type' => 'module', 'status' => TRUE, 'info' => ['version' => '1.0.0']],
      ['name' => 'acme_theme', 'type' => 'theme', 'status' => TRUE, 'info' => []],
      ['name' => 'views_test_data', 'type' => 'module', 'status' => FALSE, 'info' => ['hidden' => TRUE, 'project' => 'views_extra', 'version' => '1.0.0']],
      ['name' => 'gitcheckout', 'type' => 'module', 'status' => TRUE, 'info' => ['project' => 'gitcheckout']],
    ], ['core_version' => '10.3.6', 'php_version' => '8.3.1', 'profile' => 'standard', 'collected_at' => 0]);
    $this->assertSame([
      ['name' => 'acme_events', 'type' => 'module', 'version' => '1.0.0', 'source' => 'custom', 'enabled' => TRUE],
      ['name' => 'acme_theme', 'type' => 'theme', 'version' => PayloadBuilder::UNVERSIONED, 'source' => 'custom', 'enabled' => TRUE],
      ['name' => 'admin_toolbar', 'type' => 'module', 'version' => '3.x-dev', 'datestamp' => 1717000001, 'enabled' => FALSE],
      ['name' => 'bootstrap5', 'type' => 'theme', 'version' => '4.0.1', 'enabled' => TRUE],
      ['name' => 'ctools', 'type' => 'module', 'version' => '4.1.0', 'datestamp' => 1717000000, 'enabled' => TRUE],
      ['name' => 'drupal', 'type' => 'core', 'version' => '10.3.6'],
    ], $payload['modules']);
  }

  public function testCoreVersionComesFromTheSiteWhenNoCoreExtensionIsListed(): void {
    $payload = (new PayloadBuilder())->build([], ['core_version' => '11.1.0']);
    $this->assertSame([['name' => 'drupal', 'type' => 'core', 'version' => '11.1.0']], $payload['modules']);
  }

  public function testSnapshotIdDependsOnContentAndThePreviousPushNotOnTheTime(): void {
    $b = new PayloadBuilder();
    $ext = json_decode(file_get_contents(__DIR__ . '/../fixtures/extensions/usagov.json'), TRUE);
    $first = $b->build($ext['extensions'], $ext['site'] + ['collected_at' => 1]);
    $retry = $b->build(array_reverse($ext['extensions']), $ext['site'] + ['collected_at' => 7200]);
    $this->assertMatchesRegularExpression('/^fwc-[0-9a-f]{64}$/', $first['snapshot_id']);
    $this->assertSame($first['snapshot_id'], $retry['snapshot_id'], 'a retry of the same content is the same snapshot');
    $next = $b->build($ext['extensions'], $ext['site'] + ['previous_snapshot_id' => $first['snapshot_id']]);
    $this->assertNotSame($first['snapshot_id'], $next['snapshot_id'], 'the push after an accepted one is new');
    $ext['extensions'][10]['info']['version'] = '9.9.9';
    $changed = $b->build($ext['extensions'], $ext['site']);
    $this->assertNotSame($first['snapshot_id'], $changed['snapshot_id']);
    $this->assertLessThanOrEqual(100, strlen($first['snapshot_id']));
  }

}
