<?php

declare(strict_types=1);

namespace Drupal\Tests\fleetwatch_connector;

use Drupal\fleetwatch_connector\PayloadBuilder;
use PHPUnit\Framework\TestCase;

/**
 * The Drupal 7 connector: the same payload as the Drupal 10/11 one for
 * every real inventory, and its cron, key, logging and status report over
 * stand-ins of variable_get/variable_set, drupal_http_request and watchdog.
 */
final class D7ConnectorTest extends TestCase {

  private array $variables = [];
  private array $logged = [];
  private array $requests = [];
  private array $answers = [];
  private int $now = 1764000000;

  public static function sites(): array {
    return PayloadBuilderTest::sites();
  }

  /**
   * @dataProvider sites
   */
  public function testSamePayloadAsTheDrupal10Connector(string $file): void {
    $fixture = json_decode(file_get_contents(__DIR__ . '/../fixtures/extensions/' . $file), TRUE);
    $site = $fixture['site'] + ['collected_at' => 1764000000, 'previous_snapshot_id' => 'fwc-before'];
    $d7 = (new \FleetwatchD7PayloadBuilder())->build($fixture['extensions'], $site);
    $this->assertEquals((new PayloadBuilder())->build($fixture['extensions'], $site), $d7);
    $got = [];
    foreach ($d7['modules'] as $m) {
      $got[$m['name']] = [$m['version'], $m['source'] ?? 'drupal.org'];
    }
    $this->assertSame(PayloadBuilderTest::expected($file), $got);
  }

  public function testDrupal7CoreIsRecognisedByItsPackage(): void {
    $payload = (new \FleetwatchD7PayloadBuilder())->build([
      ['name' => 'node', 'type' => 'module', 'status' => 1, 'info' => ['package' => 'Core', 'version' => '7.101', 'project' => 'drupal']],
      ['name' => 'bartik', 'type' => 'theme', 'status' => 1, 'info' => ['package' => 'Core', 'version' => '7.101']],
      ['name' => 'views_ui', 'type' => 'module', 'status' => 1, 'info' => ['package' => 'Views', 'project' => 'views', 'version' => '7.x-3.29', 'datestamp' => '1700000000']],
      ['name' => 'views', 'type' => 'module', 'status' => 1, 'info' => ['package' => 'Views', 'project' => 'views', 'version' => '7.x-3.29', 'datestamp' => '1700000000']],
      ['name' => 'acme', 'type' => 'module', 'status' => 0, 'info' => ['package' => 'Acme', 'version' => '7.x-1.0']],
    ], ['core_version' => '7.101', 'php_version' => '5.6.40', 'profile' => 'standard', 'collected_at' => 0]);
    $this->assertSame([
      ['name' => 'acme', 'type' => 'module', 'version' => '7.x-1.0', 'source' => 'custom', 'enabled' => FALSE],
      ['name' => 'drupal', 'type' => 'core', 'version' => '7.101'],
      ['name' => 'views', 'type' => 'module', 'version' => '7.x-3.29', 'datestamp' => 1700000000, 'enabled' => TRUE],
    ], $payload['modules']);
  }

  private function connector(): \FleetwatchD7Connector {
    return new \FleetwatchD7Connector([
      'get' => fn($name, $default = NULL) => $this->variables[$name] ?? $default,
      'set' => function ($name, $value): void {
        $this->variables[$name] = $value;
      },
      'http' => function ($url, array $options) {
        $this->requests[] = [$url, $options];
        return array_shift($this->answers) ?? (object) ['code' => -111, 'error' => 'Connection refused'];
      },
      'log' => function ($severity, $message): void {
        $this->logged[] = [$severity, $message];
      },
      'extensions' => fn() => [['name' => 'views', 'type' => 'module', 'status' => 1, 'info' => ['project' => 'views', 'version' => '7.x-3.29']]],
      'site' => fn() => ['core_version' => '7.101', 'php_version' => '7.4.33', 'profile' => 'standard'],
      'now' => fn() => $this->now,
    ]);
  }

  private static function answer(int $code, array $body): object {
    return (object) ['code' => $code, 'data' => json_encode($body)];
  }

  public function testCronPushesOncePerIntervalWithTheKeyOfSettingsPhpFirst(): void {
    $this->variables = ['fleetwatch_connector_d7_server_url' => 'https://fw.example', 'fleetwatch_connector_d7_key' => 'fwk_form',
      'fleetwatch_connector' => ['key' => 'fwk_settings']];
    $this->answers = [self::answer(202, ['data' => ['id' => 'a1', 'duplicate' => FALSE]]), self::answer(200, ['data' => ['security_updates' => 1, 'past_due' => 0, 'nearest_due_at' => '2026-12-24T00:00:00Z', 'nearest_project' => 'views']])];
    $c = $this->connector();
    $this->assertTrue($c->cron());
    $this->assertFalse($c->cron());
    [$url, $options] = $this->requests[0];
    $this->assertSame('https://fw.example/api/v1/ingest/inventory', $url);
    $this->assertSame('Bearer fwk_settings', $options['headers']['Authorization']);
    $this->assertSame(15.0, $options['timeout']);
    $this->assertSame(['drupal', 'views'], array_column(json_decode($options['data'], TRUE)['modules'], 'name'));
    $req = $c->requirements();
    $this->assertSame(0, $req['fleetwatch_connector']['severity']);
    $this->assertSame('1 security update outstanding, 0 past due', $req['fleetwatch_connector_standing']['value']);
  }

  public function testRefusalLoggedOnceAndDownNeverThrows(): void {
    $this->variables = ['fleetwatch_connector_d7_server_url' => 'https://fw.example', 'fleetwatch_connector_d7_key' => 'fwk_bad'];
    $refused = self::answer(403, ['errors' => [['detail' => 'This route takes a site key (fwk_…).']]]);
    $this->answers = [$refused, $refused];
    $c = $this->connector();
    $c->push();
    $c->push();
    $this->assertSame([['error', 'Fleetwatch refused the push: Fleetwatch forbade the call (is the key a site key, fwk_…?) (HTTP 403): This route takes a site key (fwk_…).']], $this->logged);
    $this->assertSame(2, $c->requirements()['fleetwatch_connector']['severity']);
    $this->now += 7200;
    $this->assertTrue($c->cron(), 'no answer: cron goes on');
    $this->assertSame('warning', $this->logged[1][0]);
    $this->assertSame('Fleetwatch did not answer: Connection refused', $c->requirements()['fleetwatch_connector']['description']);
  }

}
