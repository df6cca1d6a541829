<?php

declare(strict_types=1);

namespace Drupal\Tests\fleetwatch_connector;

use Drupal\Core\Extension\Extension;
use Drupal\Core\Extension\ExtensionList;
use Drupal\Core\Site\Settings;
use Drupal\fleetwatch_connector\Connector;
use Drupal\fleetwatch_connector\Drush\Commands\FleetwatchCommands;
use Drupal\fleetwatch_connector\ExtensionInventory;
use PHPUnit\Framework\TestCase;

/**
 * The connector against stand-ins of State, configuration, settings.php,
 * the clock, the logger and the extension lists.
 */
final class ConnectorTest extends TestCase {

  private FakeState $state;
  private FakeConfigFactory $config;
  private FakeTime $time;
  private FakeLogger $logger;
  private FakeTransport $transport;

  protected function setUp(): void {
    new Settings([]);
    $this->state = new FakeState();
    $this->config = new FakeConfigFactory();
    $this->config->configs[Connector::CONFIG] = ['server_url' => 'https://fw.example', 'interval' => 3600, 'send_composer_lock' => FALSE];
    $this->time = new FakeTime(1764000000);
    $this->logger = new FakeLogger();
    $this->transport = new FakeTransport();
  }

  private function connector(string $root = '/nonexistent'): Connector {
    $module = new Extension('module', 'ctools');
    $module->info = ['project' => 'ctools', 'version' => '4.1.0'];
    $module->status = 1;
    $core = new Extension('module', 'node');
    $core->info = ['version' => '10.3.6', 'package' => 'Core'];
    $core->status = 1;
    $core->origin = 'core';
    $theme = new Extension('theme', 'acme_theme');
    $theme->info = ['version' => '2.0'];
    $modules = new class(['ctools' => $module, 'node' => $core]) extends ExtensionList {

      public function __construct(private array $list) {
      }

      public function getList() {
        return $this->list;
      }

    };
    $themes = new class(['acme_theme' => $theme]) extends ExtensionList {

      public function __construct(private array $list) {
      }

      public function getList() {
        return $this->list;
      }

    };
    $inventory = new ExtensionInventory([$modules, $themes], 'standard', '10.3.6');
    return new Connector($this->config, $this->state, $this->time, $this->logger, $this->transport, $inventory, $root);
  }

  private static function accepted(bool $duplicate = FALSE): array {
    return FakeTransport::json(202, ['data' => ['id' => 'log-1', 'status' => 'queued', 'duplicate' => $duplicate]]);
  }

  private static function standing(): array {
    return FakeTransport::json(200, ['data' => ['site_id' => 's', 'security_updates' => 2, 'past_due' => 1, 'nearest_due_at' => '2026-12-01T00:00:00Z', 'nearest_project' => 'ctools']]);
  }

  public function testTheKeyOfSettingsPhpWinsOverState(): void {
    $c = $this->connector();
    $this->state->set(Connector::STATE_KEY, 'fwk_from_form');
    $this->assertSame('fwk_from_form', $c->key());
    $this->assertFalse($c->keyFromSettings());
    new Settings(['fleetwatch_connector' => ['key' => 'fwk_from_settings']]);
    $this->assertSame('fwk_from_settings', $c->key());
    $this->assertTrue($c->keyFromSettings());
    $this->assertArrayNotHasKey('key', $this->config->configs[Connector::CONFIG], 'the key is never configuration');
  }

  public function testCronPushesAtMostOncePerIntervalAndRecordsTheStanding(): void {
    $this->state->set(Connector::STATE_KEY, 'fwk_k');
    $this->transport->answers = [self::accepted(), self::standing(), self::accepted()];
    $c = $this->connector();
    $this->assertTrue($c->cron());
    $this->assertFalse($c->cron(), 'within the interval');
    $this->time->now += 3599;
    $this->assertFalse($c->cron());
    $this->time->now += 1;
    $this->assertTrue($c->cron());
    $this->assertCount(4, $this->transport->calls);
    $sent = json_decode($this->transport->calls[0]['body'], TRUE);
    $this->assertSame(['acme_theme', 'ctools', 'drupal'], array_column($sent['modules'], 'name'));
    $this->assertSame('custom', $sent['modules'][0]['source']);
    $second = json_decode($this->transport->calls[2]['body'], TRUE);
    $this->assertNotSame($sent['snapshot_id'], $second['snapshot_id'], 'an accepted push is followed by a new snapshot');
    $this->assertSame($second['snapshot_id'], $this->state->get(Connector::STATE_LAST_ACCEPTED));
    $req = $c->requirements();
    $this->assertSame(0, $req['fleetwatch_connector']['severity']);
    $this->assertStringContainsString('accepted', $req['fleetwatch_connector']['value']);
    $this->assertSame('2 security updates outstanding, 1 past due', $req['fleetwatch_connector_standing']['value']);
    $this->assertSame(2, $req['fleetwatch_connector_standing']['severity']);
    $this->assertStringContainsString('Nearest deadline: 2026-12-01T00:00:00Z (ctools)', $req['fleetwatch_connector_standing']['description']);
  }

  public function testARefusalIsLoggedOnceAndShownInTheStatusReport(): void {
    $this->state->set(Connector::STATE_KEY, 'fwk_revoked');
    $refusal = FakeTransport::json(401, ['errors' => [['status' => '401', 'detail' => 'The API key was revoked.']]]);
    $this->transport->answers = [$refusal, $refusal, self::accepted(), self::standing()];
    $c = $this->connector();
    $c->push();
    $c->push();
    $this->assertSame([['error', 'Fleetwatch refused the push: Fleetwatch refused the site key (HTTP 401): The API key was revoked.']], $this->logger->records);
    $req = $c->requirements()['fleetwatch_connector'];
    $this->assertSame(2, $req['severity']);
    $this->assertSame('Fleetwatch refused the site key (HTTP 401): The API key was revoked.', $req['description']);
    $this->assertNull($this->state->get(Connector::STATE_LAST_ACCEPTED), 'a refused push is not a previous snapshot');
    $c->push();
    $this->assertNull($this->state->get(Connector::STATE_LAST_LOGGED), 'success forgets the logged failure');
  }

  public function testCronNeverThrowsWhenFleetwatchIsDown(): void {
    $this->state->set(Connector::STATE_KEY, 'fwk_k');
    $this->transport->answers = [NULL];
    $c = $this->connector();
    $this->assertTrue($c->cron());
    $this->assertSame('warning', $this->logger->records[0][0]);
    $req = $c->requirements()['fleetwatch_connector'];
    $this->assertSame(1, $req['severity']);
    $this->assertSame('Fleetwatch did not answer: Connection refused', $req['description']);
  }

  public function testNothingHappensUntilConfigured(): void {
    $c = $this->connector();
    $this->assertFalse($c->cron());
    $this->assertSame([], $this->transport->calls);
    $this->assertSame('Not configured', $c->requirements()['fleetwatch_connector']['value']);
  }

  public function testComposerLockIsSentInsteadOfTheInventoryOnlyWhenOptedIn(): void {
    $root = sys_get_temp_dir() . '/fwc-root-' . bin2hex(random_bytes(4));
    mkdir($root . '/web', 0777, TRUE);
    file_put_contents($root . '/composer.lock', json_encode(['packages' => [['name' => 'drupal/core', 'version' => '10.3.6', 'type' => 'drupal-core', 'dist' => ['url' => 'https://u:SECRET@x.example/c.zip']]]]));
    $this->state->set(Connector::STATE_KEY, 'fwk_k');
    $this->transport->answers = [self::accepted(), NULL, self::accepted(), NULL];
    $c = $this->connector($root . '/web');
    $c->push();
    $this->assertStringEndsWith('/ingest/inventory', $this->transport->calls[0]['url']);
    $this->config->configs[Connector::CONFIG]['send_composer_lock'] = TRUE;
    $outcome = $c->push();
    unlink($root . '/composer.lock');
    rmdir($root . '/web');
    rmdir($root);
    $this->assertSame('composer.lock', $outcome['kind']);
    $this->assertStringContainsString('/ingest/composer-lock?snapshot_id=fwc-', $this->transport->calls[2]['url']);
    $this->assertStringNotContainsString('SECRET', $this->transport->calls[2]['body']);
  }

  public function testDrushDryRunPrintsThePayloadAndSendsNothing(): void {
    $printed = [];
    $code = FleetwatchCommands::run($this->connector(), TRUE, function (string $s) use (&$printed): void {
      $printed[] = $s;
    });
    $this->assertSame(0, $code);
    $this->assertSame([], $this->transport->calls);
    $payload = json_decode($printed[0], TRUE);
    $this->assertSame('10.3.6', $payload['drupal']['core_version']);
    $this->assertSame(['acme_theme', 'ctools', 'drupal'], array_column($payload['modules'], 'name'));
  }

  public function testDrushPushSaysWhatHappened(): void {
    $this->state->set(Connector::STATE_KEY, 'fwk_k');
    $this->transport->answers = [self::accepted(TRUE), self::standing(), FakeTransport::json(422, ['errors' => [['detail' => 'modules must list at least Drupal core']]])];
    $printed = [];
    $print = function (string $s) use (&$printed): void {
      $printed[] = $s;
    };
    $this->assertSame(0, FleetwatchCommands::run($this->connector(), FALSE, $print));
    $this->assertSame(1, FleetwatchCommands::run($this->connector(), FALSE, $print));
    $this->assertSame('Pushed 3 projects (inventory) to https://fw.example: log-1, a repeat of the push before.', $printed[0]);
    $this->assertSame('Fleetwatch refused the payload (HTTP 422): modules must list at least Drupal core', $printed[1]);
  }

}
