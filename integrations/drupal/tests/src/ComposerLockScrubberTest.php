<?php

declare(strict_types=1);

namespace Drupal\Tests\fleetwatch_connector;

use Drupal\fleetwatch_connector\ComposerLockScrubber;
use PHPUnit\Framework\TestCase;

/**
 * Only what Fleetwatch reads leaves the site.
 */
final class ComposerLockScrubberTest extends TestCase {

  private const LOCK = [
    '_readme' => ['This file locks the dependencies'],
    'content-hash' => 'abc',
    'packages' => [
      [
        'name' => 'drupal/token', 'version' => '1.15.0', 'type' => 'drupal-module',
        'source' => ['type' => 'git', 'url' => 'https://git.drupalcode.org/project/token.git', 'reference' => '8.x-1.15'],
        'dist' => ['type' => 'zip', 'url' => 'https://deploy:glpat-SECRET@gitlab.example.com/token.zip'],
        'notification-url' => 'https://packages.drupal.org/8/downloads',
        'transport-options' => ['http' => ['header' => ['Authorization: Bearer SECRET2']]],
        'authors' => [['name' => 'Someone', 'email' => 'someone@example.com']],
        'extra' => ['drupal' => ['version' => '8.x-1.15', 'datestamp' => '1726000000', 'security-coverage' => ['status' => 'covered', 'message' => 'x']], 'patches' => ['https://u:SECRET3@example.com/p.patch']],
      ],
      ['name' => 'acme/private-lib', 'version' => '2.0.0', 'type' => 'library', 'dist' => ['url' => 'https://repo.acme.example/private-lib.zip']],
      ['name' => 'drupal/core', 'version' => '10.3.6', 'type' => 'drupal-core', 'dist' => ['url' => 'https://token@example.com/core.zip']],
      ['name' => 'drupal/odd', 'version' => 'dev-main', 'type' => 'drupal-module', 'extra' => ['drupal' => ['version' => 'https://user:pw@h.example/x']]],
    ],
    'packages-dev' => [['name' => 'drupal/devel', 'version' => '5.2.1', 'type' => 'drupal-module', 'source' => ['url' => 'git@github.com:x/y.git']]],
    'platform' => ['php' => '>=8.1'],
  ];

  public function testKeepsOnlyDrupalPackagesNamesVersionsAndDrupalExtra(): void {
    $out = (new ComposerLockScrubber())->scrub(self::LOCK);
    $this->assertSame([
      'packages' => [
        ['name' => 'drupal/token', 'version' => '1.15.0', 'type' => 'drupal-module', 'extra' => ['drupal' => ['version' => '8.x-1.15', 'datestamp' => '1726000000', 'security-coverage' => ['status' => 'covered']]]],
        ['name' => 'drupal/core', 'version' => '10.3.6', 'type' => 'drupal-core'],
        ['name' => 'drupal/odd', 'version' => 'dev-main', 'type' => 'drupal-module', 'extra' => ['drupal' => ['version' => 'https://h.example/x']]],
      ],
      'packages-dev' => [['name' => 'drupal/devel', 'version' => '5.2.1', 'type' => 'drupal-module']],
    ], $out);
    $json = json_encode($out);
    foreach (['SECRET', 'acme', 'someone@', 'git@', 'Authorization', 'token@', 'user:pw'] as $secret) {
      $this->assertStringNotContainsString($secret, $json);
    }
  }

  public function testRefusesALockWithoutDrupalPackages(): void {
    $this->expectException(\InvalidArgumentException::class);
    (new ComposerLockScrubber())->scrub(['packages' => [['name' => 'acme/x', 'version' => '1']]]);
  }

  public function testScrubFileOfARealLock(): void {
    $dir = sys_get_temp_dir() . '/fwc-' . bin2hex(random_bytes(4));
    mkdir($dir);
    file_put_contents($dir . '/composer.lock', json_encode(self::LOCK));
    $json = (new ComposerLockScrubber())->scrubFile($dir . '/composer.lock');
    unlink($dir . '/composer.lock');
    rmdir($dir);
    $this->assertSame(['drupal/token', 'drupal/core', 'drupal/odd'], array_column(json_decode($json, TRUE)['packages'], 'name'));
    $this->assertNull((new ComposerLockScrubber())->scrubFile($dir . '/missing.lock'));
  }

}
